//! The exponential of many values at once, for the codec's activations: ELU, and the LSTM's
//! sigmoid and tanh.
//!
//! `exp(x) - 1` for `|x| ≤ 87`: `x = k ln 2 + r` with `|r| ≤ ½ ln 2` (`ln 2` in two parts, so that
//! `r` is exact), `exp(r) - 1` by its Taylor series to `r⁸/8!` (truncation below 2e-9), then
//! `2^k (exp(r) - 1) + (2^k - 1)`, in single precision and without calls or branches, on as
//! many values per instruction as the processor's widest vectors hold (chosen when it runs).
//! The rounding to the nearest integer uses the `1.5 · 2^23` trick (an addition and a
//! subtraction), which needs no rounding instruction. No multiply-add is fused, so every
//! vector width gives the same values. The result is within two units in the last place of
//! the exact value.

use pulp::{Simd, WithSimd};

/// `1.5 · 2^23`: added to a float of magnitude below 2^22, leaves its nearest integer in the
/// low bits of the mantissa.
const ROUNDER: f32 = 12_582_912.0;
/// `ln 2` split so that `k · LN_2_HIGH` is exact for the `k` that occur.
const LN_2_HIGH: f32 = 0.693_359_4;
const LN_2_LOW: f32 = -2.121_944_4e-4;

/// `exp(x) - 1` for `-87 ≤ x ≤ 87`, on a vector of values.
#[inline(always)]
fn exp_m1<S: Simd>(simd: S, x: S::f32s) -> S::f32s {
    let rounder = simd.splat_f32s(ROUNDER);
    let shifted = simd.add_f32s(
        simd.mul_f32s(x, simd.splat_f32s(std::f32::consts::LOG2_E)),
        rounder,
    );
    let k = simd.sub_f32s(shifted, rounder);
    let k_bits = simd.sub_u32s(
        simd.transmute_u32s_f32s(shifted),
        simd.splat_u32s(ROUNDER.to_bits()),
    );
    let r = simd.sub_f32s(
        simd.sub_f32s(x, simd.mul_f32s(k, simd.splat_f32s(LN_2_HIGH))),
        simd.mul_f32s(k, simd.splat_f32s(LN_2_LOW)),
    );
    let mut series = simd.splat_f32s(1.0 / 40_320.0);
    for coefficient in [
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
    ] {
        series = simd.add_f32s(simd.splat_f32s(coefficient), simd.mul_f32s(r, series));
    }
    let exp_m1_r = simd.add_f32s(r, simd.mul_f32s(simd.mul_f32s(r, r), series));
    let two_k = simd.transmute_f32s_u32s(simd.wrapping_dyn_shl_u32s(
        simd.add_u32s(k_bits, simd.splat_u32s(127)),
        simd.splat_u32s(23),
    ));
    simd.add_f32s(
        simd.mul_f32s(two_k, exp_m1_r),
        simd.sub_f32s(two_k, simd.splat_f32s(1.0)),
    )
}

/// ELU with alpha 1 in place: `x` for `x > 0`, else `exp(x) - 1`.
pub fn elu_in_place(values: &mut [f32]) {
    pulp::Arch::new().dispatch(Elu(values));
}

struct Elu<'a>(&'a mut [f32]);

impl WithSimd for Elu<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let (body, tail) = S::as_mut_simd_f32s(self.0);
        for v in body {
            *v = elu(simd, *v);
        }
        let last = elu(simd, simd.partial_load_f32s(tail));
        simd.partial_store_f32s(tail, last);
    }
}

#[inline(always)]
fn elu<S: Simd>(simd: S, v: S::f32s) -> S::f32s {
    let zero = simd.splat_f32s(0.0);
    // Below -87, exp(x) - 1 is -1 in f32 anyway.
    let clamped = simd.min_f32s(within_range(simd, v), zero);
    let negative = exp_m1(simd, clamped);
    simd.select_f32s_m32s(simd.greater_than_f32s(v, zero), v, negative)
}

/// `x` limited to `-87..=87`, where [`exp_m1`] holds.
#[inline(always)]
fn within_range<S: Simd>(simd: S, x: S::f32s) -> S::f32s {
    simd.min_f32s(
        simd.max_f32s(x, simd.splat_f32s(-87.0)),
        simd.splat_f32s(87.0),
    )
}

