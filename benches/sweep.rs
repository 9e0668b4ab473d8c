//! Criterion benchmark of the sweep kernel on the shipped default study: 100 samples with
//! one drawn weather year each, the pruned engine (the default) against the full engine
//! (every hour), with region-hours per second as throughput. Whole-command timings,
//! against the brute-force reference, are in `bench/sweep_commands.sh`.
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gridstrain::input::study::{StudyFiles, load_study};
use gridstrain::simulation::sweep::{Engine, SweepSpec, sweep};

fn bench_sweep(c: &mut Criterion) {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files = StudyFiles {
        scenario: root.join("scenarios/default.toml"),
        regions: root.join("regions/us-22.toml"),
        catalogue_ids: Vec::new(),
        years: None,
        weather_years: (2016..=2024).collect(),
    };
    let study = load_study(&files).unwrap().study;
    let samples = 100;
    let hours: u64 = study
        .target_years()
        .map(|y| gridstrain::time::hours_in_year(y) as u64)
        .sum::<u64>()
        * study.regions.regions.len() as u64
        * samples as u64;
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.throughput(Throughput::Elements(hours));
    for (name, engine) in [("pruned", Engine::Pruned), ("full", Engine::Full)] {
        let spec = SweepSpec {
            engine,
            samples,
            seed: 1,
            all_weather_years: false,
            shard: None,
        };
        group.bench_function(format!("default × us-22, 100 samples, {name}"), |b| {
            b.iter(|| black_box(sweep(&study, &spec, &|| {}, None).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_sweep);
criterion_main!(benches);
