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

/// Where a parameter's value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// A field of the scenario.
    Scenario,
    /// A field of every region of the region set (checked against the set when a sweep
    /// loads it, not when the scenario is read alone).
    RegionSet,
}

/// A sample being built: copies of the study's scenario and region set that drawn values
/// are set in, and the study as given (for parameters that scale or follow it).
pub struct Sample<'a> {
    /// The sample's scenario.
    pub scenario: &'a mut Scenario,
    /// The sample's region set.
    pub regions: &'a mut RegionSet,
    /// The study's scenario as given.
    pub central_scenario: &'a Scenario,
    /// The study's region set as given.
    pub central_regions: &'a RegionSet,
}

/// Everything about one uncertain parameter, in one place (as ripgrep's `defs.rs` defines
/// each flag once): the key path, the values a draw may take, its value in the study as
/// given, and how a drawn value is set. `[N]` in a path stands for the index of a table
/// entry, passed to the functions as `index` (0 for the others).
pub struct Definition {
    /// Key path as written in `[uncertainty."…"]`.
    pub path: &'static str,
    /// The parameter of this path with entry `index`.
    pub parameter: fn(usize) -> Parameter,
    /// Draws are rounded to whole numbers.
    pub integer: bool,
    /// Where the value lives.
    pub holder: Holder,
    /// For a region-set parameter: what a draw does when the regions' values differ.
    pub when_regions_differ: &'static str,
    /// Set after every other parameter of the sample (it follows their drawn values).
    pub set_last: bool,
    /// The values a draw may take (draws are truncated to them): the ranges a file's value
    /// is checked against when it is read ([`crate::model::ranges`]), so a sample never
    /// leaves what a scenario file may state.
    pub domain: fn(&Scenario) -> (f64, f64),
    /// The value in the study as given, or why the path does not apply to it.
    pub central: fn(usize, &Scenario, &RegionSet) -> Result<f64, String>,
    /// Set a drawn value in the sample.
    pub set: fn(usize, f64, &mut Sample<'_>),
}

use crate::model::ranges::{
    ChangePerYear, Domain, FractionDivisor, GrowthFactor, Pue, Range, TwhDivisor, Year,
};

/// A range's two ends.
const fn bounds(range: Range) -> (f64, f64) {
    (range.min, range.max)
}

/// The scenario's crossover growth steps, or why there are none to vary.
fn crossover_growth(scenario: &Scenario) -> Result<&[crate::model::scenario::GrowthStep], String> {
    match &scenario.compute {
        ComputeProjection::Crossover { growth, .. } => Ok(growth),
        _ => Err("the scenario's compute is not [compute.crossover]".to_owned()),
    }
}

/// Growth step `i` of the crossover projection.
fn growth_step(
    scenario: &Scenario,
    i: usize,
) -> Result<&crate::model::scenario::GrowthStep, String> {
    let growth = crossover_growth(scenario)?;
    growth.get(i).ok_or_else(|| {
        format!(
            "[compute.crossover] has {} growth step(s), numbered from 0",
            growth.len()
        )
    })
}

/// The hardware trend's FLOP-per-watt growth, or why there is none.
fn flop_per_watt(scenario: &Scenario) -> Result<f64, String> {
    match scenario.hardware {
        Hardware::Trend {
            flop_per_watt_factor_per_year,
            ..
        } => Ok(flop_per_watt_factor_per_year),
        Hardware::Table(_) => Err("the scenario gives hardware as a table, not a trend".to_owned()),
    }
}

/// The `[compute.growth]` factor of one workload, or why there is none.
fn simple_growth(scenario: &Scenario, kind: WorkloadKind) -> Result<f64, String> {
    match scenario.compute {
        ComputeProjection::Growth {
            training_factor_per_year,
            inference_factor_per_year,
            ..
        } => Ok(match kind {
            WorkloadKind::Training => training_factor_per_year,
            WorkloadKind::Inference => inference_factor_per_year,
        }),
        _ => Err("the scenario's compute is not [compute.growth]".to_owned()),
    }
}

/// Set the `[compute.growth]` factor of one workload.
fn set_simple_growth(scenario: &mut Scenario, kind: WorkloadKind, value: f64) {
    if let ComputeProjection::Growth {
        training_factor_per_year,
        inference_factor_per_year,
        ..
    } = &mut scenario.compute
    {
        match kind {
            WorkloadKind::Training => *training_factor_per_year = value,
            WorkloadKind::Inference => *inference_factor_per_year = value,
        }
    }
}

/// The calibration table, or why there is none.
fn calibration(scenario: &Scenario) -> Result<Calibration, String> {
    crossover_growth(scenario)?;
    scenario
        .calibration
        .ok_or_else(|| "the scenario has no [compute.crossover.calibration] table".to_owned())
}

/// A workload's settings.
fn workload(scenario: &Scenario, kind: WorkloadKind) -> &crate::model::scenario::Workload {
    match kind {
        WorkloadKind::Training => &scenario.training,
        WorkloadKind::Inference => &scenario.inference,
    }
}

/// A workload's settings, to change.
fn workload_mut(
    scenario: &mut Scenario,
    kind: WorkloadKind,
) -> &mut crate::model::scenario::Workload {
    match kind {
        WorkloadKind::Training => &mut scenario.training,
        WorkloadKind::Inference => &mut scenario.inference,
    }
}

/// Set a workload's utilization, and the accelerator-hour share's own copy of it.
fn set_utilization(scenario: &mut Scenario, kind: WorkloadKind, value: f64) {
    workload_mut(scenario, kind).utilization_frac = value;
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

/// Regional load entry `i`, or why there is none.
fn regional_load(
    scenario: &Scenario,
    i: usize,
) -> Result<&crate::model::scenario::RegionalLoad, String> {
    scenario.regional_loads.get(i).ok_or_else(|| {
        let n = scenario.regional_loads.len();
        format!(
            "the scenario has {n} [[regional_load]] entr{}, numbered from 0",
            if n == 1 { "y" } else { "ies" }
        )
    })
}

/// A draw that is always valid where it applies: 1 as given.
fn one(_: usize, _: &Scenario, _: &RegionSet) -> Result<f64, String> {
    Ok(1.0)
}

/// A parameter with nothing to set in the scenario (it is applied elsewhere).
fn set_nothing(_: usize, _: f64, _: &mut Sample<'_>) {}

/// No difference between regions to treat.
const NOT_REGIONAL: &str = "";

/// Every uncertain parameter.
pub static DEFINITIONS: &[Definition] = &[
    Definition {
        path: "compute.growth.training_factor_per_year",
        parameter: |_| Parameter::GrowthTrainingFactor,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| bounds(GrowthFactor::RANGE),
        central: |_, s, _| simple_growth(s, WorkloadKind::Training),
        set: |_, v, x| set_simple_growth(x.scenario, WorkloadKind::Training, v),
    },
    Definition {
        path: "compute.growth.inference_factor_per_year",
        parameter: |_| Parameter::GrowthInferenceFactor,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| bounds(GrowthFactor::RANGE),
        central: |_, s, _| simple_growth(s, WorkloadKind::Inference),
        set: |_, v, x| set_simple_growth(x.scenario, WorkloadKind::Inference, v),
    },
    Definition {
        path: "compute.crossover.crossover_year",
        parameter: |_| Parameter::CrossoverYear,
        integer: true,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        // After the base year, so the share path has a year to grow in.
        domain: |s| {
            let base = match s.compute {
                ComputeProjection::Crossover { base_year, .. } => base_year,
                _ => s.first_year,
            };
            (f64::from(base) + 0.5, Year::RANGE.max)
        },
        central: |_, s, _| match s.compute {
            ComputeProjection::Crossover { crossover_year, .. } => Ok(f64::from(crossover_year)),
            _ => Err("the scenario's compute is not [compute.crossover]".to_owned()),
        },
        set: |_, v, x| {
            if let ComputeProjection::Crossover { crossover_year, .. } = &mut x.scenario.compute {
                // Rounded by the draw; the domain keeps it after the base year.
                *crossover_year = v as i32;
            }
        },
    },
    Definition {
        path: "compute.crossover.calibration.it_energy_twh",
        parameter: |_| Parameter::CalibrationItEnergyTwh,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| bounds(TwhDivisor::RANGE),
        central: |_, s, _| calibration(s).map(|c| c.it_energy_twh),
        set: |_, v, x| {
            if let Some(c) = &mut x.scenario.calibration {
                c.it_energy_twh = v;
            }
        },
    },
    Definition {
        path: "compute.crossover.calibration.base_it_energy_twh",
        parameter: |_| Parameter::CalibrationBaseItEnergyTwh,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| bounds(TwhDivisor::RANGE),
        central: |_, s, _| {
            crossover_growth(s)?;
            s.calibration
                .and_then(|c| c.base_it_energy_twh)
                .ok_or_else(|| {
                    "[compute.crossover.calibration] has no base_it_energy_twh".to_owned()
                })
        },
        set: |_, v, x| {
            if let Some(c) = &mut x.scenario.calibration {
                c.base_it_energy_twh = Some(v);
            }
        },
    },
    Definition {
        path: "hardware.trend.flop_per_watt_factor_per_year",
        parameter: |_| Parameter::FlopPerWattFactor,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| bounds(GrowthFactor::RANGE),
        central: |_, s, _| flop_per_watt(s),
        set: |_, v, x| {
            if let Hardware::Trend {
                flop_per_watt_factor_per_year,
                ..
            } = &mut x.scenario.hardware
            {
                *flop_per_watt_factor_per_year = v;
            }
        },
    },
    Definition {
        path: "training.utilization_frac",
        parameter: |_| Parameter::Utilization(WorkloadKind::Training),
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| bounds(FractionDivisor::RANGE),
        central: |_, s, _| Ok(workload(s, WorkloadKind::Training).utilization_frac),
        set: |_, v, x| set_utilization(x.scenario, WorkloadKind::Training, v),
    },
    Definition {
        path: "inference.utilization_frac",
        parameter: |_| Parameter::Utilization(WorkloadKind::Inference),
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| bounds(FractionDivisor::RANGE),
        central: |_, s, _| Ok(workload(s, WorkloadKind::Inference).utilization_frac),
        set: |_, v, x| set_utilization(x.scenario, WorkloadKind::Inference, v),
    },
    Definition {
        path: "training.power_frac",
        parameter: |_| Parameter::PowerFrac(WorkloadKind::Training),
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| bounds(FractionDivisor::RANGE),
        central: |_, s, _| Ok(workload(s, WorkloadKind::Training).power_frac),
        set: |_, v, x| workload_mut(x.scenario, WorkloadKind::Training).power_frac = v,
    },
    Definition {
        path: "inference.power_frac",
        parameter: |_| Parameter::PowerFrac(WorkloadKind::Inference),
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| bounds(FractionDivisor::RANGE),
        central: |_, s, _| Ok(workload(s, WorkloadKind::Inference).power_frac),
        set: |_, v, x| workload_mut(x.scenario, WorkloadKind::Inference).power_frac = v,
    },
    Definition {
        path: "facility.pue",
        parameter: |_| Parameter::Pue,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| bounds(Pue::RANGE),
        central: |_, s, _| Ok(s.pue),
        set: |_, v, x| x.scenario.pue = v,
    },
    Definition {
        path: "inference.shape_amplitude",
        parameter: |_| Parameter::InferenceShapeAmplitude,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        // The draw truncates it further to what the sample's inference power fraction
        // allows (`simulation::sweep::draw`); the sweep stretches the shapes with it.
        domain: |_| (0.0, 10.0),
        central: one,
        set: set_nothing,
    },
    Definition {
        path: "flexibility.max_curtail_frac",
        parameter: |_| Parameter::MaxCurtailFrac,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| (0.0, 1.0),
        central: |_, s, _| Ok(s.flexibility.max_curtail_frac),
        set: |_, v, x| x.scenario.flexibility.max_curtail_frac = v,
    },
    Definition {
        path: "flexibility.max_curtailed_energy_frac",
        parameter: |_| Parameter::MaxCurtailedEnergyFrac,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| (0.0, 1.0),
        central: |_, s, _| Ok(s.flexibility.max_curtailed_energy_frac),
        set: |_, v, x| x.scenario.flexibility.max_curtailed_energy_frac = v,
    },
    Definition {
        path: "regions.baseline_growth_per_year_frac",
        parameter: |_| Parameter::BaselineGrowth,
        integer: false,
        holder: Holder::RegionSet,
        when_regions_differ: "one drawn value replaces every region's own rate (the centre is the first region's rate)",
        set_last: false,
        domain: |_| bounds(ChangePerYear::RANGE),
        central: |_, _, regions| {
            Ok(regions
                .regions
                .first()
                .map_or(0.0, |r| r.baseline_growth_per_year_frac))
        },
        set: |_, v, x| {
            for region in &mut x.regions.regions {
                region.baseline_growth_per_year_frac = v;
            }
        },
    },
    Definition {
        path: "regions.existing_datacenter_scale",
        parameter: |_| Parameter::ExistingDatacenterScale,
        integer: false,
        holder: Holder::RegionSet,
        when_regions_differ: "every region's own existing data-centre MW is scaled by the one drawn factor",
        set_last: false,
        domain: |_| (0.0, 100.0),
        central: |_, _, regions| {
            if regions
                .regions
                .iter()
                .any(|r| r.existing_datacenter_mw.is_some())
            {
                Ok(1.0)
            } else {
                Err("no region of the set gives existing_datacenter_mw".to_owned())
            }
        },
        set: |_, v, x| {
            for (region, central) in x.regions.regions.iter_mut().zip(&x.central_regions.regions) {
                region.existing_datacenter_mw = central.existing_datacenter_mw.map(|mw| mw * v);
            }
        },
    },
    Definition {
        path: "compute.crossover.growth[N].factor_per_year",
        parameter: Parameter::CrossoverGrowthFactor,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| bounds(GrowthFactor::RANGE),
        central: |i, s, _| growth_step(s, i).map(|step| step.factor_per_year),
        set: |i, v, x| {
            if let ComputeProjection::Crossover { growth, .. } = &mut x.scenario.compute {
                growth[i].factor_per_year = v;
            }
        },
    },
    Definition {
        path: "compute.crossover.growth[N].energy_factor_per_year",
        parameter: Parameter::CrossoverEnergyGrowthFactor,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        // It follows the sample's hardware efficiency, drawn with the others.
        set_last: true,
        domain: |_| bounds(GrowthFactor::RANGE),
        central: |i, s, _| {
            let step = growth_step(s, i)?;
            Ok(step.factor_per_year / flop_per_watt(s)?)
        },
        // The step's compute growth g = g₀ · (e / e₀) · (w / w₀): the energy growth
        // drawn relative to its centre, times the sample's FLOP-per-watt growth relative
        // to the study's — exactly g₀ at the centre.
        set: |i, v, x| {
            let efficiency = |s: &Scenario| flop_per_watt(s).unwrap_or(1.0);
            let ratio_efficiency = efficiency(x.scenario) / efficiency(x.central_scenario);
            let central = growth_step(x.central_scenario, i)
                .map(|step| step.factor_per_year / efficiency(x.central_scenario))
                .unwrap_or(v);
            if let (
                ComputeProjection::Crossover { growth, .. },
                ComputeProjection::Crossover {
                    growth: growth_0, ..
                },
            ) = (&mut x.scenario.compute, &x.central_scenario.compute)
            {
                growth[i].factor_per_year =
                    growth_0[i].factor_per_year * (v / central) * ratio_efficiency;
            }
        },
    },
    Definition {
        path: "regional_load[N].realisation_frac",
        parameter: Parameter::RegionalLoadRealisation,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| (0.0, 1.0),
        central: |i, s, _| regional_load(s, i).map(|load| load.realisation_frac),
        set: |i, v, x| {
            if let Some(load) = x.scenario.regional_loads.get_mut(i) {
                load.realisation_frac = v;
            }
        },
    },
    Definition {
        path: "regional_load[N].mw_scale",
        parameter: Parameter::RegionalLoadScale,
        integer: false,
        holder: Holder::Scenario,
        when_regions_differ: NOT_REGIONAL,
        set_last: false,
        domain: |_| (0.0, 100.0),
        central: |i, s, _| regional_load(s, i).map(|_| 1.0),
        // From the central entry, so the scale applies once whatever came before.
        set: |i, v, x| {
            if let (Some(load), Some(central)) = (
                x.scenario.regional_loads.get_mut(i),
                x.central_scenario.regional_loads.get(i),
            ) {
                for ((_, mw), (_, mw_0)) in load
                    .rated_mw_by_year
                    .iter_mut()
                    .zip(&central.rated_mw_by_year)
                {
                    *mw = mw_0 * v;
                }
            }
        },
    },
];

impl Parameter {
    /// The index of a table entry (`[N]` in the path); 0 for the others.
    fn index(self) -> usize {
        match self {
            Self::CrossoverGrowthFactor(i)
            | Self::CrossoverEnergyGrowthFactor(i)
            | Self::RegionalLoadRealisation(i)
            | Self::RegionalLoadScale(i) => i,
            _ => 0,
        }
    }

    /// Its definition.
    #[must_use]
    pub fn definition(self) -> &'static Definition {
        DEFINITIONS
            .iter()
            .find(|d| (d.parameter)(self.index()) == self)
            .expect("every parameter has a definition")
    }

    /// The parameter of a key path, if it is one.
    #[must_use]
    pub fn parse(path: &str) -> Option<Self> {
        DEFINITIONS
            .iter()
            .find_map(|d| match d.path.split_once("[N]") {
                None => (d.path == path).then(|| (d.parameter)(0)),
                Some((before, after)) => {
                    let index = path.strip_prefix(before)?.strip_suffix(after)?;
                    let index = index.strip_prefix('[')?.strip_suffix(']')?;
                    // Digits only, without leading zeros: `+1`, ` 1` or `01` is not an
                    // entry number (`[01]` and `[1]` would name one entry twice).
                    if index.is_empty()
                        || !index.bytes().all(|b| b.is_ascii_digit())
                        || (index.len() > 1 && index.starts_with('0'))
                    {
                        return None;
                    }
                    index.parse().ok().map(d.parameter)
                }
            })
    }

    /// Its key path.
    #[must_use]
    pub fn path(&self) -> String {
        self.definition()
            .path
            .replace("[N]", &format!("[{}]", self.index()))
    }

    /// Whether draws are rounded to whole numbers.
    #[must_use]
    pub fn is_integer(&self) -> bool {
        self.definition().integer
    }

    /// The values the parameter may take (see [`Definition::domain`]).
    #[must_use]
    pub fn domain(&self, scenario: &Scenario) -> (f64, f64) {
        (self.definition().domain)(scenario)
    }

    /// The parameter's value in the study as given, or why the path does not apply to it.
    ///
    /// # Errors
    /// When the scenario or region set has no such field (e.g. a hardware table instead of
    /// a trend, a growth step that does not exist).
    pub fn central(&self, scenario: &Scenario, regions: &RegionSet) -> Result<f64, String> {
        (self.definition().central)(self.index(), scenario, regions)
    }

    /// Set the drawn `values` of `parameters` in a sample, those set last after the
    /// others.
    pub fn set_all(parameters: &[Self], values: &[f64], sample: &mut Sample<'_>) {
        for last in [false, true] {
            for (parameter, &value) in parameters.iter().zip(values) {
                let definition = parameter.definition();
                if definition.set_last == last {
                    (definition.set)(parameter.index(), value, sample);
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
        for definition in DEFINITIONS {
            let path = definition.path.replace("[N]", "[4]");
            let parameter = (definition.parameter)(4);
            assert_eq!(Parameter::parse(&path), Some(parameter), "{path}");
            assert_eq!(parameter.path(), path);
            assert!(std::ptr::eq(parameter.definition(), definition), "{path}");
            assert_eq!(
                definition.holder == Holder::RegionSet,
                !definition.when_regions_differ.is_empty(),
                "{path}: a region-set parameter says how regions that differ are treated"
            );
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
        assert_eq!(Parameter::parse("regional_load[+1].realisation_frac"), None);
        assert_eq!(Parameter::parse("regional_load[].mw_scale"), None);
        assert_eq!(Parameter::parse("regional_load[00].mw_scale"), None);
    }
}
