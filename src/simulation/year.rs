//! One target year of a run: siting rows, the fleet and national figures, every region
//! and weather year through [`super::region_year`], the set sums and ISO aggregates, and
//! the headroom metrics.
use super::*;

/// Each siting year's accelerator fleet of one workload, when the scenario states compute
/// in FLOP.
pub(crate) fn accelerator_fleet(
    scenario: &crate::model::scenario::Scenario,
    plan: &SitingPlan,
    kind: WorkloadKind,
) -> Option<Vec<FleetYear>> {
    let demand: Option<Vec<(i32, f64, f64, f64)>> = plan
        .powers
        .iter()
        .map(|p| {
            let hours = match kind {
                WorkloadKind::Training => p.training.accelerator_hours,
                WorkloadKind::Inference => p.inference.accelerator_hours,
            }?;
            let peak = scenario.hardware.year(p.year)?.peak_flop_per_s;
            Some((p.year, hours, hours_in_year(p.year) as f64, peak))
        })
        .collect();
    Some(fleet_by_year(&demand?, kind, &scenario.hardware_capital))
}

/// The scope's new AI load of each target year, on the basis of the operators' peak
/// figures: the projection's growth since the first siting year, plus every regional
/// load (average MW), raised to the peak hour by the set's own ratio of new AI load at
/// the regions' peak hours to their new AI average; plus the non-AI data centres' growth
/// (flat, so its peak is its average) when the scenario counts them.
pub(crate) fn national_new_datacentre_mw(
    study: &Study,
    plan: &SitingPlan,
    target: &[usize],
    metrics: &[MetricsRow],
) -> Vec<(i32, f64)> {
    let scenario = &study.scenario;
    let total = |y: usize| plan.powers[y].training.average_mw + plan.powers[y].inference.average_mw;
    target
        .iter()
        .map(|&y| {
            let year = plan.years[y];
            // Sited on a nation, regional loads are part of the projection (they replace
            // their regions' shares); sited on its own, a set adds them on top.
            let on_top = if study.nation.is_some() { 0.0 } else { 1.0 };
            let regional: f64 = on_top
                * scenario
                    .regional_loads
                    .iter()
                    .map(|l| {
                        let power_frac = match l.workload {
                            WorkloadKind::Inference => scenario.inference.power_frac,
                            WorkloadKind::Training => scenario.training.power_frac,
                        };
                        l.built_rated_mw(year) * power_frac
                    })
                    .sum::<f64>();
            let rows = metrics.iter().filter(|m| m.year == year);
            let (at_peak, average) = rows.fold((0.0, 0.0), |(p, a), m| {
                (p + m.new_ai_at_peak_mw, a + m.new_ai_energy_mwh / m.hours)
            });
            let to_peak = if average > 0.0 {
                at_peak / average
            } else {
                1.0
            };
            let non_ai = scenario
                .non_ai
                .as_ref()
                .map_or(0.0, |n| n.average_mw(year) - n.average_mw(plan.years[0]));
            (year, (total(y) - total(0) + regional) * to_peak + non_ai)
        })
        .collect()
}

/// The long `siting.csv`: per target year, region (then `unallocated`) and workload.
pub(crate) fn siting_rows(study: &Study, plan: &SitingPlan, target: &[usize]) -> Vec<SitingRow> {
    let workloads = [
        (
            "inference",
            &plan.inference,
            &plan.inference_added,
            study.scenario.inference.power_frac,
        ),
        (
            "training",
            &plan.training,
            &plan.training_added,
            study.scenario.training.power_frac,
        ),
    ];
    let n = study.regions.regions.len();
    let outside: &[&str] = if study.nation.is_some() {
        &[UNALLOCATED, OUTSIDE_SET]
    } else {
        &[UNALLOCATED]
    };
    let ids = study
        .regions
        .regions
        .iter()
        .map(|r| r.id.as_str())
        .chain(outside.iter().copied());
    let mut rows = Vec::new();
    for &y in target {
        for (r, id) in ids.clone().enumerate() {
            for (workload, stocks, added, power_frac) in &workloads {
                let pick = |s: &Stock| match r.checked_sub(n) {
                    None => s.region_mw[r],
                    Some(0) => s.unallocated_mw,
                    Some(_) => s.outside_set_mw,
                };
                let average_mw = pick(&stocks[y]);
                rows.push(SitingRow {
                    scenario: study.scenario.name.clone(),
                    year: plan.years[y],
                    region: id.to_owned(),
                    workload: (*workload).to_owned(),
                    rated_mw: average_mw / power_frac,
                    added_rated_mw: pick(&added[y]) / power_frac,
                    average_mw,
                });
            }
        }
    }
    rows
}

