//! The row types of every output table, each declared with `table_row!` (one field, one
//! column), and what each row knows how to compute of itself.
use super::{CellValue, Column, TableRow};
use crate::stages::hardware::FleetYear;
use crate::stages::headroom::CurtailmentStats;
use crate::stages::power::YearPower;

table_row! {
    /// One row of `metrics.csv`: scenario × region × year × weather year. Each column is
    /// defined in `docs/file-formats.md` and `docs/methodology.md`.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct MetricsRow {
        scenario: String,
        region: String,
        year: i32,
        weather_year: i32,
        hours: f64,
        baseline_energy_mwh: f64,
        training_energy_mwh: f64,
        inference_energy_mwh: f64,
        ai_energy_mwh: f64,
        ai_energy_share_frac: f64,
        training_average_mw: f64,
        inference_average_mw: f64,
        training_rated_mw: f64,
        inference_rated_mw: f64,
        existing_training_mw: f64,
        existing_inference_mw: f64,
        non_ai_average_mw: f64,
        existing_non_ai_mw: f64,
        new_training_energy_mwh: f64,
        new_inference_energy_mwh: f64,
        new_ai_energy_mwh: f64,
        new_non_ai_energy_mwh: f64,
        baseline_peak_mw: f64,
        total_peak_mw: f64,
        peak_increase_mw: f64,
        peak_increase_frac: f64,
        total_peak_hour_utc: String,
        total_peak_hour_local: String,
        baseline_peak_hour_utc: String,
        baseline_peak_hour_local: String,
        ai_at_peak_mw: f64,
        inference_at_peak_mw: f64,
        training_at_peak_mw: f64,
        new_ai_at_peak_mw: f64,
        new_datacentre_at_peak_mw: f64,
        total_peak_after_flex_mw: f64,
        baseline_load_factor_frac: f64,
        total_load_factor_frac: f64,
        total_load_factor_after_flex_frac: f64,
        baseline_max_ramp_up_mw_per_h: f64,
        baseline_max_ramp_down_mw_per_h: f64,
        total_max_ramp_up_mw_per_h: f64,
        total_max_ramp_down_mw_per_h: f64,
        total_max_ramp_up_after_flex_mw_per_h: f64,
        total_max_ramp_down_after_flex_mw_per_h: f64,
        threshold_summer_mw: f64,
        threshold_winter_mw: f64,
        hours_above_threshold_before: f64,
        energy_above_threshold_before_mwh: f64,
        hours_above_threshold_after: f64,
        energy_above_threshold_after_mwh: f64,
        training_curtailed_mwh: f64,
        curtailment_rate_frac: f64,
        curtailed_hours: f64,
        curtailment_events: f64,
        mean_curtailment_event_h: f64,
        training_recovered_mwh: f64,
        residual_above_threshold_mw: f64,
        firm_capacity_mw: Option<f64>,
        capacity_shortfall_mw: Option<f64>,
        firm_need_basis: String,
        firm_capacity_needed_mw: f64,
        firm_capacity_cost_usd: f64,
        flexibility_avoided_mw: f64,
        flexibility_avoided_cost_usd: f64,
        resources_basis: String,
        design_peak_mw: f64,
        new_load_reserve_requirement_mw: f64,
        firm_capacity_annual_cost_usd: f64,
        cone_usd_per_kw: f64,
        firm_capacity_needed_depth_0_25_mw: Option<f64>,
        firm_capacity_needed_depth_0_50_mw: Option<f64>,
        firm_capacity_needed_depth_1_00_mw: Option<f64>,
        flexibility_avoided_depth_0_25_mw: Option<f64>,
        flexibility_avoided_depth_0_50_mw: Option<f64>,
        flexibility_avoided_depth_1_00_mw: Option<f64>,
        ai_co2_t: Option<f64>,
        ai_co2_marginal_t: Option<f64>,
        training_co2_t: Option<f64>,
        inference_co2_t: Option<f64>,
        reserve_margin_before_frac: Option<f64>,
        reserve_margin_after_frac: Option<f64>,
        headroom_baseline_mw: Option<f64>,
        headroom_after_inference_mw: Option<f64>,
        headroom_after_ai_mw: Option<f64>,
        inference_shaped_headroom_mw: Option<f64>,
        built_rated_mw: f64,
        idle_rated_mw: f64,
        refit_rated_mw: f64,
    }
}

