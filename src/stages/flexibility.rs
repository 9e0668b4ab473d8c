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
//! * **Residual.** What flexibility cannot remove is the residual exceedance (beyond a
//!   rounding tolerance of 1e-9 of the threshold); its largest
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

/// The hourly loads a dispatch reads: whole slices (see [`dispatch_training`]) or values
/// the simulation kernel computes on demand, bitwise equal to the ones it summed.
pub trait HourlyLoads {
    /// Number of hours.
    fn hours(&self) -> usize;
    /// Baseline (MW) in hour `t`.
    fn baseline_mw(&self, t: usize) -> f64;
    /// New inference (MW) in hour `t`.
    fn inference_mw(&self, t: usize) -> f64;
    /// New training before flexibility (MW) in hour `t`.
    fn training_mw(&self, t: usize) -> f64;
    /// Other new firm load (MW) in hour `t`: the non-AI data centres (0 by default).
    fn other_mw(&self, _t: usize) -> f64 {
        0.0
    }
    /// Threshold (MW) in hour `t`.
    fn threshold_mw(&self, t: usize) -> f64;
}

/// Four slices of equal length.
struct Slices<'a> {
    baseline_mw: &'a [f64],
    inference_mw: &'a [f64],
    training_mw: &'a [f64],
    threshold_mw: &'a [f64],
}

impl HourlyLoads for Slices<'_> {
    fn hours(&self) -> usize {
        self.baseline_mw.len()
    }
    fn baseline_mw(&self, t: usize) -> f64 {
        self.baseline_mw[t]
    }
    fn inference_mw(&self, t: usize) -> f64 {
        self.inference_mw[t]
    }
    fn training_mw(&self, t: usize) -> f64 {
        self.training_mw[t]
    }
    fn threshold_mw(&self, t: usize) -> f64 {
        self.threshold_mw[t]
    }
}

/// Relative size below which a residual after flexibility is rounding, not an excess.
pub const ROUNDING_TOLERANCE_FRAC: f64 = 1e-9;

/// Reusable buffers, so that a dispatch allocates nothing per hour.
#[derive(Debug, Default)]
pub struct FlexScratch {
    /// Hours above the threshold before flexibility: (hour, excess MW, depth MW), in time
    /// order.
    exceedance: Vec<(usize, f64, f64)>,
    /// Curtailment (MW) of each exceedance.
    curtail_mw: Vec<f64>,
    /// Breakpoints of the shave solve: (level MW, change of slope).
    breakpoints: Vec<(f64, f64)>,
    /// Dense curtailment and training after flexibility: only with a recovery window.
    dense_curtail_mw: Vec<f64>,
    dense_after_mw: Vec<f64>,
    /// Hours whose training changed, with the training after flexibility (MW), in time
    /// order.
    changes: Vec<(usize, f64)>,
}

impl FlexScratch {
    /// Start collecting a new region-year's exceedances.
    pub fn clear(&mut self) {
        self.exceedance.clear();
    }

    /// Record hour `t` above the threshold by `excess_mw`, with `training_mw` of new
    /// training that may be cut by `max_curtail_frac` of it (call in time order).
    #[inline]
    pub fn push_exceedance(&mut self, t: usize, excess_mw: f64, depth_mw: f64) {
        self.exceedance.push((t, excess_mw, depth_mw));
    }

    /// Hours whose training changed in the last dispatch, with the training after
    /// flexibility (MW), in time order; every other hour keeps its training.
    #[must_use]
    pub fn changes(&self) -> &[(usize, f64)] {
        &self.changes
    }
}

