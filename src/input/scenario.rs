//! Reads a scenario (`scenarios/*.toml`): the compute projection in one of four forms
//! (`[compute.explicit]`, `[compute.growth]`, `[compute.crossover]`, `[compute.energy]`),
//! hardware, PUE, workload parameters, profiles, siting and flexibility. Unknown keys are
//! refused; every number is range-checked where it is read, so errors carry its line.
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

use super::ranges::{
    AcceleratorKw, ChangePerYear, Domain, Flop, FlopPerS, FlopTotal, Fraction, FractionDivisor,
    GrowthFactor, LifetimeYears, Mw, Pue, RecoveryHours, Twh, TwhDivisor, UsdPerAccelerator,
    UsdPerKw, de_in, de_opt_in, de_whole_in,
};
use super::{KeyLocator, de_fraction, de_id, de_year, resolve_beside};
use crate::model::region::RegionSet;
use crate::model::scenario::{
    ComputeProjection, ExistingAi, FirmCapacity, Flexibility, GrowthStep, Hardware,
    HardwareCapital, HardwareYear, InferenceGrowth, NonAiDatacentres, RegionalLoad, Scenario,
    ShareBasis, Technology, TrainingSiting, Workload, WorkloadKind,
};
use crate::model::uncertainty::{Calibration, Distribution, Parameter, Uncertain};

/// The scenario file as written.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Identifier.
    #[serde(deserialize_with = "de_id")]
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Scope, e.g. `US`.
    pub scope: String,
    /// First study year.
    #[serde(deserialize_with = "de_year")]
    pub first_year: i32,
    /// Last study year.
    #[serde(deserialize_with = "de_year")]
    pub last_year: i32,
    /// Seed for random draws.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Compute projection; absent when the scenario gives only regional loads.
    #[serde(default)]
    pub compute: Option<RawCompute>,
    /// Hardware; not needed with `[compute.energy]`.
    #[serde(default)]
    pub hardware: Option<RawHardware>,
    /// Facility.
    #[serde(default)]
    pub facility: Option<RawFacility>,
    /// Training workload.
    pub training: RawWorkload,
    /// Inference workload.
    pub inference: RawWorkload,
    /// Siting (default: training by headroom).
    #[serde(default)]
    pub siting: RawSiting,
    /// Flexibility.
    #[serde(default)]
    pub flexibility: RawFlexibility,
    /// AI load already inside regions' measured baselines, where the scenario states it.
    #[serde(default)]
    pub existing_ai: Vec<RawExistingAi>,
    /// AI load stated per region (large-load requests).
    #[serde(default)]
    pub regional_load: Vec<RawRegionalLoad>,
    /// The non-AI data centres' path (absent: only AI load is new load).
    #[serde(default)]
    pub non_ai_datacentres: Option<RawNonAiDatacentres>,
    /// Emission-rate trend.
    #[serde(default)]
    pub emissions: Option<RawEmissions>,
    /// Firm-capacity technologies (defaults: a gas combustion turbine and a 4-hour battery).
    #[serde(default)]
    pub firm_capacity: Option<RawFirmCapacity>,
    /// Hardware capital assumptions (defaults in docs/methodology.md).
    #[serde(default)]
    pub hardware_capital: Option<RawHardwareCapital>,
    /// Uncertain parameters for `sweep`, by key path.
    #[serde(default)]
    pub uncertainty: BTreeMap<String, RawUncertain>,
    /// The years findings and headline speak of (a utility's planning years).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestone_years: Vec<i32>,
}

/// `[uncertainty."key.path"]`: one uncertain parameter's distribution.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawUncertain {
    /// `uniform`, `triangular`, `normal`, `lognormal` or `discrete`.
    pub dist: String,
    /// Lowest value (uniform, triangular).
    #[serde(default)]
    pub low: Option<f64>,
    /// Most likely value (triangular).
    #[serde(default)]
    pub mode: Option<f64>,
    /// Highest value (uniform, triangular).
    #[serde(default)]
    pub high: Option<f64>,
    /// Mean (normal, lognormal).
    #[serde(default)]
    pub mean: Option<f64>,
    /// Standard deviation (normal, lognormal).
    #[serde(default)]
    pub sd: Option<f64>,
    /// Values (discrete).
    #[serde(default)]
    pub values: Option<Vec<f64>>,
    /// Their probabilities (discrete; sum to 1).
    #[serde(default)]
    pub probabilities: Option<Vec<f64>>,
    /// Where the range comes from.
    #[serde(default)]
    pub source: String,
}

/// `[compute.crossover.calibration]`: the anchor `total_flop` was solved for.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalibration {
    /// Anchor year.
    #[serde(deserialize_with = "de_year")]
    pub year: i32,
    /// AI IT (server) energy in that year (TWh).
    #[serde(deserialize_with = "de_in::<TwhDivisor, _>")]
    pub it_energy_twh: f64,
    /// AI IT energy in the projection's base year (TWh): anchors the start of the path
    /// too (a sweep then re-solves the first growth step between the two anchors).
    #[serde(default, deserialize_with = "de_opt_in::<TwhDivisor, _>")]
    pub base_it_energy_twh: Option<f64>,
    /// Where the anchor comes from.
    #[serde(default)]
    pub source: String,
}

/// `[non_ai_datacentres]`: the national path of the data centres that are not AI.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawNonAiDatacentres {
    /// Year of `facility_energy_twh`.
    #[serde(deserialize_with = "de_year")]
    pub base_year: i32,
    /// National non-AI facility energy in `base_year` (TWh).
    #[serde(deserialize_with = "de_in::<super::ranges::Twh, _>")]
    pub facility_energy_twh: f64,
    /// Growth per year (fraction, compounded).
    #[serde(deserialize_with = "de_in::<ChangePerYear, _>")]
    pub growth_per_year_frac: f64,
    /// Where the path comes from.
    pub source: String,
}

/// `[emissions]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmissions {
    /// Change of the regions' emission rates per year (fraction, compounded).
    #[serde(default, deserialize_with = "de_in::<ChangePerYear, _>")]
    pub co2_rate_change_per_year_frac: f64,
}

/// `[firm_capacity]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFirmCapacity {
    /// Name of the technology used for costs.
    #[serde(rename = "use")]
    pub use_technology: String,
    /// `[[firm_capacity.technology]]` tables.
    pub technology: Vec<RawTechnology>,
    /// Discount rate the overnight cost is annualised at (fraction per year).
    #[serde(
        default = "default_discount_rate",
        deserialize_with = "de_in::<Fraction, _>"
    )]
    pub discount_rate_frac: f64,
    /// Economic life the overnight cost is annualised over (years).
    #[serde(
        default = "default_economic_life",
        deserialize_with = "de_in::<LifetimeYears, _>"
    )]
    pub economic_life_years: f64,
}

/// Annualisation when a scenario states none: 8 %/yr over 20 years (docs/methodology.md,
/// "Firm capacity needed").
fn default_discount_rate() -> f64 {
    0.08
}

fn default_economic_life() -> f64 {
    20.0
}

