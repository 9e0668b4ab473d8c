//! The national catalogue (`regions/catalogue.toml`): every region of a scope the data
//! hold — for the US the lower-48 balancing authorities and the zones inside the ISOs —
//! with their figures and hourly loads. The scenario's national AI load is sited once
//! over the catalogue at its finest level (zones inside the ISOs, BAs elsewhere:
//! [`Catalogue::siting_set`]); a region set only chooses which regions to report
//! ([`nation_for`] maps them onto the siting regions).
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

use super::KeyLocator;
use super::ranges::{Population, de_in};
use super::region_set::{RawInferenceSiting, RawRegion, inference_siting, region_from_raw};
use crate::model::nation::{Aggregate, Nation};
use crate::model::region::{InferenceSiting, Region, RegionSet};
use crate::model::series::HourlyLoad;

/// File name of the catalogue under `regions/`.
pub const CATALOGUE_FILE: &str = "catalogue.toml";

/// The catalogue file as written.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatalogue {
    /// Identifier.
    #[serde(deserialize_with = "super::de_id")]
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// The scope it covers (e.g. `US`).
    pub scope: String,
    /// People in the whole scope.
    #[serde(deserialize_with = "de_in::<Population, _>")]
    pub scope_population: f64,
    /// Where `scope_population` comes from.
    #[serde(default)]
    pub scope_population_source: String,
    /// People of the scope outside every catalogue region (for the US: Alaska and Hawaii).
    #[serde(deserialize_with = "de_in::<Population, _>")]
    pub outside_population: f64,
    /// Where `outside_population` comes from.
    #[serde(default)]
    pub outside_population_source: String,
    /// The operators' published figures (CSV), relative to the catalogue.
    #[serde(default)]
    pub operator_forecasts: Option<PathBuf>,
    /// How new inference is sited.
    pub inference_siting: RawInferenceSiting,
    /// The regions.
    pub region: Vec<RawRegion>,
}

/// The catalogue, validated.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// Where it was read from.
    pub path: PathBuf,
    /// Identifier.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// The scope.
    pub scope: String,
    /// People of the scope outside every catalogue region.
    pub outside_population: f64,
    /// The blend of inference siting.
    pub inference_siting: InferenceSiting,
    /// The operators' figures file, resolved.
    pub operator_forecasts: Option<PathBuf>,
    /// Every region, in file order.
    pub regions: Vec<Region>,
}

