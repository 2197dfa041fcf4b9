//! A neural audio codec: EnCodec inference, equal to transformers' `EncodecModel`.
//!
//! Audio becomes discrete codes: the SEANet encoder turns samples into one embedding per hop
//! (320 samples at 24 kHz: 75 frames a second), and a residual vector quantiser turns each
//! embedding into one code per codebook, as many codebooks as the bandwidth pays for. Decoding
//! sums the codebook entries and runs the decoder. The 48 kHz models cut audio into 1 s chunks
//! that overlap by 1%, normalise each by its RMS (the scale travels with the codes) and join the
//! decoded chunks by a linear cross-fade.
//!
//! [`Codec::from_pretrained`] reads a directory written by transformers' `save_pretrained`
//! (`config.json` and `model.safetensors`), with either naming of the weight norm.

mod config;
mod conv;
pub mod dac;
mod lstm;
mod quantizer;
mod seanet;
mod sidecar;
mod streaming;
mod weights;

use std::path::Path;

use ndarray::{s, Array2, Array3, ArrayView2, Axis};
use sha2::{Digest, Sha256};

pub use config::{EncodecConfig, NormType, PadMode};
use quantizer::ResidualQuantizer;
use seanet::Stack;
pub use sidecar::CodesSidecar;
pub use streaming::{StreamingDecoder, StreamingEncoder};
use weights::Weights;

use crate::decode::Audio;
use crate::error::{AudioError, Result};

/// The name of the built-in default speech codec, as errors and layouts call it.
pub const DEFAULT_SPEECH_NAME: &str = "omnitok-speech-16k";
/// Largest checkpoint `config.json` read: 1 MiB.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// Largest checkpoint `model.safetensors` read: 8 GiB (EnCodec 48 kHz is about 100 MB).
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

