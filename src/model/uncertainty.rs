//! Uncertain inputs of a sweep: which scenario or region-set parameter is uncertain (a
//! [`Parameter`], named in the scenario by its key path) and how it is distributed (a
//! [`Distribution`], from [`crate::model::distribution`]).
pub use crate::model::distribution::Distribution;
use crate::model::region::RegionSet;
pub use crate::model::scenario::Calibration;
use crate::model::scenario::{ComputeProjection, Hardware, Scenario, WorkloadKind};

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

#[cfg(test)]
mod tests {
    use super::*;

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
