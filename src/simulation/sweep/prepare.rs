//! What a sweep prepares once per target year, shared by every sample: each region's
//! weather years laid onto the year, the shapes of each time zone, the hours that can
//! decide a peak.
use super::*;

/// Labelled per-sample rows of one sample (for `--per-sample`).
pub(super) type KeptRows = (Vec<(u32, MetricsRow)>, Vec<(u32, SetMetricsRow)>);

/// One region's sample-independent inputs in one target year.
pub(super) struct RegionYearInputs {
    pub(super) inference_shape: Vec<f64>,
    pub(super) training_shape: Vec<f64>,
    pub(super) inference_shape_sum: f64,
    pub(super) training_shape_sum: f64,
    pub(super) inference_stats: ShapeStats,
    pub(super) training_stats: ShapeStats,
    /// Per weather year: the load laid onto the year (unscaled), its sums and extremes,
    /// its scan orders, and its weight in the set's scan key (the scale to the reference
    /// year's mean, before growth).
    pub(super) raw_baseline: Vec<Vec<f64>>,
    pub(super) raw_stats: Vec<RawBaselineStats>,
    pub(super) orders: Vec<ScanOrder>,
    pub(super) set_weight: Vec<f64>,
}

/// The set's scan key of one weather year, its order, and whether its bound holds.
pub(super) type SetKey = (Vec<f64>, (Vec<u16>, bool), bool);

/// The per-target-year inputs every sample shares.
pub(super) struct YearInputs {
    pub(super) year: i32,
    pub(super) summer: Vec<bool>,
    pub(super) regions: Vec<RegionYearInputs>,
    /// Per weather year: the set's scan key `Σ_r weight_r · raw_r(t)`, its hours highest
    /// first (the top [`SCAN_DEPTH`]) and whether that is all of them, and whether every
    /// raw value is ≥ 0 (which the set's bound needs).
    pub(super) set_key: Vec<Vec<f64>>,
    pub(super) set_order: Vec<(Vec<u16>, bool)>,
    pub(super) set_bound_valid: Vec<bool>,
    /// Every weather year's index.
    pub(super) all_weather: Vec<usize>,
    /// Each region's time zone (index into `zone_shapes`), and each zone's shapes.
    pub(super) zone_of_region: Vec<usize>,
    pub(super) zone_shapes: Vec<(Vec<f64>, Vec<f64>)>,
}

