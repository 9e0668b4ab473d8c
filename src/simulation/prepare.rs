//! A region's data prepared once for every target year: its hourly load with its
//! reference year and the flexibility threshold.
use super::*;

/// A region's data, prepared once: the load with its reference year and threshold.
#[derive(Debug)]
pub struct PreparedRegion<'a> {
    /// The hourly load.
    pub load: &'a HourlyLoad,
    /// The year whose mean level the weather years are scaled to.
    pub reference_year: i32,
    /// The flexibility threshold at the reference year's level.
    pub threshold: Threshold,
    /// Design peak (MW) at the reference year's level: the median of the yearly peaks of
    /// every full year of data, each scaled to the reference level (a typical-weather,
    /// 50/50 peak, the demand planning reserves are set on).
    pub design_peak_mw: f64,
}

impl PreparedRegion<'_> {
    /// The threshold of target `year` in summer and winter hours (MW): a seasonal one
    /// grows with the baseline, a flat one does not.
    pub(crate) fn threshold_levels_mw(&self, region: &Region, year: i32) -> (f64, f64) {
        let growth = (1.0 + region.baseline_growth_per_year_frac).powi(year - self.reference_year);
        match self.threshold {
            Threshold::Seasonal {
                summer_mw,
                winter_mw,
            } => (summer_mw * growth, winter_mw * growth),
            Threshold::Flat(mw) => (mw, mw),
        }
    }

    /// The design peak of target `year` (MW): grown with the baseline.
    pub(crate) fn design_peak_mw(&self, region: &Region, year: i32) -> f64 {
        self.design_peak_mw
            * (1.0 + region.baseline_growth_per_year_frac).powi(year - self.reference_year)
    }

    /// The threshold series of target `year` into `out`.
    pub(crate) fn threshold_series(
        &self,
        region: &Region,
        year: i32,
        months: &[u8],
        out: &mut Vec<f64>,
    ) {
        let growth = (1.0 + region.baseline_growth_per_year_frac).powi(year - self.reference_year);
        self.threshold.series(months, growth, out);
    }
}

/// Prepare the nation's siting regions (over the nation's fixed weather years), when the
/// study is sited on a nation.
///
/// # Errors
/// A siting region whose data lack one of the nation's weather years.
pub fn prepare_nation(study: &Study) -> Result<Option<Vec<PreparedRegion<'_>>>> {
    let Some(nation) = &study.nation else {
        return Ok(None);
    };
    nation
        .regions
        .regions
        .iter()
        .zip(&nation.loads)
        .map(|(region, load)| prepare_region(region, load, &nation.weather_years))
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// Prepare every region, checking that the weather years and the reference year are in
/// its data.
///
/// # Errors
/// A weather year or the reference year outside a region's data (the first failing
/// region in set order).
pub fn prepare_regions(study: &Study) -> Result<Vec<PreparedRegion<'_>>> {
    study
        .regions
        .regions
        .iter()
        .zip(&study.loads)
        .map(|(region, load)| prepare_region(region, load, &study.weather_years))
        .collect()
}

pub(crate) fn prepare_region<'a>(
    region: &Region,
    load: &'a HourlyLoad,
    weather_years: &[i32],
) -> Result<PreparedRegion<'a>> {
    let available = load.weather_years();
    let span = match (available.first(), available.last()) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => "none".to_owned(),
    };
    let Some(&last_full_year) = available.last() else {
        bail!(
            "region `{}`: its load data {} hold no full year",
            region.id,
            region.load_path.display()
        );
    };
    let reference_year = region.baseline_reference_year.unwrap_or(last_full_year);
    for year in weather_years.iter().chain(std::iter::once(&reference_year)) {
        if !available.contains(year) {
            bail!(
                "region `{}`: year {year} (a weather year or the reference year) is outside its load data {}; full years available: {span} (choose --weather-years within them)",
                region.id,
                region.load_path.display()
            );
        }
    }
    // Load files refuse a weather year without load; this keeps a study built in memory
    // from reaching the scaling of such a year (an error, never a panic).
    for year in weather_years.iter().chain(std::iter::once(&reference_year)) {
        if baseline_scale(load, *year, reference_year, reference_year, 0.0).is_none() {
            bail!(
                "region `{}`: year {year} (a weather year or the reference year) of its load data {} holds no load (mean 0 MW); expected a region's load in every weather year",
                region.id,
                region.load_path.display()
            );
        }
    }
    let threshold = match region
        .firm_capacity_mw
        .filter(|_| region.capacity_threshold)
    {
        Some(capacity_mw) => Threshold::Flat(capacity_mw / (1.0 + region.reserve_margin_frac)),
        None => {
            // Thresholds over every full year of data, each scaled to the reference level.
            let years_and_scales: Vec<(i32, f64)> = available
                .iter()
                .filter_map(|&y| {
                    baseline_scale(load, y, reference_year, reference_year, 0.0).map(|s| (y, s))
                })
                .collect();
            Threshold::seasonal(
                load,
                &years_and_scales,
                &region.summer_peak_months,
                &region.winter_peak_months,
            )
        }
    };
    let mut yearly_peaks_mw: Vec<f64> = available
        .iter()
        .filter_map(|&y| {
            let scale = baseline_scale(load, y, reference_year, reference_year, 0.0)?;
            let peak = load.year_slice(y)?.iter().copied().fold(0.0_f64, f64::max);
            Some(peak * scale)
        })
        .collect();
    yearly_peaks_mw.sort_by(f64::total_cmp);
    let design_peak_mw = median_of_sorted(&yearly_peaks_mw);
    Ok(PreparedRegion {
        load,
        reference_year,
        threshold,
        design_peak_mw,
    })
}

/// Median of sorted values (0 for none).
pub(crate) fn median_of_sorted(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    }
}
