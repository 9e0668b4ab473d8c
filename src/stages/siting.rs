//! Siting (SPEC §3): split the scope's average MW of each workload over the regions of a
//! set. What falls outside the set is reported as [`UNALLOCATED`], never dropped.
//!
//! * inference: `share_r = p · inference_weight_r / scope_population + d ·
//!   existing_datacenter_mw_r / scope_datacenter_mw` with the set's blend `p + d = 1`
//!   (weights default to population served; data centres cluster in hubs), the rest
//!   unallocated;
//! * a starting stock (the first year's load) sits where today's data centres are:
//!   [`at_existing_datacenters`];
//! * training: `explicit` shares; `cheapest` (by price, filling each region to its cap);
//!   or `headroom` (in proportion to each region's remaining headroom, water-filled under
//!   caps). Regions that forbid training get none. These two place only the set's
//!   `training_scope_share_frac` of the scope's training load; the rest is unallocated.
use crate::model::region::RegionSet;

pub use crate::model::region::UNALLOCATED;

/// Shares of one workload: one per region (set order) plus the unallocated rest; the
/// shares and `unallocated_frac` sum to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Shares {
    /// Share of each region, in the order of the region set.
    pub region_frac: Vec<f64>,
    /// Share outside the set.
    pub unallocated_frac: f64,
}

impl Shares {
    /// Shares of the regions; whatever they leave of 1 is unallocated.
    #[must_use]
    pub fn with_rest_unallocated(region_frac: Vec<f64>) -> Self {
        let inside: f64 = region_frac.iter().sum();
        Self {
            unallocated_frac: (1.0 - inside).max(0.0),
            region_frac,
        }
    }

    /// Sum of all shares including the unallocated rest (1 up to rounding).
    #[must_use]
    pub fn total(&self) -> f64 {
        self.region_frac.iter().sum::<f64>() + self.unallocated_frac
    }
}

/// Inference shares by the set's blend of population served and today's data-centre load
/// (each over its scope total). A part without its scope total (a set used only with
/// regional loads) contributes nothing.
#[must_use]
pub fn allocate_inference(regions: &RegionSet) -> Shares {
    let blend = regions.inference_siting;
    let region_frac: Vec<f64> = regions
        .regions
        .iter()
        .map(|r| {
            let people = regions
                .scope_population
                .map_or(0.0, |scope| r.inference_weight / scope);
            let hubs = match (r.existing_datacenter_mw, regions.scope_datacenter_mw) {
                (Some(mw), Some(scope)) if scope > 0.0 => mw / scope,
                _ => 0.0,
            };
            blend.population_frac * people + blend.existing_datacenter_frac * hubs
        })
        .collect();
    Shares::with_rest_unallocated(region_frac)
}

/// Inference shares by the `pipeline` rule: the latency-bound part `latency_bound_frac` by
/// people served (each region's `inference_weight` over the scope's people, the rest of
/// that part unallocated), the rest in proportion to each region's data-centre build
/// pipeline (`datacenter_pipeline_mw`, a missing value counting 0).
///
/// # Errors
/// When the regions' pipelines sum to 0 (nothing to site by), naming the set.
pub fn allocate_inference_pipeline(
    regions: &RegionSet,
    latency_bound_frac: f64,
) -> Result<Shares, String> {
    let pipeline = pipeline_weights(regions)?;
    let total: f64 = pipeline.iter().sum();
    let region_frac = regions
        .regions
        .iter()
        .zip(&pipeline)
        .map(|(r, mw)| {
            let people = regions
                .scope_population
                .map_or(0.0, |scope| r.inference_weight / scope);
            latency_bound_frac * people + (1.0 - latency_bound_frac) * mw / total
        })
        .collect();
    Ok(Shares::with_rest_unallocated(region_frac))
}