/// What one target year gives.
pub(crate) struct YearOutcome {
    pub(crate) metrics: Vec<MetricsRow>,
    pub(crate) set_metrics: Vec<SetMetricsRow>,
    /// "REGION YEAR workload" where the new load is negative.
    pub(crate) negative_new: Vec<String>,
}

/// The region set's hourly sums of one weather year, and its row.
pub(crate) struct SetSums {
    pub(crate) baseline: Vec<f64>,
    pub(crate) total: Vec<f64>,
    pub(crate) total_after: Vec<f64>,
    pub(crate) row: SetMetricsRow,
}

impl SetSums {
    pub(crate) fn new(row: SetMetricsRow, hours: usize) -> Self {
        Self {
            baseline: vec![0.0; hours],
            total: vec![0.0; hours],
            total_after: vec![0.0; hours],
            row,
        }
    }

    pub(crate) fn series(&mut self) -> SetSeries<'_> {
        SetSeries {
            baseline_mw: &mut self.baseline,
            total_mw: &mut self.total,
            total_after_mw: &mut self.total_after,
        }
    }

    /// Close the row: the coincident peaks of the summed series.
    pub(crate) fn finish(mut self) -> SetMetricsRow {
        self.row.coincident_baseline_peak_mw = peak(&self.baseline).1;
        let (peak_index, peak_mw) = peak(&self.total);
        self.row.coincident_total_peak_mw = peak_mw;
        self.row.coincident_total_peak_hour_utc =
            epoch_hour_to_datetime(year_start_epoch_hour(self.row.year) + peak_index as i64)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
        self.row.coincident_total_peak_after_flex_mw = peak(&self.total_after).1;
        self.row
    }
}

/// Whether each hour of a year with these UTC `months` takes the summer threshold.
pub(crate) fn summer_hours(months: &[u8], out: &mut Vec<bool>) {
    out.clear();
    out.extend(
        months
            .iter()
            .map(|m| (SUMMER_FIRST_MONTH..=SUMMER_LAST_MONTH).contains(m)),
    );
}

