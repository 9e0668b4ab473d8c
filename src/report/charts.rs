//! The report's charts, drawn with plotters' SVG backend (no system fonts: the browser
//! sets the text). Each chart comes back as one `<svg>` element with a `<title>` and a
//! `<desc>` (its text alternative) and `role="img"`; the report adds a table equivalent.
//! Output is a pure function of the data: the same numbers give the same bytes.
use plotters::prelude::*;

/// Chart size (px); the SVG scales to its container.
const SIZE: (u32, u32) = (760, 400);

/// Colours (colour-blind-safe Okabe–Ito palette).
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Orange.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Bluish green.
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
/// Vermillion.
pub const RED: RGBColor = RGBColor(213, 94, 0);
/// Sky blue.
pub const SKY: RGBColor = RGBColor(86, 180, 233);
/// Grey.
pub const GREY: RGBColor = RGBColor(120, 120, 120);
/// Reddish purple.
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);

/// One named series of a chart.
pub struct Series<'a> {
    /// Legend name.
    pub name: &'a str,
    /// Colour.
    pub color: RGBColor,
    /// Values (one per x).
    pub values: Vec<f64>,
}

/// A percentile band drawn behind a line: (low, high) per x.
pub struct Band<'a> {
    /// Legend name.
    pub name: &'a str,
    /// Colour.
    pub color: RGBColor,
    /// Lower and upper edge per x.
    pub low: Vec<f64>,
    /// See `low`.
    pub high: Vec<f64>,
}

/// The drawing surface of every chart.
type Root<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// A chart with two numeric axes.
type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Every chart's frame: the title, the margins, the room for the axis labels (`x`, `y`
/// in pixels) and the axes' ranges; `None` when plotters cannot lay it out.
fn frame<'a, 'b>(
    root: &'a Root<'b>,
    title: &str,
    (x_label_area, y_label_area): (u32, u32),
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
) -> Option<Chart<'a, 'b>> {
    ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .margin_right(28)
        .x_label_area_size(x_label_area)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(x, y)
        .ok()
}

/// Every chart's legend: a light box at `position`.
fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>, position: SeriesLabelPosition) {
    let _ = chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(GREY)
        .draw();
}

/// Put the title and text alternative into plotters' `<svg>` and make it scale.
fn accessible(svg: &str, title: &str, description: &str) -> String {
    let escaped = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let Some(open_end) = svg.find('>') else {
        return svg.to_owned();
    };
    let (open, rest) = svg.split_at(open_end);
    let open = open
        .replacen(
            &format!("width=\"{}\" height=\"{}\"", SIZE.0, SIZE.1),
            "",
            1,
        )
        .replacen(
            "<svg",
            &format!(
                "<svg role=\"img\" aria-label=\"{}\"",
                escaped(title).replace('"', "&quot;")
            ),
            1,
        );
    format!(
        "{open}><title>{}</title><desc>{}</desc>{}",
        escaped(title),
        escaped(description),
        &rest[1..]
    )
}

fn range_of<'a>(values: impl Iterator<Item = &'a f64>) -> (f64, f64) {
    range_from(values, true)
}

/// The value range to draw: from 0 (or the lowest value when `from_zero` is false, with
/// a margin) to 6 % above the highest.
fn range_from<'a>(values: impl Iterator<Item = &'a f64>, from_zero: bool) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        if v.is_finite() {
            (lo.min(*v), hi.max(*v))
        } else {
            (lo, hi)
        }
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let lo = if from_zero {
        lo.min(0.0)
    } else {
        lo - 0.04 * (hi - lo)
    };
    let hi = if hi > lo { hi } else { lo + 1.0 };
    (lo, hi + 0.06 * (hi - lo))
}

