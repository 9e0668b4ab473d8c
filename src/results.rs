//! What a simulation gives back: the row types of every output table, each column
//! defined once — by its field in the row type (the `table_row!` macro turns the fields, in
//! order, into named columns) — and the summary over weather years. No table library
//! here: [`crate::output`] turns [`Column`]s into CSV and Parquet.
use std::collections::HashMap;
use std::fmt::Write as _;

use crate::model::region::OperatorForecast;
use crate::stages::hardware::FleetYear;
use crate::stages::headroom::CurtailmentStats;
use crate::stages::power::YearPower;

/// The values of one output column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    /// Numbers.
    F64(Vec<f64>),
    /// Numbers that may be empty (written as an empty cell / null).
    OptF64(Vec<Option<f64>>),
    /// Whole numbers (years).
    I32(Vec<i32>),
    /// Whole numbers that may be empty.
    OptI32(Vec<Option<i32>>),
    /// Text.
    Str(Vec<String>),
}

/// One named output column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name (units in the name).
    pub name: &'static str,
    /// Its values, one per row.
    pub values: ColumnValues,
}

/// A value type that can fill a column.
pub trait CellValue: Clone {
    /// Whether the column holds a measured number (a metric), as opposed to a label.
    const IS_METRIC: bool = false;
    /// The column of these values.
    fn column(values: Vec<Self>) -> ColumnValues;
    /// The value as a number (NaN when empty); only for metric columns.
    fn number(&self) -> f64 {
        f64::NAN
    }
    /// Whether the cell can be written: a finite number, an empty cell or a label.
    fn is_writable(&self) -> bool {
        true
    }
}

impl CellValue for f64 {
    const IS_METRIC: bool = true;
    fn column(values: Vec<Self>) -> ColumnValues {
        ColumnValues::F64(values)
    }
    fn number(&self) -> f64 {
        *self
    }
    fn is_writable(&self) -> bool {
        self.is_finite()
    }
}

impl CellValue for Option<f64> {
    const IS_METRIC: bool = true;
    fn column(values: Vec<Self>) -> ColumnValues {
        ColumnValues::OptF64(values)
    }
    fn number(&self) -> f64 {
        self.unwrap_or(f64::NAN)
    }
    fn is_writable(&self) -> bool {
        self.is_none_or(f64::is_finite)
    }
}

impl CellValue for i32 {
    fn column(values: Vec<Self>) -> ColumnValues {
        ColumnValues::I32(values)
    }
}

impl CellValue for Option<i32> {
    fn column(values: Vec<Self>) -> ColumnValues {
        ColumnValues::OptI32(values)
    }
}

impl CellValue for String {
    fn column(values: Vec<Self>) -> ColumnValues {
        ColumnValues::Str(values)
    }
}

/// A row type of an output table: its columns are its fields, in order.
pub trait TableRow: Sized {
    /// Name of the row type, naming its table in messages.
    const TABLE: &'static str;
    /// Column names, in order.
    const COLUMN_NAMES: &'static [&'static str];
    /// The table of `rows`, column by column.
    fn columns(rows: &[Self]) -> Vec<Column>;
    /// Names of the metric columns (numbers, not labels), in order.
    fn metric_names() -> Vec<&'static str>;
    /// Append the metric columns' values (NaN for an empty cell), in order.
    fn push_metrics(&self, out: &mut Vec<f64>);
    /// The first column whose value in this row is NaN or infinite (an empty cell is fine).
    fn first_non_finite(&self) -> Option<&'static str>;
}

/// Declare a row type and its table at once: every field becomes a column of the same
/// name, in field order, so a column cannot be forgotten or listed twice.
macro_rules! table_row {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[allow(missing_docs)]
        pub struct $name {
            $(pub $field: $ty),*
        }

        impl TableRow for $name {
            const TABLE: &'static str = stringify!($name);
            const COLUMN_NAMES: &'static [&'static str] = &[$(stringify!($field)),*];

            fn columns(rows: &[Self]) -> Vec<Column> {
                vec![$(Column {
                    name: stringify!($field),
                    values: <$ty as CellValue>::column(
                        rows.iter().map(|r| r.$field.clone()).collect(),
                    ),
                }),*]
            }

            fn metric_names() -> Vec<&'static str> {
                let mut names = Vec::new();
                $(if <$ty as CellValue>::IS_METRIC {
                    names.push(stringify!($field));
                })*
                names
            }

            fn push_metrics(&self, out: &mut Vec<f64>) {
                $(if <$ty as CellValue>::IS_METRIC {
                    out.push(self.$field.number());
                })*
            }

            fn first_non_finite(&self) -> Option<&'static str> {
                $(if !self.$field.is_writable() {
                    return Some(stringify!($field));
                })*
                None
            }
        }
    };
}

/// Columns that name a row in messages, when a table has them.
const KEY_COLUMNS: [&str; 6] = [
    "scenario",
    "region_set",
    "region",
    "year",
    "weather_year",
    "sample",
];

/// Every number of `rows` must be finite before the table is written: a NaN or an
/// infinity is a computation gone wrong (the input ranges are meant to rule it out), and
/// a file holding one would be read as a result. The caller writes nothing then.
///
/// # Errors
/// `internal error: a computed value is not finite …`, naming the table, the column and
/// the row's key (scenario, region, year, weather year where the table has them).
pub fn check_finite<T: TableRow>(rows: &[T], table: &str) -> anyhow::Result<()> {
    for (index, row) in rows.iter().enumerate() {
        let Some(column) = row.first_non_finite() else {
            continue;
        };
        let cells = T::columns(std::slice::from_ref(row));
        let mut key = Vec::new();
        let mut value = String::new();
        for cell in &cells {
            let text = match &cell.values {
                ColumnValues::F64(v) => v.first().map(ToString::to_string),
                ColumnValues::OptF64(v) => v.first().copied().flatten().map(|x| x.to_string()),
                ColumnValues::I32(v) => v.first().map(ToString::to_string),
                ColumnValues::OptI32(v) => v.first().copied().flatten().map(|x| x.to_string()),
                ColumnValues::Str(v) => v.first().cloned(),
            };
            let text = text.unwrap_or_default();
            if cell.name == column {
                value.clone_from(&text);
            }
            if KEY_COLUMNS.contains(&cell.name) && !text.is_empty() {
                key.push(format!("{} {text}", cell.name));
            }
        }
        let key = if key.is_empty() {
            format!("row {}", index + 1)
        } else {
            format!("row {} ({})", index + 1, key.join(", "))
        };
        anyhow::bail!(
            "internal error: a computed value is not finite: table {table}, column `{column}`, {key} is {value}; nothing was written. Please report this with the inputs that caused it"
        );
    }
    Ok(())
}

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

