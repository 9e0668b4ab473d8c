//! What a simulation gives back: the row types of every output table, each column
//! defined once — by its field in the row type (the `table_row!` macro turns the fields, in
//! order, into named columns) — and the summary over weather years. No table library
//! here: [`crate::output`] turns [`Column`]s into CSV and Parquet.
//!
//! Rooms: this file holds the column machinery (`table_row!`, [`TableRow`],
//! [`check_finite`]) and [`RunResult`]; `rows` the row types; `summary` the summary over
//! weather years and the headline; `reality` the reality check against the operators'
//! forecasts; `bands` a sweep's bands, the key ranges and the ranking of strained regions.

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

/// A value type that can fill a column, and be read back from one.
pub trait CellValue: Clone {
    /// Whether the column holds a measured number (a metric), as opposed to a label.
    const IS_METRIC: bool = false;
    /// What a cell of this type holds, for messages.
    const EXPECTED: &'static str;
    /// The column of these values.
    fn column(values: Vec<Self>) -> ColumnValues;
    /// The value a written cell's text stands for (an empty cell is empty text), or
    /// `None` when the text is not one.
    fn parse_cell(text: &str) -> Option<Self>;
    /// The values of a column read back, or `None` when it holds values of another kind
    /// (or an empty cell where none may be).
    fn from_values(values: ColumnValues) -> Option<Vec<Self>>;
    /// The value as a number (NaN when empty); only for metric columns.
    fn number(&self) -> f64 {
        f64::NAN
    }
    /// Whether the cell can be written: a finite number, an empty cell or a label.
    fn is_writable(&self) -> bool {
        true
    }
}

/// Whole numbers as numbers (a year read where a number is expected).
fn as_numbers(values: ColumnValues) -> Option<Vec<Option<f64>>> {
    match values {
        ColumnValues::F64(v) => Some(v.into_iter().map(Some).collect()),
        ColumnValues::OptF64(v) => Some(v),
        ColumnValues::I32(v) => Some(v.into_iter().map(|x| Some(f64::from(x))).collect()),
        ColumnValues::OptI32(v) => Some(v.into_iter().map(|x| x.map(f64::from)).collect()),
        ColumnValues::Str(_) => None,
    }
}

/// Numbers that are whole and fit an `i32` (a year written as a number), as `i32`.
fn as_whole_numbers(values: ColumnValues) -> Option<Vec<Option<i32>>> {
    let whole = |x: f64| {
        (x.fract() == 0.0 && x >= f64::from(i32::MIN) && x <= f64::from(i32::MAX))
            .then_some(x as i32)
    };
    match values {
        ColumnValues::I32(v) => Some(v.into_iter().map(Some).collect()),
        ColumnValues::OptI32(v) => Some(v),
        ColumnValues::F64(v) => v.into_iter().map(|x| whole(x).map(Some)).collect(),
        ColumnValues::OptF64(v) => v
            .into_iter()
            .map(|x| x.map_or(Some(None), |x| whole(x).map(Some)))
            .collect(),
        ColumnValues::Str(_) => None,
    }
}

/// A cell that may be empty: empty text is an empty value, anything else must parse.
fn parse_optional<T: std::str::FromStr>(text: &str) -> Option<Option<T>> {
    if text.is_empty() {
        Some(None)
    } else {
        text.parse().ok().map(Some)
    }
}

