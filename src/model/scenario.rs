//! Scenarios: a projection of AI compute (or energy) per year for a scope, with the
//! parameters that turn it into power and place it on regions. Validated domain types;
//! [`crate::input::scenario`] builds them from TOML.
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A year's demand of one workload, as the scenario gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WorkloadDemand {
    /// Compute delivered in the year (FLOP), converted to power by [`crate::stages::power`].
    Flop(f64),
    /// Facility energy given directly (MWh), e.g. from LBNL/EPRI-style projections.
    FacilityEnergyMwh(f64),
}

/// A year's demand of both workloads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearDemand {
    /// Training (flexible, remote).
    pub training: WorkloadDemand,
    /// Inference (firm, near users).
    pub inference: WorkloadDemand,
}

/// One step of a piecewise-constant growth path: from `from_year` on, compute grows by
/// `factor_per_year` each year (dimensionless, 1.9 = +90 %/yr).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrowthStep {
    /// First year the factor applies to (the growth from `from_year − 1` to `from_year`).
    pub from_year: i32,
    /// Growth factor per year (dimensionless).
    pub factor_per_year: f64,
}

/// How the scenario states compute.
#[derive(Debug, Clone, PartialEq)]
pub enum ComputeProjection {
    /// An explicit table: FLOP per workload per year.
    Explicit(BTreeMap<i32, (f64, f64)>),
    /// Base-year FLOP per workload and a constant growth factor per workload.
    Growth {
        /// Year of the base values.
        base_year: i32,
        /// Training FLOP in the base year.
        training_flop: f64,
        /// Inference FLOP in the base year.
        inference_flop: f64,
        /// Training growth factor per year.
        training_factor_per_year: f64,
        /// Inference growth factor per year.
        inference_factor_per_year: f64,
    },
    /// Total compute on a growth path, split by an inference share that follows a logistic
    /// curve through 50 % between `crossover_year − 1` and `crossover_year`. The share is a
    /// share of accelerator-hours or of FLOP ([`ShareBasis`]).
    Crossover {
        /// Year of `total_flop` and `inference_share_base_frac`.
        base_year: i32,
        /// Total AI compute delivered in the base year (FLOP).
        total_flop: f64,
        /// Growth path of total compute.
        growth: Vec<GrowthStep>,
        /// Inference share of compute in the base year (fraction, below 0.5).
        inference_share_base_frac: f64,
        /// First year in which inference's share (on `share_basis`) exceeds one half.
        crossover_year: i32,
        /// What the share measures.
        share_basis: ShareBasis,
        /// Utilization of (training, inference), to turn an accelerator-hour share into
        /// a FLOP share.
        utilization_frac: (f64, f64),
    },
    /// Facility energy given directly: (training MWh, inference MWh) per year.
    Energy(BTreeMap<i32, (f64, f64)>),
    /// No national projection: the scenario's AI load is its regional loads alone.
    None,
}

