//! The run report's charts, one function each: energy by workload, the most strained
//! regions' peak increase and headroom, the strain map, the peak week and load-duration
//! curves, the operators' forecasts, CO2 and the firm capacity's overnight capital.
use anyhow::Result;

use super::{LABEL_CHARS, Run};
use crate::report::charts::{self, BLUE, Band, GREEN, GREY, ORANGE, PURPLE, RED, SKY, Series};
use crate::report::data::most_strained;
use crate::report::{Chart, data, mean_by_region_year, one};
use crate::results::PowerRow;

// ---------------------------------------------------------------- charts

/// 1. AI energy by workload and year, the crossover marked on the plotted basis.
pub(super) fn energy_chart(run: &Run) -> Result<Chart> {
    let (first, last) = (run.first(), run.last());
    let x: Vec<f64> = run.years.iter().map(|y| f64::from(*y)).collect();
    let scaled = |value: fn(&PowerRow) -> f64| -> Vec<f64> {
        run.power.iter().map(|p| value(p) / 1e6).collect()
    };
    let (accelerator, energy) = run.crossovers();
    let year_or =
        |year: Option<i32>, none: &str| year.map_or_else(|| none.to_owned(), |y| y.to_string());
    if !run.national_known() {
        return regional_energy_chart(run);
    }
    let (training_twh, inference_twh, title, subtitle, caption) = {
        (
            scaled(|p| p.training_facility_mwh),
            scaled(|p| p.inference_facility_mwh),
            "US AI data-centre energy by workload".to_owned(),
            format!(
                "Facility energy of training and inference, {first}–{last}, in TWh per year. The marker is where these lines cross (energy basis: {}); on the accelerator-hour basis (compute spending) inference overtakes training in {}.",
                year_or(energy, "not within the study"),
                year_or(accelerator, "no year of the study"),
            ),
            format!(
                "From power_by_year.csv. Inference overtakes training in energy in {}; in accelerator-hours (compute spending, the scenario's crossover basis) in {} — inference runs its chips at lower power, so its energy share lags.",
                year_or(energy, "no year of the study"),
                year_or(accelerator, "no year of the study"),
            ),
        )
    };
    let marker = energy.map(|c| (f64::from(c), "inference overtakes training (energy)"));
    Ok(Chart {
        id: "ai_energy",
        svg: charts::lines(
            &title,
            &subtitle,
            &x,
            &[
                Series {
                    name: "training",
                    color: BLUE,
                    values: training_twh.clone(),
                },
                Series {
                    name: "inference",
                    color: ORANGE,
                    values: inference_twh.clone(),
                },
            ],
            &[],
            ("year", "TWh per year"),
            marker,
            (true, true),
        ),
        title,
        header: vec![
            "year".into(),
            "training (TWh)".into(),
            "inference (TWh)".into(),
        ],
        rows: run
            .years
            .iter()
            .enumerate()
            .map(|(i, y)| vec![y.to_string(), one(training_twh[i]), one(inference_twh[i])])
            .collect(),
        caption,
    })
}

/// 1 (a study of regional loads alone): its own regions' new AI energy, one line — the
/// forecasts do not split training from inference.
pub(super) fn regional_energy_chart(run: &Run) -> Result<Chart> {
    let (first, last) = (run.first(), run.last());
    let values = mean_by_region_year(&run.metrics, |m| m.new_ai_energy_mwh);
    let x: Vec<f64> = run.years.iter().map(|y| f64::from(*y)).collect();
    let twh: Vec<f64> = run
        .years
        .iter()
        .map(|y| {
            values
                .iter()
                .filter(|((_, yy), _)| yy == y)
                .map(|(_, v)| v)
                .sum::<f64>()
                / 1e6
        })
        .collect();
    let title = format!("New AI energy in {}", run.set_name);
    Ok(Chart {
        id: "ai_energy",
        svg: charts::lines(
            &title,
            &format!(
                "New AI facility energy in the study's regions, {first}–{last}, TWh per year (the scenario states regional loads only: no national projection, no split between training and inference)."
            ),
            &x,
            &[Series {
                name: "new AI",
                color: ORANGE,
                values: twh.clone(),
            }],
            &[],
            ("year", "TWh per year"),
            None,
            (true, true),
        ),
        title,
        header: vec!["year".into(), "new AI (TWh)".into()],
        rows: run
            .years
            .iter()
            .zip(&twh)
            .map(|(y, v)| vec![y.to_string(), one(*v)])
            .collect(),
        caption: "From metrics.parquet (new AI energy, mean over weather years).".to_owned(),
    })
}

