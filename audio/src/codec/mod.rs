//! Neural audio codecs: audio to discrete codes and back, equal to transformers' models.
//!
//! [`Codec`] is one model of any family, read from a directory that transformers'
//! `save_pretrained` wrote (`config.json` and `model.safetensors`); `model_type` in the
//! configuration names the family. Each family is a module of its own: [`encodec`]
//! (`EncodecModel`), [`dac`] (`DacModel`) and [`snac`] (the `snac` package's `SNAC`, whose
//! `config.json` has no `model_type` but its own keys). Every family is a residual quantiser.
//! EnCodec and DAC give one code per codebook per frame (`[codebooks, frames]`): a frame's codes
//! come from the first codebooks, as many as the bandwidth pays for, and fewer codebooks give
//! the first rows of more. SNAC gives codes at several rates, one array per level
//! ([`Codec::encode_levels`]), always every level.

mod config;
mod conv;
pub mod dac;
pub mod encodec;
mod factorised;
mod local_attention;
mod lstm;
mod quantizer;
mod seanet;
mod sidecar;
pub mod snac;
mod snake;
mod snake_blocks;
mod streaming;
mod weights;

use std::path::Path;
use std::sync::Arc;

use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2};
use sha2::{Digest, Sha256};

pub use config::{EncodecConfig, NormType, PadMode};
use dac::{Dac, DacConfig};
use encodec::Encodec;
pub use sidecar::CodesSidecar;
use snac::{Snac, SnacConfig};
pub use streaming::{StreamingDecoder, StreamingEncoder};
use weights::Weights;

use crate::decode::Audio;
use crate::error::{AudioError, Result};

/// The name of the built-in default speech codec, as errors and layouts call it.
pub const DEFAULT_SPEECH_NAME: &str = "omnitok-speech-16k";
/// Largest checkpoint `config.json` read: 1 MiB.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// Largest checkpoint `model.safetensors` read: 8 GiB (EnCodec 48 kHz is about 100 MB, DAC
/// 44.1 kHz about 300 MB).
pub const MAX_WEIGHTS_BYTES: u64 = 8 << 30;
const DEFAULT_SPEECH_CONFIG: &[u8] = include_bytes!("../../models/speech-16k/config.json");
const DEFAULT_SPEECH_WEIGHTS: &[u8] = include_bytes!("../../models/speech-16k/model.safetensors");

/// Codes of one encoded signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Codes {
    /// `[chunks, codebooks, frames]`; one chunk unless the model encodes in chunks. The last
    /// chunk, when shorter, is padded with code 0 (as the reference pads it).
    pub codes: Array3<i64>,
    /// Per chunk, the scale its audio was divided by (models that normalise), else empty.
    pub scales: Vec<f32>,
    /// Frames of padding at the end of the last chunk.
    pub last_frame_pad_length: usize,
    /// Samples of the encoded audio, to trim the decoded audio to.
    pub samples: usize,
}

impl Codes {
    /// The code array of `values`, a C-order array of `shape`: `[codebooks, frames]` (one
    /// chunk) or `[chunks, codebooks, frames]`, as `omnitok audio encode` writes it and
    /// `omnitok.audio.Codec.encode` returns it.
    pub fn array_of_shape(shape: &[usize], values: Vec<i64>) -> Result<Array3<i64>> {
        let dims = match *shape {
            [codebooks, frames] => (1, codebooks, frames),
            [chunks, codebooks, frames] => (chunks, codebooks, frames),
            _ => {
                return Err(AudioError::BadParameter(format!(
                    "codes of shape {shape:?}; [codebooks, frames] or [chunks, codebooks, frames] is expected"
                )))
            }
        };
        Array3::from_shape_vec(dims, values)
            .map_err(|e| AudioError::BadParameter(format!("codes of shape {shape:?}: {e}")))
    }
}