impl ComputeProjection {
    /// The demand of `year`, or `None` when an explicit table lacks the year.
    #[must_use]
    pub fn demand(&self, year: i32) -> Option<YearDemand> {
        match self {
            Self::Explicit(table) => table.get(&year).map(|&(t, i)| YearDemand {
                training: WorkloadDemand::Flop(t),
                inference: WorkloadDemand::Flop(i),
            }),
            Self::Energy(table) => table.get(&year).map(|&(t, i)| YearDemand {
                training: WorkloadDemand::FacilityEnergyMwh(t),
                inference: WorkloadDemand::FacilityEnergyMwh(i),
            }),
            Self::None => Some(YearDemand {
                training: WorkloadDemand::FacilityEnergyMwh(0.0),
                inference: WorkloadDemand::FacilityEnergyMwh(0.0),
            }),
            Self::Growth {
                base_year,
                training_flop,
                inference_flop,
                training_factor_per_year,
                inference_factor_per_year,
            } => {
                let n = f64::from(year - base_year);
                Some(YearDemand {
                    training: WorkloadDemand::Flop(
                        training_flop * training_factor_per_year.powf(n),
                    ),
                    inference: WorkloadDemand::Flop(
                        inference_flop * inference_factor_per_year.powf(n),
                    ),
                })
            }
            Self::Crossover {
                base_year,
                total_flop,
                growth,
                inference_share_base_frac,
                crossover_year,
                share_basis,
                utilization_frac,
            } => {
                let total = total_flop * growth_multiplier(growth, *base_year, year);
                let share_on_basis = logistic_inference_share(
                    *inference_share_base_frac,
                    *base_year,
                    *crossover_year,
                    year,
                );
                let share = match share_basis {
                    ShareBasis::Flop => share_on_basis,
                    ShareBasis::AcceleratorHours => {
                        flop_share_of_accelerator_hour_share(share_on_basis, *utilization_frac)
                    }
                };
                Some(YearDemand {
                    training: WorkloadDemand::Flop(total * (1.0 - share)),
                    inference: WorkloadDemand::Flop(total * share),
                })
            }
        }
    }
}

/// What a compute share measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareBasis {
    /// Accelerator-hours: compute *spending* at a common price per accelerator-hour ("training
    /// dominates the compute bill"; OpenAI's 2024 split of about 2/7 inference).
    AcceleratorHours,
    /// FLOP delivered.
    Flop,
}

/// The FLOP share of inference when its share of accelerator-hours is `h`: a busy
/// accelerator-hour delivers FLOP in proportion to the workload's utilization, so
/// `s = h·u_I / ((1 − h)·u_T + h·u_I)` with `(u_T, u_I) = utilization_frac`.
#[must_use]
pub fn flop_share_of_accelerator_hour_share(h: f64, utilization_frac: (f64, f64)) -> f64 {
    let (training_u, inference_u) = utilization_frac;
    h * inference_u / ((1.0 - h) * training_u + h * inference_u)
}

/// Multiplier of total compute from `base_year` to `year` along a piecewise growth path
/// (the step in force for the growth into year `y` is the last with `from_year ≤ y`; before
/// the first step there is no growth). Years before the base year divide by the path.
#[must_use]
pub fn growth_multiplier(steps: &[GrowthStep], base_year: i32, year: i32) -> f64 {
    let factor_into = |y: i32| {
        steps
            .iter()
            .rev()
            .find(|s| s.from_year <= y)
            .map_or(1.0, |s| s.factor_per_year)
    };
    let mut multiplier = 1.0;
    if year >= base_year {
        for y in (base_year + 1)..=year {
            multiplier *= factor_into(y);
        }
    } else {
        for y in (year + 1)..=base_year {
            multiplier /= factor_into(y);
        }
    }
    multiplier
}

/// Inference share of compute in `year` on a logistic curve that passes through
/// `share_base` in `base_year` and through exactly 0.5 at `crossover_year − 0.5`, so that
/// the share is below one half in `crossover_year − 1` and above it in `crossover_year`.
#[must_use]
pub fn logistic_inference_share(
    share_base: f64,
    base_year: i32,
    crossover_year: i32,
    year: i32,
) -> f64 {
    let midpoint = f64::from(crossover_year) - 0.5;
    // logit(share_base) = k (base_year − midpoint)  ⇒  k
    let logit_base = (share_base / (1.0 - share_base)).ln();
    let steepness = logit_base / (f64::from(base_year) - midpoint);
    1.0 / (1.0 + (-steepness * (f64::from(year) - midpoint)).exp())
}

/// Hardware per accelerator in a year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HardwareYear {
    /// Peak dense FLOP/s of one accelerator.
    pub peak_flop_per_s: f64,
    /// IT power of one accelerator with its share of servers and network (kW).
    pub it_power_per_accelerator_kw: f64,
}