impl Catalogue {
    /// The region with this id.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.id == id)
    }

    /// The zones of region `id` (empty for a zone or a BA without zones).
    #[must_use]
    pub fn zones_of(&self, id: &str) -> Vec<&Region> {
        self.regions
            .iter()
            .filter(|r| r.parent.as_deref() == Some(id))
            .collect()
    }

    /// Whether a region is one the AI load is sited on: a zone, or a BA without zones.
    #[must_use]
    pub fn is_siting_region(&self, region: &Region) -> bool {
        region.parent.is_some() || self.zones_of(&region.id).is_empty()
    }

    /// The siting regions (zones inside the ISOs, BAs elsewhere), with the scope's totals
    /// computed from them: people = theirs + those outside the catalogue, data-centre
    /// load = theirs, all of the scope's training placeable.
    #[must_use]
    pub fn siting_set(&self) -> RegionSet {
        let regions: Vec<Region> = self
            .regions
            .iter()
            .filter(|r| self.is_siting_region(r))
            .cloned()
            .collect();
        siting_set_of(self, regions)
    }

    /// A few ids, for messages.
    #[must_use]
    pub fn example_ids(&self) -> String {
        ["SOCO", "PJM", "PJM-DOM", "ERCO-NCEN"]
            .iter()
            .filter(|id| self.get(id).is_some())
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn siting_set_of(catalogue: &Catalogue, regions: Vec<Region>) -> RegionSet {
    let population: f64 = regions.iter().map(|r| r.inference_weight).sum();
    let datacenter_mw: f64 = regions
        .iter()
        .filter_map(|r| r.existing_datacenter_mw)
        .sum();
    RegionSet {
        id: catalogue.id.clone(),
        name: catalogue.name.clone(),
        scope: catalogue.scope.clone(),
        scope_population: Some(population + catalogue.outside_population),
        scope_datacenter_mw: Some(datacenter_mw),
        inference_siting: catalogue.inference_siting,
        operator_forecasts: Vec::new(),
        training_scope_share_frac: 1.0,
        regions,
    }
}

/// The shipped catalogue: `regions/catalogue.toml` under `$GRIDSTRAIN_HOME`, the current
/// folder or the source tree the binary was built from (the first found).
#[must_use]
pub fn find_catalogue() -> Option<PathBuf> {
    super::shipped_roots()
        .into_iter()
        .map(|root| root.join("regions").join(CATALOGUE_FILE))
        .find(|p| p.is_file())
}

/// Read and check a catalogue: ids unique, every zone's parent a BA of the catalogue,
/// every siting region with people and today's data-centre load.
///
/// # Errors
/// Any rule broken, with the file and key named.
pub fn read_catalogue(path: &Path) -> Result<Catalogue> {
    let text = super::read_text(path)?;
    let raw: RawCatalogue = super::parse_toml(&text, path)?;
    let locate = KeyLocator::new(path, Some(&text));
    let siting = inference_siting(Some(&raw.inference_siting), &locate)?;
    let mut seen = HashSet::new();
    let mut regions = Vec::with_capacity(raw.region.len());
    for (index, r) in raw.region.into_iter().enumerate() {
        let id = r.id.clone();
        let at = |key: &str| locate.array_key("region", index, &id, key);
        if !seen.insert(r.id.clone()) {
            bail!("{}: duplicate region id `{}`", at("id"), r.id);
        }
        if r.replaces.is_some() {
            bail!(
                "{}: a catalogue region replaces nothing; expected no `replaces`",
                at("replaces")
            );
        }
        regions.push(region_from_raw(r, path, &at)?);
    }
    let ids: HashMap<&str, Option<&str>> = regions
        .iter()
        .map(|r| (r.id.as_str(), r.parent.as_deref()))
        .collect();
    for r in &regions {
        if let Some(parent) = &r.parent {
            match ids.get(parent.as_str()) {
                Some(None) => {}
                Some(Some(_)) => bail!(
                    "{}, region `{}`: parent `{parent}` is itself a zone; expected a balancing authority",
                    path.display(),
                    r.id
                ),
                None => bail!(
                    "{}, region `{}`: parent `{parent}` is not in the catalogue; expected the id of the ISO the zone lies in",
                    path.display(),
                    r.id
                ),
            }
        }
    }
    let catalogue = Catalogue {
        path: path.to_path_buf(),
        id: raw.id,
        name: raw.name,
        scope: raw.scope,
        outside_population: raw.outside_population,
        inference_siting: siting,
        operator_forecasts: raw
            .operator_forecasts
            .map(|f| super::resolve_beside(path, &f)),
        regions,
    };
    for r in catalogue
        .regions
        .iter()
        .filter(|r| catalogue.is_siting_region(r))
    {
        if r.existing_datacenter_mw.is_none() || r.population <= 0.0 {
            bail!(
                "{}, region `{}`: a siting region needs population > 0 and existing_datacenter_mw (0 where there is none); found {} people and {:?} MW",
                path.display(),
                r.id,
                r.population,
                r.existing_datacenter_mw
            );
        }
    }
    Ok(catalogue)
}

/// The nation a study of `set` is sited on: the catalogue's siting regions, where a
/// region of the set with its own figures takes the place of the catalogue region it
/// replaces; each region of the set mapped to the siting regions it holds; and the
/// siting regions' loads (those of the study reused, `study_loads` in set order).
///
/// # Errors
/// A region of the set that replaces nothing in the catalogue, two that replace the same
/// region, a load file that fails, or siting regions without a common full year.
pub fn nation_for(
    catalogue: &Catalogue,
    set: &RegionSet,
    set_path: &Path,
    study_loads: &[HourlyLoad],
) -> Result<Nation> {
    let mut siting = catalogue.siting_set();
    let position: HashMap<String, usize> = siting
        .regions
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    let mut own_load: Vec<Option<usize>> = vec![None; siting.regions.len()];
    let mut members = Vec::with_capacity(set.regions.len());
    let mut notes = Vec::new();
    for (r, region) in set.regions.iter().enumerate() {
        let Some(key) = region.replaces.as_deref() else {
            // A catalogue region, named by id.
            members.push(members_of(catalogue, &position, &region.id));
            continue;
        };
        if catalogue.get(key).is_none() {
            bail!(
                "{}, region `{}`: it is not a region of the {} catalogue ({}), and the scenario sites a national projection over the catalogue; expected `replaces = \"ID\"` naming the catalogue region whose place it takes (e.g. {}; `gridstrain regions` lists them), or a catalogue id",
                set_path.display(),
                region.id,
                catalogue.scope,
                catalogue.path.display(),
                catalogue.example_ids()
            );
        }
        match position.get(key) {
            Some(&i) => {
                if own_load[i].is_some() {
                    bail!(
                        "{}, region `{}`: catalogue region `{key}` is already replaced by another region of the set; expected each catalogue region replaced once",
                        set_path.display(),
                        region.id
                    );
                }
                own_load[i] = Some(r);
                siting.regions[i] = region.clone();
                notes.push(format!(
                    "region {}: its own load and the figures its table states (the others the catalogue's) take the place of catalogue region {key} in the national siting",
                    region.id
                ));
                members.push(vec![i]);
            }
            None => {
                notes.push(format!(
                    "region {}: reported on its own figures and load; the national siting places {key}'s AI load on its {} zones, with the catalogue's figures",
                    region.id,
                    catalogue.zones_of(key).len()
                ));
                members.push(members_of(catalogue, &position, key));
            }
        }
    }
    let mut held = vec![0_u32; siting.regions.len()];
    for m in members.iter().flatten() {
        held[*m] += 1;
    }
    if held.iter().any(|&h| h > 1) {
        notes.push(format!(
            "region set {}: some regions hold the same siting regions (an ISO and its zones); each is reported on its own, so set sums count that load more than once",
            set.id
        ));
    }
    // Recompute the scope totals with any replaced figures.
    let siting = siting_set_of(catalogue, siting.regions);
    let loads = nation_loads(&siting, &own_load, set, study_loads)?;
    let weather_years = common_full_years(&loads);
    if weather_years.is_empty() {
        bail!(
            "{}: the catalogue's siting regions share no full year of load; expected at least one year every region holds",
            catalogue.path.display()
        );
    }
    let aggregates = aggregates_of(catalogue, set, study_loads)?;
    Ok(Nation {
        regions: siting,
        loads,
        weather_years,
        members,
        notes,
        aggregates,
    })
}

/// The ISOs all of whose zones the set reports (as the catalogue's), with their own BA
/// records.
fn aggregates_of(
    catalogue: &Catalogue,
    set: &RegionSet,
    study_loads: &[HourlyLoad],
) -> Result<Vec<Aggregate>> {
    let mut aggregates = Vec::new();
    for iso in &catalogue.regions {
        let zones = catalogue.zones_of(&iso.id);
        if zones.is_empty() {
            continue;
        }
        let members: Option<Vec<usize>> = zones
            .iter()
            .map(|z| {
                set.regions
                    .iter()
                    .position(|r| r.id == z.id && r.replaces.is_none())
            })
            .collect();
        let Some(members) = members else {
            continue;
        };
        let load = match set
            .regions
            .iter()
            .position(|r| r.load_path == iso.load_path)
        {
            Some(r) => study_loads[r].clone(),
            None => super::load_file::read_load_file(&iso.load_path)?,
        };
        aggregates.push(Aggregate {
            region: iso.clone(),
            load,
            members,
        });
    }
    Ok(aggregates)
}

/// The siting regions region `id` of the catalogue holds: itself, or an ISO's zones.
fn members_of(catalogue: &Catalogue, position: &HashMap<String, usize>, id: &str) -> Vec<usize> {
    match position.get(id) {
        Some(&i) => vec![i],
        None => catalogue
            .zones_of(id)
            .iter()
            .filter_map(|z| position.get(&z.id).copied())
            .collect(),
    }
}

/// Each siting region's load: a replacing region's own, a load the study already read
/// (same file), or read now (in parallel; the first failure in catalogue order).
fn nation_loads(
    siting: &RegionSet,
    own_load: &[Option<usize>],
    set: &RegionSet,
    study_loads: &[HourlyLoad],
) -> Result<Vec<HourlyLoad>> {
    let by_path: HashMap<&Path, usize> = set
        .regions
        .iter()
        .enumerate()
        .map(|(i, r)| (r.load_path.as_path(), i))
        .collect();
    let from_study: Vec<Option<usize>> = siting
        .regions
        .iter()
        .enumerate()
        .map(|(i, region)| own_load[i].or_else(|| by_path.get(region.load_path.as_path()).copied()))
        .collect();
    let to_read: Vec<&Path> = siting
        .regions
        .iter()
        .zip(&from_study)
        .filter(|(_, r)| r.is_none())
        .map(|(region, _)| region.load_path.as_path())
        .collect();
    let mut read = super::load_file::read_load_files(&to_read).into_iter();
    from_study
        .iter()
        .map(|r| match r {
            Some(r) => Ok(study_loads[*r].clone()),
            None => read
                .next()
                .unwrap_or_else(|| anyhow::bail!("a load file was not read")),
        })
        .collect()
}

/// The full years every load holds.
#[must_use]
pub fn common_full_years(loads: &[HourlyLoad]) -> Vec<i32> {
    let mut years: Option<Vec<i32>> = None;
    for load in loads {
        let own = load.weather_years();
        years = Some(match years {
            None => own,
            Some(y) => y.into_iter().filter(|w| own.contains(w)).collect(),
        });
    }
    years.unwrap_or_default()
}
