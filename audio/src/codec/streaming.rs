//! EnCodec as a stream, for causal models: audio in pieces of any size to code frames as soon
//! as they are determined, and code frames to audio as soon as it is determined, equal to
//! offline encoding and decoding bit for bit.
//!
//! Every layer of a causal model looks only backwards, except in two places the reference
//! pads by mirroring: before the signal each convolution mirrors its first samples (so its
//! first output waits for `span - stride + 1` inputs), and after the signal it mirrors the last
//! ones to complete the last window (so the last frames wait for the end, [`flush`]). Each layer
//! keeps what it still needs: a convolution its last window and the mirrored head, a transposed
//! convolution the overlap of its last outputs, the LSTM its hidden and cell states, a residual
//! block the shortcut frames its main branch has not reached yet. The matrix products run on
//! whatever frames are ready; each output value is computed by the same operations in the same
//! order as offline, so the results are identical.
//!
//! Latency ([`StreamingEncoder::latency_samples`]): one code frame stands for a hop of audio
//! (320 samples at 24 kHz, 13.3 ms), and the mirrored heads delay the first. With the 24 kHz
//! architecture the encoder's last convolution (kernel 7) mirrors its first 6 frames, so the
//! first code frame comes after 2,240 samples (93.3 ms), then one every 320 samples; the
//! decoder's first convolution does the same with code frames, so the first audio (2,240
//! samples) comes after 7 code frames, then 320 samples per frame.
//!
//! [`flush`]: StreamingEncoder::flush

use std::sync::Arc;

use ndarray::{concatenate, s, Array2, ArrayView2, Axis};

use super::config::PadMode;
use super::conv::{Conv1d, ConvTranspose1d};
use super::encodec::Encodec;
use super::lstm::LstmState;
use super::seanet::{elu, Layer, ResnetBlock, Stack};
use super::Codec;
use crate::error::{AudioError, Result};

fn join(a: Array2<f32>, b: Array2<f32>) -> Array2<f32> {
    if a.ncols() == 0 {
        return b;
    }
    if b.ncols() == 0 {
        return a;
    }
    // (concatenate may lay the result out column-major; the layers expect row-major.)
    concatenate(Axis(1), &[a.view(), b.view()])
        .map(|joined| joined.as_standard_layout().into_owned())
        .unwrap_or(a)
}

/// A causal convolution fed in pieces.
#[derive(Debug, Clone)]
struct ConvStream {
    channels: usize,
    /// Inputs kept: column 0 is input sample `base`.
    kept: Array2<f32>,
    base: usize,
    seen: usize,
    emitted: usize,
    /// The first inputs, for the mirrored padding before the signal.
    head: Array2<f32>,
}

impl ConvStream {
    fn new(channels: usize) -> Self {
        Self {
            channels,
            kept: Array2::zeros((channels, 0)),
            base: 0,
            seen: 0,
            emitted: 0,
            head: Array2::zeros((channels, 0)),
        }
    }

    /// Input sample `i` (negative: padding before; `>= seen`: padding after, at the end).
    fn sample(&self, conv: &Conv1d, c: usize, i: isize) -> f32 {
        let (_, mode) = stream_padding(conv);
        let n = self.seen as isize;
        let i = match mode {
            _ if (0..n).contains(&i) => i,
            PadMode::Constant => return 0.0,
            PadMode::Reflect if i < 0 => -i,
            PadMode::Reflect => 2 * (n - 1) - i,
        } as usize;
        if i < self.head.ncols() {
            self.head[[c, i]]
        } else {
            self.kept[[c, i - self.base]]
        }
    }

    /// Output frames `from..to` from the inputs (with the padding of the end when `end`).
    fn frames(&self, conv: &Conv1d, from: usize, to: usize) -> Array2<f32> {
        let (stride, span) = conv.geometry();
        let (pad, _) = stream_padding(conv);
        let start = (from * stride) as isize - pad as isize;
        let length = if to > from {
            (to - from - 1) * stride + span
        } else {
            0
        };
        let inside = start >= self.base as isize && start as usize + length <= self.seen;
        if inside {
            // No padding: the kept inputs as they are.
            let at = start as usize - self.base;
            return conv.convolve(self.kept.slice(s![.., at..at + length]));
        }
        let segment = Array2::from_shape_fn((self.channels, length), |(c, j)| {
            self.sample(conv, c, start + j as isize)
        });
        conv.convolve(segment.view())
    }

