//! Criterion benchmarks of the computing stages on the shipped data: the headroom solver
//! (22 regions, 4 limits), one region-year of profiles + flexibility + metrics, and the
//! whole default run. Reports region-hours per second as throughput.
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gridstrain::input::study::{StudyFiles, load_study, read_region_loads};
use gridstrain::simulation::headroom::{HeadroomRequest, analyse_headroom};
use gridstrain::simulation::{Observer, SimOptions, simulate};

fn root() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        std::path::PathBuf::from,
    )
}

fn bench_headroom(c: &mut Criterion) {
    let path = root().join("regions/us-22.toml");
    let mut group = c.benchmark_group("headroom");
    group.sample_size(10);
    group.throughput(Throughput::Elements(22 * 78_911));
    group.bench_function("us-22, 4 limits (read + solve)", |b| {
        b.iter(|| {
            let (set, loads) = read_region_loads(&path).unwrap();
            let limits = vec![0.0025, 0.005, 0.01, 0.05];
            black_box(
                analyse_headroom(&HeadroomRequest::for_region_set(&set, loads, limits)).unwrap(),
            )
        })
    });
    group.finish();
}

fn bench_run(c: &mut Criterion) {
    let files = StudyFiles {
        scenario: root().join("scenarios/default.toml"),
        regions: root().join("regions/us-22.toml"),
        catalogue_ids: Vec::new(),
        years: None,
        weather_years: (2016..=2024).collect(),
    };
    let study = load_study(&files).unwrap().study;
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
        |b| {
            b.iter(|| {
                black_box(simulate(&study, &SimOptions::default(), &Observer::default()).unwrap())
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench_headroom, bench_run);
criterion_main!(benches);
