//! Regional loads (`[[regional_load]]`) and the rules between a scenario and a region
//! set.
use super::*;

/// The `[[regional_load]]` tables, checked: years inside the study, MW ≥ 0, a
/// realisation in [0, 1].
pub(super) fn regional_loads(
    raw: &RawScenario,
    locate: &KeyLocator<'_>,
    (training, inference): (&Workload, &Workload),
) -> Result<Vec<RegionalLoad>> {
    let mut loads = Vec::with_capacity(raw.regional_load.len());
    for (index, load) in raw.regional_load.iter().enumerate() {
        let at = |key: &str| locate.array_key("regional_load", index, &load.region, key);
        let workload = match load.workload {
            RawWorkloadKind::Training => training,
            RawWorkloadKind::Inference => inference,
        };
        // MW at the peak → rated MW: divided by the fleet's peak-hour draw (its draw
        // fraction × its profile's peak-to-mean), so the peak draw equals the forecast.
        let (key, by_year, to_rated, note) = match (
            load.rated_mw_by_year.is_empty(),
            load.peak_mw_by_year.is_empty(),
        ) {
            (false, true) => (
                "rated_mw_by_year",
                &load.rated_mw_by_year,
                1.0,
                String::new(),
            ),
            (true, false) => {
                let ratio = crate::input::profile::read_profile(&workload.profile_path)?
                    .peak_to_mean_ratio();
                let peak_draw_frac = workload.power_frac * ratio;
                (
                    "peak_mw_by_year",
                    &load.peak_mw_by_year,
                    1.0 / peak_draw_frac,
                    format!(
                        " (entered as MW at the peak: rated MW = peak MW / {peak_draw_frac:.4}, the fleet's peak-hour draw = power_frac {} × profile peak-to-mean {ratio:.4})",
                        workload.power_frac
                    ),
                )
            }
            (true, true) => bail!(
                "{}: empty, expected MW by year such as {{ 2026 = 1000, 2030 = 5000 }} in `rated_mw_by_year` (rated facility MW) or `peak_mw_by_year` (MW at the system peak, as utilities publish)",
                at("rated_mw_by_year")
            ),
            (false, false) => bail!(
                "{}: found both `rated_mw_by_year` and `peak_mw_by_year`; expected one of them",
                at("peak_mw_by_year")
            ),
        };
        let mut points = Vec::with_capacity(by_year.len());
        for (year_text, &mw) in by_year {
            let year: i32 = year_text.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "{}: key '{}' is not a year; expected keys such as 2030",
                    at(key),
                    crate::input::excerpt(year_text)
                )
            })?;
            if year < raw.first_year || year > raw.last_year {
                bail!(
                    "{}: year {year} is outside the study {}..{}; expected years within it",
                    at(key),
                    raw.first_year,
                    raw.last_year
                );
            }
            if let Err(why) = Mw::RANGE.check(mw) {
                bail!("{}: year {year}: {why}", at(key));
            }
            points.push((year, mw * to_rated));
        }
        points.sort_by_key(|p| p.0);
        loads.push(RegionalLoad {
            region: load.region.clone(),
            workload: match load.workload {
                RawWorkloadKind::Training => WorkloadKind::Training,
                RawWorkloadKind::Inference => WorkloadKind::Inference,
            },
            rated_mw_by_year: points,
            realisation_frac: load.realisation_frac,
            source: format!("{}{note}", load.source),
        });
    }
    Ok(loads)
}

/// "FILE, key `K`: unknown region id(s) …; region set … has …".
pub(super) fn unknown_regions(
    scenario_path: &Path,
    key: &str,
    unknown: &[&str],
    regions: &RegionSet,
    regions_path: &Path,
) -> String {
    let ids: Vec<&str> = regions.regions.iter().map(|r| r.id.as_str()).collect();
    format!(
        "{}, key `{key}`: unknown region id(s) {}; region set {} has {}",
        scenario_path.display(),
        crate::input::format_capped(unknown),
        regions_path.display(),
        crate::input::format_capped(&ids)
    )
}

