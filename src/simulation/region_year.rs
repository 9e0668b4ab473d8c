//! One region in one target year and weather year: the hourly pass through the kernel
//! and the metrics row it gives, and how a region's row adds to its set's.
use super::*;

/// One region in one target year: the scalars every weather year shares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RegionYear<'a> {
    pub(crate) scenario: &'a Scenario,
    pub(crate) region: &'a Region,
    pub(crate) year: i32,
    /// Gross loads the scenario places here (average MW).
    pub(crate) inference_avg_mw: f64,
    pub(crate) training_avg_mw: f64,
    /// Loads already inside the measured baseline (average MW).
    pub(crate) existing_inference_mw: f64,
    pub(crate) existing_training_mw: f64,
    /// Non-AI data-centre load here, and the part already inside the measured baseline
    /// (average MW; 0 when the scenario counts only AI).
    pub(crate) non_ai_avg_mw: f64,
    pub(crate) existing_non_ai_mw: f64,
    /// Σ of each shape over the year's hours.
    pub(crate) inference_shape_sum: f64,
    pub(crate) training_shape_sum: f64,
    /// Threshold in summer and winter hours (MW).
    pub(crate) threshold_mw: (f64, f64),
    /// Design (typical-weather) peak of the baseline (MW), the demand resources are
    /// planned on.
    pub(crate) design_peak_mw: f64,
    /// Data-centre capacity built here by this year (rated IT MW, both workloads, with
    /// the regional loads), and the inference refit into capacity training left this year.
    pub(crate) built_rated_mw: f64,
    pub(crate) refit_rated_mw: f64,
}

/// Curtailment depths the firm-capacity need is also reported at (shares of the hour's
/// new training): Emerald AI's demonstrated 25 %, half, and all of it.
pub const NEED_DEPTHS_FRAC: [f64; 3] = [0.25, 0.5, 1.0];

