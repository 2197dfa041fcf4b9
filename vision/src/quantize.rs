//! Weight-free discrete codes for vectors (of patches, or any latents), equal to the PyPI
//! package vector-quantize-pytorch:
//!
//! - FSQ, finite scalar quantisation (Mentzer et al., 2023): with levels `L_1 .. L_d`, each
//!   value is bounded `tanh(z + s) · h - o` (`h = (L - 1)(1 + 10⁻³) / 2`, `o = ½` for even `L`
//!   else 0, `s = atanh(o / h)`), rounded half to even, and shifted to a digit `0 .. L - 1`;
//!   the index is the mixed-radix number of the digits, the first level least significant
//!   (`[8,8,8,5,5,5]`: 64,000 codes). The arithmetic is `f32`, as the package forces it.
//! - LFQ, lookup-free quantisation (Yu et al., 2023): each of `k` values contributes bit
//!   `value > 0`, the first value the most significant (2^k codes).
//!
//! Both decode an index back to its code: FSQ digits scaled to `[-1, 1]` (`(digit - ⌊L/2⌋) /
//! ⌊L/2⌋`), LFQ bits as ±1.

use crate::error::{Result, VisionError};

/// A quantiser.
#[derive(Debug, Clone, PartialEq)]
pub enum Quantizer {
    Fsq { levels: Vec<u32> },
    Lfq { bits: u32 },
}

impl Quantizer {
    /// `fsq:8,8,8,5,5,5` or `lfq:18`.
    pub fn parse(spec: &str) -> Result<Self> {
        fn bad<T>(m: String) -> Result<T> {
            Err(VisionError::BadParameter(m))
        }
        let (kind, rest) = spec.split_once(':').unwrap_or((spec, ""));
        match kind {
            "fsq" => {
                let mut levels = Vec::new();
                for level in rest.split(',') {
                    match level.trim().parse::<u32>() {
                        Ok(l) => levels.push(l),
                        Err(_) => {
                            return bad(format!("{spec}: level {level:?} is not a whole number"))
                        }
                    }
                }
                if levels.is_empty() || levels.iter().any(|&l| l < 2) {
                    return bad(format!("{spec}: FSQ levels must each be at least 2"));
                }
                let size = levels
                    .iter()
                    .try_fold(1u64, |n, &l| n.checked_mul(u64::from(l)));
                if size.is_none_or(|n| n > 1 << 32) {
                    return bad(format!("{spec}: more than 2^32 codes"));
                }
                Ok(Quantizer::Fsq { levels })
            }
            "lfq" => {
                let Ok(bits) = rest.trim().parse::<u32>() else {
                    return bad(format!("{spec}: the bit count {rest:?} is not a number"));
                };
                if !(1..=32).contains(&bits) {
                    return bad(format!("{spec}: LFQ takes 1 to 32 bits"));
                }
                Ok(Quantizer::Lfq { bits })
            }
            _ => bad(format!(
                "unknown quantizer {spec:?}; fsq:L1,L2,... or lfq:BITS"
            )),
        }
    }

    /// The spec that [`Quantizer::parse`] reads back: `fsq:8,8,8,5,5,5` or `lfq:18`.
    pub fn spec(&self) -> String {
        match self {
            Quantizer::Fsq { levels } => {
                let levels: Vec<String> = levels.iter().map(u32::to_string).collect();
                format!("fsq:{}", levels.join(","))
            }
            Quantizer::Lfq { bits } => format!("lfq:{bits}"),
        }
    }

    /// Values per vector.
    pub fn dim(&self) -> usize {
        match self {
            Quantizer::Fsq { levels } => levels.len(),
            Quantizer::Lfq { bits } => *bits as usize,
        }
    }

    /// Number of distinct codes.
    pub fn codebook_size(&self) -> u64 {
        match self {
            Quantizer::Fsq { levels } => levels.iter().map(|&l| u64::from(l)).product(),
            Quantizer::Lfq { bits } => 1u64 << bits,
        }
    }

