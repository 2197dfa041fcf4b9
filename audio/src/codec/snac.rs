//! SNAC, the multi-scale neural audio codec: inference equal to the `snac` package's `SNAC`.
//!
//! Mono audio, padded with zeros to a whole number of coarsest codes (and attention windows),
//! becomes one latent frame per hop through convolutions with Snake activations (depthwise where
//! the configuration says so) and, in some configurations, attention within windows of frames.
//! A residual quantiser of factorised codebooks (see [`super::factorised`]) quantises it at
//! several rates: level `i` has one code per `vq_strides[i]` frames (coarse to fine). Decoding
//! sums the levels' values, each repeated over its frames, and runs the decoder.
//!
//! The reference decoder adds random noise after each up-sampling (`NoiseBlock`); omnitok
//! decodes without it, so the same codes always give the same audio. The convolutions see both
//! sides, so SNAC does not stream.
//!
//! Checkpoints are the package's `config.json` beside a `model.safetensors` of its state dict
//! (`scripts/snac_to_safetensors.py` converts a `pytorch_model.bin`), with weight norms named
//! `parametrizations.weight.original0/1` or `weight_g` / `weight_v`, or plain weights.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::Deserialize;

use super::conv::{Conv1d, ConvShape};
use super::factorised::{CodebookShape, FactorisedCodebook, Score};
use super::local_attention::{LocalAttention, HEAD_DIM};
use super::snake::Snake;
use super::snake_blocks::{DecoderBlock, EncoderBlock};
use super::weights::{WeightForm, Weights};
use crate::error::{AudioError, Result};

/// `SNAC`'s constructor arguments, as `config.json` holds them, with the package's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnacConfig {
    /// "snac" where given; the package's own configurations have none.
    pub model_type: Option<String>,
    pub sampling_rate: u32,
    pub encoder_dim: usize,
    pub encoder_rates: Vec<usize>,
    /// The latent width; `encoder_dim · 2^rates` where absent (and it must be that).
    pub latent_dim: Option<usize>,
    pub decoder_dim: usize,
    pub decoder_rates: Vec<usize>,
    /// Frames per attention window; `null`: no attention.
    pub attn_window_size: Option<usize>,
    pub codebook_size: usize,
    pub codebook_dim: usize,
    /// Frames per code of each level, coarse to fine.
    pub vq_strides: Vec<usize>,
    /// Whether the decoder has noise blocks (their weights are read; omnitok adds no noise).
    pub noise: bool,
    pub depthwise: bool,
}

impl Default for SnacConfig {
    fn default() -> Self {
        Self {
            model_type: None,
            sampling_rate: 44_100,
            encoder_dim: 64,
            encoder_rates: vec![3, 3, 7, 7],
            latent_dim: None,
            decoder_dim: 1536,
            decoder_rates: vec![7, 7, 3, 3],
            attn_window_size: Some(32),
            codebook_size: 4096,
            codebook_dim: 8,
            vq_strides: vec![8, 4, 2, 1],
            noise: true,
            depthwise: true,
        }
    }
}

/// The configuration keys only SNAC's `config.json` has: a configuration without `model_type`
/// that has one of them is SNAC's.
pub const SNAC_KEYS: [&str; 3] = ["vq_strides", "encoder_rates", "decoder_rates"];

fn greatest_common_divisor(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        greatest_common_divisor(b, a % b)
    }
}

