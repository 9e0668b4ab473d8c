//! The library's front door (`gridstrain::api`): a study run in memory and written by a
//! program writes the same tables as `gridstrain run`.
use gridstrain::input::study::{StudyFiles, load_study};

use crate::common::{Dir, read_csv, small_fixture};

#[test]
fn a_run_written_through_the_library_equals_the_commands() {
    let dir = Dir::new("api_run_written_through_the_library");
    let by_command = dir.join("command");
    dir.run_small("command", &["--quiet"]).succeeds();

    let (scenario, regions) = small_fixture();
    let loaded = load_study(&StudyFiles {
        scenario,
        regions,
        catalogue_ids: Vec::new(),
        years: None,
        weather_years: vec![2023, 2024],
    })
    .unwrap();
    let ticks = std::sync::atomic::AtomicU64::new(0);
    let run = gridstrain::api::run_study(&loaded, None, &|| {
        ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(
        ticks.into_inner(),
        loaded.study.region_years(),
        "one progress tick per region-year"
    );
    let by_library = dir.join("library");
    let written = run
        .write(&loaded, &by_library, false, "a test".into())
        .unwrap();
    assert_eq!(written, by_library);

    let mut compared = 0;
    for entry in std::fs::read_dir(&by_command).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let name = path.file_name().unwrap();
            assert_eq!(
                std::fs::read(&path).unwrap(),
                std::fs::read(by_library.join(name)).unwrap(),
                "{name:?} differs"
            );
            compared += 1;
        }
    }
    assert!(compared >= 6, "only {compared} CSV tables compared");
    let (_, rows) = read_csv(&by_library.join("metrics.csv"));
    assert_eq!(rows.len(), run.result.metrics.len());
    assert!(by_library.join("report.html").is_file());
    // The folder is not replaced without `force`.
    let again = run.write(&loaded, &by_library, false, "a test".into());
    assert!(again.is_err());
}
