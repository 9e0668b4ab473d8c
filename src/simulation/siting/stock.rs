//! The data-centre stock over years: capacity follows the totals, built capacity never
//! falls (idle, then refitted), and the headroom left for training after new inference.
use super::*;

pub(super) fn index_of(years: &[i32], year: i32) -> usize {
    usize::try_from(year - years[0]).expect("year inside the siting years")
}

/// Follow a workload's scope total over the years, placing each growth by `shares`.
pub(super) fn follow_totals(
    regions: usize,
    powers: &[YearPower],
    total_mw: impl Fn(&YearPower) -> f64,
    shares: impl Fn(usize) -> Shares,
) -> (Vec<Stock>, Vec<Stock>) {
    let mut stocks = Vec::with_capacity(powers.len());
    let mut added = Vec::with_capacity(powers.len());
    let mut stock = Stock::empty(regions);
    for (y, power) in powers.iter().enumerate() {
        let (next, placed) = stock.advance(total_mw(power), |_| shares(y));
        stock = next;
        stocks.push(stock.clone());
        added.push(placed);
    }
    (stocks, added)
}

/// [`follow_totals`] for inference, with refit: each year's growth goes first into the
/// capacity (rated MW) built in earlier years that neither training (after a fall) nor the
/// inference stock now uses, in proportion to each region's idle MW, and the rest by
/// `shares`. Returns the stocks, what each year added, and the refit (rated MW) per year.
pub(super) fn follow_totals_with_refit<P>(
    regions: usize,
    powers: &[P],
    total_mw: impl Fn(&P) -> f64,
    shares: impl Fn(usize) -> Shares,
    training: &[Stock],
    (training_power_frac, inference_power_frac): (f64, f64),
) -> (Vec<Stock>, Vec<Stock>, Vec<Stock>) {
    let mut stocks = Vec::with_capacity(powers.len());
    let mut added = Vec::with_capacity(powers.len());
    let mut refits = Vec::with_capacity(powers.len());
    let mut stock = Stock::empty(regions);
    let mut built = vec![0.0; regions];
    for (y, power) in powers.iter().enumerate() {
        // Idle capacity, as inference average MW it could carry.
        let idle_inference_mw: Vec<f64> = (0..regions)
            .map(|r| {
                let used = training[y].region_mw[r] / training_power_frac
                    + stock.region_mw[r] / inference_power_frac;
                (built[r] - used).max(0.0) * inference_power_frac
            })
            .collect();
        let idle_total_mw: f64 = idle_inference_mw.iter().sum();
        let mut refit = Stock::empty(regions);
        let (next, placed) = stock.advance(total_mw(power), |growth_mw| {
            let by_rule = shares(y);
            let refit_mw = idle_total_mw.min(growth_mw);
            if refit_mw <= 0.0 || growth_mw <= 0.0 {
                return by_rule;
            }
            let rest_mw = growth_mw - refit_mw;
            for (refit_r, idle_mw) in refit.region_mw.iter_mut().zip(&idle_inference_mw) {
                *refit_r = idle_mw / idle_total_mw * refit_mw / inference_power_frac;
            }
            Shares {
                region_frac: (0..regions)
                    .map(|r| {
                        (idle_inference_mw[r] / idle_total_mw * refit_mw
                            + rest_mw * by_rule.region_frac[r])
                            / growth_mw
                    })
                    .collect(),
                unallocated_frac: rest_mw * by_rule.unallocated_frac / growth_mw,
            }
        });
        stock = next;
        for (r, b) in built.iter_mut().enumerate() {
            let used = training[y].region_mw[r] / training_power_frac
                + stock.region_mw[r] / inference_power_frac;
            *b = b.max(used);
        }
        stocks.push(stock.clone());
        added.push(placed);
        refits.push(refit);
    }
    (stocks, added, refits)
}

