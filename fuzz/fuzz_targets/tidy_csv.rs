//! Tidy load CSV (`timestamp_utc,demand_mw`): the one tidy reader
//! (`input::text_rows::tidy_rows`), whose rows then go through the series validator as a
//! region's load file does (`input::series::complete_series`) and as `import` does
//! (`input::import::clean_rows`, gap filling on, gaps up to 6 h).
#![no_main]

use gridstrain::input::import::clean_rows;
use gridstrain::input::series::complete_series;
use gridstrain::input::text_rows::tidy_rows;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // `input::read_text` drops a byte-order mark before the readers see the text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file = "fuzz.csv";
    if let Ok(rows) = tidy_rows(text, file) {
        let _ = complete_series(&rows, file);
        let _ = clean_rows(&rows, file, true, 6);
    }
});
