//! Uncertain inputs of a sweep: which scenario or region-set parameter is uncertain (a
//! [`Parameter`], named in the scenario by its key path) and how it is distributed (a
//! [`Distribution`], sampled by its inverse CDF so that one uniform number gives one
//! value, truncated to the parameter's valid range without rejection).
//!
//! The inverse CDFs are written here with `libm`'s portable `ln`, `exp`, `sqrt` and
//! `erfc`, not taken from a sampling crate whose algorithms may change between versions,
//! so a seed gives the same draws on every platform and every release.
use crate::model::region::RegionSet;
use crate::model::scenario::{ComputeProjection, Hardware, Scenario, WorkloadKind};

/// A distribution of one uncertain parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
    },
    /// Triangular on `[low, high]` with its mode at `mode`.
    Triangular {
        /// Lowest value.
        low: f64,
        /// Most likely value.
        mode: f64,
        /// Highest value.
        high: f64,
    },
    /// Normal with `mean` and standard deviation `sd`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (≥ 0).
        sd: f64,
    },
    /// Lognormal whose own mean and standard deviation are `mean` and `sd`.
    Lognormal {
        /// Mean of the variable (> 0).
        mean: f64,
        /// Standard deviation of the variable (≥ 0).
        sd: f64,
    },
    /// Discrete values with their probabilities (which sum to 1).
    Discrete {
        /// The values.
        values: Vec<f64>,
        /// Cumulative probabilities, the last exactly 1.
        cumulative: Vec<f64>,
    },
}