/// One `[[firm_capacity.technology]]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTechnology {
    /// Name.
    pub name: String,
    /// Overnight capital cost (USD/kW).
    #[serde(deserialize_with = "de_in::<UsdPerKw, _>")]
    pub usd_per_kw: f64,
    /// Accredited share of nameplate (capacity needed is divided by it).
    #[serde(deserialize_with = "de_in::<FractionDivisor, _>")]
    pub accredited_frac: f64,
    /// Fixed O&M (USD per kW-year).
    #[serde(default, deserialize_with = "de_in::<UsdPerKw, _>")]
    pub fixed_om_usd_per_kw_year: f64,
    /// Source.
    #[serde(default)]
    pub source: String,
}

/// `[hardware_capital]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawHardwareCapital {
    /// Year of the prices.
    #[serde(deserialize_with = "de_year")]
    pub base_year: i32,
    /// All-in price of a training accelerator (USD).
    #[serde(deserialize_with = "de_in::<UsdPerAccelerator, _>")]
    pub training_usd_per_accelerator: f64,
    /// All-in price of an inference accelerator (USD).
    #[serde(deserialize_with = "de_in::<UsdPerAccelerator, _>")]
    pub inference_usd_per_accelerator: f64,
    /// Price change per year (fraction).
    #[serde(default, deserialize_with = "de_in::<ChangePerYear, _>")]
    pub price_change_per_year_frac: f64,
    /// Lifetime (years).
    #[serde(deserialize_with = "de_in::<LifetimeYears, _>")]
    pub lifetime_years: f64,
    /// Source.
    #[serde(default)]
    pub source: String,
}

/// Default firm-capacity technologies (docs/methodology.md, "Firm capacity needed"): a
/// simple-cycle gas combustion turbine and a 4-hour battery at EIA AEO2026's overnight
/// costs (2025 $), counted at their rating on NERC's planning-reserve basis, annualised at
/// 8 %/yr over 20 years.
fn default_firm_capacity() -> FirmCapacity {
    FirmCapacity {
        technologies: vec![
            Technology {
                name: "gas_ct".to_owned(),
                usd_per_kw: 1158.0,
                accredited_frac: 1.0,
                fixed_om_usd_per_kw_year: 6.87,
                source: "EIA AEO2026 EMM assumptions Table 3: industrial-frame CT 1,158 $/kW (2025 $); fixed O&M 6.87 $/kW-yr, EIA / Sargent & Lundy (Jan 2024) Table 1-2 case 4; counted at its rating on NERC's planning-reserve basis".to_owned(),
            },
            Technology {
                name: "battery_4h".to_owned(),
                usd_per_kw: 1521.0,
                accredited_frac: 1.0,
                fixed_om_usd_per_kw_year: 40.0,
                source: "EIA AEO2026 EMM assumptions Table 3: battery storage 1,521 $/kW (2025 $); fixed O&M 40.00 $/kW-yr, EIA / Sargent & Lundy (Jan 2024) Table 1-2 case 19; counted at its rated power (its 4-hour energy limit is not checked)".to_owned(),
            },
        ],
        used: 0,
        discount_rate_frac: default_discount_rate(),
        economic_life_years: default_economic_life(),
    }
}

/// Default hardware capital (docs/methodology.md, "Hardware capital").
fn default_hardware_capital() -> HardwareCapital {
    HardwareCapital {
        base_year: 2024,
        training_usd_per_accelerator: 55_000.0,
        inference_usd_per_accelerator: 33_000.0,
        price_change_per_year_frac: 0.0,
        lifetime_years: 5.0,
    }
}

/// `[emissions]`, `[firm_capacity]` and `[hardware_capital]`, checked.
fn costs(
    raw: &RawScenario,
    locate: &KeyLocator<'_>,
) -> Result<(f64, FirmCapacity, HardwareCapital)> {
    // Every number here was range-checked as it was read (`ranges`).
    let rate_change = raw
        .emissions
        .as_ref()
        .map_or(0.0, |e| e.co2_rate_change_per_year_frac);
    let firm = match &raw.firm_capacity {
        None => default_firm_capacity(),
        Some(f) => {
            let technologies: Vec<Technology> = f
                .technology
                .iter()
                .map(|t| Technology {
                    name: t.name.clone(),
                    usd_per_kw: t.usd_per_kw,
                    accredited_frac: t.accredited_frac,
                    fixed_om_usd_per_kw_year: t.fixed_om_usd_per_kw_year,
                    source: t.source.clone(),
                })
                .collect();
            let Some(used) = technologies.iter().position(|t| t.name == f.use_technology) else {
                bail!(
                    "{}: found '{}', which names no [[firm_capacity.technology]]; expected one of {}",
                    locate.key("firm_capacity", "use"),
                    super::excerpt(&f.use_technology),
                    super::format_capped(
                        &technologies
                            .iter()
                            .map(|t| t.name.as_str())
                            .collect::<Vec<_>>()
                    )
                );
            };
            FirmCapacity {
                technologies,
                used,
                discount_rate_frac: f.discount_rate_frac,
                economic_life_years: f.economic_life_years,
            }
        }
    };
    let hardware = match &raw.hardware_capital {
        None => default_hardware_capital(),
        Some(h) => HardwareCapital {
            base_year: h.base_year,
            training_usd_per_accelerator: h.training_usd_per_accelerator,
            inference_usd_per_accelerator: h.inference_usd_per_accelerator,
            price_change_per_year_frac: h.price_change_per_year_frac,
            lifetime_years: h.lifetime_years,
        },
    };
    Ok((rate_change, firm, hardware))
}

/// One `[[regional_load]]` table.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegionalLoad {
    /// Region id.
    pub region: String,
    /// `inference` or `training`.
    pub workload: RawWorkloadKind,
    /// Rated facility MW by year (`{ 2026 = 1000, 2030 = 5000 }`).
    #[serde(default)]
    pub rated_mw_by_year: BTreeMap<String, f64>,
    /// Or MW at the system peak by year, as utilities publish their large-load forecasts
    /// (converted to rated MW with the workload's peak-hour draw).
    #[serde(default)]
    pub peak_mw_by_year: BTreeMap<String, f64>,
    /// Share of the requested MW that gets built (default 1).
    #[serde(default = "default_realisation", deserialize_with = "de_fraction")]
    pub realisation_frac: f64,
    /// Where it comes from.
    #[serde(default)]
    pub source: String,
}

fn default_realisation() -> f64 {
    1.0
}

/// Workload names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RawWorkloadKind {
    /// Training.
    Training,
    /// Inference.
    Inference,
}

/// One `[[existing_ai]]` table: AI load (average MW) already running in a region in its
/// reference year, inside the measured baseline.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawExistingAi {
    /// Region id.
    pub region: String,
    /// Existing training load (average MW).
    #[serde(default, deserialize_with = "de_opt_in::<Mw, _>")]
    pub training_mw: Option<f64>,
    /// Existing inference load (average MW).
    #[serde(default, deserialize_with = "de_opt_in::<Mw, _>")]
    pub inference_mw: Option<f64>,
}

/// What a compute share measures, as written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RawShareBasis {
    /// Accelerator-hours (compute spending).
    #[default]
    AcceleratorHours,
    /// FLOP.
    Flop,
}

fn default_seed() -> u64 {
    1
}

/// The four ways to state compute (exactly one table under `[compute]`).
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawCompute {
    /// `[[compute.explicit.year]]` rows.
    Explicit {
        /// Rows.
        year: Vec<RawFlopYear>,
    },
    /// Base year and growth factors.
    Growth(RawGrowth),
    /// Total compute with an inference share crossing 50 % in `crossover_year`.
    Crossover(RawCrossover),
    /// `[[compute.energy.year]]` rows of facility energy.
    Energy {
        /// Rows.
        year: Vec<RawEnergyYear>,
    },
}