/// How hardware improves over time.
#[derive(Debug, Clone, PartialEq)]
pub enum Hardware {
    /// A base accelerator whose peak FLOP/s per watt grows by a factor per year, at constant
    /// IT power per accelerator.
    Trend {
        /// Year of the base values.
        base_year: i32,
        /// The base accelerator.
        base: HardwareYear,
        /// Growth factor of peak FLOP/s per watt per year (dimensionless).
        flop_per_watt_factor_per_year: f64,
    },
    /// An explicit table by year.
    Table(BTreeMap<i32, HardwareYear>),
}

impl Hardware {
    /// The accelerator of `year`, or `None` if a table lacks the year.
    #[must_use]
    pub fn year(&self, year: i32) -> Option<HardwareYear> {
        match self {
            Self::Trend {
                base_year,
                base,
                flop_per_watt_factor_per_year,
            } => Some(HardwareYear {
                peak_flop_per_s: base.peak_flop_per_s
                    * flop_per_watt_factor_per_year.powf(f64::from(year - base_year)),
                it_power_per_accelerator_kw: base.it_power_per_accelerator_kw,
            }),
            Self::Table(table) => table.get(&year).copied(),
        }
    }
}

/// Conversion parameters of one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Achieved FLOP/s over peak FLOP/s (model FLOP utilization), fraction.
    pub utilization_frac: f64,
    /// Average power drawn over rated IT power while serving the workload, fraction.
    pub power_frac: f64,
    /// Hourly shape file (hour-of-week factors in local time).
    pub profile_path: PathBuf,
}

/// How training load is placed on regions.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainingSiting {
    /// Fixed shares per region id (and optionally `unallocated`), summing to 1.
    Explicit(Vec<(String, f64)>),
    /// By power price, cheapest first, filling each region up to its cap.
    Cheapest,
    /// In proportion to each region's curtailment-enabled headroom that remains once the
    /// firm inference load is placed, at the scenario's headroom limit.
    Headroom,
    /// In proportion to each region's data-centre build pipeline
    /// (`datacenter_pipeline_mw`: where data centres are being built), under the caps.
    Pipeline,
}

/// How each year's growth of inference is sited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InferenceGrowth {
    /// The region set's (or catalogue's) blend of people served and today's data-centre
    /// load (`[inference_siting]`).
    PeopleAndHubs,
    /// The latency-bound share by people served, the rest by the data-centre build
    /// pipeline (`datacenter_pipeline_mw`).
    Pipeline {
        /// Share of inference growth that must sit near its users (fraction).
        latency_bound_frac: f64,
    },
}

/// The data centres that are not AI (cloud, enterprise, colocation): a national path of
/// facility energy, flat and firm in every hour, sited with the inference stock
/// (`docs/methodology.md`, "Non-AI data centres").
#[derive(Debug, Clone, PartialEq)]
pub struct NonAiDatacentres {
    /// Year of `facility_energy_twh`.
    pub base_year: i32,
    /// National non-AI facility energy in `base_year` (TWh).
    pub facility_energy_twh: f64,
    /// Its growth per year (fraction, compounded).
    pub growth_per_year_frac: f64,
    /// Where the path comes from.
    pub source: String,
}

impl NonAiDatacentres {
    /// National non-AI load in `year`, average MW (TWh over 8,760 h).
    #[must_use]
    pub fn average_mw(&self, year: i32) -> f64 {
        self.facility_energy_twh * 1e6 / 8760.0
            * (1.0 + self.growth_per_year_frac).powi(year - self.base_year)
    }
}

/// Flexibility of training load (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flexibility {
    /// Deepest curtailment in any hour, as a fraction of the training MW of that hour.
    pub max_curtail_frac: f64,
    /// Annual curtailment budget, as a fraction of the year's training energy.
    pub max_curtailed_energy_frac: f64,
    /// Hours after a curtailment within which curtailed energy is made up (0 = never).
    pub recovery_window_h: usize,
    /// Curtailment limit at which headroom is reported and training sited (fraction).
    pub headroom_limit_frac: f64,
    /// Share of the new inference load that flexes like training (batch and asynchronous
    /// requests that can wait hours); 0 = inference is firm.
    pub flexible_inference_frac: f64,
}

