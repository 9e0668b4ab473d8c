//! Reads a load-shape profile (`profiles/*.toml`): 168 hour-of-week factors in the
//! region's *local* time (Monday 00:00 first), an idle floor and the source of the shape.
use std::path::Path;

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

use super::ranges::{Domain, ProfileFactor};
use super::{de_fraction, de_id, read_toml};
use crate::model::profile::{Profile, PueProfile};
use crate::time::HOURS_PER_WEEK;

/// The profile file as written.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    /// Identifier.
    #[serde(deserialize_with = "de_id")]
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Where the shape comes from (required: every shipped shape cites its source).
    pub source: String,
    /// Lowest factor, as a fraction of the highest (idle power of provisioned hardware).
    #[serde(default, deserialize_with = "de_fraction")]
    pub idle_floor_frac: f64,
    /// 168 factors, Monday 00:00–01:00 local time first.
    pub hour_of_week_factors: Vec<f64>,
}

/// Read and validate a profile file.
///
/// # Errors
/// Wrong length, negative or non-finite factors, an all-zero shape.
pub fn read_profile(path: &Path) -> Result<Profile> {
    let raw: RawProfile = read_toml(path)?;
    profile_from_raw(&raw, path)
}

/// Validate a parsed profile (the pure half of [`read_profile`]).
///
/// # Errors
/// Wrong length, negative or non-finite factors, an all-zero shape.
pub fn profile_from_raw(raw: &RawProfile, path: &Path) -> Result<Profile> {
    let file = path.display();
    if raw.hour_of_week_factors.len() != HOURS_PER_WEEK {
        bail!(
            "{file}, key `hour_of_week_factors`: found {} values, expected {HOURS_PER_WEEK} (one per hour of the week, Monday 00:00 local first)",
            raw.hour_of_week_factors.len()
        );
    }
    for (i, v) in raw.hour_of_week_factors.iter().enumerate() {
        if let Err(why) = ProfileFactor::RANGE.check(*v) {
            bail!(
                "{file}, key `hour_of_week_factors`: value {} (hour of week {i}): {why}",
                i + 1
            );
        }
    }
    if raw.source.trim().is_empty() {
        bail!("{file}, key `source`: empty; every profile states where its shape comes from");
    }
    Profile::new(&raw.name, &raw.hour_of_week_factors, raw.idle_floor_frac)
        .map_err(|e| anyhow::anyhow!("{file}, key `hour_of_week_factors`: {e}"))
}

/// A PUE profile file as written (`profiles/pue-*.toml`).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPueProfile {
    /// Identifier.
    #[serde(deserialize_with = "de_id")]
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Where the relation comes from (required).
    pub source: String,
    /// 12 factors of the overhead (PUE − 1), January first, relative to the year.
    pub month_factors: Vec<f64>,
    /// 24 factors of the overhead, local hour 00:00 first, relative to the day.
    pub hour_factors: Vec<f64>,
}

/// Read and validate a PUE profile file.
///
/// # Errors
/// Wrong counts, negative or non-finite factors, an empty source.
pub fn read_pue_profile(path: &Path) -> Result<PueProfile> {
    let raw: RawPueProfile = read_toml(path)?;
    let file = path.display();
    if raw.source.trim().is_empty() {
        bail!("{file}, key `source`: empty; every profile states where its shape comes from");
    }
    for (key, values) in [
        ("month_factors", &raw.month_factors),
        ("hour_factors", &raw.hour_factors),
    ] {
        for (i, v) in values.iter().enumerate() {
            if let Err(why) = ProfileFactor::RANGE.check(*v) {
                bail!("{file}, key `{key}`: value {}: {why}", i + 1);
            }
        }
    }
    PueProfile::new(&raw.name, &raw.month_factors, &raw.hour_factors).map_err(|e| {
        anyhow::anyhow!("{file}, keys `month_factors` / `hour_factors`: {e} (12 months, January first; 24 local hours, 00:00 first)")
    })
}