impl CellValue for f64 {
    const IS_METRIC: bool = true;
    const EXPECTED: &'static str = "a number";
    fn column(values: Vec<Self>) -> ColumnValues {
        ColumnValues::F64(values)
    }
    fn parse_cell(text: &str) -> Option<Self> {
        text.parse().ok()
    }
    fn from_values(values: ColumnValues) -> Option<Vec<Self>> {
        as_numbers(values)?.into_iter().collect()
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
    const EXPECTED: &'static str = "a number or an empty cell";
    fn column(values: Vec<Self>) -> ColumnValues {
        ColumnValues::OptF64(values)
    }
    fn parse_cell(text: &str) -> Option<Self> {
        parse_optional(text)
    }
    fn from_values(values: ColumnValues) -> Option<Vec<Self>> {
        as_numbers(values)
    }
    fn number(&self) -> f64 {
        self.unwrap_or(f64::NAN)
    }
    fn is_writable(&self) -> bool {
        self.is_none_or(f64::is_finite)
    }
}

impl CellValue for i32 {
    const EXPECTED: &'static str = "a whole number";
    fn column(values: Vec<Self>) -> ColumnValues {
        ColumnValues::I32(values)
    }
    fn parse_cell(text: &str) -> Option<Self> {
        text.parse().ok()
    }
    fn from_values(values: ColumnValues) -> Option<Vec<Self>> {
        as_whole_numbers(values)?.into_iter().collect()
    }
}

impl CellValue for Option<i32> {
    const EXPECTED: &'static str = "a whole number or an empty cell";
    fn column(values: Vec<Self>) -> ColumnValues {
        ColumnValues::OptI32(values)
    }
    fn parse_cell(text: &str) -> Option<Self> {
        parse_optional(text)
    }
    fn from_values(values: ColumnValues) -> Option<Vec<Self>> {
        as_whole_numbers(values)
    }
}

impl CellValue for String {
    const EXPECTED: &'static str = "text";
    fn column(values: Vec<Self>) -> ColumnValues {
        ColumnValues::Str(values)
    }
    fn parse_cell(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
    fn from_values(values: ColumnValues) -> Option<Vec<Self>> {
        match values {
            ColumnValues::Str(v) => Some(v),
            _ => None,
        }
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
    /// Rows read back from named columns of `height` values (the inverse of
    /// [`TableRow::columns`]): each field from the column of its name; other columns are
    /// left.
    ///
    /// # Errors
    /// A column missing, holding another kind of value or of another height.
    fn from_columns(
        columns: Vec<(String, ColumnValues)>,
        height: usize,
    ) -> Result<Vec<Self>, String>;
    /// Rows read back from text cells (a CSV file's header and rows).
    ///
    /// # Errors
    /// A column missing, or a cell that is not what its column holds (its line in a file
    /// with one header line).
    fn from_text(header: &[String], rows: &[Vec<String>]) -> Result<Vec<Self>, String>;
}

/// The position of column `name` in `header`.
///
/// # Errors
/// `no column `name``.
pub fn column_position(header: &[String], name: &str) -> Result<usize, String> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| format!("no column `{name}`"))
}

/// The values of column `name` (taken out of `columns`) as `T`, `height` of them.
///
/// # Errors
/// The column missing, of another kind or of another height.
pub fn take_column<T: CellValue>(
    columns: &mut Vec<(String, ColumnValues)>,
    name: &str,
    height: usize,
) -> Result<Vec<T>, String> {
    let at = columns
        .iter()
        .position(|(n, _)| n == name)
        .ok_or_else(|| format!("no column `{name}`"))?;
    let (_, values) = columns.swap_remove(at);
    let values = T::from_values(values)
        .ok_or_else(|| format!("column `{name}`: expected {} in every row", T::EXPECTED))?;
    if values.len() == height {
        Ok(values)
    } else {
        Err(format!(
            "column `{name}` has {} values, expected {height}",
            values.len()
        ))
    }
}

/// Cell `row` of column `index` (named `name`) parsed as `T`.
///
/// # Errors
/// `line N, column `name`: found …, expected …` (line 1 is the header).
pub fn parse_text_cell<T: CellValue>(
    rows: &[Vec<String>],
    row: usize,
    index: usize,
    name: &str,
) -> Result<T, String> {
    let text = rows[row].get(index).map_or("", String::as_str);
    T::parse_cell(text).ok_or_else(|| {
        format!(
            "line {}, column `{name}`: found `{}`, expected {}",
            row + 2,
            text.chars().take(40).collect::<String>(),
            T::EXPECTED
        )
    })
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

            fn from_columns(
                mut columns: Vec<(String, $crate::results::ColumnValues)>,
                height: usize,
            ) -> Result<Vec<Self>, String> {
                $(let mut $field = $crate::results::take_column::<$ty>(
                    &mut columns,
                    stringify!($field),
                    height,
                )?
                .into_iter();)*
                let mut rows = Vec::with_capacity(height);
                for _ in 0..height {
                    rows.push(Self {
                        $($field: $field.next().unwrap_or_else(|| unreachable!("height checked"))),*
                    });
                }
                Ok(rows)
            }

            fn from_text(header: &[String], rows: &[Vec<String>]) -> Result<Vec<Self>, String> {
                $(let $field = $crate::results::column_position(header, stringify!($field))?;)*
                (0..rows.len())
                    .map(|row| {
                        Ok(Self {
                            $($field: $crate::results::parse_text_cell::<$ty>(
                                rows,
                                row,
                                $field,
                                stringify!($field),
                            )?),*
                        })
                    })
                    .collect()
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

mod bands;
mod reality;
mod rows;
mod summary;

pub use self::bands::*;
pub use self::reality::*;
pub use self::rows::*;
pub use self::summary::*;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::region::OperatorForecast;
    use crate::stages::power::YearPower;

    #[test]
    fn rows_read_from_text_cells_say_the_line_and_column_of_a_bad_cell() {
        let header: Vec<String> = RegionNameRow::COLUMN_NAMES
            .iter()
            .map(|c| (*c).to_owned())
            .collect();
        let cells = |lat: &str| -> Vec<String> {
            [
                "PJM-DOM",
                "Dominion",
                "PJM",
                "America/New_York",
                lat,
                "-77.4",
                "Ashburn",
            ]
            .iter()
            .map(|c| (*c).to_owned())
            .collect()
        };
        let rows = RegionNameRow::from_text(&header, &[cells("39.0"), cells("")]).unwrap();
        assert_eq!(rows[0].latitude, Some(39.0));
        assert_eq!(rows[1].latitude, None, "an empty cell is an empty value");
        assert_eq!(rows[1].map_place, "Ashburn");
        let e = RegionNameRow::from_text(&header, &[cells("39.0"), cells("north")]).unwrap_err();
        assert_eq!(
            e,
            "line 3, column `latitude`: found `north`, expected a number or an empty cell"
        );
        let e = RegionNameRow::from_text(&header[1..], &[]).unwrap_err();
        assert_eq!(e, "no column `region`");
    }

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

    /// The power row of the in-memory fixture's scenario: shares between 0 and 1, the
    /// facility-energy share what the energies say, rated MW the average over the draw.
    #[test]
    fn the_fixture_s_power_row_adds_up() {
        let scenario = crate::fixture::scenario();
        let power = crate::stages::power::year_power(&scenario, 2030);
        let draw = (scenario.training.power_frac, scenario.inference.power_frac);
        let row = PowerRow::new(&scenario.name, &power, draw, (None, None));
        for share in [
            row.inference_share_flop_frac,
            row.inference_share_accelerator_hours_frac,
            row.inference_share_facility_energy_frac,
        ] {
            let share = share.expect("a crossover scenario knows every share");
            assert!(share > 0.0 && share < 1.0, "{share}");
        }
        let facility_mwh = row.training_facility_mwh + row.inference_facility_mwh;
        let share = row.inference_share_facility_energy_frac.unwrap();
        assert!((share - row.inference_facility_mwh / facility_mwh).abs() < 1e-12);
        assert!((row.training_rated_mw - row.training_average_mw / draw.0).abs() < 1e-6);
        assert!((row.inference_rated_mw - row.inference_average_mw / draw.1).abs() < 1e-6);
        assert!(check_finite(&[row], PowerRow::TABLE).is_ok());
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