/// One target year of a run: every region on every weather year (rows in region, then
/// weather-year order), the set's rows and the ISO aggregates' after them.
pub(crate) fn run_year(
    study: &Study,
    prepared: &[PreparedRegion<'_>],
    plan: &SitingPlan,
    year_index: usize,
    options: &SimOptions,
    observer: &Observer<'_>,
) -> Result<YearOutcome> {
    let year = plan.years[year_index];
    let mut negative_new = Vec::new();
    let hours = hours_in_year(year);
    let mut b = Buffers::default();
    months_of_year(year, &mut b.months);
    summer_hours(&b.months, &mut b.summer);
    let mut sets = set_sums(study, plan, year_index, hours);
    let mut rows = Vec::with_capacity(prepared.len() * study.weather_years.len());
    let run = YearRun {
        study,
        options,
        observer,
        year,
        full_series: options.headroom_metrics
            || (observer.hourly.is_some() && options.hourly != HourlyWindow::None),
    };
    // ISOs reported as the coincident aggregate of their zones (need the full series).
    let aggregates: &[Aggregate] = match &study.nation {
        Some(nation) if run.full_series => &nation.aggregates,
        _ => &[],
    };
    let aggregate_of: Vec<Option<usize>> = (0..study.regions.regions.len())
        .map(|r| aggregates.iter().position(|a| a.members.contains(&r)))
        .collect();
    let mut aggregate_sums = new_aggregate_sums(study, aggregates, year, hours);
    let mut scratch = KernelScratch::default();
    for (r, (region, data)) in study.regions.regions.iter().zip(prepared).enumerate() {
        let context = run.region_year(plan, (r, year_index), (region, data), &mut b);
        note_negative_new(&context, &mut negative_new);
        for (w_index, &w) in study.weather_years.iter().enumerate() {
            let aggregate = aggregate_of[r].map(|a| &mut aggregate_sums[a][w_index]);
            let row = run.weather_year(
                &context,
                data,
                (w_index, w),
                (&mut b, &mut scratch),
                (&mut sets[w_index], aggregate),
            )?;
            rows.push(row);
        }
        if let Some(progress) = observer.on_region_year {
            progress();
        }
    }
    let mut set_metrics: Vec<SetMetricsRow> = sets.into_iter().map(SetSums::finish).collect();
    for (aggregate, sums) in aggregates.iter().zip(aggregate_sums) {
        for (sums, &w) in sums.into_iter().zip(&study.weather_years) {
            set_metrics.push(sums.finish(aggregate, w, year, &mut b.baseline)?);
        }
    }
    Ok(YearOutcome {
        metrics: rows,
        set_metrics,
        negative_new,
    })
}

/// The region set's sums of each weather year of target year `plan.years[year_index]`,
/// their rows opened with what the plan leaves unallocated or outside the set.
fn set_sums(study: &Study, plan: &SitingPlan, year_index: usize, hours: usize) -> Vec<SetSums> {
    let year = plan.years[year_index];
    study
        .weather_years
        .iter()
        .map(|&w| {
            let row = SetMetricsRow {
                scenario: study.scenario.name.clone(),
                region_set: study.regions.id.clone(),
                year,
                weather_year: w,
                unallocated_training_mw: plan.training[year_index].unallocated_mw,
                unallocated_inference_mw: plan.inference[year_index].unallocated_mw,
                outside_set_training_mw: plan.training[year_index].outside_set_mw,
                outside_set_inference_mw: plan.inference[year_index].outside_set_mw,
                ..SetMetricsRow::with_depth_sums()
            };
            SetSums::new(row, hours)
        })
        .collect()
}

/// Each ISO aggregate's sums of each weather year (`[aggregate][weather year]`), empty.
fn new_aggregate_sums(
    study: &Study,
    aggregates: &[Aggregate],
    year: i32,
    hours: usize,
) -> Vec<Vec<AggregateSums>> {
    aggregates
        .iter()
        .map(|a| {
            study
                .weather_years
                .iter()
                .map(|&w| AggregateSums {
                    new_before_mw: vec![0.0; hours],
                    new_after_mw: vec![0.0; hours],
                    row: SetMetricsRow {
                        scenario: study.scenario.name.clone(),
                        region_set: a.region.id.clone(),
                        year,
                        weather_year: w,
                        ..SetMetricsRow::default()
                    },
                })
                .collect()
        })
        .collect()
}

/// Note "REGION YEAR workload" where a new load is negative (the gross load is below
/// what the measured baseline already holds), for the run's notes.
fn note_negative_new(context: &RegionYear<'_>, negative_new: &mut Vec<String>) {
    let (new_inference_avg_mw, new_training_avg_mw) = context.new_avg_mw();
    for (workload, new_mw) in [
        ("inference", new_inference_avg_mw),
        ("training", new_training_avg_mw),
    ] {
        if new_mw < -1e-9 {
            negative_new.push(format!("{} {} {workload}", context.region.id, context.year));
        }
    }
}

/// What every region and weather year of one target year shares in a run.
struct YearRun<'a, 'o> {
    study: &'a Study,
    options: &'a SimOptions,
    observer: &'a Observer<'o>,
    year: i32,
    /// Whether the kernel keeps every hour's series (headroom metrics, hourly output).
    full_series: bool,
}

impl YearRun<'_, '_> {
    /// Region `r`'s scalars in this year, with both facility shapes laid onto the year in
    /// its time zone (into `b`).
    fn region_year<'s>(
        &self,
        plan: &SitingPlan,
        (r, year_index): (usize, usize),
        (region, data): (&'s Region, &PreparedRegion<'_>),
        b: &mut Buffers,
    ) -> RegionYear<'s>
    where
        Self: 's,
    {
        let (study, year) = (self.study, self.year);
        // At the facility meter: the PUE by season and hour, where the scenario gives it.
        let facility = study.profiles.pue.as_ref().map(|p| (p, study.scenario.pue));
        facility_shape_for_year(
            &study.profiles.inference,
            facility,
            region.time_zone,
            year,
            &mut b.inference_shape,
        );
        facility_shape_for_year(
            &study.profiles.training,
            facility,
            region.time_zone,
            year,
            &mut b.training_shape,
        );
        RegionYear::new(
            &study.scenario,
            region,
            plan,
            (r, year_index, year),
            (
                b.inference_shape.iter().sum(),
                b.training_shape.iter().sum(),
            ),
            (
                data.threshold_levels_mw(region, year),
                data.design_peak_mw(region, year),
            ),
        )
    }

    /// One region on weather year `w`: its hours through the kernel (adding to the set's
    /// and its ISO aggregate's sums), the headroom metrics and the need at other depths
    /// when asked, its row, and its hours handed to the sink.
    fn weather_year(
        &self,
        context: &RegionYear<'_>,
        data: &PreparedRegion<'_>,
        (w_index, w): (usize, i32),
        (b, scratch): (&mut Buffers, &mut KernelScratch),
        (set, aggregate): (&mut SetSums, Option<&mut AggregateSums>),
    ) -> Result<MetricsRow> {
        let (study, options, year) = (self.study, self.options, self.year);
        let (scenario, region) = (&study.scenario, context.region);
        let scale = baseline_scale(
            data.load,
            w,
            data.reference_year,
            year,
            region.baseline_growth_per_year_frac,
        )
        .ok_or_else(|| {
            anyhow::anyhow!(
                "region `{}`: weather year {w} of its load data holds no load (mean 0 MW)",
                region.id
            )
        })?;
        baseline_for(data.load, w, year, 1.0, &mut b.raw_baseline);
        let raw_stats = RawBaselineStats::of(&b.raw_baseline, &b.summer);
        let inputs = HourInputs {
            raw_baseline_mw: &b.raw_baseline,
            raw_stats: &raw_stats,
            shape_sums: (context.inference_shape_sum, context.training_shape_sum),
            inference_shape: &b.inference_shape,
            training_shape: &b.training_shape,
            summer: &b.summer,
        };
        let levels = context.levels(scale);
        let (flex, series, full) = (&scenario.flexibility, &mut set.series(), &mut b.full);
        let stats = if self.full_series {
            evaluate::<true>(&inputs, &levels, flex, scratch, series, full)
        } else {
            evaluate::<false>(&inputs, &levels, flex, scratch, series, full)
        };
        let headroom = if options.headroom_metrics {
            headroom_metrics(
                &b.full,
                &b.inference_shape,
                (&mut b.firm, &mut b.points),
                scenario.flexibility.headroom_limit_frac,
            )
        } else {
            HeadroomMetrics::not_computed()
        };
        // The need at other curtailment depths (a run's; a sweep draws the depth).
        let depth_peaks_after_mw = peaks_after_at_depths(
            &inputs,
            &levels,
            &scenario.flexibility,
            stats.flexible_energy_mwh(scenario.flexibility.flexible_inference_frac),
            NEED_DEPTHS_FRAC,
            scratch,
        );
        let row = context.row(
            w,
            &inputs,
            &stats,
            &headroom,
            Some(depth_peaks_after_mw),
            true,
        );
        add_to_set_row(&mut set.row, &row);
        if let Some(aggregate) = aggregate {
            aggregate.add(&b.full, &row);
        }
        if let Some(sink) = self.observer.hourly {
            hand_over(
                sink,
                options.hourly,
                study,
                (region, context.inference_avg_mw),
                year,
                (w_index, w),
                stats.peak_index,
                b,
            )?;
        }
        Ok(row)
    }
}