/// The codec families [`Codec`] runs, by the `model_type` of their configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// EnCodec (`"encodec"`).
    Encodec,
    /// DAC, the Descript Audio Codec (`"dac"`).
    Dac,
    /// SNAC, the multi-scale neural audio codec (`"snac"`, or no `model_type` and SNAC's keys).
    Snac,
}

impl Family {
    /// Every family, in the order errors list them.
    pub const ALL: [Family; 3] = [Family::Encodec, Family::Dac, Family::Snac];

    /// The `model_type` of the family's configuration.
    pub fn model_type(self) -> &'static str {
        match self {
            Family::Encodec => "encodec",
            Family::Dac => "dac",
            Family::Snac => "snac",
        }
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.model_type())
    }
}

/// One model of its family.
#[derive(Debug, Clone)]
enum Model {
    Encodec(Arc<Encodec>),
    Dac(Arc<Dac>),
    Snac(Arc<Snac>),
}

/// A neural audio codec of any [`Family`].
#[derive(Debug, Clone)]
pub struct Codec {
    model: Model,
    /// SHA-256 of the checkpoint's files (see [`Codec::checksum`]).
    checksum: String,
}

impl Codec {
    /// Loads `config.json` and `model.safetensors` from `dir` (at most [`MAX_CONFIG_BYTES`]
    /// and [`MAX_WEIGHTS_BYTES`]).
    pub fn from_pretrained(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        Self::from_bytes(
            &read_checkpoint_file(&dir.join("config.json"), MAX_CONFIG_BYTES)?,
            &read_checkpoint_file(&dir.join("model.safetensors"), MAX_WEIGHTS_BYTES)?,
            &dir.display().to_string(),
        )
    }

    /// Builds a model from the bytes of its `config.json` and `model.safetensors`; `origin`
    /// names them in errors (as `ORIGIN/config.json`). The configuration's `model_type` names
    /// the family (EnCodec where there is none).
    pub fn from_bytes(config_json: &[u8], safetensors: &[u8], origin: &str) -> Result<Self> {
        let config_path = format!("{origin}/config.json");
        let bad = |message: String| AudioError::BadInput {
            path: config_path.clone(),
            message,
        };
        let text = std::str::from_utf8(config_json).map_err(|_| bad("not UTF-8 text".into()))?;
        let family = family_of(text).map_err(bad)?;
        let mut weights = Weights::from_bytes(safetensors, &format!("{origin}/model.safetensors"))?;
        let model = match family {
            Family::Encodec => {
                let config = EncodecConfig::from_json(text, &config_path)?;
                Model::Encodec(Arc::new(Encodec::from_weights(config, &mut weights)?))
            }
            Family::Dac => {
                let config = DacConfig::from_json(text, &config_path)?;
                Model::Dac(Arc::new(Dac::from_weights(config, &mut weights)?))
            }
            Family::Snac => {
                let config = SnacConfig::from_json(text, &config_path)?;
                Model::Snac(Arc::new(Snac::from_weights(config, &mut weights)?))
            }
        };
        Ok(Self {
            model,
            checksum: checkpoint_checksum(config_json, safetensors),
        })
    }

    /// The codec `name_or_dir` names: a checkpoint folder (see [`Codec::from_pretrained`]), or
    /// [`DEFAULT_SPEECH_NAME`] for the built-in speech codec (unless a folder of that name
    /// exists).
    pub fn load(name_or_dir: &Path) -> Result<Self> {
        if name_or_dir.as_os_str() == DEFAULT_SPEECH_NAME && !name_or_dir.exists() {
            Ok(Self::default_speech())
        } else {
            Self::from_pretrained(name_or_dir)
        }
    }

    /// omnitok's default speech codec, built into the library: a small causal EnCodec at
    /// 16 kHz mono (see `models/speech-16k/README.md` in this crate for its measured quality).
    pub fn default_speech() -> Self {
        Self::from_bytes(
            DEFAULT_SPEECH_CONFIG,
            DEFAULT_SPEECH_WEIGHTS,
            DEFAULT_SPEECH_NAME,
        )
        .expect("the built-in speech codec loads (checked by the crate's tests)")
    }

