//! Regions and region sets: the validated domain types the computing core reads. They know
//! nothing about files; [`crate::input::region_set`] builds them.
use std::path::PathBuf;

/// Name of the share the siting cannot place: outside the region set, or for a set sited
/// on the nation, outside the national catalogue (beyond the lower 48).
pub const UNALLOCATED: &str = "unallocated";

/// Name of what the national siting places in catalogue regions a study does not report.
pub const OUTSIDE_SET: &str = "outside_set";

/// Months (1–12) of a season's peak window.
pub type MonthSet = Vec<u8>;

/// One grid region: a balancing authority, or a zone inside an ISO.
#[derive(Debug, Clone)]
pub struct Region {
    /// Identifier, e.g. the EIA code `PJM` or the zone `PJM-DOM`.
    pub id: String,
    /// The ISO a zone lies in (`None` for a balancing authority).
    pub parent: Option<String>,
    /// The catalogue region whose place in the national siting this region takes (a
    /// user's own figures for it, e.g. an imported load); `None` for the catalogue's own.
    pub replaces: Option<String>,
    /// Human-readable name.
    pub name: String,
    /// IANA time zone in which the region's people live (inference profiles are local).
    pub time_zone: chrono_tz::Tz,
    /// People served (persons).
    pub population: f64,
    /// Weight of the region when the scope's inference load is split (default: population).
    pub inference_weight: f64,
    /// Growth of the non-AI baseline load per year, as a fraction (0.01 = +1 %/yr).
    pub baseline_growth_per_year_frac: f64,
    /// The year whose mean load every weather year is scaled to before growth is applied;
    /// `None` = the last full year of the region's load data.
    pub baseline_reference_year: Option<i32>,
    /// Path of the hourly load file (Parquet or tidy CSV).
    pub load_path: PathBuf,
    /// Firm capacity (MW), when known: reserve margins and the capacity shortfall are
    /// then reported.
    pub firm_capacity_mw: Option<f64>,
    /// Planning reserve margin target, as a fraction: the reference margin level the
    /// region's design peak must be covered by (firm capacity needed, reserve margins).
    pub reserve_margin_frac: f64,
    /// Anticipated reserve margin of the region's NERC assessment area (fraction), when
    /// known: the region's resources are its baseline peak × (1 + this), kept as the
    /// baseline grows. Without it, `firm_capacity_mw` (when given) is the resources, else
    /// the region is taken to hold exactly its reference margin.
    pub anticipated_reserve_margin_frac: Option<f64>,
    /// Cost of new entry (overnight USD/kW of new firm capacity), when the region gives
    /// one; otherwise the scenario's firm-capacity technology's.
    pub cone_usd_per_kw: Option<f64>,
    /// Whether the flexibility threshold is `firm_capacity_mw / (1 + reserve_margin_frac)`
    /// (asked for with `threshold = "capacity"`) instead of the seasonal peaks.
    pub capacity_threshold: bool,
    /// Electricity price (USD/MWh), used by the `cheapest` training siting policy.
    pub price_usd_per_mwh: Option<f64>,
    /// Whether training load may be sited here.
    pub allow_training: bool,
    /// Largest training load (MW) the region accepts; `None` = no cap.
    pub max_training_mw: Option<f64>,
    /// Today's data-centre load (average MW), when known: the hub weight of inference
    /// siting and the starting stock.
    pub existing_datacenter_mw: Option<f64>,
    /// Data-centre capacity being built here (MW under construction or in advanced
    /// planning to about 2030, discounted by a realisation factor), when known: the
    /// weight of the `pipeline` growth rules.
    pub datacenter_pipeline_mw: Option<f64>,
    /// Average CO2 (or CO2e) emission rate of the region's generation (lb/MWh), when known.
    pub co2_lb_per_mwh: Option<f64>,
    /// Marginal (non-baseload) CO2 emission rate (lb/MWh), when known.
    pub co2_marginal_lb_per_mwh: Option<f64>,
    /// Year the rates are for (the base of `co2_rate_change_per_year_frac`).
    pub co2_year: Option<i32>,
    /// Months whose highest hour sets the summer threshold (SPEC §7).
    pub summer_peak_months: MonthSet,
    /// Months whose highest hour sets the winter threshold (SPEC §7).
    pub winter_peak_months: MonthSet,
}

