//! Grid-strain metrics (SPEC §6) on plain hourly slices, and the rows they fill. Exact
//! definitions are in `docs/methodology.md`; every column name carries its unit.
use crate::headroom::CurtailmentStats;

/// Highest value and its index (the first if several tie); `(0, 0.0)` for empty input.
#[must_use]
pub fn peak(values: &[f64]) -> (usize, f64) {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, v) in values.iter().enumerate() {
        if *v > best.1 {
            best = (i, *v);
        }
    }
    if values.is_empty() { (0, 0.0) } else { best }
}

/// Energy of an hourly MW series (MWh): each value lasts one hour.
#[must_use]
pub fn energy_mwh(values_mw: &[f64]) -> f64 {
    values_mw.iter().sum()
}

/// Largest hour-to-hour rise and fall (MW/h), both ≥ 0.
#[must_use]
pub fn max_ramps_mw_per_h(values: &[f64]) -> (f64, f64) {
    let mut up = 0.0_f64;
    let mut down = 0.0_f64;
    for pair in values.windows(2) {
        let change = pair[1] - pair[0];
        up = up.max(change);
        down = down.max(-change);
    }
    (up, down)
}

/// Load factor: mean over peak (fraction); 0 for an empty or all-zero series.
#[must_use]
pub fn load_factor_frac(values: &[f64]) -> f64 {
    let (_, peak_mw) = peak(values);
    if peak_mw <= 0.0 {
        0.0
    } else {
        energy_mwh(values) / values.len() as f64 / peak_mw
    }
}

/// One row of `metrics.csv`: scenario × region × year × weather year.
#[derive(Debug, Clone, Default, PartialEq)]
#[allow(missing_docs)]
pub struct MetricsRow {
    pub scenario: String,
    pub region: String,
    pub year: i32,
    pub weather_year: i32,
    pub hours: f64,
    pub baseline_energy_mwh: f64,
    pub training_energy_mwh: f64,
    pub inference_energy_mwh: f64,
    pub ai_energy_mwh: f64,
    pub ai_energy_share_frac: f64,
    pub training_average_mw: f64,
    pub inference_average_mw: f64,
    pub baseline_peak_mw: f64,
    pub total_peak_mw: f64,
    pub peak_increase_mw: f64,
    pub peak_increase_frac: f64,
    pub total_peak_hour_utc: String,
    pub ai_at_peak_mw: f64,
    pub inference_at_peak_mw: f64,
    pub training_at_peak_mw: f64,
    pub total_peak_after_flex_mw: f64,
    pub baseline_load_factor_frac: f64,
    pub total_load_factor_frac: f64,
    pub total_load_factor_after_flex_frac: f64,
    pub baseline_max_ramp_up_mw_per_h: f64,
    pub baseline_max_ramp_down_mw_per_h: f64,
    pub total_max_ramp_up_mw_per_h: f64,
    pub total_max_ramp_down_mw_per_h: f64,
    pub total_max_ramp_up_after_flex_mw_per_h: f64,
    pub total_max_ramp_down_after_flex_mw_per_h: f64,
    pub threshold_summer_mw: f64,
    pub threshold_winter_mw: f64,
    pub hours_above_threshold_before: f64,
    pub energy_above_threshold_before_mwh: f64,
    pub hours_above_threshold_after: f64,
    pub energy_above_threshold_after_mwh: f64,
    pub training_curtailed_mwh: f64,
    pub curtailment_rate_frac: f64,
    pub curtailed_hours: f64,
    pub curtailment_events: f64,
    pub mean_curtailment_event_h: f64,
    pub training_recovered_mwh: f64,
    pub firm_shortfall_mw: f64,
    pub reserve_margin_before_frac: Option<f64>,
    pub reserve_margin_after_frac: Option<f64>,
    pub headroom_baseline_mw: f64,
    pub headroom_after_inference_mw: f64,
    pub headroom_after_ai_mw: f64,
    pub inference_shaped_headroom_mw: f64,
}

/// One row of `regionset_metrics.csv`: scenario × region set × year × weather year.
#[derive(Debug, Clone, Default, PartialEq)]
#[allow(missing_docs)]
pub struct SetMetricsRow {
    pub scenario: String,
    pub region_set: String,
    pub year: i32,
    pub weather_year: i32,
    pub baseline_energy_mwh: f64,
    pub training_energy_mwh: f64,
    pub inference_energy_mwh: f64,
    pub ai_energy_mwh: f64,
    pub coincident_baseline_peak_mw: f64,
    pub coincident_total_peak_mw: f64,
    pub coincident_total_peak_after_flex_mw: f64,
    pub noncoincident_sum_of_peaks_mw: f64,
    pub training_curtailed_mwh: f64,
    pub firm_shortfall_sum_mw: f64,
    pub unallocated_training_mw: f64,
    pub unallocated_inference_mw: f64,
}

/// Headroom summary of a region (or the total) at one limit, for `headroom.csv`.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub struct HeadroomRow {
    pub region: String,
    pub limit_pct: f64,
    pub headroom_mw: f64,
    pub stats: CurtailmentStats,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_metrics_on_a_hand_case() {
        let values = [10.0, 30.0, 20.0, 20.0];
        assert_eq!(peak(&values), (1, 30.0));
        assert_eq!(energy_mwh(&values), 80.0);
        assert_eq!(max_ramps_mw_per_h(&values), (20.0, 10.0));
        assert!((load_factor_frac(&values) - 20.0 / 30.0).abs() < 1e-15);
    }
}