impl<'a> RegionYear<'a> {
    /// Region `r` of `plan`'s siting year `y` (target `year`), with the shape sums of the
    /// year and the region's threshold.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        scenario: &'a Scenario,
        region: &'a Region,
        plan: &SitingPlan,
        (r, y, year): (usize, usize, i32),
        (inference_shape_sum, training_shape_sum): (f64, f64),
        (threshold_mw, design_peak_mw): ((f64, f64), f64),
    ) -> Self {
        // Gross: what the scenario places here; new: what the measured baseline does not
        // already hold. Only new load is added to the hours, and only new training flexes.
        // Regional loads (large-load requests) are new load on top of the projection.
        let (inference_avg_mw, training_avg_mw) = gross_average_mw(scenario, region, plan, r, y);
        // Regional loads are built on top of the stocks (their rated MW never fall).
        let regional_rated_mw = (inference_avg_mw - plan.inference[y].region_mw[r])
            / scenario.inference.power_frac
            + (training_avg_mw - plan.training[y].region_mw[r]) / scenario.training.power_frac;
        let (non_ai_avg_mw, existing_non_ai_mw) =
            scenario.non_ai.as_ref().map_or((0.0, 0.0), |n| {
                (plan.non_ai_mw(n, r, y), plan.existing_non_ai_mw(n, r))
            });
        Self {
            scenario,
            region,
            year,
            inference_avg_mw,
            training_avg_mw,
            existing_inference_mw: plan.existing_inference_mw[r],
            existing_training_mw: plan.existing_training_mw[r],
            non_ai_avg_mw,
            existing_non_ai_mw,
            inference_shape_sum,
            training_shape_sum,
            threshold_mw,
            design_peak_mw,
            built_rated_mw: plan.built_rated[y].region_mw[r] + regional_rated_mw,
            refit_rated_mw: plan.refit_rated[y].region_mw[r],
        }
    }

    /// New loads (gross − existing), average MW.
    pub(crate) fn new_avg_mw(&self) -> (f64, f64) {
        (
            self.inference_avg_mw - self.existing_inference_mw,
            self.training_avg_mw - self.existing_training_mw,
        )
    }

    /// The levels of one weather year whose baseline scale is `baseline_scale`.
    pub(crate) fn levels(&self, baseline_scale: f64) -> Levels {
        let (new_inference_avg_mw, new_training_avg_mw) = self.new_avg_mw();
        Levels {
            baseline_scale,
            new_inference_avg_mw,
            new_training_avg_mw,
            new_non_ai_mw: self.non_ai_avg_mw - self.existing_non_ai_mw,
            threshold_summer_mw: self.threshold_mw.0,
            threshold_winter_mw: self.threshold_mw.1,
        }
    }

    /// The `metrics.csv` row of weather year `weather_year` from the hourly pass. With
    /// `labels` false the text columns stay empty (a sweep keeps only numbers).
    pub(crate) fn row(
        &self,
        weather_year: i32,
        inputs: &HourInputs<'_>,
        stats: &HourStats,
        headroom: &HeadroomMetrics,
        depth_peaks_after_mw: Option<[f64; 3]>,
        labels: bool,
    ) -> MetricsRow {
        let scenario = self.scenario;
        let row = self.energy_columns(weather_year, inputs.raw_baseline_mw.len(), stats, labels);
        let row = self.peak_columns(row, inputs, stats, labels);
        let row = self.flexibility_columns(row, stats);
        let row = self.planning_columns(row, stats, depth_peaks_after_mw, labels);
        let row = self.emission_columns(row, stats);
        MetricsRow {
            headroom_baseline_mw: headroom.baseline_mw,
            headroom_after_inference_mw: headroom.after_inference_mw,
            headroom_after_ai_mw: headroom.after_ai_mw,
            inference_shaped_headroom_mw: headroom.inference_shaped_mw,
            built_rated_mw: self.built_rated_mw,
            // Built MW neither workload uses (never below 0 beyond rounding).
            idle_rated_mw: (self.built_rated_mw
                - self.training_avg_mw / scenario.training.power_frac
                - self.inference_avg_mw / scenario.inference.power_frac)
                .max(0.0),
            refit_rated_mw: self.refit_rated_mw,
            ..row
        }
    }

    /// The row's labels and its energies and average loads (gross, existing and new) over
    /// the year's `hours`; every other column at its default, for the next steps.
    fn energy_columns(
        &self,
        weather_year: i32,
        hours: usize,
        stats: &HourStats,
        labels: bool,
    ) -> MetricsRow {
        let Self {
            scenario,
            region,
            inference_avg_mw,
            training_avg_mw,
            ..
        } = *self;
        let new_training_energy = stats.new_training_energy_mwh;
        let new_inference_energy = stats.new_inference_energy_mwh;
        let training_energy = training_avg_mw * self.training_shape_sum;
        let inference_energy = inference_avg_mw * self.inference_shape_sum;
        let ai_energy = training_energy + inference_energy;
        let new_ai_energy = new_training_energy + new_inference_energy;
        MetricsRow {
            scenario: label(labels, &scenario.name),
            region: label(labels, &region.id),
            year: self.year,
            weather_year,
            hours: hours as f64,
            baseline_energy_mwh: stats.baseline_energy_mwh,
            training_energy_mwh: training_energy,
            inference_energy_mwh: inference_energy,
            ai_energy_mwh: ai_energy,
            ai_energy_share_frac: ai_energy / (stats.baseline_energy_mwh + new_ai_energy),
            training_average_mw: training_avg_mw,
            inference_average_mw: inference_avg_mw,
            training_rated_mw: training_avg_mw / scenario.training.power_frac,
            inference_rated_mw: inference_avg_mw / scenario.inference.power_frac,
            existing_training_mw: self.existing_training_mw,
            existing_inference_mw: self.existing_inference_mw,
            non_ai_average_mw: self.non_ai_avg_mw,
            existing_non_ai_mw: self.existing_non_ai_mw,
            new_non_ai_energy_mwh: stats.new_non_ai_energy_mwh,
            new_training_energy_mwh: new_training_energy,
            new_inference_energy_mwh: new_inference_energy,
            new_ai_energy_mwh: new_ai_energy,
            ..MetricsRow::default()
        }
    }

    /// The peaks (before and after flexibility), their hours, what the AI loads add at
    /// the total's peak hour, load factors, ramps and thresholds.
    fn peak_columns(
        &self,
        row: MetricsRow,
        inputs: &HourInputs<'_>,
        stats: &HourStats,
        labels: bool,
    ) -> MetricsRow {
        let (new_inference_avg_mw, new_training_avg_mw) = self.new_avg_mw();
        let hours = inputs.raw_baseline_mw.len();
        let baseline_peak_mw = stats.baseline_peak_mw;
        let total_peak_mw = stats.total_peak_mw;
        let total_peak_after_mw = stats.total_peak_after_mw;
        let peak_index = stats.peak_index;
        let inference_at_peak_mw = self.inference_avg_mw * inputs.inference_shape[peak_index];
        let training_at_peak_mw = self.training_avg_mw * inputs.training_shape[peak_index];
        let new_ai_at_peak_mw = new_inference_avg_mw * inputs.inference_shape[peak_index]
            + new_training_avg_mw * inputs.training_shape[peak_index];
        let (year, zone) = (self.year, self.region.time_zone);
        let hour_text =
            |index: usize, zone: Option<chrono_tz::Tz>| hour_text(labels, year, index, zone);
        let baseline_peak_index = inputs.raw_stats.max_index;
        MetricsRow {
            baseline_peak_mw,
            total_peak_mw,
            peak_increase_mw: total_peak_mw - baseline_peak_mw,
            peak_increase_frac: (total_peak_mw - baseline_peak_mw) / baseline_peak_mw,
            total_peak_hour_utc: hour_text(peak_index, None),
            total_peak_hour_local: hour_text(peak_index, Some(zone)),
            baseline_peak_hour_utc: hour_text(baseline_peak_index, None),
            baseline_peak_hour_local: hour_text(baseline_peak_index, Some(zone)),
            ai_at_peak_mw: inference_at_peak_mw + training_at_peak_mw,
            inference_at_peak_mw,
            training_at_peak_mw,
            new_ai_at_peak_mw,
            new_datacentre_at_peak_mw: new_ai_at_peak_mw + self.non_ai_avg_mw
                - self.existing_non_ai_mw,
            total_peak_after_flex_mw: total_peak_after_mw,
            baseline_load_factor_frac: load_factor(
                stats.baseline_energy_mwh,
                hours,
                baseline_peak_mw,
            ),
            total_load_factor_frac: load_factor(stats.total_energy_mwh, hours, total_peak_mw),
            total_load_factor_after_flex_frac: load_factor(
                stats.total_energy_after_mwh,
                hours,
                total_peak_after_mw,
            ),
            baseline_max_ramp_up_mw_per_h: stats.baseline_ramps_mw_per_h.0,
            baseline_max_ramp_down_mw_per_h: stats.baseline_ramps_mw_per_h.1,
            total_max_ramp_up_mw_per_h: stats.total_ramps_mw_per_h.0,
            total_max_ramp_down_mw_per_h: stats.total_ramps_mw_per_h.1,
            total_max_ramp_up_after_flex_mw_per_h: stats.total_ramps_after_mw_per_h.0,
            total_max_ramp_down_after_flex_mw_per_h: stats.total_ramps_after_mw_per_h.1,
            threshold_summer_mw: self.threshold_mw.0,
            threshold_winter_mw: self.threshold_mw.1,
            ..row
        }
    }

    /// What flexibility did: hours and energy above the threshold before and after it,
    /// training curtailed (and its rate over what may flex), events, recovery.
    fn flexibility_columns(&self, row: MetricsRow, stats: &HourStats) -> MetricsRow {
        let outcome = &stats.flex;
        // What may flex: new training, plus the flexible share of new inference.
        let flexible_energy =
            stats.flexible_energy_mwh(self.scenario.flexibility.flexible_inference_frac);
        MetricsRow {
            hours_above_threshold_before: outcome.hours_above_before as f64,
            energy_above_threshold_before_mwh: outcome.energy_above_before_mwh,
            hours_above_threshold_after: outcome.hours_above_after as f64,
            energy_above_threshold_after_mwh: outcome.energy_above_after_mwh,
            training_curtailed_mwh: outcome.curtailed_mwh,
            curtailment_rate_frac: if flexible_energy > 0.0 {
                outcome.curtailed_mwh / flexible_energy
            } else {
                0.0
            },
            curtailed_hours: outcome.curtailed_hours as f64,
            curtailment_events: outcome.curtailment_events as f64,
            mean_curtailment_event_h: if outcome.curtailment_events > 0 {
                outcome.curtailed_hours as f64 / outcome.curtailment_events as f64
            } else {
                0.0
            },
            training_recovered_mwh: outcome.recovered_mwh,
            residual_above_threshold_mw: outcome.residual_above_threshold_mw,
            ..row
        }
    }

    /// The planning columns: resources, the firm capacity the new load needs (also at
    /// other curtailment depths, when given), what flexibility avoids, their costs, and
    /// the reserve margins before and after.
    fn planning_columns(
        &self,
        row: MetricsRow,
        stats: &HourStats,
        depth_peaks_after_mw: Option<[f64; 3]>,
        labels: bool,
    ) -> MetricsRow {
        let (scenario, region) = (self.scenario, self.region);
        let baseline_peak_mw = stats.baseline_peak_mw;
        let total_peak_mw = stats.total_peak_mw;
        let total_peak_after_mw = stats.total_peak_after_mw;
        // One planning measure everywhere (docs/methodology.md §10.9): the design peak ×
        // (1 + reference margin) against the region's resources. Resources: the NERC area's
        // anticipated margin over the baseline's design peak (kept as the baseline grows),
        // else the capacity the region states, else exactly the reference margin.
        let margin = region.reserve_margin_frac;
        let (resources_mw, resources_basis) = match (
            region.anticipated_reserve_margin_frac,
            region.firm_capacity_mw,
        ) {
            (Some(anticipated), _) => (
                self.design_peak_mw * (1.0 + anticipated),
                "nerc_ltra_2025_anticipated",
            ),
            (None, Some(stated_mw)) => (stated_mw, "stated_firm_capacity"),
            (None, None) => (self.design_peak_mw * (1.0 + margin), "at_reference_margin"),
        };
        let reserve = |peak_mw: f64| (resources_mw - peak_mw) / peak_mw;
        let need = |peak_mw: f64| (peak_mw * (1.0 + margin) - resources_mw).max(0.0);
        let capacity_shortfall_mw = need(total_peak_after_mw);
        // The new load's share: the need with it less the need without it (weather worse
        // than the design peak can leave a need without any new load).
        let need_without_new = need(baseline_peak_mw);
        let firm_capacity_needed_mw = capacity_shortfall_mw - need_without_new;
        let flexibility_avoided_mw = need(total_peak_mw) - capacity_shortfall_mw;
        let at_depth =
            |i: usize| depth_peaks_after_mw.map(|peaks| need(peaks[i]) - need_without_new);
        let avoided_at_depth =
            |i: usize| depth_peaks_after_mw.map(|peaks| need(total_peak_mw) - need(peaks[i]));
        let cone = region.cone_usd_per_kw;
        let costs = &scenario.firm_capacity;
        MetricsRow {
            firm_capacity_mw: Some(resources_mw),
            capacity_shortfall_mw: Some(capacity_shortfall_mw),
            firm_need_basis: label(labels, "planning_reserve"),
            firm_capacity_needed_mw,
            firm_capacity_cost_usd: costs.cost_usd(firm_capacity_needed_mw, cone),
            flexibility_avoided_mw,
            flexibility_avoided_cost_usd: costs.cost_usd(flexibility_avoided_mw, cone),
            resources_basis: label(labels, resources_basis),
            design_peak_mw: self.design_peak_mw,
            new_load_reserve_requirement_mw: (total_peak_after_mw - baseline_peak_mw)
                * (1.0 + margin),
            firm_capacity_annual_cost_usd: costs.annual_cost_usd(firm_capacity_needed_mw, cone),
            cone_usd_per_kw: cone.unwrap_or(costs.technology().usd_per_kw),
            firm_capacity_needed_depth_0_25_mw: at_depth(0),
            firm_capacity_needed_depth_0_50_mw: at_depth(1),
            firm_capacity_needed_depth_1_00_mw: at_depth(2),
            flexibility_avoided_depth_0_25_mw: avoided_at_depth(0),
            flexibility_avoided_depth_0_50_mw: avoided_at_depth(1),
            flexibility_avoided_depth_1_00_mw: avoided_at_depth(2),
            reserve_margin_before_frac: Some(reserve(baseline_peak_mw)),
            reserve_margin_after_frac: Some(reserve(total_peak_after_mw)),
            ..row
        }
    }

    /// Emissions of the AI energy delivered (curtailed energy emits nothing), at the
    /// region's rate moved to the target year (`None` where the region has no rate).
    fn emission_columns(&self, row: MetricsRow, stats: &HourStats) -> MetricsRow {
        let (scenario, region, year) = (self.scenario, self.region, self.year);
        let outcome = &stats.flex;
        let new_inference_energy = stats.new_inference_energy_mwh;
        let delivered_training_mwh =
            stats.new_training_energy_mwh - outcome.curtailed_mwh + outcome.recovered_mwh;
        let rate_factor = region.co2_year.map_or(1.0, |base| {
            (1.0 + scenario.co2_rate_change_per_year_frac).powi(year - base)
        });
        let tonnes = |mwh: f64, lb_per_mwh: Option<f64>| {
            lb_per_mwh.map(|rate| mwh * rate * rate_factor * METRIC_TONNES_PER_LB)
        };
        MetricsRow {
            ai_co2_t: tonnes(
                delivered_training_mwh + new_inference_energy,
                region.co2_lb_per_mwh,
            ),
            ai_co2_marginal_t: tonnes(
                delivered_training_mwh + new_inference_energy,
                region.co2_marginal_lb_per_mwh,
            ),
            training_co2_t: tonnes(delivered_training_mwh, region.co2_lb_per_mwh),
            inference_co2_t: tonnes(new_inference_energy, region.co2_lb_per_mwh),
            ..row
        }
    }
}

