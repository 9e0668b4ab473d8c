//! Reads a region set (`regions/*.toml`): catalogue regions named by id (`regions =
//! ["SOCO", "PJM-DOM"]`, their figures from the national catalogue,
//! [`super::catalogue`]) and/or `[[region]]` tables with id, name, IANA time zone,
//! population served, baseline growth and the path of the hourly load; optional
//! capacity, reserve margin, price and training rules. A table of a set in a scope with a
//! catalogue stands for the catalogue region it names (`replaces`, default its own id).
//! Unknown keys are refused.
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

use super::catalogue::Catalogue;
use super::ranges::{
    Co2LbPerMwh, Mw, MwDivisor, PeopleWeight, Population, ReserveMargin, UsdPerKw, UsdPerMwh,
    de_in, de_opt_in,
};
use super::{
    KeyLocator, de_fraction, de_growth_rate, de_id, de_time_zone, de_year, resolve_beside,
};
use crate::model::region::{InferenceSiting, Region, RegionSet};

/// Default summer peak window (June–August), SPEC §7.
pub const DEFAULT_SUMMER_MONTHS: [u8; 3] = [6, 7, 8];
/// Default winter peak window (December–February), SPEC §7.
pub const DEFAULT_WINTER_MONTHS: [u8; 3] = [12, 1, 2];

/// The region-set file as written.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegionSet {
    /// Identifier of the set (default: from the file's name).
    #[serde(default, deserialize_with = "de_id")]
    pub id: String,
    /// Human-readable name (default: the id).
    #[serde(default)]
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Scope (e.g. `US`; default `US`, the shipped catalogue's).
    #[serde(default = "default_scope")]
    pub scope: String,
    /// People in the scope (needed to site a compute projection's inference).
    #[serde(default, deserialize_with = "de_opt_in::<Population, _>")]
    pub scope_population: Option<f64>,
    /// Where `scope_population` comes from.
    #[serde(default)]
    pub scope_population_source: String,
    /// Share of the scope's training load the set may take (default 1).
    #[serde(default = "default_one", deserialize_with = "de_fraction")]
    pub training_scope_share_frac: f64,
    /// Where `training_scope_share_frac` comes from.
    #[serde(default)]
    pub training_scope_share_source: String,
    /// Data-centre load of the whole scope (average MW), for the hub part of siting.
    #[serde(default, deserialize_with = "de_opt_in::<MwDivisor, _>")]
    pub scope_datacenter_mw: Option<f64>,
    /// Where `scope_datacenter_mw` comes from.
    #[serde(default)]
    pub scope_datacenter_source: String,
    /// How new inference is sited.
    #[serde(default)]
    pub inference_siting: Option<RawInferenceSiting>,
    /// The operators' published figures (CSV), relative to the region-set file.
    #[serde(default)]
    pub operator_forecasts: Option<PathBuf>,
    /// Catalogue regions reported by this set, by id (their figures are the catalogue's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// The national catalogue, relative to the region-set file (default: the shipped
    /// `regions/catalogue.toml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<PathBuf>,
    /// The set's own regions.
    #[serde(default)]
    pub region: Vec<RawRegion>,
}

/// `[inference_siting]`: the blend of population and today's data-centre load.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawInferenceSiting {
    /// Weight of population served.
    #[serde(deserialize_with = "de_fraction")]
    pub population_frac: f64,
    /// Weight of today's data-centre load.
    #[serde(deserialize_with = "de_fraction")]
    pub existing_datacenter_frac: f64,
    /// Why this blend.
    #[serde(default)]
    pub rationale: String,
}

/// How well a region's data-centre load is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RawConfidence {
    /// Stated by the operator or utility itself.
    Published,
    /// Derived by a written rule from published inputs.
    Derived,
    /// Derived with assumed weights.
    Estimated,
}

