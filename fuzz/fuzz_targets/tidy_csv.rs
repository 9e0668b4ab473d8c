//! Tidy load CSV (`timestamp_utc,demand_mw`): the strict reader used for region load
//! files (`load::tidy_csv_from_text`) and the import reader (`import::tidy_rows`), whose
//! rows then go through `import::clean_rows` (gap filling on, gaps up to 6 h).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // `input::read_text` drops a byte-order mark before the readers see the text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file = "fuzz.csv";
    let _ = gridstrain::load::tidy_csv_from_text(text, file);
    if let Ok(rows) = gridstrain::import::tidy_rows(text, file) {
        let _ = gridstrain::import::clean_rows(&rows, file, true, 6);
    }
});