/// Each region's `datacenter_pipeline_mw` (0 where not given), refused when they sum to 0.
///
/// # Errors
/// When no region of the set gives a pipeline.
pub fn pipeline_weights(regions: &RegionSet) -> Result<Vec<f64>, String> {
    let weights: Vec<f64> = regions
        .regions
        .iter()
        .map(|r| r.datacenter_pipeline_mw.unwrap_or(0.0))
        .collect();
    if weights.iter().sum::<f64>() <= 0.0 {
        return Err(format!(
            "the `pipeline` siting rule needs `datacenter_pipeline_mw` (data-centre capacity being built, MW) for the regions it sites over, but region set `{}` gives none above 0",
            regions.id
        ));
    }
    Ok(weights)
}

/// `shares` with the part inside the set re-spread in proportion to each region's
/// existing data-centre load (today's hubs as the starting stock); `None` when a region
/// of the set has no `existing_datacenter_mw` or they sum to zero.
#[must_use]
pub fn at_existing_datacenters(regions: &RegionSet, shares: &Shares) -> Option<Shares> {
    let loads: Option<Vec<f64>> = regions
        .regions
        .iter()
        .map(|r| r.existing_datacenter_mw)
        .collect();
    let loads = loads?;
    let total: f64 = loads.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let inside: f64 = shares.region_frac.iter().sum();
    Some(Shares {
        region_frac: loads.iter().map(|mw| inside * mw / total).collect(),
        unallocated_frac: shares.unallocated_frac,
    })
}

/// Explicit training shares (validated to sum to 1, naming regions of the set).
#[must_use]
pub fn allocate_explicit(regions: &RegionSet, shares: &[(String, f64)]) -> Shares {
    let region_frac: Vec<f64> = regions
        .regions
        .iter()
        .map(|r| {
            if r.allow_training {
                shares
                    .iter()
                    .filter(|(id, _)| *id == r.id)
                    .map(|(_, s)| s)
                    .sum()
            } else {
                0.0
            }
        })
        .collect();
    Shares::with_rest_unallocated(region_frac)
}

/// Cheapest first: fill regions in ascending price (ties in set order) up to what their
/// cap leaves above `built_mw` (training already built there); what no region takes is
/// unallocated. Shares are of `training_mw`.
#[must_use]
pub fn allocate_cheapest(regions: &RegionSet, training_mw: f64, built_mw: &[f64]) -> Shares {
    let n = regions.regions.len();
    let mut region_frac = vec![0.0; n];
    if training_mw <= 0.0 {
        // Nothing to place: give it all to the cheapest so shares still sum to 1.
        return cheapest_all_or_nothing(regions, region_frac);
    }
    let mut order: Vec<usize> = (0..n)
        .filter(|&i| regions.regions[i].allow_training)
        .collect();
    order.sort_by(|&a, &b| by_price(regions, a, b));
    let mut left_mw = training_mw * regions.training_scope_share_frac;
    for i in order {
        if left_mw <= 0.0 {
            break;
        }
        let cap = room_mw(regions, i, built_mw[i]);
        let placed = left_mw.min(cap);
        region_frac[i] = placed / training_mw;
        left_mw -= placed;
    }
    Shares::with_rest_unallocated(region_frac)
}

/// What region `i`'s training cap leaves above `built_mw` (infinite without a cap).
fn room_mw(regions: &RegionSet, i: usize, built_mw: f64) -> f64 {
    regions.regions[i]
        .max_training_mw
        .map_or(f64::INFINITY, |cap| (cap - built_mw).max(0.0))
}

/// Order of two regions by price (regions without one last), ties in set order.
fn by_price(regions: &RegionSet, a: usize, b: usize) -> std::cmp::Ordering {
    let price = |i: usize| {
        regions.regions[i]
            .price_usd_per_mwh
            .unwrap_or(f64::INFINITY)
    };
    price(a).total_cmp(&price(b)).then(a.cmp(&b))
}

fn cheapest_all_or_nothing(regions: &RegionSet, mut region_frac: Vec<f64>) -> Shares {
    let cheapest = (0..regions.regions.len())
        .filter(|&i| regions.regions[i].allow_training)
        .min_by(|&a, &b| by_price(regions, a, b));
    match cheapest {
        Some(i) => {
            region_frac[i] = regions.training_scope_share_frac;
            Shares {
                region_frac,
                unallocated_frac: 1.0 - regions.training_scope_share_frac,
            }
        }
        None => Shares {
            region_frac,
            unallocated_frac: 1.0,
        },
    }
}

