//! The allowed range of every number the model takes, in one place: a [`Range`] (both
//! ends and the unit) per named quantity ([`Domain`]), and the one check
//! [`Range::check`], whose message is always
//! `found 1e308, expected a number from 0 to 1000000 (MW)`. The input readers check every
//! value of a file against these ranges (`input::ranges` holds the serde validators and
//! the ranges by key name), and a sweep truncates its draws to them
//! ([`crate::model::uncertainty::Parameter::domain`]), so a sample never leaves what a
//! file may state.
//!
//! The ranges are wide enough for any plausible study and narrow enough that no
//! computation on them can overflow to infinity or divide by a vanishing number: nobody
//! plans 1e308 MW, and a power fraction of 5e-324 only turns a rating into infinity. Each
//! range and its reason is listed in `docs/methodology.md` ("Input ranges"); keep the two
//! in step.

/// An allowed range of a number, both ends included, with its unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// Unit, as written in messages (`MW`, `TWh`, `fraction`).
    pub unit: &'static str,
}

impl Range {
    /// `value` when it is finite and inside the range.
    ///
    /// # Errors
    /// `found V, expected a number from MIN to MAX (UNIT)`.
    pub fn check(&self, value: f64) -> Result<f64, String> {
        if value.is_finite() && value >= self.min && value <= self.max {
            Ok(value)
        } else {
            Err(format!("found {}, {}", show(value), self.expected()))
        }
    }

    /// `expected a number from MIN to MAX (UNIT)`.
    #[must_use]
    pub fn expected(&self) -> String {
        format!(
            "expected a number from {} to {} ({})",
            show(self.min),
            show(self.max),
            self.unit
        )
    }

    /// Whether `value` lies inside the range.
    #[must_use]
    pub fn contains(&self, value: f64) -> bool {
        self.check(value).is_ok()
    }
}

/// A number as a person would write it: plain for everyday magnitudes, in exponent form
/// for huge and tiny ones (`1e308`, not 309 digits; `5e-324`, not 323 zeros).
#[must_use]
pub fn show(value: f64) -> String {
    let magnitude = value.abs();
    if value == 0.0 || !value.is_finite() || (1e-4..1e7).contains(&magnitude) {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

/// A named range, so that serde's `deserialize_with` can name it:
/// `#[serde(deserialize_with = "de_in::<Mw, _>")]`.
pub trait Domain {
    /// The range.
    const RANGE: Range;
}

macro_rules! ranges {
    ($($(#[$doc:meta])* $name:ident = ($min:expr, $max:expr, $unit:expr);)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy)]
            pub struct $name;
            impl Domain for $name {
                const RANGE: Range = Range { min: $min, max: $max, unit: $unit };
            }
        )*
        /// Every named range, for the docs table test: (name, range).
        pub const ALL: &[(&str, Range)] = &[$((stringify!($name), $name::RANGE)),*];
    };
}

ranges! {
    /// A calendar year of a study or of its data: 2000–2100.
    Year = (2000.0, 2100.0, "year");
    /// Power of one region or of the whole scope (MW): up to 1 TW.
    Mw = (0.0, 1e6, "MW");
    /// Power something is divided by (MW): at least 1 MW, up to 1 TW.
    MwDivisor = (1.0, 1e6, "MW");
    /// Energy of a year (TWh): the world uses about 30,000 TWh of electricity.
    Twh = (0.0, 1e5, "TWh");
    /// An energy anchor something is divided by (TWh).
    TwhDivisor = (1e-3, 1e5, "TWh");
    /// Compute of a year (FLOP): 2024's AI compute is about 7e28 FLOP.
    Flop = (0.0, 1e36, "FLOP");
    /// Compute of a year that other values are shares of (FLOP).
    FlopTotal = (1e15, 1e36, "FLOP");
    /// Peak dense throughput of one accelerator (FLOP/s): an H100 gives about 1e15.
    FlopPerS = (1e9, 1e18, "FLOP/s");
    /// IT power of one accelerator (kW): an H100 server draws about 1.4 kW per GPU.
    AcceleratorKw = (0.01, 100.0, "kW");
    /// A growth factor per year: from −90 %/yr (0.1) to ×10 a year.
    GrowthFactor = (0.1, 10.0, "factor per year");
    /// A change per year as a fraction (baseline growth, emission rate, prices).
    ChangePerYear = (-0.5, 0.5, "fraction per year");
    /// Power usage effectiveness.
    Pue = (1.0, 3.0, "PUE");
    /// A fraction from 0 to 1.
    Fraction = (0.0, 1.0, "fraction");
    /// A reserve margin (resources over peak, less 1): NERC areas range from about 0.1 to
    /// 0.5; a short area is below 0.
    ReserveMargin = (-0.5, 2.0, "fraction");
    /// A fraction something is divided by (utilization, power, accreditation).
    FractionDivisor = (0.05, 1.0, "fraction");
    /// Capital cost of power capacity (USD/kW).
    UsdPerKw = (0.0, 1e5, "USD/kW");
    /// Price of one accelerator, all in (USD).
    UsdPerAccelerator = (0.0, 1e7, "USD");
    /// Price of electricity (USD/MWh).
    UsdPerMwh = (0.0, 1e4, "USD/MWh");
    /// Service life of hardware (years).
    LifetimeYears = (0.5, 50.0, "years");
    /// CO2 emission rate (lb/MWh): coal plants emit about 2,200.
    Co2LbPerMwh = (0.0, 5000.0, "lb/MWh");
    /// People served by a region or living in the scope (at least 1).
    Population = (1.0, 1e10, "people");
    /// An inference siting weight (people served; 0 allowed).
    PeopleWeight = (0.0, 1e10, "people");
    /// A profile's hour-of-week factor (relative; divided by the largest).
    ProfileFactor = (0.0, 1e6, "relative factor");
    /// A recovery window (hours): up to a year.
    RecoveryHours = (0.0, 8760.0, "hours");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_has_one_form_and_short_numbers() {
        assert_eq!(
            Mw::RANGE.check(1e308).unwrap_err(),
            "found 1e308, expected a number from 0 to 1000000 (MW)"
        );
        assert_eq!(
            FractionDivisor::RANGE.check(5e-324).unwrap_err(),
            "found 5e-324, expected a number from 0.05 to 1 (fraction)"
        );
        assert!(Mw::RANGE.check(f64::NAN).unwrap_err().contains("found NaN"));
        assert!(Mw::RANGE.check(f64::INFINITY).is_err());
        assert_eq!(Mw::RANGE.check(1e6), Ok(1e6));
        assert_eq!(Mw::RANGE.check(0.0), Ok(0.0));
    }

    #[test]
    fn numbers_are_shown_short() {
        assert_eq!(show(1e308), "1e308");
        assert_eq!(show(5e-324), "5e-324");
        assert_eq!(show(1e36), "1e36");
        assert_eq!(show(-0.5), "-0.5");
        assert_eq!(show(1_000_000.0), "1000000");
        assert_eq!(show(0.0), "0");
    }

    proptest::proptest! {
        /// A value passes exactly when it is finite and inside both ends.
        #[test]
        fn check_accepts_exactly_the_range(x in proptest::num::f64::ANY) {
            let range = Mw::RANGE;
            let inside = x.is_finite() && x >= range.min && x <= range.max;
            proptest::prop_assert_eq!(range.check(x).is_ok(), inside);
        }

    }

    #[test]
    fn every_range_is_ordered_and_finite() {
        for (name, range) in ALL {
            assert!(range.min.is_finite() && range.max.is_finite(), "{name}");
            assert!(range.min < range.max, "{name}");
        }
    }
}
