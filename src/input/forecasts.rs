//! The grid operators' published data-centre and large-load figures, as shipped in
//! `regions/forecasts/*.csv`: `region, year, mw, basis, status, realisation_frac, source,
//! vintage`, one row per published figure. Every row is checked (a region id, a year,
//! MW ≥ 0, a known basis and status, a realisation in [0, 1], a source); a bad row is named
//! by its line. Rows of regions outside the set are left out, so one file can serve a set
//! and its subsets.
use std::path::Path;

use anyhow::{Result, bail};

use super::ranges::{Domain, Mw, Year};
use crate::model::region::{OperatorForecast, RegionSet};

/// Columns, in order.
pub const FORECAST_COLUMNS: [&str; 8] = [
    "region",
    "year",
    "mw",
    "basis",
    "status",
    "realisation_frac",
    "source",
    "vintage",
];
/// Allowed `basis` values.
pub const BASES: [&str; 2] = ["coincident", "non_coincident"];
/// Allowed `status` values.
pub const STATUSES: [&str; 3] = ["requested", "contracted", "adjusted_forecast"];

/// Read an operators' forecast file for the regions of `set`.
///
/// # Errors
/// A missing file, a wrong header, or the first bad row (file, line, column, what was
/// found, what is allowed).
pub fn read_operator_forecasts(path: &Path, set: &RegionSet) -> Result<Vec<OperatorForecast>> {
    operator_forecasts_from_text(&super::read_text(path)?, path, set)
}

/// The pure half of [`read_operator_forecasts`]: the rows of `text` (read from `path`,
/// which only names the file in messages) for the regions of `set`.
///
/// # Errors
/// As [`read_operator_forecasts`], without the file's own I/O errors.
pub fn operator_forecasts_from_text(
    text: &str,
    path: &Path,
    set: &RegionSet,
) -> Result<Vec<OperatorForecast>> {
    let file = path.display();
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| anyhow::anyhow!("{file}: cannot read the header ({e})"))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if header != FORECAST_COLUMNS {
        bail!(
            "{file}, line 1: header is [{}], expected [{}]",
            super::excerpt(&header.join(",")),
            FORECAST_COLUMNS.join(",")
        );
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            anyhow::anyhow!("{file}, line {line}: malformed CSV row ({e})")
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let quoted = |i: usize| super::excerpt(cell(i));
        let at = |i: usize| format!("{file}, line {line} (column `{}`)", FORECAST_COLUMNS[i]);
        let region = cell(0);
        if region.is_empty() {
            bail!("{}: empty, expected a region id", at(0));
        }
        let year: i32 = cell(1)
            .parse()
            .ok()
            .filter(|y| Year::RANGE.contains(f64::from(*y)))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: found '{}', expected a year from 2000 to 2100 such as 2030",
                    at(1),
                    quoted(1)
                )
            })?;
        let mw: f64 = match cell(2).parse::<f64>() {
            Ok(mw) => Mw::RANGE
                .check(mw)
                .map_err(|why| anyhow::anyhow!("{}: {why}", at(2)))?,
            Err(_) => bail!("{}: found '{}', {}", at(2), quoted(2), Mw::RANGE.expected()),
        };
        for (i, allowed) in [(3, &BASES[..]), (4, &STATUSES[..])] {
            if !allowed.contains(&cell(i)) {
                bail!(
                    "{}: found '{}', expected one of {}",
                    at(i),
                    quoted(i),
                    allowed.join(", ")
                );
            }
        }
        let realisation_frac = match cell(5) {
            "" => None,
            text => Some(
                text.parse::<f64>()
                    .ok()
                    .filter(|v| (0.0..=1.0).contains(v))
                    .ok_or_else(|| {
                        anyhow::anyhow!(
                            "{}: found '{}', expected a fraction from 0 to 1 or nothing",
                            at(5),
                            super::excerpt(text)
                        )
                    })?,
            ),
        };
        if cell(6).is_empty() {
            bail!("{}: empty, expected the figure's source", at(6));
        }
        // A shared file covers many regions: rows of regions outside the set are left out
        // (after their checks, so a broken row is still named).
        if !set.regions.iter().any(|r| r.id == region) {
            continue;
        }
        rows.push(OperatorForecast {
            region: region.to_owned(),
            year,
            mw,
            basis: cell(3).to_owned(),
            status: cell(4).to_owned(),
            realisation_frac,
            source: cell(6).to_owned(),
            vintage: cell(7).to_owned(),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::region::Region;

    fn set() -> RegionSet {
        RegionSet {
            id: "s".into(),
            name: "s".into(),
            scope: "US".into(),
            scope_population: Some(10.0),
            scope_datacenter_mw: None,
            inference_siting: crate::model::region::InferenceSiting::default(),
            operator_forecasts: Vec::new(),
            training_scope_share_frac: 1.0,
            regions: vec![Region::new("PJM", chrono_tz::UTC, 1.0, "x".into())],
        }
    }

    fn read(text: &str) -> Result<Vec<OperatorForecast>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, text).unwrap();
        read_operator_forecasts(&path, &set())
    }

    const HEADER: &str = "region,year,mw,basis,status,realisation_frac,source,vintage\n";

    #[test]
    fn rows_of_other_regions_are_left_out_and_bad_rows_named() {
        let rows = read(&format!(
            "{HEADER}PJM,2030,30000,coincident,adjusted_forecast,,PJM LTLF,2025\nERCO,2030,1,coincident,requested,0.5,x,2025\n"
        ))
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].mw, 30000.0);
        for (row, expected) in [
            (
                "PJM,2030,-5,coincident,contracted,,x,2025",
                "line 2 (column `mw`): found -5, expected a number from 0 to 1000000 (MW)",
            ),
            (
                "PJM,2030,5,peak,contracted,,x,2025",
                "line 2 (column `basis`): found 'peak', expected one of coincident, non_coincident",
            ),
            (
                "PJM,2030,5,coincident,hoped,,x,2025",
                "(column `status`): found 'hoped'",
            ),
            (
                "PJM,2030,5,coincident,contracted,1.5,x,2025",
                "(column `realisation_frac`): found '1.5'",
            ),
            (
                "PJM,twenty,5,coincident,contracted,,x,2025",
                "(column `year`): found 'twenty'",
            ),
            (
                "PJM,2030,5,coincident,contracted,,,2025",
                "(column `source`): empty",
            ),
        ] {
            let err = read(&format!("{HEADER}{row}\n")).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
        let err = read("region,year,mw\nPJM,2030,1\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1: header is [region,year,mw]"), "{err}");
    }
}
