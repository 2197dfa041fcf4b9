//! DAC, the Descript Audio Codec: inference equal to transformers' `DacModel`.
//!
//! Mono audio becomes one embedding per hop (the product of `downsampling_ratios`: 320 samples
//! at 16 kHz, 512 at 44.1 kHz) through convolutions with Snake activations
//! (`x + sin²(αx) / α`). A residual quantiser turns each embedding into one code per codebook:
//! each codebook projects what is left to a few dimensions, picks the entry whose direction is
//! nearest (projection and entries L2-normalised), and projects that entry back; the next
//! codebook quantises what remains. Decoding sums the codebooks' projected entries and runs the
//! decoder. The convolutions see both sides, so DAC does not stream.
//!
//! Checkpoints are what transformers' `save_pretrained` writes (`config.json` with
//! `model_type` "dac", `model.safetensors`), with plain convolution weights or weight-normed
//! ones (`weight_g` / `weight_v` or `parametrizations.weight.original0/1`); see
//! [`super::Codec::from_pretrained`].

use ndarray::{Array2, ArrayView2, Axis};
use serde::Deserialize;

use super::conv::{Conv1d, ConvShape};
use super::factorised::{CodebookShape, FactorisedCodebook, Score};
use super::snake::Snake;
use super::snake_blocks::{DecoderBlock, EncoderBlock};
use super::weights::Weights;
use crate::error::{AudioError, Result};

/// `DacConfig`'s fields that inference uses, with transformers' defaults (the 16 kHz model).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct DacConfig {
    /// "dac" in every configuration transformers writes.
    pub model_type: Option<String>,
    pub encoder_hidden_size: usize,
    pub downsampling_ratios: Vec<usize>,
    pub decoder_hidden_size: usize,
    pub n_codebooks: usize,
    pub codebook_size: usize,
    pub codebook_dim: usize,
    pub sampling_rate: u32,
}

impl Default for DacConfig {
    fn default() -> Self {
        Self {
            model_type: None,
            encoder_hidden_size: 64,
            downsampling_ratios: vec![2, 4, 8, 8],
            decoder_hidden_size: 1536,
            n_codebooks: 9,
            codebook_size: 1024,
            codebook_dim: 8,
            sampling_rate: 16_000,
        }
    }
}

impl DacConfig {
    /// Parses `config.json` text; `source` names it in errors.
    pub fn from_json(text: &str, source: &str) -> Result<Self> {
        let bad = |message: String| AudioError::BadInput {
            path: source.to_owned(),
            message,
        };
        let config: Self =
            serde_json::from_str(text).map_err(|e| bad(format!("not a DAC configuration: {e}")))?;
        if let Some(other) = config.model_type.as_deref().filter(|t| *t != "dac") {
            return Err(bad(format!(
                "model_type is \"{other}\": not a DAC checkpoint"
            )));
        }
        let blocks = config.downsampling_ratios.len();
        if config.sampling_rate == 0 || blocks == 0 || config.downsampling_ratios.contains(&0) {
            return Err(bad(
                "sampling_rate and downsampling_ratios must be positive".into(),
            ));
        }
        if blocks > 8 || config.downsampling_ratios.iter().any(|&r| r > 64) {
            return Err(bad(format!(
                "downsampling_ratios {:?}: at most 8 ratios of at most 64",
                config.downsampling_ratios
            )));
        }
        if config.encoder_hidden_size == 0
            || config.decoder_hidden_size == 0
            || config.decoder_hidden_size % (1 << blocks) != 0
        {
            return Err(bad(format!(
                "encoder_hidden_size must be positive and decoder_hidden_size ({}) a positive \
                 multiple of 2^{blocks}",
                config.decoder_hidden_size,
            )));
        }
        let sizes = [
            ("encoder_hidden_size", config.encoder_hidden_size, 1 << 16),
            ("decoder_hidden_size", config.decoder_hidden_size, 1 << 20),
            ("n_codebooks", config.n_codebooks, 1 << 10),
            ("codebook_size", config.codebook_size, 1 << 24),
            ("codebook_dim", config.codebook_dim, 1 << 16),
        ];
        if let Some((name, value, most)) = sizes.iter().find(|(_, value, most)| value > most) {
            return Err(bad(format!("{name} is {value}; at most {most}")));
        }
        if config.n_codebooks == 0 || config.codebook_dim == 0 || config.codebook_size < 2 {
            return Err(bad(
                "n_codebooks, codebook_dim and codebook_size (at least 2) must be positive".into(),
            ));
        }
        Ok(config)
    }