    /// SHA-256 (hex) over `config.json` and `model.safetensors`, each preceded by its length as
    /// 8 little-endian bytes: what a token layout records of the codec.
    pub fn checksum(&self) -> &str {
        &self.checksum
    }

    /// The model's family.
    pub fn family(&self) -> Family {
        match self.model {
            Model::Encodec(_) => Family::Encodec,
            Model::Dac(_) => Family::Dac,
            Model::Snac(_) => Family::Snac,
        }
    }

    /// The EnCodec model, for an EnCodec codec.
    pub fn encodec(&self) -> Option<&Arc<Encodec>> {
        match &self.model {
            Model::Encodec(model) => Some(model),
            Model::Dac(_) | Model::Snac(_) => None,
        }
    }

    /// The sample rate the model works at, Hz.
    pub fn sampling_rate(&self) -> u32 {
        match &self.model {
            Model::Encodec(model) => model.config().sampling_rate,
            Model::Dac(model) => model.config().sampling_rate,
            Model::Snac(model) => model.config().sampling_rate,
        }
    }

    /// Audio channels the model takes.
    pub fn channels(&self) -> usize {
        match &self.model {
            Model::Encodec(model) => model.config().audio_channels,
            Model::Dac(_) | Model::Snac(_) => 1,
        }
    }

    /// Samples per code frame (for SNAC, per code of the finest level).
    pub fn hop_length(&self) -> usize {
        match &self.model {
            Model::Encodec(model) => model.config().hop_length(),
            Model::Dac(model) => model.config().hop_length(),
            Model::Snac(model) => model.config().hop_length(),
        }
    }

    /// Code frames per second: the sample rate over the hop (86.13 for DAC at 44.1 kHz; for
    /// SNAC, the finest level's rate).
    pub fn frame_rate(&self) -> f64 {
        f64::from(self.sampling_rate()) / self.hop_length() as f64
    }

    /// Codebooks at the largest bandwidth (for SNAC, its levels).
    pub fn n_codebooks(&self) -> usize {
        match &self.model {
            Model::Encodec(model) => model.n_codebooks(),
            Model::Dac(model) => model.config().n_codebooks,
            Model::Snac(model) => model.config().vq_strides.len(),
        }
    }

    /// For SNAC, the frames (of [`Codec::hop_length`] samples) per code of each level, coarse
    /// to fine; `None` for the families with one code per codebook per frame.
    pub fn level_strides(&self) -> Option<&[usize]> {
        match &self.model {
            Model::Snac(model) => Some(&model.config().vq_strides),
            Model::Encodec(_) | Model::Dac(_) => None,
        }
    }

    /// For SNAC, the codes of each level per code of the coarsest, coarse to fine (strides 8,
    /// 4, 2, 1 give 1, 2, 4, 8); `None` for the families with one code per codebook per frame.
    pub fn level_rates(&self) -> Option<Vec<usize>> {
        self.level_strides()
            .map(|strides| strides.iter().map(|&s| strides[0] / s).collect())
    }

    /// Entries per codebook.
    pub fn codebook_size(&self) -> usize {
        match &self.model {
            Model::Encodec(model) => model.config().codebook_size,
            Model::Dac(model) => model.config().codebook_size,
            Model::Snac(model) => model.config().codebook_size,
        }
    }