/// Proportional to `weights_mw` (e.g. remaining headroom), water-filled under what each
/// region's cap leaves above `built_mw`: a capped region takes its room and the rest is
/// shared again among the others. Regions that forbid training, or have weight 0, get
/// none. What no region can take is unallocated. Shares are of `training_mw`.
#[must_use]
pub fn allocate_proportional_capped(
    regions: &RegionSet,
    weights_mw: &[f64],
    training_mw: f64,
    built_mw: &[f64],
) -> Shares {
    let n = regions.regions.len();
    let mut placed_mw = vec![0.0; n];
    let mut open: Vec<usize> = (0..n)
        .filter(|&i| {
            regions.regions[i].allow_training && weights_mw[i] > 0.0 && weights_mw[i].is_finite()
        })
        .collect();
    let mut left_mw = training_mw.max(0.0) * regions.training_scope_share_frac;
    // Each pass caps at least one region or places everything: at most n passes.
    while left_mw > 0.0 && !open.is_empty() {
        let weight_sum: f64 = open.iter().map(|&i| weights_mw[i]).sum();
        let mut capped = Vec::new();
        for &i in &open {
            let offer = left_mw * weights_mw[i] / weight_sum;
            let cap = room_mw(regions, i, built_mw[i]) - placed_mw[i];
            if offer >= cap {
                capped.push(i);
            }
        }
        if capped.is_empty() {
            for &i in &open {
                placed_mw[i] += left_mw * weights_mw[i] / weight_sum;
            }
            left_mw = 0.0;
        } else {
            for &i in &capped {
                let cap = room_mw(regions, i, built_mw[i]) - placed_mw[i];
                placed_mw[i] += cap;
                left_mw -= cap;
            }
            open.retain(|i| !capped.contains(i));
        }
    }
    if training_mw <= 0.0 {
        // Nothing to place: report the shares the weights would give.
        let placeable = regions.training_scope_share_frac;
        let weight_sum: f64 = (0..n)
            .filter(|&i| regions.regions[i].allow_training && weights_mw[i].is_finite())
            .map(|i| weights_mw[i].max(0.0))
            .sum();
        if weight_sum > 0.0 {
            let region_frac = (0..n)
                .map(|i| {
                    if regions.regions[i].allow_training && weights_mw[i].is_finite() {
                        placeable * weights_mw[i].max(0.0) / weight_sum
                    } else {
                        0.0
                    }
                })
                .collect();
            return Shares {
                region_frac,
                unallocated_frac: 1.0 - placeable,
            };
        }
        return Shares {
            region_frac: vec![0.0; n],
            unallocated_frac: 1.0,
        };
    }
    let region_frac: Vec<f64> = placed_mw.iter().map(|mw| mw / training_mw).collect();
    Shares::with_rest_unallocated(region_frac)
}

/// A workload's installed stock by region (average MW at the workload's draw; rated MW is
/// this over the draw fraction), and the part of the scope outside the set.
#[derive(Debug, Clone, PartialEq)]
pub struct Stock {
    /// Each region's MW, in set order.
    pub region_mw: Vec<f64>,
    /// MW outside what the siting can place (outside the set, or for a set sited on the
    /// nation, outside the national catalogue: beyond the lower 48).
    pub unallocated_mw: f64,
    /// MW the national siting places in catalogue regions the study does not report
    /// (0 for the nation itself and for a set sited on its own).
    pub outside_set_mw: f64,
}

impl Stock {
    /// No stock in `regions` regions.
    #[must_use]
    pub fn empty(regions: usize) -> Self {
        Self {
            region_mw: vec![0.0; regions],
            unallocated_mw: 0.0,
            outside_set_mw: 0.0,
        }
    }