/// Rank of a forecast's status when one figure per region is wanted: the operator's own
/// expectation first, then contracts, then requests.
fn status_rank(status: &str) -> u8 {
    match status {
        "adjusted_forecast" => 0,
        "contracted" => 1,
        _ => 2,
    }
}

/// Why a run and an operator differ by more than half, or nothing.
///
/// The national total is the reason only when it explains more than the region's own gap:
/// the operators' expected figures exceed the scenario's national load and the national
/// ratio (the scenario's national new load over the operators' figures summed) lies
/// further from 1, in log terms, than the region's ratio; otherwise the cause is where the
/// run sites.
fn reality_reason(
    ratio: Option<f64>,
    forecast: &OperatorForecast,
    (operators_exceed_scenario, national_ratio): (bool, Option<f64>),
) -> String {
    let Some(ratio) = ratio else {
        return "the operator's figure is 0".to_owned();
    };
    if (0.5..=1.5).contains(&ratio) {
        return String::new();
    }
    let reason = if forecast.status == "requested" {
        "operator figure is requested load, not expected"
    } else if ratio < 0.5 && forecast.basis == "non_coincident" {
        "operator figure is non-coincident (contracted or nameplate MW); the run's is at the region's peak hour"
    } else if ratio < 0.5
        && operators_exceed_scenario
        && national_ratio.is_some_and(|n| n > 0.0 && n.ln().abs() > ratio.ln().abs())
    {
        "scenario's national total is lower than the sum of the operators' forecasts"
    } else if ratio < 0.5 {
        return match national_ratio.filter(|_| operators_exceed_scenario) {
            Some(n) => format!(
                "the scenario sites less here than the operator expects: siting, not the national total (the scenario's national new load is {n:.2} of the operators' figures summed)"
            ),
            None => "the scenario sites less here than the operator expects".to_owned(),
        };
    } else {
        "the scenario sites more here than the operator expects"
    };
    reason.to_owned()
}

/// The reality check of a run: each operator figure for a target year beside the run's
/// new data-centre load (AI and, where the scenario counts them, non-AI) at the region's
/// peak hour (mean over weather years), and per year the operators' figures summed (the
/// preferred figure of each region: adjusted forecast, then contracted — requests are left
/// out; the latest vintage) beside the run's load in the same regions, with
/// `national_new_datacentre_mw` (the scenario's national new load at the peak hour, by
/// year) as context.
#[must_use]
pub fn reality_check_rows(
    scenario: &str,
    forecasts: &[OperatorForecast],
    metrics: &[MetricsRow],
    national_new_datacentre_mw: &[(i32, f64)],
) -> Vec<RealityCheckRow> {
    let run_mw = |region: &str, year: i32| -> Option<f64> {
        let values: Vec<f64> = metrics
            .iter()
            .filter(|m| m.region == region && m.year == year)
            .map(|m| m.new_datacentre_at_peak_mw)
            .collect();
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    let ratio = |run: f64, operator: f64| (operator > 0.0).then(|| run / operator);
    let mut rows = Vec::new();
    for &(year, national_mw) in national_new_datacentre_mw {
        // One expected figure per region for the sum (requests are not forecasts).
        let mut preferred: Vec<&OperatorForecast> = Vec::new();
        for f in forecasts
            .iter()
            .filter(|f| f.year == year && f.status != "requested")
        {
            match preferred.iter_mut().find(|p| p.region == f.region) {
                Some(p) => {
                    let better = (status_rank(&f.status), std::cmp::Reverse(&f.vintage))
                        < (status_rank(&p.status), std::cmp::Reverse(&p.vintage));
                    if better {
                        *p = f;
                    }
                }
                None => preferred.push(f),
            }
        }
        let operators_mw: f64 = preferred.iter().map(|f| f.mw).sum();
        let operators_exceed_scenario = operators_mw > national_mw;
        // Like with like: the operators' expected figures beside the run's own new load in
        // the same regions (the national total stands beside them only as context).
        let compared: Vec<(&OperatorForecast, f64)> = preferred
            .iter()
            .filter_map(|f| run_mw(&f.region, year).map(|run| (*f, run)))
            .collect();
        let compared_operators_mw: f64 = compared.iter().map(|(f, _)| f.mw).sum();
        let run_in_regions: f64 = compared.iter().map(|(_, run)| run).sum();
        let sum_ratio = ratio(run_in_regions, compared_operators_mw);
        // How far the scenario's national total falls short of the operators' sum.
        let national_ratio = ratio(national_mw, operators_mw);
        for f in forecasts.iter().filter(|f| f.year == year) {
            let Some(run) = run_mw(&f.region, year) else {
                continue;
            };
            let r = ratio(run, f.mw);
            rows.push(RealityCheckRow {
                scenario: scenario.to_owned(),
                region: f.region.clone(),
                year,
                run_new_datacentre_mw: run,
                operator_mw: f.mw,
                operator_basis: f.basis.clone(),
                operator_status: f.status.clone(),
                operator_realisation_frac: f.realisation_frac,
                run_over_operator_frac: r,
                reason: reality_reason(r, f, (operators_exceed_scenario, national_ratio)),
                operator_source: f.source.clone(),
                operator_vintage: f.vintage.clone(),
            });
        }
        if !compared.is_empty() {
            let operators_mw = compared_operators_mw;
            let r = sum_ratio;
            let regions: Vec<&str> = compared.iter().map(|(f, _)| f.region.as_str()).collect();
            rows.push(RealityCheckRow {
                scenario: scenario.to_owned(),
                region: "sum_of_operators".to_owned(),
                year,
                run_new_datacentre_mw: run_in_regions,
                operator_mw: operators_mw,
                operator_basis: "mixed".to_owned(),
                operator_status: "mixed".to_owned(),
                operator_realisation_frac: None,
                run_over_operator_frac: r,
                reason: match r {
                    Some(r)
                        if r < 0.5
                            && operators_exceed_scenario
                            && national_ratio
                                .is_some_and(|n| n > 0.0 && n.ln().abs() > r.ln().abs()) =>
                    {
                        "the run sites less in these regions than their operators expect, and the scenario's national total is lower than the sum of the operators' forecasts".to_owned()
                    }
                    Some(r) if r < 0.5 => "the run sites less in these regions than their operators expect".to_owned(),
                    Some(r) if r > 1.5 => "the run sites more in these regions than their operators expect".to_owned(),
                    _ => String::new(),
                },
                operator_source: format!(
                    "one expected figure per region ({}); run value: the run's new data-centre load (AI and, where the scenario counts them, non-AI) at each of these regions' peak hours, summed (the scenario's national new data-centre load at the peak hour: {national_mw:.0} MW)",
                    regions.join(", ")
                ),
                operator_vintage: String::new(),
            });
        }
    }
    rows
}

/// Everything a run computes.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    /// Compute → power per year.
    pub power: Vec<PowerRow>,
    /// Shares and MW per year and region (with `unallocated`).
    pub siting: Vec<SitingRow>,
    /// Per region × year × weather year, region-major.
    pub metrics: Vec<MetricsRow>,
    /// Per region set × year × weather year.
    pub set_metrics: Vec<SetMetricsRow>,
    /// The run beside the operators' published figures.
    pub reality_check: Vec<RealityCheckRow>,
    /// What the user should know about the run (assumptions taken, warnings).
    pub notes: Vec<String>,
    /// The years the scenario names for findings and headline (empty: the projection's
    /// first, crossover and last years; see [`RunResult::milestone_years`]).
    pub milestone_years: Vec<i32>,
}

