//! Curtailment-enabled headroom (Norris et al. 2025, "Rethinking Load Growth"; SPEC §7).
//!
//! A new load `L·s_t` (constant: `s_t = 1`; shaped: any non-negative shape of mean 1) is
//! added to demand `D_t` under an hourly threshold `T_t`. It is curtailed in hour `t` by
//! `c_t = min(L·s_t, max(0, D_t + L·s_t − T_t))`. A year's curtailment rate is
//! `Σ_t c_t / (L × 8760)`; the headroom at limit α is the `L` at which the mean of the
//! yearly rates equals α.
//!
//! **Exact solution.** With the margin `m_t = max(0, T_t − D_t)` and `μ_t = m_t / s_t`,
//! `c_t = s_t · max(0, L − μ_t)`, so the mean rate is
//! `R(L) = Σ_t w_t · max(0, L − μ_t) / L` with `w_t = s_t / (n_years · 8760)`. `R` rises
//! with `L`. Between consecutive sorted `μ`, `R(L) = W_k − S_k / L` (prefix sums of `w` and
//! `w·μ` over the hours already curtailed), so `R(L) = α` is solved in closed form:
//! `L = S_k / (W_k − α)` on the first segment whose right end reaches α. One sort, then a
//! linear scan per limit: no root finding.
use crate::time::HOURS_PER_COMMON_YEAR;

/// One hour's curtailment "price": the load level `μ` above which the hour curtails, and
/// the weight with which each MW above it counts toward the mean rate.
#[derive(Debug, Clone, Copy)]
pub struct MarginPoint {
    /// `max(0, T − D) / s` (MW of new load at which this hour starts to curtail).
    pub level_mw: f64,
    /// `s / (n_years × 8760)`.
    pub weight: f64,
}

/// One year's demand (MW), threshold (MW) and optional new-load shape (mean 1).
pub type YearSeries<'a> = (&'a [f64], &'a [f64], Option<&'a [f64]>);

/// Build margin points from per-year slices of demand, threshold and (optional) shape.
/// Hours with a zero shape never curtail and are left out.
pub fn margin_points(years: &[YearSeries<'_>], points: &mut Vec<MarginPoint>) {
    points.clear();
    let per_year = 1.0 / (years.len() as f64 * HOURS_PER_COMMON_YEAR as f64);
    for (demand, threshold, shape) in years {
        for (t, (d, limit)) in demand.iter().zip(threshold.iter()).enumerate() {
            let margin = (limit - d).max(0.0);
            let s = shape.map_or(1.0, |s| s[t]);
            if s > 0.0 {
                points.push(MarginPoint {
                    level_mw: margin / s,
                    weight: s * per_year,
                });
            }
        }
    }
}

/// Sort margin points by level (stable order for equal levels, so results are
/// reproducible).
pub fn sort_points(points: &mut [MarginPoint]) {
    points.sort_by(|a, b| a.level_mw.total_cmp(&b.level_mw));
}

/// The mean curtailment rate `R(L)` of new load `L` MW, straight from the definition.
#[must_use]
pub fn mean_curtailment_rate(points: &[MarginPoint], load_mw: f64) -> f64 {
    if load_mw <= 0.0 {
        return 0.0;
    }
    points
        .iter()
        .map(|p| p.weight * (load_mw - p.level_mw).max(0.0))
        .sum::<f64>()
        / load_mw
}

/// Headroom (MW) at each limit in `limits_frac`, from points sorted by [`sort_points`].
/// A limit the load can never reach (the rate stays below it for any `L`) gives infinity.
///
/// ```
/// use gridstrain::stages::headroom::{margin_points, mean_curtailment_rate, solve_headroom_mw, sort_points};
/// let demand = [90.0, 50.0, 95.0, 10.0];
/// let threshold = [100.0; 4];
/// let mut points = Vec::new();
/// margin_points(&[(&demand, &threshold, None)], &mut points);
/// sort_points(&mut points);
/// let headroom = solve_headroom_mw(&points, &[0.0002])[0];
/// assert!((mean_curtailment_rate(&points, headroom) - 0.0002).abs() < 1e-12);
/// ```
#[must_use]
pub fn solve_headroom_mw(sorted: &[MarginPoint], limits_frac: &[f64]) -> Vec<f64> {
    limits_frac
        .iter()
        .map(|&alpha| solve_one(sorted, alpha))
        .collect()
}

fn solve_one(sorted: &[MarginPoint], alpha: f64) -> f64 {
    let mut weight_sum = 0.0; // W_k
    let mut weighted_level_sum = 0.0; // S_k
    let mut k = 0;
    while k < sorted.len() {
        // Take every point at this level together (ties).
        let level = sorted[k].level_mw;
        while k < sorted.len() && sorted[k].level_mw == level {
            weight_sum += sorted[k].weight;
            weighted_level_sum += sorted[k].weight * sorted[k].level_mw;
            k += 1;
        }
        if weight_sum <= alpha {
            continue;
        }
        // On (level, next_level], R(L) = W − S / L.
        let candidate = weighted_level_sum / (weight_sum - alpha);
        let next_level = sorted.get(k).map_or(f64::INFINITY, |p| p.level_mw);
        if candidate <= next_level {
            return candidate.max(level);
        }
    }
    f64::INFINITY
}

/// What a new flexible load of `load_mw` goes through, hour by hour, over the years.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CurtailmentStats {
    /// Mean curtailment rate over the years (fraction).
    pub mean_rate_frac: f64,
    /// Mean hours per year with any curtailment.
    pub curtailed_hours_per_year: f64,
    /// Mean hours per year curtailed but keeping at least 50 % of the new load.
    pub hours_kept_50pct_per_year: f64,
    /// … at least 75 %.
    pub hours_kept_75pct_per_year: f64,
    /// … at least 90 %.
    pub hours_kept_90pct_per_year: f64,
    /// Mean number of curtailment events per year (runs of consecutive curtailed hours).
    pub events_per_year: f64,
    /// Mean length of an event (h): curtailed hours / events.
    pub mean_event_h: f64,
}