/// One explicit row.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFlopYear {
    /// Year.
    #[serde(deserialize_with = "de_year")]
    pub year: i32,
    /// Training compute (FLOP).
    #[serde(deserialize_with = "de_in::<Flop, _>")]
    pub training_flop: f64,
    /// Inference compute (FLOP).
    #[serde(deserialize_with = "de_in::<Flop, _>")]
    pub inference_flop: f64,
}

/// One energy row.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnergyYear {
    /// Year.
    #[serde(deserialize_with = "de_year")]
    pub year: i32,
    /// Training facility energy (TWh).
    #[serde(deserialize_with = "de_in::<Twh, _>")]
    pub training_twh: f64,
    /// Inference facility energy (TWh).
    #[serde(deserialize_with = "de_in::<Twh, _>")]
    pub inference_twh: f64,
}

/// `[compute.growth]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrowth {
    /// Year of the base values.
    #[serde(deserialize_with = "de_year")]
    pub base_year: i32,
    /// Training FLOP in the base year.
    #[serde(deserialize_with = "de_in::<Flop, _>")]
    pub training_flop: f64,
    /// Inference FLOP in the base year.
    #[serde(deserialize_with = "de_in::<Flop, _>")]
    pub inference_flop: f64,
    /// Training growth factor per year (1.5 = +50 %/yr).
    #[serde(deserialize_with = "de_in::<GrowthFactor, _>")]
    pub training_factor_per_year: f64,
    /// Inference growth factor per year.
    #[serde(deserialize_with = "de_in::<GrowthFactor, _>")]
    pub inference_factor_per_year: f64,
}

/// `[compute.crossover]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCrossover {
    /// Year of the base values.
    #[serde(deserialize_with = "de_year")]
    pub base_year: i32,
    /// Total FLOP in the base year.
    #[serde(deserialize_with = "de_in::<FlopTotal, _>")]
    pub total_flop: f64,
    /// Growth path.
    pub growth: Vec<RawGrowthStep>,
    /// Inference share of compute in the base year.
    #[serde(deserialize_with = "de_fraction")]
    pub inference_share_base_frac: f64,
    /// First year with inference above training (on `share_basis`).
    #[serde(deserialize_with = "de_year")]
    pub crossover_year: i32,
    /// What the share measures: `accelerator_hours` (the default) or `flop`.
    #[serde(default)]
    pub share_basis: RawShareBasis,
    /// The anchor `total_flop` was solved for (checked; a sweep re-solves to it).
    #[serde(default)]
    pub calibration: Option<RawCalibration>,
}

/// One growth step.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrowthStep {
    /// First year of the step.
    #[serde(deserialize_with = "de_year")]
    pub from_year: i32,
    /// Growth factor per year; range-checked after parsing (`check_growth_steps`) so
    /// the message names this key, not `from_year` before it on the same line.
    pub factor_per_year: f64,
}

/// `[hardware]`: a trend or a table.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawHardware {
    /// `[hardware.trend]`.
    Trend(RawHardwareTrend),
    /// `[[hardware.table.year]]` rows.
    Table {
        /// Rows.
        year: Vec<RawHardwareYear>,
    },
}

/// `[hardware.trend]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawHardwareTrend {
    /// Year of the base accelerator.
    #[serde(deserialize_with = "de_year")]
    pub base_year: i32,
    /// Peak dense FLOP/s of the base accelerator.
    #[serde(deserialize_with = "de_in::<FlopPerS, _>")]
    pub peak_flop_per_s: f64,
    /// IT power per accelerator (kW).
    #[serde(deserialize_with = "de_in::<AcceleratorKw, _>")]
    pub it_power_per_accelerator_kw: f64,
    /// Growth factor of FLOP/s per watt per year.
    #[serde(deserialize_with = "de_in::<GrowthFactor, _>")]
    pub flop_per_watt_factor_per_year: f64,
}

/// One hardware row.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawHardwareYear {
    /// Year.
    #[serde(deserialize_with = "de_year")]
    pub year: i32,
    /// Peak dense FLOP/s per accelerator.
    #[serde(deserialize_with = "de_in::<FlopPerS, _>")]
    pub peak_flop_per_s: f64,
    /// IT power per accelerator (kW).
    #[serde(deserialize_with = "de_in::<AcceleratorKw, _>")]
    pub it_power_per_accelerator_kw: f64,
}

/// `[facility]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFacility {
    /// Annual PUE (dimensionless, ≥ 1).
    #[serde(deserialize_with = "de_in::<Pue, _>")]
    pub pue: f64,
    /// How the overhead moves by season and local hour (a PUE profile file, relative to
    /// the scenario file); absent: the annual PUE in every hour.
    #[serde(default)]
    pub pue_profile: Option<PathBuf>,
}

/// `[training]` / `[inference]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    /// Model FLOP utilization (fraction); not needed with `[compute.energy]`.
    #[serde(default, deserialize_with = "de_opt_in::<FractionDivisor, _>")]
    pub utilization_frac: Option<f64>,
    /// Average power over rated IT power (fraction); not needed with `[compute.energy]`.
    #[serde(default, deserialize_with = "de_opt_in::<FractionDivisor, _>")]
    pub power_frac: Option<f64>,
    /// Profile file, relative to the scenario file.
    pub profile: PathBuf,
}

/// `[siting]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSiting {
    /// Training policy: `headroom`, `cheapest`, `pipeline` or `explicit`.
    pub training: RawTrainingPolicy,
    /// Shares for `explicit` (region id → fraction; `unallocated` allowed).
    #[serde(default)]
    pub training_shares: Option<BTreeMap<String, f64>>,
    /// Inference growth rule: `people_and_hubs` (default) or `pipeline`.
    #[serde(default)]
    pub inference: RawInferenceGrowth,
    /// With `inference = "pipeline"`: the share of inference growth sited by people served.
    #[serde(
        default,
        deserialize_with = "super::ranges::de_opt_in::<super::ranges::Fraction, _>"
    )]
    pub latency_bound_frac: Option<f64>,
    /// Where `latency_bound_frac` comes from.
    #[serde(default)]
    pub latency_bound_source: String,
}

impl Default for RawSiting {
    fn default() -> Self {
        Self {
            training: RawTrainingPolicy::Headroom,
            training_shares: None,
            inference: RawInferenceGrowth::PeopleAndHubs,
            latency_bound_frac: None,
            latency_bound_source: String::new(),
        }
    }
}

/// Inference growth rule names.
#[derive(Debug, Deserialize, Serialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum RawInferenceGrowth {
    /// The set's blend of people served and today's data-centre load.
    #[default]
    PeopleAndHubs,
    /// Latency-bound share by people, the rest by the build pipeline.
    Pipeline,
}

/// Training siting policy names.
#[derive(Debug, Deserialize, Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RawTrainingPolicy {
    /// Proportional to remaining headroom.
    Headroom,
    /// Cheapest price first.
    Cheapest,
    /// Proportional to the data-centre build pipeline.
    Pipeline,
    /// Fixed shares.
    Explicit,
}

