//! A study: everything one simulation needs, validated and in memory — a scenario, a
//! region set with each region's hourly load, the two workloads' profiles, the target
//! years and the weather years of the ensemble. [`crate::input::study::load_study`]
//! builds one from files; a test, a sweep or a library user may build one directly.
use anyhow::{Result, bail};

use crate::model::nation::Nation;
use crate::model::profile::{Profile, PueProfile};
use crate::model::region::RegionSet;
use crate::model::scenario::Scenario;
use crate::model::series::HourlyLoad;

/// The hour-of-week shapes of both workloads.
#[derive(Debug, Clone)]
pub struct Profiles {
    /// Inference shape.
    pub inference: Profile,
    /// Training shape.
    pub training: Profile,
    /// How the facility's overhead moves by season and hour (`None`: the annual PUE in
    /// every hour).
    pub pue: Option<PueProfile>,
}

/// A scenario over a region set, with every region's hourly load in memory.
#[derive(Debug, Clone)]
pub struct Study {
    /// The scenario.
    pub scenario: Scenario,
    /// The region set.
    pub regions: RegionSet,
    /// Hourly load of each region, in region-set order.
    pub loads: Vec<HourlyLoad>,
    /// Shapes of both workloads.
    pub profiles: Profiles,
    /// Target years (inclusive range).
    pub years: (i32, i32),
    /// Weather years of the ensemble.
    pub weather_years: Vec<i32>,
    /// The nation the AI load is sited on (`None`: sited over the set itself, for a
    /// scope without a catalogue or a scenario without a national projection).
    pub nation: Option<Nation>,
    /// The scenario's uncertain parameters and their distributions (what a sweep draws;
    /// a run ignores them). Held here, not by [`Scenario`], which a sample's parameters
    /// change.
    pub uncertainty: Vec<crate::model::uncertainty::Uncertain>,
}

impl Study {
    /// Put a study together, checking that it is whole: one load per region, target
    /// years inside the scenario's, at least one weather year.
    ///
    /// # Errors
    /// When a part is missing or the years do not fit.
    pub fn new(
        scenario: Scenario,
        regions: RegionSet,
        loads: Vec<HourlyLoad>,
        profiles: Profiles,
        years: (i32, i32),
        weather_years: Vec<i32>,
    ) -> Result<Self> {
        if loads.len() != regions.regions.len() {
            bail!(
                "region set `{}` has {} regions but {} load series were given",
                regions.id,
                regions.regions.len(),
                loads.len()
            );
        }
        if years.0 > years.1 || years.0 < scenario.first_year || years.1 > scenario.last_year {
            bail!(
                "years {}..{} are outside the years of scenario `{}` ({}..{})",
                years.0,
                years.1,
                scenario.name,
                scenario.first_year,
                scenario.last_year
            );
        }
        if weather_years.is_empty() {
            bail!("a study needs at least one weather year");
        }
        Ok(Self {
            scenario,
            regions,
            loads,
            profiles,
            years,
            weather_years,
            nation: None,
            uncertainty: Vec::new(),
        })
    }

    /// The study with its AI load sited on `nation`.
    ///
    /// # Errors
    /// When the nation does not map every region of the study.
    pub fn with_nation(mut self, nation: Nation) -> Result<Self> {
        if nation.members.len() != self.regions.regions.len() {
            bail!(
                "the nation maps {} regions but region set `{}` has {}",
                nation.members.len(),
                self.regions.id,
                self.regions.regions.len()
            );
        }
        if nation.loads.len() != nation.regions.regions.len() {
            bail!(
                "the nation has {} regions but {} load series",
                nation.regions.regions.len(),
                nation.loads.len()
            );
        }
        self.nation = Some(nation);
        Ok(self)
    }

    /// The target years, in order.
    pub fn target_years(&self) -> impl Iterator<Item = i32> + use<> {
        self.years.0..=self.years.1
    }

    /// Number of region-years the simulation computes (for a progress bar).
    #[must_use]
    pub fn region_years(&self) -> u64 {
        (self.regions.regions.len() * self.target_years().count()) as u64
    }
}