/// The two workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    /// Training (flexible).
    Training,
    /// Inference (firm).
    Inference,
}

/// AI load stated per region directly, as utilities and ISOs forecast it from large-load
/// requests: rated facility MW by year, of which `realisation_frac` gets built. It is new
/// load (nothing of it is in the measured baseline) and adds to what a compute projection
/// places.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionalLoad {
    /// Region id.
    pub region: String,
    /// Which workload it is (its shape, draw fraction and flexibility).
    pub workload: WorkloadKind,
    /// (year, rated facility MW), increasing years.
    pub rated_mw_by_year: Vec<(i32, f64)>,
    /// Share of the requested MW that gets built.
    pub realisation_frac: f64,
    /// Where it comes from.
    pub source: String,
}

impl RegionalLoad {
    /// Rated MW built in `year`: zero before the first listed year, linear between listed
    /// years, held after the last; times the realisation.
    #[must_use]
    pub fn built_rated_mw(&self, year: i32) -> f64 {
        let points = &self.rated_mw_by_year;
        let rated = match points.iter().position(|&(y, _)| y >= year) {
            None => points.last().map_or(0.0, |p| p.1),
            Some(0) if points[0].0 > year => 0.0,
            Some(0) => points[0].1,
            Some(i) => {
                let ((y0, mw0), (y1, mw1)) = (points[i - 1], points[i]);
                mw0 + (mw1 - mw0) * f64::from(year - y0) / f64::from(y1 - y0)
            }
        };
        rated * self.realisation_frac
    }
}

/// A firm-capacity technology the new AI load's capacity need is costed with.
#[derive(Debug, Clone, PartialEq)]
pub struct Technology {
    /// Name (e.g. `gas_ct`).
    pub name: String,
    /// Overnight capital cost (USD per kW of nameplate).
    pub usd_per_kw: f64,
    /// Share of its rating that counts as firm capacity on the need's basis (NERC's
    /// planning reserve: a thermal unit counts at its rating, 1), in (0, 1].
    pub accredited_frac: f64,
    /// Fixed operation and maintenance (USD per kW-year).
    pub fixed_om_usd_per_kw_year: f64,
    /// Where the numbers come from.
    pub source: String,
}

/// Firm capacity: the technologies and the one used for costs.
#[derive(Debug, Clone, PartialEq)]
pub struct FirmCapacity {
    /// The technologies.
    pub technologies: Vec<Technology>,
    /// Index of the one used.
    pub used: usize,
    /// Discount rate (fraction per year) the overnight cost is annualised at.
    pub discount_rate_frac: f64,
    /// Economic life (years) the overnight cost is annualised over.
    pub economic_life_years: f64,
}

impl FirmCapacity {
    /// The technology used for costs.
    #[must_use]
    pub fn technology(&self) -> &Technology {
        &self.technologies[self.used]
    }

    /// Overnight capital cost (USD) of `needed_mw` of firm capacity on the need's basis,
    /// at the region's cost of new entry `cone_usd_per_kw` (the technology's when `None`).
    #[must_use]
    pub fn cost_usd(&self, needed_mw: f64, cone_usd_per_kw: Option<f64>) -> f64 {
        let t = self.technology();
        needed_mw / t.accredited_frac * cone_usd_per_kw.unwrap_or(t.usd_per_kw) * 1000.0
    }

    /// Capital recovery factor: the share of an overnight cost paid each year over the
    /// economic life at the discount rate, `r / (1 − (1 + r)^−n)` (`1 / n` at r = 0).
    #[must_use]
    pub fn capital_recovery_factor(&self) -> f64 {
        let (r, n) = (self.discount_rate_frac, self.economic_life_years);
        if r <= 0.0 {
            1.0 / n
        } else {
            r / (1.0 - (1.0 + r).powf(-n))
        }
    }