impl RunResult {
    /// The years findings and headline speak of: the scenario's (stated, or the years a
    /// study of regional loads names), else the first year, the year inference's share of
    /// accelerator-hours first exceeds one half (when inside the study) and the last.
    #[must_use]
    pub fn milestone_years(&self) -> Vec<i32> {
        if !self.milestone_years.is_empty() {
            return self.milestone_years.clone();
        }
        let first = self.power.first().map(|p| p.year);
        let last = self.power.last().map(|p| p.year);
        let crossover = self
            .power
            .iter()
            .find(|p| {
                p.inference_share_accelerator_hours_frac
                    .is_some_and(|s| s > 0.5)
            })
            .map(|p| p.year);
        let mut years: Vec<i32> = [first, crossover, last].into_iter().flatten().collect();
        years.sort_unstable();
        years.dedup();
        years
    }

    /// The summary over weather years of this result.
    #[must_use]
    pub fn summary(&self) -> Vec<SummaryRow> {
        summary_rows(&self.metrics, &self.set_metrics)
    }
}

/// How a metric's worst value is picked over weather years.
#[derive(Clone, Copy)]
enum Worst {
    Max,
    Min,
}

/// A summarised metric: its name, how its worst is picked, how it is read from a row.
type Getter<T> = (&'static str, Worst, fn(&T) -> Option<f64>);

/// The metrics summarised per region.
const REGION_SUMMARY: [Getter<MetricsRow>; 26] = [
    ("baseline_peak_mw", Worst::Max, |r| Some(r.baseline_peak_mw)),
    ("total_peak_mw", Worst::Max, |r| Some(r.total_peak_mw)),
    ("total_peak_after_flex_mw", Worst::Max, |r| {
        Some(r.total_peak_after_flex_mw)
    }),
    ("peak_increase_mw", Worst::Max, |r| Some(r.peak_increase_mw)),
    ("ai_at_peak_mw", Worst::Max, |r| Some(r.ai_at_peak_mw)),
    ("ai_energy_share_frac", Worst::Max, |r| {
        Some(r.ai_energy_share_frac)
    }),
    ("hours_above_threshold_after", Worst::Max, |r| {
        Some(r.hours_above_threshold_after)
    }),
    ("energy_above_threshold_after_mwh", Worst::Max, |r| {
        Some(r.energy_above_threshold_after_mwh)
    }),
    ("curtailment_rate_frac", Worst::Max, |r| {
        Some(r.curtailment_rate_frac)
    }),
    ("residual_above_threshold_mw", Worst::Max, |r| {
        Some(r.residual_above_threshold_mw)
    }),
    ("capacity_shortfall_mw", Worst::Max, |r| {
        r.capacity_shortfall_mw
    }),
    ("new_ai_at_peak_mw", Worst::Max, |r| {
        Some(r.new_ai_at_peak_mw)
    }),
    ("new_datacentre_at_peak_mw", Worst::Max, |r| {
        Some(r.new_datacentre_at_peak_mw)
    }),
    ("firm_capacity_needed_mw", Worst::Max, |r| {
        Some(r.firm_capacity_needed_mw)
    }),
    ("firm_capacity_cost_usd", Worst::Max, |r| {
        Some(r.firm_capacity_cost_usd)
    }),
    ("flexibility_avoided_mw", Worst::Min, |r| {
        Some(r.flexibility_avoided_mw)
    }),
    ("firm_capacity_annual_cost_usd", Worst::Max, |r| {
        Some(r.firm_capacity_annual_cost_usd)
    }),
    ("new_load_reserve_requirement_mw", Worst::Max, |r| {
        Some(r.new_load_reserve_requirement_mw)
    }),
    ("firm_capacity_needed_depth_0_25_mw", Worst::Max, |r| {
        r.firm_capacity_needed_depth_0_25_mw
    }),
    ("firm_capacity_needed_depth_0_50_mw", Worst::Max, |r| {
        r.firm_capacity_needed_depth_0_50_mw
    }),
    ("firm_capacity_needed_depth_1_00_mw", Worst::Max, |r| {
        r.firm_capacity_needed_depth_1_00_mw
    }),
    ("flexibility_avoided_depth_1_00_mw", Worst::Min, |r| {
        r.flexibility_avoided_depth_1_00_mw
    }),
    ("ai_co2_t", Worst::Max, |r| r.ai_co2_t),
    ("headroom_after_inference_mw", Worst::Min, |r| {
        r.headroom_after_inference_mw
    }),
    ("reserve_margin_after_frac", Worst::Min, |r| {
        r.reserve_margin_after_frac
    }),
    ("total_load_factor_after_flex_frac", Worst::Min, |r| {
        Some(r.total_load_factor_after_flex_frac)
    }),
];

/// The metrics summarised per region set.
const SET_SUMMARY: [Getter<SetMetricsRow>; 15] = [
    ("coincident_total_peak_mw", Worst::Max, |r| {
        Some(r.coincident_total_peak_mw)
    }),
    ("coincident_total_peak_after_flex_mw", Worst::Max, |r| {
        Some(r.coincident_total_peak_after_flex_mw)
    }),
    ("noncoincident_sum_of_peaks_mw", Worst::Max, |r| {
        Some(r.noncoincident_sum_of_peaks_mw)
    }),
    ("residual_above_threshold_sum_mw", Worst::Max, |r| {
        Some(r.residual_above_threshold_sum_mw)
    }),
    ("training_curtailed_mwh", Worst::Max, |r| {
        Some(r.training_curtailed_mwh)
    }),
    ("firm_capacity_needed_sum_mw", Worst::Max, |r| {
        Some(r.firm_capacity_needed_sum_mw)
    }),
    ("firm_capacity_cost_usd", Worst::Max, |r| {
        Some(r.firm_capacity_cost_usd)
    }),
    ("firm_capacity_annual_cost_usd", Worst::Max, |r| {
        Some(r.firm_capacity_annual_cost_usd)
    }),
    ("new_load_reserve_requirement_sum_mw", Worst::Max, |r| {
        Some(r.new_load_reserve_requirement_sum_mw)
    }),
    ("flexibility_avoided_sum_mw", Worst::Min, |r| {
        Some(r.flexibility_avoided_sum_mw)
    }),
    ("firm_capacity_needed_depth_0_25_sum_mw", Worst::Max, |r| {
        r.firm_capacity_needed_depth_0_25_sum_mw
    }),
    ("firm_capacity_needed_depth_0_50_sum_mw", Worst::Max, |r| {
        r.firm_capacity_needed_depth_0_50_sum_mw
    }),
    ("firm_capacity_needed_depth_1_00_sum_mw", Worst::Max, |r| {
        r.firm_capacity_needed_depth_1_00_sum_mw
    }),
    ("flexibility_avoided_depth_1_00_sum_mw", Worst::Min, |r| {
        r.flexibility_avoided_depth_1_00_sum_mw
    }),
    ("ai_co2_t", Worst::Max, |r| r.ai_co2_t),
];

/// Summary over weather years: per scenario × region (then region set) × year × metric,
/// the mean and the worst value with the weather year it came from.
#[must_use]
pub fn summary_rows(metrics: &[MetricsRow], sets: &[SetMetricsRow]) -> Vec<SummaryRow> {
    let mut out = Vec::new();
    summarise(
        metrics,
        |r| (&r.scenario, &r.region, r.year, r.weather_year),
        &REGION_SUMMARY,
        |r, metric| match metric {
            "total_peak_mw" => Some((&r.total_peak_hour_utc, &r.total_peak_hour_local)),
            "baseline_peak_mw" => Some((&r.baseline_peak_hour_utc, &r.baseline_peak_hour_local)),
            _ => None,
        },
        &mut out,
    );
    summarise(
        sets,
        |r| (&r.scenario, &r.region_set, r.year, r.weather_year),
        &SET_SUMMARY,
        |r, metric| {
            (metric == "coincident_total_peak_mw")
                .then_some((&r.coincident_total_peak_hour_utc, &NO_LOCAL_HOUR))
        },
        &mut out,
    );
    out
}

/// A region set spans time zones: its peak hour is given in UTC only.
static NO_LOCAL_HOUR: String = String::new();

/// Group rows by (scenario, region, year) in order of first appearance and summarise.
fn summarise<T>(
    rows: &[T],
    key: impl Fn(&T) -> (&String, &String, i32, i32),
    getters: &[Getter<T>],
    peak_hours: impl for<'a> Fn(&'a T, &str) -> Option<(&'a String, &'a String)>,
    out: &mut Vec<SummaryRow>,
) {
    // (scenario, region, year) → indices of its rows, in order of first appearance.
    type Group<'a> = ((&'a String, &'a String, i32), Vec<usize>);
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut index = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let (s, r, y, _) = key(row);
        let slot = *index.entry((s, r, y)).or_insert_with(|| {
            groups.push(((s, r, y), Vec::new()));
            groups.len() - 1
        });
        groups[slot].1.push(i);
    }
    for ((scenario, region, year), members) in groups {
        for (name, worst, get) in getters {
            let values: Vec<(f64, i32, usize)> = members
                .iter()
                .filter_map(|&i| get(&rows[i]).map(|v| (v, key(&rows[i]).3, i)))
                .collect();
            let mean = (!values.is_empty())
                .then(|| values.iter().map(|(v, _, _)| v).sum::<f64>() / values.len() as f64);
            let pick = values.iter().copied().reduce(|a, b| {
                let better = match worst {
                    Worst::Max => b.0 > a.0,
                    Worst::Min => b.0 < a.0,
                };
                if better { b } else { a }
            });
            // The hour of the worst weather year's peak, for the peak metrics.
            let (hour_utc, hour_local) = pick
                .and_then(|p| peak_hours(&rows[p.2], name))
                .map_or_else(Default::default, |(u, l)| (u.clone(), l.clone()));
            out.push(SummaryRow {
                scenario: scenario.clone(),
                region: region.clone(),
                year,
                metric: (*name).to_owned(),
                mean,
                worst: pick.map(|p| p.0),
                worst_weather_year: pick.map(|p| p.1),
                worst_peak_hour_utc: hour_utc,
                worst_peak_hour_local: hour_local,
            });
        }
    }
}