impl Distribution {
    /// The names accepted in `dist = "…"`.
    pub const NAMES: [&'static str; 5] =
        ["uniform", "triangular", "normal", "lognormal", "discrete"];

    /// The value at cumulative probability `u` in (0, 1).
    #[must_use]
    pub fn quantile(&self, u: f64) -> f64 {
        match *self {
            Self::Uniform { low, high } => {
                if high == low {
                    low
                } else {
                    low + u * (high - low)
                }
            }
            Self::Triangular { low, mode, high } => {
                if high == low {
                    return low;
                }
                let width = high - low;
                let at_mode = (mode - low) / width;
                if u < at_mode {
                    low + libm::sqrt(u * width * (mode - low))
                } else {
                    high - libm::sqrt((1.0 - u) * width * (high - mode))
                }
            }
            Self::Normal { mean, sd } => {
                if sd == 0.0 {
                    mean
                } else {
                    mean + sd * standard_normal_quantile(u)
                }
            }
            Self::Lognormal { mean, sd } => {
                if sd == 0.0 {
                    return mean;
                }
                let (mu, sigma) = lognormal_parameters(mean, sd);
                libm::exp(mu + sigma * standard_normal_quantile(u))
            }
            Self::Discrete {
                ref values,
                ref cumulative,
            } => {
                let index = cumulative
                    .iter()
                    .position(|&c| u < c)
                    .unwrap_or(values.len() - 1);
                values[index]
            }
        }
    }

    /// The cumulative probability at `x` (for truncation).
    #[must_use]
    pub fn cdf(&self, x: f64) -> f64 {
        match *self {
            Self::Uniform { low, high } => {
                if high == low {
                    if x < low { 0.0 } else { 1.0 }
                } else {
                    ((x - low) / (high - low)).clamp(0.0, 1.0)
                }
            }
            Self::Triangular { low, mode, high } => {
                if x <= low {
                    0.0
                } else if x >= high {
                    1.0
                } else if x <= mode {
                    (x - low) * (x - low) / ((high - low) * (mode - low))
                } else {
                    1.0 - (high - x) * (high - x) / ((high - low) * (high - mode))
                }
            }
            Self::Normal { mean, sd } => {
                if sd == 0.0 {
                    if x < mean { 0.0 } else { 1.0 }
                } else {
                    standard_normal_cdf((x - mean) / sd)
                }
            }
            Self::Lognormal { mean, sd } => {
                if x <= 0.0 {
                    0.0
                } else if sd == 0.0 {
                    if x < mean { 0.0 } else { 1.0 }
                } else {
                    let (mu, sigma) = lognormal_parameters(mean, sd);
                    standard_normal_cdf((libm::log(x) - mu) / sigma)
                }
            }
            Self::Discrete {
                ref values,
                ref cumulative,
            } => values
                .iter()
                .zip(cumulative)
                .filter(|(v, _)| **v <= x)
                .map(|(_, c)| *c)
                .fold(0.0, f64::max),
        }
    }

    /// The value drawn by uniform `u`, truncated to `[low, high]` by the inverse CDF on
    /// `[F(low), F(high)]` (no rejection, no mass piled at a bound). A distribution that
    /// lies inside the bounds is not changed, so a collapsed range gives its value exactly.
    #[must_use]
    pub fn draw_within(&self, u: f64, low: f64, high: f64) -> f64 {
        let (f_low, f_high) = (self.cdf(low), self.cdf(high));
        let inside = f_low <= 0.0 && f_high >= 1.0 && !matches!(self, Self::Discrete { .. });
        let value = if inside || f_high <= f_low {
            self.quantile(u)
        } else {
            self.quantile(f_low + u * (f_high - f_low))
        };
        value.clamp(low, high)
    }
}

/// μ and σ of the underlying normal for a lognormal variable of `mean` and `sd`.
fn lognormal_parameters(mean: f64, sd: f64) -> (f64, f64) {
    let sigma2 = libm::log(1.0 + sd * sd / (mean * mean));
    (libm::log(mean) - 0.5 * sigma2, libm::sqrt(sigma2))
}

/// Φ(z).
fn standard_normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(p) by Wichura's algorithm AS241 (PPND16, about 1e-16 relative).
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
fn standard_normal_quantile(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r
                + 67265.770927008700853)
                * r
                + 45921.953931549871457)
                * r
                + 13731.693765509461125)
                * r
                + 1971.5909503065514427)
                * r
                + 133.14166789178437745)
                * r
                + 3.387132872796366608)
            / (((((((5226.495278852545925 * r + 28729.085735721942674) * r
                + 39307.89580009271061)
                * r
                + 21213.794301586595867)
                * r
                + 5394.1960214247511077)
                * r
                + 687.1870074920579083)
                * r
                + 42.313330701600911252)
                * r
                + 1.0);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let mut r = libm::sqrt(-libm::log(tail));
    let value = if r <= 5.0 {
        r -= 1.6;
        (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r
            + 0.24178072517745061177)
            * r
            + 1.27045825245236838258)
            * r
            + 3.64784832476320460504)
            * r
            + 5.7694972214606914055)
            * r
            + 4.6303378461565452959)
            * r
            + 1.42343711074968357734)
            / (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r
                + 0.0151986665636164571966)
                * r
                + 0.14810397642748007459)
                * r
                + 0.68976733498510000455)
                * r
                + 1.6763848301838038494)
                * r
                + 2.05319162663775882187)
                * r
                + 1.0)
    } else {
        r -= 5.0;
        (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
            + 0.0012426609473880784386)
            * r
            + 0.026532189526576123093)
            * r
            + 0.29656057182850489123)
            * r
            + 1.7848265399172913358)
            * r
            + 5.4637849111641143699)
            * r
            + 6.6579046435011037772)
            / (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r
                + 1.8463183175100546818e-5)
                * r
                + 7.868691311456132591e-4)
                * r
                + 0.0148753612908506148525)
                * r
                + 0.13692988092273580531)
                * r
                + 0.59983220655588793769)
                * r
                + 1.0)
    };
    if q < 0.0 { -value } else { value }
}