impl SnacConfig {
    /// Parses `config.json` text; `source` names it in errors.
    pub fn from_json(text: &str, source: &str) -> Result<Self> {
        let bad = |message: String| AudioError::BadInput {
            path: source.to_owned(),
            message,
        };
        let config: Self = serde_json::from_str(text)
            .map_err(|e| bad(format!("not a SNAC configuration: {e}")))?;
        if let Some(other) = config.model_type.as_deref().filter(|t| *t != "snac") {
            return Err(bad(format!(
                "model_type is \"{other}\": not a SNAC checkpoint"
            )));
        }
        for (name, rates) in [
            ("encoder_rates", &config.encoder_rates),
            ("decoder_rates", &config.decoder_rates),
            ("vq_strides", &config.vq_strides),
        ] {
            if rates.is_empty() || rates.len() > 8 || rates.iter().any(|&r| r == 0 || r > 64) {
                return Err(bad(format!("{name} {rates:?}: 1 to 8 values of 1 to 64")));
            }
        }
        let sizes = [
            ("sampling_rate", config.sampling_rate as usize, 1 << 20),
            ("encoder_dim", config.encoder_dim, 1 << 16),
            ("decoder_dim", config.decoder_dim, 1 << 20),
            ("codebook_size", config.codebook_size, 1 << 24),
            ("codebook_dim", config.codebook_dim, 1 << 16),
            (
                "attn_window_size",
                config.attn_window_size.unwrap_or(1),
                1 << 12,
            ),
        ];
        if let Some((name, value, most)) = sizes.iter().find(|(_, v, most)| *v == 0 || v > most) {
            return Err(bad(format!("{name} is {value}; 1 to {most}")));
        }
        if config.codebook_size < 2 {
            return Err(bad("codebook_size must be at least 2".into()));
        }
        let encoded = config.encoder_dim << config.encoder_rates.len();
        if config.latent_dim.is_some_and(|d| d != encoded) {
            return Err(bad(format!(
                "latent_dim {:?} differs from the encoder's output width, encoder_dim · \
                 2^{} = {encoded}",
                config.latent_dim,
                config.encoder_rates.len()
            )));
        }
        if config.decoder_dim % (1 << config.decoder_rates.len()) != 0 {
            return Err(bad(format!(
                "decoder_dim ({}) must be a multiple of 2^{} (each decoder block halves it)",
                config.decoder_dim,
                config.decoder_rates.len()
            )));
        }
        if config.attn_window_size.is_some()
            && (encoded % HEAD_DIM != 0 || config.decoder_dim % HEAD_DIM != 0)
        {
            return Err(bad(format!(
                "with attention, the encoder's output width ({encoded}) and decoder_dim ({}) \
                 must be multiples of {HEAD_DIM}, the width of a head",
                config.decoder_dim
            )));
        }
        Ok(config)
    }

    /// The latent width: `encoder_dim · 2^rates`.
    pub fn latent_dim(&self) -> usize {
        self.encoder_dim << self.encoder_rates.len()
    }

    /// Samples per latent frame (the finest level's code): the product of the encoder's rates.
    pub fn hop_length(&self) -> usize {
        self.encoder_rates.iter().product()
    }

    /// Frames that the padded audio is a whole number of: the least common multiple of the
    /// coarsest stride and the attention window.
    pub fn frame_multiple(&self) -> usize {
        let (a, b) = (self.vq_strides[0], self.attn_window_size.unwrap_or(1));
        a / greatest_common_divisor(a, b) * b
    }
}

/// The names of the three residual units of the block at `prefix`, from its layer `first`:
/// unit `i` is `PREFIX.block.{first + i}.block.0` to `.3` (Snake, convolution, Snake,
/// convolution).
fn unit_names(prefix: &str, first: usize) -> impl Fn(usize) -> [String; 4] + '_ {
    move |i| ["0", "1", "2", "3"].map(|layer| format!("{prefix}.block.{}.block.{layer}", first + i))
}

/// `Encoder`.
#[derive(Debug, Clone)]
struct Encoder {
    first: Conv1d,
    blocks: Vec<EncoderBlock>,
    attention: Option<LocalAttention>,
    last: Conv1d,
}

impl Encoder {
    fn load(weights: &mut Weights, config: &SnacConfig) -> Result<Self> {
        let width = config.encoder_dim;
        let first = Conv1d::load_padded(
            weights,
            "encoder.block.0",
            ConvShape::new(1, width, 7),
            3,
            false,
        )?;
        let mut blocks = Vec::new();
        for (i, &stride) in config.encoder_rates.iter().enumerate() {
            let prefix = format!("encoder.block.{}", i + 1);
            blocks.push(EncoderBlock::load(
                weights,
                width << i,
                stride,
                config.depthwise,
                unit_names(&prefix, 0),
                [format!("{prefix}.block.3"), format!("{prefix}.block.4")],
            )?);
        }
        let latent = config.latent_dim();
        let mut next = config.encoder_rates.len() + 1;
        let attention = match config.attn_window_size {
            Some(window) => {
                next += 1;
                Some(LocalAttention::load(
                    weights,
                    &format!("encoder.block.{}", next - 1),
                    latent,
                    window,
                )?)
            }
            None => None,
        };
        let last = Conv1d::load_padded(
            weights,
            &format!("encoder.block.{next}"),
            ConvShape::new(latent, latent, 7),
            3,
            config.depthwise,
        )?;
        Ok(Self {
            first,
            blocks,
            attention,
            last,
        })
    }

    fn forward(&self, audio: ArrayView2<f32>) -> Result<Array2<f32>> {
        let mut x = self.first.forward(audio);
        for block in &self.blocks {
            x = block.forward(x);
        }
        if let Some(attention) = &self.attention {
            x = attention.forward(x)?;
        }
        Ok(self.last.forward(x.view()))
    }
}

