//! Property tests of the invariants: energy conservation of shapes, shares that sum to
//! one, a data-centre stock that keeps what is built, limits of flexibility, monotone
//! headroom, linear compute → power, an accelerator fleet that never buys negative
//! numbers, and readers that never panic.
use std::path::{Path, PathBuf};

use gridstrain::model::profile::Profile;
use gridstrain::model::region::{Region, RegionSet};
use gridstrain::model::scenario::{
    Flexibility, HardwareCapital, HardwareYear, Workload, WorkloadKind,
};
use gridstrain::stages::flexibility::{FlexScratch, dispatch_training};
use gridstrain::stages::hardware::fleet_by_year;
use gridstrain::stages::headroom::{
    bisect_headroom_mw, margin_points, solve_headroom_mw, solve_headroom_partial_mw, sort_points,
};
use gridstrain::stages::power::flop_to_power;
use gridstrain::stages::shapes::shape_for_year;
use gridstrain::stages::siting::{
    Shares, Stock, allocate_cheapest, allocate_inference, allocate_proportional_capped,
};
use proptest::prelude::*;

const ZONES: [chrono_tz::Tz; 5] = [
    chrono_tz::America::New_York,
    chrono_tz::America::Chicago,
    chrono_tz::America::Denver,
    chrono_tz::America::Phoenix,
    chrono_tz::America::Los_Angeles,
];

fn region(id: usize, weight: f64, cap: Option<f64>, price: f64, allow: bool) -> Region {
    Region {
        population: weight.max(1.0),
        inference_weight: weight,
        price_usd_per_mwh: Some(price),
        allow_training: allow,
        max_training_mw: cap,
        ..Region::new(&format!("R{id}"), chrono_tz::UTC, weight, PathBuf::new())
    }
}

fn region_set(specs: &[(f64, Option<f64>, f64, bool)], scope_share: f64) -> RegionSet {
    let regions: Vec<Region> = specs
        .iter()
        .enumerate()
        .map(|(i, (w, c, p, a))| region(i, *w, *c, *p, *a))
        .collect();
    let population: f64 = regions.iter().map(|r| r.inference_weight).sum();
    RegionSet {
        id: "set".into(),
        name: "set".into(),
        scope: "US".into(),
        scope_population: Some(population * 1.5 + 1.0),
        training_scope_share_frac: scope_share,
        scope_datacenter_mw: None,
        inference_siting: gridstrain::model::region::InferenceSiting::default(),
        operator_forecasts: Vec::new(),
        regions,
    }
}

