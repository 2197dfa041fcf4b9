//! The Snake activation of DAC (`Snake1d`): `x + sin²(αx) / (α + 1e-9)`, one α per channel,
//! on as many values per instruction as the processor's widest vectors hold.
//!
//! Only the square of the sine is needed, which is that of `r = αx - kπ` for the nearest
//! integer `k`: `π` in three parts (the first two short enough that `k` times them is exact for
//! `|k| ≤ 2^12`), then `sin r` for `|r| ≤ π/2` by its Taylor series to `r¹³/13!` (truncation
//! below 6e-10). No multiply-add is fused, so every vector width gives the same values; the
//! sine is within a few units in the last place of the exact value. Values with `|αx|` beyond
//! [`REDUCED_RANGE`] (none in a working model) take the library's `sin` instead.

use ndarray::Array2;
use pulp::{Simd, WithSimd};

use super::weights::Weights;
use crate::error::Result;

/// `|αx|` up to which the vector path's reduction holds: `2^12 · π`.
const REDUCED_RANGE: f32 = 12_867.964;
/// `1.5 · 2^23`: added to a float of magnitude below 2^22, leaves its nearest integer in the
/// low bits of the mantissa.
const ROUNDER: f32 = 12_582_912.0;
/// `π` in three parts: `PI_1` and `PI_2` have few enough significant bits that `k · PI_1` and
/// `k · PI_2` are exact for the `k` of [`REDUCED_RANGE`].
const PI_1: f32 = 3.140_625;
const PI_2: f32 = 9.675_026e-4;
const PI_3: f32 = 1.509_958e-7;

/// `Snake1d`'s α of each channel, and `1 / (α + 1e-9)`.
#[derive(Debug, Clone)]
pub(super) struct Snake {
    alpha: Vec<f32>,
    inverse: Vec<f32>,
}

impl Snake {
    /// The α values at `prefix.alpha`, shape `[1, channels, 1]`.
    pub(super) fn load(weights: &mut Weights, prefix: &str, channels: usize) -> Result<Self> {
        let alpha = weights.take(&format!("{prefix}.alpha"), &[1, channels, 1])?;
        let inverse = alpha.iter().map(|&a| 1.0 / (a + 1e-9)).collect();
        Ok(Self { alpha, inverse })
    }

    /// Applies the activation to `x` (`[channels, time]`) in place.
    pub(super) fn apply(&self, x: &mut Array2<f32>) {
        for ((mut row, &alpha), &inverse) in x.outer_iter_mut().zip(&self.alpha).zip(&self.inverse)
        {
            match row.as_slice_mut() {
                Some(values) => pulp::Arch::new().dispatch(SnakeRow {
                    values,
                    alpha,
                    inverse,
                }),
                None => row.mapv_inplace(|v| snake_scalar(v, alpha, inverse)),
            }
        }
    }
}

/// The activation of one value through the library's `sin`.
fn snake_scalar(v: f32, alpha: f32, inverse: f32) -> f32 {
    let sine = (alpha * v).sin();
    v + inverse * (sine * sine)
}

struct SnakeRow<'a> {
    values: &'a mut [f32],
    alpha: f32,
    inverse: f32,
}

impl WithSimd for SnakeRow<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let (alpha, inverse) = (self.alpha, self.inverse);
        let mut beyond = false;
        let (body, tail) = S::as_mut_simd_f32s(self.values);
        for v in body.iter_mut() {
            let (out, far) = snake(simd, *v, alpha, inverse);
            *v = out;
            beyond |= far;
        }
        let (out, far) = snake(simd, simd.partial_load_f32s(tail), alpha, inverse);
        simd.partial_store_f32s(tail, out);
        beyond |= far;
        if beyond {
            // Rare: the values out of the reduction's range were left as they came in
            // (`snake` selects them unchanged), so the library computes them now.
            for v in self.values.iter_mut() {
                if (alpha * *v).abs() > REDUCED_RANGE {
                    *v = snake_scalar(*v, alpha, inverse);
                }
            }
        }
    }
}

