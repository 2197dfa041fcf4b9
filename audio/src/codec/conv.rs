//! The codecs' convolutions: `Conv1d` with EnCodec's padding (causal or centred, reflect or
//! zeros, and the extra right padding that makes the last window complete) or PyTorch's fixed
//! zero padding, and `ConvTranspose1d` with its trimming, each optionally followed by a
//! one-group `GroupNorm`.
//!
//! Both are matrix products: a convolution multiplies its weights `[out, in · kernel]` by the
//! columns of the input windows (im2col), a transposed one multiplies the transposed weights by
//! the input and adds the columns back at their offsets (col2im). The columns are built for a
//! block of output frames at a time, so memory stays small for long signals.

use ndarray::linalg::general_mat_mul;
use std::ops::Range;

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Axis, CowArray, Ix2};

use super::config::{EncodecConfig, NormType, PadMode};
use super::weights::{matrix, WeightForm, Weights};
use crate::error::{AudioError, Result};

/// Output frames whose input columns are gathered at once.
const BLOCK: usize = 4096;
/// Values of a convolution's columns gathered at once by [`Conv1d::forward`] (128 KiB), but at
/// least as many frames as output channels, so that each product reads its weights no more
/// than it reads columns.
const COLUMN_VALUES: usize = 32 * 1024;
/// Values of a transposed convolution's products computed at once (128 KiB), so that they
/// are still in the cache when they are added to the output; but at least as many frames as
/// input channels, so that each product reads its weights no more than it writes values.
const PRODUCT_VALUES: usize = 32 * 1024;

/// `GroupNorm(1, channels)`: normalise over channels and time together, then scale and shift
/// each channel (eps 1e-5).
#[derive(Debug, Clone)]
pub struct GroupNorm {
    weight: Vec<f32>,
    bias: Vec<f32>,
}

impl GroupNorm {
    /// The norm after the convolution at `prefix`, when the configuration has one.
    fn load(
        weights: &mut Weights,
        config: &EncodecConfig,
        prefix: &str,
        channels: usize,
    ) -> Result<Option<Self>> {
        if config.norm_type != NormType::TimeGroupNorm {
            return Ok(None);
        }
        Ok(Some(Self {
            weight: weights.take(&format!("{prefix}.norm.weight"), &[channels])?,
            bias: weights.take(&format!("{prefix}.norm.bias"), &[channels])?,
        }))
    }

    fn apply(&self, x: &mut Array2<f32>) {
        let n = x.len() as f64;
        if n == 0.0 {
            return;
        }
        let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = x
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        let inv = 1.0 / (var + 1e-5).sqrt();
        for ((mut row, &w), &b) in x.outer_iter_mut().zip(&self.weight).zip(&self.bias) {
            row.mapv_inplace(|v| ((f64::from(v) - mean) * inv) as f32 * w + b);
        }
    }
}

fn weight_form(config: &EncodecConfig) -> WeightForm {
    match config.norm_type {
        NormType::WeightNorm => WeightForm::Normalised,
        NormType::TimeGroupNorm => WeightForm::Plain,
    }
}

/// How a [`Conv1d`] pads its input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Padding {
    /// EnCodec's: `span - stride` samples in all (causal: all before; else the larger half
    /// before), plus what completes the last window after, in `mode`.
    Encodec { causal: bool, mode: PadMode },
    /// PyTorch's `Conv1d(padding=n)`: `n` zeros on each side; a last window that does not fit
    /// is dropped.
    Zeros(usize),
}

/// A 1-D convolution (`EncodecConv1d`, or `nn.Conv1d` with [`Padding::Zeros`]).
#[derive(Debug, Clone)]
pub struct Conv1d {
    /// `[out, in · kernel]`, row `o`, column `i · kernel + k`.
    weight: Array2<f32>,
    bias: Vec<f32>,
    kernel: usize,
    stride: usize,
    dilation: usize,
    padding: Padding,
    norm: Option<GroupNorm>,
    /// One input channel per output channel (`groups` equal to the channels): `weight` is
    /// `[channels, kernel]`.
    depthwise: bool,
}

/// The shape of a [`Conv1d`]: channels in and out, kernel width, stride and dilation.
#[derive(Debug, Clone, Copy)]
pub struct ConvShape {
    pub channels_in: usize,
    pub channels_out: usize,
    pub kernel: usize,
    pub stride: usize,
    pub dilation: usize,
}

