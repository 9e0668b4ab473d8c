//! The allowed range of every number an input file holds, in one place, and the one
//! validator that checks them: [`Range::check`] (and its serde forms [`de_in`] and
//! [`de_opt_in`]), whose message is always
//! `found 1e308, expected a number from 0 to 1000000 (MW)`.
//!
//! The ranges are wide enough for any plausible study and narrow enough that no
//! computation on them can overflow to infinity or divide by a vanishing number: nobody
//! plans 1e308 MW, and a power fraction of 5e-324 only turns a rating into infinity. Each
//! range and its reason is listed in `docs/methodology.md` ("Input ranges"); keep the two
//! in step.
use serde::{Deserialize, Deserializer};

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

/// A number inside `R`'s range (serde validator).
///
/// # Errors
/// As [`Range::check`], with the line of the value added by the TOML reader.
pub fn de_in<'de, R: Domain, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = f64::deserialize(deserializer)?;
    R::RANGE.check(value).map_err(serde::de::Error::custom)
}

/// An optional number inside `R`'s range (serde validator; use with `default`).
///
/// # Errors
/// As [`Range::check`].
pub fn de_opt_in<'de, R: Domain, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    de_in::<R, D>(deserializer).map(Some)
}

/// A whole number of hours inside `R`'s range (serde validator).
///
/// # Errors
/// As [`Range::check`].
pub fn de_whole_in<'de, R: Domain, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let value = i64::deserialize(deserializer)?;
    // i64 → f64 is exact for every value a range can allow.
    #[allow(clippy::cast_precision_loss)]
    R::RANGE
        .check(value as f64)
        .map_err(serde::de::Error::custom)?;
    u32::try_from(value).map_err(|_| serde::de::Error::custom(R::RANGE.expected()))
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

/// The range of every numeric key of the TOML inputs (scenario, region set, profile), by
/// key name: a name means the same quantity in every file. [`scan`] uses it to list every
/// value out of range at once, where serde stops at the first.
pub const KEY_RANGES: &[(&str, Range)] = &[
    // Years.
    ("first_year", Year::RANGE),
    ("last_year", Year::RANGE),
    ("base_year", Year::RANGE),
    ("crossover_year", Year::RANGE),
    ("from_year", Year::RANGE),
    ("year", Year::RANGE),
    ("baseline_reference_year", Year::RANGE),
    ("co2_year", Year::RANGE),
    // Scenario: compute, hardware, facility, workloads.
    ("training_flop", Flop::RANGE),
    ("inference_flop", Flop::RANGE),
    ("total_flop", FlopTotal::RANGE),
    ("training_twh", Twh::RANGE),
    ("inference_twh", Twh::RANGE),
    ("it_energy_twh", TwhDivisor::RANGE),
    ("base_it_energy_twh", TwhDivisor::RANGE),
    ("training_factor_per_year", GrowthFactor::RANGE),
    ("inference_factor_per_year", GrowthFactor::RANGE),
    ("factor_per_year", GrowthFactor::RANGE),
    ("flop_per_watt_factor_per_year", GrowthFactor::RANGE),
    ("inference_share_base_frac", Fraction::RANGE),
    ("peak_flop_per_s", FlopPerS::RANGE),
    ("it_power_per_accelerator_kw", AcceleratorKw::RANGE),
    ("pue", Pue::RANGE),
    ("utilization_frac", FractionDivisor::RANGE),
    ("power_frac", FractionDivisor::RANGE),
    ("max_curtail_frac", Fraction::RANGE),
    ("max_curtailed_energy_frac", Fraction::RANGE),
    ("headroom_limit_frac", Fraction::RANGE),
    ("flexible_inference_frac", Fraction::RANGE),
    ("recovery_window_h", RecoveryHours::RANGE),
    ("training_mw", Mw::RANGE),
    ("inference_mw", Mw::RANGE),
    ("rated_mw_by_year", Mw::RANGE),
    ("peak_mw_by_year", Mw::RANGE),
    ("realisation_frac", Fraction::RANGE),
    ("training_shares", Fraction::RANGE),
    ("co2_rate_change_per_year_frac", ChangePerYear::RANGE),
    ("usd_per_kw", UsdPerKw::RANGE),
    ("accredited_frac", FractionDivisor::RANGE),
    ("fixed_om_usd_per_kw_year", UsdPerKw::RANGE),
    ("discount_rate_frac", Fraction::RANGE),
    ("economic_life_years", LifetimeYears::RANGE),
    ("training_usd_per_accelerator", UsdPerAccelerator::RANGE),
    ("inference_usd_per_accelerator", UsdPerAccelerator::RANGE),
    ("price_change_per_year_frac", ChangePerYear::RANGE),
    ("lifetime_years", LifetimeYears::RANGE),
    ("facility_energy_twh", Twh::RANGE),
    ("growth_per_year_frac", ChangePerYear::RANGE),
    // Region set.
    ("scope_population", Population::RANGE),
    ("training_scope_share_frac", Fraction::RANGE),
    ("scope_datacenter_mw", MwDivisor::RANGE),
    ("population_frac", Fraction::RANGE),
    ("existing_datacenter_frac", Fraction::RANGE),
    ("population", Population::RANGE),
    ("inference_weight", PeopleWeight::RANGE),
    ("baseline_growth_per_year_frac", ChangePerYear::RANGE),
    ("firm_capacity_mw", MwDivisor::RANGE),
    ("reserve_margin_frac", Fraction::RANGE),
    ("anticipated_reserve_margin_frac", ReserveMargin::RANGE),
    ("cone_usd_per_kw", UsdPerKw::RANGE),
    ("price_usd_per_mwh", UsdPerMwh::RANGE),
    ("max_training_mw", Mw::RANGE),
    ("existing_datacenter_mw", Mw::RANGE),
    ("co2_lb_per_mwh", Co2LbPerMwh::RANGE),
    ("co2_marginal_lb_per_mwh", Co2LbPerMwh::RANGE),
    // Profile.
    ("idle_floor_frac", Fraction::RANGE),
    ("hour_of_week_factors", ProfileFactor::RANGE),
];

