//! The `[uncertainty."key.path"]` tables: each key's parameter, distribution and range.
use super::*;
use crate::model::uncertainty::{DEFINITIONS, Holder};

/// The `[uncertainty."…"]` tables, checked: a known key path that applies to this
/// scenario, a known distribution with its keys, ranges in order and inside the
/// parameter's valid values, probabilities that sum to 1.
pub(super) fn uncertainty(
    raw: &RawScenario,
    locate: &KeyLocator<'_>,
    scenario: &Scenario,
) -> Result<Vec<Uncertain>> {
    let mut out = Vec::with_capacity(raw.uncertainty.len());
    for (path, spec) in &raw.uncertainty {
        let table = format!("uncertainty.\"{path}\"");
        let at = |key: &str| locate.key(&table, key);
        let Some(parameter) = Parameter::parse(path) else {
            let known: Vec<&str> = DEFINITIONS.iter().map(|d| d.path).collect();
            bail!(
                "{}: unknown parameter path `{}`; expected one of {}",
                at("dist"),
                crate::input::excerpt(path),
                known.join(", ")
            );
        };
        // Region-set parameters are checked against the set when a sweep loads it.
        if parameter.definition().holder == Holder::Scenario {
            if let Err(why) = parameter.central(scenario, &RegionSet::default()) {
                bail!(
                    "{}: `{path}` does not apply to this scenario: {why}",
                    at("dist")
                );
            }
        }
        let distribution = distribution(spec, &at)?;
        check_within_domain(parameter, scenario, &distribution, path, &at)?;
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

/// The distribution of one `[uncertainty."…"]` table: a known `dist` with exactly its
/// keys, in order (`at(key)` names a key's place in messages).
fn distribution(spec: &RawUncertain, at: &dyn Fn(&str) -> String) -> Result<Distribution> {
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
            discrete(spec, at)?
        }
        other => bail!(
            "{}: found `{}`, expected one of {}",
            at("dist"),
            crate::input::excerpt(other),
            Distribution::NAMES.join(", ")
        ),
    };
    Ok(distribution)
}

/// The distribution's values inside what `parameter` may take, and its spread no wider.
fn check_within_domain(
    parameter: Parameter,
    scenario: &Scenario,
    distribution: &Distribution,
    path: &str,
    at: &dyn Fn(&str) -> String,
) -> Result<()> {
    let (low, high) = parameter.domain(scenario);
    let bounds: Vec<(&str, f64)> = match distribution {
        Distribution::Uniform { low, high } | Distribution::Triangular { low, high, .. } => {
            vec![("low", *low), ("high", *high)]
        }
        Distribution::Normal { mean, .. } | Distribution::Lognormal { mean, .. } => {
            vec![("mean", *mean)]
        }
        Distribution::Discrete { values, .. } => values.iter().map(|v| ("values", *v)).collect(),
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
    if let Distribution::Normal { sd, .. } | Distribution::Lognormal { sd, .. } = distribution {
        if *sd > high - low {
            bail!(
                "{}: found {sd}, expected a standard deviation from 0 to {} (the width of the values `{path}` may take)",
                at("sd"),
                high - low
            );
        }
    }
    Ok(())
}

/// A `discrete` table: one probability in [0, 1] per value, summing to 1.
fn discrete(spec: &RawUncertain, at: &dyn Fn(&str) -> String) -> Result<Distribution> {
    let (Some(values), Some(probabilities)) = (&spec.values, &spec.probabilities) else {
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
    Ok(Distribution::Discrete {
        values: values.clone(),
        cumulative,
    })
}
