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

mod checks;
mod compute;
mod costs;
mod raw;
mod regional;
mod uncertain;

use self::checks::*;
pub use self::compute::*;
pub use self::costs::*;
pub use self::raw::*;
pub use self::regional::check_scenario_against_regions;
use self::regional::*;
use self::uncertain::*;

/// Read and validate a scenario file.
///
/// # Errors
/// Any rule broken, naming the file and key.
pub fn read_scenario(path: &Path) -> Result<(Scenario, RawScenario)> {
    let (scenario, _) = read_scenario_with_uncertainty(path).map(|(s, u, raw)| ((s, raw), u))?;
    Ok(scenario)
}

/// [`read_scenario`] with the scenario's uncertain parameters (its
/// `[uncertainty."key.path"]` tables, checked against the scenario), which a study holds.
///
/// # Errors
/// Any rule broken, naming the file and key.
pub fn read_scenario_with_uncertainty(
    path: &Path,
) -> Result<(Scenario, Vec<Uncertain>, RawScenario)> {
    read_scenario_file(path).map(|(scenario, uncertainty, raw, _)| (scenario, uncertainty, raw))
}

/// [`read_scenario_with_uncertainty`] with the file's text (for the line numbers of
/// later checks): the file is read once.
///
/// # Errors
/// As [`read_scenario`].
pub fn read_scenario_file(path: &Path) -> Result<(Scenario, Vec<Uncertain>, RawScenario, String)> {
    let text = super::read_text(path)?;
    if text.trim().is_empty() {
        bail!(
            "{}: the file is empty; expected a scenario with [compute], [training], [inference] and [siting]",
            path.display()
        );
    }
    let raw: RawScenario = super::parse_toml(&text, path)?;
    let (scenario, uncertainty) = scenario_from_raw_located(&raw, path, Some(&text))?;
    Ok((scenario, uncertainty, raw, text))
}

/// Validate a parsed scenario (the pure half of [`read_scenario`]).
///
/// # Errors
/// Any rule broken, naming the file and key.
pub fn scenario_from_raw(raw: &RawScenario, path: &Path) -> Result<Scenario> {
    scenario_from_raw_located(raw, path, None).map(|(scenario, _)| scenario)
}

/// [`scenario_from_raw`] with the file's text, so that messages carry line numbers, and
/// the scenario's uncertain parameters.
///
/// # Errors
/// Any rule broken, naming the file, line and key.
pub fn scenario_from_raw_located(
    raw: &RawScenario,
    path: &Path,
    text: Option<&str>,
) -> Result<(Scenario, Vec<Uncertain>)> {
    let locate = KeyLocator::new(path, text);
    if raw.first_year > raw.last_year {
        bail!(
            "{}: found {}, which is before first_year {}; expected last_year ≥ first_year",
            locate.key("", "last_year"),
            raw.last_year,
            raw.first_year
        );
    }
    let compute = compute_projection(raw, path, text, &locate)?;
    let needs_conversion = !matches!(
        compute,
        ComputeProjection::Energy(_) | ComputeProjection::None
    );
    let hardware = hardware(raw, path, &locate, needs_conversion)?;
    let (pue, pue_profile_path) = facility(raw, path, &locate, needs_conversion)?;
    let training = workload("training", &raw.training, path, &locate, needs_conversion)?;
    let inference = workload("inference", &raw.inference, path, &locate, needs_conversion)?;
    let regional_loads = regional_loads(raw, &locate, (&training, &inference))?;
    let (training_siting, inference_growth) = siting(raw, &locate)?;
    let (co2_rate_change_per_year_frac, firm_capacity, hardware_capital) = costs(raw, &locate)?;
    let f = &raw.flexibility;
    let scenario = Scenario {
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
        milestone_years: milestone_years(raw, &locate)?,
    };
    check_projection_energy(&scenario, raw, &locate)?;
    check_calibration(&scenario, &locate)?;
    let uncertain = uncertainty(raw, &locate, &scenario)?;
    Ok((scenario, uncertain))
}

/// `[siting]`: how training is placed (with its shares when explicit) and how inference
/// grows.
fn siting(raw: &RawScenario, locate: &KeyLocator<'_>) -> Result<(TrainingSiting, InferenceGrowth)> {
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
    Ok((training_siting, inference_growth))
}

/// `[compute]`: the projection, which must cover every study year.
fn compute_projection(
    raw: &RawScenario,
    path: &Path,
    text: Option<&str>,
    locate: &KeyLocator<'_>,
) -> Result<ComputeProjection> {
    let file = path.display();
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
    Ok(compute)
}

/// `[hardware]`: a trend, or a table that covers every study year when compute is in
/// FLOP (`needs_conversion`).
fn hardware(
    raw: &RawScenario,
    path: &Path,
    locate: &KeyLocator<'_>,
    needs_conversion: bool,
) -> Result<Hardware> {
    let file = path.display();
    let years = raw.first_year..=raw.last_year;
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
    Ok(hardware)
}

/// `[facility]`: the PUE (needed for compute in FLOP) and the PUE profile's file.
fn facility(
    raw: &RawScenario,
    path: &Path,
    locate: &KeyLocator<'_>,
    needs_conversion: bool,
) -> Result<(f64, Option<PathBuf>)> {
    let file = path.display();
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
    Ok((pue, pue_profile_path))
}

/// `[training]` or `[inference]` (`name`): utilization and power fraction (needed for
/// compute in FLOP) and the profile's file.
fn workload(
    name: &str,
    w: &RawWorkload,
    path: &Path,
    locate: &KeyLocator<'_>,
    needs_conversion: bool,
) -> Result<Workload> {
    let file = path.display();
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