fn region_specs() -> impl Strategy<Value = Vec<(f64, Option<f64>, f64, bool)>> {
    prop::collection::vec(
        (
            0.0..1e7f64,
            prop::option::of(0.0..5000.0f64),
            10.0..200.0f64,
            prop::bool::weighted(0.8),
        ),
        1..8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Σ_t average_mw × shape_t × 1 h = average_mw × hours (the facility energy), and a
    /// shape is never negative.
    #[test]
    fn shapes_conserve_energy(
        factors in prop::collection::vec(0.0..10.0f64, 168),
        floor in 0.0..1.0f64,
        zone in 0..5usize,
        year in 2024..2040i32,
        average_mw in 0.0..1e5f64,
    ) {
        let mut factors = factors;
        factors[0] += 0.1; // a positive maximum
        let profile = Profile::new("p", &factors, floor).unwrap();
        let mut shape = Vec::new();
        shape_for_year(&profile, ZONES[zone], year, &mut shape);
        prop_assert!(shape.iter().all(|v| *v >= 0.0));
        let placed: f64 = shape.iter().map(|s| average_mw * s).sum();
        let facility = average_mw * shape.len() as f64;
        prop_assert!((placed - facility).abs() <= 1e-9 * facility.max(1.0));
    }

    /// Shares of every policy lie in [0, 1] and sum to one with the unallocated rest;
    /// caps and forbidden regions are respected.
    #[test]
    fn siting_shares_sum_to_one(specs in region_specs(), training_mw in 0.0..2e4f64, scope_share in 0.0..=1.0f64, weights in prop::collection::vec(0.0..1e4f64, 8)) {
        let set = region_set(&specs, scope_share);
        let inference = allocate_inference(&set);
        prop_assert!((inference.total() - 1.0).abs() < 1e-9);
        let weights = &weights[..set.regions.len()];
        let built = vec![0.0; set.regions.len()];
        for shares in [allocate_cheapest(&set, training_mw, &built), allocate_proportional_capped(&set, weights, training_mw, &built)] {
            prop_assert!((shares.total() - 1.0).abs() < 1e-9, "sum {}", shares.total());
            prop_assert!(shares.unallocated_frac >= -1e-12 && shares.unallocated_frac <= 1.0 + 1e-12);
            for (share, region) in shares.region_frac.iter().zip(&set.regions) {
                prop_assert!(*share >= 0.0 && *share <= 1.0 + 1e-12);
                if !region.allow_training { prop_assert_eq!(*share, 0.0); }
                if let (Some(cap), true) = (region.max_training_mw, training_mw > 0.0) {
                    prop_assert!(share * training_mw <= cap * (1.0 + 1e-9) + 1e-9);
                }
            }
        }
    }

    /// Compute → power: zero gives zero, linear in FLOP and in PUE.
    #[test]
    fn power_is_linear_in_compute_and_pue(flop in 0.0..1e30f64, pue in 1.0..2.0f64, year in 2024..2036i32) {
        let hardware = HardwareYear { peak_flop_per_s: 1e15, it_power_per_accelerator_kw: 1.4 };
        let workload = Workload { utilization_frac: 0.4, power_frac: 0.8, profile_path: PathBuf::new() };
        let one = flop_to_power(flop, hardware, &workload, pue, year);
        let two = flop_to_power(2.0 * flop, hardware, &workload, pue, year);
        let pue_one = flop_to_power(flop, hardware, &workload, 1.0, year);
        prop_assert!((two.facility_mwh - 2.0 * one.facility_mwh).abs() <= 1e-9 * one.facility_mwh.max(1.0));
        prop_assert!((one.facility_mwh - pue * pue_one.facility_mwh).abs() <= 1e-9 * one.facility_mwh.max(1.0));
        prop_assert_eq!(flop_to_power(0.0, hardware, &workload, pue, year).facility_mwh, 0.0);
        let hours = gridstrain::time::hours_in_year(year) as f64;
        prop_assert!((one.average_mw * hours - one.facility_mwh).abs() <= 1e-9 * one.facility_mwh.max(1.0));
    }

    /// Flexibility never curtails deeper than the depth nor more than the budget; with a
    /// recovery window the year's training energy is unchanged; the residual is zero
    /// whenever the training load within its limits could cover the exceedance.
    #[test]
    fn flexibility_respects_its_limits(
        baseline in prop::collection::vec(500.0..1000.0f64, 48..300),
        training_mw in 0.0..300.0f64,
        depth in 0.0..=1.0f64,
        budget in 0.0..0.2f64,
        window in 0..12usize,
        threshold_mw in 800.0..1200.0f64,
    ) {
        let hours = baseline.len();
        let inference = vec![50.0; hours];
        let training = vec![training_mw; hours];
        let threshold = vec![threshold_mw; hours];
        let flexibility = Flexibility { max_curtail_frac: depth, max_curtailed_energy_frac: budget, recovery_window_h: window, headroom_limit_frac: 0.005, flexible_inference_frac: 0.0 };
        let mut after = vec![0.0; hours];
        let outcome = dispatch_training(&baseline, &inference, &training, &threshold, &flexibility, &mut FlexScratch::default(), &mut after);
        let training_mwh = training_mw * hours as f64;
        prop_assert!(outcome.curtailed_mwh <= budget * training_mwh + 1e-6);
        for t in 0..hours {
            prop_assert!(training[t] - after[t] <= depth * training[t] + 1e-9, "hour {}", t);
            prop_assert!(after[t] <= training[t] * (1.0 + depth) + 1e-9);
        }
        if window > 0 {
            let after_mwh: f64 = after.iter().sum();
            prop_assert!((after_mwh - training_mwh).abs() <= 1e-6 * training_mwh.max(1.0));
        } else {
            let coverable = (0..hours).all(|t| baseline[t] + inference[t] + training[t] - threshold[t] <= depth * training[t]);
            let needed: f64 = (0..hours).map(|t| (baseline[t] + inference[t] + training[t] - threshold[t]).max(0.0)).sum();
            if coverable && needed <= budget * training_mwh {
                prop_assert!(outcome.residual_above_threshold_mw <= 1e-6, "residual {}", outcome.residual_above_threshold_mw);
            }
        }
    }

    /// Headroom grows with the limit; the exact solution agrees with bisection to 1 MW;
    /// the partial solver equals the full sort.
    #[test]
    fn headroom_is_exact_and_monotone(
        demand in prop::collection::vec(0.0..1000.0f64, 100..2000),
        threshold_mw in 1000.0..1500.0f64,
    ) {
        let threshold = vec![threshold_mw; demand.len()];
        let mut points = Vec::new();
        margin_points(&[(&demand, &threshold, None)], &mut points);
        let mut sorted = points.clone();
        sort_points(&mut sorted);
        let limits = [0.0025, 0.005, 0.01, 0.05];
        let headroom = solve_headroom_mw(&sorted, &limits);
        for pair in headroom.windows(2) {
            prop_assert!(pair[1] >= pair[0]);
        }
        for (limit, exact) in limits.iter().zip(&headroom) {
            if exact.is_finite() {
                let bisected = bisect_headroom_mw(&sorted, *limit, 1e7);
                prop_assert!((exact - bisected).abs() < 1.0, "{} vs {}", exact, bisected);
                let mut scratch = points.clone();
                let partial = solve_headroom_partial_mw(&mut scratch, *limit);
                prop_assert!((exact - partial).abs() <= 1e-9 * exact.max(1.0));
            }
        }
    }

    /// The readers return errors, never panic, on arbitrary text.
    #[test]
    fn readers_never_panic(text in ".{0,400}") {
        let _ = gridstrain::input::text_rows::tidy_rows(&text, "fuzz.csv");
        let _ = gridstrain::input::parse_toml::<gridstrain::input::scenario::RawScenario>(&text, Path::new("fuzz.toml"));
        let _ = gridstrain::input::parse_toml::<gridstrain::input::region_set::RawRegionSet>(&text, Path::new("fuzz.toml"));
        let _ = gridstrain::input::text_rows::local_rows(&text, "fuzz.csv", chrono_tz::America::New_York);
        let _ = gridstrain::input::text_rows::eia930_rows(&text, "fuzz.csv", None, gridstrain::input::text_rows::EiaDemand::Reported);
    }

    /// A data-centre stock follows its scope total exactly; while the total grows no
    /// region's MW falls, and when it falls every region falls in the same proportion.
    #[test]
    fn a_stock_follows_its_total_and_keeps_what_is_built(
        totals in prop::collection::vec(0.0..1e5f64, 1..12),
        splits in prop::collection::vec(prop::collection::vec(0.0..1.0f64, 4), 12),
    ) {
        let mut stock = Stock::empty(4);
        for (year, total) in totals.iter().enumerate() {
            let weights = &splits[year];
            let sum: f64 = weights.iter().sum::<f64>() + 1.0;
            let shares = Shares::with_rest_unallocated(weights.iter().map(|w| w / sum).collect());
            let (next, added) = stock.advance(*total, |_| shares.clone());
            prop_assert!((next.total_mw() - total).abs() <= 1e-9 * total.max(1.0));
            prop_assert!(added.region_mw.iter().all(|mw| *mw >= 0.0));
            let before = stock.total_mw();
            for (b, n) in stock.region_mw.iter().zip(&next.region_mw) {
                if *total >= before {
                    prop_assert!(*n >= b - 1e-9);
                } else if before > 0.0 {
                    prop_assert!((n - b * total / before).abs() <= 1e-9 * b.max(1.0));
                }
            }
            stock = next;
        }
    }

    /// The accelerator fleet never buys a negative number of accelerators, and a steady
    /// demand on steady hardware replaces one vintage a year.
    #[test]
    fn a_fleet_buys_what_it_lacks(
        hours in prop::collection::vec(0.0..1e10f64, 1..12),
        lifetime in 1.0..8.0f64,
        gain in 1.0..1.6f64,
    ) {
        let capital = HardwareCapital {
            base_year: 2024,
            training_usd_per_accelerator: 50_000.0,
            inference_usd_per_accelerator: 30_000.0,
            price_change_per_year_frac: 0.0,
            lifetime_years: lifetime,
        };
        let demand: Vec<(i32, f64, f64, f64)> = hours
            .iter()
            .enumerate()
            .map(|(i, h)| (2024 + i as i32, *h, 8760.0, gain.powi(i as i32)))
            .collect();
        for year in fleet_by_year(&demand, WorkloadKind::Training, &capital) {
            prop_assert!(year.purchased >= 0.0 && year.capital_usd >= 0.0 && year.installed >= 0.0);
        }
        let steady: Vec<(i32, f64, f64, f64)> =
            (0..10).map(|i| (2024 + i, 8760.0 * 100.0, 8760.0, 1.0)).collect();
        let lifetime_years = lifetime.round().max(1.0);
        for year in fleet_by_year(&steady, WorkloadKind::Inference, &capital) {
            prop_assert!((year.purchased - 100.0 / lifetime_years).abs() < 1e-9);
        }
    }
}

// ---- a series that validates cannot make the simulation panic or write NaN ----

/// The kinds of series the generator writes: the shapes that broke the simulation or
/// sit at the edges of the series rules.
#[derive(Debug, Clone, Copy)]
enum SeriesKind {
    /// The same value every hour.
    Constant,
    /// Zeros with a few spikes.
    Spikes,
    /// Uniform over the whole accepted range, 0 to 1,000,000 MW.
    Uniform,
    /// Tiny values (5e-324 …) with a few hours at 1 MW or more.
    Tiny,
    /// The largest accepted value with zero hours.
    Huge,
    /// Zero and a level in alternating blocks.
    Square,
    /// A level, but 0 in every hour of 2023 (the rules refuse it; it made `run` panic).
    ZeroYear,
}

/// A small deterministic generator (xorshift), so a case is its seed, not 17,000 values.
struct Xorshift(u64);

impl Xorshift {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `len` values of `kind`; `year_2023` is the index range of 2023's hours.
fn series_values(
    kind: SeriesKind,
    len: usize,
    level: f64,
    seed: u64,
    year_2023: std::ops::Range<usize>,
) -> Vec<f64> {
    let mut random = Xorshift(seed | 1);
    (0..len)
        .map(|i| {
            let u = random.unit();
            match kind {
                SeriesKind::Constant => level,
                SeriesKind::Spikes => {
                    if u < 0.002 {
                        level
                    } else {
                        0.0
                    }
                }
                SeriesKind::Uniform => u * gridstrain::input::series::MAX_DEMAND_MW,
                SeriesKind::Tiny => {
                    if u < 0.001 {
                        1.0 + level.min(10.0)
                    } else {
                        5e-324 * (1.0 + (u * 1000.0).floor())
                    }
                }
                SeriesKind::Huge => {
                    if u < 0.01 {
                        0.0
                    } else {
                        gridstrain::input::series::MAX_DEMAND_MW
                    }
                }
                SeriesKind::ZeroYear => {
                    if year_2023.contains(&i) {
                        0.0
                    } else {
                        level
                    }
                }
                SeriesKind::Square => {
                    if (i / 500) % 2 == 0 {
                        0.0
                    } else {
                        level
                    }
                }
            }
        })
        .collect()
}

/// Every number of every output table is finite (an empty cell is fine).
fn assert_finite<T: gridstrain::results::TableRow>(rows: &[T], table: &str) {
    use gridstrain::results::ColumnValues;
    for column in T::columns(rows) {
        let bad = match &column.values {
            ColumnValues::F64(values) => values.iter().find(|v| !v.is_finite()).copied(),
            ColumnValues::OptF64(values) => {
                values.iter().flatten().find(|v| !v.is_finite()).copied()
            }
            _ => None,
        };
        assert!(bad.is_none(), "{table}.{}: {bad:?}", column.name);
    }
}

/// The small fixture's study with PGE's load replaced by `values` from `first_epoch_hour`.
fn study_with_pge_series(
    dir: &Path,
    first_epoch_hour: i64,
    values: &[f64],
) -> anyhow::Result<gridstrain::input::study::LoadedStudy> {
    use std::fmt::Write as _;
    let load = dir.join("pge.csv");
    let mut text = String::from("timestamp_utc,demand_mw\n");
    for (i, v) in values.iter().enumerate() {
        let stamp = gridstrain::time::epoch_hour_to_datetime(first_epoch_hour + i as i64);
        // `{v:e}` keeps every bit of the value (5e-324 included).
        let _ = writeln!(text, "{},{v:e}", stamp.format("%Y-%m-%dT%H:%M:%SZ"));
    }
    std::fs::write(&load, text)?;
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
    let regions_text = std::fs::read_to_string(fixture.join("regions/pnw.toml"))?
        .replace(
            "load_file = \"load/PGE.parquet\"",
            &format!("load_file = {:?}", load.display().to_string()),
        )
        .replace(
            "load_file = \"load/PACW.parquet\"",
            &format!(
                "load_file = {:?}",
                fixture
                    .join("regions/load/PACW.parquet")
                    .display()
                    .to_string()
            ),
        )
        .replace(
            "operator_forecasts = \"forecasts.csv\"",
            &format!(
                "operator_forecasts = {:?}",
                fixture.join("regions/forecasts.csv").display().to_string()
            ),
        );
    let regions = dir.join("pnw.toml");
    std::fs::write(&regions, regions_text)?;
    gridstrain::input::study::load_study(&gridstrain::input::study::StudyFiles {
        scenario: fixture.join("scenarios/small.toml"),
        regions,
        catalogue_ids: Vec::new(),
        years: Some((2030, 2030)),
        weather_years: vec![2023, 2024],
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// A load series that passes the series rules (any length of at least one full year,
    /// zeros, constants, spikes, tiny and huge values within bounds) never makes `run`'s
    /// or `sweep`'s simulation panic, and every number they produce is finite. Series
    /// the rules refuse are refused with a message, never a panic.
    #[test]
    fn a_series_that_validates_simulates_to_finite_numbers(
        kind in prop::sample::select(vec![
            SeriesKind::Constant,
            SeriesKind::Spikes,
            SeriesKind::Uniform,
            SeriesKind::Tiny,
            SeriesKind::Huge,
            SeriesKind::Square,
            SeriesKind::ZeroYear,
        ]),
        level in prop_oneof![Just(1.0), 1.0..1e6f64, Just(1e6)],
        seed in any::<u64>(),
        early_h in 0i64..2_000,
        late_h in 0usize..2_000,
    ) {
        let first = gridstrain::time::year_start_epoch_hour(2023) - early_h;
        let len = usize::try_from(gridstrain::time::year_start_epoch_hour(2025) - first)
            .expect("positive") + late_h;
        let early = usize::try_from(early_h).expect("positive");
        let values = series_values(kind, len, level, seed, early..early + 8760);
        let dir = crate::common::Dir::new("a_series_that_validates_simulates_to_finite_numbers");
        let loaded = match study_with_pge_series(dir.path(), first, &values) {
            Ok(loaded) => loaded,
            Err(e) => {
                // Refused by the rules (a year of zeros or below 1 MW): a message, no panic.
                let message = format!("{e:#}");
                prop_assert!(message.contains("weather year"), "{message}");
                return Ok(());
            }
        };
        let study = &loaded.study;
        let result = gridstrain::simulation::simulate(
            study,
            &gridstrain::simulation::SimOptions::default(),
            &gridstrain::simulation::Observer::default(),
        )
        .expect("a validated study simulates");
        assert_finite(&result.metrics, "metrics");
        assert_finite(&result.set_metrics, "set_metrics");
        assert_finite(&result.power, "power");
        assert_finite(&result.siting, "siting");
        assert_finite(&result.reality_check, "reality_check");
        assert_finite(&result.summary(), "summary");
        let spec = gridstrain::simulation::sweep::SweepSpec {
            engine: gridstrain::simulation::sweep::Engine::Pruned,
            samples: 3,
            seed,
            all_weather_years: true,
            shard: None,
        };
        let swept = gridstrain::simulation::sweep::sweep(study, &spec, &|| {}, None)
            .expect("a validated study sweeps");
        assert_finite(&swept.bands, "bands");
    }
}
