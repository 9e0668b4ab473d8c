//! Siting over years: a data-centre stock. The first year's stock of both workloads sits
//! at today's data centres (in proportion to `existing_datacenter_mw`) where the region
//! set knows them. Each workload's scope total is followed year
//! by year from the scenario's first year; only its *growth* is sited (inference by
//! weight, training by the scenario's policy on what caps and headroom leave), sites
//! already built keep their MW, and a falling total takes every region's load of that
//! workload down in the same proportion — but never the capacity built: it is refit for
//! the other workload's growth first, or stays idle (`built_rated`, `refit_rated`). The
//! AI load already inside each region's measured baseline — its
//! *existing* load — is the stock of the region's reference year (or what the scenario
//! states), so the hourly work adds only *new* load (gross − existing).
//!
//! The `headroom` policy needs the baseline, the inference shapes and the headroom solver
//! before training can be sited: the headroom of every region-year after the new firm
//! inference is computed in parallel first, then training is sited year by year on the
//! headroom its own earlier new stock has not used (flexible loads stack, as in Norris et
//! al. 2025).
use anyhow::Result;
use rayon::prelude::*;

use super::{Buffers, PreparedRegion};
use crate::model::scenario::{InferenceGrowth, NonAiDatacentres, TrainingSiting};
use crate::model::study::Study;
use crate::stages::baseline::{baseline_for, baseline_scale};
use crate::stages::headroom::{YearSeries, margin_points, solve_headroom_partial_mw};
use crate::stages::power::{YearPower, year_power};
use crate::stages::shapes::facility_shape_for_year;
use crate::stages::siting::{
    Shares, Stock, allocate_cheapest, allocate_explicit, allocate_inference,
    allocate_inference_pipeline, allocate_proportional_capped, at_existing_datacenters,
    pipeline_weights,
};
use crate::time::months_of_year;

/// Both workloads' stocks in every siting year, and each region's existing AI load.
#[derive(Debug, Clone)]
pub struct SitingPlan {
    /// Siting years, from the scenario's first year on, in order.
    pub years: Vec<i32>,
    /// Power of each siting year.
    pub powers: Vec<YearPower>,
    /// Inference stock (average MW) of each siting year.
    pub inference: Vec<Stock>,
    /// Inference MW added in each siting year.
    pub inference_added: Vec<Stock>,
    /// Training stock (average MW) of each siting year.
    pub training: Vec<Stock>,
    /// Training MW added in each siting year.
    pub training_added: Vec<Stock>,
    /// Data-centre capacity built (rated IT MW of both workloads) by each siting year: the
    /// running maximum of what the two stocks use, so built MW never falls.
    pub built_rated: Vec<Stock>,
    /// Rated MW of inference placed, in each siting year, into capacity training no longer
    /// used (refit instead of new build).
    pub refit_rated: Vec<Stock>,
    /// Inference load inside each region's measured baseline (average MW).
    pub existing_inference_mw: Vec<f64>,
    /// Training load inside each region's measured baseline (average MW).
    pub existing_training_mw: Vec<f64>,
    /// The siting year whose stock is inside each region's measured baseline.
    pub existing_year: Vec<i32>,
    /// What a user should know about the plan (for `run.toml` and the terminal).
    pub notes: Vec<String>,
    /// The headroom (MW) the `headroom` policy sited training on, per siting year and
    /// region (`None` for the other policies).
    pub training_headroom_mw: Option<Vec<Vec<f64>>>,
}

impl SitingPlan {
    /// Index of `year` among the siting years.
    ///
    /// # Panics
    /// If the year was not sited (the plan covers every target year).
    #[must_use]
    pub fn index(&self, year: i32) -> usize {
        usize::try_from(year - self.years[0]).expect("target years follow the first siting year")
    }

    /// Region `r`'s non-AI data-centre load in siting year `y` (average MW): the national
    /// path times the region's share of that year's inference stock — cloud, enterprise
    /// and colocation grow where inference does (at today's hubs and where data centres
    /// are being built), not at remote training campuses.
    #[must_use]
    pub fn non_ai_mw(&self, non_ai: &NonAiDatacentres, r: usize, y: usize) -> f64 {
        let stock = &self.inference[y];
        let total_mw = stock.total_mw();
        if total_mw > 0.0 {
            non_ai.average_mw(self.years[y]) * stock.region_mw[r] / total_mw
        } else {
            0.0
        }
    }

