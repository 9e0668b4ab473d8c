//! Each shipped scenario checked against the published figures it cites (see the
//! scenario files and docs/methodology.md, "Scenario presets").
use gridstrain::input::scenario::read_scenario;
use gridstrain::stages::power::year_power;

fn energy_twh(name: &str, year: i32) -> (f64, f64, f64) {
    let (scenario, _) =
        read_scenario(&crate::common::root().join(format!("scenarios/{name}.toml"))).unwrap();
    let power = year_power(&scenario, year);
    let training = power.training.facility_mwh / 1e6;
    let inference = power.inference.facility_mwh / 1e6;
    let share = power.inference.flop.unwrap()
        / (power.inference.flop.unwrap() + power.training.flop.unwrap());
    (
        training + inference,
        inference / (training + inference),
        share,
    )
}

/// LBNL 2024 (Shehabi et al.): US data centres 325–580 TWh in 2028; AI servers
/// 165–326 TWh in 2028; AI servers above 40 TWh in 2023.
#[test]
fn default_lies_inside_lbnl_2028_and_crosses_in_2030() {
    let (twh_2028, _, _) = energy_twh("default", 2028);
    assert!(
        (325.0..=580.0).contains(&twh_2028),
        "{twh_2028} TWh outside LBNL's 325–580 TWh"
    );
    assert!(
        (165.0..=326.0).contains(&twh_2028),
        "{twh_2028} TWh outside LBNL's AI-server 165–326 TWh"
    );
    let (twh_2024, _, _) = energy_twh("default", 2024);
    assert!(
        twh_2024 > 40.0,
        "AI servers used more than 40 TWh already in 2023"
    );
    let (_, _, share_2029) = energy_twh("default", 2029);
    let (_, _, share_2030) = energy_twh("default", 2030);
    assert!(
        share_2029 < 0.5 && share_2030 > 0.5,
        "inference compute overtakes training in 2030"
    );
    // OpenAI 2024: about 2/7 of compute for inference (Epoch AI 2025).
    let (_, _, share_2024) = energy_twh("default", 2024);
    assert!((share_2024 - 2.0 / 7.0).abs() < 0.01);
}

#[test]
fn low_is_at_the_low_end_of_lbnl_ai_servers_and_crosses_later() {
    let (twh_2028, _, _) = energy_twh("low", 2028);
    assert!((165.0..=200.0).contains(&twh_2028), "{twh_2028}");
    let (_, _, share_2031) = energy_twh("low", 2031);
    let (_, _, share_2032) = energy_twh("low", 2032);
    assert!(share_2031 < 0.5 && share_2032 > 0.5);
}

/// High: inside LBNL 2024's all-data-centre range in 2028, and in 2030 below the top of
/// LBNL's 2025 update range for all US data centres (843 TWh).
#[test]
fn high_stays_inside_the_published_upper_bounds() {
    let (twh_2028, _, _) = energy_twh("high", 2028);
    assert!((326.0..=580.0).contains(&twh_2028), "{twh_2028}");
    let (twh_2030, _, _) = energy_twh("high", 2030);
    assert!(twh_2030 <= 843.0, "{twh_2030}");
    let (_, _, share_2027) = energy_twh("high", 2027);
    let (_, _, share_2028) = energy_twh("high", 2028);
    assert!(share_2027 < 0.5 && share_2028 > 0.5);
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