    /// The scope's total.
    #[must_use]
    pub fn total_mw(&self) -> f64 {
        self.region_mw.iter().sum::<f64>() + self.unallocated_mw + self.outside_set_mw
    }

    /// The stock once the scope's total becomes `total_mw`: what is built stays; a growth
    /// is placed by `place(growth_mw)` (shares of the growth, summing to 1); a fall takes
    /// every region (and the unallocated rest) down in the same proportion, so none rises.
    /// Returns the new stock and what was added (MW) to each region and outside the set.
    #[must_use]
    pub fn advance(&self, total_mw: f64, place: impl FnOnce(f64) -> Shares) -> (Self, Self) {
        let before = self.total_mw();
        let growth = total_mw - before;
        if growth >= 0.0 {
            let shares = place(growth);
            let added = Self {
                region_mw: shares.region_frac.iter().map(|s| s * growth).collect(),
                unallocated_mw: shares.unallocated_frac * growth,
                outside_set_mw: 0.0,
            };
            let stock = Self {
                region_mw: self
                    .region_mw
                    .iter()
                    .zip(&added.region_mw)
                    .map(|(a, b)| a + b)
                    .collect(),
                unallocated_mw: self.unallocated_mw + added.unallocated_mw,
                outside_set_mw: self.outside_set_mw,
            };
            (stock, added)
        } else {
            let scale = if before > 0.0 { total_mw / before } else { 0.0 };
            let stock = Self {
                region_mw: self.region_mw.iter().map(|mw| mw * scale).collect(),
                unallocated_mw: self.unallocated_mw * scale,
                outside_set_mw: self.outside_set_mw * scale,
            };
            (stock, Self::empty(self.region_mw.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On the in-memory fixture's two regions: inference goes by people served, and the
    /// shares with what is left outside the set make one.
    #[test]
    fn the_fixture_s_inference_shares_follow_people_and_sum_to_one() {
        let regions = crate::fixture::region_set();
        let shares = allocate_inference(&regions);
        let inside: f64 = shares.region_frac.iter().sum();
        assert!((inside + shares.unallocated_frac - 1.0).abs() < 1e-12);
        let people = |i: usize| regions.regions[i].inference_weight;
        let ratio = shares.region_frac[0] / shares.region_frac[1];
        assert!((ratio - people(0) / people(1)).abs() < 1e-9, "{ratio}");
    }
    use crate::model::region::Region;
    use std::path::PathBuf;

    #[test]
    fn a_stock_keeps_what_is_built_and_falls_in_proportion() {
        let stock = Stock::empty(2);
        let (stock, added) =
            stock.advance(100.0, |_| Shares::with_rest_unallocated(vec![0.5, 0.3]));
        assert_eq!(stock.region_mw, vec![50.0, 30.0]);
        assert!((added.unallocated_mw - 20.0).abs() < 1e-12);
        // Growth all to the second region: the first keeps its 50 MW.
        let (stock, _) = stock.advance(140.0, |_| Shares::with_rest_unallocated(vec![0.0, 1.0]));
        assert_eq!(stock.region_mw, vec![50.0, 70.0]);
        // A fall of a quarter: every part falls by a quarter, nothing is placed.
        let (stock, added) = stock.advance(105.0, |_| unreachable!("no growth to place"));
        assert!(
            (stock.region_mw[0] - 37.5).abs() < 1e-9 && (stock.region_mw[1] - 52.5).abs() < 1e-9
        );
        assert!((stock.total_mw() - 105.0).abs() < 1e-9);
        assert_eq!(added.total_mw(), 0.0);
    }

    #[test]
    fn the_pipeline_rule_splits_latency_bound_inference_by_people_and_the_rest_by_pipeline() {
        let mut regions = set(1.0);
        regions.regions[0].datacenter_pipeline_mw = Some(300.0);
        regions.regions[1].datacenter_pipeline_mw = Some(100.0);
        // C gives none: it counts 0.
        let shares = allocate_inference_pipeline(&regions, 0.2).unwrap();
        // People: A 30, B 20, C 10 of 100 in the scope; pipeline: A 3/4, B 1/4.
        let expected = [0.2 * 0.3 + 0.8 * 0.75, 0.2 * 0.2 + 0.8 * 0.25, 0.2 * 0.1];
        for (got, want) in shares.region_frac.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{shares:?}");
        }
        assert!((shares.total() - 1.0).abs() < 1e-12);
        assert!((shares.unallocated_frac - 0.2 * 0.4).abs() < 1e-12);
        // With no pipeline anywhere the rule is refused, naming the set.
        let none = set(1.0);
        let why = allocate_inference_pipeline(&none, 0.2).unwrap_err();
        assert!(
            why.contains("datacenter_pipeline_mw") && why.contains("`s`"),
            "{why}"
        );
    }

    #[test]
    fn built_training_uses_up_its_cap() {
        // B (cheapest) has a cap of 50 and 30 built: it takes 20 more, A its 100.
        let shares = allocate_cheapest(&set(1.0), 200.0, &[0.0, 30.0, 0.0]);
        assert!(
            (shares.region_frac[1] * 200.0 - 20.0).abs() < 1e-9,
            "{shares:?}"
        );
        assert!(
            (shares.region_frac[0] * 200.0 - 100.0).abs() < 1e-9,
            "{shares:?}"
        );
    }

    fn region(id: &str, population: f64, price: f64, cap: Option<f64>, allow: bool) -> Region {
        Region {
            price_usd_per_mwh: Some(price),
            allow_training: allow,
            max_training_mw: cap,
            ..Region::new(id, chrono_tz::UTC, population, PathBuf::new())
        }
    }

    fn set(scope_share: f64) -> RegionSet {
        RegionSet {
            id: "s".into(),
            name: "s".into(),
            scope: "US".into(),
            scope_population: Some(100.0),
            scope_datacenter_mw: None,
            inference_siting: crate::model::region::InferenceSiting::default(),
            operator_forecasts: Vec::new(),
            training_scope_share_frac: scope_share,
            regions: vec![
                region("A", 30.0, 80.0, Some(100.0), true),
                region("B", 20.0, 60.0, Some(50.0), true),
                region("C", 10.0, 40.0, None, false),
            ],
        }
    }

    #[test]
    fn inference_by_population_with_the_rest_unallocated() {
        let shares = allocate_inference(&set(1.0));
        assert_eq!(shares.region_frac, vec![0.3, 0.2, 0.1]);
        assert!((shares.unallocated_frac - 0.4).abs() < 1e-15);
    }

    /// 200 MW: C forbids training, B (cheaper) takes its cap of 50, A its cap of 100,
    /// 50 MW are left unallocated.
    #[test]
    fn cheapest_fills_caps_in_price_order() {
        let shares = allocate_cheapest(&set(1.0), 200.0, &[0.0; 3]);
        assert_eq!(shares.region_frac, vec![0.5, 0.25, 0.0]);
        assert!((shares.unallocated_frac - 0.25).abs() < 1e-15);
    }

    /// 120 MW by weights 1 : 3: B would get 90 but is capped at 50; A takes the other 70.
    #[test]
    fn proportional_shares_are_water_filled_under_caps() {
        let shares = allocate_proportional_capped(&set(1.0), &[1.0, 3.0, 5.0], 120.0, &[0.0; 3]);
        assert!((shares.region_frac[0] - 70.0 / 120.0).abs() < 1e-12);
        assert!((shares.region_frac[1] - 50.0 / 120.0).abs() < 1e-12);
        assert_eq!(shares.region_frac[2], 0.0);
        assert!(shares.unallocated_frac.abs() < 1e-12);
    }

    #[test]
    fn only_the_sets_scope_share_is_placed() {
        let shares = allocate_proportional_capped(&set(0.5), &[1.0, 1.0, 0.0], 40.0, &[0.0; 3]);
        assert_eq!(shares.region_frac, vec![0.25, 0.25, 0.0]);
        assert!((shares.unallocated_frac - 0.5).abs() < 1e-15);
    }
}