/// An ISO aggregate's sums of one weather year: its zones' new AI load, hour by hour.
pub(crate) struct AggregateSums {
    pub(crate) new_before_mw: Vec<f64>,
    pub(crate) new_after_mw: Vec<f64>,
    pub(crate) row: SetMetricsRow,
}

impl AggregateSums {
    /// Add a zone's new AI load (from the kernel's full series) and its row.
    pub(crate) fn add(&mut self, full: &FullSeries, row: &MetricsRow) {
        for (h, (before, after)) in self
            .new_before_mw
            .iter_mut()
            .zip(self.new_after_mw.iter_mut())
            .enumerate()
        {
            *before += full.new_inference_mw[h] + full.new_training_mw[h] + full.new_non_ai_mw[h];
            *after +=
                full.new_inference_mw[h] + full.new_training_after_mw[h] + full.new_non_ai_mw[h];
        }
        add_to_set_row(&mut self.row, row);
    }

    /// Close the row on the ISO's own BA record (scaled and grown as a region's
    /// baseline): its energy and the coincident peaks of record + the zones' new AI load.
    pub(crate) fn finish(
        mut self,
        aggregate: &Aggregate,
        weather_year: i32,
        year: i32,
        baseline: &mut Vec<f64>,
    ) -> Result<SetMetricsRow> {
        let load = &aggregate.load;
        let region = &aggregate.region;
        let reference = region
            .baseline_reference_year
            .or_else(|| load.weather_years().last().copied())
            .unwrap_or(weather_year);
        let scale = baseline_scale(
            load,
            weather_year,
            reference,
            year,
            region.baseline_growth_per_year_frac,
        )
        .ok_or_else(|| {
            anyhow::anyhow!(
                "ISO `{}`: weather year {weather_year} or its reference year {reference} is not in its load data {}",
                region.id,
                region.load_path.display()
            )
        })?;
        baseline_for(load, weather_year, year, scale, baseline);
        let peak_with = |added: &[f64]| {
            baseline
                .iter()
                .zip(added)
                .map(|(b, a)| b + a)
                .fold(f64::NEG_INFINITY, f64::max)
        };
        self.row.baseline_energy_mwh = baseline.iter().sum();
        self.row.coincident_baseline_peak_mw = peak(baseline).1;
        self.row.coincident_total_peak_mw = peak_with(&self.new_before_mw);
        self.row.coincident_total_peak_after_flex_mw = peak_with(&self.new_after_mw);
        Ok(self.row)
    }
}

