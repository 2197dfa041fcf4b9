//! The SEANet encoder and decoder of EnCodec, layer for layer as transformers builds them
//! (`EncodecEncoder`, `EncodecDecoder`), with the same layer numbering in the checkpoint.

use ndarray::{s, Array2, ArrayView2};

use super::config::EncodecConfig;
use super::conv::{Conv1d, ConvShape, ConvTranspose1d};
use super::lstm::Lstm;
use super::weights::Weights;
use crate::error::Result;
use crate::exp::elu_in_place;

/// `ELU` with alpha 1 (`x` for `x > 0`, else `exp(x) - 1`), in place.
pub(super) fn elu(x: Array2<f32>) -> Array2<f32> {
    let mut x = if x.as_slice_memory_order().is_some() {
        x
    } else {
        x.as_standard_layout().into_owned()
    };
    if let Some(values) = x.as_slice_memory_order_mut() {
        elu_in_place(values);
    }
    x
}

/// Values of a residual block's input processed at once: 64 KiB, so that the tile's input, its
/// columns and the branches' outputs fit in a core's cache together.
const TILE_VALUES: usize = 16 * 1024;
/// The fewest frames in a tile, so that the matrix products stay long enough to be efficient.
const MIN_TILE: usize = 64;

/// `EncodecResnetBlock`: ELU, a `residual_kernel_size` convolution to `dim / compress`
/// channels (dilated), ELU, a 1-wide convolution back to `dim`; plus the input through a 1-wide
/// convolution (or as it is, without `use_conv_shortcut`).
#[derive(Debug, Clone)]
pub(super) struct ResnetBlock {
    pub(super) first: Conv1d,
    pub(super) second: Conv1d,
    pub(super) shortcut: Option<Conv1d>,
}

impl ResnetBlock {
    fn load(
        weights: &mut Weights,
        config: &EncodecConfig,
        prefix: &str,
        dim: usize,
        dilation: usize,
    ) -> Result<Self> {
        let hidden = dim / config.compress;
        let kernel = config.residual_kernel_size;
        Ok(Self {
            first: Conv1d::load(
                weights,
                config,
                &format!("{prefix}.block.1"),
                ConvShape {
                    dilation,
                    ..ConvShape::new(dim, hidden, kernel)
                },
            )?,
            second: Conv1d::load(
                weights,
                config,
                &format!("{prefix}.block.3"),
                ConvShape::new(hidden, dim, 1),
            )?,
            shortcut: if config.use_conv_shortcut {
                Some(Conv1d::load(
                    weights,
                    config,
                    &format!("{prefix}.shortcut"),
                    ConvShape::new(dim, dim, 1),
                )?)
            } else {
                None
            },
        })
    }

    /// The block's output, a tile of frames at a time so that every intermediate stays in the
    /// cache (the values do not depend on the tiling); whole when a group norm needs the
    /// signal at once.
    pub(super) fn forward(&self, x: Array2<f32>) -> Array2<f32> {
        let convs = [
            Some(&self.first),
            Some(&self.second),
            self.shortcut.as_ref(),
        ];
        if convs.into_iter().flatten().any(Conv1d::has_norm) {
            let hidden = self.first.forward(elu(x.clone()).view());
            let block = self.second.forward(elu(hidden).view());
            return match &self.shortcut {
                Some(shortcut) => shortcut.forward(x.view()) + block,
                None => x + block,
            };
        }
        let length = x.ncols();
        let tile = (TILE_VALUES / x.nrows().max(1)).max(MIN_TILE);
        let mut out = Array2::zeros((self.second.channels_out(), length));
        for start in (0..length).step_by(tile) {
            let frames = start..(start + tile).min(length);
            // ELU commutes with the padding: it maps a mirrored sample as the sample, 0 to 0.
            let window = elu(self
                .first
                .input_window(x.view(), frames.clone())
                .into_owned());
            let hidden = elu(self.first.convolve(window.view()));
            let block = self.second.convolve(hidden.view());
            let input = x.slice(s![.., frames.clone()]);
            let mut sum = out.slice_mut(s![.., frames]);
            match &self.shortcut {
                Some(shortcut) => shortcut.convolve_into(input, sum.view_mut()),
                None => sum.assign(&input),
            }
            sum += &block;
        }
        out
    }
}

/// One layer of the stack.
#[derive(Debug, Clone)]
pub(super) enum Layer {
    Conv(Conv1d),
    Transposed(ConvTranspose1d),
    Resnet(Box<ResnetBlock>),
    Lstm(Lstm),
    Elu,
}

impl Layer {
    pub(super) fn forward(&self, x: Array2<f32>) -> Array2<f32> {
        match self {
            Layer::Conv(conv) => conv.forward(x.view()),
            Layer::Transposed(conv) => conv.forward(x.view()),
            Layer::Resnet(block) => block.forward(x),
            Layer::Lstm(lstm) => lstm.forward(x.view()),
            Layer::Elu => elu(x),
        }
    }
}

