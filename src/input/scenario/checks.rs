//! Rules across a scenario's sections: growth steps in order, energy in every study
//! year, a calibration that holds for the file's `total_flop`.
use super::*;

/// Each growth step's `factor_per_year` must lie in [`GrowthFactor`]. Steps are usually
/// inline tables, `{ from_year = 2025, factor_per_year = 1.9 }`: checked here rather than
/// by serde, whose message would be blamed on the first key of the line (`from_year`).
pub(super) fn check_growth_steps(
    steps: &[RawGrowthStep],
    path: &Path,
    text: Option<&str>,
) -> Result<()> {
    for (nth, step) in steps.iter().enumerate() {
        if let Err(why) = GrowthFactor::RANGE.check(step.factor_per_year) {
            let key = format!("compute.crossover.growth[{nth}].factor_per_year");
            let line = text.and_then(|text| growth_factor_line(text, nth));
            match line {
                Some(line) => bail!("{}, line {line} (key `{key}`): {why}", path.display()),
                None => bail!("{} (key `{key}`): {why}", path.display()),
            }
        }
    }
    Ok(())
}

/// 1-based line of the `nth` `factor_per_year` of `[compute.crossover]`'s growth steps,
/// written as `growth = [ … ]` or as `[[compute.crossover.growth]]` tables.
pub(super) fn growth_factor_line(text: &str, nth: usize) -> Option<usize> {
    let mut table = String::new();
    let mut in_growth_array = false;
    let mut seen = 0;
    for (index, raw_line) in text.lines().enumerate() {
        let line = raw_line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') && !in_growth_array {
            table = line
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_owned();
            continue;
        }
        if table == "compute.crossover"
            && line
                .strip_prefix("growth")
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            in_growth_array = true;
        }
        if in_growth_array || table == "compute.crossover.growth" {
            for _ in line.match_indices("factor_per_year") {
                if seen == nth {
                    return Some(index + 1);
                }
                seen += 1;
            }
        }
        if in_growth_array && line.ends_with(']') {
            in_growth_array = false;
        }
    }
    None
}

/// The projection's AI facility energy must stay inside [`Twh`] in every study year, and
/// be above zero in at least one: each key's own range cannot bound what they make
/// together (a growth factor compounded over decades, FLOP over FLOP per watt), so the
/// product is checked too — a year of 1e300 TWh would turn every later number into
/// infinity. A projection of nothing at all is refused (its shares would be 0/0): a study
/// without a national projection leaves `[compute]` out.
pub(super) fn check_projection_energy(
    scenario: &Scenario,
    raw: &RawScenario,
    locate: &KeyLocator<'_>,
) -> Result<()> {
    let table = match &raw.compute {
        None => return Ok(()),
        Some(RawCompute::Explicit { .. }) => "compute.explicit",
        Some(RawCompute::Growth(_)) => "compute.growth",
        Some(RawCompute::Crossover(_)) => "compute.crossover",
        Some(RawCompute::Energy { .. }) => "compute.energy",
    };
    let mut total_twh = 0.0;
    for year in scenario.first_year..=scenario.last_year {
        let power = crate::stages::power::year_power(scenario, year);
        let twh = (power.training.facility_mwh + power.inference.facility_mwh) / 1e6;
        if !Twh::RANGE.contains(twh) {
            bail!(
                "{}: the projection gives {} TWh of AI facility energy in {year}, {}; check the growth factors, the hardware and the years",
                locate.key("", table),
                crate::input::ranges::show((twh * 10.0).round() / 10.0),
                Twh::RANGE.expected()
            );
        }
        total_twh += twh;
    }
    if total_twh <= 0.0 {
        bail!(
            "{}: every study year has zero AI energy; expected at least one workload with energy > 0 (a study of regional loads alone leaves [compute] out)",
            locate.key("", table)
        );
    }
    Ok(())
}

/// A stated calibration must hold for the file's `total_flop` (to 0.5 %): the sweep
/// re-solves `total_flop` to it, so a stale anchor would move every sample.
pub(super) fn check_calibration(scenario: &Scenario, locate: &KeyLocator<'_>) -> Result<()> {
    let (Some(calibration), ComputeProjection::Crossover { total_flop, .. }) =
        (scenario.calibration, &scenario.compute)
    else {
        return Ok(());
    };
    if !matches!(scenario.hardware, Hardware::Trend { .. })
        && scenario.hardware.year(calibration.year).is_none()
    {
        bail!(
            "{}: found {}, but the hardware table has no such year",
            locate.key("compute.crossover.calibration", "year"),
            calibration.year
        );
    }
    let got = crate::stages::power::it_energy_twh(scenario, calibration.year);
    if (got / calibration.it_energy_twh - 1.0).abs() > 0.005 {
        let solved = total_flop * calibration.it_energy_twh / got;
        bail!(
            "{}: found {} TWh, but total_flop = {total_flop:e} gives {got:.1} TWh of AI IT energy in {}; expected them to agree within 0.5 % (total_flop = {solved:.5e} would)",
            locate.key("compute.crossover.calibration", "it_energy_twh"),
            calibration.it_energy_twh,
            calibration.year
        );
    }
    if let (
        Some(base_twh),
        ComputeProjection::Crossover {
            base_year, growth, ..
        },
    ) = (calibration.base_it_energy_twh, &scenario.compute)
    {
        let at = locate.key("compute.crossover.calibration", "base_it_energy_twh");
        let got = crate::stages::power::it_energy_twh(scenario, *base_year);
        if (got / base_twh - 1.0).abs() > 0.005 {
            bail!(
                "{at}: found {base_twh} TWh, but the projection gives {got:.1} TWh of AI IT energy in its base year {base_year}; expected them to agree within 0.5 %"
            );
        }
        // The path between the anchors is one growth step, which a sweep re-solves.
        let steps_before: Vec<i32> = growth
            .iter()
            .map(|s| s.from_year)
            .filter(|&y| y <= calibration.year)
            .collect();
        if steps_before.len() != 1 || steps_before[0] <= *base_year {
            bail!(
                "{at}: with two anchors ({base_year} and {}) exactly one growth step must start after {base_year} and no later than {} (found steps from {:?}); that step is re-solved between the anchors",
                calibration.year,
                calibration.year,
                steps_before
            );
        }
    }
    Ok(())
}