table_row! {
    /// One row of `regionset_metrics.csv`: scenario × region set × year × weather year.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct SetMetricsRow {
        scenario: String,
        region_set: String,
        year: i32,
        weather_year: i32,
        baseline_energy_mwh: f64,
        training_energy_mwh: f64,
        inference_energy_mwh: f64,
        ai_energy_mwh: f64,
        new_ai_energy_mwh: f64,
        new_non_ai_energy_mwh: f64,
        coincident_baseline_peak_mw: f64,
        coincident_total_peak_mw: f64,
        coincident_total_peak_hour_utc: String,
        coincident_total_peak_after_flex_mw: f64,
        noncoincident_sum_of_peaks_mw: f64,
        training_curtailed_mwh: f64,
        residual_above_threshold_sum_mw: f64,
        firm_capacity_needed_sum_mw: f64,
        new_load_reserve_requirement_sum_mw: f64,
        firm_capacity_cost_usd: f64,
        firm_capacity_annual_cost_usd: f64,
        flexibility_avoided_sum_mw: f64,
        firm_capacity_needed_depth_0_25_sum_mw: Option<f64>,
        firm_capacity_needed_depth_0_50_sum_mw: Option<f64>,
        firm_capacity_needed_depth_1_00_sum_mw: Option<f64>,
        flexibility_avoided_depth_0_25_sum_mw: Option<f64>,
        flexibility_avoided_depth_0_50_sum_mw: Option<f64>,
        flexibility_avoided_depth_1_00_sum_mw: Option<f64>,
        ai_co2_t: Option<f64>,
        regions_without_co2_rate: f64,
        unallocated_training_mw: f64,
        unallocated_inference_mw: f64,
        outside_set_training_mw: f64,
        outside_set_inference_mw: f64,
    }
}

impl SetMetricsRow {
    /// An empty row whose needs at the reported depths are summed (a run's; a sweep
    /// leaves them empty).
    #[must_use]
    pub fn with_depth_sums() -> Self {
        Self {
            firm_capacity_needed_depth_0_25_sum_mw: Some(0.0),
            firm_capacity_needed_depth_0_50_sum_mw: Some(0.0),
            firm_capacity_needed_depth_1_00_sum_mw: Some(0.0),
            flexibility_avoided_depth_0_25_sum_mw: Some(0.0),
            flexibility_avoided_depth_0_50_sum_mw: Some(0.0),
            flexibility_avoided_depth_1_00_sum_mw: Some(0.0),
            ..Self::default()
        }
    }
}

table_row! {
    /// One row of `siting.csv`: a workload's data-centre stock in a region (or the
    /// `unallocated` rest) in a year: rated facility MW, what was built that year, and
    /// the average draw.
    #[derive(Debug, Clone, PartialEq)]
    pub struct SitingRow {
        scenario: String,
        year: i32,
        region: String,
        workload: String,
        rated_mw: f64,
        added_rated_mw: f64,
        average_mw: f64,
    }
}

table_row! {
    /// One row of `power_by_year.csv`: compute → power of both workloads in a year.
    #[derive(Debug, Clone, PartialEq)]
    pub struct PowerRow {
        scenario: String,
        year: i32,
        training_flop: Option<f64>,
        inference_flop: Option<f64>,
        training_accelerator_hours: Option<f64>,
        inference_accelerator_hours: Option<f64>,
        training_it_energy_mwh: Option<f64>,
        inference_it_energy_mwh: Option<f64>,
        training_facility_mwh: f64,
        inference_facility_mwh: f64,
        training_average_mw: f64,
        inference_average_mw: f64,
        training_rated_mw: f64,
        inference_rated_mw: f64,
        inference_share_flop_frac: Option<f64>,
        inference_share_accelerator_hours_frac: Option<f64>,
        inference_share_facility_energy_frac: Option<f64>,
        training_accelerators: Option<f64>,
        inference_accelerators: Option<f64>,
        training_accelerators_purchased: Option<f64>,
        inference_accelerators_purchased: Option<f64>,
        training_hardware_capital_usd: Option<f64>,
        inference_hardware_capital_usd: Option<f64>,
        inference_share_hardware_capital_frac: Option<f64>,
        non_ai_facility_mwh: Option<f64>,
        all_datacentre_facility_mwh: Option<f64>,
    }
}