    /// Region `r`'s non-AI data-centre load inside its measured baseline (average MW):
    /// that of the year whose AI stock is inside it.
    #[must_use]
    pub fn existing_non_ai_mw(&self, non_ai: &NonAiDatacentres, r: usize) -> f64 {
        self.non_ai_mw(non_ai, r, self.index(self.existing_year[r]))
    }
}

/// Site both workloads over the years and find each region's existing AI load: over
/// the nation when the study has one (then projected onto the study's regions), else
/// over the study's own set.
///
/// # Errors
/// A weather year or reference year outside a siting region's data.
pub fn plan_siting(study: &Study, prepared: &[PreparedRegion<'_>]) -> Result<SitingPlan> {
    let nation_prepared = super::prepare_nation(study)?;
    plan_siting_with(
        study,
        &study.scenario,
        &study.regions,
        prepared,
        nation_prepared.as_deref(),
        None,
    )
}

/// [`plan_siting`] for a variant of the study's scenario and region set (a sweep's
/// sample), with the nation's regions prepared once by the caller
/// ([`super::prepare_nation`]), and the `headroom` policy's headroom either solved here
/// (`None`) or given — a sweep passes the central case's, see `docs/methodology.md`
/// ("Sweeps"). The headroom is per siting region: the nation's when it has one.
///
/// # Errors
/// None today; kept fallible for policies that may fail.
pub fn plan_siting_with(
    study: &Study,
    scenario: &crate::model::scenario::Scenario,
    regions: &crate::model::region::RegionSet,
    prepared: &[PreparedRegion<'_>],
    nation_prepared: Option<&[PreparedRegion<'_>]>,
    given_headroom_mw: Option<&[Vec<f64>]>,
) -> Result<SitingPlan> {
    // Site from the scenario's first year up to the last target year, and far enough to
    // reach every region's reference year (within the scenario).
    let latest_reference = prepared
        .iter()
        .chain(nation_prepared.unwrap_or_default())
        .map(|p| p.reference_year)
        .max()
        .unwrap_or(0);
    let last = study.years.1.max(latest_reference.min(scenario.last_year));
    let context = SitingContext {
        scenario,
        profiles: &study.profiles,
        last,
        weather_years: study.nation.as_ref().map(|n| n.weather_years.as_slice()),
        regional_avg_mw: None,
    };
    match (&study.nation, nation_prepared) {
        (Some(nation), Some(nation_prepared)) => {
            let (siting, notes) = without_regional_loads(scenario, nation, regions);
            let context = SitingContext {
                regional_avg_mw: Some(&|year| regional_avg_mw(scenario, year)),
                ..context
            };
            let mut national = site_over(&context, &siting, nation_prepared, given_headroom_mw)?;
            national.notes.extend(notes);
            if matches!(scenario.training_siting, TrainingSiting::Cheapest) {
                let unpriced = siting
                    .regions
                    .iter()
                    .filter(|r| r.allow_training && r.price_usd_per_mwh.is_none())
                    .count();
                if unpriced > 0 {
                    national.notes.push(format!(
                        "{unpriced} of the nation's {} siting regions have no price; `cheapest` fills them last",
                        siting.regions.len()
                    ));
                }
            }
            Ok(project(&context, &national, nation, regions, prepared))
        }
        _ => site_over(&context, regions, prepared, given_headroom_mw),
    }
}

/// The scenario's regional loads built in `year` (inference, training; average MW).
fn regional_avg_mw(scenario: &crate::model::scenario::Scenario, year: i32) -> (f64, f64) {
    use crate::model::scenario::WorkloadKind;
    let sum = |kind: WorkloadKind, power_frac: f64| -> f64 {
        scenario
            .regional_loads
            .iter()
            .filter(|l| l.workload == kind)
            .map(|l| l.built_rated_mw(year) * power_frac)
            .sum()
    };
    (
        sum(WorkloadKind::Inference, scenario.inference.power_frac),
        sum(WorkloadKind::Training, scenario.training.power_frac),
    )
}

/// The nation's siting regions with those of regions that carry a regional load taken
/// out: such a load is that region's whole AI load (it replaces the region's share of the
/// national siting), and the national projection less the regional loads is sited over
/// the other regions. Also the note that says so.
fn without_regional_loads<'a>(
    scenario: &crate::model::scenario::Scenario,
    nation: &'a crate::model::nation::Nation,
    regions: &crate::model::region::RegionSet,
) -> (
    std::borrow::Cow<'a, crate::model::region::RegionSet>,
    Vec<String>,
) {
    let mut named: Vec<&str> = scenario
        .regional_loads
        .iter()
        .map(|l| l.region.as_str())
        .collect();
    named.sort_unstable();
    named.dedup();
    if named.is_empty() {
        return (std::borrow::Cow::Borrowed(&nation.regions), Vec::new());
    }
    let mut siting = nation.regions.clone();
    for id in &named {
        let Some(r) = regions.regions.iter().position(|r| r.id == *id) else {
            continue;
        };
        for &m in &nation.members[r] {
            let region = &mut siting.regions[m];
            region.inference_weight = 0.0;
            region.existing_datacenter_mw = Some(0.0);
            region.datacenter_pipeline_mw = Some(0.0);
            region.allow_training = false;
        }
    }
    // The scope's totals without the regions taken out, so the rest is re-sited.
    let people: f64 = nation
        .regions
        .regions
        .iter()
        .map(|r| r.inference_weight)
        .sum();
    let outside = nation.regions.scope_population.unwrap_or(people) - people;
    siting.scope_population = Some(
        siting
            .regions
            .iter()
            .map(|r| r.inference_weight)
            .sum::<f64>()
            + outside,
    );
    siting.scope_datacenter_mw = Some(
        siting
            .regions
            .iter()
            .filter_map(|r| r.existing_datacenter_mw)
            .sum(),
    );
    let note = format!(
        "regional loads in {}: each is its region's whole AI load, in place of the region's share of the national siting; the national projection less these loads is sited over the other catalogue regions",
        named.join(", ")
    );
    (std::borrow::Cow::Owned(siting), vec![note])
}

/// What siting needs besides the regions.
struct SitingContext<'a> {
    scenario: &'a crate::model::scenario::Scenario,
    profiles: &'a crate::model::study::Profiles,
    /// Last siting year.
    last: i32,
    /// The weather years headroom is solved over: the nation's fixed years, or (`None`)
    /// every full year of each region's data.
    weather_years: Option<&'a [i32]>,
    /// Regional loads (inference, training; average MW) of a year that the siting's
    /// totals leave out (they replace their regions' shares); `None`: none left out.
    regional_avg_mw: Option<&'a (dyn Fn(i32) -> (f64, f64) + Sync)>,
}

/// The year whose stock is a region's existing load: its reference year, or the
/// scenario's first year when the scenario starts later.
fn existing_years(
    context: &SitingContext<'_>,
    regions: &crate::model::region::RegionSet,
    prepared: &[PreparedRegion<'_>],
    notes: &mut Vec<String>,
) -> Vec<i32> {
    let scenario = context.scenario;
    let last = context.last;
    let existing_year: Vec<i32> = prepared
        .iter()
        .map(|p| p.reference_year.clamp(scenario.first_year, last))
        .collect();
    for (region, (p, &year)) in regions
        .regions
        .iter()
        .zip(prepared.iter().zip(&existing_year))
    {
        if year != p.reference_year {
            notes.push(format!(
                "region {}: the reference year {} of its baseline lies outside the sited years {}..{last}; the scenario's {year} AI load is taken as the load already in the baseline",
                region.id, p.reference_year, scenario.first_year
            ));
        }
    }
    existing_year
}

/// The AI load the scenario states is already in region `id`'s baseline, if it does.
fn stated(
    scenario: &crate::model::scenario::Scenario,
    id: &str,
    pick: fn(&crate::model::scenario::ExistingAi) -> Option<f64>,
) -> Option<f64> {
    scenario
        .existing_ai
        .iter()
        .find(|e| e.region == id)
        .and_then(pick)
}

/// The national plan seen from the study's regions: each region's stock is the sum of
/// the siting regions it holds; what the nation sites outside them is reported apart
/// from what the catalogue cannot hold (`unallocated`); each region's existing load is
/// its stock in its own reference year (or what the scenario states).
fn project(
    context: &SitingContext<'_>,
    national: &SitingPlan,
    nation: &crate::model::nation::Nation,
    regions: &crate::model::region::RegionSet,
    prepared: &[PreparedRegion<'_>],
) -> SitingPlan {
    let mut notes = national.notes.clone();
    notes.extend(nation.notes.iter().cloned());
    let existing_year = existing_years(context, regions, prepared, &mut notes);
    // The national plan and the set's regions can say the same thing of one region.
    let mut seen = std::collections::HashSet::new();
    notes.retain(|note| seen.insert(note.clone()));
    let outside = nation.outside_study();
    let view = |stock: &Stock| Stock {
        region_mw: nation
            .members
            .iter()
            .map(|m| m.iter().map(|&i| stock.region_mw[i]).sum())
            .collect(),
        unallocated_mw: stock.unallocated_mw,
        outside_set_mw: outside.iter().map(|&i| stock.region_mw[i]).sum::<f64>()
            + stock.outside_set_mw,
    };
    let inference: Vec<Stock> = national.inference.iter().map(view).collect();
    let training: Vec<Stock> = national.training.iter().map(view).collect();
    let existing = |stocks: &[Stock],
                    pick: fn(&crate::model::scenario::ExistingAi) -> Option<f64>|
     -> Vec<f64> {
        regions
            .regions
            .iter()
            .enumerate()
            .map(|(r, region)| {
                stated(context.scenario, &region.id, pick).unwrap_or_else(|| {
                    stocks[index_of(&national.years, existing_year[r])].region_mw[r]
                })
            })
            .collect()
    };
    SitingPlan {
        years: national.years.clone(),
        powers: national.powers.clone(),
        existing_inference_mw: existing(&inference, |e| e.inference_mw),
        existing_training_mw: existing(&training, |e| e.training_mw),
        existing_year,
        inference_added: national.inference_added.iter().map(view).collect(),
        training_added: national.training_added.iter().map(view).collect(),
        built_rated: national.built_rated.iter().map(view).collect(),
        refit_rated: national.refit_rated.iter().map(view).collect(),
        inference,
        training,
        notes,
        training_headroom_mw: national.training_headroom_mw.clone(),
    }
}

/// Site both workloads over `regions` (the nation's, or a set sited on its own).
fn site_over(
    context: &SitingContext<'_>,
    regions: &crate::model::region::RegionSet,
    prepared: &[PreparedRegion<'_>],
    given_headroom_mw: Option<&[Vec<f64>]>,
) -> Result<SitingPlan> {
    let scenario = context.scenario;
    let n = regions.regions.len();
    let years: Vec<i32> = (scenario.first_year..=context.last).collect();
    let powers: Vec<YearPower> = years.iter().map(|&y| year_power(scenario, y)).collect();
    let sited = sited_powers(context, &powers);
    let mut notes = Vec::new();
    let existing_year = existing_years(context, regions, prepared, &mut notes);
    // The first year's stock sits at today's data centres where the set knows them.
    let datacenter_mw: Option<Vec<f64>> = regions
        .regions
        .iter()
        .map(|r| r.existing_datacenter_mw)
        .collect::<Option<Vec<f64>>>()
        .filter(|mw| mw.iter().sum::<f64>() > 0.0);
    let (weights, pipeline) = growth_weights(scenario, regions)?;
    let siting = Siting {
        scenario,
        regions,
        years: &years,
        existing_year: &existing_year,
        sited: &sited,
        datacenter_mw: datacenter_mw.as_deref(),
        pipeline: pipeline.as_deref(),
    };
    let (inference, inference_added) = follow_totals(
        n,
        &sited,
        |p| p.inference.average_mw,
        |y| siting.first_year_at_hubs(y, weights.clone()),
    );
    let existing_inference_mw = siting.existing_mw(&inference, |e| e.inference_mw);

    // Training: the growth of each year by the policy, on what earlier years left.
    let headroom = match scenario.training_siting {
        TrainingSiting::Headroom => Some(match given_headroom_mw {
            Some(given) => given.to_vec(),
            None => headroom_after_new_inference(
                context,
                regions,
                prepared,
                &powers,
                &inference,
                &existing_inference_mw,
            ),
        }),
        _ => None,
    };
    let (training, training_added, existing_training_mw) =
        siting.site_training(headroom.as_deref());
    // Inference growth goes first into capacity training has stopped using (refit), then
    // by its rule. The `headroom` policy sites training on the inference stock, so there
    // the stock stays as sited and capacity training leaves stays idle.
    let power_fracs = (scenario.training.power_frac, scenario.inference.power_frac);
    let (inference, inference_added, refit_rated, existing_inference_mw) =
        if matches!(scenario.training_siting, TrainingSiting::Headroom) {
            let none = vec![Stock::empty(n); years.len()];
            (inference, inference_added, none, existing_inference_mw)
        } else {
            siting.inference_with_refit(&weights, &training, power_fracs)
        };
    let built_rated = built_capacity(&training, &inference, power_fracs);
    Ok(SitingPlan {
        years,
        powers,
        inference,
        inference_added,
        training,
        training_added,
        built_rated,
        refit_rated,
        existing_inference_mw,
        existing_training_mw,
        existing_year,
        notes,
        training_headroom_mw: headroom,
    })
}

/// The weights growth is placed by: inference's (the scenario's rule), and the
/// `pipeline` training policy's (`None` for the other policies).
fn growth_weights(
    scenario: &crate::model::scenario::Scenario,
    regions: &crate::model::region::RegionSet,
) -> Result<(Shares, Option<Vec<f64>>)> {
    // Inference: the growth of each year by weight (the scenario's rule).
    let weights = match scenario.inference_growth {
        InferenceGrowth::PeopleAndHubs => allocate_inference(regions),
        InferenceGrowth::Pipeline { latency_bound_frac } => {
            allocate_inference_pipeline(regions, latency_bound_frac).map_err(|why| {
                anyhow::anyhow!("scenario `{}`, siting.inference: {why}", scenario.name)
            })?
        }
    };
    let pipeline = match scenario.training_siting {
        TrainingSiting::Pipeline => Some(pipeline_weights(regions).map_err(|why| {
            anyhow::anyhow!("scenario `{}`, siting.training: {why}", scenario.name)
        })?),
        _ => None,
    };
    Ok((weights, pipeline))
}

/// What is sited of each year's power: the projection, less the regional loads that
/// replace their regions' shares.
fn sited_powers(context: &SitingContext<'_>, powers: &[YearPower]) -> Vec<YearPower> {
    match context.regional_avg_mw {
        None => powers.to_vec(),
        Some(regional) => powers
            .iter()
            .map(|p| {
                let (inference, training) = regional(p.year);
                let mut p = *p;
                p.inference.average_mw = (p.inference.average_mw - inference).max(0.0);
                p.training.average_mw = (p.training.average_mw - training).max(0.0);
                p
            })
            .collect(),
    }
}

/// What the siting steps of one plan share: the scenario and regions, the siting years
/// and each region's existing year, the power sited each year, and the weights the
/// first year (today's data centres) and the `pipeline` training policy place by.
struct Siting<'a> {
    scenario: &'a crate::model::scenario::Scenario,
    regions: &'a crate::model::region::RegionSet,
    years: &'a [i32],
    existing_year: &'a [i32],
    sited: &'a [YearPower],
    datacenter_mw: Option<&'a [f64]>,
    pipeline: Option<&'a [f64]>,
}

impl Siting<'_> {
    /// `shares`, except that the first year's stock sits at today's data centres.
    fn first_year_at_hubs(&self, y: usize, shares: Shares) -> Shares {
        if y == 0 {
            at_existing_datacenters(self.regions, &shares).unwrap_or(shares)
        } else {
            shares
        }
    }

    /// Each region's existing load of a workload: what the scenario states, else its
    /// stock in the region's existing year.
    fn existing_mw(
        &self,
        stocks: &[Stock],
        pick: fn(&crate::model::scenario::ExistingAi) -> Option<f64>,
    ) -> Vec<f64> {
        (0..self.regions.regions.len())
            .map(|r| {
                stated(self.scenario, &self.regions.regions[r].id, pick).unwrap_or_else(|| {
                    stocks[index_of(self.years, self.existing_year[r])].region_mw[r]
                })
            })
            .collect()
    }

    /// Training's stocks and additions of every year, each year's growth placed by the
    /// policy on what earlier years left, and each region's existing training load.
    fn site_training(&self, headroom: Option<&[Vec<f64>]>) -> (Vec<Stock>, Vec<Stock>, Vec<f64>) {
        let (regions, years) = (self.regions, self.years);
        let n = regions.regions.len();
        let mut training: Vec<Stock> = Vec::with_capacity(years.len());
        let mut training_added: Vec<Stock> = Vec::with_capacity(years.len());
        // Known once the loop passes a region's existing year (or stated): until then the
        // whole stock counts as existing, so no new training has used headroom yet.
        let mut existing_training_mw: Vec<f64> = (0..n)
            .map(|r| {
                stated(self.scenario, &regions.regions[r].id, |e| e.training_mw).unwrap_or(f64::NAN)
            })
            .collect();
        let mut stock = Stock::empty(n);
        for (y, power) in self.sited.iter().enumerate() {
            let total_mw = power.training.average_mw;
            let (next, added) = stock.advance(total_mw, |growth_mw| {
                self.place_training((y, growth_mw), &stock, headroom, &existing_training_mw)
            });
            stock = next;
            for (r, existing) in existing_training_mw.iter_mut().enumerate() {
                if years[y] == self.existing_year[r] && existing.is_nan() {
                    *existing = stock.region_mw[r];
                }
            }
            training.push(stock.clone());
            training_added.push(added);
        }
        (training, training_added, existing_training_mw)
    }

    /// The shares of year `y`'s training growth (`growth_mw`) by the policy, given the
    /// stock so far.
    fn place_training(
        &self,
        (y, growth_mw): (usize, f64),
        stock: &Stock,
        headroom: Option<&[Vec<f64>]>,
        existing_training_mw: &[f64],
    ) -> Shares {
        let (scenario, regions) = (self.scenario, self.regions);
        // The first year's training sits at today's data centres too, within the rules
        // of training (regions that allow it, caps, the set's share of the scope);
        // explicit shares are the user's and stay as given.
        if let (0, Some(hubs)) = (y, self.datacenter_mw) {
            if !matches!(scenario.training_siting, TrainingSiting::Explicit(_)) {
                return allocate_proportional_capped(regions, hubs, growth_mw, &stock.region_mw);
            }
        }
        match &scenario.training_siting {
            TrainingSiting::Explicit(shares) => allocate_explicit(regions, shares),
            TrainingSiting::Cheapest => allocate_cheapest(regions, growth_mw, &stock.region_mw),
            TrainingSiting::Pipeline => allocate_proportional_capped(
                regions,
                self.pipeline.expect("computed for this policy"),
                growth_mw,
                &stock.region_mw,
            ),
            TrainingSiting::Headroom => {
                let headroom = headroom.expect("computed for this policy");
                let left: Vec<f64> = (0..regions.regions.len())
                    .map(|r| {
                        let existing = existing_training_mw[r];
                        let new_before = if existing.is_nan() {
                            0.0
                        } else {
                            (stock.region_mw[r] - existing).max(0.0)
                        };
                        (headroom[y][r] - new_before).max(0.0)
                    })
                    .collect();
                allocate_proportional_capped(regions, &left, growth_mw, &stock.region_mw)
            }
        }
    }

    /// Inference followed again with its growth placed first into capacity `training`
    /// has stopped using: its stocks, additions, the refit rated MW, and each region's
    /// existing inference load on those stocks.
    fn inference_with_refit(
        &self,
        weights: &Shares,
        training: &[Stock],
        power_fracs: (f64, f64),
    ) -> (Vec<Stock>, Vec<Stock>, Vec<Stock>, Vec<f64>) {
        let (inference, inference_added, refit_rated) = follow_totals_with_refit(
            self.regions.regions.len(),
            self.sited,
            |p| p.inference.average_mw,
            |y| self.first_year_at_hubs(y, weights.clone()),
            training,
            power_fracs,
        );
        let existing_inference_mw = self.existing_mw(&inference, |e| e.inference_mw);
        (
            inference,
            inference_added,
            refit_rated,
            existing_inference_mw,
        )
    }
}

mod stock;

use self::stock::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulation::prepare_regions;
    use crate::simulation::tests::fixture;

    /// A falling training total frees capacity; the next years' inference growth goes
    /// there first (refit), built capacity never falls, and every year's stocks still sum
    /// to their totals.
    #[test]
    fn capacity_training_leaves_is_refit_for_inference_and_never_destroyed() {
        let fracs = (0.8, 0.5);
        // Training: 100 MW average in region 0, then falls by half.
        let training: Vec<Stock> = [100.0, 50.0, 50.0, 20.0]
            .iter()
            .map(|&mw| Stock {
                region_mw: vec![mw, 0.0],
                unallocated_mw: 0.0,
                outside_set_mw: 0.0,
            })
            .collect();
        // Inference grows; by its rule all growth would go to region 1.
        let totals = [10.0, 30.0, 60.0, 80.0];
        let (inference, _, refit) = follow_totals_with_refit(
            2,
            &totals,
            |t| *t,
            |_| Shares::with_rest_unallocated(vec![0.0, 1.0]),
            &training,
            fracs,
        );
        for (stock, total) in inference.iter().zip(totals) {
            assert!((stock.total_mw() - total).abs() < 1e-9);
        }
        // Year 1: training freed 50 / 0.8 = 62.5 rated MW in region 0, 31.25 MW of
        // inference at 0.5; the 20 MW of growth all goes there.
        assert!((inference[1].region_mw[0] - 20.0).abs() < 1e-9);
        assert!((refit[1].region_mw[0] - 40.0).abs() < 1e-9);
        // Year 2: 11.25 MW of inference still fits in region 0, the rest by the rule.
        assert!((inference[2].region_mw[0] - 31.25).abs() < 1e-9);
        assert!((inference[2].region_mw[1] - 28.75).abs() < 1e-9);
        let built = built_capacity(&training, &inference, fracs);
        for pair in built.windows(2) {
            for r in 0..2 {
                assert!(pair[1].region_mw[r] >= pair[0].region_mw[r]);
            }
        }
        for (y, b) in built.iter().enumerate() {
            for r in 0..2 {
                let used = training[y].region_mw[r] / fracs.0 + inference[y].region_mw[r] / fracs.1;
                assert!(b.region_mw[r] + 1e-9 >= used, "built covers what is used");
                assert!(refit[y].region_mw[r] <= b.region_mw[r] + 1e-9);
            }
        }
        // Region 0 was built to 125 MW rated in year 0 and keeps it.
        assert!((built[3].region_mw[0] - 125.0).abs() < 1e-9);
    }

    /// The first year's stock sits at today's data centres, but training only where
    /// training is allowed and within caps.
    #[test]
    fn the_first_year_sits_at_the_hubs_within_the_training_rules() {
        let mut study = fixture();
        study.regions.regions[0].existing_datacenter_mw = Some(100.0);
        study.regions.regions[1].existing_datacenter_mw = Some(900.0);
        study.regions.regions[1].allow_training = false;
        let prepared = prepare_regions(&study).unwrap();
        let plan = plan_siting(&study, &prepared).unwrap();
        let inference = &plan.inference[0].region_mw;
        assert!(
            (inference[1] / inference[0] - 9.0).abs() < 1e-9,
            "{inference:?}"
        );
        let training = &plan.training[0].region_mw;
        assert_eq!(training[1], 0.0);
        assert!(training[0] > 0.0);
    }
}