/// `[flexibility]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFlexibility {
    /// Deepest curtailment as a fraction of training MW.
    #[serde(default = "default_max_curtail", deserialize_with = "de_fraction")]
    pub max_curtail_frac: f64,
    /// Annual curtailment budget as a fraction of training energy.
    #[serde(default = "default_budget", deserialize_with = "de_fraction")]
    pub max_curtailed_energy_frac: f64,
    /// Recovery window (hours); 0 = curtailed energy is not made up.
    #[serde(default, deserialize_with = "de_whole_in::<RecoveryHours, _>")]
    pub recovery_window_h: u32,
    /// Curtailment limit for headroom (fraction).
    #[serde(default = "default_budget", deserialize_with = "de_fraction")]
    pub headroom_limit_frac: f64,
    /// Share of new inference that flexes like training (fraction; default 0, firm).
    #[serde(default, deserialize_with = "de_fraction")]
    pub flexible_inference_frac: f64,
}

impl Default for RawFlexibility {
    fn default() -> Self {
        Self {
            max_curtail_frac: default_max_curtail(),
            max_curtailed_energy_frac: default_budget(),
            recovery_window_h: 0,
            headroom_limit_frac: default_budget(),
            flexible_inference_frac: 0.0,
        }
    }
}

/// 25 % depth: the Emerald AI / SRP field test (docs/methodology.md).
fn default_max_curtail() -> f64 {
    0.25
}

/// 0.5 %: Norris et al. (2025)'s central curtailment limit (docs/methodology.md).
fn default_budget() -> f64 {
    0.005
}

/// Read and validate a scenario file.
///
/// # Errors
/// Any rule broken, naming the file and key.
pub fn read_scenario(path: &Path) -> Result<(Scenario, RawScenario)> {
    let text = super::read_text(path)?;
    if text.trim().is_empty() {
        bail!(
            "{}: the file is empty; expected a scenario with [compute], [training], [inference] and [siting]",
            path.display()
        );
    }
    let raw: RawScenario = super::parse_toml(&text, path)?;
    let scenario = scenario_from_raw_located(&raw, path, Some(&text))?;
    Ok((scenario, raw))
}

/// Validate a parsed scenario (the pure half of [`read_scenario`]).
///
/// # Errors
/// Any rule broken, naming the file and key.
pub fn scenario_from_raw(raw: &RawScenario, path: &Path) -> Result<Scenario> {
    scenario_from_raw_located(raw, path, None)
}