impl PowerRow {
    /// The row of one year's power; rated MW is average MW over each workload's average
    /// draw fraction (`power_frac`); `fleet` is each workload's accelerator fleet that year
    /// (training, inference; `None` when the scenario gives no accelerator-hours).
    #[must_use]
    pub fn new(
        scenario: &str,
        p: &YearPower,
        power_frac: (f64, f64),
        fleet: (Option<FleetYear>, Option<FleetYear>),
    ) -> Self {
        // A share of nothing (a year without AI compute) is not known: an empty cell.
        let share_of = |t: f64, i: f64| (t + i > 0.0).then(|| i / (t + i));
        let share = |t: Option<f64>, i: Option<f64>| t.zip(i).and_then(|(t, i)| share_of(t, i));
        let (training_fleet, inference_fleet) = fleet;
        let training_usd = training_fleet.map(|f| f.capital_usd);
        let inference_usd = inference_fleet.map(|f| f.capital_usd);
        Self {
            scenario: scenario.to_owned(),
            year: p.year,
            training_flop: p.training.flop,
            inference_flop: p.inference.flop,
            training_accelerator_hours: p.training.accelerator_hours,
            inference_accelerator_hours: p.inference.accelerator_hours,
            training_it_energy_mwh: p.training.it_energy_mwh,
            inference_it_energy_mwh: p.inference.it_energy_mwh,
            training_facility_mwh: p.training.facility_mwh,
            inference_facility_mwh: p.inference.facility_mwh,
            training_average_mw: p.training.average_mw,
            inference_average_mw: p.inference.average_mw,
            training_rated_mw: p.training.average_mw / power_frac.0,
            inference_rated_mw: p.inference.average_mw / power_frac.1,
            inference_share_flop_frac: share(p.training.flop, p.inference.flop),
            inference_share_accelerator_hours_frac: share(
                p.training.accelerator_hours,
                p.inference.accelerator_hours,
            ),
            inference_share_facility_energy_frac: share_of(
                p.training.facility_mwh,
                p.inference.facility_mwh,
            ),
            training_accelerators: training_fleet.map(|f| f.installed),
            inference_accelerators: inference_fleet.map(|f| f.installed),
            training_accelerators_purchased: training_fleet.map(|f| f.purchased),
            inference_accelerators_purchased: inference_fleet.map(|f| f.purchased),
            training_hardware_capital_usd: training_usd,
            inference_hardware_capital_usd: inference_usd,
            inference_share_hardware_capital_frac: share(training_usd, inference_usd),
            non_ai_facility_mwh: None,
            all_datacentre_facility_mwh: None,
        }
    }

    /// The row with the national non-AI data-centre energy (MWh; `None` when the scenario
    /// counts only AI) and the all-data-centre total beside it.
    #[must_use]
    pub fn with_non_ai(mut self, non_ai_facility_mwh: Option<f64>) -> Self {
        self.non_ai_facility_mwh = non_ai_facility_mwh;
        self.all_datacentre_facility_mwh = non_ai_facility_mwh
            .map(|n| n + self.training_facility_mwh + self.inference_facility_mwh);
        self
    }
}

table_row! {
    /// Headroom of a region (or the total) at one limit, for `headroom.csv`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct HeadroomRow {
        region: String,
        limit_pct: f64,
        headroom_mw: f64,
        mean_curtailment_rate_frac: f64,
        curtailed_hours_per_year: f64,
        hours_kept_50pct_per_year: f64,
        hours_kept_75pct_per_year: f64,
        hours_kept_90pct_per_year: f64,
        curtailment_events_per_year: f64,
        mean_event_h: f64,
    }
}

impl HeadroomRow {
    /// The row of a region's headroom at a limit, with the curtailment it implies.
    #[must_use]
    pub fn new(region: &str, limit_pct: f64, headroom_mw: f64, stats: &CurtailmentStats) -> Self {
        Self {
            region: region.to_owned(),
            limit_pct,
            headroom_mw,
            mean_curtailment_rate_frac: stats.mean_rate_frac,
            curtailed_hours_per_year: stats.curtailed_hours_per_year,
            hours_kept_50pct_per_year: stats.hours_kept_50pct_per_year,
            hours_kept_75pct_per_year: stats.hours_kept_75pct_per_year,
            hours_kept_90pct_per_year: stats.hours_kept_90pct_per_year,
            curtailment_events_per_year: stats.events_per_year,
            mean_event_h: stats.mean_event_h,
        }
    }
}