/// The range of key `name`, if it is a numeric key of the inputs.
#[must_use]
pub fn range_of_key(name: &str) -> Option<Range> {
    KEY_RANGES
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, range)| *range)
}

/// Every number of a TOML input (`text`, read from `path`) that lies outside its key's
/// range, one message each: ``FILE, line N (key `a.b[2].c`): found …, expected …``.
/// `[uncertainty]` tables are left out (their bounds depend on the parameter and are
/// checked when the scenario is read). Text that is not TOML gives no messages (the
/// reader reports the syntax error).
#[must_use]
pub fn scan(text: &str, path: &std::path::Path) -> Vec<String> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    walk_table(&table, "", None, &mut found);
    let mut used_lines = std::collections::HashSet::new();
    found
        .into_iter()
        .map(|(key_path, name, value, message)| {
            let line = value_line(text, &name, value, &mut used_lines);
            match line {
                Some(line) => format!(
                    "{}, line {line} (key `{key_path}`): {message}",
                    path.display()
                ),
                None => format!("{} (key `{key_path}`): {message}", path.display()),
            }
        })
        .collect()
}

/// (key path, key name as written on its line, value, message) of each value out of range.
type Finding = (String, String, f64, String);

fn walk_table(table: &toml::Table, prefix: &str, inherited: Option<Range>, out: &mut Vec<Finding>) {
    for (key, value) in table {
        if prefix.is_empty() && key == "uncertainty" {
            continue;
        }
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        // Keys of a map of values (`rated_mw_by_year = { 2026 = 1000 }`) take its range.
        let range = range_of_key(key).or(inherited);
        walk_value(value, &path, key, range, out);
    }
}

