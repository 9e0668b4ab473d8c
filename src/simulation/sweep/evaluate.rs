//! One sample's hours through the kernel (pruned or full), its region and set rows,
//! a year at a time.
use super::*;
use crate::model::region::Region;
use crate::simulation::kernel::HourStats;

/// Per-sample work buffers.
#[derive(Default)]
pub(super) struct SampleScratch {
    pub(super) kernel: KernelScratch,
    pub(super) stretched: Vec<f64>,
    pub(super) full: crate::simulation::kernel::FullSeries,
    pub(super) numbers: Vec<f64>,
    pub(super) runs: Vec<RegionRun>,
    pub(super) union: Vec<usize>,
    pub(super) zone_levels: Vec<(f64, f64)>,
    /// Set sums the full pass adds to when it stands in for the pruned one (unused).
    pub(super) spare: (Vec<f64>, Vec<f64>, Vec<f64>),
    /// Region-years the pruned evaluation handed to the full pass.
    pub(super) fallbacks: u64,
}

/// Samples handed to the per-sample sink at a time (bounds the rows kept in memory).
pub(super) const SINK_CHUNK_SAMPLES: usize = 256;

/// Every sample's values for one target year.
#[allow(clippy::too_many_arguments)]
pub(super) fn evaluate_year(
    study: &Study,
    prepared: &[PreparedRegion<'_>],
    inputs: &YearInputs,
    draws: &Draws,
    (plans, first_sample): (&[(Scenario, RegionSet, SitingPlan)], usize),
    runs_per_sample: usize,
    engine: Engine,
    sink: Option<&dyn SampleSink>,
    on_sample: &(dyn Fn() + Sync),
) -> Result<YearValues> {
    let region_m = MetricsRow::metric_names().len();
    let set_m = SetMetricsRow::metric_names().len();
    let n_regions = study.regions.regions.len();
    let samples = plans.len();
    let mut regions = vec![0.0; samples * runs_per_sample * n_regions * region_m];
    let mut sets = vec![0.0; samples * runs_per_sample * set_m];
    let region_stride = runs_per_sample * n_regions * region_m;
    let set_stride = runs_per_sample * set_m;
    let chunk = if sink.is_some() {
        SINK_CHUNK_SAMPLES
    } else {
        samples
    };
    for (c, (region_chunk, set_chunk)) in regions
        .chunks_mut(chunk * region_stride)
        .zip(sets.chunks_mut(chunk * set_stride))
        .enumerate()
    {
        let rows: Vec<KeptRows> = region_chunk
            .par_chunks_mut(region_stride)
            .zip(set_chunk.par_chunks_mut(set_stride))
            .enumerate()
            .map_init(
                SampleScratch::default,
                |scratch, (k, (region_out, set_out))| {
                    let local = c * chunk + k;
                    let kept = evaluate_sample(
                        study,
                        prepared,
                        inputs,
                        draws,
                        engine,
                        &plans[local],
                        first_sample + local,
                        scratch,
                        (region_out, set_out),
                        sink.is_some(),
                    );
                    on_sample();
                    kept
                },
            )
            .collect();
        if let Some(sink) = sink {
            let (r, s): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
            sink.accept(&r.concat(), &s.concat())?;
        }
    }
    Ok(YearValues { regions, sets })
}

/// One region on one weather year within a sample: what the set's peaks need.
#[derive(Default)]
pub(super) struct RegionRun {
    pub(super) levels: Option<Levels>,
    /// Training after flexibility where it changed (hour, MW).
    pub(super) changes: Vec<(usize, f64)>,
}

/// One sample in one target year: every region on its weather year(s), written to its
/// own slots (`region_out`: weather year × region × metric; `set_out`: weather year ×
/// metric). Returns the labelled rows when `keep_rows`.
#[allow(clippy::too_many_arguments)]
pub(super) fn evaluate_sample(
    study: &Study,
    prepared: &[PreparedRegion<'_>],
    inputs: &YearInputs,
    draws: &Draws,
    engine: Engine,
    (scenario, regions, plan): &(Scenario, RegionSet, SitingPlan),
    i: usize,
    scratch: &mut SampleScratch,
    (region_out, set_out): (&mut [f64], &mut [f64]),
    keep_rows: bool,
) -> KeptRows {
    let sample = SampleRun {
        study,
        inputs,
        engine,
        scenario,
        plan,
        i,
        k: draws.amplitude[i],
        weather: match &draws.weather_index[i] {
            Some(w) => std::slice::from_ref(w),
            None => &inputs.all_weather,
        },
        y: plan.index(inputs.year),
        n_regions: regions.regions.len(),
        keep_rows,
    };
    scratch
        .runs
        .resize_with(sample.weather.len() * sample.n_regions, RegionRun::default);
    let mut set_rows = sample.new_set_rows(regions);
    let mut kept_regions = Vec::new();
    for (r, (region, data)) in regions.regions.iter().zip(prepared).enumerate() {
        sample.evaluate_region(
            (r, region, data),
            scratch,
            (&mut *region_out, &mut set_rows, &mut kept_regions),
        );
    }
    let kept_sets = sample.finish_set_rows(set_rows, scratch, set_out);
    // Per-sample rows in weather-year, then region order.
    kept_regions.sort_by_key(|(slot, _, _)| *slot);
    (
        kept_regions.into_iter().map(|(_, i, m)| (i, m)).collect(),
        kept_sets,
    )
}

/// A region's labelled row of one weather-year slot, kept for `--per-sample`.
type KeptRegion = (usize, u32, MetricsRow);

/// What every region and weather year of one sample in one target year shares.
struct SampleRun<'a> {
    study: &'a Study,
    inputs: &'a YearInputs,
    engine: Engine,
    scenario: &'a Scenario,
    plan: &'a SitingPlan,
    /// The sample, its inference amplitude and its weather years (indices).
    i: usize,
    k: f64,
    weather: &'a [usize],
    /// The target year's index among the plan's siting years.
    y: usize,
    n_regions: usize,
    keep_rows: bool,
}

impl SampleRun<'_> {
    /// The set's row of each weather year, opened with what the plan leaves unallocated
    /// or outside the set (labels only when rows are kept).
    fn new_set_rows(&self, regions: &RegionSet) -> Vec<SetMetricsRow> {
        let (plan, y) = (self.plan, self.y);
        self.weather
            .iter()
            .map(|&w_index| SetMetricsRow {
                scenario: if self.keep_rows {
                    self.scenario.name.clone()
                } else {
                    String::new()
                },
                region_set: if self.keep_rows {
                    regions.id.clone()
                } else {
                    String::new()
                },
                year: self.inputs.year,
                weather_year: self.study.weather_years[w_index],
                unallocated_training_mw: plan.training[y].unallocated_mw,
                unallocated_inference_mw: plan.inference[y].unallocated_mw,
                outside_set_training_mw: plan.training[y].outside_set_mw,
                outside_set_inference_mw: plan.inference[y].outside_set_mw,
                ..SetMetricsRow::default()
            })
            .collect()
    }

    /// Region `r` on each of the sample's weather years: its hours (pruned, or in full
    /// when the pruned pass cannot decide), what the set's peaks need of it, its row into
    /// its slot of `region_out` and into the set's row (`set_rows`), kept when asked.
    fn evaluate_region(
        &self,
        (r, region, data): (usize, &Region, &PreparedRegion<'_>),
        scratch: &mut SampleScratch,
        (region_out, set_rows, kept_regions): (
            &mut [f64],
            &mut [SetMetricsRow],
            &mut Vec<KeptRegion>,
        ),
    ) {
        let (inputs, k, year) = (self.inputs, self.k, self.inputs.year);
        let ri = &inputs.regions[r];
        let inference_shape_sum = if k == 1.0 {
            ri.inference_shape_sum
        } else {
            // Σ s′ = n + k (Σ s − n): no pass over the hours.
            let n = inputs.summer.len() as f64;
            n + k * (ri.inference_shape_sum - n)
        };
        let context = RegionYear::new(
            self.scenario,
            region,
            self.plan,
            (r, self.y, year),
            (inference_shape_sum, ri.training_shape_sum),
            (
                data.threshold_levels_mw(region, year),
                data.design_peak_mw(region, year),
            ),
        );
        let region_m = region_out.len() / self.weather.len() / self.n_regions;
        let mut stretched = false;
        let growth = (1.0 + region.baseline_growth_per_year_frac).powi(year - data.reference_year);
        for (slot, &w_index) in self.weather.iter().enumerate() {
            let w = self.study.weather_years[w_index];
            // `baseline_scale`'s own arithmetic, with its two means kept from the year's
            // inputs: (reference mean / weather mean) × growth.
            let scale = ri.set_weight[w_index] * growth;
            let levels = context.levels(scale);
            let pruned_inputs = self.pruned_inputs(ri, w_index, inference_shape_sum);
            let stats = self.region_stats(
                (ri, w_index, inference_shape_sum),
                &pruned_inputs,
                &levels,
                &mut stretched,
                scratch,
            );
            let run = &mut scratch.runs[slot * self.n_regions + r];
            run.levels = Some(levels);
            run.changes.clear();
            run.changes.extend_from_slice(scratch.kernel.changes());
            let hour_inputs = hour_inputs(inputs, ri, w_index, inference_shape_sum);
            let mut metrics = context.row(
                w,
                &hour_inputs(&ri.inference_shape),
                &stats,
                &HeadroomMetrics::not_computed(),
                None,
                self.keep_rows,
            );
            // The row read the unstretched shape at the peak hour: put the stretched one.
            let s_peak = pruned_inputs.inference_shape_at(stats.peak_index);
            metrics.inference_at_peak_mw = context.inference_avg_mw * s_peak;
            metrics.ai_at_peak_mw = metrics.inference_at_peak_mw + metrics.training_at_peak_mw;
            metrics.new_ai_at_peak_mw = levels.new_inference_avg_mw * s_peak
                + levels.new_training_avg_mw * ri.training_shape[stats.peak_index];
            metrics.new_datacentre_at_peak_mw = metrics.new_ai_at_peak_mw + levels.new_non_ai_mw;
            add_to_set_row(&mut set_rows[slot], &metrics);
            scratch.numbers.clear();
            metrics.push_metrics(&mut scratch.numbers);
            let at = (slot * self.n_regions + r) * region_m;
            region_out[at..at + region_m].copy_from_slice(&scratch.numbers);
            if self.keep_rows {
                kept_regions.push((slot, self.i as u32, metrics));
            }
        }
    }

    /// What the pruned pass reads of region `ri` on weather year `w_index`.
    fn pruned_inputs<'b>(
        &self,
        ri: &'b RegionYearInputs,
        w_index: usize,
        inference_shape_sum: f64,
    ) -> PrunedInputs<'b>
    where
        Self: 'b,
    {
        PrunedInputs {
            raw_baseline_mw: &ri.raw_baseline[w_index],
            raw_stats: &ri.raw_stats[w_index],
            order: &ri.orders[w_index],
            inference_shape: &ri.inference_shape,
            inference_stats: &ri.inference_stats,
            amplitude: self.k,
            training_shape: &ri.training_shape,
            training_stats: &ri.training_stats,
            shape_sums: (inference_shape_sum, ri.training_shape_sum),
            summer: &self.inputs.summer,
        }
    }

    /// A region's hour statistics on one weather year: the pruned pass, or — when the
    /// engine is `Full` or the pruned pass cannot decide — every hour, on the stretched
    /// shape (made once per region, `stretched` says whether it is) with the set's sums
    /// aside (the set's peaks come from its own scan).
    fn region_stats(
        &self,
        (ri, w_index, inference_shape_sum): (&RegionYearInputs, usize, f64),
        pruned_inputs: &PrunedInputs<'_>,
        levels: &Levels,
        stretched: &mut bool,
        scratch: &mut SampleScratch,
    ) -> HourStats {
        let (k, flexibility) = (self.k, &self.scenario.flexibility);
        let pruned = match self.engine {
            Engine::Pruned => {
                evaluate_pruned(pruned_inputs, levels, flexibility, &mut scratch.kernel)
            }
            Engine::Full => None,
        };
        if let Some(stats) = pruned {
            return stats;
        }
        // Every hour: the stretched shape in full, the set's sums aside.
        if !*stretched {
            scratch.stretched.clear();
            scratch.stretched.extend(
                ri.inference_shape
                    .iter()
                    .map(|s| if k == 1.0 { *s } else { 1.0 + k * (s - 1.0) }),
            );
            *stretched = true;
        }
        let hours = self.inputs.summer.len();
        for series in [
            &mut scratch.spare.0,
            &mut scratch.spare.1,
            &mut scratch.spare.2,
        ] {
            series.clear();
            series.resize(hours, 0.0);
        }
        scratch.fallbacks += 1;
        evaluate::<false>(
            &hour_inputs(self.inputs, ri, w_index, inference_shape_sum)(&scratch.stretched),
            levels,
            flexibility,
            &mut scratch.kernel,
            &mut SetSeries {
                baseline_mw: &mut scratch.spare.0,
                total_mw: &mut scratch.spare.1,
                total_after_mw: &mut scratch.spare.2,
            },
            &mut scratch.full,
        )
    }

    /// Close each weather year's set row with the set's coincident peaks (pruned scan, or
    /// every hour when it cannot decide) and write it into its slot of `set_out`; returns
    /// the labelled rows when kept.
    fn finish_set_rows(
        &self,
        set_rows: Vec<SetMetricsRow>,
        scratch: &mut SampleScratch,
        set_out: &mut [f64],
    ) -> Vec<(u32, SetMetricsRow)> {
        let (inputs, k, n_regions) = (self.inputs, self.k, self.n_regions);
        let set_m = set_out.len() / self.weather.len();
        let mut kept_sets = Vec::new();
        for (slot, (mut set_row, &w_index)) in set_rows.into_iter().zip(self.weather).enumerate() {
            let runs = &scratch.runs[slot * n_regions..(slot + 1) * n_regions];
            let peaks = match self.engine {
                Engine::Pruned => set_peaks_pruned(
                    inputs,
                    w_index,
                    k,
                    runs,
                    self.scenario.flexibility.recovery_window_h > 0,
                    (&mut scratch.union, &mut scratch.zone_levels),
                ),
                Engine::Full => None,
            }
            .unwrap_or_else(|| set_peaks_full(inputs, w_index, k, runs));
            (
                set_row.coincident_baseline_peak_mw,
                set_row.coincident_total_peak_mw,
                set_row.coincident_total_peak_after_flex_mw,
            ) = peaks;
            scratch.numbers.clear();
            set_row.push_metrics(&mut scratch.numbers);
            set_out[slot * set_m..(slot + 1) * set_m].copy_from_slice(&scratch.numbers);
            if self.keep_rows {
                kept_sets.push((self.i as u32, set_row));
            }
        }
        kept_sets
    }
}

