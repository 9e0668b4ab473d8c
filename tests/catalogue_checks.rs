//! The catalogue's data facts (`regions/catalogue/checks.toml`, written with the data by
//! `derive_catalogue.py`), each checked here through the program's own readers: coverage
//! of the lower 48, the files' spans, and every documented repair — MISO's 2024 peak day,
//! CISO-PGAE's 2019 imputed block, PJM-PL's January 2019 doubling, the zeros of PSEI, JEA
//! and LGEE, the kept level shifts of WACM, LDWP and PSCO, the excluded AEC and NSB — and
//! how each ISO's record relates to its zones. A kind this test does not know fails it,
//! so no fact is skipped silently.
use std::collections::HashMap;

use gridstrain::input::catalogue::{Catalogue, read_catalogue};
use gridstrain::input::load_file::read_load_file;
use gridstrain::model::series::HourlyLoad;
use toml::Value;

use crate::common::root;

struct Data {
    catalogue: Catalogue,
    loads: HashMap<String, HourlyLoad>,
}

impl Data {
    fn load(&self, id: &str) -> &HourlyLoad {
        self.loads
            .get(id)
            .unwrap_or_else(|| panic!("{id}: no load"))
    }

    fn zones(&self, parent: &str) -> Vec<&str> {
        self.catalogue
            .zones_of(parent)
            .iter()
            .map(|z| z.id.as_str())
            .collect()
    }

    fn bas(&self) -> Vec<&str> {
        self.catalogue
            .regions
            .iter()
            .filter(|r| r.parent.is_none())
            .map(|r| r.id.as_str())
            .collect()
    }
}

fn epoch_hour(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .timestamp()
        .div_euclid(3600)
}

/// Values of `load` over the UTC hours `[from, to]` (inclusive).
fn range<'a>(load: &'a HourlyLoad, from: &str, to: &str) -> &'a [f64] {
    let start = usize::try_from(epoch_hour(from) - load.first_epoch_hour).unwrap();
    let end = usize::try_from(epoch_hour(to) - load.first_epoch_hour).unwrap();
    &load.demand_mw[start..=end]
}

fn at(load: &HourlyLoad, hour: i64) -> f64 {
    load.demand_mw[usize::try_from(hour - load.first_epoch_hour).unwrap()]
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn num(check: &Value, key: &str) -> f64 {
    check
        .get(key)
        .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|v| v as f64)))
        .unwrap_or_else(|| panic!("no number `{key}` in {check}"))
}

fn text<'a>(check: &'a Value, key: &str) -> &'a str {
    check
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no text `{key}` in {check}"))
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    // Linear interpolation between closest ranks (numpy's default).
    let position = q * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    sorted[below] + (sorted[above] - sorted[below]) * (position - below as f64)
}

/// Hourly ratio of an ISO's record to the sum of its zones, over the hours all hold.
fn ba_over_zones(data: &Data, parent: &str, from: i64, to: i64) -> Vec<f64> {
    let ba = data.load(parent);
    let zones: Vec<&HourlyLoad> = data.zones(parent).iter().map(|z| data.load(z)).collect();
    let first = zones
        .iter()
        .map(|z| z.first_epoch_hour)
        .chain([ba.first_epoch_hour, from])
        .max()
        .unwrap();
    let last = zones
        .iter()
        .map(|z| z.end_epoch_hour() - 1)
        .chain([ba.end_epoch_hour() - 1, to])
        .min()
        .unwrap();
    (first..=last)
        .map(|h| at(ba, h) / zones.iter().map(|z| at(z, h)).sum::<f64>())
        .collect()
}