/// [`scenario_from_raw`] with the file's text, so that messages carry line numbers.
///
/// # Errors
/// Any rule broken, naming the file, line and key.
pub fn scenario_from_raw_located(
    raw: &RawScenario,
    path: &Path,
    text: Option<&str>,
) -> Result<Scenario> {
    let file = path.display();
    let locate = KeyLocator::new(path, text);
    if raw.first_year > raw.last_year {
        bail!(
            "{}: found {}, which is before first_year {}; expected last_year ≥ first_year",
            locate.key("", "last_year"),
            raw.last_year,
            raw.first_year
        );
    }
    let years = raw.first_year..=raw.last_year;
    let compute = match &raw.compute {
        None if raw.regional_load.is_empty() => bail!(
            "{file}: no `[compute]` table and no `[[regional_load]]`; expected a compute projection, regional loads, or both"
        ),
        None => ComputeProjection::None,
        Some(RawCompute::Explicit { year }) => {
            let mut table = BTreeMap::new();
            for row in year {
                if table
                    .insert(row.year, (row.training_flop, row.inference_flop))
                    .is_some()
                {
                    bail!(
                        "{}: year {} appears twice",
                        locate.key("compute.explicit", "year"),
                        row.year
                    );
                }
            }
            ComputeProjection::Explicit(table)
        }
        Some(RawCompute::Energy { year }) => {
            let mut table = BTreeMap::new();
            for row in year {
                let mwh = (row.training_twh * 1e6, row.inference_twh * 1e6);
                if table.insert(row.year, mwh).is_some() {
                    bail!(
                        "{}: year {} appears twice",
                        locate.key("compute.energy", "year"),
                        row.year
                    );
                }
            }
            ComputeProjection::Energy(table)
        }
        Some(RawCompute::Growth(g)) => ComputeProjection::Growth {
            base_year: g.base_year,
            training_flop: g.training_flop,
            inference_flop: g.inference_flop,
            training_factor_per_year: g.training_factor_per_year,
            inference_factor_per_year: g.inference_factor_per_year,
        },
        Some(RawCompute::Crossover(c)) => {
            if c.inference_share_base_frac <= 0.0 || c.inference_share_base_frac >= 0.5 {
                bail!(
                    "{}: found {}, expected a share above 0 and below 0.5 (inference overtakes training later, in crossover_year)",
                    locate.key("compute.crossover", "inference_share_base_frac"),
                    c.inference_share_base_frac
                );
            }
            if c.crossover_year <= c.base_year {
                bail!(
                    "{}: found {}, expected a year after base_year {}",
                    locate.key("compute.crossover", "crossover_year"),
                    c.crossover_year,
                    c.base_year
                );
            }
            check_growth_steps(&c.growth, path, text)?;
            let mut previous = i32::MIN;
            for step in &c.growth {
                if step.from_year <= previous {
                    bail!(
                        "{}: from_year {} is not after {previous}; list steps in increasing from_year",
                        locate.key("compute.crossover", "growth"),
                        step.from_year
                    );
                }
                previous = step.from_year;
            }
            ComputeProjection::Crossover {
                base_year: c.base_year,
                total_flop: c.total_flop,
                growth: c
                    .growth
                    .iter()
                    .map(|s| GrowthStep {
                        from_year: s.from_year,
                        factor_per_year: s.factor_per_year,
                    })
                    .collect(),
                inference_share_base_frac: c.inference_share_base_frac,
                crossover_year: c.crossover_year,
                share_basis: match c.share_basis {
                    RawShareBasis::AcceleratorHours => ShareBasis::AcceleratorHours,
                    RawShareBasis::Flop => ShareBasis::Flop,
                },
                // Both are required for compute in FLOP (checked with the workloads below).
                utilization_frac: (
                    raw.training.utilization_frac.unwrap_or(1.0),
                    raw.inference.utilization_frac.unwrap_or(1.0),
                ),
            }
        }
    };
    let missing: Vec<i32> = years
        .clone()
        .filter(|y| compute.demand(*y).is_none())
        .collect();
    if !missing.is_empty() {
        bail!(
            "{}: no compute given for year(s) {}; the table must cover first_year..last_year ({}..{})",
            locate.key("", "compute"),
            super::format_capped(&missing),
            raw.first_year,
            raw.last_year
        );
    }
    let needs_conversion = !matches!(
        compute,
        ComputeProjection::Energy(_) | ComputeProjection::None
    );
    let hardware = match &raw.hardware {
        Some(RawHardware::Trend(t)) => Hardware::Trend {
            base_year: t.base_year,
            base: HardwareYear {
                peak_flop_per_s: t.peak_flop_per_s,
                it_power_per_accelerator_kw: t.it_power_per_accelerator_kw,
            },
            flop_per_watt_factor_per_year: t.flop_per_watt_factor_per_year,
        },
        Some(RawHardware::Table { year }) => {
            let mut table = BTreeMap::new();
            for row in year {
                let hw = HardwareYear {
                    peak_flop_per_s: row.peak_flop_per_s,
                    it_power_per_accelerator_kw: row.it_power_per_accelerator_kw,
                };
                if table.insert(row.year, hw).is_some() {
                    bail!(
                        "{}: year {} appears twice",
                        locate.key("hardware.table", "year"),
                        row.year
                    );
                }
            }
            Hardware::Table(table)
        }
        None if needs_conversion => {
            bail!(
                "{file}: missing table `[hardware]`; compute in FLOP needs [hardware.trend] or [hardware.table]"
            )
        }
        None => Hardware::Table(BTreeMap::new()),
    };
    if needs_conversion {
        let missing: Vec<i32> = years
            .clone()
            .filter(|y| hardware.year(*y).is_none())
            .collect();
        if !missing.is_empty() {
            bail!(
                "{}: no hardware for year(s) {}",
                locate.key("hardware", "table"),
                super::format_capped(&missing)
            );
        }
    }
    let pue = match &raw.facility {
        Some(f) => f.pue,
        None if needs_conversion => {
            bail!("{file}: missing table `[facility]` with key `pue`; compute in FLOP needs a PUE")
        }
        None => 1.0,
    };
    let pue_profile_path = match raw.facility.as_ref().and_then(|f| f.pue_profile.as_ref()) {
        None => None,
        Some(relative) => {
            let resolved = resolve_beside(path, relative);
            if !resolved.exists() {
                bail!(
                    "{}: the PUE profile file {} does not exist (paths are relative to the scenario file)",
                    locate.key("facility", "pue_profile"),
                    resolved.display()
                );
            }
            Some(resolved)
        }
    };
    let workload = |name: &str, w: &RawWorkload| -> Result<Workload> {
        let (utilization_frac, power_frac) = if needs_conversion {
            let Some(u) = w.utilization_frac else {
                bail!("{file}: missing key `{name}.utilization_frac` (compute in FLOP needs it)");
            };
            let Some(p) = w.power_frac else {
                bail!("{file}: missing key `{name}.power_frac` (compute in FLOP needs it)");
            };
            (u, p)
        } else {
            (
                w.utilization_frac.unwrap_or(1.0),
                w.power_frac.unwrap_or(1.0),
            )
        };
        let profile_path = resolve_beside(path, &w.profile);
        if !profile_path.exists() {
            bail!(
                "{}: the profile file {} does not exist (paths are relative to the scenario file)",
                locate.key(name, "profile"),
                profile_path.display()
            );
        }
        Ok(Workload {
            utilization_frac,
            power_frac,
            profile_path,
        })
    };
    let training = workload("training", &raw.training)?;
    let inference = workload("inference", &raw.inference)?;
    let regional_loads = regional_loads(raw, &locate, (&training, &inference))?;
    let training_siting = match (raw.siting.training, &raw.siting.training_shares) {
        (RawTrainingPolicy::Explicit, Some(shares)) => {
            let mut list = Vec::with_capacity(shares.len());
            for (id, share) in shares {
                if let Err(why) = Fraction::RANGE.check(*share) {
                    bail!("{}: {id}: {why}", locate.key("siting", "training_shares"));
                }
                list.push((id.clone(), *share));
            }
            let sum: f64 = list.iter().map(|(_, s)| s).sum();
            if (sum - 1.0).abs() > 1e-6 {
                bail!(
                    "{}: the shares sum to {sum}, expected 1 (put what goes outside the set under `unallocated`)",
                    locate.key("siting", "training_shares")
                );
            }
            TrainingSiting::Explicit(list)
        }
        (RawTrainingPolicy::Explicit, None) => {
            bail!(
                "{}: policy `explicit` needs `siting.training_shares`",
                locate.key("siting", "training")
            )
        }
        (_, Some(_)) => bail!(
            "{}: shares are only used with siting.training = \"explicit\"",
            locate.key("siting", "training_shares")
        ),
        (RawTrainingPolicy::Cheapest, None) => TrainingSiting::Cheapest,
        (RawTrainingPolicy::Headroom, None) => TrainingSiting::Headroom,
        (RawTrainingPolicy::Pipeline, None) => TrainingSiting::Pipeline,
    };
    let inference_growth = match (raw.siting.inference, raw.siting.latency_bound_frac) {
        (RawInferenceGrowth::PeopleAndHubs, None) => InferenceGrowth::PeopleAndHubs,
        (RawInferenceGrowth::PeopleAndHubs, Some(_)) => bail!(
            "{}: `latency_bound_frac` is only used with siting.inference = \"pipeline\"",
            locate.key("siting", "latency_bound_frac")
        ),
        (RawInferenceGrowth::Pipeline, Some(latency_bound_frac)) => {
            InferenceGrowth::Pipeline { latency_bound_frac }
        }
        (RawInferenceGrowth::Pipeline, None) => bail!(
            "{}: siting.inference = \"pipeline\" needs `latency_bound_frac`, the share of inference growth that must sit near its users (0–1), with `latency_bound_source`",
            locate.key("siting", "inference")
        ),
    };
    let (co2_rate_change_per_year_frac, firm_capacity, hardware_capital) = costs(raw, &locate)?;
    let f = &raw.flexibility;
    let mut scenario = Scenario {
        name: raw.name.clone(),
        description: raw.description.clone(),
        scope: raw.scope.clone(),
        first_year: raw.first_year,
        last_year: raw.last_year,
        seed: raw.seed,
        compute,
        hardware,
        pue,
        pue_profile_path,
        training,
        inference,
        training_siting,
        inference_growth,
        flexibility: Flexibility {
            max_curtail_frac: f.max_curtail_frac,
            max_curtailed_energy_frac: f.max_curtailed_energy_frac,
            recovery_window_h: f.recovery_window_h as usize,
            headroom_limit_frac: f.headroom_limit_frac,
            flexible_inference_frac: f.flexible_inference_frac,
        },
        regional_loads,
        non_ai: raw.non_ai_datacentres.as_ref().map(|n| NonAiDatacentres {
            base_year: n.base_year,
            facility_energy_twh: n.facility_energy_twh,
            growth_per_year_frac: n.growth_per_year_frac,
            source: n.source.clone(),
        }),
        co2_rate_change_per_year_frac,
        firm_capacity,
        hardware_capital,
        existing_ai: raw
            .existing_ai
            .iter()
            .map(|e| ExistingAi {
                region: e.region.clone(),
                training_mw: e.training_mw,
                inference_mw: e.inference_mw,
            })
            .collect(),
        calibration: match &raw.compute {
            Some(RawCompute::Crossover(c)) => c.calibration.as_ref().map(|c| Calibration {
                year: c.year,
                it_energy_twh: c.it_energy_twh,
                base_it_energy_twh: c.base_it_energy_twh,
            }),
            _ => None,
        },
        uncertainty: Vec::new(),
        milestone_years: milestone_years(raw, &locate)?,
    };
    check_projection_energy(&scenario, raw, &locate)?;
    check_calibration(&scenario, &locate)?;
    scenario.uncertainty = uncertainty(raw, &locate, &scenario)?;
    Ok(scenario)
}