    /// The bandwidths the model encodes at, kbps, smallest first: EnCodec's
    /// `target_bandwidths`; for DAC, one per number of codebooks (codebooks · bits per code ·
    /// frame rate); for SNAC, the one of all its levels (bits per code times every level's
    /// rate).
    pub fn bandwidths(&self) -> Vec<f64> {
        match &self.model {
            Model::Encodec(model) => model.config().target_bandwidths.clone(),
            Model::Dac(model) => {
                let bits = (model.config().codebook_size as f64).log2();
                (1..=self.n_codebooks())
                    .map(|n| n as f64 * bits * self.frame_rate() / 1000.0)
                    .collect()
            }
            Model::Snac(model) => {
                let bits = (model.config().codebook_size as f64).log2();
                let codes_per_second: f64 = model
                    .config()
                    .vq_strides
                    .iter()
                    .map(|&stride| self.frame_rate() / stride as f64)
                    .sum();
                vec![bits * codes_per_second / 1000.0]
            }
        }
    }

    /// The codebooks each of [`Codec::bandwidths`] uses, in the same order.
    fn codebook_counts(&self) -> Vec<usize> {
        match &self.model {
            Model::Encodec(model) => self
                .bandwidths()
                .into_iter()
                .map(|b| model.codebooks_at(b))
                .collect(),
            Model::Dac(model) => (1..=model.config().n_codebooks).collect(),
            Model::Snac(model) => vec![model.config().vq_strides.len()],
        }
    }

    /// The smallest of [`Codec::bandwidths`].
    pub fn smallest_bandwidth(&self) -> f64 {
        self.bandwidths().into_iter().fold(f64::INFINITY, f64::min)
    }

    /// The largest of [`Codec::bandwidths`].
    pub fn largest_bandwidth(&self) -> f64 {
        self.bandwidths().into_iter().fold(0.0, f64::max)
    }

    /// The codebooks used at `bandwidth` kbps, which must be one of [`Codec::bandwidths`]
    /// (to a millionth).
    pub fn codebooks_for(&self, bandwidth: f64) -> Result<usize> {
        let known = self.bandwidths();
        let Some(index) = known
            .iter()
            .position(|&b| (b - bandwidth).abs() <= 1e-6 * b.abs().max(1e-9))
        else {
            return Err(AudioError::BadParameter(format!(
                "this model has no bandwidth {bandwidth} kbps; it has {known:?}"
            )));
        };
        Ok(self.codebook_counts()[index])
    }

    /// The bandwidth at which the model uses `codebooks` codebooks.
    pub fn bandwidth_with(&self, codebooks: usize) -> Result<f64> {
        let known = self.bandwidths();
        let counts = self.codebook_counts();
        counts
            .iter()
            .position(|&n| n == codebooks)
            .map(|i| known[i])
            .ok_or_else(|| {
                AudioError::BadParameter(format!(
                    "this model has no bandwidth with {codebooks} codebooks; its bandwidths use \
                     {counts:?}"
                ))
            })
    }

    /// Whether the model can encode and decode as a stream (causal EnCodec models without
    /// chunks); see [`StreamingEncoder`].
    pub fn can_stream(&self) -> bool {
        streaming::can_stream(self)
    }

    /// Encodes `audio` (`[channels, samples]` at the model's rate) at `bandwidth` kbps.
    pub fn encode(&self, audio: ArrayView2<f32>, bandwidth: f64) -> Result<Codes> {
        self.encode_codebooks(audio, self.codebooks_for(bandwidth)?)
    }

    /// Encodes `audio` (`[channels, samples]` at the model's rate) with the first `codebooks`
    /// codebooks.
    pub fn encode_codebooks(&self, audio: ArrayView2<f32>, codebooks: usize) -> Result<Codes> {
        match &self.model {
            Model::Encodec(model) => model.encode_codebooks(audio, codebooks),
            Model::Dac(model) => {
                let codes = model.encode(audio, codebooks)?;
                let (rows, frames) = codes.dim();
                Ok(Codes {
                    codes: codes
                        .into_shape_with_order((1, rows, frames))
                        .map_err(|e| {
                            AudioError::BadParameter(format!("codes of {rows} codebooks: {e}"))
                        })?,
                    scales: Vec::new(),
                    last_frame_pad_length: 0,
                    samples: audio.ncols(),
                })
            }
            Model::Snac(_) => Err(levels_only()),
        }
    }