/// A stack of layers (the encoder or the decoder).
#[derive(Debug, Clone)]
pub struct Stack {
    pub(super) layers: Vec<Layer>,
}

impl Stack {
    /// Runs `x` (`[channels, time]`) through every layer.
    pub fn forward(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let mut current = x.as_standard_layout().into_owned();
        for layer in &self.layers {
            current = layer.forward(current);
        }
        current
    }

    /// As [`Stack::forward`], or `None` as soon as a layer's output holds a value that is not
    /// finite (input far outside -1..1 overflows 32-bit floats, and a later LSTM's `tanh`
    /// would hide it).
    pub fn forward_finite(&self, x: ArrayView2<f32>) -> Option<Array2<f32>> {
        let mut current = x.as_standard_layout().into_owned();
        for layer in &self.layers {
            current = layer.forward(current);
            if !current.iter().all(|v| v.is_finite()) {
                return None;
            }
        }
        Some(current)
    }

    /// The encoder: audio `[audio_channels, samples]` to embeddings `[hidden_size, frames]`.
    pub fn encoder(weights: &mut Weights, config: &EncodecConfig) -> Result<Self> {
        let mut builder = Builder::new(weights, config, "encoder");
        let filters = config.num_filters;
        builder.conv(config.audio_channels, filters, config.kernel_size, 1)?;
        let mut scale = 1;
        for &ratio in config.upsampling_ratios.iter().rev() {
            let dim = scale * filters;
            for j in 0..config.num_residual_layers {
                builder.resnet(dim, config.dilation_growth_rate.pow(j as u32))?;
            }
            builder.elu();
            builder.conv(dim, dim * 2, ratio * 2, ratio)?;
            scale *= 2;
        }
        builder.lstm(scale * filters)?;
        builder.elu();
        builder.conv(
            scale * filters,
            config.hidden_size,
            config.last_kernel_size,
            1,
        )?;
        Ok(builder.finish())
    }

    /// The decoder: embeddings `[hidden_size, frames]` to audio `[audio_channels, samples]`.
    pub fn decoder(weights: &mut Weights, config: &EncodecConfig) -> Result<Self> {
        let mut builder = Builder::new(weights, config, "decoder");
        let filters = config.num_filters;
        let mut scale = 1 << config.upsampling_ratios.len();
        builder.conv(config.hidden_size, scale * filters, config.kernel_size, 1)?;
        builder.lstm(scale * filters)?;
        for &ratio in &config.upsampling_ratios {
            let dim = scale * filters;
            builder.elu();
            builder.transposed(dim, dim / 2, ratio * 2, ratio)?;
            for j in 0..config.num_residual_layers {
                builder.resnet(dim / 2, config.dilation_growth_rate.pow(j as u32))?;
            }
            scale /= 2;
        }
        builder.elu();
        builder.conv(filters, config.audio_channels, config.last_kernel_size, 1)?;
        Ok(builder.finish())
    }
}

/// Appends layers with the checkpoint's numbering (`{side}.layers.{n}`).
struct Builder<'a> {
    weights: &'a mut Weights,
    config: &'a EncodecConfig,
    side: &'static str,
    layers: Vec<Layer>,
}

impl<'a> Builder<'a> {
    fn new(weights: &'a mut Weights, config: &'a EncodecConfig, side: &'static str) -> Self {
        Self {
            weights,
            config,
            side,
            layers: Vec::new(),
        }
    }

    fn prefix(&self) -> String {
        format!("{}.layers.{}", self.side, self.layers.len())
    }

    fn conv(&mut self, from: usize, to: usize, kernel: usize, stride: usize) -> Result<()> {
        let prefix = self.prefix();
        let shape = ConvShape {
            stride,
            ..ConvShape::new(from, to, kernel)
        };
        let conv = Conv1d::load(self.weights, self.config, &prefix, shape)?;
        self.layers.push(Layer::Conv(conv));
        Ok(())
    }

    fn transposed(&mut self, from: usize, to: usize, kernel: usize, stride: usize) -> Result<()> {
        let prefix = self.prefix();
        let conv =
            ConvTranspose1d::load(self.weights, self.config, &prefix, from, to, kernel, stride)?;
        self.layers.push(Layer::Transposed(conv));
        Ok(())
    }

    fn resnet(&mut self, dim: usize, dilation: usize) -> Result<()> {
        let prefix = self.prefix();
        let block = ResnetBlock::load(self.weights, self.config, &prefix, dim, dilation)?;
        self.layers.push(Layer::Resnet(Box::new(block)));
        Ok(())
    }

    fn lstm(&mut self, dim: usize) -> Result<()> {
        let prefix = self.prefix();
        let lstm = Lstm::load(self.weights, &prefix, dim, self.config.num_lstm_layers)?;
        self.layers.push(Layer::Lstm(lstm));
        Ok(())
    }

    fn elu(&mut self) {
        self.layers.push(Layer::Elu);
    }

    fn finish(self) -> Stack {
        Stack {
            layers: self.layers,
        }
    }
}
