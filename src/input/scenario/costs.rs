//! The cost sections as written (`[firm_capacity]`, `[hardware_capital]`) and their
//! defaults.
use super::*;

/// `[firm_capacity]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFirmCapacity {
    /// Name of the technology used for costs.
    #[serde(rename = "use")]
    pub use_technology: String,
    /// `[[firm_capacity.technology]]` tables.
    pub technology: Vec<RawTechnology>,
    /// Discount rate the overnight cost is annualised at (fraction per year).
    #[serde(
        default = "default_discount_rate",
        deserialize_with = "de_in::<Fraction, _>"
    )]
    pub discount_rate_frac: f64,
    /// Economic life the overnight cost is annualised over (years).
    #[serde(
        default = "default_economic_life",
        deserialize_with = "de_in::<LifetimeYears, _>"
    )]
    pub economic_life_years: f64,
}

/// Annualisation when a scenario states none: 8 %/yr over 20 years (docs/methodology.md,
/// "Firm capacity needed").
pub(super) fn default_discount_rate() -> f64 {
    0.08
}

pub(super) fn default_economic_life() -> f64 {
    20.0
}

/// One `[[firm_capacity.technology]]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTechnology {
    /// Name.
    pub name: String,
    /// Overnight capital cost (USD/kW).
    #[serde(deserialize_with = "de_in::<UsdPerKw, _>")]
    pub usd_per_kw: f64,
    /// Accredited share of nameplate (capacity needed is divided by it).
    #[serde(deserialize_with = "de_in::<FractionDivisor, _>")]
    pub accredited_frac: f64,
    /// Fixed O&M (USD per kW-year).
    #[serde(default, deserialize_with = "de_in::<UsdPerKw, _>")]
    pub fixed_om_usd_per_kw_year: f64,
    /// Source.
    #[serde(default)]
    pub source: String,
}

/// `[hardware_capital]`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawHardwareCapital {
    /// Year of the prices.
    #[serde(deserialize_with = "de_year")]
    pub base_year: i32,
    /// All-in price of a training accelerator (USD).
    #[serde(deserialize_with = "de_in::<UsdPerAccelerator, _>")]
    pub training_usd_per_accelerator: f64,
    /// All-in price of an inference accelerator (USD).
    #[serde(deserialize_with = "de_in::<UsdPerAccelerator, _>")]
    pub inference_usd_per_accelerator: f64,
    /// Price change per year (fraction).
    #[serde(default, deserialize_with = "de_in::<ChangePerYear, _>")]
    pub price_change_per_year_frac: f64,
    /// Lifetime (years).
    #[serde(deserialize_with = "de_in::<LifetimeYears, _>")]
    pub lifetime_years: f64,
    /// Source.
    #[serde(default)]
    pub source: String,
}

/// Default firm-capacity technologies (docs/methodology.md, "Firm capacity needed"): a
/// simple-cycle gas combustion turbine and a 4-hour battery at EIA AEO2026's overnight
/// costs (2025 $), counted at their rating on NERC's planning-reserve basis, annualised at
/// 8 %/yr over 20 years.
pub(super) fn default_firm_capacity() -> FirmCapacity {
    FirmCapacity {
        technologies: vec![
            Technology {
                name: "gas_ct".to_owned(),
                usd_per_kw: 1158.0,
                accredited_frac: 1.0,
                fixed_om_usd_per_kw_year: 6.87,
                source: "EIA AEO2026 EMM assumptions Table 3: industrial-frame CT 1,158 $/kW (2025 $); fixed O&M 6.87 $/kW-yr, EIA / Sargent & Lundy (Jan 2024) Table 1-2 case 4; counted at its rating on NERC's planning-reserve basis".to_owned(),
            },
            Technology {
                name: "battery_4h".to_owned(),
                usd_per_kw: 1521.0,
                accredited_frac: 1.0,
                fixed_om_usd_per_kw_year: 40.0,
                source: "EIA AEO2026 EMM assumptions Table 3: battery storage 1,521 $/kW (2025 $); fixed O&M 40.00 $/kW-yr, EIA / Sargent & Lundy (Jan 2024) Table 1-2 case 19; counted at its rated power (its 4-hour energy limit is not checked)".to_owned(),
            },
        ],
        used: 0,
        discount_rate_frac: default_discount_rate(),
        economic_life_years: default_economic_life(),
    }
}

/// Default hardware capital (docs/methodology.md, "Hardware capital").
pub(super) fn default_hardware_capital() -> HardwareCapital {
    HardwareCapital {
        base_year: 2024,
        training_usd_per_accelerator: 55_000.0,
        inference_usd_per_accelerator: 33_000.0,
        price_change_per_year_frac: 0.0,
        lifetime_years: 5.0,
    }
}

/// `[emissions]`, `[firm_capacity]` and `[hardware_capital]`, checked.
pub(super) fn costs(
    raw: &RawScenario,
    locate: &KeyLocator<'_>,
) -> Result<(f64, FirmCapacity, HardwareCapital)> {
    // Every number here was range-checked as it was read (`ranges`).
    let rate_change = raw
        .emissions
        .as_ref()
        .map_or(0.0, |e| e.co2_rate_change_per_year_frac);
    let firm = match &raw.firm_capacity {
        None => default_firm_capacity(),
        Some(f) => {
            let technologies: Vec<Technology> = f
                .technology
                .iter()
                .map(|t| Technology {
                    name: t.name.clone(),
                    usd_per_kw: t.usd_per_kw,
                    accredited_frac: t.accredited_frac,
                    fixed_om_usd_per_kw_year: t.fixed_om_usd_per_kw_year,
                    source: t.source.clone(),
                })
                .collect();
            let Some(used) = technologies.iter().position(|t| t.name == f.use_technology) else {
                bail!(
                    "{}: found '{}', which names no [[firm_capacity.technology]]; expected one of {}",
                    locate.key("firm_capacity", "use"),
                    crate::input::excerpt(&f.use_technology),
                    crate::input::format_capped(
                        &technologies
                            .iter()
                            .map(|t| t.name.as_str())
                            .collect::<Vec<_>>()
                    )
                );
            };
            FirmCapacity {
                technologies,
                used,
                discount_rate_frac: f.discount_rate_frac,
                economic_life_years: f.economic_life_years,
            }
        }
    };
    let hardware = match &raw.hardware_capital {
        None => default_hardware_capital(),
        Some(h) => HardwareCapital {
            base_year: h.base_year,
            training_usd_per_accelerator: h.training_usd_per_accelerator,
            inference_usd_per_accelerator: h.inference_usd_per_accelerator,
            price_change_per_year_frac: h.price_change_per_year_frac,
            lifetime_years: h.lifetime_years,
        },
    };
    Ok((rate_change, firm, hardware))
}
