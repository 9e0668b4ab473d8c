//! The scenario file as written: its top-level table and the sections of workloads,
//! facility, siting, flexibility, regional loads, existing AI and uncertainty.
use super::*;

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
    #[serde(deserialize_with = "de_in::<crate::input::ranges::Twh, _>")]
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

pub(super) fn default_realisation() -> f64 {
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

pub(super) fn default_seed() -> u64 {
    1
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
        deserialize_with = "crate::input::ranges::de_opt_in::<crate::input::ranges::Fraction, _>"
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
pub(super) fn default_max_curtail() -> f64 {
    0.25
}

/// 0.5 %: Norris et al. (2025)'s central curtailment limit (docs/methodology.md).
pub(super) fn default_budget() -> f64 {
    0.005
}