/// `milestone_years`: increasing years inside the study's years.
fn milestone_years(raw: &RawScenario, locate: &KeyLocator<'_>) -> Result<Vec<i32>> {
    let years = &raw.milestone_years;
    if let Some(y) = years
        .iter()
        .find(|y| !(raw.first_year..=raw.last_year).contains(*y))
    {
        bail!(
            "{}: found {y}; expected years within first_year..last_year ({}..{})",
            locate.key("", "milestone_years"),
            raw.first_year,
            raw.last_year
        );
    }
    if years.windows(2).any(|w| w[0] >= w[1]) {
        bail!(
            "{}: found {years:?}; expected increasing years, each once",
            locate.key("", "milestone_years")
        );
    }
    Ok(years.clone())
}

/// Each growth step's `factor_per_year` must lie in [`GrowthFactor`]. Steps are usually
/// inline tables, `{ from_year = 2025, factor_per_year = 1.9 }`: checked here rather than
/// by serde, whose message would be blamed on the first key of the line (`from_year`).
fn check_growth_steps(steps: &[RawGrowthStep], path: &Path, text: Option<&str>) -> Result<()> {
    for (nth, step) in steps.iter().enumerate() {
        if let Err(why) = GrowthFactor::RANGE.check(step.factor_per_year) {
            let key = format!("compute.crossover.growth[{nth}].factor_per_year");
            let line = text.and_then(|text| growth_factor_line(text, nth));
            match line {
                Some(line) => bail!("{}, line {line} (key `{key}`): {why}", path.display()),
                None => bail!("{} (key `{key}`): {why}", path.display()),
            }
        }
    }
    Ok(())
}

/// 1-based line of the `nth` `factor_per_year` of `[compute.crossover]`'s growth steps,
/// written as `growth = [ … ]` or as `[[compute.crossover.growth]]` tables.
fn growth_factor_line(text: &str, nth: usize) -> Option<usize> {
    let mut table = String::new();
    let mut in_growth_array = false;
    let mut seen = 0;
    for (index, raw_line) in text.lines().enumerate() {
        let line = raw_line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') && !in_growth_array {
            table = line
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_owned();
            continue;
        }
        if table == "compute.crossover"
            && line
                .strip_prefix("growth")
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            in_growth_array = true;
        }
        if in_growth_array || table == "compute.crossover.growth" {
            for _ in line.match_indices("factor_per_year") {
                if seen == nth {
                    return Some(index + 1);
                }
                seen += 1;
            }
        }
        if in_growth_array && line.ends_with(']') {
            in_growth_array = false;
        }
    }
    None
}

/// The projection's AI facility energy must stay inside [`Twh`] in every study year, and
/// be above zero in at least one: each key's own range cannot bound what they make
/// together (a growth factor compounded over decades, FLOP over FLOP per watt), so the
/// product is checked too — a year of 1e300 TWh would turn every later number into
/// infinity. A projection of nothing at all is refused (its shares would be 0/0): a study
/// without a national projection leaves `[compute]` out.
fn check_projection_energy(
    scenario: &Scenario,
    raw: &RawScenario,
    locate: &KeyLocator<'_>,
) -> Result<()> {
    let table = match &raw.compute {
        None => return Ok(()),
        Some(RawCompute::Explicit { .. }) => "compute.explicit",
        Some(RawCompute::Growth(_)) => "compute.growth",
        Some(RawCompute::Crossover(_)) => "compute.crossover",
        Some(RawCompute::Energy { .. }) => "compute.energy",
    };
    let mut total_twh = 0.0;
    for year in scenario.first_year..=scenario.last_year {
        let power = crate::stages::power::year_power(scenario, year);
        let twh = (power.training.facility_mwh + power.inference.facility_mwh) / 1e6;
        if !Twh::RANGE.contains(twh) {
            bail!(
                "{}: the projection gives {} TWh of AI facility energy in {year}, {}; check the growth factors, the hardware and the years",
                locate.key("", table),
                super::ranges::show((twh * 10.0).round() / 10.0),
                Twh::RANGE.expected()
            );
        }
        total_twh += twh;
    }
    if total_twh <= 0.0 {
        bail!(
            "{}: every study year has zero AI energy; expected at least one workload with energy > 0 (a study of regional loads alone leaves [compute] out)",
            locate.key("", table)
        );
    }
    Ok(())
}

/// A stated calibration must hold for the file's `total_flop` (to 0.5 %): the sweep
/// re-solves `total_flop` to it, so a stale anchor would move every sample.
fn check_calibration(scenario: &Scenario, locate: &KeyLocator<'_>) -> Result<()> {
    let (Some(calibration), ComputeProjection::Crossover { total_flop, .. }) =
        (scenario.calibration, &scenario.compute)
    else {
        return Ok(());
    };
    if !matches!(scenario.hardware, Hardware::Trend { .. })
        && scenario.hardware.year(calibration.year).is_none()
    {
        bail!(
            "{}: found {}, but the hardware table has no such year",
            locate.key("compute.crossover.calibration", "year"),
            calibration.year
        );
    }
    let got = crate::stages::power::it_energy_twh(scenario, calibration.year);
    if (got / calibration.it_energy_twh - 1.0).abs() > 0.005 {
        let solved = total_flop * calibration.it_energy_twh / got;
        bail!(
            "{}: found {} TWh, but total_flop = {total_flop:e} gives {got:.1} TWh of AI IT energy in {}; expected them to agree within 0.5 % (total_flop = {solved:.5e} would)",
            locate.key("compute.crossover.calibration", "it_energy_twh"),
            calibration.it_energy_twh,
            calibration.year
        );
    }
    if let (
        Some(base_twh),
        ComputeProjection::Crossover {
            base_year, growth, ..
        },
    ) = (calibration.base_it_energy_twh, &scenario.compute)
    {
        let at = locate.key("compute.crossover.calibration", "base_it_energy_twh");
        let got = crate::stages::power::it_energy_twh(scenario, *base_year);
        if (got / base_twh - 1.0).abs() > 0.005 {
            bail!(
                "{at}: found {base_twh} TWh, but the projection gives {got:.1} TWh of AI IT energy in its base year {base_year}; expected them to agree within 0.5 %"
            );
        }
        // The path between the anchors is one growth step, which a sweep re-solves.
        let steps_before: Vec<i32> = growth
            .iter()
            .map(|s| s.from_year)
            .filter(|&y| y <= calibration.year)
            .collect();
        if steps_before.len() != 1 || steps_before[0] <= *base_year {
            bail!(
                "{at}: with two anchors ({base_year} and {}) exactly one growth step must start after {base_year} and no later than {} (found steps from {:?}); that step is re-solved between the anchors",
                calibration.year,
                calibration.year,
                steps_before
            );
        }
    }
    Ok(())
}