fn walk_value(
    value: &toml::Value,
    path: &str,
    name: &str,
    range: Option<Range>,
    out: &mut Vec<Finding>,
) {
    let number = match value {
        #[allow(clippy::cast_precision_loss)]
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(x) => Some(*x),
        toml::Value::Table(inner) => {
            let map_of_values = matches!(name, "rated_mw_by_year" | "training_shares");
            walk_table(inner, path, map_of_values.then_some(range).flatten(), out);
            None
        }
        toml::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk_value(item, &format!("{path}[{index}]"), name, range, out);
            }
            None
        }
        _ => None,
    };
    if let (Some(number), Some(range)) = (number, range) {
        if let Err(message) = range.check(number) {
            out.push((path.to_owned(), name.to_owned(), number, message));
        }
    }
}

/// 1-based line where `name = value` is written (the first not yet used), or the line of
/// `name = [` for a value inside an array.
fn value_line(
    text: &str,
    name: &str,
    value: f64,
    used: &mut std::collections::HashSet<usize>,
) -> Option<usize> {
    let mut array_line = None;
    for (index, line) in text.lines().enumerate() {
        let code = line.split('#').next().unwrap_or("");
        for (at, _) in code.match_indices(name) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let Some(rest) = code[at + name.len()..].trim_start().strip_prefix('=') else {
                continue;
            };
            let rest = rest.trim_start();
            if rest.starts_with('[') && array_line.is_none() {
                array_line = Some(index + 1);
            }
            let token: String = rest
                .chars()
                .take_while(|c| !matches!(c, ',' | '}' | ']' | ' ' | '\t'))
                .filter(|c| *c != '_')
                .collect();
            let same = token
                .parse::<f64>()
                .is_ok_and(|x| x == value || (x.is_nan() && value.is_nan()));
            if same && used.insert(index + 1) {
                return Some(index + 1);
            }
        }
    }
    array_line
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

    #[test]
    fn scan_lists_every_value_out_of_range_with_its_line() {
        let text = "name = \"x\"\nfirst_year = 1850\n[facility]\npue = 9.0\n[[existing_ai]]\nregion = \"A\"\ntraining_mw = 1e308\n[[regional_load]]\nrated_mw_by_year = { 2026 = 10, 2030 = -5 }\n[uncertainty.\"facility.pue\"]\nlow = -100.0\n";
        let found = scan(text, std::path::Path::new("s.toml"));
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found.contains(&"s.toml, line 2 (key `first_year`): found 1850, expected a number from 2000 to 2100 (year)".to_owned()), "{found:#?}");
        assert!(found.contains(&"s.toml, line 4 (key `facility.pue`): found 9, expected a number from 1 to 3 (PUE)".to_owned()), "{found:#?}");
        assert!(found.contains(&"s.toml, line 7 (key `existing_ai[0].training_mw`): found 1e308, expected a number from 0 to 1000000 (MW)".to_owned()), "{found:#?}");
        assert!(found.contains(&"s.toml, line 9 (key `regional_load[0].rated_mw_by_year.2030`): found -5, expected a number from 0 to 1000000 (MW)".to_owned()), "{found:#?}");
    }

    proptest::proptest! {
        /// A value passes exactly when it is finite and inside both ends.
        #[test]
        fn check_accepts_exactly_the_range(x in proptest::num::f64::ANY) {
            let range = Mw::RANGE;
            let inside = x.is_finite() && x >= range.min && x <= range.max;
            proptest::prop_assert_eq!(range.check(x).is_ok(), inside);
        }

        /// `scan` never panics, on any text and on TOML-like lines of known keys.
        #[test]
        fn scan_never_panics(
            text in "[\\[\\]a-z_.=\"{}, 0-9e+-]{0,120}",
            lines in proptest::collection::vec("(pue|year|2030|population) ?= ?[-0-9.e_]{0,8}[,}\\] ]?", 0..6),
        ) {
            let _ = scan(&text, std::path::Path::new("x.toml"));
            let _ = scan(&lines.join("\n"), std::path::Path::new("x.toml"));
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