/// `x + sin²(αx) · inverse` on a vector, and whether any lane's `|αx|` is beyond
/// [`REDUCED_RANGE`] (left unchanged, for the caller to compute).
#[inline(always)]
fn snake<S: Simd>(simd: S, x: S::f32s, alpha: f32, inverse: f32) -> (S::f32s, bool) {
    let t = simd.mul_f32s(simd.splat_f32s(alpha), x);
    let rounder = simd.splat_f32s(ROUNDER);
    let k = simd.sub_f32s(
        simd.add_f32s(
            simd.mul_f32s(t, simd.splat_f32s(std::f32::consts::FRAC_1_PI)),
            rounder,
        ),
        rounder,
    );
    let r = simd.sub_f32s(
        simd.sub_f32s(
            simd.sub_f32s(t, simd.mul_f32s(k, simd.splat_f32s(PI_1))),
            simd.mul_f32s(k, simd.splat_f32s(PI_2)),
        ),
        simd.mul_f32s(k, simd.splat_f32s(PI_3)),
    );
    let r2 = simd.mul_f32s(r, r);
    // sin r = r (1 - r²/3! + r⁴/5! - ... - r¹²/13!), Horner from the last term.
    let mut series = simd.splat_f32s(-1.0 / 6_227_020_800.0);
    for coefficient in [
        1.0 / 39_916_800.0,
        -1.0 / 362_880.0,
        1.0 / 5_040.0,
        -1.0 / 120.0,
        1.0 / 6.0,
    ] {
        series = simd.add_f32s(simd.splat_f32s(coefficient), simd.mul_f32s(r2, series));
    }
    // The signs above alternate from 1/3! on: 1 - r²(1/3! - r²(1/5! - ...)).
    let sine = simd.mul_f32s(
        r,
        simd.sub_f32s(simd.splat_f32s(1.0), simd.mul_f32s(r2, series)),
    );
    let out = simd.add_f32s(
        x,
        simd.mul_f32s(simd.splat_f32s(inverse), simd.mul_f32s(sine, sine)),
    );
    let abs_t = simd.abs_f32s(t);
    let far = simd.greater_than_f32s(abs_t, simd.splat_f32s(REDUCED_RANGE));
    let far_any = simd.first_true_m32s(far) < S::F32_LANES;
    (simd.select_f32s_m32s(far, x, out), far_any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vector_sine_squared_is_within_a_few_units_of_the_library_and_far_values_are_exact() {
        let mut worst = 0f64;
        let values: Vec<f32> = (0..200_000)
            .map(|i| (i as f32 - 100_000.0) * 0.013_7)
            .chain([0.0, -0.0, 1e-30, 5_000.0, -12_000.0])
            .collect();
        for alpha in [0.5f32, 1.0, 1.37] {
            let inverse = 1.0 / (alpha + 1e-9);
            let mut x = Array2::from_shape_vec((1, values.len()), values.clone()).unwrap();
            let snake = Snake {
                alpha: vec![alpha],
                inverse: vec![inverse],
            };
            snake.apply(&mut x);
            for (&v, &ours) in values.iter().zip(x.iter()) {
                let exact =
                    f64::from(v) + f64::from(inverse) * (f64::from(alpha * v)).sin().powi(2);
                let scale = f64::from(v).abs().max(f64::from(inverse)).max(1e-30);
                worst = worst.max((f64::from(ours) - exact).abs() / scale);
            }
        }
        // A few float32 units (6e-8 each) of the larger of |x| and 1/α.
        assert!(worst < 4e-7, "{worst}");
        // Beyond the reduced range: the library's sine, exactly.
        let far = 30_000.0f32;
        let mut x = Array2::from_shape_vec((1, 3), vec![far, 1.0, -far]).unwrap();
        let snake = Snake {
            alpha: vec![1.0],
            inverse: vec![1.0 / (1.0 + 1e-9)],
        };
        snake.apply(&mut x);
        assert_eq!(x[[0, 0]], snake_scalar(far, 1.0, 1.0 / (1.0 + 1e-9)));
        assert_eq!(x[[0, 2]], snake_scalar(-far, 1.0, 1.0 / (1.0 + 1e-9)));
    }
}
