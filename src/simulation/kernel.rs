//! The hourly core of the simulation kernel: one region × target year × weather year in
//! one fused pass over the hours. `run` and `sweep` both call [`evaluate`]; they differ
//! only in where the inputs come from (a sweep keeps the weather year's mapped load and
//! the shapes across samples, since they do not depend on the sample) and in the scalars.
//!
//! Per hour it forms baseline, new inference, new training and the threshold from
//! sample-independent series times scalars — `baseline = raw × scale`,
//! `inference = new_inference_avg × shape` — with the same operations, in the same order,
//! as the series `run` hands to its hourly sink, so sums, maxima and exceedances do not
//! depend on which caller asked. In the same pass it sums the energies, tracks peaks and
//! ramps, collects the exceedances that flexibility dispatches and adds the region's
//! series to the region set's sums. Only hours whose training flexibility changes are
//! revisited. Nothing is allocated per hour: the caller's [`KernelScratch`] is reused.
use crate::model::scenario::Flexibility;
use crate::stages::flexibility::{
    FlexOutcome, FlexScratch, HourlyLoads, curtail_depth_mw, dispatch_collected,
};

/// What a baseline's sums and extremes are before scaling: a positive scale carries them
/// over (`max(raw) × scale` is the maximum of `raw × scale`, exactly), so the hourly pass
/// does not recompute them for every scale.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RawBaselineStats {
    /// Σ raw (MWh).
    pub sum_mwh: f64,
    /// Highest hour (MW).
    pub max_mw: f64,
    /// Highest summer hour and highest winter hour (MW; −∞ when the year has none).
    pub max_summer_mw: f64,
    /// See `max_summer_mw`.
    pub max_winter_mw: f64,
    /// Largest rise and fall from one hour to the next (MW/h).
    pub ramps_mw_per_h: (f64, f64),
}

impl RawBaselineStats {
    /// The stats of `raw` with its hours' seasons.
    #[must_use]
    pub fn of(raw: &[f64], summer: &[bool]) -> Self {
        let mut out = Self {
            max_mw: f64::NEG_INFINITY,
            max_summer_mw: f64::NEG_INFINITY,
            max_winter_mw: f64::NEG_INFINITY,
            ..Self::default()
        };
        let mut ramps = Ramps::start(raw.first().copied().unwrap_or(0.0));
        for (&value, &is_summer) in raw.iter().zip(summer) {
            out.sum_mwh += value;
            out.max_mw = out.max_mw.max(value);
            if is_summer {
                out.max_summer_mw = out.max_summer_mw.max(value);
            } else {
                out.max_winter_mw = out.max_winter_mw.max(value);
            }
            ramps.push(value);
        }
        out.ramps_mw_per_h = (ramps.up, ramps.down);
        out
    }
}

/// Sample-independent hourly inputs of one region × target year × weather year.
#[derive(Debug, Clone, Copy)]
pub struct HourInputs<'a> {
    /// The weather year's load laid onto the target year, before scaling (MW).
    pub raw_baseline_mw: &'a [f64],
    /// Its sums and extremes.
    pub raw_stats: &'a RawBaselineStats,
    /// Σ of the inference shape and of the training shape.
    pub shape_sums: (f64, f64),
    /// Inference shape (mean 1 over the year; stretched when a sweep samples its
    /// amplitude).
    pub inference_shape: &'a [f64],
    /// Training shape (mean 1).
    pub training_shape: &'a [f64],
    /// Whether the hour takes the summer threshold (else the winter one).
    pub summer: &'a [bool],
}

/// The scalars that, with [`HourInputs`], make every hourly series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Levels {
    /// Baseline scale: the weather year to the reference year's mean, grown to the target
    /// year.
    pub baseline_scale: f64,
    /// New inference load, yearly average (MW; may be negative).
    pub new_inference_avg_mw: f64,
    /// New training load, yearly average (MW; may be negative).
    pub new_training_avg_mw: f64,
    /// Threshold in summer hours (MW).
    pub threshold_summer_mw: f64,
    /// Threshold in winter hours (MW).
    pub threshold_winter_mw: f64,
}