/// The logistic sigmoid `1 / (1 + exp(-x))`, within a few units in the last place.
#[inline(always)]
pub(crate) fn sigmoid<S: Simd>(simd: S, x: S::f32s) -> S::f32s {
    let negated = simd.sub_f32s(simd.splat_f32s(0.0), x);
    let m = exp_m1(simd, within_range(simd, negated));
    simd.div_f32s(simd.splat_f32s(1.0), simd.add_f32s(m, simd.splat_f32s(2.0)))
}

/// `tanh(x)` as `m / (m + 2)` with `m = exp(2x) - 1`, which keeps its relative precision near 0.
#[inline(always)]
pub(crate) fn tanh<S: Simd>(simd: S, x: S::f32s) -> S::f32s {
    let m = exp_m1(simd, within_range(simd, simd.add_f32s(x, x)));
    simd.div_f32s(m, simd.add_f32s(m, simd.splat_f32s(2.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elu_is_within_two_units_of_the_exact_value() {
        let mut x = -120.0f32;
        let mut values = Vec::new();
        while x < 3.0 {
            values.push(x);
            values.push(x * 1e-6);
            x += 0.000_37;
        }
        values.extend([0.0, -0.0, 1e-30, -1e-30, -f32::MIN_POSITIVE, f32::MAX]);
        let mut out = values.clone();
        elu_in_place(&mut out);
        for (&x, &y) in values.iter().zip(&out) {
            let exact = if x > 0.0 {
                f64::from(x)
            } else {
                f64::from(x).exp_m1()
            };
            let ulp = f64::from((exact as f32).abs().max(f32::MIN_POSITIVE) * f32::EPSILON);
            assert!(
                (f64::from(y) - exact).abs() <= 2.0 * ulp,
                "elu({x}) = {y}, exactly {exact}"
            );
        }
    }

    /// `function` on every value, one at a time (every vector width computes the same).
    fn apply(values: &[f32], function: fn(pulp::Scalar, f32) -> f32) -> Vec<f32> {
        values.iter().map(|&x| function(pulp::Scalar, x)).collect()
    }

    #[test]
    fn exp_m1_is_within_two_units_of_the_exact_value_over_its_range() {
        let mut x = -87.0f32;
        let mut values = vec![0.0, -0.0, 1e-30, -1e-30, 87.0];
        while x < 87.0 {
            values.extend([x, x * 1e-5]);
            x += 0.000_91;
        }
        for (&x, y) in values.iter().zip(apply(&values, exp_m1)) {
            let exact = f64::from(x).exp_m1();
            let ulp = f64::from((exact as f32).abs().max(f32::MIN_POSITIVE) * f32::EPSILON);
            assert!(
                (f64::from(y) - exact).abs() <= 2.0 * ulp,
                "exp_m1({x}) = {y}, exactly {exact}"
            );
        }
    }

    #[test]
    fn sigmoid_and_tanh_are_within_a_few_units_of_the_exact_value() {
        let mut x = -100.0f32;
        let mut values = vec![0.0, -0.0, 1e-30, -1e-30, 1e-8, -1e-8, f32::MAX, f32::MIN];
        while x < 100.0 {
            values.extend([x, x * 1e-4]);
            x += 0.001_3;
        }
        let sigmoids = apply(&values, sigmoid);
        let tanhs = apply(&values, tanh);
        for ((&x, &s), &t) in values.iter().zip(&sigmoids).zip(&tanhs) {
            let x64 = f64::from(x);
            for (what, got, exact) in [
                ("sigmoid", s, 1.0 / (1.0 + (-x64).exp())),
                ("tanh", t, x64.tanh()),
            ] {
                // Beyond ±87 the results saturate; below f32's smallest normal, absolute.
                let ulp = f64::from((exact as f32).abs().max(f32::MIN_POSITIVE) * f32::EPSILON);
                let allowed = if x64.abs() > 87.0 { 1e-37 } else { 4.0 * ulp };
                assert!(
                    (f64::from(got) - exact).abs() <= allowed,
                    "{what}({x}) = {got}, exactly {exact}"
                );
            }
        }
    }
}
