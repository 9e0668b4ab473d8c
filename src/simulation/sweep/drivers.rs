//! Which drawn inputs drive the spread of the set's key outputs (`drivers.csv`).
use super::*;

/// A region-set band not among the set's columns: the coincident peak with the new load
/// (before flexibility) less the baseline's coincident peak.
pub const PEAK_INCREASE_METRIC: &str = "coincident_peak_increase_mw";

/// The region-set outputs whose drivers a sweep ranks (`drivers.csv`).
pub const DRIVER_OUTPUTS: [&str; 6] = [
    PEAK_INCREASE_METRIC,
    "ai_energy_mwh",
    "firm_capacity_needed_sum_mw",
    "residual_above_threshold_sum_mw",
    "ai_co2_t",
    "flexibility_avoided_sum_mw",
];

/// The set's coincident peak increase of each run, from its metric columns (`names`
/// in column order, `columns` one per metric).
#[must_use]
pub fn set_peak_increase(names: &[&str], columns: &[Vec<f64>]) -> Option<Vec<f64>> {
    let column = |name: &str| names.iter().position(|n| *n == name).map(|i| &columns[i]);
    let (total, baseline) = (
        column("coincident_total_peak_mw")?,
        column("coincident_baseline_peak_mw")?,
    );
    Some(total.iter().zip(baseline).map(|(t, b)| t - b).collect())
}

/// Each sample's drawn inputs by key path (one value per sample), and each sample's
/// drawn weather year when one was drawn.
pub type DrawnInputs = (Vec<(String, Vec<f64>)>, Option<Vec<f64>>);

/// Each sample's drawn inputs, by key path (constant ones are dropped later, by the rank
/// measures), and the weather year of each sample when one was drawn.
#[must_use]
pub fn drawn_inputs(
    draws: &Draws,
    range: std::ops::Range<usize>,
    weather_years: &[i32],
) -> DrawnInputs {
    let mut inputs = vec![(
        "inference.shape_amplitude".to_owned(),
        draws.amplitude[range.clone()].to_vec(),
    )];
    for (j, parameter) in draws.parameters.iter().enumerate() {
        let path = parameter.path();
        if path == "inference.shape_amplitude" {
            continue;
        }
        inputs.push((path, range.clone().map(|i| draws.sample(i)[j]).collect()));
    }
    let weather = range
        .map(|i| draws.weather_index[i].map(|w| f64::from(weather_years[w])))
        .collect::<Option<Vec<f64>>>();
    (inputs, weather)
}

/// Rank the inputs that move each output over the samples: Spearman's ρ between a
/// sample's input and its output (the mean over its weather runs), and η² of the output
/// between weather years (`weather_of_run`: the weather year of each run, samples major).
/// Inputs that do not vary, and outputs with an empty cell, give no row.
#[must_use]
pub fn drivers(
    (scenario, set_id, year): (&str, &str, i32),
    outputs: &[(&str, &[f64])],
    runs_per_sample: usize,
    inputs: &[(String, Vec<f64>)],
    weather_of_run: &[f64],
) -> Vec<DriverRow> {
    use crate::stages::sensitivity::{between_group_share, spearman};
    let runs = runs_per_sample.max(1);
    let mut rows = Vec::new();
    for (output, values) in outputs {
        let per_sample: Vec<f64> = values
            .chunks_exact(runs)
            .map(|c| c.iter().sum::<f64>() / c.len() as f64)
            .collect();
        let mut found: Vec<(String, &str, f64, f64)> = inputs
            .iter()
            .filter_map(|(name, x)| {
                spearman(x, &per_sample).map(|rho| (name.clone(), "spearman", rho, rho * rho))
            })
            .collect();
        if weather_of_run.len() == values.len()
            && let Some(share) = between_group_share(weather_of_run, values)
        {
            found.push(("weather_year".to_owned(), "eta_squared", share, share));
        }
        found.sort_by(|a, b| b.3.total_cmp(&a.3).then_with(|| a.0.cmp(&b.0)));
        for (k, (input, method, value, share)) in found.into_iter().enumerate() {
            rows.push(DriverRow {
                scenario: scenario.to_owned(),
                region_set: set_id.to_owned(),
                year,
                output: (*output).to_owned(),
                input,
                method: method.to_owned(),
                value,
                share_of_rank_variance_frac: share,
                rank: i32::try_from(k + 1).unwrap_or(i32::MAX),
            });
        }
    }
    rows
}