/// The `[uncertainty."…"]` tables, checked: a known key path that applies to this
/// scenario, a known distribution with its keys, ranges in order and inside the
/// parameter's valid values, probabilities that sum to 1.
fn uncertainty(
    raw: &RawScenario,
    locate: &KeyLocator<'_>,
    scenario: &Scenario,
) -> Result<Vec<Uncertain>> {
    let mut out = Vec::with_capacity(raw.uncertainty.len());
    for (path, spec) in &raw.uncertainty {
        let table = format!("uncertainty.\"{path}\"");
        let at = |key: &str| locate.key(&table, key);
        let Some(parameter) = Parameter::parse(path) else {
            let known: Vec<&str> = Parameter::FIXED.iter().map(|(name, _)| *name).collect();
            bail!(
                "{}: unknown parameter path `{}`; expected one of {}",
                at("dist"),
                super::excerpt(path),
                known.join(", ")
            );
        };
        // Region-set parameters are checked against the set when a sweep loads it.
        if !matches!(
            parameter,
            Parameter::ExistingDatacenterScale | Parameter::BaselineGrowth
        ) {
            if let Err(why) = parameter.central(scenario, &RegionSet::default()) {
                bail!(
                    "{}: `{path}` does not apply to this scenario: {why}",
                    at("dist")
                );
            }
        }
        let need = |key: &str, value: Option<f64>| -> Result<f64> {
            match value {
                Some(v) if v.is_finite() => Ok(v),
                Some(v) => bail!("{}: found {v}, expected a finite number", at(key)),
                None => bail!("{}: dist `{}` needs `{key}`", at("dist"), spec.dist),
            }
        };
        let refuse_extra = |allowed: &[&str]| -> Result<()> {
            let given = [
                ("low", spec.low.is_some()),
                ("mode", spec.mode.is_some()),
                ("high", spec.high.is_some()),
                ("mean", spec.mean.is_some()),
                ("sd", spec.sd.is_some()),
                ("values", spec.values.is_some()),
                ("probabilities", spec.probabilities.is_some()),
            ];
            for (key, present) in given {
                if present && !allowed.contains(&key) {
                    bail!(
                        "{}: dist `{}` takes {}, not `{key}`",
                        at(key),
                        spec.dist,
                        allowed.join(", ")
                    );
                }
            }
            Ok(())
        };
        let distribution = match spec.dist.as_str() {
            "uniform" => {
                refuse_extra(&["low", "high"])?;
                let (low, high) = (need("low", spec.low)?, need("high", spec.high)?);
                if low > high {
                    bail!(
                        "{}: found low {low} above high {high}; expected low ≤ high",
                        at("low")
                    );
                }
                Distribution::Uniform { low, high }
            }
            "triangular" => {
                refuse_extra(&["low", "mode", "high"])?;
                let (low, mode, high) = (
                    need("low", spec.low)?,
                    need("mode", spec.mode)?,
                    need("high", spec.high)?,
                );
                if low > high {
                    bail!(
                        "{}: found low {low} above high {high}; expected low ≤ high",
                        at("low")
                    );
                }
                if !(low..=high).contains(&mode) {
                    bail!(
                        "{}: found {mode}, expected a mode within low..high ({low}..{high})",
                        at("mode")
                    );
                }
                Distribution::Triangular { low, mode, high }
            }
            "normal" | "lognormal" => {
                refuse_extra(&["mean", "sd"])?;
                let (mean, sd) = (need("mean", spec.mean)?, need("sd", spec.sd)?);
                if sd < 0.0 {
                    bail!(
                        "{}: found {sd}, expected a standard deviation ≥ 0",
                        at("sd")
                    );
                }
                if spec.dist == "lognormal" {
                    if mean <= 0.0 {
                        bail!(
                            "{}: found {mean}, expected a positive mean for a lognormal",
                            at("mean")
                        );
                    }
                    Distribution::Lognormal { mean, sd }
                } else {
                    Distribution::Normal { mean, sd }
                }
            }
            "discrete" => {
                refuse_extra(&["values", "probabilities"])?;
                let (Some(values), Some(probabilities)) = (&spec.values, &spec.probabilities)
                else {
                    bail!(
                        "{}: dist `discrete` needs `values` and `probabilities`",
                        at("dist")
                    );
                };
                if values.is_empty() || values.len() != probabilities.len() {
                    bail!(
                        "{}: found {} value(s) and {} probabilit(ies); expected one probability per value, at least one",
                        at("probabilities"),
                        values.len(),
                        probabilities.len()
                    );
                }
                if let Some(p) = probabilities.iter().find(|p| !(0.0..=1.0).contains(*p)) {
                    bail!(
                        "{}: found {p}, expected probabilities in [0, 1]",
                        at("probabilities")
                    );
                }
                let sum: f64 = probabilities.iter().sum();
                if (sum - 1.0).abs() > 1e-9 {
                    bail!(
                        "{}: the probabilities sum to {sum}, expected 1",
                        at("probabilities")
                    );
                }
                let mut cumulative = Vec::with_capacity(values.len());
                let mut running = 0.0;
                for p in probabilities {
                    running += p;
                    cumulative.push(running);
                }
                *cumulative.last_mut().expect("one value at least") = 1.0;
                Distribution::Discrete {
                    values: values.clone(),
                    cumulative,
                }
            }
            other => bail!(
                "{}: found `{}`, expected one of {}",
                at("dist"),
                super::excerpt(other),
                Distribution::NAMES.join(", ")
            ),
        };
        let (low, high) = parameter.domain(scenario);
        let bounds: Vec<(&str, f64)> = match &distribution {
            Distribution::Uniform { low, high } | Distribution::Triangular { low, high, .. } => {
                vec![("low", *low), ("high", *high)]
            }
            Distribution::Normal { mean, .. } | Distribution::Lognormal { mean, .. } => {
                vec![("mean", *mean)]
            }
            Distribution::Discrete { values, .. } => {
                values.iter().map(|v| ("values", *v)).collect()
            }
        };
        for (key, value) in bounds {
            if !(low..=high).contains(&value) {
                bail!(
                    "{}: found {value}, outside the values `{path}` may take ({low}..{high})",
                    at(key)
                );
            }
        }
        // A spread wider than the whole domain says nothing more, and a huge one
        // overflows the lognormal's σ² = ln(1 + sd²/mean²).
        if let Distribution::Normal { sd, .. } | Distribution::Lognormal { sd, .. } = &distribution
        {
            if *sd > high - low {
                bail!(
                    "{}: found {sd}, expected a standard deviation from 0 to {} (the width of the values `{path}` may take)",
                    at("sd"),
                    high - low
                );
            }
        }
        let derived_step = scenario
            .calibration
            .and_then(|c| c.base_it_energy_twh)
            .is_some();
        if derived_step
            && matches!(
                parameter,
                Parameter::CrossoverGrowthFactor(0) | Parameter::CrossoverEnergyGrowthFactor(0)
            )
        {
            bail!(
                "{}: `{path}` is re-solved between the two anchors of [compute.crossover.calibration]; remove this table or base_it_energy_twh",
                at("dist")
            );
        }
        if let Parameter::CrossoverEnergyGrowthFactor(n) | Parameter::CrossoverGrowthFactor(n) =
            parameter
        {
            let other = match parameter {
                Parameter::CrossoverGrowthFactor(_) => Parameter::CrossoverEnergyGrowthFactor(n),
                _ => Parameter::CrossoverGrowthFactor(n),
            };
            if raw.uncertainty.contains_key(&other.path()) {
                bail!(
                    "{}: `{path}` and `{}` set the same growth step; keep one",
                    at("dist"),
                    other.path()
                );
            }
        }
        out.push(Uncertain {
            parameter,
            distribution,
            source: spec.source.clone(),
        });
    }
    Ok(out)
}

