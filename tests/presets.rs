//! Each shipped scenario checked against the published figures it cites, like with like
//! (see the scenario files and docs/methodology.md, "Scenario presets"):
//!
//! * AI *server* (IT) energy against the AI-server ranges: 53–76 TWh (2024) and 165–326 TWh
//!   (2028), MIT Technology Review (O'Donnell & Crownhart, May 2025) from LBNL 2024 — server
//!   electricity, without cooling, so compared with IT energy, not facility energy;
//! * AI facility energy plus the scenario's own non-AI data centres (`[non_ai_datacentres]`:
//!   125 TWh in 2023 from LBNL 2024's 176 TWh less AI servers, +10 %/yr) against
//!   LBNL 2024's 325–580 TWh for all US data centres;
//! * the inference share of accelerator-hours (compute spending) crossing one half in
//!   the stated year, from OpenAI's 2024 ≈ 2/7 (Epoch AI 2025).
use gridstrain::input::scenario::read_scenario;
use gridstrain::stages::power::year_power;

/// AI facility energy (TWh), inference's share of it, and its share of accelerator-hours.
fn energy_twh(name: &str, year: i32) -> (f64, f64, f64) {
    let (scenario, _) =
        read_scenario(&crate::common::root().join(format!("scenarios/{name}.toml"))).unwrap();
    let power = year_power(&scenario, year);
    let training = power.training.facility_mwh / 1e6;
    let inference = power.inference.facility_mwh / 1e6;
    let hours = |w: &gridstrain::stages::power::WorkloadPower| w.accelerator_hours.unwrap();
    let share = hours(&power.inference) / (hours(&power.inference) + hours(&power.training));
    (
        training + inference,
        inference / (training + inference),
        share,
    )
}

/// AI server (IT) energy (TWh).
fn it_energy_twh(name: &str, year: i32) -> f64 {
    let (scenario, _) =
        read_scenario(&crate::common::root().join(format!("scenarios/{name}.toml"))).unwrap();
    let power = year_power(&scenario, year);
    (power.training.it_energy_mwh.unwrap() + power.inference.it_energy_mwh.unwrap()) / 1e6
}

/// The scenario's non-AI data-centre energy in `year` (TWh, facility).
fn non_ai_twh(name: &str, year: i32) -> f64 {
    let (scenario, _) =
        read_scenario(&crate::common::root().join(format!("scenarios/{name}.toml"))).unwrap();
    let non_ai = scenario
        .non_ai
        .unwrap_or_else(|| panic!("{name} counts the non-AI data centres"));
    non_ai.average_mw(year) * 8760.0 / 1e6
}

fn check_like_with_like(name: &str, ai_it_2028_range: (f64, f64)) {
    let it_2024 = it_energy_twh(name, 2024);
    assert!(
        (53.0..=76.0).contains(&it_2024),
        "{name}: 2024 AI server energy {it_2024} TWh outside the AI-server 53–76 TWh"
    );
    let (_, _, share_2024) = energy_twh(name, 2024);
    assert!(
        (share_2024 - 0.40).abs() < 0.01,
        "{name}: 2024 inference share of accelerator-hours {share_2024}; NVIDIA put inference at about 40 % of its data-centre revenue over the year to April 2024"
    );
    let it_2028 = it_energy_twh(name, 2028);
    assert!(
        (ai_it_2028_range.0..=ai_it_2028_range.1).contains(&it_2028),
        "{name}: 2028 AI server energy {it_2028} TWh outside {ai_it_2028_range:?}"
    );
    let (facility_2028, _, _) = energy_twh(name, 2028);
    let non_ai_2028 = non_ai_twh(name, 2028);
    assert!(
        (160.0..=254.0).contains(&non_ai_2028),
        "{name}: 2028 non-AI {non_ai_2028} TWh outside the 160–254 TWh LBNL 2024 leaves beside the AI range"
    );
    let all_dc = facility_2028 + non_ai_2028;
    assert!(
        (325.0..=580.0).contains(&all_dc),
        "{name}: AI facility + non-AI {all_dc} TWh against LBNL 2024's 325–580 TWh for all data centres"
    );
}

fn crosses_in(name: &str, year: i32) {
    let (_, _, before) = energy_twh(name, year - 1);
    let (_, _, after) = energy_twh(name, year);
    assert!(
        before < 0.5 && after > 0.5,
        "{name}: inference's share of accelerator-hours {before} ({}) → {after} ({year})",
        year - 1
    );
}

/// Default: the middle of the AI-server 2028 range; crosses in 2030.
#[test]
fn default_lies_in_the_middle_of_the_ai_range_and_crosses_in_2030() {
    check_like_with_like("default", (235.0, 256.0));
    crosses_in("default", 2030);
    // The energy share crosses later: inference draws less per accelerator-hour.
    let (_, energy_share_2030, _) = energy_twh("default", 2030);
    assert!(energy_share_2030 < 0.5, "{energy_share_2030}");
}

#[test]
fn low_is_at_the_low_end_of_the_ai_range_and_crosses_later() {
    check_like_with_like("low", (165.0, 185.0));
    crosses_in("low", 2032);
}

/// High: the top of the AI-server 2028 range, and in 2030 (facility) near LBNL 2025's
/// "High Inference Energy" case (782 TWh for all data centres) less about 290 TWh non-AI.
#[test]
fn high_is_at_the_top_of_the_ai_range() {
    check_like_with_like("high", (310.0, 326.0));
    let (twh_2030, _, _) = energy_twh("high", 2030);
    assert!((440.0..=520.0).contains(&twh_2030), "{twh_2030}");
    crosses_in("high", 2028);
}

#[test]
fn presets_are_ordered_low_default_high() {
    for year in 2026..=2035 {
        let (low, _, _) = energy_twh("low", year);
        let (default, _, _) = energy_twh("default", year);
        let (high, _, _) = energy_twh("high", year);
        assert!(
            low < default && default < high,
            "{year}: {low} {default} {high}"
        );
    }
}