/// An uncertain parameter, named in a scenario by its key path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parameter {
    /// `compute.crossover.growth[N].factor_per_year`.
    CrossoverGrowthFactor(usize),
    /// `compute.growth.training_factor_per_year`.
    GrowthTrainingFactor,
    /// `compute.growth.inference_factor_per_year`.
    GrowthInferenceFactor,
    /// `compute.crossover.crossover_year` (an integer: draws are rounded).
    CrossoverYear,
    /// `compute.crossover.calibration.it_energy_twh`: the anchor `total_flop` is
    /// re-solved to.
    CalibrationItEnergyTwh,
    /// `compute.crossover.calibration.base_it_energy_twh`: the base year's anchor; the
    /// first growth step is re-solved so that the path runs from it to the anchor.
    CalibrationBaseItEnergyTwh,
    /// `compute.crossover.growth[N].energy_factor_per_year`: step N's compute growth
    /// divided by the FLOP-per-watt growth (the growth of AI energy at a fixed split);
    /// the step's compute growth follows the sample's hardware efficiency.
    CrossoverEnergyGrowthFactor(usize),
    /// `hardware.trend.flop_per_watt_factor_per_year`.
    FlopPerWattFactor,
    /// `training.utilization_frac` / `inference.utilization_frac`.
    Utilization(WorkloadKind),
    /// `training.power_frac` / `inference.power_frac`.
    PowerFrac(WorkloadKind),
    /// `facility.pue`.
    Pue,
    /// `inference.shape_amplitude`: stretch `s′ = 1 + k (s − 1)` of the inference shape.
    InferenceShapeAmplitude,
    /// `flexibility.max_curtail_frac`.
    MaxCurtailFrac,
    /// `flexibility.max_curtailed_energy_frac`.
    MaxCurtailedEnergyFrac,
    /// `regions.baseline_growth_per_year_frac`: one value for every region.
    BaselineGrowth,
    /// `regions.existing_datacenter_scale`: every region's existing data-centre MW × k.
    ExistingDatacenterScale,
    /// `regional_load[N].realisation_frac`: the share of entry N's requested MW that gets
    /// built (a utility's largest uncertainty: 0.2–0.7 in operators' own practice).
    RegionalLoadRealisation(usize),
    /// `regional_load[N].mw_scale`: entry N's MW in every year × k (1 as given).
    RegionalLoadScale(usize),
}