/// One `[[region]]` table as written.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    /// Identifier (EIA code for balancing authorities).
    #[serde(deserialize_with = "de_id")]
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// The ISO a zone lies in (catalogue zones only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The catalogue region this one takes the place of in the national siting (default:
    /// the one with the same id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    /// IANA time zone.
    #[serde(deserialize_with = "de_time_zone", serialize_with = "ser_tz")]
    pub time_zone: chrono_tz::Tz,
    /// People served.
    #[serde(deserialize_with = "de_in::<Population, _>")]
    pub population: f64,
    /// Where `population` comes from.
    #[serde(default)]
    pub population_source: String,
    /// Inference siting weight; defaults to `population`.
    #[serde(default, deserialize_with = "de_opt_in::<PeopleWeight, _>")]
    pub inference_weight: Option<f64>,
    /// Baseline growth per year (fraction).
    #[serde(deserialize_with = "de_growth_rate")]
    pub baseline_growth_per_year_frac: f64,
    /// Reference year for weather-year scaling; defaults to the last full year of the data.
    #[serde(default, deserialize_with = "de_opt_year")]
    pub baseline_reference_year: Option<i32>,
    /// Hourly load file, relative to the region-set file.
    pub load_file: PathBuf,
    /// Firm capacity (MW).
    #[serde(default, deserialize_with = "de_opt_in::<MwDivisor, _>")]
    pub firm_capacity_mw: Option<f64>,
    /// Reserve margin target (fraction), default 0.15.
    #[serde(default = "default_reserve_margin", deserialize_with = "de_fraction")]
    pub reserve_margin_frac: f64,
    /// Where `firm_capacity_mw` and `reserve_margin_frac` come from.
    #[serde(default)]
    pub capacity_source: String,
    /// The NERC assessment area the region lies in (for the reader; the margins below are
    /// what the model uses).
    #[serde(default)]
    pub nerc_assessment_area: String,
    /// Anticipated reserve margin of the region's NERC assessment area (fraction): its
    /// anticipated resources over its net internal demand, less 1.
    #[serde(default, deserialize_with = "de_opt_in::<ReserveMargin, _>")]
    pub anticipated_reserve_margin_frac: Option<f64>,
    /// Where `anticipated_reserve_margin_frac` and `reserve_margin_frac` come from.
    #[serde(default)]
    pub reserve_margin_source: String,
    /// Cost of new entry: overnight USD per kW of new firm capacity.
    #[serde(default, deserialize_with = "de_opt_in::<UsdPerKw, _>")]
    pub cone_usd_per_kw: Option<f64>,
    /// Where `cone_usd_per_kw` comes from (with its dollar year).
    #[serde(default)]
    pub cone_source: String,
    /// Flexibility threshold: `seasonal` (the Duke seasonal peaks, the default) or
    /// `capacity` (`firm_capacity_mw / (1 + reserve_margin_frac)`).
    #[serde(default)]
    pub threshold: RawThreshold,
    /// Price (USD/MWh).
    #[serde(default, deserialize_with = "de_opt_in::<UsdPerMwh, _>")]
    pub price_usd_per_mwh: Option<f64>,
    /// Where `price_usd_per_mwh` comes from.
    #[serde(default)]
    pub price_source: String,
    /// Whether training may be sited here (default true).
    #[serde(default = "default_true")]
    pub allow_training: bool,
    /// Training cap (MW).
    #[serde(default, deserialize_with = "de_opt_in::<Mw, _>")]
    pub max_training_mw: Option<f64>,
    /// Today's data-centre load (average MW).
    #[serde(default, deserialize_with = "de_opt_in::<Mw, _>")]
    pub existing_datacenter_mw: Option<f64>,
    /// Where `existing_datacenter_mw` comes from.
    #[serde(default)]
    pub existing_datacenter_source: String,
    /// How well it is known.
    #[serde(default)]
    pub existing_datacenter_confidence: Option<RawConfidence>,
    /// Data-centre capacity being built (MW), the weight of the `pipeline` growth rules.
    #[serde(default, deserialize_with = "de_opt_in::<Mw, _>")]
    pub datacenter_pipeline_mw: Option<f64>,
    /// Where `datacenter_pipeline_mw` comes from.
    #[serde(default)]
    pub datacenter_pipeline_source: String,
    /// Average CO2 emission rate of the region's generation (lb/MWh).
    #[serde(default, deserialize_with = "de_opt_in::<Co2LbPerMwh, _>")]
    pub co2_lb_per_mwh: Option<f64>,
    /// What the rate is (`egrid_ba_co2`, `egrid_ba_co2e`, `state_co2e`, …).
    #[serde(default)]
    pub co2_basis: String,
    /// Where the rates come from.
    #[serde(default)]
    pub co2_source: String,
    /// Marginal (non-baseload) CO2 emission rate (lb/MWh).
    #[serde(default, deserialize_with = "de_opt_in::<Co2LbPerMwh, _>")]
    pub co2_marginal_lb_per_mwh: Option<f64>,
    /// Year of the rates.
    #[serde(default, deserialize_with = "de_opt_year")]
    pub co2_year: Option<i32>,
    /// Summer peak window months; default June–August.
    #[serde(default)]
    pub summer_peak_months: Option<Vec<u8>>,
    /// Winter peak window months; default December–February.
    #[serde(default)]
    pub winter_peak_months: Option<Vec<u8>>,
}

