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