impl Parameter {
    /// The fixed key paths (the growth steps are `compute.crossover.growth[N].factor_per_year`).
    pub const FIXED: [(&'static str, Self); 20] = [
        (
            "compute.growth.training_factor_per_year",
            Self::GrowthTrainingFactor,
        ),
        (
            "compute.growth.inference_factor_per_year",
            Self::GrowthInferenceFactor,
        ),
        ("compute.crossover.crossover_year", Self::CrossoverYear),
        (
            "compute.crossover.calibration.it_energy_twh",
            Self::CalibrationItEnergyTwh,
        ),
        (
            "compute.crossover.calibration.base_it_energy_twh",
            Self::CalibrationBaseItEnergyTwh,
        ),
        (
            "hardware.trend.flop_per_watt_factor_per_year",
            Self::FlopPerWattFactor,
        ),
        (
            "training.utilization_frac",
            Self::Utilization(WorkloadKind::Training),
        ),
        (
            "inference.utilization_frac",
            Self::Utilization(WorkloadKind::Inference),
        ),
        (
            "training.power_frac",
            Self::PowerFrac(WorkloadKind::Training),
        ),
        (
            "inference.power_frac",
            Self::PowerFrac(WorkloadKind::Inference),
        ),
        ("facility.pue", Self::Pue),
        ("inference.shape_amplitude", Self::InferenceShapeAmplitude),
        ("flexibility.max_curtail_frac", Self::MaxCurtailFrac),
        (
            "flexibility.max_curtailed_energy_frac",
            Self::MaxCurtailedEnergyFrac,
        ),
        (
            "regions.baseline_growth_per_year_frac",
            Self::BaselineGrowth,
        ),
        (
            "regions.existing_datacenter_scale",
            Self::ExistingDatacenterScale,
        ),
        (
            "compute.crossover.growth[N].factor_per_year",
            Self::CrossoverGrowthFactor(0),
        ),
        (
            "compute.crossover.growth[N].energy_factor_per_year",
            Self::CrossoverEnergyGrowthFactor(0),
        ),
        (
            "regional_load[N].realisation_frac",
            Self::RegionalLoadRealisation(0),
        ),
        ("regional_load[N].mw_scale", Self::RegionalLoadScale(0)),
    ];

    /// The parameter of a key path, if it is one.
    #[must_use]
    pub fn parse(path: &str) -> Option<Self> {
        if let Some(index) = path
            .strip_prefix("compute.crossover.growth[")
            .and_then(|rest| rest.strip_suffix("].factor_per_year"))
        {
            return index.parse().ok().map(Self::CrossoverGrowthFactor);
        }
        if let Some(index) = path
            .strip_prefix("compute.crossover.growth[")
            .and_then(|rest| rest.strip_suffix("].energy_factor_per_year"))
        {
            return index.parse().ok().map(Self::CrossoverEnergyGrowthFactor);
        }
        if let Some(rest) = path.strip_prefix("regional_load[") {
            let (index, field) = rest.split_once(']')?;
            let index: usize = index.parse().ok()?;
            return match field {
                ".realisation_frac" => Some(Self::RegionalLoadRealisation(index)),
                ".mw_scale" => Some(Self::RegionalLoadScale(index)),
                _ => None,
            };
        }
        Self::FIXED
            .iter()
            .find(|(name, _)| *name == path)
            .map(|(_, p)| *p)
    }

    /// Its key path.
    #[must_use]
    pub fn path(&self) -> String {
        match self {
            Self::CrossoverGrowthFactor(i) => {
                format!("compute.crossover.growth[{i}].factor_per_year")
            }
            Self::CrossoverEnergyGrowthFactor(i) => {
                format!("compute.crossover.growth[{i}].energy_factor_per_year")
            }
            Self::RegionalLoadRealisation(i) => format!("regional_load[{i}].realisation_frac"),
            Self::RegionalLoadScale(i) => format!("regional_load[{i}].mw_scale"),
            other => Self::FIXED
                .iter()
                .find(|(_, p)| p == other)
                .map(|(name, _)| (*name).to_owned())
                .expect("every fixed parameter has a path"),
        }
    }

    /// Whether draws are rounded to whole numbers.
    #[must_use]
    pub fn is_integer(&self) -> bool {
        matches!(self, Self::CrossoverYear)
    }

    /// The values the parameter may take (draws are truncated to them): the ranges a
    /// file's value is checked against when it is read ([`crate::input::ranges`]), so a
    /// sample never leaves what a scenario file may state.
    #[must_use]
    pub fn domain(&self, scenario: &Scenario) -> (f64, f64) {
        use crate::input::ranges::{
            Domain, FractionDivisor, GrowthFactor, Pue, Range, TwhDivisor, Year,
        };
        let bounds = |range: Range| (range.min, range.max);
        match self {
            Self::CrossoverGrowthFactor(_)
            | Self::CrossoverEnergyGrowthFactor(_)
            | Self::GrowthTrainingFactor
            | Self::GrowthInferenceFactor
            | Self::FlopPerWattFactor => bounds(GrowthFactor::RANGE),
            Self::CrossoverYear => {
                let base = match scenario.compute {
                    ComputeProjection::Crossover { base_year, .. } => base_year,
                    _ => scenario.first_year,
                };
                (f64::from(base) + 0.5, Year::RANGE.max)
            }
            Self::CalibrationItEnergyTwh | Self::CalibrationBaseItEnergyTwh => {
                bounds(TwhDivisor::RANGE)
            }
            Self::Utilization(_) | Self::PowerFrac(_) => bounds(FractionDivisor::RANGE),
            Self::Pue => bounds(Pue::RANGE),
            Self::InferenceShapeAmplitude => (0.0, 10.0),
            Self::MaxCurtailFrac | Self::MaxCurtailedEnergyFrac => (0.0, 1.0),
            Self::BaselineGrowth => bounds(crate::input::ranges::ChangePerYear::RANGE),
            Self::ExistingDatacenterScale | Self::RegionalLoadScale(_) => (0.0, 100.0),
            Self::RegionalLoadRealisation(_) => (0.0, 1.0),
        }
    }

    /// The parameter's value in the study as given, or why the path does not apply to it.
    ///
    /// # Errors
    /// When the scenario or region set has no such field (e.g. a hardware table instead of
    /// a trend, a growth step that does not exist).
    pub fn central(&self, scenario: &Scenario, regions: &RegionSet) -> Result<f64, String> {
        let workload = |kind: &WorkloadKind| match kind {
            WorkloadKind::Training => &scenario.training,
            WorkloadKind::Inference => &scenario.inference,
        };
        match (self, &scenario.compute, &scenario.hardware) {
            (Self::CrossoverGrowthFactor(i), ComputeProjection::Crossover { growth, .. }, _) => {
                growth.get(*i).map(|s| s.factor_per_year).ok_or_else(|| {
                    format!(
                        "[compute.crossover] has {} growth step(s), numbered from 0",
                        growth.len()
                    )
                })
            }
            (
                Self::GrowthTrainingFactor,
                ComputeProjection::Growth {
                    training_factor_per_year,
                    ..
                },
                _,
            ) => Ok(*training_factor_per_year),
            (
                Self::GrowthInferenceFactor,
                ComputeProjection::Growth {
                    inference_factor_per_year,
                    ..
                },
                _,
            ) => Ok(*inference_factor_per_year),
            (Self::CrossoverYear, ComputeProjection::Crossover { crossover_year, .. }, _) => {
                Ok(f64::from(*crossover_year))
            }
            (
                Self::CrossoverEnergyGrowthFactor(i),
                ComputeProjection::Crossover { growth, .. },
                Hardware::Trend {
                    flop_per_watt_factor_per_year,
                    ..
                },
            ) => growth
                .get(*i)
                .map(|s| s.factor_per_year / flop_per_watt_factor_per_year)
                .ok_or_else(|| {
                    format!(
                        "[compute.crossover] has {} growth step(s), numbered from 0",
                        growth.len()
                    )
                }),
            (Self::CrossoverEnergyGrowthFactor(_), ComputeProjection::Crossover { .. }, _) => {
                Err("the scenario gives hardware as a table, not a trend".to_owned())
            }
            (Self::CalibrationBaseItEnergyTwh, ComputeProjection::Crossover { .. }, _) => scenario
                .calibration
                .and_then(|c| c.base_it_energy_twh)
                .ok_or_else(|| {
                    "[compute.crossover.calibration] has no base_it_energy_twh".to_owned()
                }),
            (Self::CalibrationItEnergyTwh, ComputeProjection::Crossover { .. }, _) => scenario
                .calibration
                .map(|c| c.it_energy_twh)
                .ok_or_else(|| {
                    "the scenario has no [compute.crossover.calibration] table".to_owned()
                }),
            (
                Self::FlopPerWattFactor,
                _,
                Hardware::Trend {
                    flop_per_watt_factor_per_year,
                    ..
                },
            ) => Ok(*flop_per_watt_factor_per_year),
            (Self::FlopPerWattFactor, _, Hardware::Table(_)) => {
                Err("the scenario gives hardware as a table, not a trend".to_owned())
            }
            (Self::Utilization(kind), _, _) => Ok(workload(kind).utilization_frac),
            (Self::PowerFrac(kind), _, _) => Ok(workload(kind).power_frac),
            (Self::Pue, _, _) => Ok(scenario.pue),
            (Self::InferenceShapeAmplitude, _, _) => Ok(1.0),
            (Self::MaxCurtailFrac, _, _) => Ok(scenario.flexibility.max_curtail_frac),
            (Self::MaxCurtailedEnergyFrac, _, _) => {
                Ok(scenario.flexibility.max_curtailed_energy_frac)
            }
            (Self::BaselineGrowth, _, _) => {
                let mut rates = regions
                    .regions
                    .iter()
                    .map(|r| r.baseline_growth_per_year_frac);
                let first = rates.next().unwrap_or(0.0);
                Ok(first)
            }
            (Self::ExistingDatacenterScale, _, _) => {
                if regions
                    .regions
                    .iter()
                    .any(|r| r.existing_datacenter_mw.is_some())
                {
                    Ok(1.0)
                } else {
                    Err("no region of the set gives existing_datacenter_mw".to_owned())
                }
            }
            (Self::RegionalLoadRealisation(i) | Self::RegionalLoadScale(i), _, _) => {
                match scenario.regional_loads.get(*i) {
                    Some(load) if matches!(self, Self::RegionalLoadRealisation(_)) => {
                        Ok(load.realisation_frac)
                    }
                    Some(_) => Ok(1.0),
                    None => Err(format!(
                        "the scenario has {} [[regional_load]] entr{}, numbered from 0",
                        scenario.regional_loads.len(),
                        if scenario.regional_loads.len() == 1 {
                            "y"
                        } else {
                            "ies"
                        }
                    )),
                }
            }
            (
                Self::CrossoverGrowthFactor(_)
                | Self::CrossoverEnergyGrowthFactor(_)
                | Self::CrossoverYear
                | Self::CalibrationItEnergyTwh
                | Self::CalibrationBaseItEnergyTwh,
                _,
                _,
            ) => Err("the scenario's compute is not [compute.crossover]".to_owned()),
            (Self::GrowthTrainingFactor | Self::GrowthInferenceFactor, _, _) => {
                Err("the scenario's compute is not [compute.growth]".to_owned())
            }
        }
    }

    /// Set the parameter to `value` in a copy of the study's scenario and region set
    /// (`central_regions` is the region set as given, for the scaled fields). The inference
    /// shape's amplitude is not a field: the sweep applies it to the shapes.
    pub fn apply(
        &self,
        value: f64,
        scenario: &mut Scenario,
        regions: &mut RegionSet,
        central_regions: &RegionSet,
    ) {
        fn workload(
            scenario: &mut Scenario,
            kind: WorkloadKind,
        ) -> &mut crate::model::scenario::Workload {
            match kind {
                WorkloadKind::Training => &mut scenario.training,
                WorkloadKind::Inference => &mut scenario.inference,
            }
        }
        match *self {
            Self::CrossoverGrowthFactor(i) => {
                if let ComputeProjection::Crossover { growth, .. } = &mut scenario.compute {
                    growth[i].factor_per_year = value;
                }
            }
            Self::GrowthTrainingFactor => {
                if let ComputeProjection::Growth {
                    training_factor_per_year,
                    ..
                } = &mut scenario.compute
                {
                    *training_factor_per_year = value;
                }
            }
            Self::GrowthInferenceFactor => {
                if let ComputeProjection::Growth {
                    inference_factor_per_year,
                    ..
                } = &mut scenario.compute
                {
                    *inference_factor_per_year = value;
                }
            }
            Self::CrossoverYear => {
                if let ComputeProjection::Crossover { crossover_year, .. } = &mut scenario.compute {
                    // Rounded by the draw; the domain keeps it after the base year.
                    *crossover_year = value as i32;
                }
            }
            Self::CalibrationItEnergyTwh => {
                if let Some(c) = &mut scenario.calibration {
                    c.it_energy_twh = value;
                }
            }
            Self::CalibrationBaseItEnergyTwh => {
                if let Some(c) = &mut scenario.calibration {
                    c.base_it_energy_twh = Some(value);
                }
            }
            // Applied with the other parameters known (see `sweep::apply`).
            Self::CrossoverEnergyGrowthFactor(_) => {}
            Self::FlopPerWattFactor => {
                if let Hardware::Trend {
                    flop_per_watt_factor_per_year,
                    ..
                } = &mut scenario.hardware
                {
                    *flop_per_watt_factor_per_year = value;
                }
            }
            Self::Utilization(kind) => {
                workload(scenario, kind).utilization_frac = value;
                // The accelerator-hour share reads its own copy of both utilizations.
                if let ComputeProjection::Crossover {
                    utilization_frac, ..
                } = &mut scenario.compute
                {
                    match kind {
                        WorkloadKind::Training => utilization_frac.0 = value,
                        WorkloadKind::Inference => utilization_frac.1 = value,
                    }
                }
            }
            Self::PowerFrac(kind) => workload(scenario, kind).power_frac = value,
            Self::Pue => scenario.pue = value,
            Self::InferenceShapeAmplitude => {}
            Self::MaxCurtailFrac => scenario.flexibility.max_curtail_frac = value,
            Self::MaxCurtailedEnergyFrac => scenario.flexibility.max_curtailed_energy_frac = value,
            Self::BaselineGrowth => {
                for region in &mut regions.regions {
                    region.baseline_growth_per_year_frac = value;
                }
            }
            Self::ExistingDatacenterScale => {
                for (region, central) in regions.regions.iter_mut().zip(&central_regions.regions) {
                    region.existing_datacenter_mw =
                        central.existing_datacenter_mw.map(|mw| mw * value);
                }
            }
            Self::RegionalLoadRealisation(i) => {
                if let Some(load) = scenario.regional_loads.get_mut(i) {
                    load.realisation_frac = value;
                }
            }
            // The scenario is a copy of the central one and each path is drawn once.
            Self::RegionalLoadScale(i) => {
                if let Some(load) = scenario.regional_loads.get_mut(i) {
                    for (_, mw) in &mut load.rated_mw_by_year {
                        *mw *= value;
                    }
                }
            }
        }
    }
}

/// One uncertain parameter of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    /// Which parameter.
    pub parameter: Parameter,
    /// Its distribution.
    pub distribution: Distribution,
    /// Where the range comes from.
    pub source: String,
}