/// What the hourly pass measures (before the row is assembled).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HourStats {
    /// Σ baseline (MWh).
    pub baseline_energy_mwh: f64,
    /// Σ new inference (MWh).
    pub new_inference_energy_mwh: f64,
    /// Σ new training before flexibility (MWh).
    pub new_training_energy_mwh: f64,
    /// Σ total before flexibility (MWh).
    pub total_energy_mwh: f64,
    /// Σ total after flexibility (MWh).
    pub total_energy_after_mwh: f64,
    /// Highest baseline hour (MW).
    pub baseline_peak_mw: f64,
    /// Highest total hour before flexibility (MW).
    pub total_peak_mw: f64,
    /// Its hour (first on ties).
    pub peak_index: usize,
    /// Highest total hour after flexibility (MW).
    pub total_peak_after_mw: f64,
    /// Largest rise and fall of the baseline (MW/h).
    pub baseline_ramps_mw_per_h: (f64, f64),
    /// Largest rise and fall of the total before flexibility (MW/h).
    pub total_ramps_mw_per_h: (f64, f64),
    /// Largest rise and fall of the total after flexibility (MW/h).
    pub total_ramps_after_mw_per_h: (f64, f64),
    /// Largest baseline − threshold (MW; may be negative).
    pub residual_without_ai_mw: f64,
    /// Largest total − threshold before flexibility (MW; may be negative).
    pub residual_before_flex_mw: f64,
    /// What flexibility did.
    pub flex: FlexOutcome,
}

/// The region set's hourly sums of one weather year, to which [`evaluate`] adds.
#[derive(Debug)]
pub struct SetSeries<'a> {
    /// Σ baseline (MW).
    pub baseline_mw: &'a mut [f64],
    /// Σ total before flexibility (MW).
    pub total_mw: &'a mut [f64],
    /// Σ total after flexibility (MW).
    pub total_after_mw: &'a mut [f64],
}

/// Every hourly series, for callers that write or analyse them (`run --hourly`, the
/// headroom metrics).
#[derive(Debug, Default)]
pub struct FullSeries {
    /// Baseline (MW).
    pub baseline_mw: Vec<f64>,
    /// New inference (MW).
    pub new_inference_mw: Vec<f64>,
    /// New training before flexibility (MW).
    pub new_training_mw: Vec<f64>,
    /// New training after flexibility (MW).
    pub new_training_after_mw: Vec<f64>,
    /// Threshold (MW).
    pub threshold_mw: Vec<f64>,
    /// Total after flexibility (MW).
    pub total_after_mw: Vec<f64>,
}

/// Reused buffers of [`evaluate`].
#[derive(Debug, Default)]
pub struct KernelScratch {
    total_mw: Vec<f64>,
    flex: FlexScratch,
}

/// The hourly values, computed on demand exactly as the fused pass computes them.
struct OnDemand<'a> {
    inputs: &'a HourInputs<'a>,
    levels: &'a Levels,
}

impl HourlyLoads for OnDemand<'_> {
    fn hours(&self) -> usize {
        self.inputs.raw_baseline_mw.len()
    }
    #[inline]
    fn baseline_mw(&self, t: usize) -> f64 {
        self.inputs.raw_baseline_mw[t] * self.levels.baseline_scale
    }
    #[inline]
    fn inference_mw(&self, t: usize) -> f64 {
        self.levels.new_inference_avg_mw * self.inputs.inference_shape[t]
    }
    #[inline]
    fn training_mw(&self, t: usize) -> f64 {
        self.levels.new_training_avg_mw * self.inputs.training_shape[t]
    }
    #[inline]
    fn threshold_mw(&self, t: usize) -> f64 {
        if self.inputs.summer[t] {
            self.levels.threshold_summer_mw
        } else {
            self.levels.threshold_winter_mw
        }
    }
}

/// Largest rise and fall over consecutive values, folded one value at a time.
#[derive(Clone, Copy)]
struct Ramps {
    previous: f64,
    up: f64,
    down: f64,
}

impl Ramps {
    fn start(first: f64) -> Self {
        Self {
            previous: first,
            up: 0.0,
            down: 0.0,
        }
    }

    // Comparisons rather than `f64::max` (a single instruction each; the loads are
    // finite, so NaN handling would only cost time).
    #[inline]
    fn push(&mut self, value: f64) {
        let change = value - self.previous;
        if change > self.up {
            self.up = change;
        }
        if -change > self.down {
            self.down = -change;
        }
        self.previous = value;
    }
}