    /// Annual cost (USD per year) of `needed_mw` of firm capacity: the overnight cost
    /// annualised, plus fixed O&M.
    #[must_use]
    pub fn annual_cost_usd(&self, needed_mw: f64, cone_usd_per_kw: Option<f64>) -> f64 {
        let t = self.technology();
        let per_kw_year = cone_usd_per_kw.unwrap_or(t.usd_per_kw) * self.capital_recovery_factor()
            + t.fixed_om_usd_per_kw_year;
        needed_mw / t.accredited_frac * per_kw_year * 1000.0
    }
}

/// Hardware capital: price per accelerator by workload and its trend, and the lifetime.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HardwareCapital {
    /// Year of the prices.
    pub base_year: i32,
    /// All-in price of a training accelerator (with its share of server and cluster
    /// network) in the base year (USD).
    pub training_usd_per_accelerator: f64,
    /// All-in price of an inference accelerator in the base year (USD).
    pub inference_usd_per_accelerator: f64,
    /// Change of the price of the year's accelerator per year (fraction, compounded).
    pub price_change_per_year_frac: f64,
    /// Years an accelerator serves before it is replaced.
    pub lifetime_years: f64,
}

impl HardwareCapital {
    /// Price (USD) of one accelerator of `workload` bought in `year`.
    #[must_use]
    pub fn usd_per_accelerator(&self, workload: WorkloadKind, year: i32) -> f64 {
        let base = match workload {
            WorkloadKind::Training => self.training_usd_per_accelerator,
            WorkloadKind::Inference => self.inference_usd_per_accelerator,
        };
        base * (1.0 + self.price_change_per_year_frac).powi(year - self.base_year)
    }
}

/// AI load already inside a region's measured baseline (average MW), when the scenario
/// states it instead of deriving it from its own siting in the reference year.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingAi {
    /// Region id.
    pub region: String,
    /// Existing training load (average MW); `None` = derived.
    pub training_mw: Option<f64>,
    /// Existing inference load (average MW); `None` = derived.
    pub inference_mw: Option<f64>,
}

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Identifier.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Scope, e.g. `US` (must match the region set's scope).
    pub scope: String,
    /// First study year.
    pub first_year: i32,
    /// Last study year (inclusive).
    pub last_year: i32,
    /// Seed of any random draw (recorded in `run.toml`).
    pub seed: u64,
    /// Compute per year.
    pub compute: ComputeProjection,
    /// Accelerators by year.
    pub hardware: Hardware,
    /// Power usage effectiveness, annual energy basis (dimensionless).
    pub pue: f64,
    /// File of how the overhead (PUE − 1) moves by season and local hour (`None`: the
    /// annual PUE in every hour).
    pub pue_profile_path: Option<PathBuf>,
    /// Training parameters.
    pub training: Workload,
    /// Inference parameters.
    pub inference: Workload,
    /// Training siting policy.
    pub training_siting: TrainingSiting,
    /// How inference growth is sited.
    pub inference_growth: InferenceGrowth,
    /// Flexibility parameters.
    pub flexibility: Flexibility,
    /// Stated existing AI load per region (overrides the derived one).
    pub existing_ai: Vec<ExistingAi>,
    /// AI load stated per region (large-load requests), on top of the projection.
    pub regional_loads: Vec<RegionalLoad>,
    /// The non-AI data centres' new load, if the scenario counts it.
    pub non_ai: Option<NonAiDatacentres>,
    /// Change of every region's emission rates per year (fraction, compounded from the
    /// rates' year); 0 = today's rates throughout.
    pub co2_rate_change_per_year_frac: f64,
    /// Firm-capacity technologies and the one used for costs.
    pub firm_capacity: FirmCapacity,
    /// Hardware capital assumptions.
    pub hardware_capital: HardwareCapital,
    /// The anchor `total_flop` was solved for (a crossover projection may state it; a
    /// sweep re-solves `total_flop` to it in every sample).
    pub calibration: Option<Calibration>,
    /// The years findings and headline speak of, as the scenario states them (empty: see
    /// [`Scenario::milestone_years`]).
    pub milestone_years: Vec<i32>,
}