/// How a region's flexibility threshold is set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RawThreshold {
    /// The Duke seasonal peaks of the region's history.
    #[default]
    Seasonal,
    /// Firm capacity over the reserve margin (needs `firm_capacity_mw`).
    Capacity,
}

fn ser_tz<S: serde::Serializer>(tz: &chrono_tz::Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

fn de_opt_year<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    de_year(d).map(Some)
}

/// Reserve margin used when a region gives capacity but no margin: 15 %, NERC's common
/// rule of thumb (docs/methodology.md).
fn default_reserve_margin() -> f64 {
    0.15
}

fn default_one() -> f64 {
    1.0
}

/// The figures a region's own table leaves out, from the catalogue region it stands for
/// (its data-centre load and pipeline, emission rates, price, reserve margins, cost of new
/// entry, training rules and peak windows); its load, people, time zone and growth stay
/// its own. `given` is the set of keys its table states (`None`: the text is not at hand,
/// so only empty figures are filled).
pub fn inherit_left_out(region: &mut Region, catalogue: &Region, given: Option<&HashSet<String>>) {
    let left_out = |key: &str| given.is_none_or(|keys| !keys.contains(key));
    macro_rules! optional {
        ($($field:ident),*) => {$(
            if left_out(stringify!($field)) && region.$field.is_none() {
                region.$field = catalogue.$field.clone();
            }
        )*};
    }
    optional!(
        parent,
        firm_capacity_mw,
        anticipated_reserve_margin_frac,
        cone_usd_per_kw,
        price_usd_per_mwh,
        max_training_mw,
        existing_datacenter_mw,
        datacenter_pipeline_mw,
        co2_lb_per_mwh,
        co2_marginal_lb_per_mwh,
        co2_year
    );
    // Fields with a default can only be inherited when the table's keys are known.
    if given.is_some() {
        if left_out("reserve_margin_frac") {
            region.reserve_margin_frac = catalogue.reserve_margin_frac;
        }
        if left_out("allow_training") {
            region.allow_training = catalogue.allow_training;
        }
        if left_out("summer_peak_months") {
            region.summer_peak_months = catalogue.summer_peak_months.clone();
        }
        if left_out("winter_peak_months") {
            region.winter_peak_months = catalogue.winter_peak_months.clone();
        }
    }
}

fn default_true() -> bool {
    true
}

/// Read and validate a region-set file.
///
/// # Errors
/// Any rule broken, with the file, line and key named.
pub fn read_region_set(path: &Path) -> Result<RegionSet> {
    region_set_from_text(&super::read_text(path)?, path)
}

/// Read a region-set file once: the set, the file as written (for `run.toml`) and its
/// text (for the line numbers of later checks).
///
/// # Errors
/// As [`read_region_set`].
pub fn read_region_set_file(path: &Path) -> Result<(RegionSet, RawRegionSet, String)> {
    let text = super::read_text(path)?;
    let set = region_set_from_text(&text, path)?;
    let raw: RawRegionSet = super::parse_toml(&text, path)?;
    Ok((set, raw, text))
}

/// The region set of a file's `text` ([`read_region_set`] without the read).
fn region_set_from_text(text: &str, path: &Path) -> Result<RegionSet> {
    if text.trim().is_empty() {
        bail!(
            "{}: the file is empty; expected a region set with [[region]] tables",
            path.display()
        );
    }
    let mut raw: RawRegionSet = super::parse_toml(text, path)?;
    // A file of pasted `[[region]]` tables alone is a set: named after the file.
    if raw.id.is_empty() {
        let stem = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        raw.id = super::id_from_stem(&stem);
    }
    if raw.name.is_empty() {
        raw.name.clone_from(&raw.id);
    }
    region_set_from_raw_located(raw, path, Some(text))
}

/// The scope a set states none of: the shipped catalogue's.
fn default_scope() -> String {
    "US".to_owned()
}

/// Validate a parsed region set (the pure half of [`read_region_set`]); messages name
/// keys but no lines.
///
/// # Errors
/// An empty set, duplicate ids, bad month lists, a missing load file.
pub fn region_set_from_raw(raw: RawRegionSet, path: &Path) -> Result<RegionSet> {
    region_set_from_raw_located(raw, path, None)
}