impl ConvShape {
    /// A convolution from `channels_in` to `channels_out` with every dimension given.
    pub fn of(
        channels_in: usize,
        channels_out: usize,
        kernel: usize,
        stride: usize,
        dilation: usize,
    ) -> Self {
        Self {
            channels_in,
            channels_out,
            kernel,
            stride,
            dilation,
        }
    }

    /// A convolution from `channels_in` to `channels_out` with a kernel of `kernel` samples,
    /// stride and dilation 1.
    pub fn new(channels_in: usize, channels_out: usize, kernel: usize) -> Self {
        Self {
            channels_in,
            channels_out,
            kernel,
            stride: 1,
            dilation: 1,
        }
    }
}

impl Conv1d {
    /// Loads the convolution at `prefix` (e.g. `encoder.layers.0`), of `shape`.
    pub fn load(
        weights: &mut Weights,
        config: &EncodecConfig,
        prefix: &str,
        shape: ConvShape,
    ) -> Result<Self> {
        let ConvShape {
            channels_in,
            channels_out,
            kernel,
            ..
        } = shape;
        let weight_shape = [channels_out, channels_in, kernel];
        let weight = weights.conv_weight(
            &format!("{prefix}.conv"),
            &weight_shape,
            weight_form(config),
        )?;
        let bias = weights.take(&format!("{prefix}.conv.bias"), &[channels_out])?;
        let norm = GroupNorm::load(weights, config, prefix, channels_out)?;
        let padding = Padding::Encodec {
            causal: config.use_causal_conv,
            mode: config.pad_mode,
        };
        let mut conv = Self::new(prefix, shape, weight, bias, padding)?;
        conv.norm = norm;
        Ok(conv)
    }

    /// A convolution of `shape` from its weight (`[out, in, kernel]`, flat) and bias; `name`
    /// names it in errors.
    pub fn new(
        name: &str,
        shape: ConvShape,
        weight: Vec<f32>,
        bias: Vec<f32>,
        padding: Padding,
    ) -> Result<Self> {
        let ConvShape {
            channels_in,
            channels_out,
            kernel,
            stride,
            dilation,
        } = shape;
        if stride == 0 || kernel == 0 || stride > (kernel - 1) * dilation + 1 {
            return Err(AudioError::BadParameter(format!(
                "{name}: stride {stride} must be between 1 and the kernel's span"
            )));
        }
        Ok(Self {
            weight: matrix(channels_out, channels_in * kernel, weight)?,
            bias,
            kernel,
            stride,
            dilation,
            padding,
            norm: None,
            depthwise: false,
        })
    }

    /// The `nn.Conv1d` at `name` (its weight plain or weight-normed, and a bias), of `shape`,
    /// padded with `padding` zeros each side.
    pub fn load_zero_padded(
        weights: &mut Weights,
        name: &str,
        shape: ConvShape,
        padding: usize,
    ) -> Result<Self> {
        let weight = weights.conv_weight(
            name,
            &[shape.channels_out, shape.channels_in, shape.kernel],
            WeightForm::AsStored,
        )?;
        let bias = weights.take(&format!("{name}.bias"), &[shape.channels_out])?;
        Self::new(name, shape, weight, bias, Padding::Zeros(padding))
    }

    /// [`Conv1d::load_zero_padded`], or where `depthwise` [`Conv1d::load_depthwise`] (`shape`
    /// then has as many channels in as out, and stride 1).
    pub fn load_padded(
        weights: &mut Weights,
        name: &str,
        shape: ConvShape,
        padding: usize,
        depthwise: bool,
    ) -> Result<Self> {
        if depthwise {
            let ConvShape {
                channels_out,
                kernel,
                dilation,
                ..
            } = shape;
            Self::load_depthwise(weights, name, channels_out, kernel, dilation, padding)
        } else {
            Self::load_zero_padded(weights, name, shape, padding)
        }
    }

    /// The depthwise `nn.Conv1d(groups=channels)` at `name` (weight plain or weight-normed,
    /// and a bias), stride 1, padded with `padding` zeros each side.
    pub fn load_depthwise(
        weights: &mut Weights,
        name: &str,
        channels: usize,
        kernel: usize,
        dilation: usize,
        padding: usize,
    ) -> Result<Self> {
        let weight = weights.conv_weight(name, &[channels, 1, kernel], WeightForm::AsStored)?;
        let bias = weights.take(&format!("{name}.bias"), &[channels])?;
        Self::depthwise(
            name,
            channels,
            kernel,
            dilation,
            weight,
            bias,
            Padding::Zeros(padding),
        )
    }

