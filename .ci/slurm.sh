#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for the sharded sweep:
#   1. install slurmctld, slurmd, slurm-client and munge when missing (apt-get; fails,
#      never skips, when it cannot);
#   2. start munged, slurmctld and slurmd in the foreground of background jobs, in a
#      private folder with their own ports (no systemd needed), and keep their PIDs;
#   3. submit a 3-task array (`sbatch --array=0-2`) whose tasks run
#      `gridstrain sweep --shard $SLURM_ARRAY_TASK_ID/3`, then the merge as a job that
#      depends on the array (`--dependency=afterok`), and wait for it;
#   4. compare the merged bands with an unsharded sweep, byte for byte;
#   5. stop every daemon it started, by PID (also on failure).
# Notes on what it takes: ../shared/docs/slurm-notes.md (in the team's workspace) and
# docs/cluster.md. Usage: .ci/slurm.sh (after `cargo build --release`).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gridstrain-target}"
bin="$CARGO_TARGET_DIR/release/gridstrain"
[ -x "$bin" ] || cargo build --release --locked --quiet --bin gridstrain

need=()
for tool in munged slurmctld slurmd sbatch sinfo squeue; do
  command -v "$tool" >/dev/null || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "slurm: installing slurmctld slurmd slurm-client munge (missing: ${need[*]})"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo -n)
  if ! "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      slurmctld slurmd slurm-client munge >/tmp/gridstrain-slurm-apt.log 2>&1; then
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      slurmctld slurmd slurm-client munge >/tmp/gridstrain-slurm-apt.log 2>&1 || {
      echo "slurm: cannot install the Slurm packages (see /tmp/gridstrain-slurm-apt.log)" >&2
      exit 1
    }
  fi
fi

work=$(mktemp -d /tmp/gridstrain-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  status=$?
  if [ -n "${SLURM_CONF:-}" ]; then
    scancel --quiet --user "$(id -un)" 2>/dev/null || true
    # slurmstepd processes are detached: wait for their sockets to go before slurmd.
    for _ in $(seq 50); do
      compgen -G "$work/spool/*_*" >/dev/null || break
      sleep 0.1
    done
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ $status -ne 0 ]; then
    echo "slurm: failed; daemon logs follow" >&2
    tail -n 20 "$work"/log/*.log "$work"/log/*.out >&2 2>/dev/null || true
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT

host=$(hostname -s)
user=$(id -un)
mkdir -p "$work/munge" "$work/spool" "$work/state" "$work/log" "$work/out"
chmod 755 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$work/munge/munge.key"
munged --foreground --force --key-file="$work/munge/munge.key" \
  --socket="$work/munge/munge.socket.2" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/log/munged.log" --seed-file="$work/munge/munged.seed" \
  >"$work/log/munged.out" 2>&1 &
pids+=($!)

# Ports of our own, so that another cluster on the host does not collide.
ctld_port=$((20000 + RANDOM % 20000))
slurmd_port=$((ctld_port + 1))
cat >"$work/slurm.conf" <<CONF
ClusterName=gridstrain-ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket.2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MailProg=/bin/true
ReturnToService=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=sched_interval=1
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
for _ in $(seq 50); do [ -S "$work/munge/munge.socket.2" ] && break; sleep 0.1; done
slurmctld -D -i -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N "$host" -f "$SLURM_CONF" >"$work/log/slurmd.out" 2>&1 &
pids+=($!)
for i in $(seq 100); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  [ "$i" -eq 100 ] && { echo "slurm: the node never became idle (state '$state')" >&2; exit 1; }
  sleep 0.2
done
echo "slurm: single-node cluster up on $host (ports $ctld_port/$slurmd_port)"

# The study: the shipped default, 2030-2031, 60 samples over every weather year.
sweep_args=(--quiet --samples 60 --years 2030..2031 --seed 11)
cat >"$work/shard.sh" <<JOB
#!/usr/bin/env bash
set -euo pipefail
cd "$repo"
exec "$bin" sweep ${sweep_args[*]} --threads 1 --shard "\$SLURM_ARRAY_TASK_ID/3" --out "$work/out/shards"
JOB
cat >"$work/merge.sh" <<JOB
#!/usr/bin/env bash
set -euo pipefail
cd "$repo"
exec "$bin" sweep --quiet --merge "$work/out/shards" --out "$work/out/merged"
JOB
array=$(sbatch --parsable --array=0-2 --cpus-per-task=1 -o "$work/log/shard-%a.out" "$work/shard.sh")
echo "slurm: array job $array (3 shards) submitted"
sbatch --wait --parsable --dependency="afterok:$array" -o "$work/log/merge.out" "$work/merge.sh" >/dev/null
for k in 0 1 2; do
  [ -f "$work/out/shards/scenario=default/region_set=us-48/shard=$k/per_sample_metrics.parquet" ] || {
    echo "slurm: shard $k wrote nothing"; cat "$work/log/shard-$k.out" 2>/dev/null; exit 1; }
done
[ -f "$work/out/merged/bands.csv" ] || { echo "slurm: the merge job wrote nothing"; cat "$work/log/merge.out"; exit 1; }

"$bin" sweep "${sweep_args[@]}" --out "$work/out/whole"
for file in bands.csv bands.parquet samples.parquet drivers.csv; do
  cmp "$work/out/merged/$file" "$work/out/whole/$file" || {
    echo "slurm: merged $file differs from the unsharded sweep" >&2; exit 1; }
done
echo "slurm: 3 shards on Slurm, merged by a dependent job = the unsharded sweep (bands.csv, bands.parquet, samples.parquet, drivers.csv identical)"
