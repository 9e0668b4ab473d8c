//! Compute → power (SPEC §2). Pure and exact:
//!
//! ```text
//! accelerator_hours = flop / (peak_flop_per_s(y) × utilization × 3600)
//! it_energy_mwh     = accelerator_hours × it_power_per_accelerator_kw(y) × power_frac / 1000
//! facility_mwh      = it_energy_mwh × pue
//! average_mw        = facility_mwh / hours_in_year(y)
//! ```
use crate::model::scenario::{HardwareYear, Scenario, Workload, WorkloadDemand};
use crate::time::{SECONDS_PER_HOUR, hours_in_year};

/// One workload's power in one year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkloadPower {
    /// Compute delivered (FLOP); `None` when the scenario gave energy directly.
    pub flop: Option<f64>,
    /// Accelerator-hours; `None` when the scenario gave energy directly.
    pub accelerator_hours: Option<f64>,
    /// IT energy (MWh); `None` when the scenario gave energy directly.
    pub it_energy_mwh: Option<f64>,
    /// Facility energy (MWh).
    pub facility_mwh: f64,
    /// Average facility power over the year's hours (MW).
    pub average_mw: f64,
}

/// Both workloads of a year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearPower {
    /// Year.
    pub year: i32,
    /// Training.
    pub training: WorkloadPower,
    /// Inference.
    pub inference: WorkloadPower,
}

/// Convert one workload's FLOP to power.
///
/// ```
/// use gridstrain::stages::power::flop_to_power;
/// use gridstrain::model::scenario::{HardwareYear, Workload};
/// // 1e26 FLOP on H100s (989.4 TFLOP/s, 1.453 kW IT each) at 40 % utilization:
/// // 7.02e7 accelerator-hours, about 116 GWh at PUE 1.14 (reference sheet §3).
/// let h100 = HardwareYear { peak_flop_per_s: 989.4e12, it_power_per_accelerator_kw: 1.453 };
/// let training = Workload { utilization_frac: 0.4, power_frac: 1.0, profile_path: Default::default() };
/// let power = flop_to_power(1e26, h100, &training, 1.14, 2025);
/// assert!((power.facility_mwh / 116_000.0 - 1.0).abs() < 0.005);
/// assert!((power.average_mw - power.facility_mwh / 8760.0).abs() < 1e-9);
/// ```
#[must_use]
pub fn flop_to_power(
    flop: f64,
    hardware: HardwareYear,
    workload: &Workload,
    pue: f64,
    year: i32,
) -> WorkloadPower {
    let accelerator_hours =
        flop / (hardware.peak_flop_per_s * workload.utilization_frac * SECONDS_PER_HOUR);
    let it_energy_mwh =
        accelerator_hours * hardware.it_power_per_accelerator_kw * workload.power_frac / 1000.0;
    let facility_mwh = it_energy_mwh * pue;
    WorkloadPower {
        flop: Some(flop),
        accelerator_hours: Some(accelerator_hours),
        it_energy_mwh: Some(it_energy_mwh),
        facility_mwh,
        average_mw: facility_mwh / hours_in_year(year) as f64,
    }
}

fn workload_power(
    demand: WorkloadDemand,
    scenario: &Scenario,
    workload: &Workload,
    year: i32,
) -> WorkloadPower {
    match demand {
        WorkloadDemand::Flop(flop) => {
            let hardware = scenario
                .hardware
                .year(year)
                .expect("hardware validated for every study year");
            flop_to_power(flop, hardware, workload, scenario.pue, year)
        }
        WorkloadDemand::FacilityEnergyMwh(facility_mwh) => WorkloadPower {
            flop: None,
            accelerator_hours: None,
            it_energy_mwh: None,
            facility_mwh,
            average_mw: facility_mwh / hours_in_year(year) as f64,
        },
    }
}

/// Power of both workloads in `year`.
///
/// # Panics
/// If the scenario lacks the year (validation guarantees every study year).
#[must_use]
pub fn year_power(scenario: &Scenario, year: i32) -> YearPower {
    let demand = scenario
        .compute
        .demand(year)
        .expect("compute validated for every study year");
    YearPower {
        year,
        training: workload_power(demand.training, scenario, &scenario.training, year),
        inference: workload_power(demand.inference, scenario, &scenario.inference, year),
    }
}

/// AI IT (server) energy of `year` (TWh) on the scenario's compute and hardware: what a
/// scenario's `[compute.crossover.calibration]` states, and what a sweep re-solves
/// `total_flop` to.
#[must_use]
pub fn it_energy_twh(scenario: &Scenario, year: i32) -> f64 {
    let power = year_power(scenario, year);
    (power.training.it_energy_mwh.unwrap_or(0.0) + power.inference.it_energy_mwh.unwrap_or(0.0))
        / 1e6
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// On the in-memory fixture: the facility uses its IT energy times the PUE, and the
    /// average MW spreads the facility energy over the year's hours.
    #[test]
    fn the_fixture_s_facility_energy_is_it_energy_times_pue() {
        let scenario = crate::fixture::scenario();
        for year in [2030, 2031] {
            let power = year_power(&scenario, year);
            for workload in [power.training, power.inference] {
                let it_mwh = workload.it_energy_mwh.expect("crossover compute");
                assert!(it_mwh > 0.0);
                let relative = (workload.facility_mwh - it_mwh * scenario.pue).abs() / it_mwh;
                assert!(relative < 1e-12, "{year}: {relative}");
                let hours = crate::time::hours_in_year(year) as f64;
                let average = workload.facility_mwh / hours;
                assert!(
                    (workload.average_mw - average).abs() < 1e-9 * average,
                    "{year}"
                );
            }
            let total =
                power.training.it_energy_mwh.unwrap() + power.inference.it_energy_mwh.unwrap();
            assert!((it_energy_twh(&scenario, year) - total / 1e6).abs() < 1e-12);
        }
    }
    /// An accelerator of `peak_flop_per_s` drawing `kw`, at 40 % utilization and
    /// `power_frac` of its rating.
    fn accelerator(peak_flop_per_s: f64, kw: f64, power_frac: f64) -> (HardwareYear, Workload) {
        (
            HardwareYear {
                peak_flop_per_s,
                it_power_per_accelerator_kw: kw,
            },
            Workload {
                utilization_frac: 0.4,
                power_frac,
                profile_path: PathBuf::new(),
            },
        )
    }

    /// numbers.md §3 worked example: 1e26 FLOP on H100 BF16 at MFU 0.40 is 7.02e7
    /// GPU-hours, 102 GWh of IT energy at 1,453 W, 116 GWh at PUE 1.14.
    #[test]
    fn worked_example_from_the_reference_sheet() {
        let (hardware, workload) = accelerator(989.4e12, 1.453, 1.0);
        let power = flop_to_power(1e26, hardware, &workload, 1.14, 2025);
        assert!((power.accelerator_hours.unwrap() / 7.02e7 - 1.0).abs() < 0.001);
        assert!((power.it_energy_mwh.unwrap() / 102_000.0 - 1.0).abs() < 0.005);
        assert!((power.facility_mwh / 116_000.0 - 1.0).abs() < 0.005);
        assert!((power.average_mw * 8760.0 - power.facility_mwh).abs() < 1e-6);
    }

    #[test]
    fn zero_compute_gives_zero_power() {
        let (hardware, workload) = accelerator(1e15, 1.0, 0.9);
        assert_eq!(
            flop_to_power(0.0, hardware, &workload, 1.2, 2030).facility_mwh,
            0.0
        );
    }
}