    /// A depthwise convolution (`nn.Conv1d(groups=channels)`): each of the `channels` output
    /// channels convolves its own input channel with a kernel of `kernel` taps, `weight`
    /// `[channels, 1, kernel]` (flat); `name` names it in errors.
    pub fn depthwise(
        name: &str,
        channels: usize,
        kernel: usize,
        dilation: usize,
        weight: Vec<f32>,
        bias: Vec<f32>,
        padding: Padding,
    ) -> Result<Self> {
        let mut conv = Self::new(
            name,
            ConvShape {
                channels_in: 1,
                channels_out: channels,
                kernel,
                stride: 1,
                dilation,
            },
            weight,
            bias,
            padding,
        )?;
        conv.depthwise = true;
        Ok(conv)
    }

    /// The kernel's span in samples: `(kernel - 1) · dilation + 1`.
    fn span(&self) -> usize {
        (self.kernel - 1) * self.dilation + 1
    }

    /// Padding before and after `length` samples (see [`Padding`]).
    pub fn padding(&self, length: usize) -> (usize, usize) {
        let causal = match self.padding {
            Padding::Zeros(n) => return (n, n),
            Padding::Encodec { causal, .. } => causal,
        };
        let (span, stride) = (self.span() as i64, self.stride as i64);
        let total = span - stride;
        let frames =
            ((length as i64 - span + total) as f64 / stride as f64 + 1.0).ceil() as i64 - 1;
        let extra = (frames * stride + span - total - length as i64).max(0) as usize;
        let total = total as usize;
        if causal {
            (total, extra)
        } else {
            let right = total / 2;
            (total - right, right + extra)
        }
    }

    /// The convolution of `x` (`[in, time]`), a block of output frames at a time so that the
    /// padded input and its columns stay in the cache.
    pub fn forward(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let (left, right) = self.padding(x.ncols());
        let frames = self.frames(left + x.ncols() + right);
        let block = if self.is_thin() {
            COLUMN_VALUES / x.nrows().max(1)
        } else {
            (COLUMN_VALUES / (x.nrows() * self.kernel).max(1)).max(self.weight.nrows())
        };
        let mut out = Array2::zeros((self.channels_out(), frames));
        for start in (0..frames).step_by(block) {
            let range = start..(start + block).min(frames);
            let window = self.input_window(x, range.clone());
            self.convolve_into(window.view(), out.slice_mut(s![.., range]));
        }
        if let Some(norm) = &self.norm {
            norm.apply(&mut out);
        }
        out
    }

    /// Padding before the signal that a stream must prepare: `(samples, mode)`, and whether the
    /// convolution can run as a stream at all (causal, no group norm).
    pub(super) fn stream_padding(&self) -> Option<(usize, PadMode)> {
        match self.padding {
            Padding::Encodec { causal: true, mode } if self.norm.is_none() => {
                Some((self.span() - self.stride, mode))
            }
            _ => None,
        }
    }

    /// The stride and span of the kernel, in input samples.
    pub(super) fn geometry(&self) -> (usize, usize) {
        (self.stride, self.span())
    }

    /// Output channels.
    pub(super) fn channels_out(&self) -> usize {
        self.weight.nrows()
    }

    /// Whether a group norm follows, which needs the whole signal at once.
    pub(super) fn has_norm(&self) -> bool {
        self.norm.is_some()
    }