/// Chronological statistics of a new load `load_mw × s_t` (constant when a year has no
/// shape) over per-year demand, threshold and shape. An event is a run of consecutive
/// curtailed hours; runs do not continue across the year boundary.
#[must_use]
pub fn curtailment_stats(years: &[YearSeries<'_>], load_mw: f64) -> CurtailmentStats {
    let mut curtailed_mwh_rate = 0.0;
    let (mut hours, mut kept50, mut kept75, mut kept90, mut events) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    for (demand, threshold, shape) in years {
        let mut in_event = false;
        let mut year_curtailed_mwh = 0.0;
        for (t, (d, limit)) in demand.iter().zip(threshold.iter()).enumerate() {
            let new_mw = load_mw * shape.map_or(1.0, |s| s[t]);
            let curtailed = (d + new_mw - limit).clamp(0.0, new_mw);
            if curtailed > 0.0 {
                year_curtailed_mwh += curtailed;
                hours += 1;
                let kept_frac = 1.0 - curtailed / new_mw;
                kept50 += usize::from(kept_frac >= 0.5);
                kept75 += usize::from(kept_frac >= 0.75);
                kept90 += usize::from(kept_frac >= 0.9);
                events += usize::from(!in_event);
                in_event = true;
            } else {
                in_event = false;
            }
        }
        if load_mw > 0.0 {
            curtailed_mwh_rate += year_curtailed_mwh / (load_mw * HOURS_PER_COMMON_YEAR as f64);
        }
    }
    let n = years.len().max(1) as f64;
    CurtailmentStats {
        mean_rate_frac: curtailed_mwh_rate / n,
        curtailed_hours_per_year: hours as f64 / n,
        hours_kept_50pct_per_year: kept50 as f64 / n,
        hours_kept_75pct_per_year: kept75 as f64 / n,
        hours_kept_90pct_per_year: kept90 as f64 / n,
        events_per_year: events as f64 / n,
        mean_event_h: if events > 0 {
            hours as f64 / events as f64
        } else {
            0.0
        },
    }
}

/// Headroom by plain bisection on [`mean_curtailment_rate`]: the check on the exact
/// solver (tests only; slow).
#[must_use]
pub fn bisect_headroom_mw(points: &[MarginPoint], alpha: f64, upper_mw: f64) -> f64 {
    let (mut low, mut high) = (0.0_f64, upper_mw);
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if mean_curtailment_rate(points, mid) < alpha {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two years of four hours each (rates use 8760 h, as the method defines).
    #[test]
    fn exact_matches_definition_on_a_hand_case() {
        let demand = [90.0, 50.0, 95.0, 10.0];
        let threshold = [100.0; 4];
        let mut points = Vec::new();
        margin_points(
            &[(&demand, &threshold, None), (&demand, &threshold, None)],
            &mut points,
        );
        sort_points(&mut points);
        // Margins 5, 10, 50, 90. For L in (10, 50]: R = (2L − 15) / (L · 8760).
        let alpha = (2.0 * 20.0 - 15.0) / (20.0 * 8760.0);
        let headroom = solve_headroom_mw(&points, &[alpha])[0];
        assert!((headroom - 20.0).abs() < 1e-9, "{headroom}");
        assert!((mean_curtailment_rate(&points, headroom) - alpha).abs() < 1e-15);
    }

    #[test]
    fn exact_agrees_with_bisection() {
        let demand: Vec<f64> = (0..8760)
            .map(|h| 1000.0 + 300.0 * ((h as f64) / 500.0).sin())
            .collect();
        let threshold = vec![1300.0; 8760];
        let mut points = Vec::new();
        margin_points(&[(&demand, &threshold, None)], &mut points);
        sort_points(&mut points);
        for alpha in [0.0025, 0.005, 0.01, 0.05] {
            let exact = solve_headroom_mw(&points, &[alpha])[0];
            let bisected = bisect_headroom_mw(&points, alpha, 10_000.0);
            assert!(
                (exact - bisected).abs() < 1e-6,
                "{alpha}: {exact} vs {bisected}"
            );
        }
    }

    #[test]
    fn stats_count_events_and_kept_hours() {
        let demand = [95.0, 95.0, 50.0, 99.0];
        let threshold = [100.0; 4];
        let stats = curtailment_stats(&[(&demand, &threshold, None)], 10.0);
        assert!((stats.curtailed_hours_per_year - 3.0).abs() < 1e-12);
        assert!((stats.events_per_year - 2.0).abs() < 1e-12);
        assert!((stats.mean_event_h - 1.5).abs() < 1e-12);
        // kept fractions: 0.5, 0.5, 0.1
        assert!((stats.hours_kept_50pct_per_year - 2.0).abs() < 1e-12);
        assert!((stats.hours_kept_90pct_per_year - 0.0).abs() < 1e-12);
    }
}

/// Headroom at one limit without sorting every hour: only the lowest-margin part of the
/// points (where the answer almost always lies) is selected and sorted; if the answer is
/// not inside it, everything is sorted. Same result as [`solve_headroom_mw`] after
/// [`sort_points`]. The points are reordered.
#[must_use]
pub fn solve_headroom_partial_mw(points: &mut [MarginPoint], limit_frac: f64) -> f64 {
    let n = points.len();
    if n == 0 {
        return f64::INFINITY;
    }
    let mut take = (n / 16).max(512).min(n);
    loop {
        if take >= n {
            sort_points(points);
            return solve_one(points, limit_frac);
        }
        points.select_nth_unstable_by(take, |a, b| a.level_mw.total_cmp(&b.level_mw));
        let rest_min = points[take].level_mw;
        let (low, _) = points.split_at_mut(take);
        sort_points(low);
        let answer = solve_one(low, limit_frac);
        // Valid only if the segment it lies on ends before the first unsorted level.
        if answer < rest_min {
            return answer;
        }
        take = (take * 4).min(n);
    }
}

#[cfg(test)]
mod partial_tests {
    use super::*;

    #[test]
    fn partial_solve_equals_full_sort() {
        let demand: Vec<f64> = (0..20_000)
            .map(|h| 1000.0 + 400.0 * ((h as f64) * 0.37).sin())
            .collect();
        let threshold = vec![1350.0; 20_000];
        let mut points = Vec::new();
        margin_points(&[(&demand, &threshold, None)], &mut points);
        for alpha in [0.0025, 0.005, 0.01, 0.05, 0.3] {
            let mut sorted = points.clone();
            sort_points(&mut sorted);
            let full = solve_headroom_mw(&sorted, &[alpha])[0];
            let mut scratch = points.clone();
            let partial = solve_headroom_partial_mw(&mut scratch, alpha);
            assert!(
                (full - partial).abs() <= 1e-9 * full.max(1.0),
                "{alpha}: {full} vs {partial}"
            );
        }
    }
}