/// 2. Peak increase of the most strained regions, grouped by ISO.
pub(super) fn peak_increase_chart(run: &Run, year: i32, charted: &[String]) -> Result<Chart> {
    let increase = mean_by_region_year(&run.metrics, |m| m.peak_increase_mw);
    let value = |region: &str| {
        increase
            .iter()
            .find(|((r, y), _)| r == region && *y == year)
            .map_or(f64::NAN, |(_, v)| v / 1000.0)
    };
    let labels: Vec<String> = charted.iter().map(|r| group_label(run, r)).collect();
    let values: Vec<f64> = charted.iter().map(|r| value(r)).collect();
    let all = run
        .names
        .by_id
        .len()
        .max(increase.len() / run.years.len().max(1));
    let title = format!("Peak increase of the most strained regions, {year}");
    Ok(Chart {
        id: "peak_increase_by_region",
        svg: charts::bars(
            &title,
            &format!(
                "How much the new AI load raises the annual peak of the {} most strained regions in {year}, grouped by ISO, mean over weather years, in GW.",
                charted.len()
            ),
            &labels,
            &[Series {
                name: "peak increase",
                color: RED,
                values: values.clone(),
            }],
            "peak increase (GW)",
        ),
        title,
        header: vec!["region".into(), "peak increase (GW)".into()],
        rows: charted
            .iter()
            .zip(&values)
            .map(|(r, v)| vec![run.names.full(r), format!("{v:.2}")])
            .collect(),
        caption: format!(
            "From metrics.parquet (peak_increase_mw). The {} most strained of {all} regions, by residual above threshold; every region is in the appendix.",
            charted.len()
        ),
    })
}

/// Regions the map needs before it is drawn (a handful reads better as a table).
const MAP_MIN_REGIONS: usize = 6;

/// The regions at their load centres, coloured by how far their load goes above the
/// threshold in their worst weather year.
pub(super) fn strain_map(run: &Run, year: i32) -> Result<Option<Chart>> {
    let strained = most_strained(&run.metrics, year, usize::MAX);
    let placed: Vec<&(String, i32, f64)> = strained
        .iter()
        .filter(|(r, _, _)| run.names.points.contains_key(r))
        .collect();
    if placed.len() < MAP_MIN_REGIONS {
        return Ok(None);
    }
    const LABELLED: usize = 8;
    let points: Vec<charts::MapPoint> = placed
        .iter()
        .enumerate()
        .map(|(k, (region, _, residual))| {
            let (latitude, longitude, place) = &run.names.points[region];
            let short = place.split(" (").next().unwrap_or(place);
            charts::MapPoint {
                longitude: *longitude,
                latitude: *latitude,
                value: residual / 1000.0,
                label: (k < LABELLED && *residual > 0.0).then(|| short.to_owned()),
            }
        })
        .collect();
    let left_out = strained.len() - placed.len();
    let title = format!("Where the grid is strained, {year}");
    Ok(Some(Chart {
        id: "strain_map",
        svg: charts::map(
            &title,
            &format!(
                "Each region of the study as a circle at the city or load centre it mostly serves, coloured by how far its load with the new data centres goes above its threshold in its worst weather year of {year} (GW); the {LABELLED} most strained are named."
            ),
            &points,
            [0.0, 0.5, 2.0, 5.0],
            ["none", "up to 0.5 GW", "0.5–2 GW", "2–5 GW", "over 5 GW"],
        ),
        title,
        header: vec![
            "region".into(),
            "placed at".into(),
            "residual above threshold, worst weather year (GW)".into(),
        ],
        rows: placed
            .iter()
            .map(|(r, _, v)| {
                vec![
                    run.names.full(r),
                    run.names.points[r].2.clone(),
                    format!("{:.2}", v / 1000.0),
                ]
            })
            .collect(),
        caption: format!(
            "From metrics.parquet; each region is a point at the city or load centre it mostly serves (regions/catalogue/load_centres.csv), not its boundary.{}",
            if left_out > 0 {
                format!(
                    " {left_out} region(s) without a point are left off the map (they are in the tables)."
                )
            } else {
                String::new()
            }
        ),
    }))
}

