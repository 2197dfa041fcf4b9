//! Multi-codebook audio codes as one sequence of IDs, by a named scheme, and back.
//!
//! The codes of a residual vector quantiser are `[codebooks, frames]`; codebook `k` owns the
//! IDs `offset + k · codebook_size ..` so that every position says which codebook it is.
//!
//! - `interleave` (AnyGPT): frame by frame, each frame's codebooks in order.
//! - `sequential` (MIO): codebook by codebook, each codebook's frames in order.
//! - `delay` (MusicGen, Moshi): codebook `k` delayed by `k` steps; `frames + codebooks - 1`
//!   steps of `codebooks` IDs each, the positions before a codebook starts and after it ends
//!   holding the pad ID.

use serde::{Deserialize, Serialize};

use crate::{TokenId, VocabError};

/// How codes of several codebooks are laid out in one sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flatten {
    Interleave,
    Sequential,
    Delay,
}

impl Flatten {
    /// `interleave`, `sequential` or `delay`.
    pub fn parse(name: &str) -> Result<Self, VocabError> {
        match name {
            "interleave" => Ok(Self::Interleave),
            "sequential" => Ok(Self::Sequential),
            "delay" => Ok(Self::Delay),
            other => Err(VocabError::BadParameter(format!(
                "unknown flattening {other:?}; the schemes are interleave, sequential, delay"
            ))),
        }
    }

    /// The scheme's name.
    /// The scheme used when none is named.
    pub const DEFAULT: Flatten = Flatten::Interleave;

    pub fn name(self) -> &'static str {
        match self {
            Self::Interleave => "interleave",
            Self::Sequential => "sequential",
            Self::Delay => "delay",
        }
    }
}

/// Codes of `codebooks` codebooks over `frames` frames, `[codebooks, frames]` row after row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioCodes {
    pub codebooks: usize,
    pub frames: usize,
    pub codes: Vec<u32>,
}

impl AudioCodes {
    /// Codes from `[codebooks, frames]` values; the length must match.
    pub fn new(codebooks: usize, frames: usize, codes: Vec<u32>) -> Result<Self, VocabError> {
        if codebooks.checked_mul(frames) != Some(codes.len()) {
            return Err(VocabError::BadParameter(format!(
                "{} codes are not {codebooks} codebooks x {frames} frames",
                codes.len()
            )));
        }
        Ok(Self {
            codebooks,
            frames,
            codes,
        })
    }

    /// Code of codebook `k` at frame `t`.
    pub fn get(&self, k: usize, t: usize) -> u32 {
        self.codes[k * self.frames + t]
    }
}

/// Where the codebooks' IDs lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodebookIds {
    pub offset: TokenId,
    pub codebooks: usize,
    pub codebook_size: u32,
    /// The pad ID of the delay scheme.
    pub pad: Option<TokenId>,
}

impl CodebookIds {
    fn id(&self, k: usize, code: u32) -> Result<TokenId, VocabError> {
        if code >= self.codebook_size {
            return Err(VocabError::BadParameter(format!(
                "code {code} of codebook {k} is outside its {} codes",
                self.codebook_size
            )));
        }
        Ok(self.offset + k as u32 * self.codebook_size + code)
    }

    /// The code of `id` at `position` in codebook `k`, or an error naming both.
    fn code(&self, k: usize, id: TokenId, position: usize) -> Result<u32, VocabError> {
        let first = self.offset + k as u32 * self.codebook_size;
        if id < first || id - first >= self.codebook_size {
            return Err(VocabError::BadStream {
                position,
                message: format!(
                    "ID {id} is not a code of audio codebook {k} ({first}..{})",
                    first + self.codebook_size
                ),
            });
        }
        Ok(id - first)
    }

    fn pad(&self) -> Result<TokenId, VocabError> {
        self.pad.ok_or_else(|| {
            VocabError::BadParameter("the delay scheme needs a pad ID; this layout has none".into())
        })
    }
}

impl Flatten {
    /// Number of IDs `frames` frames take.
    pub fn len(self, codebooks: usize, frames: usize) -> usize {
        match self {
            Self::Interleave | Self::Sequential => codebooks * frames,
            Self::Delay if frames == 0 => 0,
            Self::Delay => (frames + codebooks - 1) * codebooks,
        }
    }

