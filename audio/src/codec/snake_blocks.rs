//! The blocks of Snake convolutions that DAC and SNAC share (SNAC's are DAC's, depthwise where
//! its configuration says so): residual units, encoder blocks that down-sample and decoder
//! blocks that up-sample. Each family loads them under its own tensor names.

use ndarray::Array2;

use super::conv::{Conv1d, ConvShape, ConvTranspose1d, Trim};
use super::snake::Snake;
use super::weights::Weights;
use crate::error::Result;

/// A residual unit: Snake, a width-7 dilated convolution (depthwise or dense), Snake, a width-1
/// convolution, added to the input.
#[derive(Debug, Clone)]
pub(super) struct ResidualUnit {
    snake1: Snake,
    conv1: Conv1d,
    snake2: Snake,
    conv2: Conv1d,
}

impl ResidualUnit {
    /// The three units of a block, dilations 1, 3 and 9, over `channels`; `names(i)` gives unit
    /// `i`'s Snake, convolution, Snake and convolution names.
    pub(super) fn three(
        weights: &mut Weights,
        channels: usize,
        depthwise: bool,
        names: impl Fn(usize) -> [String; 4],
    ) -> Result<Vec<Self>> {
        [1, 3, 9]
            .iter()
            .enumerate()
            .map(|(i, &dilation)| {
                let [snake1, conv1, snake2, conv2] = names(i);
                Ok(Self {
                    snake1: Snake::load(weights, &snake1, channels)?,
                    conv1: Conv1d::load_padded(
                        weights,
                        &conv1,
                        ConvShape::of(channels, channels, 7, 1, dilation),
                        3 * dilation,
                        depthwise,
                    )?,
                    snake2: Snake::load(weights, &snake2, channels)?,
                    conv2: Conv1d::load_zero_padded(
                        weights,
                        &conv2,
                        ConvShape::new(channels, channels, 1),
                        0,
                    )?,
                })
            })
            .collect()
    }

    fn forward(&self, x: Array2<f32>) -> Array2<f32> {
        let mut y = x.clone();
        self.snake1.apply(&mut y);
        let mut y = self.conv1.forward(y.view());
        self.snake2.apply(&mut y);
        // Both convolutions keep the length, so the input needs no cropping.
        x + self.conv2.forward(y.view())
    }
}

fn run_units(units: &[ResidualUnit], mut x: Array2<f32>) -> Array2<f32> {
    for unit in units {
        x = unit.forward(x);
    }
    x
}

/// An encoder block: three residual units, Snake, then a strided convolution (kernel twice the
/// stride) that doubles the channels.
#[derive(Debug, Clone)]
pub(super) struct EncoderBlock {
    units: Vec<ResidualUnit>,
    snake: Snake,
    down: Conv1d,
}

impl EncoderBlock {
    /// The block from `channels` to twice as many, down-sampling by `stride`: its units
    /// (`unit_names`, see [`ResidualUnit::three`]), then the Snake and convolution named.
    pub(super) fn load(
        weights: &mut Weights,
        channels: usize,
        stride: usize,
        depthwise: bool,
        unit_names: impl Fn(usize) -> [String; 4],
        [snake, down]: [String; 2],
    ) -> Result<Self> {
        Ok(Self {
            units: ResidualUnit::three(weights, channels, depthwise, unit_names)?,
            snake: Snake::load(weights, &snake, channels)?,
            down: Conv1d::load_zero_padded(
                weights,
                &down,
                ConvShape::of(channels, 2 * channels, 2 * stride, stride, 1),
                stride.div_ceil(2),
            )?,
        })
    }

    pub(super) fn forward(&self, x: Array2<f32>) -> Array2<f32> {
        let mut x = run_units(&self.units, x);
        self.snake.apply(&mut x);
        self.down.forward(x.view())
    }
}

/// A decoder block: Snake, a transposed convolution (kernel twice the stride, padding half the
/// stride) from `from` to `to` channels, then three residual units.
#[derive(Debug, Clone)]
pub(super) struct DecoderBlock {
    snake: Snake,
    up: ConvTranspose1d,
    units: Vec<ResidualUnit>,
}

impl DecoderBlock {
    /// The block from `from` to `to` channels, up-sampling by `stride` with `output_padding`:
    /// the Snake and transposed convolution named, then its units (`unit_names`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn load(
        weights: &mut Weights,
        [from, to]: [usize; 2],
        stride: usize,
        output_padding: usize,
        depthwise: bool,
        [snake, up]: [String; 2],
        unit_names: impl Fn(usize) -> [String; 4],
    ) -> Result<Self> {
        Ok(Self {
            snake: Snake::load(weights, &snake, from)?,
            up: ConvTranspose1d::load_torch(
                weights,
                &up,
                [from, to, 2 * stride],
                stride,
                Trim::Padding {
                    padding: stride.div_ceil(2),
                    output_padding,
                },
            )?,
            units: ResidualUnit::three(weights, to, depthwise, unit_names)?,
        })
    }

    pub(super) fn forward(&self, x: Array2<f32>) -> Array2<f32> {
        let mut x = x;
        self.snake.apply(&mut x);
        run_units(&self.units, self.up.forward(x.view()))
    }
}