table_row! {
    /// One row of `summary.csv`: a metric of a region (or region set) in a year, as the
    /// mean over weather years and the worst one with the weather year it came from.
    #[derive(Debug, Clone, PartialEq)]
    pub struct SummaryRow {
        scenario: String,
        region: String,
        year: i32,
        metric: String,
        mean: Option<f64>,
        worst: Option<f64>,
        worst_weather_year: Option<i32>,
        worst_peak_hour_utc: String,
        worst_peak_hour_local: String,
    }
}

table_row! {
    /// One row of `reality_check.csv`: the run's new AI load at a region's peak hour
    /// (mean over weather years) beside an operator's published figure for that region
    /// and year; and per year a `sum_of_operators` row: the operators' expected figures
    /// summed (one per region, requests left out) beside the scenario's national new AI
    /// load.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RealityCheckRow {
        scenario: String,
        region: String,
        year: i32,
        run_new_datacentre_mw: f64,
        operator_mw: f64,
        operator_basis: String,
        operator_status: String,
        operator_realisation_frac: Option<f64>,
        run_over_operator_frac: Option<f64>,
        reason: String,
        operator_source: String,
        operator_vintage: String,
    }
}

table_row! {
    /// One row of `bands.csv`: the spread over a sweep's samples (and weather years) of one
    /// metric of one region (or the region set) in one year.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct BandRow {
        scenario: String,
        scope: String,
        region: String,
        year: i32,
        metric: String,
        samples: f64,
        mean: f64,
        p5: f64,
        p10: f64,
        p50: f64,
        p90: f64,
        p95: f64,
    }
}

table_row! {
    /// One row of `regions.csv`: a region of the run's set by id, with the name a reader
    /// knows it by, the ISO or BA it lies in (zones) and its time zone.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RegionNameRow {
        region: String,
        name: String,
        parent: String,
        time_zone: String,
        latitude: Option<f64>,
        longitude: Option<f64>,
        map_place: String,
    }
}

impl RegionNameRow {
    /// The row of a region, with its map point (latitude, longitude, place) if known.
    #[must_use]
    pub fn of(region: &crate::model::region::Region, centre: Option<(f64, f64, &str)>) -> Self {
        Self {
            region: region.id.clone(),
            name: region.name.clone(),
            parent: region.parent.clone().unwrap_or_default(),
            time_zone: region.time_zone.name().to_owned(),
            latitude: centre.map(|c| c.0),
            longitude: centre.map(|c| c.1),
            map_place: centre.map_or_else(String::new, |c| c.2.to_owned()),
        }
    }
}

table_row! {
    /// One row of `ranges.csv`: a key output of the region set in one year — the central
    /// case (the scenario as stated, mean over weather years) beside the 5th, 50th and 95th
    /// percentiles of a sweep over the scenario's `[uncertainty]` tables (empty when it
    /// declares none, or for the central case of a merged sweep).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RangeRow {
        scenario: String,
        region_set: String,
        year: i32,
        metric: String,
        central: Option<f64>,
        p5: Option<f64>,
        p50: Option<f64>,
        p95: Option<f64>,
        samples: Option<f64>,
    }
}

table_row! {
    /// One row of `drivers.csv`: how strongly one uncertain input moves one output of the
    /// region set in one year over a sweep's samples — Spearman's rank correlation
    /// (`method = spearman`, −1 … 1) for a drawn number, the share of the output's rank
    /// variance between weather years (`method = eta_squared`, 0 … 1) for the weather
    /// year; `rank` 1 is the strongest (by ρ² or η², both shares of rank variance).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct DriverRow {
        scenario: String,
        region_set: String,
        year: i32,
        output: String,
        input: String,
        method: String,
        value: f64,
        share_of_rank_variance_frac: f64,
        rank: i32,
    }
}

table_row! {
    /// One row of `report_data.parquet`: what a run's report draws beyond its tables
    /// (`item` = `peak_week` (x = hour of the week), `load_duration` (x = percent of
    /// hours) or `headroom` (x = limit in percent)).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ReportDataRow {
        item: String,
        region: String,
        year: i32,
        weather_year: i32,
        series: String,
        x: f64,
        y: f64,
    }
}