    fn push(&mut self, conv: &Conv1d, x: ArrayView2<f32>) -> Array2<f32> {
        let (stride, span) = conv.geometry();
        let (pad, mode) = stream_padding(conv);
        let wanted_head = pad + 1;
        if self.head.ncols() < wanted_head {
            let more = (wanted_head - self.head.ncols()).min(x.ncols());
            self.head = join(self.head.clone(), x.slice(s![.., ..more]).to_owned());
        }
        self.kept = join(std::mem::take(&mut self.kept), x.to_owned());
        self.seen += x.ncols();
        let mirror_ready = mode == PadMode::Constant || self.seen > pad;
        // Frames whose windows end within the inputs seen.
        let complete = if mirror_ready && self.seen + pad >= span {
            (self.seen + pad - span) / stride + 1
        } else {
            0
        };
        let out = if complete > self.emitted {
            let out = self.frames(conv, self.emitted, complete);
            self.emitted = complete;
            out
        } else {
            Array2::zeros((conv.channels_out(), 0))
        };
        self.forget(conv);
        out
    }

    /// Drops inputs no later frame (nor the mirrored end) needs.
    fn forget(&mut self, conv: &Conv1d) {
        let (stride, span) = conv.geometry();
        let (pad, _) = stream_padding(conv);
        if self.emitted == 0 {
            return; // a stream shorter than the padding is convolved whole at the end
        }
        let needed = (self.emitted * stride).saturating_sub(pad + span);
        if needed > self.base {
            let drop = (needed - self.base).min(self.kept.ncols());
            self.kept = self.kept.slice(s![.., drop..]).to_owned();
            self.base += drop;
        }
    }

    fn flush(&mut self, conv: &Conv1d) -> Array2<f32> {
        if self.emitted == 0 {
            // Nothing could be emitted (too short to mirror): as offline, on the whole input.
            self.emitted = usize::MAX;
            return conv.forward(self.kept.view());
        }
        let (stride, span) = conv.geometry();
        let (pad, _) = stream_padding(conv);
        let (_, right) = conv.padding(self.seen);
        let total = (pad + self.seen + right - span) / stride + 1;
        let out = self.frames(conv, self.emitted, total.max(self.emitted));
        self.emitted = total;
        out
    }
}

fn stream_padding(conv: &Conv1d) -> (usize, PadMode) {
    conv.stream_padding().unwrap_or((0, PadMode::Constant))
}

/// A causal transposed convolution fed in pieces: output samples are final once no later
/// frame adds to them; the overlap trimmed at the end is never emitted.
#[derive(Debug, Clone)]
struct TransposedStream {
    /// Output samples from `emitted` on, before the bias.
    pending: Array2<f32>,
    frames: usize,
    emitted: usize,
}

impl TransposedStream {
    fn new(channels_out: usize) -> Self {
        Self {
            pending: Array2::zeros((channels_out, 0)),
            frames: 0,
            emitted: 0,
        }
    }

    fn push(&mut self, conv: &ConvTranspose1d, x: ArrayView2<f32>) -> Array2<f32> {
        let (stride, kernel) = conv.stream_geometry().unwrap_or((1, 1));
        let channels = self.pending.nrows();
        if x.ncols() == 0 {
            return Array2::zeros((channels, 0));
        }
        let frames = self.frames + x.ncols();
        let reach = (frames - 1) * stride + kernel - self.emitted;
        if self.pending.ncols() < reach {
            let more = Array2::zeros((channels, reach - self.pending.ncols()));
            self.pending = join(std::mem::take(&mut self.pending), more);
        }
        conv.add_contributions(x, &mut self.pending, self.frames * stride - self.emitted);
        self.frames = frames;
        // Samples before the next frame's first are final.
        let done = frames * stride - self.emitted;
        let mut out = self.pending.slice(s![.., ..done]).to_owned();
        conv.add_bias(&mut out);
        self.pending = self.pending.slice(s![.., done..]).to_owned();
        self.emitted += done;
        out
    }
}

/// A residual block fed in pieces: the shortcut's frames wait for the main branch.
#[derive(Debug, Clone)]
struct ResnetStream {
    first: ConvStream,
    second: ConvStream,
    shortcut: Option<ConvStream>,
    waiting: Array2<f32>,
}

impl ResnetStream {
    fn new(block: &ResnetBlock, channels: usize, hidden: usize) -> Self {
        Self {
            first: ConvStream::new(channels),
            second: ConvStream::new(hidden),
            shortcut: block.shortcut.as_ref().map(|_| ConvStream::new(channels)),
            waiting: Array2::zeros((channels, 0)),
        }
    }

    fn combine(&mut self, shortcut: Array2<f32>, main: Array2<f32>) -> Array2<f32> {
        self.waiting = join(std::mem::take(&mut self.waiting), shortcut);
        let n = main.ncols();
        let out = &self.waiting.slice(s![.., ..n]) + &main;
        self.waiting = self.waiting.slice(s![.., n..]).to_owned();
        out
    }