    /// The padded input that the output frames `frames` (not empty) of [`Conv1d::forward`]
    /// read: [`Conv1d::convolve`] of it gives those frames.
    pub(super) fn input_window<'a>(
        &self,
        x: ArrayView2<'a, f32>,
        frames: Range<usize>,
    ) -> CowArray<'a, f32, Ix2> {
        let (left, right) = self.padding(x.ncols());
        let start = frames.start * self.stride;
        let end = (frames.end - 1) * self.stride + self.span();
        if start >= left && end <= left + x.ncols() {
            // All inside the signal: no copy.
            return x.slice_move(s![.., start - left..end - left]).into();
        }
        let mode = match self.padding {
            Padding::Encodec { mode, .. } => mode,
            Padding::Zeros(_) => PadMode::Constant,
        };
        padded_window(x, left, right, mode, start..end).into()
    }

    /// Output frames of `padded` samples: every complete window.
    fn frames(&self, padded: usize) -> usize {
        if padded < self.span() {
            0
        } else {
            (padded - self.span()) / self.stride + 1
        }
    }

    /// Every complete window of an already padded input: bias plus weights times the window's
    /// columns.
    pub(super) fn convolve(&self, padded: ArrayView2<f32>) -> Array2<f32> {
        let mut out = Array2::zeros((self.channels_out(), self.frames(padded.ncols())));
        self.convolve_into(padded, out.view_mut());
        out
    }

    /// One output channel or one input channel per output channel: the matrix product would
    /// be a thin strip, so [`Conv1d::add_taps`] computes it instead.
    fn is_thin(&self) -> bool {
        self.weight.nrows() == 1 || self.weight.ncols() == self.kernel
    }

    /// Adds each tap's weight times its input samples to every output frame in `out`.
    fn add_taps(&self, padded: ArrayView2<f32>, mut out: ArrayViewMut2<f32>) {
        let (frames, stride) = (out.ncols(), self.stride);
        if frames == 0 {
            return;
        }
        for (o, (mut row, weights)) in out
            .outer_iter_mut()
            .zip(self.weight.outer_iter())
            .enumerate()
        {
            // A depthwise output channel reads only its own input channel.
            let inputs = if self.depthwise {
                padded.slice(s![o..o + 1, ..])
            } else {
                padded.view()
            };
            for (input, taps) in inputs.outer_iter().zip(weights.exact_chunks(self.kernel)) {
                for (k, &weight) in taps.iter().enumerate() {
                    let offset = k * self.dilation;
                    row.scaled_add(
                        weight,
                        &input.slice(s![offset..offset + (frames - 1) * stride + 1; stride]),
                    );
                }
            }
        }
    }

    /// [`Conv1d::convolve`] into `out`, a block of output frames' columns at a time.
    pub(super) fn convolve_into(&self, padded: ArrayView2<f32>, mut out: ArrayViewMut2<f32>) {
        let (channels_in, stride) = (padded.nrows(), self.stride);
        let frames = out.ncols();
        // Start from the bias; the products are added to it.
        for (mut row, &b) in out.outer_iter_mut().zip(&self.bias) {
            row.fill(b);
        }
        if self.is_thin() {
            self.add_taps(padded, out);
            return;
        }
        if self.kernel == 1 && stride == 1 {
            // The columns would be the input itself.
            general_mat_mul(1.0, &self.weight, &padded, 1.0, &mut out);
            return;
        }
        let mut columns = Array2::zeros((channels_in * self.kernel, BLOCK.min(frames)));
        let mut start = 0;
        while start < frames {
            let count = BLOCK.min(frames - start);
            for (c, input) in padded.outer_iter().enumerate() {
                for k in 0..self.kernel {
                    let offset = start * stride + k * self.dilation;
                    let window = input.slice(s![offset..offset + (count - 1) * stride + 1; stride]);
                    columns
                        .row_mut(c * self.kernel + k)
                        .slice_mut(s![..count])
                        .assign(&window);
                }
            }
            general_mat_mul(
                1.0,
                &self.weight,
                &columns.slice(s![.., ..count]),
                1.0,
                &mut out.slice_mut(s![.., start..start + count]),
            );
            start += count;
        }
    }
}

/// What a [`ConvTranspose1d`] trims from its full output (`(frames - 1) · stride + kernel`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trim {
    /// EnCodec's: `kernel - stride` samples in all; causal: `ceil(total · trim_right_ratio)` of
    /// them on the right, else the smaller half on the right.
    Encodec { causal: bool, trim_right_ratio: f64 },
    /// PyTorch's `ConvTranspose1d(padding, output_padding)`: `padding` samples on the left,
    /// `padding - output_padding` on the right (`output_padding` at most `padding`).
    Padding {
        padding: usize,
        output_padding: usize,
    },
}

/// A transposed 1-D convolution (`EncodecConvTranspose1d`, or `nn.ConvTranspose1d` with
/// [`Trim::Padding`]).
#[derive(Debug, Clone)]
pub struct ConvTranspose1d {
    /// `[in, out · kernel]` as stored: column `o · kernel + k`.
    weight: Array2<f32>,
    bias: Vec<f32>,
    kernel: usize,
    stride: usize,
    trim: Trim,
    norm: Option<GroupNorm>,
}