    /// Encodes `audio` (`[1, samples]` at the model's rate) with a SNAC model: one code array
    /// per level, coarse to fine (see [`snac::Snac::encode`]).
    pub fn encode_levels(&self, audio: ArrayView2<f32>) -> Result<Vec<Array1<i64>>> {
        match &self.model {
            Model::Snac(model) => model.encode(audio),
            Model::Encodec(_) | Model::Dac(_) => Err(not_levels(self.family())),
        }
    }

    /// Decodes a SNAC model's codes, one array per level (coarse to fine), to audio `[1,
    /// samples]`: every frame the codes cover, the encoder's padding included (SNAC's codes do
    /// not record the encoded length), without the reference's random noise.
    pub fn decode_levels(&self, levels: &[ArrayView1<i64>]) -> Result<Array2<f32>> {
        match &self.model {
            Model::Snac(model) => model.decode(levels),
            Model::Encodec(_) | Model::Dac(_) => Err(not_levels(self.family())),
        }
    }

    /// The encoder's output for `audio` (`[channels, samples]`, one chunk) before
    /// quantisation: `[dim, frames]`.
    pub fn embeddings(&self, audio: ArrayView2<f32>) -> Result<Array2<f32>> {
        match &self.model {
            Model::Encodec(model) => Ok(model.embeddings(audio)),
            Model::Dac(model) => model.embeddings(audio),
            Model::Snac(model) => model.embeddings(audio),
        }
    }

    /// Decodes codes to audio `[channels, samples]`, trimmed to the encoded length. An EnCodec
    /// model that normalises each chunk needs the scales encoding returned
    /// ([`AudioError::MissingScales`] without them).
    pub fn decode(&self, codes: &Codes) -> Result<Array2<f32>> {
        match &self.model {
            Model::Encodec(model) => model.decode(codes),
            Model::Dac(model) => {
                let chunks = codes.codes.dim().0;
                if chunks != 1 || !codes.scales.is_empty() || codes.last_frame_pad_length != 0 {
                    return Err(AudioError::BadParameter(format!(
                        "DAC codes are one chunk without scales or padding; these have {chunks} \
                         chunks, {} scales and {} frames of padding",
                        codes.scales.len(),
                        codes.last_frame_pad_length
                    )));
                }
                let mut audio = model.decode(codes.codes.index_axis(ndarray::Axis(0), 0))?;
                if audio.ncols() > codes.samples {
                    audio = audio.slice(ndarray::s![.., ..codes.samples]).to_owned();
                }
                Ok(audio)
            }
            Model::Snac(_) => Err(levels_only()),
        }
    }

    /// Encodes `audio` (`[channels, samples]` at the model's rate) at `bandwidth` kbps and
    /// decodes the codes again, trimmed to the input's length: what the codec keeps of the
    /// audio, for any family.
    pub fn encode_and_decode(&self, audio: ArrayView2<f32>, bandwidth: f64) -> Result<Array2<f32>> {
        let decoded = if self.level_strides().is_some() {
            self.codebooks_for(bandwidth)?;
            let levels = self.encode_levels(audio)?;
            let views: Vec<ArrayView1<i64>> = levels.iter().map(|l| l.view()).collect();
            self.decode_levels(&views)?
        } else {
            self.decode(&self.encode(audio, bandwidth)?)?
        };
        let samples = decoded.ncols().min(audio.ncols());
        Ok(decoded.slice(ndarray::s![.., ..samples]).to_owned())
    }

    /// Encodes decoded audio at any rate and channel count: resampled to the model's rate,
    /// channels averaged for a mono model or the one channel repeated for a stereo model.
    pub fn encode_audio(&self, audio: &Audio, bandwidth: f64) -> Result<Codes> {
        self.encode(self.model_input(audio)?.view(), bandwidth)
    }