/// The full pass's inputs of region `ri` on weather year `w_index`, given an inference
/// shape (the region's own, or the sample's stretched copy).
fn hour_inputs<'b>(
    inputs: &'b YearInputs,
    ri: &'b RegionYearInputs,
    w_index: usize,
    inference_shape_sum: f64,
) -> impl Fn(&'b [f64]) -> HourInputs<'b> {
    move |inference_shape| HourInputs {
        raw_baseline_mw: &ri.raw_baseline[w_index],
        raw_stats: &ri.raw_stats[w_index],
        shape_sums: (inference_shape_sum, ri.training_shape_sum),
        inference_shape,
        training_shape: &ri.training_shape,
        summer: &inputs.summer,
    }
}

/// One region's hourly values on one weather year in a sample, with the full pass's
/// arithmetic: (baseline, total before flexibility, total after it).
#[inline]
pub(super) fn region_values(
    ri: &RegionYearInputs,
    w: usize,
    k: f64,
    run: &RegionRun,
    t: usize,
) -> (f64, f64, f64) {
    let levels = run.levels.as_ref().expect("every region ran");
    let s = ri.inference_shape[t];
    let shape = if k == 1.0 { s } else { 1.0 + k * (s - 1.0) };
    let base = ri.raw_baseline[w][t] * levels.baseline_scale;
    let inference = levels.new_inference_avg_mw * shape;
    let training = levels.new_training_avg_mw * ri.training_shape[t];
    let total = base + inference + training + levels.new_non_ai_mw;
    let after = if run.changes.is_empty() {
        total
    } else {
        match run.changes.binary_search_by_key(&t, |c| c.0) {
            Ok(i) => base + inference + run.changes[i].1 + levels.new_non_ai_mw,
            Err(_) => total,
        }
    };
    (base, total, after)
}

/// The set's coincident peaks (baseline, total before and after flexibility) summed in
/// region order hour by hour, as the full pass sums them.
pub(super) fn set_sums_at(
    inputs: &YearInputs,
    w: usize,
    k: f64,
    runs: &[RegionRun],
    t: usize,
) -> (f64, f64, f64) {
    let mut sums = (0.0, 0.0, 0.0);
    for (ri, run) in inputs.regions.iter().zip(runs) {
        let (base, total, after) = region_values(ri, w, k, run, t);
        sums.0 += base;
        sums.1 += total;
        sums.2 += after;
    }
    sums
}

/// The set's coincident peaks over every hour.
pub(super) fn set_peaks_full(
    inputs: &YearInputs,
    w: usize,
    k: f64,
    runs: &[RegionRun],
) -> (f64, f64, f64) {
    let mut peaks = (f64::NEG_INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for t in 0..inputs.summer.len() {
        let (base, total, after) = set_sums_at(inputs, w, k, runs, t);
        peaks.0 = peaks.0.max(base);
        peaks.1 = peaks.1.max(total);
        peaks.2 = peaks.2.max(after);
    }
    peaks
}

/// The set's coincident peaks from the few hours that can hold them: hours scanned by the
/// set's key `Σ_r weight_r · raw_r(t)` while `growth_max · key + ai_high` can beat the
/// best (`growth_max` bounds each region's `scale / weight`, `ai_high` what the AI terms
/// add in any hour — per time zone, since a zone's regions share their shapes), plus the
/// hours where some region's flexibility changed its load. `None` when the scan runs out
/// or the bound does not hold (a negative raw value).
pub(super) fn set_peaks_pruned(
    inputs: &YearInputs,
    w: usize,
    k: f64,
    runs: &[RegionRun],
    recovery: bool,
    (union, zone_levels): (&mut Vec<usize>, &mut Vec<(f64, f64)>),
) -> Option<(f64, f64, f64)> {
    if !inputs.set_bound_valid[w] {
        return None;
    }
    let stretch = |x: f64| if k == 1.0 { x } else { 1.0 + k * (x - 1.0) };
    zone_levels.clear();
    zone_levels.resize(inputs.zone_shapes.len(), (0.0, 0.0));
    let mut growth_max = 0.0_f64;
    let mut magnitude = 1.0;
    // The flat non-AI terms add the same to every hour of the set.
    let mut non_ai_mw = 0.0;
    for ((ri, run), &z) in inputs.regions.iter().zip(runs).zip(&inputs.zone_of_region) {
        let levels = run.levels.as_ref()?;
        let weight = ri.set_weight[w];
        if weight <= 0.0 {
            return None;
        }
        growth_max = growth_max.max(levels.baseline_scale / weight);
        let (a, b) = (levels.new_inference_avg_mw, levels.new_training_avg_mw);
        zone_levels[z].0 += a;
        zone_levels[z].1 += b;
        non_ai_mw += levels.new_non_ai_mw;
        let (is, ts) = (&ri.inference_stats, &ri.training_stats);
        magnitude += ri.raw_stats[w].max_mw * levels.baseline_scale
            + a.abs() * stretch(is.max).abs().max(stretch(is.min).abs())
            + b.abs() * ts.max.abs().max(ts.min.abs())
            + levels.new_non_ai_mw.abs();
    }
    let mut ai_high = non_ai_mw;
    for (z, &(a, b)) in zone_levels.iter().enumerate() {
        let r = inputs.zone_of_region.iter().position(|&zr| zr == z)?;
        let (is, ts) = (
            &inputs.regions[r].inference_stats,
            &inputs.regions[r].training_stats,
        );
        ai_high += (a * stretch(is.max)).max(a * stretch(is.min)) + (b * ts.max).max(b * ts.min);
    }
    let growth_max = growth_max * (1.0 + 1e-12);
    let slack = 1e-9 * magnitude;
    let mut peaks = (f64::NEG_INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    let key = &inputs.set_key[w];
    let (order, complete) = &inputs.set_order[w];
    let mut stopped = false;
    for &t in order {
        let t = usize::from(t);
        let base_bound = growth_max * key[t];
        let total_bound = base_bound + ai_high;
        if base_bound < peaks.0 - slack
            && total_bound < peaks.1 - slack
            && total_bound < peaks.2 - slack
        {
            stopped = true;
            break;
        }
        let (base, total, after) = set_sums_at(inputs, w, k, runs, t);
        peaks.0 = peaks.0.max(base);
        peaks.1 = peaks.1.max(total);
        peaks.2 = peaks.2.max(after);
    }
    if !stopped && !complete {
        return None;
    }
    // Hours flexibility changed: without recovery their total only fell, so only those
    // whose bound can still beat the best need a look; with recovery, all of them.
    union.clear();
    for run in runs {
        union.extend(run.changes.iter().map(|c| c.0));
    }
    union.sort_unstable();
    union.dedup();
    for &t in union.iter() {
        if recovery || growth_max * key[t] + ai_high >= peaks.2 - slack {
            peaks.2 = peaks.2.max(set_sums_at(inputs, w, k, runs, t).2);
        }
    }
    Some(peaks)
}