impl Scenario {
    /// The years findings and headline speak of, inside `years`: the scenario's
    /// `milestone_years`; else, for a study of regional loads alone, the years its
    /// forecasts name with load above zero (a zero anchor is where a forecast starts,
    /// not a milestone); else none (the caller takes the first, the crossover and the
    /// last year of the projection).
    #[must_use]
    pub fn milestone_years(&self, years: (i32, i32)) -> Vec<i32> {
        let inside = |y: &i32| (years.0..=years.1).contains(y);
        let mut out: Vec<i32> = if !self.milestone_years.is_empty() {
            self.milestone_years
                .iter()
                .copied()
                .filter(inside)
                .collect()
        } else if matches!(self.compute, ComputeProjection::None) {
            self.regional_loads
                .iter()
                .flat_map(|l| l.rated_mw_by_year.iter())
                .filter(|(y, mw)| *mw > 0.0 && inside(y))
                .map(|(y, _)| *y)
                .collect()
        } else {
            Vec::new()
        };
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_share_crosses_half_in_the_crossover_year() {
        for crossover in [2027, 2030, 2033] {
            assert!(logistic_inference_share(0.3, 2024, crossover, crossover - 1) < 0.5);
            assert!(logistic_inference_share(0.3, 2024, crossover, crossover) > 0.5);
            let base = logistic_inference_share(0.3, 2024, crossover, 2024);
            assert!((base - 0.3).abs() < 1e-12);
        }
    }

    #[test]
    fn a_regional_load_is_zero_before_linear_between_and_held_after() {
        let load = RegionalLoad {
            region: "PJM".into(),
            workload: WorkloadKind::Inference,
            rated_mw_by_year: vec![(2026, 1000.0), (2028, 3000.0), (2030, 5000.0)],
            realisation_frac: 0.5,
            source: String::new(),
        };
        let built: Vec<f64> = (2025..=2032).map(|y| load.built_rated_mw(y)).collect();
        assert_eq!(
            built,
            vec![0.0, 500.0, 1000.0, 1500.0, 2000.0, 2500.0, 2500.0, 2500.0]
        );
    }

    #[test]
    fn accelerator_hour_share_becomes_a_smaller_flop_share() {
        // Equal accelerator-hours at 40 % and 10 % utilization: a fifth of the FLOP.
        let s = flop_share_of_accelerator_hour_share(0.5, (0.4, 0.1));
        assert!((s - 0.2).abs() < 1e-12);
        let s = flop_share_of_accelerator_hour_share(0.29, (0.4, 0.1));
        assert!((s - 0.0927).abs() < 1e-4);
    }

    #[test]
    fn growth_path_multiplies_step_by_step() {
        let steps = [
            GrowthStep {
                from_year: 2025,
                factor_per_year: 2.0,
            },
            GrowthStep {
                from_year: 2027,
                factor_per_year: 1.5,
            },
        ];
        assert!((growth_multiplier(&steps, 2024, 2024) - 1.0).abs() < 1e-12);
        assert!((growth_multiplier(&steps, 2024, 2026) - 4.0).abs() < 1e-12);
        assert!((growth_multiplier(&steps, 2024, 2028) - 9.0).abs() < 1e-12);
        assert!((growth_multiplier(&steps, 2026, 2024) - 0.25).abs() < 1e-12);
    }
}

/// The anchor a crossover projection's `total_flop` was solved for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// The anchor year.
    pub year: i32,
    /// AI IT (server) energy in that year (TWh).
    pub it_energy_twh: f64,
    /// AI IT energy in the projection's base year (TWh), when the scenario anchors the
    /// start of the path too.
    pub base_it_energy_twh: Option<f64>,
}