/// An EnCodec model.
#[derive(Debug, Clone)]
pub struct Codec {
    config: EncodecConfig,
    encoder: Stack,
    decoder: Stack,
    quantizer: ResidualQuantizer,
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
    /// names them in errors (as `ORIGIN/config.json`).
    pub fn from_bytes(config_json: &[u8], safetensors: &[u8], origin: &str) -> Result<Self> {
        let config_path = format!("{origin}/config.json");
        let text = std::str::from_utf8(config_json).map_err(|_| AudioError::BadInput {
            path: config_path.clone(),
            message: "not UTF-8 text".into(),
        })?;
        let config = EncodecConfig::from_json(text, &config_path)?;
        let mut weights = Weights::from_bytes(safetensors, &format!("{origin}/model.safetensors"))?;
        let mut codec = Self::from_weights(config, &mut weights)?;
        codec.checksum = checkpoint_checksum(config_json, safetensors);
        Ok(codec)
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

    /// Builds the model of `config` from `weights`; every tensor must be used.
    fn from_weights(config: EncodecConfig, weights: &mut Weights) -> Result<Self> {
        let encoder = Stack::encoder(weights, &config)?;
        let decoder = Stack::decoder(weights, &config)?;
        let quantizer = ResidualQuantizer::load(weights, &config)?;
        // Training state of the codebooks, unused by inference.
        weights.finish(|name| {
            name.starts_with("quantizer.layers.")
                && [
                    ".codebook.inited",
                    ".codebook.cluster_size",
                    ".codebook.embed_avg",
                ]
                .iter()
                .any(|end| name.ends_with(end))
        })?;
        Ok(Self {
            config,
            encoder,
            decoder,
            quantizer,
            checksum: String::new(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &EncodecConfig {
        &self.config
    }

    /// Codebooks at the largest bandwidth.
    pub fn n_codebooks(&self) -> usize {
        self.quantizer.codebooks()
    }

    /// Entries per codebook.
    pub fn codebook_size(&self) -> usize {
        self.config.codebook_size
    }

    /// Code frames per second.
    pub fn frame_rate(&self) -> usize {
        self.config.frame_rate()
    }

    /// The codebooks used at `bandwidth` kbps, which must be one of the model's.
    pub fn codebooks_for(&self, bandwidth: f64) -> Result<usize> {
        let known = &self.config.target_bandwidths;
        if !known.iter().any(|&b| (b - bandwidth).abs() < 1e-9) {
            return Err(AudioError::BadParameter(format!(
                "this model has no bandwidth {bandwidth} kbps; it has {known:?}"
            )));
        }
        Ok(self
            .config
            .codebooks_for(bandwidth)
            .min(self.quantizer.codebooks()))
    }

    /// Encodes `audio` (`[channels, samples]` at the model's rate) at `bandwidth` kbps.
    pub fn encode(&self, audio: ArrayView2<f32>, bandwidth: f64) -> Result<Codes> {
        let n_codebooks = self.codebooks_for(bandwidth)?;
        let (channels, length) = audio.dim();
        if channels != self.config.audio_channels {
            return Err(AudioError::BadParameter(format!(
                "the model takes {} channel(s), the audio has {channels}",
                self.config.audio_channels
            )));
        }
        if length == 0 {
            return Err(AudioError::BadParameter(
                "there are no samples to encode".into(),
            ));
        }
        if let Some(index) = audio.iter().position(|s| !s.is_finite()) {
            return Err(AudioError::NonFinite {
                index: index % length,
                value: audio.iter().nth(index).copied().unwrap_or(f32::NAN),
            });
        }
        let chunk = self.config.chunk_length().unwrap_or(length);
        let stride = self.config.chunk_stride().unwrap_or(length);
        let mut chunks = Vec::new();
        let mut scales = Vec::new();
        for offset in (0..length).step_by(stride) {
            let piece = audio.slice(s![.., offset..(offset + chunk).min(length)]);
            let (codes, scale) = self.encode_chunk(piece, n_codebooks)?;
            chunks.push(codes);
            scales.extend(scale);
        }
        let frames = chunks[0].ncols();
        let last_frame_pad_length = frames - chunks[chunks.len() - 1].ncols();
        let mut codes = Array3::zeros((chunks.len(), n_codebooks, frames));
        for (i, chunk) in chunks.iter().enumerate() {
            codes.slice_mut(s![i, .., ..chunk.ncols()]).assign(chunk);
        }
        Ok(Codes {
            codes,
            scales,
            last_frame_pad_length,
            samples: length,
        })
    }

    fn encode_chunk(
        &self,
        audio: ArrayView2<f32>,
        n_codebooks: usize,
    ) -> Result<(Array2<i64>, Option<f32>)> {
        // Activations that overflow 32-bit floats (samples far outside -1..1) give no codes
        // worth having; refused rather than quantised to whatever the overflow became.
        // The quantizer compares squared norms, which must be finite too.
        let encode = |audio: ArrayView2<f32>| {
            self.encoder
                .forward_finite(audio)
                .filter(|embeddings| {
                    embeddings
                        .axis_iter(Axis(1))
                        .all(|frame| frame.dot(&frame).is_finite())
                })
                .ok_or_else(|| {
                    let peak = audio
                        .iter()
                        .fold(0f64, |peak, &v| peak.max(f64::from(v).abs()));
                    AudioError::Overflow { peak }
                })
        };
        if !self.config.normalize {
            let embeddings = encode(audio)?;
            return Ok((self.quantizer.encode(embeddings.view(), n_codebooks), None));
        }
        // The RMS of the channels' mean, plus 1e-8.
        let mono = audio.sum_axis(Axis(0)) / audio.nrows() as f32;
        let mean_square = mono
            .iter()
            .map(|&v| f64::from(v) * f64::from(v))
            .sum::<f64>()
            / mono.len() as f64;
        let scale = (mean_square.sqrt() as f32) + 1e-8;
        let embeddings = encode((&audio / scale).view())?;
        Ok((
            self.quantizer.encode(embeddings.view(), n_codebooks),
            Some(scale),
        ))
    }

    /// The embeddings of `audio` (`[channels, samples]`, one chunk): the encoder's output
    /// `[dim, frames]` before quantisation.
    pub fn embeddings(&self, audio: ArrayView2<f32>) -> Array2<f32> {
        self.encoder.forward(audio)
    }

    /// Decodes codes to audio `[channels, samples]`, trimmed to the encoded length. A model
    /// that normalises each chunk needs the scales encoding returned
    /// ([`AudioError::MissingScales`] without them).
    pub fn decode(&self, codes: &Codes) -> Result<Array2<f32>> {
        let (chunks, codebooks, frames) = codes.codes.dim();
        if chunks == 0 || codebooks == 0 || frames == 0 {
            return Err(AudioError::BadParameter(format!(
                "there are no codes to decode ({chunks} chunks, {codebooks} codebooks, {frames} frames)"
            )));
        }
        if chunks > 1 && self.config.chunk_stride().is_none() {
            return Err(AudioError::BadParameter(format!(
                "{chunks} chunks of codes, but this model does not encode in chunks: its codes \
                 are [codebooks, frames] (or one chunk)"
            )));
        }
        if self.config.normalize && codes.scales.is_empty() {
            return Err(AudioError::MissingScales { chunks });
        }
        if !codes.scales.is_empty() && codes.scales.len() != chunks {
            return Err(AudioError::BadParameter(format!(
                "{} scales for {chunks} chunks",
                codes.scales.len()
            )));
        }
        if codes.last_frame_pad_length > frames {
            return Err(AudioError::BadParameter(format!(
                "last_frame_pad_length {} exceeds the {frames} frames",
                codes.last_frame_pad_length
            )));
        }
        let mut decoded = Vec::with_capacity(chunks);
        for (i, chunk) in codes.codes.outer_iter().enumerate() {
            let kept = if i + 1 == chunks {
                frames - codes.last_frame_pad_length
            } else {
                frames
            };
            let embeddings = self.quantizer.decode(chunk.slice(s![.., ..kept]))?;
            let mut audio = self.decoder.forward(embeddings.view());
            if let Some(&scale) = codes.scales.get(i) {
                audio *= scale;
            }
            decoded.push(audio);
        }
        let mut audio = match self.config.chunk_stride() {
            Some(stride) if chunks > 1 => overlap_add(&decoded, stride),
            _ => decoded.swap_remove(0),
        };
        if audio.ncols() > codes.samples {
            audio = audio.slice(s![.., ..codes.samples]).to_owned();
        }
        Ok(audio)
    }

    /// Encodes decoded audio at any rate and channel count: resampled to the model's rate,
    /// channels averaged for a mono model or the one channel repeated for a stereo model.
    pub fn encode_audio(&self, audio: &Audio, bandwidth: f64) -> Result<Codes> {
        let audio = if audio.sample_rate == self.config.sampling_rate {
            audio.clone()
        } else {
            audio.resampled(self.config.sampling_rate)?
        };
        let frames = audio.frames();
        let (wanted, have) = (self.config.audio_channels, audio.channels);
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
        self.encode(planar.view(), bandwidth)
    }
}

/// Joins decoded chunks that start `stride` samples apart, each weighted by a triangle that
/// peaks in its middle (`0.5 - |t - 0.5|` at `t = (i + 1) / (length + 1)`), divided by the sum
/// of the weights.
fn overlap_add(chunks: &[Array2<f32>], stride: usize) -> Array2<f32> {
    let channels = chunks[0].nrows();
    let length = chunks[0].ncols();
    let total = stride * (chunks.len() - 1) + chunks[chunks.len() - 1].ncols();
    let weight: Vec<f32> = (0..length)
        .map(|i| {
            let t = (i + 1) as f32 / (length + 1) as f32;
            0.5 - (t - 0.5).abs()
        })
        .collect();
    let mut out = Array2::<f32>::zeros((channels, total));
    let mut sum = vec![0f32; total];
    for (i, chunk) in chunks.iter().enumerate() {
        let offset = i * stride;
        for (c, row) in chunk.outer_iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                out[[c, offset + j]] += weight[j] * v;
            }
        }
        for (j, w) in weight.iter().take(chunk.ncols()).enumerate() {
            sum[offset + j] += w;
        }
    }
    for mut row in out.outer_iter_mut() {
        for (v, &w) in row.iter_mut().zip(&sum) {
            *v /= w;
        }
    }
    out
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