/// [`region_set_from_raw`] with the file's text, so that messages carry line numbers.
///
/// # Errors
/// An empty set, duplicate ids, bad month lists, a missing load file.
pub fn region_set_from_raw_located(
    mut raw: RawRegionSet,
    path: &Path,
    text: Option<&str>,
) -> Result<RegionSet> {
    let file = path.display();
    let locate = KeyLocator::new(path, text);
    if raw.region.is_empty() && raw.regions.is_empty() {
        bail!(
            "{file}: the region set '{}' has no regions; found 0 [[region]] tables and no `regions = [...]`, expected at least one",
            super::excerpt(&raw.id)
        );
    }
    let catalogue = named_catalogue(&raw, path, &locate)?;
    let mut seen = HashSet::new();
    let mut regions = Vec::with_capacity(raw.region.len() + raw.regions.len());
    if let Some(catalogue) = &catalogue {
        regions = catalogue_regions(&raw, catalogue, &locate, &mut seen)?;
    }
    // Own tables that stand for a catalogue region take what they leave out from it: the
    // set's catalogue, else the one beside it (or found) of the set's scope.
    let parent_catalogue = if raw.region.is_empty() || catalogue.is_some() {
        None
    } else {
        raw.catalogue
            .as_ref()
            .map(|relative| resolve_beside(path, relative))
            .or_else(super::catalogue::find_catalogue)
            .and_then(|p| super::catalogue::read_catalogue(&p).ok())
            .filter(|c| c.scope == raw.scope)
    };
    let own = std::mem::take(&mut raw.region);
    regions.extend(own_regions(
        own,
        (path, text, &locate),
        catalogue.as_ref().or(parent_catalogue.as_ref()),
        &mut seen,
    )?);
    let mut set = RegionSet {
        id: raw.id,
        name: raw.name,
        scope: raw.scope,
        scope_population: raw.scope_population,
        training_scope_share_frac: raw.training_scope_share_frac,
        scope_datacenter_mw: raw.scope_datacenter_mw,
        inference_siting: inference_siting(raw.inference_siting.as_ref(), &locate)?,
        operator_forecasts: Vec::new(),
        regions,
    };
    if let Some(catalogue) = &catalogue {
        // The scope's totals and blend are the catalogue's (the set only reports).
        let nation = catalogue.siting_set();
        set.scope_population = nation.scope_population;
        set.scope_datacenter_mw = nation.scope_datacenter_mw;
        set.inference_siting = nation.inference_siting;
        set.training_scope_share_frac = 1.0;
        let forecasts = match &raw.operator_forecasts {
            Some(relative) => Some(resolve_beside(path, relative)),
            None => catalogue.operator_forecasts.clone(),
        };
        if let Some(forecasts_path) = forecasts {
            set.operator_forecasts =
                super::forecasts::read_operator_forecasts(&forecasts_path, &set)?;
        }
        return Ok(set);
    }
    check_own_scope(&set, path, &locate)?;
    if let Some(relative) = &raw.operator_forecasts {
        let forecasts_path = resolve_beside(path, relative);
        set.operator_forecasts = super::forecasts::read_operator_forecasts(&forecasts_path, &set)?;
    }
    if set.total_inference_weight() <= 0.0 {
        bail!("{file}: every region has inference_weight 0; expected at least one positive weight");
    }
    Ok(set)
}

/// The catalogue a set naming catalogue regions (`regions = [...]`) takes them from: its
/// `catalogue = "PATH"`, else the one found; none for a set of its own tables alone.
fn named_catalogue(
    raw: &RawRegionSet,
    path: &Path,
    locate: &KeyLocator,
) -> Result<Option<Catalogue>> {
    if raw.regions.is_empty() {
        return Ok(None);
    }
    let catalogue_path = match &raw.catalogue {
        Some(relative) => resolve_beside(path, relative),
        None => super::catalogue::find_catalogue().ok_or_else(|| {
            anyhow::anyhow!(
                "{}: the set names catalogue regions, but no catalogue was found (regions/catalogue.toml under $GRIDSTRAIN_HOME, the current folder or the source tree); expected `catalogue = \"PATH\"` or [[region]] tables",
                locate.key("", "regions")
            )
        })?,
    };
    Ok(Some(super::catalogue::read_catalogue(&catalogue_path)?))
}