/// Evaluate one region × target year × weather year: the fused hourly pass, training
/// flexibility, and the totals after it. Adds the region's series to `set`; with `FULL`
/// also writes every series into `full`.
///
/// # Panics
/// If the inputs are empty or of different lengths.
pub fn evaluate<const FULL: bool>(
    inputs: &HourInputs<'_>,
    levels: &Levels,
    flexibility: &Flexibility,
    scratch: &mut KernelScratch,
    set: &mut SetSeries<'_>,
    full: &mut FullSeries,
) -> HourStats {
    let hours = inputs.raw_baseline_mw.len();
    assert!(
        hours > 0
            && inputs.inference_shape.len() == hours
            && inputs.training_shape.len() == hours
            && inputs.summer.len() == hours
            && set.baseline_mw.len() == hours
            && set.total_mw.len() == hours
            && set.total_after_mw.len() == hours,
        "hourly inputs of one length"
    );
    // Slices of exactly `hours`, so the hourly loop runs without bounds checks.
    let raw = &inputs.raw_baseline_mw[..hours];
    let inference_shape = &inputs.inference_shape[..hours];
    let training_shape = &inputs.training_shape[..hours];
    let summer = &inputs.summer[..hours];
    let Levels {
        baseline_scale: scale,
        new_inference_avg_mw: inference_avg,
        new_training_avg_mw: training_avg,
        threshold_summer_mw: summer_mw,
        threshold_winter_mw: winter_mw,
    } = *levels;
    if FULL {
        for series in [
            &mut full.baseline_mw,
            &mut full.new_inference_mw,
            &mut full.new_training_mw,
            &mut full.threshold_mw,
        ] {
            series.clear();
            series.resize(hours, 0.0);
        }
    }
    scratch.total_mw.clear();
    scratch.total_mw.resize(hours, 0.0);
    scratch.flex.clear();
    let total = &mut scratch.total_mw[..hours];
    let set_baseline = &mut set.baseline_mw[..hours];
    let set_total = &mut set.total_mw[..hours];

    // What the scale carries over: energies and the baseline's extremes.
    let raw_stats = inputs.raw_stats;
    let mut s = HourStats {
        baseline_energy_mwh: raw_stats.sum_mwh * scale,
        new_inference_energy_mwh: inference_avg * inputs.shape_sums.0,
        new_training_energy_mwh: training_avg * inputs.shape_sums.1,
        baseline_peak_mw: raw_stats.max_mw * scale,
        baseline_ramps_mw_per_h: (
            raw_stats.ramps_mw_per_h.0 * scale,
            raw_stats.ramps_mw_per_h.1 * scale,
        ),
        residual_without_ai_mw: (raw_stats.max_summer_mw * scale - summer_mw)
            .max(raw_stats.max_winter_mw * scale - winter_mw),
        total_peak_mw: f64::NEG_INFINITY,
        residual_before_flex_mw: f64::NEG_INFINITY,
        ..HourStats::default()
    };
    s.total_energy_mwh =
        s.baseline_energy_mwh + s.new_inference_energy_mwh + s.new_training_energy_mwh;
    let first_total =
        (raw[0] * scale + inference_avg * inference_shape[0]) + training_avg * training_shape[0];
    let mut total_ramps = Ramps::start(first_total);
    // Loop accumulators in locals (registers), written back after the loop.
    let mut peak_mw = f64::NEG_INFINITY;
    let mut peak_index = 0;
    let mut residual_mw = f64::NEG_INFINITY;
    for t in 0..hours {
        let base = raw[t] * scale;
        let inference = inference_avg * inference_shape[t];
        let training = training_avg * training_shape[t];
        let threshold = if summer[t] { summer_mw } else { winter_mw };
        let value = base + inference + training;
        total[t] = value;
        if value > peak_mw {
            peak_mw = value;
            peak_index = t;
        }
        total_ramps.push(value);
        let excess = value - threshold;
        if excess > residual_mw {
            residual_mw = excess;
        }
        if excess > 0.0 {
            scratch
                .flex
                .push_exceedance(t, excess, curtail_depth_mw(flexibility, training));
        }
        set_baseline[t] += base;
        set_total[t] += value;
        if FULL {
            full.baseline_mw[t] = base;
            full.new_inference_mw[t] = inference;
            full.new_training_mw[t] = training;
            full.threshold_mw[t] = threshold;
        }
    }
    s.total_peak_mw = peak_mw;
    s.peak_index = peak_index;
    s.residual_before_flex_mw = residual_mw;
    s.total_ramps_mw_per_h = (total_ramps.up, total_ramps.down);

    let loads = OnDemand { inputs, levels };
    s.flex = dispatch_collected(
        &loads,
        s.new_training_energy_mwh,
        flexibility,
        &mut scratch.flex,
    );
    let changes = scratch.flex.changes();
    if FULL {
        full.new_training_after_mw.clear();
        full.new_training_after_mw
            .extend_from_slice(&full.new_training_mw);
        for &(t, after) in changes {
            full.new_training_after_mw[t] = after;
        }
    }
    if changes.is_empty() {
        s.total_peak_after_mw = s.total_peak_mw;
        s.total_ramps_after_mw_per_h = s.total_ramps_mw_per_h;
        s.total_energy_after_mwh = s.total_energy_mwh;
    } else {
        for &(t, after) in changes {
            total[t] = loads.baseline_mw(t) + loads.inference_mw(t) + after;
        }
        let mut peak = f64::NEG_INFINITY;
        let mut ramps = Ramps::start(total[0]);
        for &value in total.iter() {
            peak = peak.max(value);
            ramps.push(value);
        }
        s.total_peak_after_mw = peak;
        s.total_ramps_after_mw_per_h = (ramps.up, ramps.down);
        s.total_energy_after_mwh = s.total_energy_mwh - s.flex.curtailed_mwh + s.flex.recovered_mwh;
    }
    for (sum, value) in set.total_after_mw[..hours].iter_mut().zip(total.iter()) {
        *sum += value;
    }
    if FULL {
        full.total_after_mw.clear();
        full.total_after_mw.extend_from_slice(total);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::flexibility::dispatch_training;
    use crate::stages::metrics::{max_ramps_mw_per_h, peak};

    /// The fused pass equals the series built one by one and the slice dispatch.
    #[test]
    fn the_fused_pass_equals_the_series_one_by_one() {
        let hours = 500;
        let raw: Vec<f64> = (0..hours)
            .map(|t| {
                900.0 + 150.0 * ((t as f64) * std::f64::consts::TAU / 24.0).sin() + (t % 7) as f64
            })
            .collect();
        let inference_shape: Vec<f64> = (0..hours)
            .map(|t| 1.0 + 0.4 * ((t as f64) * 0.26).cos())
            .collect();
        let training_shape = vec![1.0; hours];
        let summer: Vec<bool> = (0..hours).map(|t| t > 200).collect();
        let raw_stats = RawBaselineStats::of(&raw, &summer);
        let inputs = HourInputs {
            raw_baseline_mw: &raw,
            raw_stats: &raw_stats,
            shape_sums: (inference_shape.iter().sum(), training_shape.iter().sum()),
            inference_shape: &inference_shape,
            training_shape: &training_shape,
            summer: &summer,
        };
        for window in [0, 8] {
            let levels = Levels {
                baseline_scale: 1.07,
                new_inference_avg_mw: 60.0,
                new_training_avg_mw: 80.0,
                threshold_summer_mw: 1150.0,
                threshold_winter_mw: 1120.0,
            };
            let flexibility = Flexibility {
                max_curtail_frac: 0.3,
                max_curtailed_energy_frac: 0.01,
                recovery_window_h: window,
                headroom_limit_frac: 0.005,
            };
            let mut set = (vec![0.0; hours], vec![0.0; hours], vec![0.0; hours]);
            let mut full = FullSeries::default();
            let stats = evaluate::<true>(
                &inputs,
                &levels,
                &flexibility,
                &mut KernelScratch::default(),
                &mut SetSeries {
                    baseline_mw: &mut set.0,
                    total_mw: &mut set.1,
                    total_after_mw: &mut set.2,
                },
                &mut full,
            );
            let mut after = vec![0.0; hours];
            let outcome = dispatch_training(
                &full.baseline_mw,
                &full.new_inference_mw,
                &full.new_training_mw,
                &full.threshold_mw,
                &flexibility,
                &mut FlexScratch::default(),
                &mut after,
            );
            assert_eq!(stats.flex, outcome);
            assert!(
                outcome.curtailed_mwh > 0.0,
                "the case curtails: {outcome:?}"
            );
            assert_eq!(after, full.new_training_after_mw);
            let total: Vec<f64> = (0..hours)
                .map(|t| full.baseline_mw[t] + full.new_inference_mw[t] + full.new_training_mw[t])
                .collect();
            let total_after: Vec<f64> = (0..hours)
                .map(|t| full.baseline_mw[t] + full.new_inference_mw[t] + after[t])
                .collect();
            assert_eq!(peak(&total), (stats.peak_index, stats.total_peak_mw));
            assert_eq!(peak(&total_after).1, stats.total_peak_after_mw);
            assert_eq!(
                max_ramps_mw_per_h(&total_after),
                stats.total_ramps_after_mw_per_h
            );
            // Scaled from the raw series' extremes: equal to rounding.
            let (up, down) = max_ramps_mw_per_h(&full.baseline_mw);
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(1.0);
            assert!(close(up, stats.baseline_ramps_mw_per_h.0));
            assert!(close(down, stats.baseline_ramps_mw_per_h.1));
            assert_eq!(peak(&full.baseline_mw).1, stats.baseline_peak_mw);
            let energy: f64 = total_after.iter().sum();
            assert!(close(energy, stats.total_energy_after_mwh));
            assert_eq!(set.2, total_after);
            assert_eq!(set.1, total);
        }
    }
}