/// A line chart over numeric x (years, percent of hours), with an optional band behind
/// each line and an optional vertical marker.
#[allow(clippy::too_many_arguments)]
pub fn lines(
    title: &str,
    description: &str,
    x: &[f64],
    series: &[Series<'_>],
    bands: &[Band<'_>],
    (x_label, y_label): (&str, &str),
    marker: Option<(f64, &str)>,
    (integer_x, from_zero): (bool, bool),
) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let _ = root.fill(&WHITE);
        let x0 = x.first().copied().unwrap_or(0.0);
        let x1 = x.last().copied().unwrap_or(1.0).max(x0 + 1.0);
        let (y0, y1) = range_from(
            series
                .iter()
                .flat_map(|s| s.values.iter())
                .chain(bands.iter().flat_map(|b| b.low.iter().chain(b.high.iter()))),
            from_zero,
        );
        let Some(mut chart) = frame(&root, title, (44, 72), x0..x1, y0..y1) else {
            return String::new();
        };
        let format_x = |v: &f64| {
            if integer_x {
                format!("{v:.0}")
            } else {
                format!("{v}")
            }
        };
        let _ = chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_labels(if integer_x { x.len().min(12) } else { 11 })
            .x_label_formatter(&format_x)
            .light_line_style(WHITE.mix(0.0))
            .draw();
        for band in bands {
            let mut upper: Vec<(f64, f64)> =
                x.iter().copied().zip(band.high.iter().copied()).collect();
            let lower: Vec<(f64, f64)> = x.iter().copied().zip(band.low.iter().copied()).collect();
            upper.extend(lower.into_iter().rev());
            if let Ok(drawn) = chart.draw_series(std::iter::once(Polygon::new(
                upper,
                band.color.mix(0.22).filled(),
            ))) {
                drawn.label(band.name).legend(move |(a, b)| {
                    Rectangle::new([(a, b - 5), (a + 16, b + 5)], band.color.mix(0.22).filled())
                });
            }
        }
        // Earlier series are drawn wider, so a later one that coincides leaves them visible.
        let widths = [6, 3, 2, 2];
        for (k, s) in series.iter().enumerate() {
            let color = s.color;
            let width = if series.len() > 1 {
                widths[k.min(3)]
            } else {
                3
            };
            if let Ok(drawn) = chart.draw_series(LineSeries::new(
                x.iter().copied().zip(s.values.iter().copied()),
                color.stroke_width(width),
            )) {
                drawn.label(s.name).legend(move |(a, b)| {
                    PathElement::new([(a, b), (a + 16, b)], color.stroke_width(width))
                });
            }
        }
        if let Some((at, label)) = marker {
            let _ = chart.draw_series(std::iter::once(PathElement::new(
                [(at, y0), (at, y1)],
                GREY.stroke_width(2),
            )));
            let _ = chart.draw_series(std::iter::once(Text::new(
                label.to_owned(),
                (at, y1 - 0.04 * (y1 - y0)),
                ("sans-serif", 14).into_font().color(&BLACK),
            )));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft);
        let _ = root.present();
    }
    accessible(&svg, title, description)
}

/// Horizontal bars, one row per label (the first at the top), one or more series side
/// by side.
pub fn bars(
    title: &str,
    description: &str,
    labels: &[String],
    series: &[Series<'_>],
    value_label: &str,
) -> String {
    let mut svg = String::new();
    let per_row = 8 + 14 * series.len().max(1) as u32;
    let height = (110 + per_row * labels.len() as u32).max(SIZE.1);
    {
        let root = SVGBackend::with_string(&mut svg, (SIZE.0, height)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let (v0, v1) = range_of(series.iter().flat_map(|s| s.values.iter()));
        let rows = labels.len().max(1);
        // Room for the longest label (about 7 px a character at the axis font).
        let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4) as u32;
        let Some(mut chart) = frame(
            &root,
            title,
            (44, (7 * longest + 16).clamp(70, 440)),
            v0..v1,
            0.0..rows as f64,
        ) else {
            return String::new();
        };
        let label_at = |v: &f64| {
            let row = rows as f64 - v - 0.5;
            if (row - row.round()).abs() < 1e-6 && row >= 0.0 && (row as usize) < labels.len() {
                labels[row as usize].clone()
            } else {
                String::new()
            }
        };
        let _ = chart
            .configure_mesh()
            .x_desc(value_label)
            .y_labels(rows * 2 + 1)
            .y_label_formatter(&label_at)
            .disable_y_mesh()
            .light_line_style(WHITE.mix(0.0))
            .draw();
        let n = series.len().max(1) as f64;
        for (k, s) in series.iter().enumerate() {
            let color = s.color;
            let bars = s.values.iter().enumerate().map(|(i, v)| {
                let top = rows as f64 - i as f64 - 0.1 - 0.8 * k as f64 / n;
                let bottom = top - 0.8 / n;
                Rectangle::new([(0.0_f64.max(v0), bottom), (*v, top)], color.filled())
            });
            if let Ok(drawn) = chart.draw_series(bars) {
                drawn.label(s.name).legend(move |(a, b)| {
                    Rectangle::new([(a, b - 5), (a + 16, b + 5)], color.filled())
                });
            }
        }
        if series.len() > 1 {
            legend(&mut chart, SeriesLabelPosition::LowerRight);
        }
        let _ = root.present();
    }
    let svg = svg.replacen(
        &format!("width=\"{}\" height=\"{height}\"", SIZE.0),
        &format!("width=\"{}\" height=\"{}\"", SIZE.0, SIZE.1),
        1,
    );
    accessible(&svg, title, description)
}

/// Stacked areas over hours (first layer at the bottom) against a threshold line.
pub fn stacked_hours(
    title: &str,
    description: &str,
    layers: &[Series<'_>],
    threshold: &[f64],
    y_label: &str,
    (x_label, day_label): (&str, &dyn Fn(f64) -> String),
) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let _ = root.fill(&WHITE);
        let hours = threshold.len();
        let mut tops: Vec<Vec<f64>> = Vec::with_capacity(layers.len());
        let mut running = vec![0.0; hours];
        for layer in layers {
            for (r, v) in running.iter_mut().zip(&layer.values) {
                *r += v.max(0.0);
            }
            tops.push(running.clone());
        }
        let (_, y1) = range_of(running.iter().chain(threshold.iter()));
        let y0 = layers.first().map_or(0.0, |l| {
            l.values.iter().copied().fold(f64::INFINITY, f64::min) * 0.9
        });
        let Some(mut chart) = frame(
            &root,
            title,
            (44, 72),
            0.0..hours.max(1) as f64 / 24.0,
            y0..y1,
        ) else {
            return String::new();
        };
        // The x axis is in days from the week's first hour: ticks fall on whole days.
        let day = |v: &f64| day_label(*v);
        let _ = chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_labels(8)
            .x_label_formatter(&day)
            .light_line_style(WHITE.mix(0.0))
            .draw();
        for (layer, top) in layers.iter().zip(&tops).rev() {
            let color = layer.color;
            let points = top.iter().enumerate().map(|(t, v)| (t as f64 / 24.0, *v));
            if let Ok(drawn) =
                chart.draw_series(AreaSeries::new(points, y0, color.mix(0.85).filled()))
            {
                drawn.label(layer.name).legend(move |(a, b)| {
                    Rectangle::new([(a, b - 5), (a + 16, b + 5)], color.filled())
                });
            }
        }
        if let Ok(drawn) = chart.draw_series(LineSeries::new(
            threshold
                .iter()
                .enumerate()
                .map(|(t, v)| (t as f64 / 24.0, *v)),
            BLACK.stroke_width(2),
        )) {
            drawn
                .label("threshold")
                .legend(|(a, b)| PathElement::new([(a, b), (a + 16, b)], BLACK.stroke_width(2)));
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight);
        let _ = root.present();
    }
    accessible(&svg, title, description)
}