impl Region {
    /// A region with the given id, time zone, population (also its inference weight) and
    /// load file, and defaults for the rest: no baseline growth, the reference year from
    /// the data, no capacity, a 15 % reserve margin, no price, training allowed without a
    /// cap, and the Duke seasonal windows.
    #[must_use]
    pub fn new(id: &str, time_zone: chrono_tz::Tz, population: f64, load_path: PathBuf) -> Self {
        Self {
            id: id.to_owned(),
            parent: None,
            replaces: None,
            name: id.to_owned(),
            time_zone,
            population,
            inference_weight: population,
            baseline_growth_per_year_frac: 0.0,
            baseline_reference_year: None,
            load_path,
            firm_capacity_mw: None,
            reserve_margin_frac: 0.15,
            anticipated_reserve_margin_frac: None,
            cone_usd_per_kw: None,
            capacity_threshold: false,
            existing_datacenter_mw: None,
            datacenter_pipeline_mw: None,
            co2_lb_per_mwh: None,
            co2_marginal_lb_per_mwh: None,
            co2_year: None,
            price_usd_per_mwh: None,
            allow_training: true,
            max_training_mw: None,
            summer_peak_months: vec![6, 7, 8],
            winter_peak_months: vec![12, 1, 2],
        }
    }
}

/// A named set of regions within a scope (e.g. the 22 largest US balancing authorities).
#[derive(Debug, Clone, Default)]
pub struct RegionSet {
    /// Identifier, e.g. `us-22`.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// The scope the set belongs to (e.g. `US`); must match the scenario's scope.
    pub scope: String,
    /// People in the whole scope: the population part of inference shares is
    /// `inference_weight / scope_population`, and what falls outside the set is
    /// `unallocated`. `None` for a set used only with regional loads.
    pub scope_population: Option<f64>,
    /// Data-centre load of the whole scope (average MW): the hub part of inference shares
    /// is `existing_datacenter_mw / scope_datacenter_mw`.
    pub scope_datacenter_mw: Option<f64>,
    /// How new inference is sited: a blend of population and today's data-centre load.
    pub inference_siting: InferenceSiting,
    /// The grid operators' published data-centre / large-load figures for the set's
    /// regions (for the reality check of every run).
    pub operator_forecasts: Vec<OperatorForecast>,
    /// Share of the scope's training load that the `cheapest` and `headroom` policies
    /// may place in this set (fraction); the rest is `unallocated`. A set holding a
    /// region's whole scope uses 1.
    pub training_scope_share_frac: f64,
    /// The regions, in file order.
    pub regions: Vec<Region>,
}

/// The blend by which new inference is sited: `population_frac` of it by people served,
/// `existing_datacenter_frac` by today's data-centre load (hubs); the two sum to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InferenceSiting {
    /// Weight of population served.
    pub population_frac: f64,
    /// Weight of today's data-centre load.
    pub existing_datacenter_frac: f64,
}

impl Default for InferenceSiting {
    /// By population alone.
    fn default() -> Self {
        Self {
            population_frac: 1.0,
            existing_datacenter_frac: 0.0,
        }
    }
}

/// One published figure of a grid operator (or utility) about data-centre or large load.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorForecast {
    /// Region id.
    pub region: String,
    /// Year the figure is for.
    pub year: i32,
    /// The figure (MW).
    pub mw: f64,
    /// `coincident` (at the system peak) or `non_coincident` (nameplate, contract, sum).
    pub basis: String,
    /// `requested`, `contracted` or `adjusted_forecast`.
    pub status: String,
    /// The operator's own realisation factor, where it states one.
    pub realisation_frac: Option<f64>,
    /// Where it comes from.
    pub source: String,
    /// When it was published.
    pub vintage: String,
}

impl RegionSet {
    /// Sum of the regions' inference weights.
    #[must_use]
    pub fn total_inference_weight(&self) -> f64 {
        self.regions.iter().map(|r| r.inference_weight).sum()
    }
}