impl YearInputs {
    /// The inputs of target `year`: the season of each hour, each region's inputs (in
    /// parallel), the set's scan keys and the time zones' shapes.
    pub(super) fn build(
        study: &Study,
        prepared: &[PreparedRegion<'_>],
        shapes: &Shapes,
        year: i32,
    ) -> Self {
        let mut months = Vec::new();
        months_of_year(year, &mut months);
        let mut summer = Vec::new();
        summer_hours(&months, &mut summer);
        let regions: Vec<RegionYearInputs> = study
            .regions
            .regions
            .par_iter()
            .zip(prepared)
            .map(|(region, data)| {
                RegionYearInputs::build(study, region, data, shapes, (year, &summer))
            })
            .collect();
        let (set_key, set_order, set_bound_valid) =
            set_keys(&regions, study.weather_years.len(), summer.len());
        let (zone_of_region, zone_shapes) = zones(study, shapes, year);
        Self {
            year,
            summer,
            regions,
            zone_of_region,
            zone_shapes,
            set_key,
            set_order,
            set_bound_valid,
            all_weather: (0..study.weather_years.len()).collect(),
        }
    }
}

impl RegionYearInputs {
    /// One region's inputs in `year`: its zone's shapes and their sums and extremes, and
    /// every weather year laid onto the year with what the pruned scan needs of it.
    fn build(
        study: &Study,
        region: &crate::model::region::Region,
        data: &PreparedRegion<'_>,
        shapes: &Shapes,
        (year, summer): (i32, &[bool]),
    ) -> Self {
        let (inference_shape, training_shape) =
            shapes.by_zone_year[&(region.time_zone, year)].clone();
        let raw_baseline: Vec<Vec<f64>> = study
            .weather_years
            .iter()
            .map(|&w| {
                let mut out = Vec::new();
                baseline_for(data.load, w, year, 1.0, &mut out);
                out
            })
            .collect();
        Self {
            inference_shape_sum: inference_shape.iter().sum(),
            training_shape_sum: training_shape.iter().sum(),
            inference_stats: ShapeStats::of(&inference_shape),
            training_stats: ShapeStats::of(&training_shape),
            raw_stats: raw_baseline
                .iter()
                .map(|r| RawBaselineStats::of(r, summer))
                .collect(),
            orders: raw_baseline
                .iter()
                .map(|r| ScanOrder::build(r, summer))
                .collect(),
            set_weight: study
                .weather_years
                .iter()
                .map(|&w| {
                    baseline_scale(data.load, w, data.reference_year, data.reference_year, 0.0)
                        .expect("prepare_regions refuses weather years without load")
                })
                .collect(),
            inference_shape,
            training_shape,
            raw_baseline,
        }
    }
}

/// Every weather year's set scan key, top hours and bound validity, as [`YearInputs`]
/// holds them.
type SetKeys = (Vec<Vec<f64>>, Vec<(Vec<u16>, bool)>, Vec<bool>);

/// Each region's zone index and each zone's (inference, training) shapes.
type Zones = (Vec<usize>, Vec<(Vec<f64>, Vec<f64>)>);

/// The set's scan key of every weather year (`Σ_r weight_r · raw_r(t)`), its top hours,
/// and whether its bound holds (every raw value ≥ 0): computed once, read by each
/// sample's coincident-peak scan.
fn set_keys(regions: &[RegionYearInputs], weather_years: usize, hours: usize) -> SetKeys {
    let per_weather: Vec<SetKey> = (0..weather_years)
        .into_par_iter()
        .map(|w| {
            let mut key = vec![0.0; hours];
            let mut valid = true;
            for region in regions {
                let weight = region.set_weight[w];
                for (k, &raw) in key.iter_mut().zip(&region.raw_baseline[w]) {
                    *k += weight * raw;
                    valid &= raw >= 0.0;
                }
            }
            let order = top_hours(&key);
            (key, order, valid)
        })
        .collect();
    let mut set_key = Vec::new();
    let mut set_order = Vec::new();
    let mut set_bound_valid = Vec::new();
    for (key, order, valid) in per_weather {
        set_key.push(key);
        set_order.push(order);
        set_bound_valid.push(valid);
    }
    (set_key, set_order, set_bound_valid)
}

/// Each region's time zone (an index, zones in order of first appearance) and each
/// zone's shapes in `year`: regions of one zone share their shapes, so the set's bound
/// is taken per zone.
fn zones(study: &Study, shapes: &Shapes, year: i32) -> Zones {
    let mut zones: Vec<chrono_tz::Tz> = Vec::new();
    let zone_of_region = study
        .regions
        .regions
        .iter()
        .map(|r| {
            zones
                .iter()
                .position(|z| *z == r.time_zone)
                .unwrap_or_else(|| {
                    zones.push(r.time_zone);
                    zones.len() - 1
                })
        })
        .collect();
    let zone_shapes = zones
        .iter()
        .map(|z| shapes.by_zone_year[&(*z, year)].clone())
        .collect();
    (zone_of_region, zone_shapes)
}

/// Both workloads' shapes per time zone and target year.
pub(super) struct Shapes {
    pub(super) by_zone_year: std::collections::HashMap<(chrono_tz::Tz, i32), (Vec<f64>, Vec<f64>)>,
}

impl Shapes {
    pub(super) fn build(study: &Study, years: &[i32]) -> Self {
        let mut keys: Vec<(chrono_tz::Tz, i32)> = years
            .iter()
            .flat_map(|&y| study.regions.regions.iter().map(move |r| (r.time_zone, y)))
            .collect();
        keys.sort_by_key(|(zone, year)| (zone.name(), *year));
        keys.dedup();
        let by_zone_year = keys
            .par_iter()
            .map(|&(zone, year)| {
                // The PUE by hour at the central PUE: shapes are shared by every sample
                // (a drawn PUE moves the level, not the hourly swing; methodology §6.4).
                let facility = study.profiles.pue.as_ref().map(|p| (p, study.scenario.pue));
                let mut inference = Vec::new();
                facility_shape_for_year(
                    &study.profiles.inference,
                    facility,
                    zone,
                    year,
                    &mut inference,
                );
                let mut training = Vec::new();
                facility_shape_for_year(
                    &study.profiles.training,
                    facility,
                    zone,
                    year,
                    &mut training,
                );
                ((zone, year), (inference, training))
            })
            .collect();
        Self { by_zone_year }
    }
}

/// The [`SCAN_DEPTH`] hours with the largest `key`, largest first, and whether that is
/// all of them.
pub(super) fn top_hours(key: &[f64]) -> (Vec<u16>, bool) {
    top(key
        .iter()
        .enumerate()
        .map(|(t, &k)| (descending_key(k), t as u16))
        .collect())
}

/// Largest inference amplitude `k` at draw fraction `p` such that every region-year's
/// stretched shape `1 + k (s − 1)` keeps its peak hour within the rating
/// (`p · max s′ ≤ 1`) and no hour below zero.
pub(super) fn amplitude_bound(shape_max: f64, shape_min: f64) -> impl Fn(f64) -> f64 {
    move |p: f64| {
        let mut k = f64::INFINITY;
        if shape_max > 1.0 {
            k = k.min((1.0 / p - 1.0) / (shape_max - 1.0));
        }
        if shape_min < 1.0 {
            k = k.min(1.0 / (1.0 - shape_min));
        }
        k
    }
}