/// `Decoder`: the input convolutions, attention, the blocks, Snake, a convolution to one
/// channel, tanh.
#[derive(Debug, Clone)]
struct Decoder {
    first: Vec<Conv1d>,
    attention: Option<LocalAttention>,
    blocks: Vec<DecoderBlock>,
    snake: Snake,
    last: Conv1d,
}

impl Decoder {
    fn load(weights: &mut Weights, config: &SnacConfig) -> Result<Self> {
        let (latent, width) = (config.latent_dim(), config.decoder_dim);
        let first = if config.depthwise {
            vec![
                Conv1d::load_padded(
                    weights,
                    "decoder.model.0",
                    ConvShape::new(latent, latent, 7),
                    3,
                    true,
                )?,
                Conv1d::load_padded(
                    weights,
                    "decoder.model.1",
                    ConvShape::new(latent, width, 1),
                    0,
                    false,
                )?,
            ]
        } else {
            vec![Conv1d::load_padded(
                weights,
                "decoder.model.0",
                ConvShape::new(latent, width, 7),
                3,
                false,
            )?]
        };
        let mut next = first.len();
        let attention = match config.attn_window_size {
            Some(window) => {
                next += 1;
                Some(LocalAttention::load(
                    weights,
                    &format!("decoder.model.{}", next - 1),
                    width,
                    window,
                )?)
            }
            None => None,
        };
        let mut blocks = Vec::new();
        for (i, &stride) in config.decoder_rates.iter().enumerate() {
            let prefix = format!("decoder.model.{next}");
            next += 1;
            let to = width >> (i + 1);
            let mut first_unit = 2;
            if config.noise {
                // The noise block's projection scales the noise, which omnitok does not add.
                weights.conv_weight(
                    &format!("{prefix}.block.2.linear"),
                    &[to, to, 1],
                    WeightForm::AsStored,
                )?;
                first_unit = 3;
            }
            // `DecoderBlock`: Snake, a transposed convolution with output padding `stride % 2`
            // (so every block multiplies the length by its stride), the noise block's place,
            // three residual units.
            blocks.push(DecoderBlock::load(
                weights,
                [width >> i, to],
                stride,
                stride % 2,
                config.depthwise,
                [format!("{prefix}.block.0"), format!("{prefix}.block.1")],
                unit_names(&prefix, first_unit),
            )?);
        }
        let out = width >> config.decoder_rates.len();
        Ok(Self {
            first,
            attention,
            blocks,
            snake: Snake::load(weights, &format!("decoder.model.{next}"), out)?,
            last: Conv1d::load_padded(
                weights,
                &format!("decoder.model.{}", next + 1),
                ConvShape::new(out, 1, 7),
                3,
                false,
            )?,
        })
    }

    fn forward(&self, latent: ArrayView2<f32>) -> Result<Array2<f32>> {
        let mut x = latent.to_owned();
        for conv in &self.first {
            x = conv.forward(x.view());
        }
        if let Some(attention) = &self.attention {
            x = attention.forward(x)?;
        }
        for block in &self.blocks {
            x = block.forward(x);
        }
        self.snake.apply(&mut x);
        let mut audio = self.last.forward(x.view());
        audio.mapv_inplace(f32::tanh);
        Ok(audio)
    }
}

/// A SNAC model.
#[derive(Debug, Clone)]
pub struct Snac {
    config: SnacConfig,
    encoder: Encoder,
    decoder: Decoder,
    /// One codebook per level, coarse to fine.
    levels: Vec<FactorisedCodebook>,
}