/// A region's label on a chart of regions: its ISO first when it is a zone.
pub(super) fn group_label(run: &Run, region: &str) -> String {
    let parent = run.names.parent(region);
    let label = run.names.short(region, LABEL_CHARS);
    if parent.is_empty() {
        label
    } else {
        format!("{parent} · {label}")
    }
}

/// The peak week of the most strained region in its local time (chart 3), and its
/// load-duration curves before and after flexibility (chart 4).
pub(super) fn peak_week_charts(run: &Run, year: i32) -> Result<Vec<Chart>> {
    let extra = &run.extra;
    let pick = |item: &str, region: &str, series: &str| -> Vec<f64> {
        extra
            .iter()
            .filter(|e| e.item == item && e.region == region && e.series == series)
            .map(|e| e.y / 1000.0)
            .collect()
    };
    let Some((region, _, _)) = most_strained(&run.metrics, year, 1).into_iter().next() else {
        return Ok(Vec::new());
    };
    let weather_year = extra
        .iter()
        .find(|e| e.item == "peak_week" && e.region == region)
        .map_or(0, |e| e.weather_year);
    let baseline = pick("peak_week", &region, "baseline");
    let inference = pick("peak_week", &region, "new_inference");
    let training = pick("peak_week", &region, "new_training_after_flex");
    let curtailed = pick("peak_week", &region, "curtailed_training");
    let threshold = pick("peak_week", &region, "threshold");
    let name = run.names.full(&region);
    // The week's first hour (UTC epoch hour) in the region's time zone.
    let start_hour = extra
        .iter()
        .find(|e| e.item == "peak_week_start" && e.region == region)
        .map(|e| e.y);
    let zone = run.names.time_zone(&region);
    let start = start_hour
        .and_then(|h| chrono::DateTime::from_timestamp(h as i64 * 3600, 0))
        .zip(zone);
    let (axis, tick) = week_axis(start);
    let title = format!("{name}: the peak week of {year} (weather of {weather_year})");
    let hour_label = |t: usize| match start {
        Some((utc, tz)) => (utc + chrono::Duration::hours(t as i64))
            .with_timezone(&tz)
            .format("%a %-d %b %H:%M")
            .to_string(),
        None => t.to_string(),
    };
    let week = Chart {
        id: "peak_week",
        svg: charts::stacked_hours(
            &title,
            &format!(
                "Hourly load of {name} over the week around its {year} peak, stacked: baseline, new inference, new training after flexibility, and the training curtailed; the black line is the threshold. GW."
            ),
            &[
                Series {
                    name: "baseline",
                    color: GREY,
                    values: baseline.clone(),
                },
                Series {
                    name: "new inference",
                    color: ORANGE,
                    values: inference.clone(),
                },
                Series {
                    name: "new training",
                    color: BLUE,
                    values: training.clone(),
                },
                Series {
                    name: "training curtailed",
                    color: RED,
                    values: curtailed.clone(),
                },
            ],
            &threshold,
            "load (GW)",
            (&axis, &*tick),
        ),
        title,
        header: [
            "local time",
            "baseline (GW)",
            "new inference (GW)",
            "new training (GW)",
            "curtailed (GW)",
            "threshold (GW)",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        rows: (0..threshold.len())
            .step_by(6)
            .map(|t| {
                vec![
                    hour_label(t),
                    format!("{:.2}", baseline[t]),
                    format!("{:.2}", inference[t]),
                    format!("{:.2}", training[t]),
                    format!("{:.2}", curtailed[t]),
                    format!("{:.2}", threshold[t]),
                ]
            })
            .collect(),
        caption: format!(
            "From report_data.parquet (every 6th hour in the table). The study year's calendar carries the weather of {weather_year}, aligned on weekdays."
        ),
    };
    let duration = load_duration_chart(run, year, &region, &pick)?;
    Ok(vec![week, duration])
}

/// The peak week's x axis (days from its first hour): its title and tick labels — in the
/// region's local time when the week's `start` (UTC) and time zone are known, else days
/// counted from one.
fn week_axis(
    start: Option<(chrono::DateTime<chrono::Utc>, chrono_tz::Tz)>,
) -> (String, Box<dyn Fn(f64) -> String>) {
    match start {
        Some((utc, tz)) => {
            let local = utc.with_timezone(&tz);
            (
                format!(
                    "local time ({}), ticks at {}",
                    tz.name(),
                    local.format("%H:%M")
                ),
                Box::new(move |days: f64| {
                    (local + chrono::Duration::hours((days * 24.0).round() as i64))
                        .format("%a %-d %b")
                        .to_string()
                }),
            )
        }
        None => (
            "days of the peak week".to_owned(),
            Box::new(|days: f64| format!("day {:.0}", days + 1.0)),
        ),
    }
}

/// Chart 4: the most strained region's load-duration curves in `year`, before and after
/// flexibility (`pick(item, region, series)` gives a series of `report_data` in GW).
fn load_duration_chart(
    run: &Run,
    year: i32,
    region: &str,
    pick: &dyn Fn(&str, &str, &str) -> Vec<f64>,
) -> Result<Chart> {
    let name = run.names.full(region);
    let before = pick("load_duration", region, "before_flex");
    let after = pick("load_duration", region, "after_flex");
    let pct: Vec<f64> = (0..before.len()).map(|i| i as f64).collect();
    let top_before = before.first().copied().unwrap_or(0.0);
    let lowered = top_before - after.first().copied().unwrap_or(0.0);
    let title = format!("{name}: load-duration curve, {year}");
    let same = top_before > 0.0 && lowered < 0.02 * top_before;
    let training_new: f64 = mean_by_region_year(&run.metrics, |m| m.new_training_energy_mwh)
        .iter()
        .filter(|((r, y), _)| r == region && *y == year)
        .map(|(_, v)| v)
        .sum();
    let duration = Chart {
        id: "load_duration",
        svg: charts::lines(
            &title,
            &format!(
                "{name}'s total load in {year} sorted from the highest hour down, before and after training flexibility, in GW against the percent of hours."
            ),
            &pct,
            &[
                Series {
                    name: "before flexibility",
                    color: RED,
                    values: before.clone(),
                },
                Series {
                    name: "after flexibility",
                    color: GREEN,
                    values: after.clone(),
                },
            ],
            &[],
            ("percent of hours of the year", "load (GW)"),
            None,
            (true, false),
        ),
        title,
        header: vec![
            "% of hours".into(),
            "before (GW)".into(),
            "after (GW)".into(),
        ],
        rows: (0..before.len())
            .step_by(10)
            .map(|i| {
                vec![
                    i.to_string(),
                    format!("{:.2}", before[i]),
                    format!("{:.2}", after[i]),
                ]
            })
            .collect(),
        caption: if training_new <= 0.0 {
            format!(
                "From report_data.parquet. No new training load in {name}: nothing can be curtailed, so the curves are one."
            )
        } else if same {
            format!(
                "From report_data.parquet. The two curves lie on top of each other, and that is the finding: within its depth and energy budget, flexibility lowers {name}'s highest hour by only {:.2} GW of {} GW ({:.1} %).",
                lowered,
                one(top_before),
                100.0 * lowered / top_before
            )
        } else {
            format!(
                "From report_data.parquet. Flexibility lowers {name}'s highest hour by {:.2} GW (from {} to {} GW).",
                lowered,
                one(top_before),
                one(top_before - lowered)
            )
        },
    };
    Ok(duration)
}

/// 5. Headroom of the charted regions at each limit.
pub(super) fn headroom_chart(run: &Run, charted: &[String]) -> Result<Chart> {
    let limits: Vec<f64> = data::HEADROOM_LIMITS_FRAC
        .iter()
        .map(|l| l * 100.0)
        .collect();
    let at = |region: &str, limit: f64| run.headroom_gw(region, limit);
    let total: Vec<f64> = limits.iter().map(|l| at("total", *l)).collect();
    let colors = [SKY, BLUE, PURPLE, RED];
    let names = ["0.25 %", "0.5 %", "1 %", "5 %"];
    let title = "Curtailment-enabled headroom of the most strained regions".to_owned();
    Ok(Chart {
        id: "headroom",
        svg: charts::bars(
            &title,
            "New flexible load each of the most strained regions could take (GW) if it accepted curtailment of 0.25, 0.5, 1 or 5 % of its energy, over every year of its data (Norris et al. 2025 method).",
            &charted
                .iter()
                .map(|r| group_label(run, r))
                .collect::<Vec<_>>(),
            &limits
                .iter()
                .zip(colors)
                .zip(names)
                .map(|((l, c), n)| Series {
                    name: n,
                    color: c,
                    values: charted.iter().map(|r| at(r, *l)).collect(),
                })
                .collect::<Vec<_>>(),
            "headroom (GW)",
        ),
        title,
        header: std::iter::once("region".to_owned())
            .chain(names.iter().map(|n| format!("at {n} (GW)")))
            .collect(),
        rows: charted
            .iter()
            .map(|r| {
                std::iter::once(run.names.full(r))
                    .chain(limits.iter().map(|l| format!("{:.2}", at(r, *l))))
                    .collect()
            })
            .collect(),
        caption: if total.iter().all(|t| t.is_finite()) {
            format!(
                "From report_data.parquet; every region is in the appendix. All regions of the set together: {} GW at 0.25 %, {} GW at 0.5 %, {} GW at 1 %, {} GW at 5 %.",
                one(total[0]),
                one(total[1]),
                one(total[2]),
                one(total[3])
            )
        } else {
            "From report_data.parquet; every region is in the appendix.".to_owned()
        },
    })
}

/// 6. The run beside the grid operators' own forecasts.
pub(super) fn reality_chart(run: &Run, year: i32) -> Result<Chart> {
    let reality = &run.reality;
    let usable = |i: usize| {
        run.metrics.iter().any(|m| m.region == reality[i].region)
            && reality[i].operator_mw.is_finite()
    };
    let mut picked: Vec<usize> = (0..reality.len())
        .filter(|&i| usable(i) && reality[i].year == year)
        .collect();
    if picked.is_empty() {
        picked = (0..reality.len()).filter(|&i| usable(i)).take(16).collect();
    }
    let label = |i: usize, full: bool| {
        let row = &reality[i];
        let published = if row.operator_vintage.is_empty() {
            String::new()
        } else {
            format!(", {}", row.operator_vintage)
        };
        let name = if full {
            run.names.full(&row.region)
        } else {
            run.names.short(&row.region, 30)
        };
        format!(
            "{name} {} ({}{published})",
            row.year,
            row.operator_status.replace('_', " ")
        )
    };
    let title = format!("This run beside the grid operators' own forecasts, {year}");
    Ok(Chart {
        id: "reality_check",
        svg: charts::bars(
            &title,
            &format!("New AI load at each region's peak hour in this run and the data-centre or large-load figure its grid operator published for {year} (or the nearest years published), GW; in brackets whether the operator's figure is requested, expected (an adjusted forecast) or approved load."),
            &picked.iter().map(|&i| label(i, false)).collect::<Vec<_>>(),
            &[
                Series { name: "this run", color: BLUE, values: picked.iter().map(|&i| reality[i].run_new_datacentre_mw / 1000.0).collect() },
                Series { name: "operator", color: GREY, values: picked.iter().map(|&i| reality[i].operator_mw / 1000.0).collect() },
            ],
            "new AI load at the peak hour (GW)",
        ),
        title,
        header: vec!["region, year (status of the operator's figure, published)".into(), "this run (GW)".into(), "operator (GW)".into()],
        rows: picked.iter().map(|&i| vec![label(i, true), format!("{:.2}", reality[i].run_new_datacentre_mw / 1000.0), format!("{:.2}", reality[i].operator_mw / 1000.0)]).collect(),
        caption: "From reality_check.csv (each figure's basis, status and source, and the reason the run differs, are there).".to_owned(),
    })
}

/// 7. Emissions by year (none when no region of the set has an emission rate).
pub(super) fn emissions_chart(run: &Run) -> Result<Option<Chart>> {
    let co2 = run.set_year(|s| s.ai_co2_t.unwrap_or(f64::NAN));
    let x: Vec<f64> = run.years.iter().map(|y| f64::from(*y)).collect();
    let co2_mt: Vec<f64> = run
        .years
        .iter()
        .map(|y| co2.get(y).copied().unwrap_or(f64::NAN) / 1e6)
        .collect();
    if !co2_mt.iter().any(|v| v.is_finite()) {
        return Ok(None);
    }
    let title = format!("CO2 of the new AI load, {}", run.set_name);
    Ok(Some(Chart {
        id: "emissions",
        svg: charts::lines(
            &title,
            "Emissions of the new AI energy delivered in the set's regions, at each region's eGRID rate, Mt CO2 per year (mean over weather years).",
            &x,
            &[Series {
                name: "AI CO2",
                color: PURPLE,
                values: co2_mt.clone(),
            }],
            &range_band(run, "ai_co2_t", 1e6, PURPLE),
            ("year", "Mt CO2 per year"),
            None,
            (true, true),
        ),
        title,
        header: vec!["year".into(), "Mt CO2".into(), "range (Mt CO2)".into()],
        rows: run
            .years
            .iter()
            .zip(&co2_mt)
            .map(|(y, v)| vec![y.to_string(), one(*v), range_cell(run, *y, "ai_co2_t", 1e6)])
            .collect(),
        caption: "From regionset_metrics.parquet (ai_co2_t), at each region's 2023 average emission rate; the band is the 5th–95th percentile of ranges.csv.".to_owned(),
    }))
}

/// 8. The overnight capital of the firm capacity needed, by year.
pub(super) fn cost_chart(run: &Run) -> Result<Chart> {
    let cost = run.set_year(|s| s.firm_capacity_cost_usd);
    let x: Vec<f64> = run.years.iter().map(|y| f64::from(*y)).collect();
    let cost_bn: Vec<f64> = run
        .years
        .iter()
        .map(|y| cost.get(y).copied().unwrap_or(f64::NAN) / 1e9)
        .collect();
    let title = format!(
        "Overnight cost of the firm capacity the new data-centre load calls for, {}",
        run.set_name
    );
    Ok(Chart {
        id: "firm_capacity_cost",
        svg: charts::lines(
            &title,
            "Overnight capital cost of the firm capacity the new data-centre load needs beyond the regions' anticipated resources (planning reserve, NERC 2025 LTRA margins; each region's cost of new entry, 2025 $ or PJM's 2028 nominal), billion US dollars for the whole need, not per year; mean over weather years.",
            &x,
            &[Series { name: "firm capacity cost", color: GREEN, values: cost_bn.clone() }],
            &range_band(run, "firm_capacity_cost_usd", 1e9, GREEN),
            ("year", "overnight capital, whole need (bn USD)"),
            None,
            (true, true),
        ),
        title,
        header: vec!["year".into(), "cost (bn USD)".into(), "range (bn USD)".into()],
        rows: run.years.iter().zip(&cost_bn).map(|(y, v)| vec![y.to_string(), one(*v)]).collect(),
        caption: "From regionset_metrics.parquet (firm_capacity_cost_usd): overnight capital for the whole need, not a yearly cost.".to_owned(),
    })
}

/// The 5th–95th percentile band of a set output by year (`ranges.csv`), when every year
/// has one.
fn range_band(
    run: &Run,
    metric: &str,
    divide: f64,
    color: plotters::style::RGBColor,
) -> Vec<Band<'static>> {
    let (low, high): (Vec<f64>, Vec<f64>) = run
        .years
        .iter()
        .map(|y| {
            run.ranges
                .get(*y, metric)
                .map_or((f64::NAN, f64::NAN), |r| (r.p5 / divide, r.p95 / divide))
        })
        .unzip();
    if low.iter().chain(&high).all(|v| v.is_finite()) {
        vec![Band {
            name: "5–95th percentile",
            color,
            low,
            high,
        }]
    } else {
        Vec::new()
    }
}

/// "66.4–159.2", or empty when there is no range.
fn range_cell(run: &Run, year: i32, metric: &str, divide: f64) -> String {
    run.ranges
        .get(year, metric)
        .filter(|r| r.p5.is_finite() && r.p95.is_finite())
        .map_or_else(String::new, |r| {
            format!("{}–{}", one(r.p5 / divide), one(r.p95 / divide))
        })
}