    /// The encoder's output dimension: `encoder_hidden_size · 2^blocks`.
    pub fn hidden_size(&self) -> usize {
        self.encoder_hidden_size << self.downsampling_ratios.len()
    }

    /// Samples per code frame: the product of the ratios.
    pub fn hop_length(&self) -> usize {
        self.downsampling_ratios.iter().product()
    }
}

/// The names of a DAC residual unit's layers: `PREFIX.res_unit{i + 1}.snake1`, `.conv1`,
/// `.snake2`, `.conv2`.
fn unit_names(prefix: &str) -> impl Fn(usize) -> [String; 4] + '_ {
    move |i| {
        ["snake1", "conv1", "snake2", "conv2"]
            .map(|layer| format!("{prefix}.res_unit{}.{layer}", i + 1))
    }
}

/// `DacEncoder`.
#[derive(Debug, Clone)]
struct Encoder {
    first: Conv1d,
    blocks: Vec<EncoderBlock>,
    snake: Snake,
    last: Conv1d,
}

impl Encoder {
    fn load(weights: &mut Weights, config: &DacConfig) -> Result<Self> {
        let width = config.encoder_hidden_size;
        let first = Conv1d::load_zero_padded(
            weights,
            "encoder.conv1",
            ConvShape::of(1, width, 7, 1, 1),
            3,
        )?;
        let mut blocks = Vec::new();
        for (i, &stride) in config.downsampling_ratios.iter().enumerate() {
            let prefix = format!("encoder.block.{i}");
            blocks.push(EncoderBlock::load(
                weights,
                width << i,
                stride,
                false,
                unit_names(&prefix),
                [format!("{prefix}.snake1"), format!("{prefix}.conv1")],
            )?);
        }
        let hidden = config.hidden_size();
        Ok(Self {
            first,
            blocks,
            snake: Snake::load(weights, "encoder.snake1", hidden)?,
            last: Conv1d::load_zero_padded(
                weights,
                "encoder.conv2",
                ConvShape::of(hidden, hidden, 3, 1, 1),
                1,
            )?,
        })
    }

    fn forward(&self, audio: ArrayView2<f32>) -> Array2<f32> {
        let mut x = self.first.forward(audio);
        for block in &self.blocks {
            x = block.forward(x);
        }
        self.snake.apply(&mut x);
        self.last.forward(x.view())
    }
}

/// `DacDecoder`: a convolution, the blocks, Snake, a convolution to one channel, tanh.
#[derive(Debug, Clone)]
struct Decoder {
    first: Conv1d,
    blocks: Vec<DecoderBlock>,
    snake: Snake,
    last: Conv1d,
}

impl Decoder {
    fn load(weights: &mut Weights, config: &DacConfig) -> Result<Self> {
        let width = config.decoder_hidden_size;
        let first = Conv1d::load_zero_padded(
            weights,
            "decoder.conv1",
            ConvShape::of(config.hidden_size(), width, 7, 1, 1),
            3,
        )?;
        let mut blocks = Vec::new();
        for (i, &stride) in config.downsampling_ratios.iter().rev().enumerate() {
            let prefix = format!("decoder.block.{i}");
            // As in transformers, no output padding: an odd stride `s` gives `s · frames - 1`
            // samples (the original DAC pads them to `s · frames`).
            blocks.push(DecoderBlock::load(
                weights,
                [width >> i, width >> (i + 1)],
                stride,
                0,
                false,
                [format!("{prefix}.snake1"), format!("{prefix}.conv_t1")],
                unit_names(&prefix),
            )?);
        }
        let out = width >> config.downsampling_ratios.len();
        Ok(Self {
            first,
            blocks,
            snake: Snake::load(weights, "decoder.snake1", out)?,
            last: Conv1d::load_zero_padded(
                weights,
                "decoder.conv2",
                ConvShape::of(out, 1, 7, 1, 1),
                3,
            )?,
        })
    }

    fn forward(&self, latent: ArrayView2<f32>) -> Array2<f32> {
        let mut x = self.first.forward(latent);
        for block in &self.blocks {
            x = block.forward(x);
        }
        self.snake.apply(&mut x);
        let mut audio = self.last.forward(x.view());
        audio.mapv_inplace(f32::tanh);
        audio
    }
}

/// A DAC model.
#[derive(Debug, Clone)]
pub struct Dac {
    config: DacConfig,
    encoder: Encoder,
    decoder: Decoder,
    codebooks: Vec<FactorisedCodebook>,
}

