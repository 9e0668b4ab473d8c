//! Which uncertain inputs drive a sweep's spread: Spearman's rank correlation between
//! each drawn input and an output over the samples, and for the weather year (a label,
//! not a quantity) the share of the output's rank variance that lies between weather
//! years (the correlation ratio η²). Both are rank measures, so a monotone change of
//! units leaves them unchanged. Pure functions on slices; no allocation per sample
//! beyond the rank vectors.

/// Average ranks (1-based; ties share the mean of their ranks). `None` when a value is
/// not finite.
#[must_use]
pub fn ranks(values: &[f64]) -> Option<Vec<f64>> {
    if values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start+1 ..= end: their mean.
        let rank = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            out[i] = rank;
        }
        start = end;
    }
    Some(out)
}

/// Pearson correlation of two equal-length series; `None` when either is constant or
/// shorter than 3.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 3 || y.len() != n {
        return None;
    }
    let mean_x = x.iter().sum::<f64>() / n as f64;
    let mean_y = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mean_x, b - mean_y);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    // Relative to the spread of ranks (about n²/12): a constant series has none.
    let floor = 1e-12 * (n as f64).powi(3);
    if sxx <= floor || syy <= floor {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Spearman's rank correlation of `input` and `output` (−1 … 1); `None` when either is
/// constant, not finite, or the series are shorter than 3.
#[must_use]
pub fn spearman(input: &[f64], output: &[f64]) -> Option<f64> {
    pearson(&ranks(input)?, &ranks(output)?)
}

/// The share (0 … 1) of `output`'s rank variance that lies between the groups `group`
/// labels (η², the correlation ratio squared); `None` when the output is constant or
/// every value is its own group.
#[must_use]
pub fn between_group_share(group: &[f64], output: &[f64]) -> Option<f64> {
    let n = output.len();
    if n < 3 || group.len() != n {
        return None;
    }
    let y = ranks(output)?;
    let mean = y.iter().sum::<f64>() / n as f64;
    let total: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    if total <= 1e-12 * (n as f64).powi(3) {
        return None;
    }
    let mut sums: Vec<(f64, f64, usize)> = Vec::new();
    for (g, v) in group.iter().zip(&y) {
        match sums.iter_mut().find(|(label, _, _)| label == g) {
            Some(entry) => {
                entry.1 += v;
                entry.2 += 1;
            }
            None => sums.push((*g, *v, 1)),
        }
    }
    if sums.len() == n {
        return None;
    }
    let between: f64 = sums
        .iter()
        .map(|(_, sum, count)| *count as f64 * (sum / *count as f64 - mean).powi(2))
        .sum();
    Some((between / total).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ties_share_their_mean_rank() {
        assert_eq!(
            ranks(&[10.0, 20.0, 10.0, 5.0]).unwrap(),
            vec![2.5, 4.0, 2.5, 1.0]
        );
        assert!(ranks(&[1.0, f64::NAN]).is_none());
    }

    #[test]
    fn spearman_of_known_series() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        // Monotone: 1 whatever the shape; reversed: −1.
        assert!((spearman(&x, &[1.0, 8.0, 27.0, 64.0, 125.0]).unwrap() - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &[9.0, 7.0, 5.0, 3.0, 1.0]).unwrap() + 1.0).abs() < 1e-12);
        // scipy.stats.spearmanr([1,2,3,4,5],[5,6,7,8,7]) = 0.8207826816681233
        assert!(
            (spearman(&x, &[5.0, 6.0, 7.0, 8.0, 7.0]).unwrap() - 0.820_782_681_668_123_3).abs()
                < 1e-12
        );
        assert!(spearman(&x, &[2.0; 5]).is_none());
    }

    #[test]
    fn a_label_that_sorts_the_output_explains_all_of_it() {
        let group = [2016.0, 2016.0, 2017.0, 2017.0];
        assert!(
            (between_group_share(&group, &[1.0, 2.0, 10.0, 11.0]).unwrap() - 0.8).abs() < 1e-12
        );
        // Equal group means: nothing between groups.
        assert!(
            between_group_share(&group, &[1.0, 4.0, 2.0, 3.0])
                .unwrap()
                .abs()
                < 1e-12
        );
        assert!(between_group_share(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]).is_none());
    }

    proptest! {
        #[test]
        fn rank_measures_are_bounded_and_ignore_monotone_rescaling(
            pairs in proptest::collection::vec((-1e6f64..1e6, -1e6f64..1e6), 3..60)
        ) {
            let x: Vec<f64> = pairs.iter().map(|p| p.0).collect();
            let y: Vec<f64> = pairs.iter().map(|p| p.1).collect();
            if let Some(rho) = spearman(&x, &y) {
                prop_assert!((-1.0..=1.0).contains(&rho));
                let rescaled: Vec<f64> = y.iter().map(|v| v.mul_add(3.0, 7.0)).collect();
                let again = spearman(&x, &rescaled).unwrap();
                prop_assert!((rho - again).abs() < 1e-9);
                let flipped: Vec<f64> = y.iter().map(|v| -v).collect();
                prop_assert!((rho + spearman(&x, &flipped).unwrap()).abs() < 1e-9);
            }
            let groups: Vec<f64> = x.iter().map(|v| (v / 4e5).floor()).collect();
            if let Some(share) = between_group_share(&groups, &y) {
                prop_assert!((0.0..=1.0).contains(&share));
            }
        }
    }
}
