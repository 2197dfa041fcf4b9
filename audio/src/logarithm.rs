//! Logarithms of many values at once, for log-scale features.
//!
//! A spectrogram of ten minutes holds millions of values, and a call to the C library's `logf`
//! per value costs more than the FFT that made them. Here a logarithm is a few arithmetic steps
//! that run over several values per instruction (the widest vectors the processor has, chosen
//! when it runs; nothing fused, so every width gives the same values): the exponent is read
//! from the bits of the `f32`, the mantissa `m` is brought into `[√½, √2)`, and `ln m` is the
//! series `2 (s + s³/3 + … + s¹³/13)` with `s = (m - 1) / (m + 1)`, `|s| < 0.172`, evaluated in
//! double precision (truncation error below 1e-12). The result, rounded once to `f32`, is the
//! correctly rounded logarithm or one unit in the last place from it, as the C library's is.
//! Values that are not positive normal numbers (zero, subnormal, infinite, NaN) take the C
//! library's path.

/// `ln 2`.
const LN_2: f64 = std::f64::consts::LN_2;

/// The natural logarithm of a positive normal `f32`, in double precision.
#[inline(always)]
fn ln_normal(x: f32) -> f64 {
    let bits = x.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32 - 127;
    // The mantissa with the exponent of 1.0: m in [1, 2).
    let m = f64::from(f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000));
    // Into [√½, √2): halve m and count one more in the exponent.
    let high = m > std::f64::consts::SQRT_2;
    let m = if high { m * 0.5 } else { m };
    let exponent = f64::from(exponent + i32::from(high));
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let series = 1.0
        + s2 * (1.0 / 3.0
            + s2 * (1.0 / 5.0
                + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0 + s2 * (1.0 / 13.0))))));
    exponent * LN_2 + 2.0 * s * series
}

/// Replaces every value `x` by `scale · ln(x) + offset` (all values are expected positive;
/// see [`crate::db`] and [`crate::features`] for the floors applied before).
pub fn scaled_ln_in_place(values: &mut [f32], scale: f64, offset: f64) {
    let usual = |x: f32| x.is_normal() && x > 0.0;
    // A check over all values first keeps the main loop free of calls, so that it vectorises.
    if values.iter().fold(true, |all, &x| all & usual(x)) {
        pulp::Arch::new().dispatch(ScaledLn {
            values,
            scale,
            offset,
        });
    } else {
        for v in values.iter_mut() {
            let ln = if usual(*v) {
                ln_normal(*v)
            } else {
                f64::from(v.ln())
            };
            *v = (scale * ln + offset) as f32;
        }
    }
}

/// The loop over usual values, compiled for the widest vectors the processor has (chosen when
/// it runs); no operation is fused, so every width gives the same values.
struct ScaledLn<'a> {
    values: &'a mut [f32],
    scale: f64,
    offset: f64,
}

impl pulp::WithSimd for ScaledLn<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        for v in self.values.iter_mut() {
            *v = (self.scale * ln_normal(*v) + self.offset) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logarithms_are_within_one_unit_of_the_exact_value() {
        let mut x = 1.0e-38f32;
        let mut values = Vec::new();
        while x < 3.0e38 {
            values.push(x);
            x *= 1.000_37;
        }
        values.extend([1.0, 2.0, 0.5, std::f32::consts::SQRT_2, 1e-10, f32::EPSILON]);
        let mut logs = values.clone();
        scaled_ln_in_place(&mut logs, 1.0, 0.0);
        for (&x, &ln) in values.iter().zip(&logs) {
            let exact = f64::from(x).ln();
            let ulp = (exact as f32).abs().max(f32::MIN_POSITIVE) * f32::EPSILON;
            assert!(
                (f64::from(ln) - exact).abs() <= f64::from(ulp),
                "ln {x}: {ln} vs {exact}"
            );
        }
        assert_eq!(logs[values.len() - 6], 0.0);
        let mut odd = [0.0, 1e-45, f32::INFINITY];
        scaled_ln_in_place(&mut odd, 1.0, 0.0);
        assert_eq!(odd[0], f32::NEG_INFINITY);
        assert!((odd[1] - 1e-45f32.ln()).abs() < 1e-3);
        assert_eq!(odd[2], f32::INFINITY);
    }
}