/// The headroom metrics of one region-year-weather-year (MW); `None` where not computed
/// (a sweep's samples): an empty cell, not a NaN.
pub(crate) struct HeadroomMetrics {
    pub(crate) baseline_mw: Option<f64>,
    pub(crate) after_inference_mw: Option<f64>,
    pub(crate) after_ai_mw: Option<f64>,
    pub(crate) inference_shaped_mw: Option<f64>,
}

impl HeadroomMetrics {
    pub(crate) fn not_computed() -> Self {
        Self {
            baseline_mw: None,
            after_inference_mw: None,
            after_ai_mw: None,
            inference_shaped_mw: None,
        }
    }
}

/// Headroom at `limit` on the baseline, for an inference-shaped new load, after firm
/// inference, and after all AI load (one weather year each).
pub(crate) fn headroom_metrics(
    full: &FullSeries,
    inference_shape: &[f64],
    (firm, points): (&mut Vec<f64>, &mut Vec<MarginPoint>),
    limit: f64,
) -> HeadroomMetrics {
    let mut solve = |slices: &[crate::stages::headroom::YearSeries<'_>]| {
        margin_points(slices, points);
        solve_headroom_partial_mw(points, limit)
    };
    let threshold = full.threshold_mw.as_slice();
    let baseline_mw = solve(&[(full.baseline_mw.as_slice(), threshold, None)]);
    let inference_shaped_mw = solve(&[(
        full.baseline_mw.as_slice(),
        threshold,
        Some(inference_shape),
    )]);
    firm.clear();
    firm.extend(
        full.baseline_mw
            .iter()
            .zip(&full.new_inference_mw)
            .map(|(x, y)| x + y),
    );
    let after_inference_mw = solve(&[(firm.as_slice(), threshold, None)]);
    let after_ai_mw = solve(&[(full.total_after_mw.as_slice(), threshold, None)]);
    HeadroomMetrics {
        baseline_mw: Some(baseline_mw),
        after_inference_mw: Some(after_inference_mw),
        after_ai_mw: Some(after_ai_mw),
        inference_shaped_mw: Some(inference_shaped_mw),
    }
}

/// Hand the window of this region-year-weather-year's series to the sink.
#[allow(clippy::too_many_arguments)]
pub(crate) fn hand_over(
    sink: &dyn HourlySink,
    window: HourlyWindow,
    study: &Study,
    (region, inference_avg_mw): (&Region, f64),
    year: i32,
    (weather_index, weather_year): (usize, i32),
    peak_index: usize,
    b: &Buffers,
) -> Result<()> {
    let full = &b.full;
    let hours = full.baseline_mw.len();
    let range = match window {
        HourlyWindow::None => return Ok(()),
        HourlyWindow::All => 0..hours,
        HourlyWindow::PeakWeek => {
            let week = crate::time::HOURS_PER_WEEK.min(hours);
            let start = peak_index.saturating_sub(week / 2).min(hours - week);
            start..start + week
        }
    };
    let gross_inference: Vec<f64> = b.inference_shape[range.clone()]
        .iter()
        .map(|s| inference_avg_mw * s)
        .collect();
    sink.accept(&HourlySeries {
        inference_mw: &gross_inference,
        scenario: &study.scenario.name,
        region: &region.id,
        year,
        weather_year,
        weather_index,
        first_epoch_hour: year_start_epoch_hour(year) + range.start as i64,
        baseline_mw: &full.baseline_mw[range.clone()],
        new_inference_mw: &full.new_inference_mw[range.clone()],
        new_training_mw: &full.new_training_mw[range.clone()],
        new_training_after_flex_mw: &full.new_training_after_mw[range.clone()],
        new_non_ai_mw: full.new_non_ai_mw.first().copied().unwrap_or(0.0),
        threshold_mw: &full.threshold_mw[range],
    })
}
