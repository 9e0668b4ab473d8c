//! The compute projection (`[compute.*]`) and hardware (`[hardware.*]`) as written.
use super::*;

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