/// The short headline a run ends with on a terminal (at most ~15 lines): for the
/// milestone years — the first, the year inference's share of accelerator-hours first
/// exceeds one half (when inside the study), the last — the scope's gross AI load and the
/// set's new AI load by workload (GW), the summed peak increase, the curtailment used, the
/// CO2 of the new AI load and the cost of the firm capacity it calls for (means over
/// weather years); and the three most strained regions of each milestone year (the largest
/// worst-weather-year `residual_above_threshold_mw`).
#[must_use]
pub fn headline(result: &RunResult) -> String {
    use std::fmt::Write as _;
    let years = result.milestone_years();
    // A study of regional loads alone has no national projection: its national load is
    // not known (not 0).
    let national_known = result
        .power
        .iter()
        .any(|p| p.training_average_mw > 0.0 || p.inference_average_mw > 0.0);
    let mean_over_weather = |year: i32, get: &dyn Fn(&SetMetricsRow) -> f64| -> f64 {
        let rows: Vec<&SetMetricsRow> = result
            .set_metrics
            .iter()
            .filter(|r| r.year == year)
            .collect();
        // `+ 0.0`: an empty sum is -0.0, which would print as "-0.0".
        rows.iter().map(|r| get(r)).sum::<f64>() / rows.len().max(1) as f64 + 0.0
    };
    let region_mean = |year: i32, get: &dyn Fn(&MetricsRow) -> f64| -> f64 {
        let mut by_region: HashMap<&str, (f64, usize)> = HashMap::new();
        for m in result.metrics.iter().filter(|m| m.year == year) {
            let entry = by_region.entry(m.region.as_str()).or_insert((0.0, 0));
            entry.0 += get(m);
            entry.1 += 1;
        }
        by_region
            .values()
            .map(|(sum, n)| sum / *n as f64)
            .sum::<f64>()
            + 0.0
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>6}  {:>22}  {:>22}  {:>9}  {:>11}  {:>7}  {:>10}",
        "year",
        "US AI GW gross (I/T)",
        "set AI GW new (I/T)",
        "peak +GW",
        "curtail GWh",
        "CO2 Mt",
        "firm cap $B"
    );
    for &year in &years {
        let Some(power) = result.power.iter().find(|p| p.year == year) else {
            continue;
        };
        let new_inference = region_mean(year, &|m| m.new_inference_energy_mwh / m.hours) / 1000.0;
        let new_training = region_mean(year, &|m| m.new_training_energy_mwh / m.hours) / 1000.0;
        let co2_mt = mean_over_weather(year, &|r| r.ai_co2_t.unwrap_or(f64::NAN)) / 1e6;
        let co2 = if co2_mt.is_finite() {
            format!("{co2_mt:.1}")
        } else {
            "n/k".to_owned()
        };
        let _ = writeln!(
            out,
            "{year:>6}  {:>22}  {:>22}  {:>9.1}  {:>11.1}  {:>7}  {:>10.1}",
            if national_known {
                format!(
                    "{:.1} / {:.1}",
                    power.inference_average_mw / 1000.0,
                    power.training_average_mw / 1000.0
                )
            } else {
                "n/k".to_owned()
            },
            format!("{new_inference:.1} / {new_training:.1}"),
            region_mean(year, &|m| m.peak_increase_mw) / 1000.0,
            mean_over_weather(year, &|r| r.training_curtailed_mwh) / 1000.0,
            co2,
            mean_over_weather(year, &|r| r.firm_capacity_cost_usd) / 1e9,
        );
    }
    if !national_known {
        let _ = writeln!(
            out,
            "US AI n/k: not known — the scenario states only its regions' loads, no national projection"
        );
    }
    // Unknown is not zero: say which part of the CO2 is not known.
    let without_rate = result
        .set_metrics
        .iter()
        .map(|r| r.regions_without_co2_rate)
        .fold(0.0, f64::max);
    if without_rate > 0.0 {
        let none_known = result.set_metrics.iter().all(|r| r.ai_co2_t.is_none());
        let _ = writeln!(
            out,
            "{}",
            if none_known {
                "CO2 n/k: not known — no region of the set has an emission rate".to_owned()
            } else {
                format!(
                    "CO2 leaves out {without_rate:.0} region(s) without an emission rate (not known, not 0)"
                )
            }
        );
    }
    for &year in &years {
        let ranked = rank_strained(
            result.metrics.iter().filter(|m| m.year == year).map(|m| {
                (
                    m.region.as_str(),
                    m.weather_year,
                    m.residual_above_threshold_mw,
                )
            }),
            3,
        );
        let top: Vec<String> = ranked
            .iter()
            .map(|(region, _, mw)| format!("{region} {:.1} GW", mw / 1000.0))
            .collect();
        let _ = writeln!(
            out,
            "most strained in {year} (largest residual above threshold, worst weather year): {}",
            top.join(", ")
        );
    }
    out
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