/// Rules that span a scenario and a region set: same scope, explicit shares naming
/// regions of the set, prices present for `cheapest`.
///
/// # Errors
/// The first rule broken, naming both files.
pub fn check_scenario_against_regions(
    scenario: &Scenario,
    scenario_path: &Path,
    regions: &RegionSet,
    regions_path: &Path,
) -> Result<()> {
    if scenario.scope != regions.scope {
        bail!(
            "{}, key `scope`: found '{}', but region set {} is for scope '{}'; they must match",
            scenario_path.display(),
            crate::input::excerpt(&scenario.scope),
            regions_path.display(),
            crate::input::excerpt(&regions.scope)
        );
    }
    let ids: HashSet<&str> = regions.regions.iter().map(|r| r.id.as_str()).collect();
    match &scenario.training_siting {
        TrainingSiting::Explicit(shares) => {
            let unknown: Vec<&str> = shares
                .iter()
                .map(|(id, _)| id.as_str())
                .filter(|id| *id != crate::model::region::UNALLOCATED && !ids.contains(id))
                .collect();
            if !unknown.is_empty() {
                bail!(unknown_regions(
                    scenario_path,
                    "siting.training_shares",
                    &unknown,
                    regions,
                    regions_path
                ));
            }
            let forbidden: Vec<&str> = shares
                .iter()
                .filter(|(id, share)| {
                    *share > 0.0
                        && regions
                            .regions
                            .iter()
                            .any(|r| r.id == *id && !r.allow_training)
                })
                .map(|(id, _)| id.as_str())
                .collect();
            if !forbidden.is_empty() {
                bail!(
                    "{}, key `siting.training_shares`: found a share for {}, which region set {} marks `allow_training = false`; expected shares only for regions that allow training",
                    scenario_path.display(),
                    crate::input::format_capped(&forbidden),
                    regions_path.display()
                );
            }
        }
        TrainingSiting::Cheapest => {
            let unpriced: Vec<&str> = regions
                .regions
                .iter()
                .filter(|r| r.allow_training && r.price_usd_per_mwh.is_none())
                .map(|r| r.id.as_str())
                .collect();
            if !unpriced.is_empty() {
                bail!(
                    "{}: siting.training = \"cheapest\" needs `price_usd_per_mwh` for every region that allows training; missing in {} of {}",
                    scenario_path.display(),
                    crate::input::format_capped(&unpriced),
                    regions_path.display()
                );
            }
        }
        TrainingSiting::Headroom | TrainingSiting::Pipeline => {}
    }
    if !matches!(scenario.compute, ComputeProjection::None) && regions.scope_population.is_none() {
        bail!(
            "{}: no `scope_population`, but scenario {} projects national compute whose inference is sited by people served; expected the scope's population (a set used only with regional loads needs none)",
            regions_path.display(),
            scenario_path.display()
        );
    }
    let mut stated = HashSet::new();
    if let Some(twice) = scenario
        .existing_ai
        .iter()
        .find(|e| !stated.insert(e.region.as_str()))
    {
        bail!(
            "{}, key `existing_ai.region`: region {} is stated twice; expected one [[existing_ai]] table per region",
            scenario_path.display(),
            twice.region
        );
    }
    let unknown: Vec<&str> = scenario
        .existing_ai
        .iter()
        .map(|e| e.region.as_str())
        .chain(scenario.regional_loads.iter().map(|l| l.region.as_str()))
        .filter(|id| !regions.regions.iter().any(|r| r.id == *id))
        .collect();
    if !unknown.is_empty() {
        bail!(unknown_regions(
            scenario_path,
            "existing_ai.region` / `regional_load.region",
            &unknown,
            regions,
            regions_path
        ));
    }
    Ok(())
}
