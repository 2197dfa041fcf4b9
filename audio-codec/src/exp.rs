//! The exponential of many values at once, for the ELU activations of the codec.
//!
//! `exp(x) - 1` for `x ≤ 0`: `x = k ln 2 + r` with `|r| ≤ ½ ln 2` (`ln 2` in two parts, so that
//! `r` is exact), `exp(r) - 1` by its Taylor series to `r⁸/8!` (truncation below 2e-9), then
//! `2^k (exp(r) - 1) + (2^k - 1)`, in single precision and without calls or branches, so that
//! the compiler runs the loop over several values per instruction. The rounding to the nearest
//! integer uses the `1.5 · 2^23` trick (an addition and a subtraction), which needs no rounding
//! instruction. The result is within two units in the last place of the exact value.

/// `1.5 · 2^23`: added to a float of magnitude below 2^22, leaves its nearest integer in the
/// low bits of the mantissa.
const ROUNDER: f32 = 12_582_912.0;
/// `ln 2` split so that `k · LN_2_HIGH` is exact for the `k` that occur.
const LN_2_HIGH: f32 = 0.693_359_4;
const LN_2_LOW: f32 = -2.121_944_4e-4;

/// `exp(x) - 1` for `-87 ≤ x ≤ 0`.
#[inline(always)]
fn exp_m1_non_positive(x: f32) -> f32 {
    let shifted = x * std::f32::consts::LOG2_E + ROUNDER;
    let k = shifted - ROUNDER;
    let k_bits = shifted.to_bits() as i32 - ROUNDER.to_bits() as i32;
    let r = (x - k * LN_2_HIGH) - k * LN_2_LOW;
    let series = 1.0 / 2.0
        + r * (1.0 / 6.0
            + r * (1.0 / 24.0
                + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5_040.0 + r / 40_320.0)))));
    let exp_m1_r = r + r * r * series;
    let two_k = f32::from_bits(((k_bits + 127) << 23) as u32);
    two_k * exp_m1_r + (two_k - 1.0)
}

/// ELU with alpha 1 in place: `x` for `x > 0`, else `exp(x) - 1`.
pub fn elu_in_place(values: &mut [f32]) {
    for v in values.iter_mut() {
        // Below -87, exp(x) - 1 is -1 in f32 anyway.
        let negative = exp_m1_non_positive(v.clamp(-87.0, 0.0));
        *v = if *v > 0.0 { *v } else { negative };
    }
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
}
