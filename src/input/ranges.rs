//! The serde validators of every number an input file holds ([`de_in`], [`de_opt_in`],
//! [`de_whole_in`]) over the model's ranges ([`crate::model::ranges`], re-exported here),
//! the range of every numeric key by its name ([`KEY_RANGES`]), and [`scan`], which lists
//! every value of a TOML file out of range at once (for `validate`).
use serde::{Deserialize, Deserializer};

pub use crate::model::ranges::*;

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
}