/// Capacity built (rated IT MW) by each year: the running maximum of what the two
/// workloads' stocks use, region by region (and for the unallocated and outside rests).
pub(super) fn built_capacity(
    training: &[Stock],
    inference: &[Stock],
    (training_power_frac, inference_power_frac): (f64, f64),
) -> Vec<Stock> {
    let mut out: Vec<Stock> = Vec::with_capacity(training.len());
    for (t, i) in training.iter().zip(inference) {
        let used = |a: f64, b: f64| a / training_power_frac + b / inference_power_frac;
        let mut built = Stock {
            region_mw: t
                .region_mw
                .iter()
                .zip(&i.region_mw)
                .map(|(&a, &b)| used(a, b))
                .collect(),
            unallocated_mw: used(t.unallocated_mw, i.unallocated_mw),
            outside_set_mw: used(t.outside_set_mw, i.outside_set_mw),
        };
        if let Some(before) = out.last() {
            for (b, &p) in built.region_mw.iter_mut().zip(&before.region_mw) {
                *b = b.max(p);
            }
            built.unallocated_mw = built.unallocated_mw.max(before.unallocated_mw);
            built.outside_set_mw = built.outside_set_mw.max(before.outside_set_mw);
        }
        out.push(built);
    }
    out
}

/// Curtailment-enabled headroom (MW) of each region in each siting year once the *new*
/// inference (stock − existing, shaped) is added to the baseline: over every full year of
/// the region's data (mean of yearly rates, as in the Duke method), at the scenario's
/// limit. The nation's fixed weather years (or, for a set sited on its own, the region's
/// whole history), never the run's `--weather-years`, so that where data centres are
/// built does not depend on which weather years a run looks at.
pub(super) fn headroom_after_new_inference(
    context: &SitingContext<'_>,
    regions: &crate::model::region::RegionSet,
    prepared: &[PreparedRegion<'_>],
    powers: &[YearPower],
    inference: &[Stock],
    existing_inference_mw: &[f64],
) -> Vec<Vec<f64>> {
    let limit = context.scenario.flexibility.headroom_limit_frac;
    // The inference shape of each time zone and year, once (regions share a few zones).
    let mut zones: Vec<chrono_tz::Tz> = regions.regions.iter().map(|r| r.time_zone).collect();
    zones.sort_by_key(|z| z.name());
    zones.dedup();
    let zone_years: Vec<(chrono_tz::Tz, i32)> = zones
        .iter()
        .flat_map(|&z| powers.iter().map(move |p| (z, p.year)))
        .collect();
    let shapes: std::collections::HashMap<(&str, i32), Vec<f64>> = zone_years
        .par_iter()
        .map(|&(zone, year)| {
            let mut shape = Vec::new();
            let facility = context
                .profiles
                .pue
                .as_ref()
                .map(|p| (p, context.scenario.pue));
            facility_shape_for_year(
                &context.profiles.inference,
                facility,
                zone,
                year,
                &mut shape,
            );
            ((zone.name(), year), shape)
        })
        .collect();
    let jobs: Vec<(usize, usize)> = (0..powers.len())
        .flat_map(|y| (0..prepared.len()).map(move |r| (y, r)))
        .collect();
    let values: Vec<f64> = jobs
        .par_iter()
        .map_init(Buffers::default, |b, &(year_index, r)| {
            let region = &regions.regions[r];
            let year = powers[year_index].year;
            months_of_year(year, &mut b.months);
            let shape = &shapes[&(region.time_zone.name(), year)];
            prepared[r].threshold_series(region, year, &b.months, &mut b.threshold);
            let new_inference_mw = inference[year_index].region_mw[r] - existing_inference_mw[r];
            // One series holding every weather year's baseline + new inference, back to back.
            b.firm.clear();
            let weather_years = context
                .weather_years
                .map_or_else(|| prepared[r].load.weather_years(), <[i32]>::to_vec);
            for w in weather_years {
                let scale = baseline_scale(
                    prepared[r].load,
                    w,
                    prepared[r].reference_year,
                    year,
                    region.baseline_growth_per_year_frac,
                )
                .expect("weather years checked");
                baseline_for(prepared[r].load, w, year, scale, &mut b.baseline);
                b.firm.extend(
                    b.baseline
                        .iter()
                        .zip(shape)
                        .map(|(base, s)| base + new_inference_mw * s),
                );
            }
            let hours = b.threshold.len();
            let slices: Vec<YearSeries<'_>> = b
                .firm
                .chunks(hours)
                .map(|c| (c, b.threshold.as_slice(), None))
                .collect();
            margin_points(&slices, &mut b.points);
            solve_headroom_partial_mw(&mut b.points, limit)
        })
        .collect();
    values.chunks(prepared.len()).map(<[f64]>::to_vec).collect()
}