fn check_one(data: &Data, check: &Value) {
    let what = text(check, "what");
    match text(check, "kind") {
        "count" => {
            let found = match check.get("parent") {
                Some(parent) => data.zones(parent.as_str().unwrap()).len(),
                None if what.contains("kind = ba") => data.bas().len(),
                None => data.catalogue.regions.len() - data.bas().len(),
            };
            assert_eq!(found as f64, num(check, "value"), "{what}");
        }
        "catalogue" if check.get("rows").is_some() => {
            assert_eq!(
                data.catalogue.regions.len() as f64,
                num(check, "rows"),
                "{what}"
            );
            assert_eq!(data.bas().len() as f64, num(check, "bas"), "{what}");
        }
        "catalogue" => {
            // Every row of catalogue.csv names the columns with a value; none is left as
            // an "estimate needed" any more.
            let (header, rows) =
                crate::common::read_csv(&root().join("regions/catalogue/catalogue.csv"));
            for column in check["columns"].as_array().unwrap() {
                let column = column.as_str().unwrap();
                let c = header.iter().position(|h| h == column).unwrap();
                for row in &rows {
                    assert!(
                        !row[c].trim().is_empty() && !row[c].starts_with("estimate needed"),
                        "{what}: {} has no {column}",
                        row[0]
                    );
                }
            }
        }
        "energy_sum" => {
            let year = num(check, "year") as i32;
            let ids: Vec<String> = match text(check, "regions") {
                "kind = ba" => data.bas().iter().map(|s| (*s).to_owned()).collect(),
                "us-22" => gridstrain::input::region_set::read_region_set(
                    &root().join("regions/us-22.toml"),
                )
                .unwrap()
                .regions
                .into_iter()
                .map(|r| r.id)
                .collect(),
                other => panic!("{what}: unknown region group {other}"),
            };
            let twh: f64 = ids
                .iter()
                .map(|id| data.load(id).year_slice(year).unwrap().iter().sum::<f64>() / 1e6)
                .sum();
            let tolerance = check
                .get("tolerance_twh")
                .map_or(0.1, |_| num(check, "tolerance_twh"));
            assert!(
                (twh - num(check, "value_twh")).abs() <= tolerance,
                "{what}: {twh} TWh"
            );
            if check.get("reference_twh").is_some() {
                let diff = (twh / num(check, "reference_twh") - 1.0).abs();
                assert!(diff <= num(check, "max_rel_diff"), "{what}: {twh} TWh");
            }
        }
        "span" => {
            let files = text(check, "files");
            let us22: Vec<String> =
                gridstrain::input::region_set::read_region_set(&root().join("regions/us-22.toml"))
                    .unwrap()
                    .regions
                    .into_iter()
                    .map(|r| r.id)
                    .collect();
            let ids: Vec<&str> = data
                .catalogue
                .regions
                .iter()
                .filter(|r| match files {
                    f if f.starts_with("load/<id>.parquet") => {
                        r.parent.is_none() && !us22.contains(&r.id)
                    }
                    f if f.contains("parent != ERCO") => {
                        r.parent.as_deref().is_some_and(|p| p != "ERCO")
                    }
                    f if f.contains("ERCO-*") => r.parent.as_deref() == Some("ERCO"),
                    other => panic!("{what}: unknown file group {other}"),
                })
                .map(|r| r.id.as_str())
                .collect();
            assert!(!ids.is_empty(), "{what}");
            for id in ids {
                let load = data.load(id);
                assert_eq!(
                    load.first_epoch_hour,
                    epoch_hour(text(check, "first")),
                    "{what}: {id}"
                );
                assert_eq!(
                    load.end_epoch_hour() - 1,
                    epoch_hour(text(check, "last")),
                    "{what}: {id}"
                );
                assert_eq!(
                    load.demand_mw.len() as f64,
                    num(check, "rows"),
                    "{what}: {id}"
                );
            }
        }
        "min" => {
            let gt = num(check, "gt");
            let values: Vec<(&str, &[f64])> = match (check.get("region"), check.get("year")) {
                (None, _) => data
                    .loads
                    .iter()
                    .map(|(id, l)| (id.as_str(), l.demand_mw.as_slice()))
                    .collect(),
                (Some(region), Some(year)) => {
                    let id = region.as_str().unwrap();
                    let year = i32::try_from(year.as_integer().unwrap()).unwrap();
                    vec![(id, data.load(id).year_slice(year).unwrap())]
                }
                (Some(region), None) => {
                    let id = region.as_str().unwrap();
                    vec![(
                        id,
                        range(data.load(id), text(check, "from"), text(check, "to")),
                    )]
                }
            };
            for (id, values) in values {
                let least = values.iter().copied().fold(f64::INFINITY, f64::min);
                assert!(least > gt, "{what}: {id} has {least} MW");
            }
        }
        "max" => {
            let values = range(
                data.load(text(check, "region")),
                text(check, "from"),
                text(check, "to"),
            );
            let most = values.iter().copied().fold(f64::MIN, f64::max);
            assert!(
                (most - num(check, "max_mw")).abs() < 0.5,
                "{what}: {most} MW"
            );
        }
        "energy" => {
            let load = data.load(text(check, "region"));
            let twh = load
                .year_slice(num(check, "year") as i32)
                .unwrap()
                .iter()
                .sum::<f64>()
                / 1e6;
            let tolerance = check
                .get("tolerance_twh")
                .map_or(0.01, |_| num(check, "tolerance_twh"));
            assert!(
                (twh - num(check, "value_twh")).abs() <= tolerance,
                "{what}: {twh} TWh"
            );
            if check.get("max_twh").is_some() {
                assert!(twh <= num(check, "max_twh"), "{what}: {twh} TWh");
            }
        }
        "level_shift" => {
            let load = data.load(text(check, "region"));
            let window = |key: &str| {
                let bounds = check[key].as_array().unwrap();
                mean(range(
                    load,
                    bounds[0].as_str().unwrap(),
                    bounds[1].as_str().unwrap(),
                ))
            };
            let ratio = window("after") / window("before");
            assert!(
                (ratio - num(check, "ratio")).abs() <= num(check, "tolerance"),
                "{what}: {ratio}"
            );
        }
        "growth" => {
            let id = text(check, "region");
            let growth = |id: &str| {
                let load = data.load(id);
                mean(load.year_slice(2024).unwrap()) - mean(load.year_slice(2019).unwrap())
            };
            let tolerance = num(check, "tolerance_mw");
            assert!(
                (growth(id) - num(check, "mw")).abs() <= tolerance,
                "{what}: {}",
                growth(id)
            );
            let parent = data.catalogue.get(id).unwrap().parent.clone().unwrap();
            for other in data.zones(&parent).into_iter().filter(|z| *z != id) {
                let g = growth(other);
                assert!(
                    g >= num(check, "others_min_mw") - tolerance
                        && g <= num(check, "others_max_mw") + tolerance,
                    "{what}: {other} {g}"
                );
            }
        }
        "ba_over_zones" => {
            let parent = text(check, "parent");
            let (from, to) = match check.get("years") {
                Some(years) => {
                    let years = years.as_array().unwrap();
                    let first = i32::try_from(years[0].as_integer().unwrap()).unwrap();
                    let last = i32::try_from(years[1].as_integer().unwrap()).unwrap();
                    (
                        gridstrain::time::year_start_epoch_hour(first),
                        gridstrain::time::year_start_epoch_hour(last + 1) - 1,
                    )
                }
                None => (
                    epoch_hour(text(check, "from")),
                    epoch_hour(text(check, "to")),
                ),
            };
            let mut ratios = ba_over_zones(data, parent, from, to);
            ratios.sort_by(f64::total_cmp);
            if check.get("median").is_some() {
                let tolerance = num(check, "tolerance");
                for (key, q) in [("median", 0.5), ("p5", 0.05), ("p95", 0.95)] {
                    let found = quantile(&ratios, q);
                    assert!(
                        (found - num(check, key)).abs() <= tolerance,
                        "{what}: {key} {found}"
                    );
                }
            } else {
                let (least, most) = (ratios[0], ratios[ratios.len() - 1]);
                assert!(
                    least >= num(check, "min") - 1e-4 && most <= num(check, "max") + 1e-4,
                    "{what}: {least}..{most}"
                );
                let band = check["band"].as_array().unwrap();
                let band = (band[0].as_float().unwrap(), band[1].as_float().unwrap());
                assert!(least >= band.0 && most <= band.1, "{what}");
            }
        }
        "zone_sum_vs_ba" => {
            let parent = text(check, "parent");
            let (from, to) = match check.get("at") {
                Some(hour) => {
                    let h = epoch_hour(hour.as_str().unwrap());
                    (h, h)
                }
                None => (
                    epoch_hour(text(check, "from")),
                    epoch_hour(text(check, "to")),
                ),
            };
            let mut diffs: Vec<f64> = ba_over_zones(data, parent, from, to)
                .iter()
                .map(|r| (1.0 / r - 1.0).abs())
                .collect();
            diffs.sort_by(f64::total_cmp);
            let q = check
                .get("quantile")
                .map_or(1.0, |_| num(check, "quantile"));
            let found = quantile(&diffs, q);
            assert!(found <= num(check, "max_rel_diff"), "{what}: {found}");
        }
        "catalogue_value" => {
            let region = data.catalogue.get(text(check, "region")).unwrap();
            assert_eq!(text(check, "column"), "existing_datacenter_mw");
            assert_eq!(
                region.existing_datacenter_mw,
                Some(num(check, "value")),
                "{what}"
            );
        }
        "catalogue_sum" => {
            assert_eq!(text(check, "column"), "existing_datacenter_mw");
            let sum: f64 = data
                .catalogue
                .zones_of(text(check, "parent"))
                .iter()
                .filter_map(|z| z.existing_datacenter_mw)
                .sum();
            assert!(
                (sum - num(check, "value")).abs() <= num(check, "tolerance"),
                "{what}: {sum}"
            );
        }
        "absent" => {
            for id in check["ids"].as_array().unwrap() {
                let id = id.as_str().unwrap();
                assert!(data.catalogue.get(id).is_none(), "{what}: {id}");
                assert!(
                    !root().join(format!("regions/load/{id}.parquet")).exists(),
                    "{what}: {id}"
                );
            }
        }
        "flagged" => {
            let (header, rows) =
                crate::common::read_csv(&root().join("regions/load/zones/flagged_hours.csv"));
            let expected: Vec<&str> = check["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            assert_eq!(header, expected, "{what}");
            assert_eq!(rows.len() as f64, num(check, "rows"), "{what}");
        }
        "schema" => {
            // The reader refuses any other schema; every file was read above.
            assert_eq!(check["columns"].as_array().unwrap().len(), 2, "{what}");
        }
        other => panic!(
            "{what}: unknown check kind `{other}`; teach tests/catalogue_checks.rs to read it"
        ),
    }
}

#[test]
fn every_catalogue_fact_holds() {
    let catalogue = read_catalogue(&root().join("regions/catalogue.toml")).unwrap();
    let loads: HashMap<String, HourlyLoad> = catalogue
        .regions
        .iter()
        .map(|r| (r.id.clone(), read_load_file(&r.load_path).unwrap()))
        .collect();
    let data = Data { catalogue, loads };
    let text = std::fs::read_to_string(root().join("regions/catalogue/checks.toml")).unwrap();
    let checks: Value = toml::from_str(&text).unwrap();
    let checks = checks["check"].as_array().unwrap();
    assert!(checks.len() >= 50, "{} checks", checks.len());
    for check in checks {
        check_one(&data, check);
    }
}
