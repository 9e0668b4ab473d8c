//! Flexibility of training load (SPEC §5): curtail training in hours where baseline +
//! inference + training exceed the region's threshold, within a depth (`max_curtail_frac`
//! of the hour's training MW) and an annual budget (`max_curtailed_energy_frac` of the
//! year's training energy); optionally make the curtailed energy up later.
//!
//! * **Which hours.** When the budget covers every exceedance (each limited by the depth)
//!   all are removed. Otherwise the budget shaves the largest exceedances first: the
//!   residual of every hour is brought down to one common level `R`, the lowest the budget
//!   allows (perfect foresight over the year, as a planner studying a year would assume).
//! * **Recovery.** With `recovery_window_h > 0`, each curtailed MWh is made up, in time
//!   order, in the following hours of the window where load is below the threshold (up to
//!   the same depth above the training MW). Curtailment that cannot be made up in its
//!   window is not taken, so the year's training energy is unchanged.
//! * **Residual.** What flexibility cannot remove is the residual exceedance; its largest
//!   hour is the residual above the threshold (not a capacity measure: the threshold is
//!   the region's seasonal peak unless it asks for a capacity-based one).
//! * **Only new training flexes**, and a negative new training load (gross below what the
//!   baseline already holds) has nothing to curtail: depth and budget are never negative.
use crate::model::scenario::Flexibility;

/// What flexibility did in one region-year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FlexOutcome {
    /// Hours with load above the threshold before flexibility.
    pub hours_above_before: usize,
    /// Energy above the threshold before flexibility (MWh).
    pub energy_above_before_mwh: f64,
    /// Hours above the threshold after flexibility.
    pub hours_above_after: usize,
    /// Energy above the threshold after flexibility (MWh).
    pub energy_above_after_mwh: f64,
    /// Largest hourly exceedance of the threshold after flexibility (MW).
    pub residual_above_threshold_mw: f64,
    /// Training energy curtailed (MWh).
    pub curtailed_mwh: f64,
    /// Hours with any curtailment.
    pub curtailed_hours: usize,
    /// Curtailment events (runs of consecutive curtailed hours).
    pub curtailment_events: usize,
    /// Training energy made up later (MWh).
    pub recovered_mwh: f64,
}

/// Reusable buffers, so that a dispatch allocates nothing per hour.
#[derive(Debug, Default)]
pub struct FlexScratch {
    exceedance: Vec<(usize, f64, f64)>,
    curtail_mw: Vec<f64>,
}

/// Dispatch training flexibility. `training_after_mw` receives the training load after
/// curtailment and recovery (same length as the inputs).
#[allow(clippy::too_many_arguments)]
pub fn dispatch_training(
    baseline_mw: &[f64],
    inference_mw: &[f64],
    training_mw: &[f64],
    threshold_mw: &[f64],
    flexibility: &Flexibility,
    scratch: &mut FlexScratch,
    training_after_mw: &mut [f64],
) -> FlexOutcome {
    let hours = baseline_mw.len();
    let mut outcome = FlexOutcome::default();
    scratch.exceedance.clear();
    scratch.curtail_mw.clear();
    scratch.curtail_mw.resize(hours, 0.0);
    let mut wanted_mwh = 0.0;
    let mut training_mwh = 0.0;
    for t in 0..hours {
        training_mwh += training_mw[t];
        let excess = baseline_mw[t] + inference_mw[t] + training_mw[t] - threshold_mw[t];
        if excess > 0.0 {
            outcome.hours_above_before += 1;
            outcome.energy_above_before_mwh += excess;
            let depth_mw = (flexibility.max_curtail_frac * training_mw[t]).max(0.0);
            wanted_mwh += excess.min(depth_mw);
            scratch.exceedance.push((t, excess, depth_mw));
        }
    }
    let budget_mwh = (flexibility.max_curtailed_energy_frac * training_mwh).max(0.0);
    let level_mw = if wanted_mwh <= budget_mwh {
        0.0
    } else {
        shave_level_mw(&scratch.exceedance, budget_mwh)
    };
    for &(t, excess, depth_mw) in &scratch.exceedance {
        scratch.curtail_mw[t] = (excess - level_mw).clamp(0.0, depth_mw);
    }
    for ((after, training), curtailed) in training_after_mw
        .iter_mut()
        .zip(training_mw)
        .zip(&scratch.curtail_mw)
    {
        *after = training - curtailed;
    }
    if flexibility.recovery_window_h > 0 {
        outcome.recovered_mwh = recover(
            baseline_mw,
            inference_mw,
            training_mw,
            threshold_mw,
            flexibility,
            &mut scratch.curtail_mw,
            training_after_mw,
        );
    }
    let mut in_event = false;
    for t in 0..hours {
        let curtailed = scratch.curtail_mw[t];
        if curtailed > 0.0 {
            outcome.curtailed_mwh += curtailed;
            outcome.curtailed_hours += 1;
            outcome.curtailment_events += usize::from(!in_event);
            in_event = true;
        } else {
            in_event = false;
        }
        let residual = baseline_mw[t] + inference_mw[t] + training_after_mw[t] - threshold_mw[t];
        if residual > 0.0 {
            outcome.hours_above_after += 1;
            outcome.energy_above_after_mwh += residual;
            outcome.residual_above_threshold_mw = outcome.residual_above_threshold_mw.max(residual);
        }
    }
    outcome
}