impl Snac {
    /// Builds the model of `config` from `weights`; every tensor must be used (the attention's
    /// stored frequencies are read where present).
    pub(super) fn from_weights(config: SnacConfig, weights: &mut Weights) -> Result<Self> {
        let encoder = Encoder::load(weights, &config)?;
        let decoder = Decoder::load(weights, &config)?;
        let levels = config
            .vq_strides
            .iter()
            .enumerate()
            .map(|(i, &stride)| {
                let shape = CodebookShape {
                    hidden: config.latent_dim(),
                    dim: config.codebook_dim,
                    size: config.codebook_size,
                    stride,
                };
                FactorisedCodebook::load(
                    weights,
                    &format!("quantizer.quantizers.{i}"),
                    shape,
                    Score::Distance,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        weights.finish(|_| false)?;
        Ok(Self {
            config,
            encoder,
            decoder,
            levels,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SnacConfig {
        &self.config
    }

    /// Samples the audio is padded to a whole number of: hop · [`SnacConfig::frame_multiple`].
    pub fn padding_multiple(&self) -> usize {
        self.config.hop_length() * self.config.frame_multiple()
    }

    /// `audio` (`[1, samples]`, at least one sample, finite) padded with zeros at the end to a
    /// multiple of [`Snac::padding_multiple`], as `SNAC.preprocess` pads it.
    fn padded(&self, audio: ArrayView2<f32>) -> Result<Array2<f32>> {
        let (channels, length) = audio.dim();
        if channels != 1 || length == 0 {
            return Err(AudioError::BadParameter(format!(
                "SNAC takes 1 channel of at least one sample; the audio has {channels} channels of \
                 {length} samples"
            )));
        }
        if let Some(index) = audio.iter().position(|s| !s.is_finite()) {
            return Err(AudioError::NonFinite {
                index,
                value: audio[[0, index]],
            });
        }
        let multiple = self.padding_multiple();
        let mut padded = Array2::zeros((1, length.div_ceil(multiple) * multiple));
        padded.slice_mut(ndarray::s![.., ..length]).assign(&audio);
        Ok(padded)
    }

    /// The encoder's output for `audio` (`[1, samples]` at the model's rate, padded as
    /// [`Snac::encode`] pads it): `[latent, frames]`, refused where it overflows 32-bit floats.
    pub fn embeddings(&self, audio: ArrayView2<f32>) -> Result<Array2<f32>> {
        let padded = self.padded(audio)?;
        let embeddings = self.encoder.forward(padded.view())?;
        if embeddings.iter().all(|v| v.is_finite()) {
            Ok(embeddings)
        } else {
            let peak = audio
                .iter()
                .fold(0f64, |peak, &v| peak.max(f64::from(v).abs()));
            Err(AudioError::Overflow { peak })
        }
    }

    /// Encodes `audio` (`[1, samples]` at the model's rate): one code array per level, coarse
    /// to fine; level `i` has `frames / vq_strides[i]` codes, where `frames` is the padded
    /// audio's samples over the hop.
    pub fn encode(&self, audio: ArrayView2<f32>) -> Result<Vec<Array1<i64>>> {
        let mut residual = self.embeddings(audio)?;
        Ok(self
            .levels
            .iter()
            .map(|level| Array1::from(level.encode(&mut residual)))
            .collect())
    }

    /// Checks codes of every level: as many levels as the model has, lengths that agree (level
    /// `i` covers `len · vq_strides[i]` frames, the same for all, a whole number of attention
    /// windows), codes in range. Returns the frames.
    fn check_levels(&self, levels: &[ArrayView1<i64>]) -> Result<usize> {
        let strides = &self.config.vq_strides;
        if levels.len() != strides.len() {
            return Err(AudioError::BadParameter(format!(
                "{} levels of codes; this SNAC model has {} (strides {strides:?})",
                levels.len(),
                strides.len()
            )));
        }
        let frames = levels[0].len() * strides[0];
        for (i, (level, &stride)) in levels.iter().zip(strides).enumerate() {
            if level.len() * stride != frames || frames == 0 {
                let lengths: Vec<usize> = levels.iter().map(|l| l.len()).collect();
                return Err(AudioError::BadParameter(format!(
                    "level {i} has {} codes; levels of strides {strides:?} need lengths in \
                     proportion (n · {:?}, n at least 1), these have {lengths:?}",
                    level.len(),
                    strides.iter().map(|s| strides[0] / s).collect::<Vec<_>>()
                )));
            }
            let size = self.config.codebook_size as i64;
            if let Some(at) = level.iter().position(|&c| !(0..size).contains(&c)) {
                return Err(AudioError::BadParameter(format!(
                    "code {} of level {i} at position {at} is outside 0..{size}",
                    level[at]
                )));
            }
        }
        if let Some(window) = self.config.attn_window_size.filter(|w| frames % w != 0) {
            return Err(AudioError::BadParameter(format!(
                "the codes cover {frames} frames; this model decodes whole attention windows of \
                 {window} frames"
            )));
        }
        Ok(frames)
    }

    /// Decodes codes of every level (coarse to fine) to audio `[1, frames · hop]`, without the
    /// reference's noise.
    pub fn decode(&self, levels: &[ArrayView1<i64>]) -> Result<Array2<f32>> {
        let frames = self.check_levels(levels)?;
        let mut latent = Array2::<f32>::zeros((self.config.latent_dim(), frames));
        for (codes, level) in levels.iter().zip(&self.levels) {
            level.add_decoded(codes.view(), &mut latent);
        }
        self.decoder.forward(latent.view())
    }
}