    /// The index of one vector of [`Quantizer::dim`] values.
    pub fn index(&self, vector: &[f32]) -> u32 {
        match self {
            Quantizer::Fsq { levels } => {
                let mut index = 0u64;
                let mut basis = 1u64;
                for (&z, &level) in vector.iter().zip(levels) {
                    index += u64::from(fsq_digit(z, level)) * basis;
                    basis *= u64::from(level);
                }
                index as u32
            }
            Quantizer::Lfq { bits } => vector
                .iter()
                .take(*bits as usize)
                .fold(0u32, |index, &v| (index << 1) | u32::from(v > 0.0)),
        }
    }

    /// Indices of `vectors`, [`Quantizer::dim`] values each, one after another.
    pub fn indices(&self, vectors: &[f32]) -> Result<Vec<u32>> {
        let dim = self.dim();
        if vectors.len() % dim != 0 {
            return Err(VisionError::BadParameter(format!(
                "{} values are not whole vectors of {dim}",
                vectors.len()
            )));
        }
        Ok(vectors.chunks_exact(dim).map(|v| self.index(v)).collect())
    }

    /// The code of `index`: [`Quantizer::dim`] values.
    pub fn code(&self, index: u32) -> Result<Vec<f32>> {
        if u64::from(index) >= self.codebook_size() {
            return Err(VisionError::BadParameter(format!(
                "index {index} is outside the {} codes",
                self.codebook_size()
            )));
        }
        Ok(match self {
            Quantizer::Fsq { levels } => {
                let mut rest = index;
                levels
                    .iter()
                    .map(|&level| {
                        let digit = rest % level;
                        rest /= level;
                        let half = (level / 2) as f32;
                        (digit as f32 - half) / half
                    })
                    .collect()
            }
            Quantizer::Lfq { bits } => (0..*bits)
                .rev()
                .map(|bit| if index >> bit & 1 == 1 { 1.0 } else { -1.0 })
                .collect(),
        })
    }
}

/// The FSQ digit `0 .. level - 1` of one value.
fn fsq_digit(z: f32, level: u32) -> u32 {
    let half_l = (level - 1) as f32 * (1.0 + 1e-3) / 2.0;
    let offset = if level % 2 == 0 { 0.5f32 } else { 0.0 };
    let shift = (offset / half_l).atanh();
    let bounded = (z + shift).tanh() * half_l - offset;
    let rounded = bounded.round_ties_even() as i64 + i64::from(level / 2);
    rounded.clamp(0, i64::from(level) - 1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_sizes_and_round_trips() {
        let fsq = Quantizer::parse("fsq:8,8,8,5,5,5").unwrap();
        assert_eq!((fsq.dim(), fsq.codebook_size()), (6, 64_000));
        assert_eq!(fsq.spec(), "fsq:8,8,8,5,5,5");
        let lfq = Quantizer::parse("lfq:18").unwrap();
        assert_eq!((lfq.dim(), lfq.codebook_size()), (18, 1 << 18));
        for index in [0, 1, 777, 63_999] {
            // LFQ codes are their own latents; FSQ codes are digits scaled to [-1, 1].
            assert_eq!(lfq.index(&lfq.code(index).unwrap()), index);
            let code = fsq.code(index).unwrap();
            let (mut back, mut basis) = (0, 1);
            for (value, level) in code.iter().zip([8, 8, 8, 5, 5, 5]) {
                let half = (level / 2) as f32;
                back += (value * half + half) as u32 * basis;
                basis *= level;
            }
            assert_eq!(back, index);
        }
        assert_eq!(lfq.index(&[1.0; 18]), (1 << 18) - 1);
        assert!(fsq.code(64_000).is_err());
        for bad in ["fsq:8,1", "fsq:", "lfq:0", "lfq:x", "vq:3"] {
            assert!(Quantizer::parse(bad).is_err(), "{bad}");
        }
    }
}