impl ConvTranspose1d {
    /// Loads the transposed convolution at `prefix`.
    pub fn load(
        weights: &mut Weights,
        config: &EncodecConfig,
        prefix: &str,
        channels_in: usize,
        channels_out: usize,
        kernel: usize,
        stride: usize,
    ) -> Result<Self> {
        // Stored [in, out, kernel]; the weight norm keeps the first dimension.
        let shape = [channels_in, channels_out, kernel];
        let stored = weights.conv_weight(&format!("{prefix}.conv"), &shape, weight_form(config))?;
        let bias = weights.take(&format!("{prefix}.conv.bias"), &[channels_out])?;
        let norm = GroupNorm::load(weights, config, prefix, channels_out)?;
        let trim = Trim::Encodec {
            causal: config.use_causal_conv,
            trim_right_ratio: config.trim_right_ratio,
        };
        let mut conv = Self::new(
            [channels_in, channels_out, kernel],
            stride,
            stored,
            bias,
            trim,
        )?;
        conv.norm = norm;
        Ok(conv)
    }

    /// The `nn.ConvTranspose1d` at `name` (weight plain or weight-normed, and a bias) of
    /// `shape` (`[in, out, kernel]`) and `stride`, trimmed as `trim` says.
    pub fn load_torch(
        weights: &mut Weights,
        name: &str,
        shape: [usize; 3],
        stride: usize,
        trim: Trim,
    ) -> Result<Self> {
        let weight = weights.conv_weight(name, &shape, WeightForm::AsStored)?;
        let bias = weights.take(&format!("{name}.bias"), &[shape[1]])?;
        Self::new(shape, stride, weight, bias, trim)
    }

    /// A transposed convolution from its weight (`[in, out, kernel]` as `shape`, flat) and
    /// bias.
    pub fn new(
        shape: [usize; 3],
        stride: usize,
        weight: Vec<f32>,
        bias: Vec<f32>,
        trim: Trim,
    ) -> Result<Self> {
        let [channels_in, channels_out, kernel] = shape;
        Ok(Self {
            weight: matrix(channels_in, channels_out * kernel, weight)?,
            bias,
            kernel,
            stride,
            trim,
            norm: None,
        })
    }

    /// The transposed convolution of `x` (`[in, time]`), trimmed as the reference trims it.
    pub fn forward(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let (kernel, stride) = (self.kernel, self.stride);
        let frames = x.ncols();
        let length = if frames == 0 {
            0
        } else {
            (frames - 1) * stride + kernel
        };
        let mut out = Array2::<f32>::zeros((self.channels_out(), length));
        self.add_contributions(x, &mut out, 0);
        self.add_bias(&mut out);
        if let Some(norm) = &self.norm {
            norm.apply(&mut out);
        }
        let (left, right) = match self.trim {
            Trim::Padding {
                padding,
                output_padding,
            } => (padding, padding.saturating_sub(output_padding)),
            Trim::Encodec {
                causal,
                trim_right_ratio,
            } => {
                let total = kernel.saturating_sub(stride);
                let right = if causal {
                    (total as f64 * trim_right_ratio).ceil() as usize
                } else {
                    total / 2
                };
                (total - right, right)
            }
        };
        let end = length.saturating_sub(right).max(left);
        out.slice_axis(Axis(1), (left..end).into()).to_owned()
    }

    /// Output channels.
    pub(super) fn channels_out(&self) -> usize {
        self.weight.ncols() / self.kernel
    }

    /// Whether the transposed convolution can run as a stream: causal, all of the overlap
    /// trimmed on the right, no group norm. Returns `(stride, kernel)`.
    pub(super) fn stream_geometry(&self) -> Option<(usize, usize)> {
        let causal = self.trim
            == Trim::Encodec {
                causal: true,
                trim_right_ratio: 1.0,
            };
        (causal && self.norm.is_none()).then_some((self.stride, self.kernel))
    }

    /// Adds what the frames `x` contribute to `out`, the first frame's at column `offset`,
    /// frame after frame: each output sample receives its contributions in frame order, however
    /// the frames are split into calls (so a stream adds them as the whole signal does).
    pub(super) fn add_contributions(
        &self,
        x: ArrayView2<f32>,
        out: &mut Array2<f32>,
        offset: usize,
    ) {
        let (kernel, stride) = (self.kernel, self.stride);
        let taps = self.weight.ncols(); // out · kernel
        let block = (PRODUCT_VALUES / taps).max(x.nrows());
        let mut products = Array2::zeros((taps, block.min(x.ncols())));
        for start in (0..x.ncols()).step_by(block) {
            let frames = x.slice(s![.., start..(start + block).min(x.ncols())]);
            let count = frames.ncols();
            // Column t: what frame `start + t` adds at each output channel and tap.
            let mut products = products.slice_mut(s![.., ..count]);
            general_mat_mul(1.0, &self.weight.t(), &frames, 0.0, &mut products);
            for (o, mut target) in out.outer_iter_mut().enumerate() {
                // For one output sample a later frame comes through an earlier tap, so going
                // through the taps backwards adds each sample's contributions in frame order.
                for k in (0..kernel).rev() {
                    let first = offset + start * stride + k;
                    let mut samples =
                        target.slice_mut(s![first..first + (count - 1) * stride + 1; stride]);
                    samples += &products.row(o * kernel + k);
                }
            }
        }
    }