    fn push(&mut self, block: &ResnetBlock, x: Array2<f32>) -> Array2<f32> {
        let shortcut = match (&block.shortcut, &mut self.shortcut) {
            (Some(conv), Some(stream)) => stream.push(conv, x.view()),
            _ => x.clone(),
        };
        let hidden = self.first.push(&block.first, elu(x).view());
        let main = self.second.push(&block.second, elu(hidden).view());
        self.combine(shortcut, main)
    }

    fn flush(&mut self, block: &ResnetBlock) -> Array2<f32> {
        let shortcut = match (&block.shortcut, &mut self.shortcut) {
            (Some(conv), Some(stream)) => stream.flush(conv),
            _ => Array2::zeros((self.waiting.nrows(), 0)),
        };
        let hidden = self.first.flush(&block.first);
        let main = join(
            self.second.push(&block.second, elu(hidden).view()),
            self.second.flush(&block.second),
        );
        self.combine(shortcut, main)
    }
}

/// What each layer of a stack keeps between pieces.
#[derive(Debug, Clone)]
enum LayerStream {
    Conv(ConvStream),
    Transposed(TransposedStream),
    Resnet(Box<ResnetStream>),
    Lstm(LstmState),
    Elu,
}

/// A stack (encoder or decoder) fed in pieces.
#[derive(Debug, Clone)]
struct StackStream {
    layers: Vec<LayerStream>,
}

impl StackStream {
    /// The streams of `stack`'s layers, whose input has `channels` channels; an error for
    /// layers that cannot stream (not causal, group norm).
    fn new(stack: &Stack, mut channels: usize) -> Result<Self> {
        let not_causal = || {
            AudioError::BadParameter(
                "only causal models without group norm can stream (the 24 kHz kind)".into(),
            )
        };
        let mut layers = Vec::new();
        for layer in &stack.layers {
            layers.push(match layer {
                Layer::Conv(conv) => {
                    conv.stream_padding().ok_or_else(not_causal)?;
                    let stream = ConvStream::new(channels);
                    channels = conv.channels_out();
                    LayerStream::Conv(stream)
                }
                Layer::Transposed(conv) => {
                    conv.stream_geometry().ok_or_else(not_causal)?;
                    channels = conv.channels_out();
                    LayerStream::Transposed(TransposedStream::new(channels))
                }
                Layer::Resnet(block) => {
                    for conv in [
                        Some(&block.first),
                        Some(&block.second),
                        block.shortcut.as_ref(),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        conv.stream_padding().ok_or_else(not_causal)?;
                    }
                    let hidden = block.first.channels_out();
                    LayerStream::Resnet(Box::new(ResnetStream::new(block, channels, hidden)))
                }
                Layer::Lstm(lstm) => LayerStream::Lstm(lstm.initial_state()),
                Layer::Elu => LayerStream::Elu,
            });
        }
        Ok(Self { layers })
    }

    /// Feeds `x` (or, with `end`, `x` and then the end of the input) through every layer.
    fn run(&mut self, stack: &Stack, x: Array2<f32>, end: bool) -> Array2<f32> {
        let mut current = x;
        for (layer, stream) in stack.layers.iter().zip(&mut self.layers) {
            current = match (layer, stream) {
                (Layer::Conv(conv), LayerStream::Conv(s)) => {
                    let out = s.push(conv, current.view());
                    if end {
                        join(out, s.flush(conv))
                    } else {
                        out
                    }
                }
                (Layer::Transposed(conv), LayerStream::Transposed(s)) => {
                    s.push(conv, current.view())
                }
                (Layer::Resnet(block), LayerStream::Resnet(s)) => {
                    let out = s.push(block, current);
                    if end {
                        join(out, s.flush(block))
                    } else {
                        out
                    }
                }
                (Layer::Lstm(lstm), LayerStream::Lstm(state)) => {
                    lstm.forward_from(current.view(), state)
                }
                (Layer::Elu, LayerStream::Elu) => elu(current),
                _ => unreachable!("streams are built from the same layers"),
            };
        }
        current
    }
}

/// Encodes audio that arrives in pieces (causal models).
#[derive(Debug, Clone)]
pub struct StreamingEncoder {
    model: Arc<Encodec>,
    stack: StackStream,
    codebooks: usize,
    finished: bool,
}

impl StreamingEncoder {
    /// A stream at `bandwidth` kbps; an error for models that cannot stream.
    pub fn new(codec: Arc<Codec>, bandwidth: f64) -> Result<Self> {
        let codebooks = codec.codebooks_for(bandwidth)?;
        let model = streaming_model(&codec)?;
        let stack = StackStream::new(&model.encoder, model.config.audio_channels)?;
        Ok(Self {
            model,
            stack,
            codebooks,
            finished: false,
        })
    }

