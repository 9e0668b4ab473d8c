//! How an uncertain input is distributed (a leaf: it knows nothing of scenarios), sampled
//! by its inverse CDF so that one uniform number gives one value, truncated to a valid
//! range without rejection.
//!
//! The inverse CDFs are written here with `libm`'s portable `ln`, `exp`, `sqrt` and
//! `erfc`, not taken from a sampling crate whose algorithms may change between versions,
//! so a seed gives the same draws on every platform and every release.
/// A distribution of one uncertain parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
    },
    /// Triangular on `[low, high]` with its mode at `mode`.
    Triangular {
        /// Lowest value.
        low: f64,
        /// Most likely value.
        mode: f64,
        /// Highest value.
        high: f64,
    },
    /// Normal with `mean` and standard deviation `sd`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (≥ 0).
        sd: f64,
    },
    /// Lognormal whose own mean and standard deviation are `mean` and `sd`.
    Lognormal {
        /// Mean of the variable (> 0).
        mean: f64,
        /// Standard deviation of the variable (≥ 0).
        sd: f64,
    },
    /// Discrete values with their probabilities (which sum to 1).
    Discrete {
        /// The values.
        values: Vec<f64>,
        /// Cumulative probabilities, the last exactly 1.
        cumulative: Vec<f64>,
    },
}