impl Dac {
    /// Builds the model of `config` from `weights`; every tensor must be used.
    pub(super) fn from_weights(config: DacConfig, weights: &mut Weights) -> Result<Self> {
        let encoder = Encoder::load(weights, &config)?;
        let decoder = Decoder::load(weights, &config)?;
        let codebooks = (0..config.n_codebooks)
            .map(|q| {
                let shape = CodebookShape {
                    hidden: config.hidden_size(),
                    dim: config.codebook_dim,
                    size: config.codebook_size,
                    stride: 1,
                };
                FactorisedCodebook::load(
                    weights,
                    &format!("quantizer.quantizers.{q}"),
                    shape,
                    Score::Transformers,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        weights.finish(|_| false)?;
        Ok(Self {
            config,
            encoder,
            decoder,
            codebooks,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &DacConfig {
        &self.config
    }

    /// Checks `audio` (`[1, samples]`, at least one hop, finite).
    fn check_audio(&self, audio: ArrayView2<f32>) -> Result<()> {
        let (channels, length) = audio.dim();
        if channels != 1 {
            return Err(AudioError::BadParameter(format!(
                "DAC takes 1 channel, the audio has {channels}"
            )));
        }
        let hop = self.config.hop_length();
        if length < hop {
            return Err(AudioError::BadParameter(format!(
                "{length} samples are fewer than one code frame ({hop} samples)"
            )));
        }
        if let Some(index) = audio.iter().position(|s| !s.is_finite()) {
            return Err(AudioError::NonFinite {
                index,
                value: audio[[0, index]],
            });
        }
        Ok(())
    }

    /// The encoder's output for `audio` (`[1, samples]` at the model's rate): `[hidden,
    /// frames]`, refused where it overflows 32-bit floats.
    pub fn embeddings(&self, audio: ArrayView2<f32>) -> Result<Array2<f32>> {
        self.check_audio(audio)?;
        let embeddings = self.encoder.forward(audio);
        if embeddings.iter().all(|v| v.is_finite()) {
            Ok(embeddings)
        } else {
            let peak = audio
                .iter()
                .fold(0f64, |peak, &v| peak.max(f64::from(v).abs()));
            Err(AudioError::Overflow { peak })
        }
    }

    /// Encodes `audio` (`[1, samples]` at the model's rate) with the first `codebooks`
    /// codebooks: `[codebooks, frames]`, one frame per hop (the last partial hop dropped, as
    /// the reference's convolutions drop it).
    pub fn encode(&self, audio: ArrayView2<f32>, codebooks: usize) -> Result<Array2<i64>> {
        if codebooks == 0 || codebooks > self.codebooks.len() {
            return Err(AudioError::BadParameter(format!(
                "{codebooks} codebooks; this model has 1 to {}",
                self.codebooks.len()
            )));
        }
        let mut residual = self.embeddings(audio)?;
        let frames = residual.ncols();
        let mut codes = Array2::zeros((codebooks, frames));
        for (mut row, codebook) in codes.outer_iter_mut().zip(&self.codebooks) {
            let found = codebook.encode(&mut residual);
            row.assign(&ndarray::Array1::from(found));
        }
        Ok(codes)
    }

    /// Decodes codes `[codebooks, frames]` (the first codebooks, at least one) to audio
    /// `[1, samples]`: `frames · hop` samples, fewer where a ratio is odd (see
    /// `DecoderBlock`).
    pub fn decode(&self, codes: ArrayView2<i64>) -> Result<Array2<f32>> {
        let (codebooks, frames) = codes.dim();
        if codebooks == 0 || codebooks > self.codebooks.len() || frames == 0 {
            return Err(AudioError::BadParameter(format!(
                "codes of {codebooks} codebooks and {frames} frames; this model decodes 1 to {} \
                 codebooks of at least one frame",
                self.codebooks.len()
            )));
        }
        let size = self.config.codebook_size as i64;
        for (q, row) in codes.outer_iter().enumerate() {
            if let Some(t) = row.iter().position(|&c| !(0..size).contains(&c)) {
                return Err(AudioError::BadParameter(format!(
                    "code {} of codebook {q} at frame {t} is outside 0..{size}",
                    row[t]
                )));
            }
        }
        let mut latent = Array2::<f32>::zeros((self.config.hidden_size(), frames));
        for (row, codebook) in codes.axis_iter(Axis(0)).zip(&self.codebooks) {
            codebook.add_decoded(row, &mut latent);
        }
        Ok(self.decoder.forward(latent.view()))
    }
}
