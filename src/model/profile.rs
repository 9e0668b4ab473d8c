//! An hour-of-week load shape in local time (a validated domain type; the input layer
//! reads it from `profiles/*.toml`, [`crate::stages::shapes`] lays it onto a year).
use crate::time::HOURS_PER_WEEK;

/// An hour-of-week shape in local time, floored at its idle fraction.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Identifier.
    pub name: String,
    /// 168 factors relative to the highest (1.0), each at least the idle floor.
    pub factors_frac: Vec<f64>,
}

impl Profile {
    /// Build a profile from raw factors: divide by the largest, then floor at
    /// `idle_floor_frac`.
    ///
    /// # Errors
    /// When the factors are not 168 finite non-negative values with a positive maximum.
    pub fn new(name: &str, factors: &[f64], idle_floor_frac: f64) -> Result<Self, String> {
        if factors.len() != HOURS_PER_WEEK {
            return Err(format!(
                "found {} factors, expected {HOURS_PER_WEEK}",
                factors.len()
            ));
        }
        if factors.iter().any(|f| !f.is_finite() || *f < 0.0) {
            return Err("factors must be finite and ≥ 0".to_owned());
        }
        let max = factors.iter().copied().fold(0.0, f64::max);
        if max <= 0.0 {
            return Err("all factors are 0; a shape needs at least one positive value".to_owned());
        }
        let factors_frac = factors
            .iter()
            .map(|f| (f / max).max(idle_floor_frac))
            .collect();
        Ok(Self {
            name: name.to_owned(),
            factors_frac,
        })
    }

    /// A flat profile (all factors 1).
    #[must_use]
    pub fn flat(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            factors_frac: vec![1.0; HOURS_PER_WEEK],
        }
    }

    /// Whether every factor is equal (the UTC shape is then 1 in every hour).
    #[must_use]
    pub fn is_flat(&self) -> bool {
        self.factors_frac
            .iter()
            .all(|f| (*f - self.factors_frac[0]).abs() < 1e-15)
    }

    /// Peak over mean of the 168 factors: the week's ratio (a calendar year's differs by a
    /// fraction of a percent, see [`crate::stages::shapes::shape_for_year`]).
    #[must_use]
    pub fn peak_to_mean_ratio(&self) -> f64 {
        let mean = self.factors_frac.iter().sum::<f64>() / self.factors_frac.len() as f64;
        self.factors_frac.iter().copied().fold(0.0, f64::max) / mean
    }

    /// The local hour of day (0–23) of the highest factor (the first if several tie).
    #[must_use]
    pub fn peak_local_hour(&self) -> usize {
        let mut best = 0;
        for (i, f) in self.factors_frac.iter().enumerate() {
            if *f > self.factors_frac[best] {
                best = i;
            }
        }
        best % 24
    }
}

/// How the facility's overhead (cooling, power conversion: PUE − 1) moves with the season
/// and the hour of day in local time, relative to its annual mean: hot afternoons in
/// summer need more chiller and fan power than winter nights with free cooling.
#[derive(Debug, Clone, PartialEq)]
pub struct PueProfile {
    /// Identifier.
    pub name: String,
    /// Overhead of each month (January first) relative to the year's mean, normalised so
    /// that their mean weighted by days per month is 1.
    pub month_factors: [f64; 12],
    /// Overhead of each local hour of day (00:00 first) relative to the day's mean,
    /// normalised to a mean of 1.
    pub hour_factors: [f64; 24],
}

impl PueProfile {
    /// Build from raw factors (each normalised as the fields say).
    ///
    /// # Errors
    /// When a list has the wrong length or a value is not finite and ≥ 0, or all are 0.
    pub fn new(name: &str, month_factors: &[f64], hour_factors: &[f64]) -> Result<Self, String> {
        const DAYS: [f64; 12] = [
            31.0, 28.0, 31.0, 30.0, 31.0, 30.0, 31.0, 31.0, 30.0, 31.0, 30.0, 31.0,
        ];
        let checked = |values: &[f64], n: usize, what: &str| -> Result<(), String> {
            if values.len() != n {
                return Err(format!(
                    "found {} {what} factors, expected {n}",
                    values.len()
                ));
            }
            if values.iter().any(|v| !v.is_finite() || *v < 0.0) {
                return Err(format!("{what} factors must be finite and ≥ 0"));
            }
            if values.iter().all(|v| *v == 0.0) {
                return Err(format!("all {what} factors are 0"));
            }
            Ok(())
        };
        checked(month_factors, 12, "month")?;
        checked(hour_factors, 24, "hour")?;
        let month_mean: f64 = month_factors
            .iter()
            .zip(DAYS)
            .map(|(f, d)| f * d)
            .sum::<f64>()
            / 365.0;
        let hour_mean = hour_factors.iter().sum::<f64>() / 24.0;
        let mut months = [0.0; 12];
        for (m, f) in months.iter_mut().zip(month_factors) {
            *m = f / month_mean;
        }
        let mut hours = [0.0; 24];
        for (h, f) in hours.iter_mut().zip(hour_factors) {
            *h = f / hour_mean;
        }
        Ok(Self {
            name: name.to_owned(),
            month_factors: months,
            hour_factors: hours,
        })
    }

    /// Facility power over its annual-PUE value in local `month` (1–12) and `hour` (0–23):
    /// `(1 + (pue − 1) × m × h) / pue`, whose mean over a year is 1 (up to the calendar),
    /// so the year's energy stays the annual PUE's.
    #[must_use]
    pub fn facility_factor(&self, pue: f64, month: u32, hour: u32) -> f64 {
        let overhead = self.month_factors[month as usize - 1] * self.hour_factors[hour as usize];
        (1.0 + (pue - 1.0) * overhead) / pue
    }
}

#[cfg(test)]
mod pue_tests {
    use super::PueProfile;

    #[test]
    fn factors_are_normalised_and_a_hot_afternoon_draws_more() {
        let months = [
            0.85, 0.87, 0.92, 1.0, 1.08, 1.14, 1.15, 1.14, 1.08, 1.0, 0.92, 0.87,
        ];
        let hours: Vec<f64> = (0..24)
            .map(|h| 1.0 + 0.1 * ((f64::from(h) - 15.0) * std::f64::consts::TAU / 24.0).cos())
            .collect();
        let p = PueProfile::new("t", &months, &hours).unwrap();
        let days = [
            31.0, 28.0, 31.0, 30.0, 31.0, 30.0, 31.0, 31.0, 30.0, 31.0, 30.0, 31.0,
        ];
        // The mean facility factor over a calendar year of days is 1.
        let mut sum = 0.0;
        for (m, d) in days.iter().enumerate() {
            for h in 0..24 {
                sum += d * p.facility_factor(1.14, m as u32 + 1, h);
            }
        }
        assert!((sum / (365.0 * 24.0) - 1.0).abs() < 1e-12);
        assert!(p.facility_factor(1.14, 7, 15) > 1.02);
        assert!(p.facility_factor(1.14, 1, 3) < 0.98);
        // A PUE of 1 has no overhead to move.
        assert_eq!(p.facility_factor(1.0, 7, 15), 1.0);
        assert!(PueProfile::new("t", &months[..11], &hours).is_err());
    }
}
