//! Operators' forecast CSV (`regions/forecasts/*.csv`):
//! `input::forecasts::operator_forecasts_from_text` for the regions of the shipped
//! `us-22` set (read once), as `run` and `validate` read a region set's forecasts file.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use gridstrain::input::forecasts::operator_forecasts_from_text;
use gridstrain::input::region_set::read_region_set;
use gridstrain::model::region::RegionSet;
use libfuzzer_sys::fuzz_target;

const REGIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../regions/us-22.toml");

fn regions() -> &'static RegionSet {
    static SET: OnceLock<RegionSet> = OnceLock::new();
    SET.get_or_init(|| read_region_set(Path::new(REGIONS)).expect("the shipped us-22 set"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = operator_forecasts_from_text(text, Path::new("fuzz.csv"), regions());
});