impl Distribution {
    /// The names accepted in `dist = "…"`.
    pub const NAMES: [&'static str; 5] =
        ["uniform", "triangular", "normal", "lognormal", "discrete"];

    /// The value at cumulative probability `u` in (0, 1).
    #[must_use]
    pub fn quantile(&self, u: f64) -> f64 {
        match *self {
            Self::Uniform { low, high } => {
                if high == low {
                    low
                } else {
                    low + u * (high - low)
                }
            }
            Self::Triangular { low, mode, high } => {
                if high == low {
                    return low;
                }
                let width = high - low;
                let at_mode = (mode - low) / width;
                if u < at_mode {
                    low + libm::sqrt(u * width * (mode - low))
                } else {
                    high - libm::sqrt((1.0 - u) * width * (high - mode))
                }
            }
            Self::Normal { mean, sd } => {
                if sd == 0.0 {
                    mean
                } else {
                    mean + sd * standard_normal_quantile(u)
                }
            }
            Self::Lognormal { mean, sd } => {
                if sd == 0.0 {
                    return mean;
                }
                let (mu, sigma) = lognormal_parameters(mean, sd);
                libm::exp(mu + sigma * standard_normal_quantile(u))
            }
            Self::Discrete {
                ref values,
                ref cumulative,
            } => {
                let index = cumulative
                    .iter()
                    .position(|&c| u < c)
                    .unwrap_or(values.len() - 1);
                values[index]
            }
        }
    }

    /// The cumulative probability at `x` (for truncation).
    #[must_use]
    pub fn cdf(&self, x: f64) -> f64 {
        match *self {
            Self::Uniform { low, high } => {
                if high == low {
                    if x < low { 0.0 } else { 1.0 }
                } else {
                    ((x - low) / (high - low)).clamp(0.0, 1.0)
                }
            }
            Self::Triangular { low, mode, high } => {
                if x <= low {
                    0.0
                } else if x >= high {
                    1.0
                } else if x <= mode {
                    (x - low) * (x - low) / ((high - low) * (mode - low))
                } else {
                    1.0 - (high - x) * (high - x) / ((high - low) * (high - mode))
                }
            }
            Self::Normal { mean, sd } => {
                if sd == 0.0 {
                    if x < mean { 0.0 } else { 1.0 }
                } else {
                    standard_normal_cdf((x - mean) / sd)
                }
            }
            Self::Lognormal { mean, sd } => {
                if x <= 0.0 {
                    0.0
                } else if sd == 0.0 {
                    if x < mean { 0.0 } else { 1.0 }
                } else {
                    let (mu, sigma) = lognormal_parameters(mean, sd);
                    standard_normal_cdf((libm::log(x) - mu) / sigma)
                }
            }
            Self::Discrete {
                ref values,
                ref cumulative,
            } => values
                .iter()
                .zip(cumulative)
                .filter(|(v, _)| **v <= x)
                .map(|(_, c)| *c)
                .fold(0.0, f64::max),
        }
    }

    /// The value drawn by uniform `u`, truncated to `[low, high]` by the inverse CDF on
    /// `[F(low), F(high)]` (no rejection, no mass piled at a bound). A distribution that
    /// lies inside the bounds is not changed, so a collapsed range gives its value exactly.
    #[must_use]
    pub fn draw_within(&self, u: f64, low: f64, high: f64) -> f64 {
        let (f_low, f_high) = (self.cdf(low), self.cdf(high));
        let inside = f_low <= 0.0 && f_high >= 1.0 && !matches!(self, Self::Discrete { .. });
        let value = if inside || f_high <= f_low {
            self.quantile(u)
        } else {
            self.quantile(f_low + u * (f_high - f_low))
        };
        value.clamp(low, high)
    }
}

/// μ and σ of the underlying normal for a lognormal variable of `mean` and `sd`.
fn lognormal_parameters(mean: f64, sd: f64) -> (f64, f64) {
    let sigma2 = libm::log(1.0 + sd * sd / (mean * mean));
    (libm::log(mean) - 0.5 * sigma2, libm::sqrt(sigma2))
}

/// Φ(z).
fn standard_normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(p) by Wichura's algorithm AS241 (PPND16, about 1e-16 relative).
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
fn standard_normal_quantile(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r
                + 67265.770927008700853)
                * r
                + 45921.953931549871457)
                * r
                + 13731.693765509461125)
                * r
                + 1971.5909503065514427)
                * r
                + 133.14166789178437745)
                * r
                + 3.387132872796366608)
            / (((((((5226.495278852545925 * r + 28729.085735721942674) * r
                + 39307.89580009271061)
                * r
                + 21213.794301586595867)
                * r
                + 5394.1960214247511077)
                * r
                + 687.1870074920579083)
                * r
                + 42.313330701600911252)
                * r
                + 1.0);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let mut r = libm::sqrt(-libm::log(tail));
    let value = if r <= 5.0 {
        r -= 1.6;
        (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r
            + 0.24178072517745061177)
            * r
            + 1.27045825245236838258)
            * r
            + 3.64784832476320460504)
            * r
            + 5.7694972214606914055)
            * r
            + 4.6303378461565452959)
            * r
            + 1.42343711074968357734)
            / (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r
                + 0.0151986665636164571966)
                * r
                + 0.14810397642748007459)
                * r
                + 0.68976733498510000455)
                * r
                + 1.6763848301838038494)
                * r
                + 2.05319162663775882187)
                * r
                + 1.0)
    } else {
        r -= 5.0;
        (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
            + 0.0012426609473880784386)
            * r
            + 0.026532189526576123093)
            * r
            + 0.29656057182850489123)
            * r
            + 1.7848265399172913358)
            * r
            + 5.4637849111641143699)
            * r
            + 6.6579046435011037772)
            / (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r
                + 1.8463183175100546818e-5)
                * r
                + 7.868691311456132591e-4)
                * r
                + 0.0148753612908506148525)
                * r
                + 0.13692988092273580531)
                * r
                + 0.59983220655588793769)
                * r
                + 1.0)
    };
    if q < 0.0 { -value } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_quantile_matches_known_values() {
        for (p, z) in [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.05, -1.644_853_626_951_472_2),
            (1e-10, -6.361_340_902_404_056),
        ] {
            assert!((standard_normal_quantile(p) - z).abs() < 1e-12, "{p}");
            assert!(
                (standard_normal_cdf(z) - p).abs() < 1e-12 * p.max(1e-3),
                "{p}"
            );
        }
    }

    #[test]
    fn quantile_and_cdf_invert_each_other() {
        let dists = [
            Distribution::Uniform {
                low: 2.0,
                high: 5.0,
            },
            Distribution::Triangular {
                low: 2028.0,
                mode: 2030.0,
                high: 2033.0,
            },
            Distribution::Normal {
                mean: 1.14,
                sd: 0.05,
            },
            Distribution::Lognormal { mean: 1.4, sd: 0.1 },
        ];
        for d in &dists {
            for u in [0.01, 0.2, 0.5, 0.77, 0.99] {
                assert!((d.cdf(d.quantile(u)) - u).abs() < 1e-9, "{d:?} {u}");
            }
        }
        let lognormal = Distribution::Lognormal { mean: 2.0, sd: 0.5 };
        let n = 20_000;
        let mean: f64 = (0..n)
            .map(|i| lognormal.quantile((f64::from(i) + 0.5) / f64::from(n)))
            .sum::<f64>()
            / f64::from(n);
        assert!((mean - 2.0).abs() < 0.01, "lognormal mean {mean}");
    }

    #[test]
    fn collapsed_ranges_give_their_value_exactly() {
        for d in [
            Distribution::Uniform {
                low: 0.4,
                high: 0.4,
            },
            Distribution::Triangular {
                low: 0.4,
                mode: 0.4,
                high: 0.4,
            },
            Distribution::Normal { mean: 0.4, sd: 0.0 },
            Distribution::Lognormal { mean: 0.4, sd: 0.0 },
        ] {
            for u in [1e-9, 0.3, 0.999] {
                assert_eq!(d.draw_within(u, 0.0, 1.0), 0.4);
            }
        }
    }

    #[test]
    fn truncation_keeps_draws_inside_and_spreads_them() {
        let d = Distribution::Normal { mean: 1.1, sd: 0.2 };
        let draws: Vec<f64> = (1..100)
            .map(|i| d.draw_within(f64::from(i) / 100.0, 1.0, 5.0))
            .collect();
        assert!(draws.iter().all(|&x| x >= 1.0));
        assert!(
            draws.windows(2).all(|w| w[0] < w[1]),
            "monotone, no pile at 1"
        );
    }
}