/// Dispatch training flexibility on whole slices. `training_after_mw` receives the training
/// load after curtailment and recovery (same length as the inputs).
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
    let loads = Slices {
        baseline_mw,
        inference_mw,
        training_mw,
        threshold_mw,
    };
    scratch.clear();
    let mut training_mwh = 0.0;
    for t in 0..baseline_mw.len() {
        training_mwh += training_mw[t];
        let excess = baseline_mw[t] + inference_mw[t] + training_mw[t] - threshold_mw[t];
        if excess > 0.0 {
            scratch.push_exceedance(t, excess, curtail_depth_mw(flexibility, training_mw[t]));
        }
    }
    let outcome = dispatch_collected(&loads, training_mwh, flexibility, scratch);
    training_after_mw.copy_from_slice(training_mw);
    for &(t, after) in &scratch.changes {
        training_after_mw[t] = after;
    }
    outcome
}

/// How much of `training_mw` one hour may lose (MW, never negative).
#[inline]
#[must_use]
pub fn curtail_depth_mw(flexibility: &Flexibility, training_mw: f64) -> f64 {
    (flexibility.max_curtail_frac * training_mw).max(0.0)
}

/// Dispatch on exceedances already collected in `scratch` (in time order, with
/// [`curtail_depth_mw`] depths), for a year of `training_mwh` new training energy. Only
/// the exceedance hours and the recovery windows after them are read from `loads`; the
/// hours whose training changes are left in [`FlexScratch::changes`].
pub fn dispatch_collected(
    loads: &impl HourlyLoads,
    training_mwh: f64,
    flexibility: &Flexibility,
    scratch: &mut FlexScratch,
) -> FlexOutcome {
    let mut outcome = FlexOutcome::default();
    let mut wanted_mwh = 0.0;
    for &(_, excess, depth_mw) in &scratch.exceedance {
        outcome.hours_above_before += 1;
        outcome.energy_above_before_mwh += excess;
        wanted_mwh += excess.min(depth_mw);
    }
    let budget_mwh = (flexibility.max_curtailed_energy_frac * training_mwh).max(0.0);
    let level_mw = if wanted_mwh <= budget_mwh {
        0.0
    } else {
        shave_level_mw(&scratch.exceedance, budget_mwh, &mut scratch.breakpoints)
    };
    scratch.curtail_mw.clear();
    scratch.curtail_mw.extend(
        scratch
            .exceedance
            .iter()
            .map(|&(_, excess, depth_mw)| (excess - level_mw).clamp(0.0, depth_mw)),
    );
    scratch.changes.clear();
    let any_curtailed = scratch.curtail_mw.iter().any(|&c| c > 0.0);
    if flexibility.recovery_window_h > 0 && any_curtailed {
        outcome.recovered_mwh = recover(loads, flexibility, scratch);
    } else {
        for (&(t, _, _), &curtailed) in scratch.exceedance.iter().zip(&scratch.curtail_mw) {
            if curtailed > 0.0 {
                scratch.changes.push((t, loads.training_mw(t) - curtailed));
            }
        }
    }
    // Events: runs of consecutive curtailed hours.
    let mut last_curtailed: Option<usize> = None;
    for (&(t, _, _), &curtailed) in scratch.exceedance.iter().zip(&scratch.curtail_mw) {
        if curtailed > 0.0 {
            outcome.curtailed_mwh += curtailed;
            outcome.curtailed_hours += 1;
            if last_curtailed.is_none_or(|last| last + 1 != t) {
                outcome.curtailment_events += 1;
            }
            last_curtailed = Some(t);
        }
    }
    // Residuals after flexibility: only exceedance hours and changed hours can be above.
    let (exceedance, changes) = (&scratch.exceedance, &scratch.changes);
    let (mut i, mut j) = (0, 0);
    while i < exceedance.len() || j < changes.len() {
        let te = exceedance.get(i).map_or(usize::MAX, |e| e.0);
        let tc = changes.get(j).map_or(usize::MAX, |c| c.0);
        let t = te.min(tc);
        let after = if tc == t {
            changes[j].1
        } else {
            loads.training_mw(t)
        };
        i += usize::from(te == t);
        j += usize::from(tc == t);
        let threshold = loads.threshold_mw(t);
        let residual =
            loads.baseline_mw(t) + loads.inference_mw(t) + after + loads.other_mw(t) - threshold;
        // Curtailing exactly to the threshold (or recovering exactly up to it) leaves a
        // rounding remainder of ~1e-12 MW: not an hour above the threshold.
        if residual > ROUNDING_TOLERANCE_FRAC * threshold.abs().max(1.0) {
            outcome.hours_above_after += 1;
            outcome.energy_above_after_mwh += residual;
            outcome.residual_above_threshold_mw = outcome.residual_above_threshold_mw.max(residual);
        }
    }
    outcome
}

