//! The configuration of an EnCodec model: transformers' `EncodecConfig`, read from the
//! `config.json` that `save_pretrained` writes, with its defaults for absent fields.

use serde::Deserialize;

use crate::error::{AudioError, Result};

/// How convolutions are normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormType {
    /// Weight normalisation: `w = g · v / ‖v‖` (the 24 kHz models).
    WeightNorm,
    /// A group norm with one group over channels and time after each convolution (48 kHz).
    TimeGroupNorm,
}

/// How signals are extended before a convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PadMode {
    /// The mirror image without the edge sample.
    Reflect,
    /// Zeros.
    Constant,
}

/// `EncodecConfig`'s fields that inference uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct EncodecConfig {
    pub target_bandwidths: Vec<f64>,
    pub sampling_rate: u32,
    pub audio_channels: usize,
    pub normalize: bool,
    pub chunk_length_s: Option<f64>,
    pub overlap: Option<f64>,
    pub hidden_size: usize,
    pub num_filters: usize,
    pub num_residual_layers: usize,
    pub upsampling_ratios: Vec<usize>,
    pub norm_type: NormType,
    pub kernel_size: usize,
    pub last_kernel_size: usize,
    pub residual_kernel_size: usize,
    pub dilation_growth_rate: usize,
    pub use_causal_conv: bool,
    pub pad_mode: PadMode,
    pub compress: usize,
    pub num_lstm_layers: usize,
    pub trim_right_ratio: f64,
    pub codebook_size: usize,
    pub codebook_dim: Option<usize>,
    pub use_conv_shortcut: bool,
}

impl Default for EncodecConfig {
    /// transformers' defaults (the 24 kHz model).
    fn default() -> Self {
        Self {
            target_bandwidths: vec![1.5, 3.0, 6.0, 12.0, 24.0],
            sampling_rate: 24_000,
            audio_channels: 1,
            normalize: false,
            chunk_length_s: None,
            overlap: None,
            hidden_size: 128,
            num_filters: 32,
            num_residual_layers: 1,
            upsampling_ratios: vec![8, 5, 4, 2],
            norm_type: NormType::WeightNorm,
            kernel_size: 7,
            last_kernel_size: 7,
            residual_kernel_size: 3,
            dilation_growth_rate: 2,
            use_causal_conv: true,
            pad_mode: PadMode::Reflect,
            compress: 2,
            num_lstm_layers: 2,
            trim_right_ratio: 1.0,
            codebook_size: 1024,
            codebook_dim: None,
            use_conv_shortcut: true,
        }
    }
}

impl EncodecConfig {
    /// Parses `config.json` text; `source` names it in errors.
    pub fn from_json(text: &str, source: &str) -> Result<Self> {
        let config: Self = serde_json::from_str(text).map_err(|e| AudioError::BadInput {
            path: source.to_owned(),
            message: format!("not an EnCodec configuration: {e}"),
        })?;
        config.check(source)?;
        Ok(config)
    }

    fn check(&self, source: &str) -> Result<()> {
        let bad = |message: String| {
            Err(AudioError::BadInput {
                path: source.to_owned(),
                message,
            })
        };
        if !(1..=2).contains(&self.audio_channels) {
            return bad(format!("audio_channels is {}; 1 or 2", self.audio_channels));
        }
        if self.sampling_rate == 0 || self.upsampling_ratios.contains(&0) {
            return bad("sampling_rate and upsampling_ratios must be positive".into());
        }
        if !self.codebook_size.is_power_of_two() || self.codebook_size < 2 {
            return bad(format!(
                "codebook_size is {}; a power of 2",
                self.codebook_size
            ));
        }
        if self.compress == 0 || self.num_filters == 0 || self.hidden_size == 0 {
            return bad("compress, num_filters and hidden_size must be positive".into());
        }
        if self.target_bandwidths.is_empty() || self.num_quantizers() == 0 {
            return bad("target_bandwidths gives no codebook".into());
        }
        if !self.use_causal_conv && self.trim_right_ratio != 1.0 {
            return bad("trim_right_ratio other than 1 needs causal convolutions".into());
        }
        if let (Some(length), Some(overlap)) = (self.chunk_length_s, self.overlap) {
            if !(length > 0.0 && (0.0..1.0).contains(&overlap)) {
                return bad(format!(
                    "chunk_length_s {length} and overlap {overlap} are out of range"
                ));
            }
        }
        Ok(())
    }

    /// Samples per code frame: the product of the ratios.
    pub fn hop_length(&self) -> usize {
        self.upsampling_ratios.iter().product()
    }

    /// Code frames per second (rounded up).
    pub fn frame_rate(&self) -> usize {
        (self.sampling_rate as usize).div_ceil(self.hop_length())
    }

    /// Bits per code.
    pub fn codebook_bits(&self) -> usize {
        self.codebook_size.trailing_zeros() as usize
    }

    /// The dimension of the quantised embeddings.
    pub fn codebook_dim(&self) -> usize {
        self.codebook_dim.unwrap_or(self.hidden_size)
    }

    /// Codebooks in the model: those the largest bandwidth uses.
    pub fn num_quantizers(&self) -> usize {
        let largest = self.largest_bandwidth();
        (1000.0 * largest / (self.frame_rate() * self.codebook_bits()) as f64).floor() as usize
    }

    /// The largest of the target bandwidths (kbps).
    pub fn largest_bandwidth(&self) -> f64 {
        self.target_bandwidths.iter().copied().fold(0.0, f64::max)
    }

    /// The smallest of the target bandwidths (kbps): transformers' default.
    pub fn smallest_bandwidth(&self) -> f64 {
        self.target_bandwidths
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min)
    }

    /// Codebooks used at `bandwidth` kbps (at least one).
    pub fn codebooks_for(&self, bandwidth: f64) -> usize {
        let per_codebook = (self.codebook_bits() * self.frame_rate()) as f64;
        ((bandwidth * 1000.0 / per_codebook).floor() as usize).max(1)
    }

    /// Samples per chunk, when the model encodes audio in chunks (48 kHz).
    pub fn chunk_length(&self) -> Option<usize> {
        self.chunk_length_s
            .map(|s| (s * f64::from(self.sampling_rate)) as usize)
    }

    /// Samples between chunk starts.
    pub fn chunk_stride(&self) -> Option<usize> {
        let (length, overlap) = (self.chunk_length()?, self.overlap?);
        Some((((1.0 - overlap) * length as f64) as usize).max(1))
    }
}