/// The catalogue regions the set names, in order: each a region of the catalogue (of
/// the set's scope), named once.
fn catalogue_regions(
    raw: &RawRegionSet,
    catalogue: &Catalogue,
    locate: &KeyLocator,
    seen: &mut HashSet<String>,
) -> Result<Vec<Region>> {
    if catalogue.scope != raw.scope {
        bail!(
            "{}: found scope \"{}\", but catalogue {} is of scope \"{}\"; expected the catalogue's scope",
            locate.key("", "scope"),
            super::excerpt(&raw.scope),
            catalogue.path.display(),
            catalogue.scope
        );
    }
    let mut regions = Vec::with_capacity(raw.regions.len());
    for id in &raw.regions {
        let Some(region) = catalogue.get(id) else {
            bail!(
                "{}: `{}` is not a region of catalogue {}; expected one of its ids (e.g. {}; `gridstrain regions` lists them all)",
                locate.key("", "regions"),
                super::excerpt(id),
                catalogue.path.display(),
                catalogue.example_ids()
            );
        };
        if !seen.insert(id.clone()) {
            bail!(
                "{}: `{id}` is named twice; each region may appear once",
                locate.key("", "regions")
            );
        }
        regions.push(region.clone());
    }
    Ok(regions)
}

/// The set's own `[[region]]` tables as regions, ids not `seen` before; each stands for
/// the catalogue region it names (its `replaces`, else its id — checked when the study is
/// sited on the nation) and takes from `inherit_from`'s what its table leaves out.
fn own_regions(
    tables: Vec<RawRegion>,
    (path, text, locate): (&Path, Option<&str>, &KeyLocator),
    inherit_from: Option<&Catalogue>,
    seen: &mut HashSet<String>,
) -> Result<Vec<Region>> {
    // The keys each table gives, from the text as written.
    let given_tables: Option<Vec<toml::Table>> = text.and_then(|text| {
        let table: toml::Table = toml::from_str(text).ok()?;
        let tables = table.get("region")?.as_array()?;
        Some(
            tables
                .iter()
                .map(|t| t.as_table().cloned().unwrap_or_default())
                .collect(),
        )
    });
    let mut regions = Vec::with_capacity(tables.len());
    for (index, r) in tables.into_iter().enumerate() {
        let id = r.id.clone();
        let at = |key: &str| locate.array_key("region", index, &id, key);
        if !seen.insert(r.id.clone()) {
            bail!(
                "{}: duplicate region id `{}`; each id may appear once",
                at("id"),
                r.id
            );
        }
        let mut region = region_from_raw(r, path, &at)?;
        region.replaces = Some(region.replaces.take().unwrap_or_else(|| region.id.clone()));
        if let Some(standing_for) = inherit_from.and_then(|c| c.get(region.replaces.as_deref()?)) {
            let given = given_tables
                .as_ref()
                .and_then(|tables| tables.get(index))
                .map(|t| t.keys().cloned().collect::<HashSet<String>>());
            inherit_left_out(&mut region, standing_for, given.as_ref());
        }
        regions.push(region);
    }
    Ok(regions)
}

/// A set of its own tables states its scope: the regions fit in its population (people
/// and inference weights), and when siting weighs today's data-centre load, every region
/// gives it and they fit in the scope's total.
fn check_own_scope(set: &RegionSet, path: &Path, locate: &KeyLocator) -> Result<()> {
    let file = path.display();
    if let Some(scope) = set.scope_population {
        let population: f64 = set.regions.iter().map(|r| r.population).sum();
        if population > scope * (1.0 + 1e-9) {
            bail!(
                "{}: found {scope}, but the regions serve {population} people; expected a scope population at least the regions' total",
                locate.key("", "scope_population"),
            );
        }
        if set.total_inference_weight() > scope * (1.0 + 1e-9) {
            bail!(
                "{}: the regions' inference weights sum to {}, more than the scope's {scope} people; expected weights (people served) that fit in the scope",
                locate.key("", "scope_population"),
                set.total_inference_weight(),
            );
        }
    }
    if set.inference_siting.existing_datacenter_frac > 0.0 {
        let Some(scope) = set.scope_datacenter_mw else {
            bail!(
                "{}: existing_datacenter_frac is {}, but the set gives no scope_datacenter_mw; expected the scope's data-centre load (average MW) with it",
                locate.key("inference_siting", "existing_datacenter_frac"),
                set.inference_siting.existing_datacenter_frac
            );
        };
        if let Some(region) = set
            .regions
            .iter()
            .find(|r| r.existing_datacenter_mw.is_none())
        {
            bail!(
                "{file}, region `{}`: no existing_datacenter_mw, but [inference_siting] weighs today's data-centre load; expected it for every region (0 where there is none)",
                region.id
            );
        }
        let inside: f64 = set
            .regions
            .iter()
            .filter_map(|r| r.existing_datacenter_mw)
            .sum();
        if inside > scope * (1.0 + 1e-9) {
            bail!(
                "{}: found {scope}, but the regions' existing_datacenter_mw sum to {inside}; expected a scope total at least the regions'",
                locate.key("", "scope_datacenter_mw")
            );
        }
    }
    Ok(())
}