    /// Adds the bias to every column.
    pub(super) fn add_bias(&self, out: &mut Array2<f32>) {
        for (mut row, &b) in out.outer_iter_mut().zip(&self.bias) {
            row += b;
        }
    }
}

/// The columns `window` of `x` extended by `left` and `right` samples (reflect: the mirror
/// without the edge sample; where the signal is too short to mirror, zeros are appended first
/// and cut away after, as the reference does), without padding the whole signal.
pub fn padded_window(
    x: ArrayView2<f32>,
    left: usize,
    right: usize,
    mode: PadMode,
    window: Range<usize>,
) -> Array2<f32> {
    let (channels, length) = x.dim();
    let max_pad = left.max(right);
    let zeros_added = if mode == PadMode::Reflect && length <= max_pad {
        max_pad - length + 1
    } else {
        0
    };
    let extended = (length + zeros_added) as isize;
    let mut out = Array2::zeros((channels, window.len()));
    // The part of the window that is the signal itself, in padded columns.
    let inside_start = left.clamp(window.start, window.end);
    let inside = inside_start..(left + length).clamp(inside_start, window.end);
    for (input, mut row) in x.outer_iter().zip(out.outer_iter_mut()) {
        if !inside.is_empty() {
            row.slice_mut(s![inside.start - window.start..inside.end - window.start])
                .assign(&input.slice(s![inside.start - left..inside.end - left]));
        }
        if mode == PadMode::Constant {
            continue;
        }
        // Only the few padded samples are computed one by one.
        let source = |i: isize| {
            if (0..length as isize).contains(&i) {
                input[i as usize]
            } else {
                0.0
            }
        };
        for p in (window.start..inside.start).chain(inside.end..window.end) {
            let i = p as isize - left as isize;
            row[p - window.start] = if i < 0 {
                source(-i)
            } else if i >= extended {
                source(2 * (extended - 1) - i)
            } else {
                source(i)
            };
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole padded signal.
    fn pad(x: ArrayView2<f32>, left: usize, right: usize, mode: PadMode) -> Array2<f32> {
        padded_window(x, left, right, mode, 0..left + x.ncols() + right)
    }

    #[test]
    fn every_window_of_the_padding_equals_the_padded_signal() {
        for length in [1, 2, 3, 7, 20] {
            let x = Array2::from_shape_fn((2, length), |(c, i)| (c * 100 + i + 1) as f32);
            for mode in [PadMode::Constant, PadMode::Reflect] {
                for (left, right) in [(0, 0), (3, 0), (0, 4), (5, 2), (6, 6)] {
                    let whole = pad(x.view(), left, right, mode);
                    let total = whole.ncols();
                    for start in 0..=total {
                        for end in start..=total {
                            assert_eq!(
                                padded_window(x.view(), left, right, mode, start..end),
                                whole.slice(s![.., start..end]),
                                "length {length}, {mode:?}, pad ({left}, {right}), {start}..{end}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn reflection_mirrors_without_the_edge_and_zero_fills_short_signals() {
        let x = Array2::from_shape_fn((1, 3), |(_, i)| (i + 1) as f32);
        assert_eq!(
            pad(x.view(), 2, 2, PadMode::Reflect)
                .into_raw_vec_and_offset()
                .0,
            vec![3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]
        );
        assert_eq!(
            pad(x.view(), 1, 1, PadMode::Constant)
                .into_raw_vec_and_offset()
                .0,
            vec![0.0, 1.0, 2.0, 3.0, 0.0]
        );
        // Too short to mirror 4: two zeros appended (1 2 3 0 0), mirrored, then cut away.
        assert_eq!(
            pad(x.view(), 4, 0, PadMode::Reflect)
                .into_raw_vec_and_offset()
                .0,
            vec![0.0, 0.0, 3.0, 2.0, 1.0, 2.0, 3.0]
        );
    }
}