/// `text`, or an empty string when the row keeps no labels (a sweep's).
fn label(labels: bool, text: &str) -> String {
    if labels {
        text.to_owned()
    } else {
        String::new()
    }
}

/// Hour `index` of target `year`, in UTC or in the region's local time (with its offset,
/// so daylight saving is visible); empty when the row keeps no labels.
fn hour_text(labels: bool, year: i32, index: usize, zone: Option<chrono_tz::Tz>) -> String {
    if !labels {
        return String::new();
    }
    let utc = epoch_hour_to_datetime(year_start_epoch_hour(year) + index as i64);
    match zone {
        None => utc.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(zone) => utc
            .with_timezone(&zone)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
    }
}

/// Energy over `hours` against the peak: 0 where the peak is not above 0.
fn load_factor(energy_mwh: f64, hours: usize, peak_mw: f64) -> f64 {
    if peak_mw <= 0.0 {
        0.0
    } else {
        energy_mwh / hours as f64 / peak_mw
    }
}

/// Gross average loads (inference, training; MW) the scenario places in region `r` in
/// siting year `y` of `plan`: the stock plus the regional loads built by then.
#[must_use]
pub fn gross_average_mw(
    scenario: &Scenario,
    region: &Region,
    plan: &SitingPlan,
    r: usize,
    y: usize,
) -> (f64, f64) {
    let year = plan.years[y];
    let regional_rated_mw = |kind: WorkloadKind| -> f64 {
        scenario
            .regional_loads
            .iter()
            .filter(|l| l.region == region.id && l.workload == kind)
            .map(|l| l.built_rated_mw(year))
            .sum()
    };
    (
        plan.inference[y].region_mw[r]
            + regional_rated_mw(WorkloadKind::Inference) * scenario.inference.power_frac,
        plan.training[y].region_mw[r]
            + regional_rated_mw(WorkloadKind::Training) * scenario.training.power_frac,
    )
}

