//! EnCodec inference, equal to transformers' `EncodecModel`.
//!
//! Audio becomes discrete codes: the SEANet encoder turns samples into one embedding per hop
//! (320 samples at 24 kHz: 75 frames a second), and a residual vector quantiser turns each
//! embedding into one code per codebook, as many codebooks as the bandwidth pays for. Decoding
//! sums the codebook entries and runs the decoder. The 48 kHz models cut audio into 1 s chunks
//! that overlap by 1%, normalise each by its RMS (the scale travels with the codes) and join the
//! decoded chunks by a linear cross-fade.

use ndarray::{s, Array2, Array3, ArrayView2, Axis};

use super::config::EncodecConfig;
use super::quantizer::ResidualQuantizer;
use super::seanet::Stack;
use super::weights::Weights;
use super::Codes;
use crate::error::{AudioError, Result};

/// An EnCodec model.
#[derive(Debug, Clone)]
pub struct Encodec {
    pub(super) config: EncodecConfig,
    pub(super) encoder: Stack,
    pub(super) decoder: Stack,
    pub(super) quantizer: ResidualQuantizer,
}

impl Encodec {
    /// Builds the model of `config` from `weights`; every tensor must be used.
    pub(super) fn from_weights(config: EncodecConfig, weights: &mut Weights) -> Result<Self> {
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

    /// The codebooks used at `bandwidth` kbps, one of `target_bandwidths`
    /// ([`super::Codec::codebooks_for`] checks that it is).
    pub fn codebooks_at(&self, bandwidth: f64) -> usize {
        self.config
            .codebooks_for(bandwidth)
            .min(self.quantizer.codebooks())
    }

    /// Encodes `audio` (`[channels, samples]` at the model's rate) with the first
    /// `n_codebooks` codebooks (at least one, at most [`Encodec::n_codebooks`]).
    pub fn encode_codebooks(&self, audio: ArrayView2<f32>, n_codebooks: usize) -> Result<Codes> {
        if n_codebooks == 0 || n_codebooks > self.n_codebooks() {
            return Err(AudioError::BadParameter(format!(
                "{n_codebooks} codebooks; this model has 1 to {}",
                self.n_codebooks()
            )));
        }
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
