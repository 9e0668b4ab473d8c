//! The nation a study's AI load is sited on: every region of the scope's catalogue at the
//! finest level it holds (zones inside the ISOs, balancing authorities elsewhere), with
//! their hourly loads. The national projection is sited once over these regions; each
//! region the study reports holds some of them (a zone or BA itself, an ISO its zones),
//! so any subset of the catalogue receives exactly the AI load the national siting gives
//! it.
use crate::model::region::{Region, RegionSet};
use crate::model::series::HourlyLoad;

/// The siting regions of the nation and how the study's regions map onto them.
#[derive(Debug, Clone)]
pub struct Nation {
    /// The siting regions, with the scope totals computed from them: people in the
    /// scope = the regions' people + those outside the catalogue (outside the lower 48),
    /// data-centre load = the regions' sum, all of the scope's training placeable.
    pub regions: RegionSet,
    /// Hourly load of each siting region, in the order of `regions`.
    pub loads: Vec<HourlyLoad>,
    /// The full years every siting region has: the fixed weather years of the siting
    /// (the `headroom` policy's headroom), whatever weather years the study looks at.
    pub weather_years: Vec<i32>,
    /// For each region of the study (set order), the siting regions it holds.
    pub members: Vec<Vec<usize>>,
    /// What a user should know about how the study sits in the nation (replacements,
    /// overlaps), for `run.toml` and the terminal.
    pub notes: Vec<String>,
    /// ISOs all of whose zones the study reports: each is also reported as the coincident
    /// aggregate of its zones plus the part of its own BA record the zones do not hold.
    pub aggregates: Vec<Aggregate>,
}

/// An ISO reported as the coincident aggregate of its zones: hour by hour, its own BA
/// record (scaled and grown as a region's baseline is) plus the zones' new AI load, so
/// its baseline is the BA's record itself and the residual (the BA's record minus the
/// zones', a few per cent that swing with the hour) carries no AI load.
#[derive(Debug, Clone)]
pub struct Aggregate {
    /// The ISO as the catalogue has it (its BA record is `load`).
    pub region: Region,
    /// The ISO's own hourly record.
    pub load: HourlyLoad,
    /// The study's regions (set order) that are its zones.
    pub members: Vec<usize>,
}

impl Nation {
    /// Siting regions held by none of the study's regions.
    #[must_use]
    pub fn outside_study(&self) -> Vec<usize> {
        let mut held = vec![false; self.regions.regions.len()];
        for members in &self.members {
            for &m in members {
                held[m] = true;
            }
        }
        (0..held.len()).filter(|&i| !held[i]).collect()
    }
}
