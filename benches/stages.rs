//! Criterion benchmarks of the computing stages on the shipped data: the headroom solver
//! (22 regions, 4 limits), one region-year of profiles + flexibility + metrics, and the
//! whole default run. Reports region-hours per second as throughput.
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gridstrain::cli::CommonArgs;
use gridstrain::cli::headroom::{HeadroomArgs, compute_headroom};
use gridstrain::cli::run::{RunArgs, load_run};
use gridstrain::simulation::run;

fn root() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        std::path::PathBuf::from,
    )
}

fn common() -> CommonArgs {
    CommonArgs {
        threads: None,
        quiet: true,
    }
}

fn bench_headroom(c: &mut Criterion) {
    let args = HeadroomArgs {
        regions: root().join("regions/us-22.toml").display().to_string(),
        load: None,
        limits: vec![0.25, 0.5, 1.0, 5.0],
        profile: None,
        time_zone: "UTC".into(),
        weather_years: None,
        out: None,
        force: false,
        common: common(),
    };
    let mut group = c.benchmark_group("headroom");
    group.sample_size(10);
    group.throughput(Throughput::Elements(22 * 78_911));
    group.bench_function("us-22, 4 limits (read + solve)", |b| {
        b.iter(|| black_box(compute_headroom(&args).unwrap()))
    });
    group.finish();
}

fn bench_run(c: &mut Criterion) {
    let args = RunArgs {
        scenario: root().join("scenarios/default.toml").display().to_string(),
        regions: root().join("regions/us-22.toml").display().to_string(),
        years: None,
        weather_years: "2016..2024".into(),
        out: None,
        hourly: false,
        force: false,
        common: common(),
    };
    let loaded = load_run(&args).unwrap();
    let hours: u64 = (2024..=2035)
        .map(|y| gridstrain::time::hours_in_year(y) as u64)
        .sum::<u64>()
        * 22
        * 9;
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    group.throughput(Throughput::Elements(hours));
    group.bench_function(
        "default scenario × us-22 × 12 years × 9 weather years",
        |b| b.iter(|| black_box(run(&loaded.spec, &loaded.profiles, &|| {}).unwrap())),
    );
    group.finish();
}

criterion_group!(benches, bench_headroom, bench_run);
criterion_main!(benches);