/// One `[[region]]` table as a region: months, threshold and load file checked; `at(key)`
/// names the key in messages.
///
/// # Errors
/// Bad month lists, a capacity threshold without capacity, a missing load file, the
/// reserved ids.
pub fn region_from_raw(r: RawRegion, path: &Path, at: &dyn Fn(&str) -> String) -> Result<Region> {
    for reserved in [
        crate::model::region::UNALLOCATED,
        crate::model::region::OUTSIDE_SET,
    ] {
        if r.id == reserved {
            bail!(
                "{}: `{}` is reserved for the load outside the set; choose another id",
                at("id"),
                r.id
            );
        }
    }
    let summer = check_months(
        &at("summer_peak_months"),
        r.summer_peak_months,
        &DEFAULT_SUMMER_MONTHS,
    )?;
    let winter = check_months(
        &at("winter_peak_months"),
        r.winter_peak_months,
        &DEFAULT_WINTER_MONTHS,
    )?;
    if r.threshold == RawThreshold::Capacity && r.firm_capacity_mw.is_none() {
        bail!(
            "{}: found \"capacity\", but the region gives no firm_capacity_mw; expected \"seasonal\", or \"capacity\" with firm_capacity_mw",
            at("threshold")
        );
    }
    let load_path = resolve_beside(path, &r.load_file);
    if !load_path.exists() {
        bail!(
            "{}: the load file {} does not exist; expected a .parquet or .csv file (paths are relative to the region-set file)",
            at("load_file"),
            load_path.display()
        );
    }
    Ok(Region {
        inference_weight: r.inference_weight.unwrap_or(r.population),
        id: r.id,
        parent: r.parent,
        replaces: r.replaces,
        name: r.name,
        time_zone: r.time_zone,
        population: r.population,
        baseline_growth_per_year_frac: r.baseline_growth_per_year_frac,
        baseline_reference_year: r.baseline_reference_year,
        load_path,
        firm_capacity_mw: r.firm_capacity_mw,
        reserve_margin_frac: r.reserve_margin_frac,
        anticipated_reserve_margin_frac: r.anticipated_reserve_margin_frac,
        cone_usd_per_kw: r.cone_usd_per_kw,
        capacity_threshold: r.threshold == RawThreshold::Capacity,
        existing_datacenter_mw: r.existing_datacenter_mw,
        datacenter_pipeline_mw: r.datacenter_pipeline_mw,
        co2_lb_per_mwh: r.co2_lb_per_mwh,
        co2_marginal_lb_per_mwh: r.co2_marginal_lb_per_mwh,
        co2_year: r.co2_year,
        price_usd_per_mwh: r.price_usd_per_mwh,
        allow_training: r.allow_training,
        max_training_mw: r.max_training_mw,
        summer_peak_months: summer,
        winter_peak_months: winter,
    })
}

/// The blend of `[inference_siting]` (by population alone when absent).
pub(crate) fn inference_siting(
    raw: Option<&RawInferenceSiting>,
    locate: &KeyLocator<'_>,
) -> Result<InferenceSiting> {
    let Some(raw) = raw else {
        return Ok(InferenceSiting::default());
    };
    let sum = raw.population_frac + raw.existing_datacenter_frac;
    if (sum - 1.0).abs() > 1e-9 {
        bail!(
            "{}: population_frac {} and existing_datacenter_frac {} sum to {sum}, expected 1",
            locate.key("inference_siting", "population_frac"),
            raw.population_frac,
            raw.existing_datacenter_frac
        );
    }
    Ok(InferenceSiting {
        population_frac: raw.population_frac,
        existing_datacenter_frac: raw.existing_datacenter_frac,
    })
}

fn check_months(at: &str, months: Option<Vec<u8>>, default: &[u8]) -> Result<Vec<u8>> {
    let months = months.unwrap_or_else(|| default.to_vec());
    if months.is_empty() || months.iter().any(|m| !(1..=12).contains(m)) {
        bail!("{at}: found {months:?}, expected a non-empty list of months 1–12");
    }
    Ok(months)
}
