//! The draws of a sweep: every uncertain parameter (and a weather year) per sample,
//! serially from the seed with ChaCha8, and a sample's scenario and region set.
use super::*;
use crate::model::uncertainty::Sample;

/// The drawn inputs of every sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Draws {
    /// The uncertain parameters, in the scenario's (key path) order.
    pub parameters: Vec<Parameter>,
    /// Drawn values, sample-major: `values[i * parameters.len() + j]`.
    pub values: Vec<f64>,
    /// Inference shape amplitude of each sample (1 when not uncertain), after truncation.
    pub amplitude: Vec<f64>,
    /// `total_flop` of each sample, re-solved to its calibration anchor (crossover only).
    pub total_flop: Vec<Option<f64>>,
    /// Weather year (index in the study's ensemble) of each sample; `None` = all of them.
    pub weather_index: Vec<Option<usize>>,
}

impl Draws {
    /// The drawn values of sample `i`.
    #[must_use]
    pub fn sample(&self, i: usize) -> &[f64] {
        let p = self.parameters.len();
        &self.values[i * p..(i + 1) * p]
    }
}

/// One uniform number in (0, 1) for (seed, sample, key): ChaCha8 keyed by the seed, its
/// stream the sample, its position a hash of the key — so each pair has its own number,
/// whatever the sample count or the other parameters.
#[must_use]
pub fn uniform(seed: u64, sample: usize, key: &str) -> f64 {
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(seed_bytes);
    rng.set_stream(sample as u64);
    rng.set_word_pos(2 * u128::from(fnv1a64(key) >> 4));
    let x = rng.next_u64();
    ((x >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// FNV-1a, 64 bits (stable across platforms and releases).
fn fnv1a64(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Draw every sample's inputs, serially. `amplitude_max(p)` is the largest inference
/// shape amplitude whose peak hour stays within the rating at draw fraction `p`.
#[must_use]
pub fn draw(study: &Study, spec: &SweepSpec, amplitude_max: impl Fn(f64) -> f64) -> Draws {
    let scenario = &study.scenario;
    let uncertain = &study.uncertainty;
    let parameters: Vec<Parameter> = uncertain.iter().map(|u| u.parameter).collect();
    let mut values = Vec::with_capacity(spec.samples * parameters.len());
    let mut amplitude = Vec::with_capacity(spec.samples);
    let mut weather_index = Vec::with_capacity(spec.samples);
    let n_weather = study.weather_years.len();
    for i in 0..spec.samples {
        let start = values.len();
        for u in uncertain {
            let (low, high) = u.parameter.domain(scenario);
            let x =
                u.distribution
                    .draw_within(uniform(spec.seed, i, &u.parameter.path()), low, high);
            values.push(if u.parameter.is_integer() {
                x.round()
            } else {
                x
            });
        }
        // The amplitude is truncated by this sample's inference draw fraction.
        let drawn = &values[start..];
        let power_frac = parameters
            .iter()
            .position(|p| {
                *p == Parameter::PowerFrac(crate::model::scenario::WorkloadKind::Inference)
            })
            .map_or(scenario.inference.power_frac, |j| drawn[j]);
        let k_max = amplitude_max(power_frac);
        let k = match parameters
            .iter()
            .position(|p| *p == Parameter::InferenceShapeAmplitude)
        {
            Some(j) => {
                let u = uniform(spec.seed, i, &Parameter::InferenceShapeAmplitude.path());
                let k = uncertain[j]
                    .distribution
                    .draw_within(u, 0.0, k_max.max(0.0));
                values[start + j] = k;
                k
            }
            None => 1.0,
        };
        amplitude.push(k);
        weather_index.push((!spec.all_weather_years).then(|| {
            let u = uniform(spec.seed, i, "weather_year");
            ((u * n_weather as f64) as usize).min(n_weather - 1)
        }));
    }
    let mut draws = Draws {
        parameters,
        values,
        amplitude,
        total_flop: Vec::new(),
        weather_index,
    };
    draws.total_flop = (0..spec.samples)
        .map(|i| {
            let (sample_scenario, _) = apply(study, &draws, i);
            match sample_scenario.compute {
                ComputeProjection::Crossover { total_flop, .. } => Some(total_flop),
                _ => None,
            }
        })
        .collect();
    draws
}

/// The scenario and region set of sample `i`: every drawn value set in a copy of the
/// study's, then `total_flop` re-solved to the sample's calibration anchor (exact, since
/// energy is linear in it; with the anchor and every parameter at their central values
/// both ratios are exactly 1 and `total_flop` does not move).
#[must_use]
pub fn apply(study: &Study, draws: &Draws, i: usize) -> (Scenario, RegionSet) {
    let central_scenario = &study.scenario;
    let mut scenario = central_scenario.clone();
    let mut regions = study.regions.clone();
    Parameter::set_all(
        &draws.parameters,
        draws.sample(i),
        &mut Sample {
            scenario: &mut scenario,
            regions: &mut regions,
            central_scenario,
            central_regions: &study.regions,
        },
    );
    // With a base-year anchor, the first growth step runs between the two anchors:
    // f = f₀ · ((A_c/A_b)ᵢ / (A_c/A_b)₀ · R₀ / Rᵢ)^(1/n), R the path's own ratio.
    if let (Some(central), Some(sampled), ComputeProjection::Crossover { base_year, .. }) = (
        central_scenario.calibration,
        scenario.calibration,
        &central_scenario.compute,
    ) {
        if let (Some(base_0), Some(base_i)) =
            (central.base_it_energy_twh, sampled.base_it_energy_twh)
        {
            let ratio =
                |s: &Scenario| it_energy_twh(s, central.year) / it_energy_twh(s, *base_year);
            let anchors = (sampled.it_energy_twh / base_i) / (central.it_energy_twh / base_0);
            let path = ratio(central_scenario) / ratio(&scenario);
            if let ComputeProjection::Crossover { growth, .. } = &mut scenario.compute {
                let years = f64::from(central.year - growth[0].from_year + 1);
                growth[0].factor_per_year *= (anchors * path).powf(1.0 / years);
            }
        }
    }
    if let (Some(central), Some(sampled)) = (study.scenario.calibration, scenario.calibration) {
        let e_central = it_energy_twh(&study.scenario, central.year);
        let e_sample = it_energy_twh(&scenario, central.year);
        if let ComputeProjection::Crossover { total_flop, .. } = &mut scenario.compute {
            *total_flop *= (sampled.it_energy_twh / central.it_energy_twh) * (e_central / e_sample);
        }
    }
    (scenario, regions)
}