/// The lowest common residual level `R ≥ 0` with
/// `Σ min(depth_t, max(0, excess_t − R)) ≤ budget`, solved exactly: the energy used is
/// piecewise linear in `R` with breakpoints at `excess − depth` and `excess`, so the solve
/// sorts the breakpoints and walks them (O(n log n) in the exceedance hours).
fn shave_level_mw(
    exceedance: &[(usize, f64, f64)],
    budget_mwh: f64,
    breakpoints: &mut Vec<(f64, f64)>,
) -> f64 {
    breakpoints.clear();
    let mut used_mwh = 0.0;
    let mut slope = 0.0;
    for &(_, excess, depth_mw) in exceedance {
        if depth_mw <= 0.0 {
            continue;
        }
        used_mwh += excess.min(depth_mw);
        let start = excess - depth_mw;
        if start > 0.0 {
            breakpoints.push((start, -1.0));
        } else {
            slope -= 1.0;
        }
        breakpoints.push((excess, 1.0));
    }
    breakpoints.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut level = 0.0;
    for &(at, change) in breakpoints.iter() {
        let used_at = used_mwh + slope * (at - level);
        if used_at <= budget_mwh && slope < 0.0 {
            return (level + (used_mwh - budget_mwh) / -slope).clamp(level, at);
        }
        used_mwh = used_at;
        level = at;
        slope += change;
    }
    level
}

/// Make curtailed energy up within the window; curtailment that cannot be made up is
/// given back to the hour it was taken from. Returns the energy made up (MWh); leaves the
/// curtailment of each exceedance and the changed hours in `scratch`.
fn recover(loads: &impl HourlyLoads, flexibility: &Flexibility, scratch: &mut FlexScratch) -> f64 {
    let hours = loads.hours();
    let window = flexibility.recovery_window_h;
    let curtail_mw = &mut scratch.dense_curtail_mw;
    let training_after_mw = &mut scratch.dense_after_mw;
    curtail_mw.clear();
    curtail_mw.resize(hours, 0.0);
    training_after_mw.clear();
    training_after_mw.extend((0..hours).map(|t| loads.training_mw(t)));
    for (&(t, _, _), &curtailed) in scratch.exceedance.iter().zip(&scratch.curtail_mw) {
        curtail_mw[t] = curtailed;
        training_after_mw[t] = loads.training_mw(t) - curtailed;
    }
    let mut recovered_total = 0.0;
    for &(t, _, _) in &scratch.exceedance {
        let mut owed = curtail_mw[t];
        if owed <= 0.0 {
            continue;
        }
        #[allow(clippy::needless_range_loop)]
        for u in (t + 1)..hours.min(t + 1 + window) {
            if owed <= 0.0 {
                break;
            }
            let spare = loads.threshold_mw(u)
                - loads.baseline_mw(u)
                - loads.inference_mw(u)
                - training_after_mw[u]
                - loads.other_mw(u);
            let up_room =
                loads.training_mw(u) * (1.0 + flexibility.max_curtail_frac) - training_after_mw[u];
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
    for (entry, curtailed) in scratch.exceedance.iter().zip(scratch.curtail_mw.iter_mut()) {
        *curtailed = curtail_mw[entry.0];
    }
    for (t, &after) in training_after_mw.iter().enumerate() {
        if after != loads.training_mw(t) || curtail_mw[t] > 0.0 {
            scratch.changes.push((t, after));
        }
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
            flexible_inference_frac: 0.0,
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