/// The region set's outputs `ranges.csv` holds (the sweep's derived
/// `coincident_peak_increase_mw` among them).
pub const RANGE_METRICS: [&str; 9] = [
    "ai_energy_mwh",
    "new_ai_energy_mwh",
    "coincident_peak_increase_mw",
    "residual_above_threshold_sum_mw",
    "firm_capacity_needed_sum_mw",
    "firm_capacity_cost_usd",
    "ai_co2_t",
    "training_curtailed_mwh",
    "flexibility_avoided_sum_mw",
];

/// The key outputs of a region set by year: each metric of [`RANGE_METRICS`] as the mean
/// over weather years of `central` (the set's rows of one run; empty: not known) beside
/// its band in `bands` (the set's rows of a sweep; empty: no range).
#[must_use]
pub fn key_ranges(
    (scenario, set_id): (&str, &str),
    years: &[i32],
    central: &[SetMetricsRow],
    bands: &[BandRow],
) -> Vec<RangeRow> {
    let names = SetMetricsRow::metric_names();
    let mut values = Vec::new();
    let mean_of = |year: i32, metric: &str| -> Option<f64> {
        let mut sum = 0.0;
        let mut count = 0usize;
        let mut row_values = Vec::new();
        for row in central
            .iter()
            .filter(|r| r.year == year && r.region_set == set_id)
        {
            row_values.clear();
            row.push_metrics(&mut row_values);
            let get = |name: &str| names.iter().position(|n| *n == name).map(|i| row_values[i]);
            let value = if metric == "coincident_peak_increase_mw" {
                get("coincident_total_peak_mw")? - get("coincident_baseline_peak_mw")?
            } else {
                get(metric)?
            };
            if value.is_nan() {
                return None;
            }
            sum += value;
            count += 1;
        }
        (count > 0).then(|| sum / count as f64)
    };
    for &year in years {
        for metric in RANGE_METRICS {
            let band = bands.iter().find(|b| {
                b.scope == "region_set"
                    && b.region == set_id
                    && b.year == year
                    && b.metric == metric
            });
            values.push(RangeRow {
                scenario: scenario.to_owned(),
                region_set: set_id.to_owned(),
                year,
                metric: metric.to_owned(),
                central: mean_of(year, metric),
                p5: band.map(|b| b.p5),
                p50: band.map(|b| b.p50),
                p95: band.map(|b| b.p95),
                samples: band.map(|b| b.samples),
            });
        }
    }
    values
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

/// The percentiles a band reports.
pub const BAND_QUANTILES: [f64; 5] = [0.05, 0.10, 0.50, 0.90, 0.95];

/// Count, mean and [`BAND_QUANTILES`] of `values` (NaN dropped; `values` is sorted in
/// place), with numpy's default `linear` method: `h = (n − 1) q`, interpolated between
/// the order statistics around `h`. `None` when no value is left. The result depends
/// only on the multiset of values, so any order of samples (threads, shards) gives the
/// same bytes.
#[must_use]
pub fn band(values: &mut Vec<f64>) -> Option<(usize, f64, [f64; 5])> {
    values.retain(|v| !v.is_nan());
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let quantile = |q: f64| {
        let h = (n - 1) as f64 * q;
        let lo = h.floor() as usize;
        let gamma = h - lo as f64;
        let a = values[lo];
        let b = values[(lo + 1).min(n - 1)];
        let d = b - a;
        // numpy's _lerp: exact at both ends.
        if gamma >= 0.5 {
            b - d * (1.0 - gamma)
        } else {
            a + d * gamma
        }
    };
    let mut q = BAND_QUANTILES.map(quantile);
    // Interpolation rounding can undo the order by an ulp in flat stretches.
    for i in 1..q.len() {
        q[i] = q[i].max(q[i - 1]);
    }
    Some((n, mean, q))
}

/// The most strained regions, as the headline and the report rank them: each region's
/// largest `residual_above_threshold_mw` over weather years (with that weather year), the
/// largest first, ties by name; at most `count`. `rows` are (region, weather year,
/// residual) of one year.
#[must_use]
pub fn rank_strained<'a>(
    rows: impl IntoIterator<Item = (&'a str, i32, f64)>,
    count: usize,
) -> Vec<(String, i32, f64)> {
    let mut worst: Vec<(String, i32, f64)> = Vec::new();
    for (region, weather_year, residual) in rows {
        match worst.iter_mut().find(|w| w.0 == region) {
            Some(w) => {
                if residual > w.2 {
                    *w = (region.to_owned(), weather_year, residual);
                }
            }
            None => worst.push((region.to_owned(), weather_year, residual)),
        }
    }
    worst.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    worst.truncate(count);
    worst
}

/// A few lines for the terminal after a sweep: the region set's coincident peak with
/// AI and its firm capacity need, median and 90 % band, in the last year.
#[must_use]
pub fn bands_headline(bands: &[BandRow], region_set: &str) -> String {
    let last_year = bands.iter().map(|b| b.year).max().unwrap_or(0);
    let mut out = String::new();
    for (metric, label, unit_div, unit) in [
        (
            "coincident_total_peak_after_flex_mw",
            "coincident peak with AI",
            1000.0,
            "GW",
        ),
        (
            "firm_capacity_needed_sum_mw",
            "firm capacity needed",
            1000.0,
            "GW",
        ),
        ("ai_co2_t", "AI CO2", 1e6, "Mt"),
    ] {
        if let Some(b) = bands.iter().find(|b| {
            b.scope == "region_set"
                && b.region == region_set
                && b.year == last_year
                && b.metric == metric
        }) {
            let _ = writeln!(
                out,
                "{region_set} {last_year} {label}: median {:.1} {unit} (90 % band {:.1}–{:.1})",
                b.p50 / unit_div,
                b.p5 / unit_div,
                b.p95 / unit_div
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against numpy 2.4 (`np.percentile`, default `linear` method), NaN dropped first.
    fn summary(mean: Option<f64>, worst: Option<f64>) -> SummaryRow {
        SummaryRow {
            scenario: "s".to_owned(),
            region: "PJM".to_owned(),
            year: 2030,
            metric: "total_peak_mw".to_owned(),
            mean,
            worst,
            worst_weather_year: None,
            worst_peak_hour_utc: String::new(),
            worst_peak_hour_local: String::new(),
        }
    }

    #[test]
    fn finite_tables_and_empty_cells_pass() {
        let rows = [summary(Some(1.0), None), summary(None, Some(-2.5))];
        assert!(check_finite(&rows, SummaryRow::TABLE).is_ok());
        assert!(check_finite::<SummaryRow>(&[], "empty").is_ok());
    }

    #[test]
    fn a_nan_or_infinity_names_table_column_and_row() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let rows = [summary(Some(1.0), Some(1.0)), summary(Some(1.0), Some(bad))];
            let message = check_finite(&rows, SummaryRow::TABLE)
                .unwrap_err()
                .to_string();
            assert!(
                message.starts_with("internal error: a computed value is not finite"),
                "{message}"
            );
            assert!(
                message.contains("table SummaryRow, column `worst`"),
                "{message}"
            );
            assert!(
                message.contains("row 2 (scenario s, region PJM, year 2030)"),
                "{message}"
            );
            assert!(message.contains("please report") || message.contains("Please report"));
        }
    }

    #[test]
    fn shares_of_nothing_are_empty_not_nan() {
        let zero = crate::stages::power::WorkloadPower {
            flop: Some(0.0),
            accelerator_hours: Some(0.0),
            it_energy_mwh: Some(0.0),
            facility_mwh: 0.0,
            average_mw: 0.0,
        };
        let power = YearPower {
            year: 2030,
            training: zero,
            inference: zero,
        };
        let row = PowerRow::new("s", &power, (0.8, 0.5), (None, None));
        assert_eq!(row.inference_share_flop_frac, None);
        assert_eq!(row.inference_share_accelerator_hours_frac, None);
        assert_eq!(row.inference_share_facility_energy_frac, None);
        assert!(check_finite(&[row], PowerRow::TABLE).is_ok());
    }

    #[test]
    fn bands_match_numpy() {
        let mut values = vec![
            3.0,
            1.0,
            4.0,
            1.0,
            5.0,
            9.0,
            2.0,
            6.0,
            5.0,
            3.0,
            5.0,
            f64::NAN,
        ];
        let (n, mean, q) = band(&mut values).unwrap();
        assert_eq!((n, mean), (11, 4.0));
        assert_eq!(q, [1.0, 1.0, 4.0, 6.0, 7.5]);
        let mut squares: Vec<f64> = (0..7).map(|i| 0.1 * f64::from(i * i)).collect();
        let (_, mean, q) = band(&mut squares).unwrap();
        let expected = [
            0.030_000_000_000_000_006,
            0.060_000_000_000_000_01,
            0.900_000_000_000_000_1,
            2.940_000_000_000_000_4,
            3.269_999_999_999_999_6,
        ];
        assert!((mean - 1.300_000_000_000_000_3).abs() < 1e-15);
        for (got, want) in q.iter().zip(expected) {
            assert!((got - want).abs() <= 1e-15, "{got} vs {want}");
        }
        assert_eq!(band(&mut vec![f64::NAN]), None);
        assert_eq!(band(&mut vec![2.5]), Some((1, 2.5, [2.5; 5])));
    }

    #[test]
    fn the_headline_names_the_milestone_years_and_the_most_strained_regions() {
        let power = |year: i32, share: f64| PowerRow {
            scenario: "s".into(),
            year,
            training_flop: None,
            inference_flop: None,
            training_accelerator_hours: None,
            inference_accelerator_hours: None,
            training_it_energy_mwh: None,
            inference_it_energy_mwh: None,
            training_facility_mwh: 0.0,
            inference_facility_mwh: 0.0,
            training_average_mw: 2000.0,
            inference_average_mw: 1000.0,
            training_rated_mw: 0.0,
            inference_rated_mw: 0.0,
            inference_share_flop_frac: None,
            inference_share_accelerator_hours_frac: Some(share),
            inference_share_facility_energy_frac: Some(0.0),
            training_accelerators: None,
            inference_accelerators: None,
            training_accelerators_purchased: None,
            inference_accelerators_purchased: None,
            training_hardware_capital_usd: None,
            inference_hardware_capital_usd: None,
            inference_share_hardware_capital_frac: None,
            non_ai_facility_mwh: None,
            all_datacentre_facility_mwh: None,
        };
        let metric = |region: &str, year: i32, residual: f64| MetricsRow {
            region: region.into(),
            year,
            hours: 8760.0,
            residual_above_threshold_mw: residual,
            ..MetricsRow::default()
        };
        let result = RunResult {
            power: vec![
                power(2024, 0.3),
                power(2029, 0.48),
                power(2030, 0.52),
                power(2035, 0.7),
            ],
            metrics: vec![
                metric("A", 2030, 500.0),
                metric("B", 2030, 2500.0),
                metric("C", 2030, 1500.0),
                metric("D", 2030, 100.0),
            ],
            ..RunResult::default()
        };
        let text = headline(&result);
        assert_eq!(text.lines().count(), 1 + 3 + 3, "{text}");
        assert!(text.contains("  2030 "), "{text}");
        assert!(!text.contains("  2029 "), "{text}");
        assert!(text.contains("1.0 / 2.0"), "{text}");
        assert!(text.contains("in 2030 (largest residual above threshold, worst weather year): B 2.5 GW, C 1.5 GW, A 0.5 GW"), "{text}");

        // A study of stated regional loads: its own years, and n/k for what is unknown.
        let unknown = RunResult {
            power: result
                .power
                .iter()
                .map(|p| PowerRow {
                    training_average_mw: 0.0,
                    inference_average_mw: 0.0,
                    ..p.clone()
                })
                .collect(),
            set_metrics: vec![SetMetricsRow {
                year: 2030,
                regions_without_co2_rate: 1.0,
                ..SetMetricsRow::default()
            }],
            milestone_years: vec![2029, 2030],
            ..result.clone()
        };
        let text = headline(&unknown);
        assert!(
            text.contains("  2029 ") && !text.contains("  2035 "),
            "{text}"
        );
        let row_2030 = text
            .lines()
            .find(|l| l.trim_start().starts_with("2030"))
            .unwrap();
        assert_eq!(row_2030.split_whitespace().nth(1), Some("n/k"), "{text}");
        assert!(!text.contains("-0.0"), "{text}");
        assert!(
            text.contains("national projection")
                && text.contains("no region of the set has an emission rate"),
            "{text}"
        );
    }

    #[test]
    fn columns_follow_the_fields_in_order() {
        assert_eq!(
            MetricsRow::COLUMN_NAMES[..4],
            ["scenario", "region", "year", "weather_year"]
        );
        let columns = MetricsRow::columns(&[MetricsRow::default(), MetricsRow::default()]);
        assert_eq!(columns.len(), MetricsRow::COLUMN_NAMES.len());
        assert!(matches!(&columns[4].values, ColumnValues::F64(v) if v.len() == 2));
    }

    #[test]
    fn summary_picks_the_worst_weather_year() {
        let row = |w: i32, peak: f64| MetricsRow {
            scenario: "s".into(),
            region: "R".into(),
            year: 2030,
            weather_year: w,
            total_peak_mw: peak,
            ..MetricsRow::default()
        };
        let rows = summary_rows(&[row(2016, 10.0), row(2017, 30.0)], &[]);
        let peak = rows.iter().find(|r| r.metric == "total_peak_mw").unwrap();
        assert_eq!(peak.mean, Some(20.0));
        assert_eq!(
            (peak.worst, peak.worst_weather_year),
            (Some(30.0), Some(2017))
        );
        let reserve = rows
            .iter()
            .find(|r| r.metric == "reserve_margin_after_frac")
            .unwrap();
        assert_eq!((reserve.mean, reserve.worst), (None, None));
    }

    #[test]
    fn the_reality_check_sets_the_run_beside_each_figure_and_sums_expected_ones() {
        let row = |region: &str, w: i32, mw: f64| MetricsRow {
            region: region.into(),
            year: 2030,
            weather_year: w,
            new_ai_at_peak_mw: 0.75 * mw,
            new_datacentre_at_peak_mw: mw,
            ..MetricsRow::default()
        };
        let metrics = [
            row("A", 2016, 900.0),
            row("A", 2017, 1100.0),
            row("B", 2016, 100.0),
        ];
        let figure = |region: &str, mw: f64, basis: &str, status: &str| OperatorForecast {
            region: region.into(),
            year: 2030,
            mw,
            basis: basis.into(),
            status: status.into(),
            realisation_frac: None,
            source: "s".into(),
            vintage: "2025".into(),
        };
        let forecasts = [
            figure("A", 1000.0, "coincident", "adjusted_forecast"),
            figure("A", 9000.0, "non_coincident", "requested"),
            figure("B", 1000.0, "coincident", "adjusted_forecast"),
        ];
        let rows = reality_check_rows("s", &forecasts, &metrics, &[(2030, 1500.0)]);
        assert_eq!(rows.len(), 4);
        // A: mean over weather years 1000 against 1000.
        assert_eq!(rows[0].run_over_operator_frac, Some(1.0));
        assert!(rows[0].reason.is_empty());
        assert_eq!(
            rows[1].reason,
            "operator figure is requested load, not expected"
        );
        // B: 100 against 1000; the operators' expected figures (2000) exceed the
        // scenario's national 1500, but 1500/2000 = 0.75 lies nearer 1 than B's 0.1: the
        // cause is siting (issue 22).
        assert!(
            rows[2].reason.starts_with("the scenario sites less here")
                && rows[2].reason.contains("siting, not the national total")
                && rows[2].reason.contains("0.75"),
            "{}",
            rows[2].reason
        );
        // With a national total of 150 (0.075 of the operators' 2000), further from 1 than
        // B's 0.1: the national total is the reason.
        let low_a: Vec<MetricsRow> = metrics
            .iter()
            .map(|m| MetricsRow {
                new_datacentre_at_peak_mw: if m.region == "A" {
                    1.0
                } else {
                    m.new_datacentre_at_peak_mw
                },
                ..m.clone()
            })
            .collect();
        let national = reality_check_rows("s", &forecasts, &low_a, &[(2030, 150.0)]);
        assert_eq!(
            national[2].reason,
            "scenario's national total is lower than the sum of the operators' forecasts"
        );
        // The sum row: the expected figures of A and B (2000) beside the run's own load in
        // A and B (1000 + 100), not the national total.
        let sum = &rows[3];
        assert_eq!(
            (sum.region.as_str(), sum.operator_mw),
            ("sum_of_operators", 2000.0)
        );
        assert_eq!(sum.run_new_datacentre_mw, 1100.0);
        assert_eq!(sum.run_over_operator_frac, Some(0.55));
        // A year with a figure only for a region the run does not hold has no sum row.
        let far = reality_check_rows(
            "s",
            &[OperatorForecast {
                region: "C".into(),
                ..figure("A", 1000.0, "coincident", "adjusted_forecast")
            }],
            &metrics,
            &[(2030, 1500.0)],
        );
        assert!(far.is_empty());
    }
}