/// The anchor a crossover projection's `total_flop` was solved for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// The anchor year.
    pub year: i32,
    /// AI IT (server) energy in that year (TWh).
    pub it_energy_twh: f64,
    /// AI IT energy in the projection's base year (TWh), when the scenario anchors the
    /// start of the path too.
    pub base_it_energy_twh: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_quantile_matches_known_values() {
        for (p, z) in [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.05, -1.644_853_626_951_472_2),
            (1e-10, -6.361_340_902_404_056),
        ] {
            assert!((standard_normal_quantile(p) - z).abs() < 1e-12, "{p}");
            assert!(
                (standard_normal_cdf(z) - p).abs() < 1e-12 * p.max(1e-3),
                "{p}"
            );
        }
    }

    #[test]
    fn quantile_and_cdf_invert_each_other() {
        let dists = [
            Distribution::Uniform {
                low: 2.0,
                high: 5.0,
            },
            Distribution::Triangular {
                low: 2028.0,
                mode: 2030.0,
                high: 2033.0,
            },
            Distribution::Normal {
                mean: 1.14,
                sd: 0.05,
            },
            Distribution::Lognormal { mean: 1.4, sd: 0.1 },
        ];
        for d in &dists {
            for u in [0.01, 0.2, 0.5, 0.77, 0.99] {
                assert!((d.cdf(d.quantile(u)) - u).abs() < 1e-9, "{d:?} {u}");
            }
        }
        let lognormal = Distribution::Lognormal { mean: 2.0, sd: 0.5 };
        let n = 20_000;
        let mean: f64 = (0..n)
            .map(|i| lognormal.quantile((f64::from(i) + 0.5) / f64::from(n)))
            .sum::<f64>()
            / f64::from(n);
        assert!((mean - 2.0).abs() < 0.01, "lognormal mean {mean}");
    }

    #[test]
    fn collapsed_ranges_give_their_value_exactly() {
        for d in [
            Distribution::Uniform {
                low: 0.4,
                high: 0.4,
            },
            Distribution::Triangular {
                low: 0.4,
                mode: 0.4,
                high: 0.4,
            },
            Distribution::Normal { mean: 0.4, sd: 0.0 },
            Distribution::Lognormal { mean: 0.4, sd: 0.0 },
        ] {
            for u in [1e-9, 0.3, 0.999] {
                assert_eq!(d.draw_within(u, 0.0, 1.0), 0.4);
            }
        }
    }

    #[test]
    fn truncation_keeps_draws_inside_and_spreads_them() {
        let d = Distribution::Normal { mean: 1.1, sd: 0.2 };
        let draws: Vec<f64> = (1..100)
            .map(|i| d.draw_within(f64::from(i) / 100.0, 1.0, 5.0))
            .collect();
        assert!(draws.iter().all(|&x| x >= 1.0));
        assert!(
            draws.windows(2).all(|w| w[0] < w[1]),
            "monotone, no pile at 1"
        );
    }

    #[test]
    fn every_path_parses_back() {
        for (path, parameter) in Parameter::FIXED {
            if let Parameter::CrossoverGrowthFactor(_)
            | Parameter::CrossoverEnergyGrowthFactor(_)
            | Parameter::RegionalLoadRealisation(_)
            | Parameter::RegionalLoadScale(_) = parameter
            {
                continue;
            }
            assert_eq!(Parameter::parse(path), Some(parameter));
            assert_eq!(parameter.path(), path);
        }
        let step = Parameter::parse("compute.crossover.growth[2].factor_per_year");
        assert_eq!(step, Some(Parameter::CrossoverGrowthFactor(2)));
        let energy = Parameter::parse("compute.crossover.growth[1].energy_factor_per_year");
        assert_eq!(energy, Some(Parameter::CrossoverEnergyGrowthFactor(1)));
        assert_eq!(
            energy.unwrap().path(),
            "compute.crossover.growth[1].energy_factor_per_year"
        );
        assert_eq!(Parameter::parse("compute.crossover.total_flop"), None);
        let realisation = Parameter::parse("regional_load[3].realisation_frac");
        assert_eq!(realisation, Some(Parameter::RegionalLoadRealisation(3)));
        assert_eq!(
            realisation.unwrap().path(),
            "regional_load[3].realisation_frac"
        );
        let scale = Parameter::parse("regional_load[0].mw_scale");
        assert_eq!(scale, Some(Parameter::RegionalLoadScale(0)));
        assert_eq!(scale.unwrap().path(), "regional_load[0].mw_scale");
        assert_eq!(Parameter::parse("regional_load[0].rated_mw_by_year"), None);
        assert_eq!(Parameter::parse("regional_load[x].realisation_frac"), None);
    }
}
