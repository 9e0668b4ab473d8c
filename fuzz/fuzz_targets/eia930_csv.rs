//! EIA-930 balance file (`import::eia930_rows`): without `--ba` and with `--ba PJM`,
//! reported demand, and with `--ba PJM` and adjusted demand (which falls back to the
//! reported value hour by hour); rows that parse go through `input::import::clean_rows` (gap
//! filling on, gaps up to 6 h).
#![no_main]

use gridstrain::input::import::clean_rows;
use gridstrain::input::text_rows::{EiaDemand, eia930_rows};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // `input::read_text` drops a byte-order mark before the readers see the text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file = "fuzz.csv";
    for (ba, demand) in [
        (None, EiaDemand::Reported),
        (Some("PJM"), EiaDemand::Reported),
        (Some("PJM"), EiaDemand::Adjusted),
    ] {
        if let Ok(rows) = eia930_rows(text, file, ba, demand) {
            let _ = clean_rows(&rows, file, true, 6);
        }
    }
});