    /// Decoded audio at any rate and channel count as the model takes it (`[channels,
    /// samples]`): resampled to the model's rate, channels averaged for a mono model or the one
    /// channel repeated for a stereo model.
    pub fn model_input(&self, audio: &Audio) -> Result<Array2<f32>> {
        let rate = self.sampling_rate();
        let audio = if audio.sample_rate == rate {
            audio.clone()
        } else {
            audio.resampled(rate)?
        };
        let frames = audio.frames();
        let (wanted, have) = (self.channels(), audio.channels);
        // [channels, frames]: the channels' mean for a mono model, the one channel repeated
        // for a stereo model, else the channels as they are.
        let planar = match (wanted, have) {
            (1, _) => {
                let mono = audio.mono();
                Array2::from_shape_fn((1, frames), |(_, t)| mono[t])
            }
            (_, 1) => Array2::from_shape_fn((wanted, frames), |(_, t)| audio.samples[t]),
            _ if wanted == have => {
                Array2::from_shape_fn((have, frames), |(c, t)| audio.samples[t * have + c])
            }
            _ => {
                return Err(AudioError::BadParameter(format!(
                    "the model takes {wanted} channels; the audio has {have}"
                )))
            }
        };
        Ok(planar)
    }
}

/// The error of a SNAC model asked for codes of one rate.
fn levels_only() -> AudioError {
    AudioError::BadParameter(
        "SNAC's codes are levels at several rates, not [codebooks, frames]: encode and decode \
         them by level (the command line writes and reads them as .npz, level_0 ... level_N)"
            .into(),
    )
}

/// The error of a model of one rate asked for codes by level.
fn not_levels(family: Family) -> AudioError {
    AudioError::BadParameter(format!(
        "{family} codes are [codebooks, frames]; only SNAC's come in levels"
    ))
}

/// The family a configuration's `model_type` names (EnCodec where it names none), or what is
/// wrong with it.
fn family_of(config_json: &str) -> std::result::Result<Family, String> {
    let value: serde_json::Value =
        serde_json::from_str(config_json).map_err(|e| format!("not JSON: {e}"))?;
    let Some(model_type) = value.get("model_type") else {
        let is_snac = snac::SNAC_KEYS.iter().any(|key| value.get(key).is_some());
        return Ok(if is_snac {
            Family::Snac
        } else {
            Family::Encodec
        });
    };
    let model_type = model_type.as_str().unwrap_or_default();
    Family::ALL
        .into_iter()
        .find(|family| family.model_type() == model_type)
        .ok_or_else(|| {
            let known: Vec<&str> = Family::ALL.iter().map(|f| f.model_type()).collect();
            format!(
                "model_type is {:?}: not a codec omnitok runs (model types: {})",
                value["model_type"],
                known.join(", ")
            )
        })
}

/// SHA-256 (hex) over `config.json` and `model.safetensors`, each preceded by its length as 8
/// little-endian bytes.
fn checkpoint_checksum(config_json: &[u8], safetensors: &[u8]) -> String {
    let mut hasher = Sha256::new();
    for file in [config_json, safetensors] {
        hasher.update((file.len() as u64).to_le_bytes());
        hasher.update(file);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The bytes of a checkpoint file, at most `max_bytes` of them: the bound is on bytes read, so
/// that a file that never ends is refused too.
fn read_checkpoint_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    omnitok_files::read_bounded(path, max_bytes).map_err(|e| match e {
        omnitok_files::BoundedReadError::Io(source) => AudioError::Io {
            path: path.display().to_string(),
            source,
        },
        too_large => AudioError::Limit {
            path: path.display().to_string(),
            message: format!("{too_large} for a checkpoint file"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_checkpoint_file_that_never_ends_is_a_limit_error() {
        let dir = std::env::temp_dir().join(format!("omnitok-endless-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.join("config.json")).unwrap();
        let error = Codec::from_pretrained(&dir).unwrap_err();
        assert!(matches!(error, AudioError::Limit { .. }), "{error}");
        assert!(error.to_string().contains("config.json"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
