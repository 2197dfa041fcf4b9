//! Multi-codebook audio codes as one sequence of IDs, by a named scheme, and back.
//!
//! The codes of a residual vector quantiser are `[codebooks, frames]`; codebook `k` owns the
//! IDs `offset + k · codebook_size ..` so that every position says which codebook it is.
//!
//! - `interleave` (AnyGPT): frame by frame, each frame's codebooks in order.
//! - `sequential` (MIO): codebook by codebook, each codebook's frames in order.
//!
//! Codes at several rates (SNAC's levels: codebook `k` has `rate_k` codes per frame of the
//! coarsest codebook) flatten by the same two schemes: `interleave` gives, frame by frame, the
//! frame's codes of every level in time order, coarser levels first where codes start together
//! (the layout Orpheus TTS uses: rates 1, 2, 4 give `l0, l1, l2, l2, l1, l2, l2`), and
//! `sequential` gives level after level.
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

/// Codes of `codebooks` codebooks over `frames` frames: codebook after codebook, codebook `k`
/// holding `rates[k] · frames` codes (`[codebooks, frames]` row after row where every rate is 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioCodes {
    pub codebooks: usize,
    /// Frames of the coarsest codebook.
    pub frames: usize,
    pub codes: Vec<u32>,
    /// Codes per frame of each codebook (all 1 for codecs of one rate).
    pub rates: Vec<usize>,
}

impl AudioCodes {
    /// Codes from `[codebooks, frames]` values; the length must match.
    pub fn new(codebooks: usize, frames: usize, codes: Vec<u32>) -> Result<Self, VocabError> {
        Self::with_rates(vec![1; codebooks], frames, codes)
    }

    /// Codes at several rates: codebook `k` has `rates[k] · frames` of `codes`, codebook after
    /// codebook; the length must match.
    pub fn with_rates(
        rates: Vec<usize>,
        frames: usize,
        codes: Vec<u32>,
    ) -> Result<Self, VocabError> {
        let per_frame = rates.iter().try_fold(0usize, |sum, &r| sum.checked_add(r));
        if rates.contains(&0) || per_frame.and_then(|n| n.checked_mul(frames)) != Some(codes.len())
        {
            return Err(VocabError::BadParameter(format!(
                "{} codes are not {} codebooks x {frames} frames at rates {rates:?}",
                codes.len(),
                rates.len()
            )));
        }
        Ok(Self {
            codebooks: rates.len(),
            frames,
            codes,
            rates,
        })
    }

    /// Whether every codebook has one code per frame.
    pub fn is_one_rate(&self) -> bool {
        self.rates.iter().all(|&r| r == 1)
    }

    /// The codes of codebook `k`.
    pub fn codebook(&self, k: usize) -> &[u32] {
        let start: usize = self.rates[..k].iter().map(|r| r * self.frames).sum();
        &self.codes[start..start + self.rates[k] * self.frames]
    }

    /// Code of codebook `k` at frame `t` (codes of one rate).
    pub fn get(&self, k: usize, t: usize) -> u32 {
        self.codes[k * self.frames + t]
    }
}

/// The order of one frame's codes in the `interleave` scheme: `(codebook, code within the
/// frame)` in time order, coarser codebooks first where codes start together. Every rate must
/// divide the largest.
pub fn frame_order(rates: &[usize]) -> Result<Vec<(usize, usize)>, VocabError> {
    let finest = rates.iter().copied().max().unwrap_or(1);
    if rates.iter().any(|&r| r == 0 || finest % r != 0) {
        return Err(VocabError::BadParameter(format!(
            "codebook rates {rates:?}: every rate must divide the largest"
        )));
    }
    let mut order = Vec::with_capacity(rates.iter().sum());
    for step in 0..finest {
        for (k, &rate) in rates.iter().enumerate() {
            if step % (finest / rate) == 0 {
                order.push((k, step / (finest / rate)));
            }
        }
    }
    Ok(order)
}

