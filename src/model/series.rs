//! An hourly series on the UTC hour axis: the validated form of a region's load (no
//! I/O; [`crate::input::load_file`] reads it, [`crate::input::series`] checks it).
use crate::time::{epoch_hour_to_datetime, hours_in_year, year_start_epoch_hour};

/// A contiguous hourly series, UTC, hour-beginning.
#[derive(Debug, Clone, PartialEq)]
pub struct HourlyLoad {
    /// Epoch hour of the first value.
    pub first_epoch_hour: i64,
    /// Demand in each hour (MW, which is also MWh for the hour).
    pub demand_mw: Vec<f64>,
}

impl HourlyLoad {
    /// Epoch hour after the last value.
    #[must_use]
    pub fn end_epoch_hour(&self) -> i64 {
        self.first_epoch_hour + self.demand_mw.len() as i64
    }

    /// The hours of UTC calendar year `year` that the series holds (may be shorter than
    /// the year at the series' ends), or `None` if it holds none.
    #[must_use]
    pub fn year_slice(&self, year: i32) -> Option<&[f64]> {
        let start = year_start_epoch_hour(year).max(self.first_epoch_hour);
        let end = year_start_epoch_hour(year + 1).min(self.end_epoch_hour());
        (end > start).then(|| {
            let from = usize::try_from(start - self.first_epoch_hour).expect("start ≥ first");
            let to = usize::try_from(end - self.first_epoch_hour).expect("end ≥ first");
            &self.demand_mw[from..to]
        })
    }

    /// Years in which the series holds at least all but one day of hours (a weather year
    /// needs the whole year; the shipped data lack only the last hour of 2024).
    #[must_use]
    pub fn weather_years(&self) -> Vec<i32> {
        let first = epoch_hour_to_datetime(self.first_epoch_hour)
            .format("%Y")
            .to_string();
        let last = epoch_hour_to_datetime(self.end_epoch_hour() - 1)
            .format("%Y")
            .to_string();
        let (Ok(first), Ok(last)) = (first.parse::<i32>(), last.parse::<i32>()) else {
            return Vec::new();
        };
        (first..=last)
            .filter(|y| {
                self.year_slice(*y)
                    .is_some_and(|s| s.len() + 24 > hours_in_year(*y))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_slice_is_clipped_to_the_data() {
        let first = year_start_epoch_hour(2024);
        let load = HourlyLoad {
            first_epoch_hour: first,
            demand_mw: vec![1.0; 8783],
        };
        assert_eq!(load.year_slice(2024).unwrap().len(), 8783);
        assert!(load.year_slice(2025).is_none());
        assert_eq!(load.weather_years(), vec![2024]);
    }
}
