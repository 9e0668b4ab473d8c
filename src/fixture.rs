//! A small study built in memory, for unit tests (as MUSE2's `src/fixture.rs`): no file
//! is read. Two Pacific Northwest regions with a synthetic hourly load for the weather
//! years 2023–2024 (a daily and a seasonal swing), the `tests/fixtures/small` scenario's
//! numbers (2030–2031, crossover compute, headroom siting, 25 % flexibility), a flat
//! training and an evening-peaking inference profile, and three uncertain inputs. The
//! file-based fixture (`tests/fixtures/small`) stays for the integration and golden tests.
use std::path::PathBuf;

use crate::model::distribution::Distribution;
use crate::model::profile::Profile;
use crate::model::region::{Region, RegionSet};
use crate::model::scenario::{
    Calibration, ComputeProjection, ExistingAi, FirmCapacity, Flexibility, GrowthStep, Hardware,
    HardwareCapital, HardwareYear, InferenceGrowth, RegionalLoad, Scenario, ShareBasis, Technology,
    TrainingSiting, Workload, WorkloadKind,
};
use crate::model::series::HourlyLoad;
use crate::model::study::{Profiles, Study};
use crate::model::uncertainty::{Parameter, Uncertain};
use crate::time::{HOURS_PER_WEEK, hours_in_year, year_start_epoch_hour};

/// The weather years the fixture's loads hold.
pub const WEATHER_YEARS: [i32; 2] = [2023, 2024];

/// The study: [`scenario`] over [`region_set`] with [`loads`] and [`profiles`], 2030–2031,
/// both weather years, and [`uncertainty`].
#[must_use]
pub fn study() -> Study {
    let mut study = Study::new(
        scenario(),
        region_set(),
        loads(),
        profiles(),
        (2030, 2031),
        WEATHER_YEARS.to_vec(),
    )
    .expect("the fixture is a valid study");
    study.uncertainty = uncertainty();
    study
}

/// Two regions: a small one without a capacity figure and a larger one with a training
/// cap, a firm capacity and an emission rate.
#[must_use]
pub fn region_set() -> RegionSet {
    let pacific = chrono_tz::America::Los_Angeles;
    let mut pge = Region::new("PGE", pacific, 1_800_000.0, PathBuf::from("in-memory/PGE"));
    pge.name = "Portland General Electric".to_owned();
    pge.baseline_growth_per_year_frac = 0.01;
    pge.price_usd_per_mwh = Some(75.2);
    let mut pacw = Region::new(
        "PACW",
        pacific,
        1_524_000.0,
        PathBuf::from("in-memory/PACW"),
    );
    pacw.name = "PacifiCorp West".to_owned();
    pacw.baseline_growth_per_year_frac = 0.02;
    pacw.price_usd_per_mwh = Some(75.2);
    pacw.max_training_mw = Some(50.0);
    pacw.firm_capacity_mw = Some(5_300.0);
    pacw.capacity_threshold = true;
    pacw.co2_lb_per_mwh = Some(364.963);
    pacw.co2_year = Some(2023);
    RegionSet {
        id: "pnw".to_owned(),
        name: "Two Pacific Northwest balancing authorities".to_owned(),
        scope: "PNW".to_owned(),
        scope_population: Some(340_110_988.0),
        training_scope_share_frac: 0.01,
        regions: vec![pge, pacw],
        ..RegionSet::default()
    }
}

/// Each region's hourly load over the weather years: a mean of 2,200 MW (PGE) and
/// 2,600 MW (PACW), ±12 % over the day (highest at 18:00 local), ±15 % over the year
/// (highest in late January).
#[must_use]
pub fn loads() -> Vec<HourlyLoad> {
    let first = year_start_epoch_hour(WEATHER_YEARS[0]);
    let hours: usize = WEATHER_YEARS.iter().map(|&y| hours_in_year(y)).sum();
    [2_200.0, 2_600.0]
        .into_iter()
        .map(|mean_mw: f64| {
            let demand_mw = (0..hours)
                .map(|h| {
                    let hour_of_day = (h + 24 - 8) % 24; // UTC−8
                    let day = h as f64 / 24.0;
                    let daily = (std::f64::consts::TAU * (hour_of_day as f64 - 12.0) / 24.0).sin();
                    let yearly = (std::f64::consts::TAU * (day - 25.0) / 365.25).cos();
                    mean_mw * (1.0 + 0.12 * daily + 0.15 * yearly)
                })
                .collect();
            HourlyLoad {
                first_epoch_hour: first,
                demand_mw,
            }
        })
        .collect()
}

/// A flat training profile and an inference profile that peaks at 20:00 local time.
#[must_use]
pub fn profiles() -> Profiles {
    let flat = vec![1.0; HOURS_PER_WEEK];
    let evening: Vec<f64> = (0..HOURS_PER_WEEK)
        .map(|h| 1.0 + 0.5 * (std::f64::consts::TAU * ((h % 24) as f64 - 14.0) / 24.0).sin())
        .collect();
    Profiles {
        training: Profile::new("training-flat", &flat, 0.0).expect("a flat profile"),
        inference: Profile::new("inference-evening", &evening, 0.0).expect("a shaped profile"),
        pue: None,
    }
}