/// One region on the map.
pub struct MapPoint {
    /// Degrees east.
    pub longitude: f64,
    /// Degrees north.
    pub latitude: f64,
    /// The value that colours it.
    pub value: f64,
    /// A label drawn beside it (the most strained only).
    pub label: Option<String>,
}

/// The map's classes: light grey for none, then sequential reds (ColorBrewer "Reds").
const MAP_CLASSES: [RGBColor; 5] = [
    RGBColor(225, 225, 225),
    RGBColor(252, 174, 145),
    RGBColor(251, 106, 74),
    RGBColor(222, 45, 38),
    RGBColor(165, 15, 21),
];

/// Regions as circles at their load centres over the lower 48 (longitude scaled by the
/// cosine of 38° so distances read true in the middle), coloured by class: `breaks`
/// holds the four upper bounds between the five classes; `names` their legend entries.
pub fn map(
    title: &str,
    description: &str,
    points: &[MapPoint],
    breaks: [f64; 4],
    names: [&str; 5],
) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let _ = root.fill(&WHITE);
        let squash = 38.0_f64.to_radians().cos();
        let Some(mut chart) = frame(
            &root,
            title,
            (30, 44),
            -125.0 * squash..-66.5 * squash,
            24.0..50.0,
        ) else {
            return String::new();
        };
        let lon = move |x: &f64| format!("{:.0}°W", -x / squash);
        let _ = chart
            .configure_mesh()
            .x_labels(7)
            .y_labels(6)
            .x_label_formatter(&lon)
            .y_label_formatter(&|y: &f64| format!("{y:.0}°N"))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw();
        let class = |v: f64| breaks.iter().take_while(|b| v > **b).count();
        // The lightest first, so the most strained sit on top.
        let mut order: Vec<&MapPoint> = points.iter().filter(|p| p.value.is_finite()).collect();
        order.sort_by(|a, b| a.value.total_cmp(&b.value));
        for p in &order {
            let color = MAP_CLASSES[class(p.value)];
            let at = (p.longitude * squash, p.latitude);
            let _ = chart.draw_series(std::iter::once(Circle::new(at, 6, color.filled())));
            let _ = chart.draw_series(std::iter::once(Circle::new(at, 6, GREY.stroke_width(1))));
        }
        for p in &order {
            if let Some(label) = &p.label {
                let _ = chart.draw_series(std::iter::once(Text::new(
                    label.clone(),
                    (p.longitude * squash + 0.5, p.latitude + 0.3),
                    ("sans-serif", 12),
                )));
            }
        }
        for (k, name) in names.iter().enumerate() {
            let color = MAP_CLASSES[k];
            // An empty series carries the legend entry.
            if let Ok(drawn) = chart.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>()) {
                drawn
                    .label(*name)
                    .legend(move |(a, b)| Circle::new((a + 8, b), 5, color.filled()));
            }
        }
        legend(&mut chart, SeriesLabelPosition::LowerLeft);
        let _ = root.present();
    }
    accessible(&svg, title, description)
}
