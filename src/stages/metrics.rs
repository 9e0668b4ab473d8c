//! Grid-strain metrics (SPEC §6) on plain hourly slices: peak, energy, ramps, load
//! factor. Exact definitions are in `docs/methodology.md`; the rows they fill are in
//! [`crate::results`].

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