/// Where the codebooks' IDs lie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodebookIds {
    pub offset: TokenId,
    pub codebooks: usize,
    pub codebook_size: u32,
    /// The pad ID of the delay scheme.
    pub pad: Option<TokenId>,
    /// Codes per frame of each codebook (all 1 for codecs of one rate).
    pub rates: Vec<usize>,
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
    /// Number of IDs `frames` frames of codes of one rate take.
    pub fn len(self, codebooks: usize, frames: usize) -> usize {
        match self {
            Self::Interleave | Self::Sequential => codebooks * frames,
            Self::Delay if frames == 0 => 0,
            Self::Delay => (frames + codebooks - 1) * codebooks,
        }
    }

    /// Refuses the delay scheme for codes at several rates.
    fn check_rates(self, rates: &[usize]) -> Result<(), VocabError> {
        if self == Self::Delay && rates.iter().any(|&r| r != 1) {
            return Err(VocabError::BadParameter(format!(
                "the delay scheme lays out codes of one rate; these codebooks have rates \
                 {rates:?} (use interleave or sequential)"
            )));
        }
        Ok(())
    }

    /// The IDs of `codes`, appended to `out`.
    pub fn flatten(
        self,
        codes: &AudioCodes,
        ids: &CodebookIds,
        out: &mut Vec<TokenId>,
    ) -> Result<(), VocabError> {
        let (n, frames) = (codes.codebooks, codes.frames);
        if n != ids.codebooks || codes.rates != ids.rates {
            return Err(VocabError::BadParameter(format!(
                "{n} codebooks of codes at rates {:?} for a layout of {} codebooks at rates {:?}",
                codes.rates, ids.codebooks, ids.rates
            )));
        }
        self.check_rates(&codes.rates)?;
        out.reserve(codes.codes.len());
        match self {
            Self::Interleave => {
                let order = frame_order(&codes.rates)?;
                let codebooks: Vec<&[u32]> = (0..n).map(|k| codes.codebook(k)).collect();
                for t in 0..frames {
                    for &(k, j) in &order {
                        out.push(ids.id(k, codebooks[k][t * codes.rates[k] + j])?);
                    }
                }
            }
            Self::Sequential => {
                for k in 0..n {
                    for &code in codes.codebook(k) {
                        out.push(ids.id(k, code)?);
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
        if n == 0 || ids.rates.len() != n {
            return Err(VocabError::BadParameter(format!(
                "a layout of {n} codebooks at rates {:?}",
                ids.rates
            )));
        }
        self.check_rates(&ids.rates)?;
        if ids.rates.iter().any(|&r| r != 1) {
            return self.unflatten_rates(flat, ids, position);
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

    /// [`Flatten::unflatten`] of codes at several rates (interleave or sequential).
    fn unflatten_rates(
        self,
        flat: &[TokenId],
        ids: &CodebookIds,
        position: usize,
    ) -> Result<AudioCodes, VocabError> {
        let rates = &ids.rates;
        let per_frame: usize = rates.iter().sum();
        let frames = flat.len() / per_frame;
        if flat.len() % per_frame != 0 {
            return Err(VocabError::BadStream {
                position: position + frames * per_frame,
                message: format!(
                    "the audio ends inside a frame: {} IDs are not whole frames of {per_frame} \
                     codes (codebook rates {rates:?})",
                    flat.len()
                ),
            });
        }
        // Where each codebook starts among the codes, codebook after codebook.
        let starts: Vec<usize> = rates
            .iter()
            .scan(0, |start, &rate| {
                let here = *start;
                *start += rate * frames;
                Some(here)
            })
            .collect();
        let mut codes = vec![0u32; flat.len()];
        match self {
            Self::Interleave => {
                let order = frame_order(rates)?;
                for (i, &id) in flat.iter().enumerate() {
                    let (k, j) = order[i % per_frame];
                    let t = i / per_frame;
                    codes[starts[k] + t * rates[k] + j] = ids.code(k, id, position + i)?;
                }
            }
            Self::Sequential | Self::Delay => {
                for (i, &id) in flat.iter().enumerate() {
                    let k = starts.iter().rposition(|&start| start <= i).unwrap_or(0);
                    codes[i] = ids.code(k, id, position + i)?;
                }
            }
        }
        AudioCodes::with_rates(rates.clone(), frames, codes)
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
            rates: vec![1; 3],
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
                rates: vec![1; n],
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
    fn codes_at_several_rates_lay_out_in_time_order_or_level_by_level() {
        assert_eq!(
            frame_order(&[1, 2, 4]).expect("divides"),
            [(0, 0), (1, 0), (2, 0), (2, 1), (1, 1), (2, 2), (2, 3)]
        );
        assert!(frame_order(&[2, 3]).is_err());
        let ids = CodebookIds {
            offset: 100,
            codebooks: 3,
            codebook_size: 10,
            pad: None,
            rates: vec![1, 2, 4],
        };
        // Two frames: level 0 [0, 1], level 1 [2, 3, 4, 5], level 2 [6, 7, 8, 9, 0, 1, 2, 3].
        let codes = AudioCodes::with_rates(
            vec![1, 2, 4],
            2,
            vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3],
        )
        .expect("sized");
        assert_eq!(codes.codebook(1), [2, 3, 4, 5]);
        let cases = [
            (
                Flatten::Interleave,
                vec![
                    100, 112, 126, 127, 113, 128, 129, 101, 114, 120, 121, 115, 122, 123,
                ],
            ),
            (
                Flatten::Sequential,
                vec![
                    100, 101, 112, 113, 114, 115, 126, 127, 128, 129, 120, 121, 122, 123,
                ],
            ),
        ];
        for (scheme, expected) in cases {
            let mut flat = Vec::new();
            scheme.flatten(&codes, &ids, &mut flat).expect("flat");
            assert_eq!(flat, expected, "{scheme:?}");
            assert_eq!(scheme.unflatten(&flat, &ids, 0).expect("back"), codes);
            let error = scheme.unflatten(&flat[..10], &ids, 0).unwrap_err();
            assert!(error.to_string().contains("inside a frame"), "{error}");
        }
        let error = Flatten::Delay
            .flatten(&codes, &ids, &mut Vec::new())
            .unwrap_err();
        assert!(error.to_string().contains("codes of one rate"), "{error}");
        // A level-1 code where level 2 belongs is named by its position.
        let mut flat = Vec::new();
        Flatten::Interleave
            .flatten(&codes, &ids, &mut flat)
            .expect("flat");
        flat[3] = 112;
        let error = Flatten::Interleave.unflatten(&flat, &ids, 40).unwrap_err();
        assert!(
            matches!(error, VocabError::BadStream { position: 43, .. }),
            "{error}"
        );
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