/// The `tests/fixtures/small` scenario's numbers, built in memory.
#[must_use]
pub fn scenario() -> Scenario {
    Scenario {
        name: "small".to_owned(),
        description: "in-memory fixture".to_owned(),
        scope: "PNW".to_owned(),
        first_year: 2030,
        last_year: 2031,
        seed: 1,
        compute: ComputeProjection::Crossover {
            base_year: 2024,
            total_flop: 2.7379e28,
            growth: vec![
                GrowthStep {
                    from_year: 2025,
                    factor_per_year: 2.2,
                },
                GrowthStep {
                    from_year: 2029,
                    factor_per_year: 1.6,
                },
                GrowthStep {
                    from_year: 2031,
                    factor_per_year: 1.4,
                },
            ],
            inference_share_base_frac: 0.29,
            crossover_year: 2030,
            share_basis: ShareBasis::AcceleratorHours,
            utilization_frac: (0.40, 0.10),
        },
        hardware: Hardware::Trend {
            base_year: 2024,
            base: HardwareYear {
                peak_flop_per_s: 9.894e14,
                it_power_per_accelerator_kw: 1.453,
            },
            flop_per_watt_factor_per_year: 1.4,
        },
        pue: 1.14,
        pue_profile_path: None,
        training: Workload {
            utilization_frac: 0.40,
            power_frac: 0.8,
            profile_path: PathBuf::from("in-memory/training-flat"),
        },
        inference: Workload {
            utilization_frac: 0.10,
            power_frac: 0.6,
            profile_path: PathBuf::from("in-memory/inference-evening"),
        },
        training_siting: TrainingSiting::Headroom,
        inference_growth: InferenceGrowth::PeopleAndHubs,
        flexibility: Flexibility {
            max_curtail_frac: 0.25,
            max_curtailed_energy_frac: 0.005,
            recovery_window_h: 6,
            headroom_limit_frac: 0.005,
            flexible_inference_frac: 0.0,
        },
        existing_ai: vec![
            ExistingAi {
                region: "PGE".to_owned(),
                training_mw: Some(20.0),
                inference_mw: Some(10.0),
            },
            ExistingAi {
                region: "PACW".to_owned(),
                training_mw: Some(5.0),
                inference_mw: Some(5.0),
            },
        ],
        regional_loads: vec![RegionalLoad {
            region: "PACW".to_owned(),
            workload: WorkloadKind::Training,
            rated_mw_by_year: vec![(2030, 100.0), (2031, 200.0)],
            realisation_frac: 0.5,
            source: "in-memory fixture".to_owned(),
        }],
        non_ai: None,
        co2_rate_change_per_year_frac: -0.02,
        firm_capacity: FirmCapacity {
            technologies: vec![Technology {
                name: "gas_ct".to_owned(),
                usd_per_kw: 836.0,
                accredited_frac: 0.6,
                fixed_om_usd_per_kw_year: 0.0,
                source: "in-memory fixture".to_owned(),
            }],
            used: 0,
            discount_rate_frac: 0.08,
            economic_life_years: 20.0,
        },
        hardware_capital: HardwareCapital {
            base_year: 2024,
            training_usd_per_accelerator: 55_000.0,
            inference_usd_per_accelerator: 33_000.0,
            price_change_per_year_frac: -0.05,
            lifetime_years: 5.0,
        },
        calibration: None::<Calibration>,
        milestone_years: Vec::new(),
    }
}

/// Three uncertain inputs: PUE (triangular), the curtailed-energy budget (discrete) and
/// the inference shape's amplitude (uniform, truncated by the rating).
#[must_use]
pub fn uncertainty() -> Vec<Uncertain> {
    let uncertain = |parameter, distribution| Uncertain {
        parameter,
        distribution,
        source: "in-memory fixture".to_owned(),
    };
    vec![
        uncertain(
            Parameter::Pue,
            Distribution::Triangular {
                low: 1.10,
                mode: 1.14,
                high: 1.30,
            },
        ),
        uncertain(
            Parameter::MaxCurtailedEnergyFrac,
            Distribution::Discrete {
                values: vec![0.0025, 0.005, 0.05],
                cumulative: vec![0.25, 0.75, 1.0],
            },
        ),
        uncertain(
            Parameter::InferenceShapeAmplitude,
            Distribution::Uniform {
                low: 0.3,
                high: 1.6,
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_is_a_study_with_two_full_weather_years() {
        let study = study();
        assert_eq!(study.loads.len(), 2);
        for load in &study.loads {
            assert_eq!(load.weather_years(), WEATHER_YEARS.to_vec());
            assert!(load.demand_mw.iter().all(|mw| *mw > 1_000.0));
        }
    }
}