/// The `[[regional_load]]` tables, checked: years inside the study, MW ≥ 0, a
/// realisation in [0, 1].
fn regional_loads(
    raw: &RawScenario,
    locate: &KeyLocator<'_>,
    (training, inference): (&Workload, &Workload),
) -> Result<Vec<RegionalLoad>> {
    let mut loads = Vec::with_capacity(raw.regional_load.len());
    for (index, load) in raw.regional_load.iter().enumerate() {
        let at = |key: &str| locate.array_key("regional_load", index, &load.region, key);
        let workload = match load.workload {
            RawWorkloadKind::Training => training,
            RawWorkloadKind::Inference => inference,
        };
        // MW at the peak → rated MW: divided by the fleet's peak-hour draw (its draw
        // fraction × its profile's peak-to-mean), so the peak draw equals the forecast.
        let (key, by_year, to_rated, note) = match (
            load.rated_mw_by_year.is_empty(),
            load.peak_mw_by_year.is_empty(),
        ) {
            (false, true) => (
                "rated_mw_by_year",
                &load.rated_mw_by_year,
                1.0,
                String::new(),
            ),
            (true, false) => {
                let ratio =
                    super::profile::read_profile(&workload.profile_path)?.peak_to_mean_ratio();
                let peak_draw_frac = workload.power_frac * ratio;
                (
                    "peak_mw_by_year",
                    &load.peak_mw_by_year,
                    1.0 / peak_draw_frac,
                    format!(
                        " (entered as MW at the peak: rated MW = peak MW / {peak_draw_frac:.4}, the fleet's peak-hour draw = power_frac {} × profile peak-to-mean {ratio:.4})",
                        workload.power_frac
                    ),
                )
            }
            (true, true) => bail!(
                "{}: empty, expected MW by year such as {{ 2026 = 1000, 2030 = 5000 }} in `rated_mw_by_year` (rated facility MW) or `peak_mw_by_year` (MW at the system peak, as utilities publish)",
                at("rated_mw_by_year")
            ),
            (false, false) => bail!(
                "{}: found both `rated_mw_by_year` and `peak_mw_by_year`; expected one of them",
                at("peak_mw_by_year")
            ),
        };
        let mut points = Vec::with_capacity(by_year.len());
        for (year_text, &mw) in by_year {
            let year: i32 = year_text.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "{}: key '{}' is not a year; expected keys such as 2030",
                    at(key),
                    super::excerpt(year_text)
                )
            })?;
            if year < raw.first_year || year > raw.last_year {
                bail!(
                    "{}: year {year} is outside the study {}..{}; expected years within it",
                    at(key),
                    raw.first_year,
                    raw.last_year
                );
            }
            if let Err(why) = Mw::RANGE.check(mw) {
                bail!("{}: year {year}: {why}", at(key));
            }
            points.push((year, mw * to_rated));
        }
        points.sort_by_key(|p| p.0);
        loads.push(RegionalLoad {
            region: load.region.clone(),
            workload: match load.workload {
                RawWorkloadKind::Training => WorkloadKind::Training,
                RawWorkloadKind::Inference => WorkloadKind::Inference,
            },
            rated_mw_by_year: points,
            realisation_frac: load.realisation_frac,
            source: format!("{}{note}", load.source),
        });
    }
    Ok(loads)
}

/// "FILE, key `K`: unknown region id(s) …; region set … has …".
fn unknown_regions(
    scenario_path: &Path,
    key: &str,
    unknown: &[&str],
    regions: &RegionSet,
    regions_path: &Path,
) -> String {
    let ids: Vec<&str> = regions.regions.iter().map(|r| r.id.as_str()).collect();
    format!(
        "{}, key `{key}`: unknown region id(s) {}; region set {} has {}",
        scenario_path.display(),
        super::format_capped(unknown),
        regions_path.display(),
        super::format_capped(&ids)
    )
}

/// Rules that span a scenario and a region set: same scope, explicit shares naming
/// regions of the set, prices present for `cheapest`.
///
/// # Errors
/// The first rule broken, naming both files.
pub fn check_scenario_against_regions(
    scenario: &Scenario,
    scenario_path: &Path,
    regions: &RegionSet,
    regions_path: &Path,
) -> Result<()> {
    if scenario.scope != regions.scope {
        bail!(
            "{}, key `scope`: found '{}', but region set {} is for scope '{}'; they must match",
            scenario_path.display(),
            super::excerpt(&scenario.scope),
            regions_path.display(),
            super::excerpt(&regions.scope)
        );
    }
    let ids: HashSet<&str> = regions.regions.iter().map(|r| r.id.as_str()).collect();
    match &scenario.training_siting {
        TrainingSiting::Explicit(shares) => {
            let unknown: Vec<&str> = shares
                .iter()
                .map(|(id, _)| id.as_str())
                .filter(|id| *id != crate::model::region::UNALLOCATED && !ids.contains(id))
                .collect();
            if !unknown.is_empty() {
                bail!(unknown_regions(
                    scenario_path,
                    "siting.training_shares",
                    &unknown,
                    regions,
                    regions_path
                ));
            }
            let forbidden: Vec<&str> = shares
                .iter()
                .filter(|(id, share)| {
                    *share > 0.0
                        && regions
                            .regions
                            .iter()
                            .any(|r| r.id == *id && !r.allow_training)
                })
                .map(|(id, _)| id.as_str())
                .collect();
            if !forbidden.is_empty() {
                bail!(
                    "{}, key `siting.training_shares`: found a share for {}, which region set {} marks `allow_training = false`; expected shares only for regions that allow training",
                    scenario_path.display(),
                    super::format_capped(&forbidden),
                    regions_path.display()
                );
            }
        }
        TrainingSiting::Cheapest => {
            let unpriced: Vec<&str> = regions
                .regions
                .iter()
                .filter(|r| r.allow_training && r.price_usd_per_mwh.is_none())
                .map(|r| r.id.as_str())
                .collect();
            if !unpriced.is_empty() {
                bail!(
                    "{}: siting.training = \"cheapest\" needs `price_usd_per_mwh` for every region that allows training; missing in {} of {}",
                    scenario_path.display(),
                    super::format_capped(&unpriced),
                    regions_path.display()
                );
            }
        }
        TrainingSiting::Headroom | TrainingSiting::Pipeline => {}
    }
    if !matches!(scenario.compute, ComputeProjection::None) && regions.scope_population.is_none() {
        bail!(
            "{}: no `scope_population`, but scenario {} projects national compute whose inference is sited by people served; expected the scope's population (a set used only with regional loads needs none)",
            regions_path.display(),
            scenario_path.display()
        );
    }
    let mut stated = HashSet::new();
    if let Some(twice) = scenario
        .existing_ai
        .iter()
        .find(|e| !stated.insert(e.region.as_str()))
    {
        bail!(
            "{}, key `existing_ai.region`: region {} is stated twice; expected one [[existing_ai]] table per region",
            scenario_path.display(),
            twice.region
        );
    }
    let unknown: Vec<&str> = scenario
        .existing_ai
        .iter()
        .map(|e| e.region.as_str())
        .chain(scenario.regional_loads.iter().map(|l| l.region.as_str()))
        .filter(|id| !regions.regions.iter().any(|r| r.id == *id))
        .collect();
    if !unknown.is_empty() {
        bail!(unknown_regions(
            scenario_path,
            "existing_ai.region` / `regional_load.region",
            &unknown,
            regions,
            regions_path
        ));
    }
    Ok(())
}
