//! The accelerator fleet behind a workload's compute and what it costs: a vintage model.
//! Each year the fleet must deliver `accelerator_hours / hours_in_year` accelerators of
//! that year's kind, i.e. a compute capacity (FLOP/s) of that count × the year's peak
//! FLOP/s. Accelerators bought in year `v` serve `lifetime` years (`v … v + lifetime − 1`);
//! what the surviving vintages cannot cover is bought new, at the year's price. The fleet of
//! the first year is taken to have been bought evenly over the `lifetime` years before it
//! (a steady state), so its first-year purchases are one vintage. A fleet larger than a
//! falling demand stands idle (it is not moved to the other workload).
use crate::model::scenario::{HardwareCapital, WorkloadKind};

/// One workload's fleet in one year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FleetYear {
    /// Accelerators of the year's kind the compute needs.
    pub installed: f64,
    /// Accelerators bought in the year.
    pub purchased: f64,
    /// What they cost (USD).
    pub capital_usd: f64,
}

/// The fleet over consecutive years: `demand[i] = (year, accelerator_hours, hours in the
/// year, peak FLOP/s of the year's accelerator)`.
#[must_use]
pub fn fleet_by_year(
    demand: &[(i32, f64, f64, f64)],
    kind: WorkloadKind,
    capital: &HardwareCapital,
) -> Vec<FleetYear> {
    let lifetime = (capital.lifetime_years.round() as usize).max(1);
    // Capacity (FLOP/s) bought in each year, with `lifetime − 1` steady-state vintages
    // before the first year.
    let mut bought_capacity: Vec<f64> = Vec::with_capacity(demand.len() + lifetime);
    let mut out = Vec::with_capacity(demand.len());
    for (i, &(year, accelerator_hours, hours, peak_flop_per_s)) in demand.iter().enumerate() {
        let installed = accelerator_hours / hours;
        let required = installed * peak_flop_per_s;
        let new_capacity = if i == 0 {
            let vintage = required / lifetime as f64;
            bought_capacity.extend(std::iter::repeat_n(vintage, lifetime - 1));
            vintage
        } else {
            let surviving: f64 = bought_capacity.iter().rev().take(lifetime - 1).sum();
            (required - surviving).max(0.0)
        };
        bought_capacity.push(new_capacity);
        let purchased = new_capacity / peak_flop_per_s;
        out.push(FleetYear {
            installed,
            purchased,
            capital_usd: purchased * capital.usd_per_accelerator(kind, year),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capital(lifetime_years: f64) -> HardwareCapital {
        HardwareCapital {
            base_year: 2024,
            training_usd_per_accelerator: 10.0,
            inference_usd_per_accelerator: 5.0,
            price_change_per_year_frac: 0.0,
            lifetime_years,
        }
    }

    #[test]
    fn a_steady_fleet_replaces_one_vintage_a_year() {
        let demand: Vec<(i32, f64, f64, f64)> = (2024..2034)
            .map(|y| (y, 100.0 * 8760.0, 8760.0, 1.0))
            .collect();
        let fleet = fleet_by_year(&demand, WorkloadKind::Training, &capital(5.0));
        for year in &fleet {
            assert!((year.installed - 100.0).abs() < 1e-9);
            assert!((year.purchased - 20.0).abs() < 1e-9, "{year:?}");
            assert!((year.capital_usd - 200.0).abs() < 1e-9);
        }
    }

    #[test]
    fn better_accelerators_mean_fewer_purchases_and_a_falling_demand_buys_nothing() {
        // The same compute on accelerators twice as fast a year later: half as many.
        let demand = [
            (2024, 100.0 * 8760.0, 8760.0, 1.0),
            (2025, 50.0 * 8760.0, 8760.0, 2.0),
            (2026, 10.0 * 8760.0, 8760.0, 2.0),
        ];
        let fleet = fleet_by_year(&demand, WorkloadKind::Inference, &capital(2.0));
        // 2024: half of the 100 bought (steady state over 2 years).
        assert!((fleet[0].purchased - 50.0).abs() < 1e-9);
        // 2025: need 100 FLOP/s; the 2024 vintage (50) survives: buy 50 / 2 = 25 units.
        assert!((fleet[1].purchased - 25.0).abs() < 1e-9, "{:?}", fleet[1]);
        // 2026: need 20; the 2025 vintage (50) survives: nothing to buy.
        assert_eq!(fleet[2].purchased, 0.0);
    }
}