/// Add a region's row to its region set's row (the sums; peaks come from the series).
pub(crate) fn add_to_set_row(set: &mut SetMetricsRow, m: &MetricsRow) {
    for (sum, value) in [
        (&mut set.baseline_energy_mwh, m.baseline_energy_mwh),
        (&mut set.training_energy_mwh, m.training_energy_mwh),
        (&mut set.inference_energy_mwh, m.inference_energy_mwh),
        (&mut set.ai_energy_mwh, m.ai_energy_mwh),
        (&mut set.new_ai_energy_mwh, m.new_ai_energy_mwh),
        (&mut set.new_non_ai_energy_mwh, m.new_non_ai_energy_mwh),
        (&mut set.noncoincident_sum_of_peaks_mw, m.total_peak_mw),
        (&mut set.training_curtailed_mwh, m.training_curtailed_mwh),
        (
            &mut set.residual_above_threshold_sum_mw,
            m.residual_above_threshold_mw,
        ),
        (
            &mut set.firm_capacity_needed_sum_mw,
            m.firm_capacity_needed_mw,
        ),
        (
            &mut set.new_load_reserve_requirement_sum_mw,
            m.new_load_reserve_requirement_mw,
        ),
        (&mut set.firm_capacity_cost_usd, m.firm_capacity_cost_usd),
        (
            &mut set.firm_capacity_annual_cost_usd,
            m.firm_capacity_annual_cost_usd,
        ),
    ] {
        *sum += value;
    }
    for (sum, value) in [
        (
            &mut set.firm_capacity_needed_depth_0_25_sum_mw,
            m.firm_capacity_needed_depth_0_25_mw,
        ),
        (
            &mut set.firm_capacity_needed_depth_0_50_sum_mw,
            m.firm_capacity_needed_depth_0_50_mw,
        ),
        (
            &mut set.firm_capacity_needed_depth_1_00_sum_mw,
            m.firm_capacity_needed_depth_1_00_mw,
        ),
        (
            &mut set.flexibility_avoided_depth_0_25_sum_mw,
            m.flexibility_avoided_depth_0_25_mw,
        ),
        (
            &mut set.flexibility_avoided_depth_0_50_sum_mw,
            m.flexibility_avoided_depth_0_50_mw,
        ),
        (
            &mut set.flexibility_avoided_depth_1_00_sum_mw,
            m.flexibility_avoided_depth_1_00_mw,
        ),
    ] {
        // Known only when every region's is (a sweep leaves them out).
        *sum = match (*sum, value) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    set.flexibility_avoided_sum_mw += m.flexibility_avoided_mw;
    // The regions with a rate are summed; those without are counted (not taken as 0).
    match m.ai_co2_t {
        Some(t) => set.ai_co2_t = Some(set.ai_co2_t.unwrap_or(0.0) + t),
        None => set.regions_without_co2_rate += 1.0,
    }
}