    /// The IDs of `codes`, appended to `out`.
    pub fn flatten(
        self,
        codes: &AudioCodes,
        ids: &CodebookIds,
        out: &mut Vec<TokenId>,
    ) -> Result<(), VocabError> {
        let (n, frames) = (codes.codebooks, codes.frames);
        if n != ids.codebooks {
            return Err(VocabError::BadParameter(format!(
                "{n} codebooks of codes for a layout of {} codebooks",
                ids.codebooks
            )));
        }
        out.reserve(self.len(n, frames));
        match self {
            Self::Interleave => {
                for t in 0..frames {
                    for k in 0..n {
                        out.push(ids.id(k, codes.get(k, t))?);
                    }
                }
            }
            Self::Sequential => {
                for k in 0..n {
                    for t in 0..frames {
                        out.push(ids.id(k, codes.get(k, t))?);
                    }
                }
            }
            Self::Delay => {
                let pad = ids.pad()?;
                for step in 0..self.len(n, frames) / n.max(1) {
                    for k in 0..n {
                        out.push(match step.checked_sub(k).filter(|&t| t < frames) {
                            Some(t) => ids.id(k, codes.get(k, t))?,
                            None => pad,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// The codes of `flat`, whose first ID sits at `position` of the whole stream (for errors).
    pub fn unflatten(
        self,
        flat: &[TokenId],
        ids: &CodebookIds,
        position: usize,
    ) -> Result<AudioCodes, VocabError> {
        let n = ids.codebooks;
        if n == 0 {
            return Err(VocabError::BadParameter("a layout of 0 codebooks".into()));
        }
        let steps = flat.len() / n;
        if flat.len() % n != 0 {
            return Err(VocabError::BadStream {
                position: position + steps * n,
                message: format!(
                    "the audio ends inside a frame: {} IDs are not whole frames of {n} codebooks",
                    flat.len()
                ),
            });
        }
        let frames = match self {
            Self::Interleave | Self::Sequential => steps,
            Self::Delay if steps == 0 => 0,
            Self::Delay if steps < n => {
                return Err(VocabError::BadStream {
                    position,
                    message: format!(
                        "{steps} delayed steps cannot hold {n} codebooks (at least {n} are needed)"
                    ),
                })
            }
            Self::Delay => steps + 1 - n,
        };
        let mut codes = vec![0u32; n * frames];
        for (i, &id) in flat.iter().enumerate() {
            let (k, t) = match self {
                Self::Interleave => (i % n, Some(i / n)),
                Self::Sequential => (i / frames.max(1), Some(i % frames.max(1))),
                Self::Delay => (i % n, (i / n).checked_sub(i % n).filter(|&t| t < frames)),
            };
            match t {
                Some(t) => codes[k * frames + t] = ids.code(k, id, position + i)?,
                None if Some(id) == ids.pad => {}
                None => {
                    return Err(VocabError::BadStream {
                        position: position + i,
                        message: format!("ID {id} where the delay scheme's pad belongs"),
                    })
                }
            }
        }
        AudioCodes::new(n, frames, codes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> CodebookIds {
        CodebookIds {
            offset: 100,
            codebooks: 3,
            codebook_size: 10,
            pad: Some(99),
        }
    }

    fn codes() -> AudioCodes {
        // codebook k, frame t: code 3k + t.
        AudioCodes::new(3, 2, vec![0, 1, 3, 4, 6, 7]).expect("sized")
    }

    #[test]
    fn each_scheme_lays_out_as_documented() {
        let cases = [
            (Flatten::Interleave, vec![100, 113, 126, 101, 114, 127]),
            (Flatten::Sequential, vec![100, 101, 113, 114, 126, 127]),
            // Steps: [c0t0, pad, pad], [c0t1, c1t0, pad], [pad, c1t1, c2t0], [pad, pad, c2t1].
            (
                Flatten::Delay,
                vec![100, 99, 99, 101, 113, 99, 99, 114, 126, 99, 99, 127],
            ),
        ];
        for (scheme, expected) in cases {
            let mut flat = Vec::new();
            scheme.flatten(&codes(), &ids(), &mut flat).expect("flat");
            assert_eq!(flat, expected, "{scheme:?}");
            assert_eq!(flat.len(), scheme.len(3, 2));
            assert_eq!(scheme.unflatten(&flat, &ids(), 0).expect("back"), codes());
        }
    }

    #[test]
    fn corrupt_streams_name_the_position() {
        let mut flat = Vec::new();
        Flatten::Interleave
            .flatten(&codes(), &ids(), &mut flat)
            .expect("flat");
        flat[4] = 101; // a codebook-0 ID where codebook 1 belongs
        let error = Flatten::Interleave
            .unflatten(&flat, &ids(), 50)
            .unwrap_err();
        assert!(
            matches!(error, VocabError::BadStream { position: 54, .. }),
            "{error}"
        );
        let error = Flatten::Interleave
            .unflatten(&flat[..5], &ids(), 0)
            .unwrap_err();
        assert!(error.to_string().contains("inside a frame"), "{error}");
        let mut delayed = Vec::new();
        Flatten::Delay
            .flatten(&codes(), &ids(), &mut delayed)
            .expect("flat");
        delayed[1] = 110;
        let error = Flatten::Delay.unflatten(&delayed, &ids(), 0).unwrap_err();
        assert!(error.to_string().contains("pad belongs"), "{error}");
        assert!(Flatten::parse("zigzag").is_err());
        let big = AudioCodes::new(3, 1, vec![0, 10, 0]).expect("sized");
        assert!(Flatten::Sequential
            .flatten(&big, &ids(), &mut Vec::new())
            .is_err());
    }

    #[test]
    fn random_codes_round_trip_in_every_scheme() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for _ in 0..200 {
            let (n, frames, size) = (
                rng.random_range(1..9),
                rng.random_range(0..40),
                rng.random_range(1..2048),
            );
            let ids = CodebookIds {
                offset: rng.random_range(0..1_000_000),
                codebooks: n,
                codebook_size: size,
                pad: Some(7),
            };
            let values = (0..n * frames).map(|_| rng.random_range(0..size)).collect();
            let codes = AudioCodes::new(n, frames, values).expect("sized");
            for scheme in [Flatten::Interleave, Flatten::Sequential, Flatten::Delay] {
                let mut flat = Vec::new();
                scheme.flatten(&codes, &ids, &mut flat).expect("flat");
                assert_eq!(flat.len(), scheme.len(n, frames));
                assert_eq!(scheme.unflatten(&flat, &ids, 0).expect("back"), codes);
            }
        }
    }

    #[test]
    fn empty_codes_round_trip() {
        for scheme in [Flatten::Interleave, Flatten::Sequential, Flatten::Delay] {
            let empty = AudioCodes::new(3, 0, vec![]).expect("sized");
            let mut flat = Vec::new();
            scheme.flatten(&empty, &ids(), &mut flat).expect("flat");
            assert!(flat.is_empty());
            assert_eq!(scheme.unflatten(&flat, &ids(), 0).expect("back"), empty);
        }
    }
}