    /// Adds `audio` (`[channels, samples]`) and returns the code frames now determined,
    /// `[codebooks, frames]`.
    pub fn push(&mut self, audio: ArrayView2<f32>) -> Result<ndarray::Array2<i64>> {
        self.feed(audio.to_owned(), false)
    }

    /// Ends the stream and returns the remaining code frames.
    pub fn flush(&mut self) -> Result<ndarray::Array2<i64>> {
        let channels = self.model.config.audio_channels;
        self.feed(Array2::zeros((channels, 0)), true)
    }

    fn feed(&mut self, audio: Array2<f32>, end: bool) -> Result<ndarray::Array2<i64>> {
        if self.finished {
            return Err(AudioError::BadParameter("the stream has ended".into()));
        }
        check_audio(&self.model, audio.view())?;
        self.finished = end;
        let embeddings = self.stack.run(&self.model.encoder, audio, end);
        Ok(self
            .model
            .quantizer
            .encode(embeddings.view(), self.codebooks))
    }

    /// Samples from the start until the first code frame is emitted.
    pub fn latency_samples(&self) -> usize {
        let mut probe = self.clone();
        let channels = self.model.config.audio_channels;
        let hop = self.model.config.hop_length();
        let mut fed = 0;
        // Far more than any model's mirrored heads need.
        while fed < 64 * hop {
            fed += 1;
            match probe.push(Array2::zeros((channels, 1)).view()) {
                Ok(codes) if codes.ncols() > 0 => return fed,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        fed
    }
}

/// Decodes code frames that arrive in pieces (causal models).
#[derive(Debug, Clone)]
pub struct StreamingDecoder {
    model: Arc<Encodec>,
    stack: StackStream,
    finished: bool,
}

impl StreamingDecoder {
    /// A stream; an error for models that cannot stream.
    pub fn new(codec: Arc<Codec>) -> Result<Self> {
        let model = streaming_model(&codec)?;
        let stack = StackStream::new(&model.decoder, model.config.hidden_size)?;
        Ok(Self {
            model,
            stack,
            finished: false,
        })
    }

    /// Adds code frames `[codebooks, frames]` and returns the audio now determined,
    /// `[channels, samples]`.
    pub fn push(&mut self, codes: ArrayView2<i64>) -> Result<Array2<f32>> {
        if self.finished {
            return Err(AudioError::BadParameter("the stream has ended".into()));
        }
        let embeddings = self.model.quantizer.decode(codes)?;
        Ok(self.stack.run(&self.model.decoder, embeddings, false))
    }

    /// Ends the stream and returns the remaining audio.
    pub fn flush(&mut self) -> Result<Array2<f32>> {
        if self.finished {
            return Err(AudioError::BadParameter("the stream has ended".into()));
        }
        self.finished = true;
        let dim = self.model.config.hidden_size;
        Ok(self
            .stack
            .run(&self.model.decoder, Array2::zeros((dim, 0)), true))
    }
}

/// The EnCodec model of `codec`, if it can stream: causal, without chunks (the 24 kHz kind).
fn streaming_model(codec: &Codec) -> Result<Arc<Encodec>> {
    let model = codec.encodec().ok_or_else(|| {
        AudioError::BadParameter(format!(
            "{} models cannot stream: their convolutions look ahead",
            codec.family()
        ))
    })?;
    if model.config.normalize || model.config.chunk_length().is_some() {
        return Err(AudioError::BadParameter(
            "models that normalise chunks cannot stream".into(),
        ));
    }
    Ok(model.clone())
}

/// Whether `model` can stream (see [`streaming_model`] and [`StackStream::new`]).
pub(super) fn can_stream(codec: &Codec) -> bool {
    streaming_model(codec).is_ok_and(|model| {
        StackStream::new(&model.encoder, model.config.audio_channels).is_ok()
            && StackStream::new(&model.decoder, model.config.hidden_size).is_ok()
    })
}

fn check_audio(model: &Encodec, audio: ArrayView2<f32>) -> Result<()> {
    if audio.nrows() != model.config.audio_channels {
        return Err(AudioError::BadParameter(format!(
            "the model takes {} channel(s), the audio has {}",
            model.config.audio_channels,
            audio.nrows()
        )));
    }
    if let Some((index, &value)) = audio.iter().enumerate().find(|(_, s)| !s.is_finite()) {
        return Err(AudioError::NonFinite {
            index: index % audio.ncols().max(1),
            value,
        });
    }
    Ok(())
}