/// The lowest common residual level `R ≥ 0` with
/// `Σ min(depth_t, max(0, excess_t − R)) ≤ budget` (bisection on the exceedance hours only).
fn shave_level_mw(exceedance: &[(usize, f64, f64)], budget_mwh: f64) -> f64 {
    let used = |level: f64| -> f64 {
        exceedance
            .iter()
            .map(|&(_, e, d)| (e - level).clamp(0.0, d))
            .sum()
    };
    let mut low = 0.0;
    let mut high = exceedance.iter().map(|&(_, e, _)| e).fold(0.0, f64::max);
    for _ in 0..100 {
        let mid = 0.5 * (low + high);
        if used(mid) > budget_mwh {
            low = mid;
        } else {
            high = mid;
        }
    }
    high
}

/// Make curtailed energy up within the window; curtailment that cannot be made up is
/// given back to the hour it was taken from. Returns the energy made up (MWh).
fn recover(
    baseline_mw: &[f64],
    inference_mw: &[f64],
    training_mw: &[f64],
    threshold_mw: &[f64],
    flexibility: &Flexibility,
    curtail_mw: &mut [f64],
    training_after_mw: &mut [f64],
) -> f64 {
    let hours = baseline_mw.len();
    let window = flexibility.recovery_window_h;
    let mut recovered_total = 0.0;
    for t in 0..hours {
        let mut owed = curtail_mw[t];
        if owed <= 0.0 {
            continue;
        }
        for u in (t + 1)..hours.min(t + 1 + window) {
            if owed <= 0.0 {
                break;
            }
            let spare = threshold_mw[u] - baseline_mw[u] - inference_mw[u] - training_after_mw[u];
            let up_room =
                training_mw[u] * (1.0 + flexibility.max_curtail_frac) - training_after_mw[u];
            let take = owed.min(spare).min(up_room);
            if take > 0.0 {
                training_after_mw[u] += take;
                owed -= take;
            }
        }
        // What the window cannot absorb is not curtailed at all.
        if owed > 0.0 {
            training_after_mw[t] += owed;
            curtail_mw[t] -= owed;
        }
        recovered_total += curtail_mw[t];
    }
    recovered_total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flex(depth: f64, budget: f64, window: usize) -> Flexibility {
        Flexibility {
            max_curtail_frac: depth,
            max_curtailed_energy_frac: budget,
            recovery_window_h: window,
            headroom_limit_frac: 0.005,
        }
    }

    /// Four hours, threshold 100, training 40: hour 1 exceeds by 5, hour 2 by 20.
    #[test]
    fn hand_case_depth_limits_the_cut() {
        let baseline = [50.0, 65.0, 80.0, 40.0];
        let inference = [0.0; 4];
        let training = [40.0; 4];
        let threshold = [100.0; 4];
        let mut after = [0.0; 4];
        let outcome = dispatch_training(
            &baseline,
            &inference,
            &training,
            &threshold,
            &flex(0.25, 1.0, 0),
            &mut FlexScratch::default(),
            &mut after,
        );
        // Depth 25 % of 40 = 10 MW: hour 1 loses 5, hour 2 loses 10 (10 MW residual).
        assert_eq!(after, [40.0, 35.0, 30.0, 40.0]);
        assert_eq!(outcome.hours_above_before, 2);
        assert!((outcome.energy_above_before_mwh - 25.0).abs() < 1e-12);
        assert!((outcome.curtailed_mwh - 15.0).abs() < 1e-12);
        assert!((outcome.residual_above_threshold_mw - 10.0).abs() < 1e-12);
        assert_eq!(outcome.curtailment_events, 1);
    }

    #[test]
    fn budget_shaves_the_largest_exceedance_first() {
        let baseline = [65.0, 80.0];
        let training = [40.0; 2];
        let threshold = [100.0; 2];
        let mut after = [0.0; 2];
        // Budget 10 % of 80 MWh = 8 MWh; exceedances 5 and 20 → level R with
        // (5−R)+ + (20−R) = 8 → R = 12: only hour 2 is cut, by 8.
        let outcome = dispatch_training(
            &baseline,
            &[0.0; 2],
            &training,
            &threshold,
            &flex(1.0, 0.1, 0),
            &mut FlexScratch::default(),
            &mut after,
        );
        assert!((outcome.curtailed_mwh - 8.0).abs() < 1e-9);
        assert!((after[1] - 32.0).abs() < 1e-9);
        assert!((outcome.residual_above_threshold_mw - 12.0).abs() < 1e-9);
    }

    #[test]
    fn recovery_keeps_the_energy() {
        let baseline = [80.0, 50.0, 50.0];
        let training = [40.0; 3];
        let threshold = [100.0; 3];
        let mut after = [0.0; 3];
        let outcome = dispatch_training(
            &baseline,
            &[0.0; 3],
            &training,
            &threshold,
            &flex(0.5, 1.0, 2),
            &mut FlexScratch::default(),
            &mut after,
        );
        assert!((after.iter().sum::<f64>() - 120.0).abs() < 1e-9);
        assert!((outcome.recovered_mwh - 20.0).abs() < 1e-9);
        assert_eq!(outcome.residual_above_threshold_mw, 0.0);
    }
}
