//! The short-time Fourier transform, framed as librosa (and `torch.stft`) or Kaldi frame it.
//!
//! [`Framing::Librosa`]: frame `t` holds the `n_fft` samples from `t · hop`; with `center`, the
//! signal is first extended by `n_fft / 2` samples on both sides (zeros, or a mirror image
//! without the edge sample), so that frame `t` is centred on sample `t · hop`. There are
//! `1 + (padded length - n_fft) / hop` frames. A window shorter than `n_fft` sits in the middle
//! of the frame.
//!
//! [`Framing::Kaldi`]: frame `t` holds `win_length` samples from `t · hop` (only frames that fit,
//! `1 + (n - win_length) / hop`), or, without `snip_edges`, `(n + hop / 2) / hop` frames centred
//! on `t · hop + hop / 2` with the signal mirrored at its ends (edge sample repeated). Each frame
//! may lose its mean and be pre-emphasised (`x[j] - c · x[j - 1]`, with `x[-1] = x[0]`), is
//! windowed, then padded with zeros to `n_fft`. Its energy (sum of squares, before pre-emphasis
//! or after the window) is kept for features that use it.
//!
//! Either way a frame has `n_fft / 2 + 1` frequency bins. Frames are transformed in double
//! precision (as numpy does under librosa), so that quiet bins 80 dB below the loudest keep
//! their accuracy; magnitudes and powers are stored as `f32`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use realfft::{RealFftPlanner, RealToComplex};

use crate::error::{AudioError, Result};
use crate::window::Window;

/// How a signal is extended beyond its ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PadMode {
    /// Zeros.
    Constant,
    /// The mirror image about the edge sample, without repeating it (numpy's `reflect`).
    Reflect,
    /// The mirror image with the edge sample repeated (numpy's `symmetric`; Kaldi's).
    Symmetric,
}

/// How frames are cut from the signal (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Framing {
    /// librosa's and `torch.stft`'s frames of `n_fft` samples.
    Librosa { center: bool, pad_mode: PadMode },
    /// Kaldi's frames of `win_length` samples (`torchaudio.compliance.kaldi`).
    Kaldi(KaldiFraming),
}

/// The options of Kaldi's framing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KaldiFraming {
    /// Only frames that fit in the signal (Kaldi's default).
    pub snip_edges: bool,
    /// Subtract each frame's mean from it.
    pub remove_dc_offset: bool,
    /// The pre-emphasis coefficient, 0 for none (Kaldi: 0.97).
    pub preemphasis: f64,
    /// Energy before pre-emphasis and window (Kaldi's default), else after the window.
    pub raw_energy: bool,
}

impl Default for KaldiFraming {
    /// Kaldi's defaults.
    fn default() -> Self {
        Self {
            snip_edges: true,
            remove_dc_offset: true,
            preemphasis: 0.97,
            raw_energy: true,
        }
    }
}

/// What an STFT computes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StftConfig {
    pub n_fft: usize,
    pub hop: usize,
    /// Window length, at most `n_fft`.
    pub win_length: usize,
    pub window: Window,
    /// Periodic (true) or symmetric window.
    pub periodic: bool,
    pub framing: Framing,
    /// 1 for magnitudes, 2 for power.
    pub power: f32,
}

impl StftConfig {
    /// librosa's defaults for `n_fft` and `hop`: a periodic Hann window of `n_fft` points,
    /// centred frames padded with zeros, power spectrum.
    pub fn librosa(n_fft: usize, hop: usize) -> Self {
        Self {
            n_fft,
            hop,
            win_length: n_fft,
            window: Window::Hann,
            periodic: true,
            framing: Framing::Librosa {
                center: true,
                pad_mode: PadMode::Constant,
            },
            power: 2.0,
        }
    }

    /// Kaldi's defaults at `sample_rate`: 25 ms Povey windows every 10 ms, padded to the next
    /// power of two, power spectrum.
    pub fn kaldi(sample_rate: f64) -> Self {
        // Kaldi truncates the lengths in samples.
        let win_length = (sample_rate * 0.025) as usize;
        Self {
            n_fft: win_length.max(1).next_power_of_two(),
            hop: (sample_rate * 0.010) as usize,
            win_length,
            window: Window::Povey,
            periodic: false,
            framing: Framing::Kaldi(KaldiFraming::default()),
            power: 2.0,
        }
    }
}

/// A spectrogram: `n_frames` frames of `n_bins` values, frame after frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Spectrogram {
    pub n_frames: usize,
    pub n_bins: usize,
    /// `data[t * n_bins + k]`: bin `k` of frame `t`.
    pub data: Vec<f32>,
}

impl Spectrogram {
    /// Frame `t`.
    pub fn frame(&self, t: usize) -> &[f32] {
        &self.data[t * self.n_bins..(t + 1) * self.n_bins]
    }

    /// The values bin after bin (`[n_bins, n_frames]`, librosa's layout).
    pub fn bins_major(&self) -> Vec<f32> {
        let mut out = vec![0.0; self.data.len()];
        for t in 0..self.n_frames {
            for k in 0..self.n_bins {
                out[k * self.n_frames + t] = self.data[t * self.n_bins + k];
            }
        }
        out
    }
}

/// A planned STFT: window and FFT plan built once, shareable across threads.
#[derive(Clone)]
pub struct Stft {
    config: StftConfig,
    /// The window over the samples of a frame ([`Stft::frame_length`] points).
    window: Arc<[f64]>,
    plan: Plan,
}

impl std::fmt::Debug for Stft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stft")
            .field("config", &self.config)
            .finish()
    }
}

/// A forward real FFT plan.
type Plan = Arc<dyn RealToComplex<f64>>;

/// FFT plans by size, shared by every [`Stft`] of that size.
fn plan(n_fft: usize) -> Plan {
    static PLANS: OnceLock<Mutex<HashMap<usize, Plan>>> = OnceLock::new();
    let mut plans = PLANS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    plans
        .entry(n_fft)
        .or_insert_with(|| RealFftPlanner::<f64>::new().plan_fft_forward(n_fft))
        .clone()
}

impl Stft {
    /// Plans an STFT; the configuration must be consistent.
    pub fn new(config: StftConfig) -> Result<Self> {
        let bad = |m: String| Err(AudioError::BadParameter(m));
        if config.n_fft < 2 {
            return bad(format!("n_fft is {}; it must be at least 2", config.n_fft));
        }
        if config.hop == 0 {
            return bad("hop length must be at least 1".into());
        }
        if config.win_length == 0 || config.win_length > config.n_fft {
            return bad(format!(
                "window length {} must be between 1 and n_fft ({})",
                config.win_length, config.n_fft
            ));
        }
        if !(config.power.is_finite() && config.power > 0.0) {
            return bad(format!("power {} must be positive", config.power));
        }
        let coefficients = config
            .window
            .coefficients(config.win_length, config.periodic)?;
        let window = match config.framing {
            Framing::Librosa { .. } => {
                let mut window = vec![0.0; config.n_fft];
                let left = (config.n_fft - config.win_length) / 2;
                window[left..left + config.win_length].copy_from_slice(&coefficients);
                window
            }
            Framing::Kaldi(kaldi) => {
                if !(0.0..=1.0).contains(&kaldi.preemphasis) {
                    return bad(format!(
                        "pre-emphasis {} must be between 0 and 1",
                        kaldi.preemphasis
                    ));
                }
                if !kaldi.snip_edges && config.hop > config.win_length {
                    return bad(format!(
                        "without snip_edges the hop ({}) must not exceed the window ({})",
                        config.hop, config.win_length
                    ));
                }
                coefficients
            }
        };
        Ok(Self {
            config,
            window: window.into(),
            plan: plan(config.n_fft),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &StftConfig {
        &self.config
    }

    /// Frequency bins per frame: `n_fft / 2 + 1`.
    pub fn n_bins(&self) -> usize {
        self.config.n_fft / 2 + 1
    }

    /// Samples a frame takes from the signal: `n_fft` (librosa) or `win_length` (Kaldi).
    pub fn frame_length(&self) -> usize {
        match self.config.framing {
            Framing::Librosa { .. } => self.config.n_fft,
            Framing::Kaldi(_) => self.config.win_length,
        }
    }

    /// Samples of padding before the signal: frame `t` starts at sample `t · hop - left_pad`.
    pub fn left_pad(&self) -> usize {
        let StftConfig {
            n_fft,
            hop,
            win_length,
            ..
        } = self.config;
        match self.config.framing {
            Framing::Librosa { center: true, .. } => n_fft / 2,
            Framing::Librosa { center: false, .. } => 0,
            Framing::Kaldi(k) if k.snip_edges => 0,
            // `new` ensures hop <= win_length.
            Framing::Kaldi(_) => win_length / 2 - hop / 2,
        }
    }

    /// How samples beyond the ends of the signal are made.
    pub fn pad_mode(&self) -> PadMode {
        match self.config.framing {
            Framing::Librosa {
                center: true,
                pad_mode,
            } => pad_mode,
            Framing::Librosa { center: false, .. } => PadMode::Constant,
            Framing::Kaldi(_) => PadMode::Symmetric,
        }
    }

    /// Number of frames for `n_samples` samples.
    pub fn n_frames(&self, n_samples: usize) -> usize {
        let hop = self.config.hop;
        if let Framing::Kaldi(KaldiFraming {
            snip_edges: false, ..
        }) = self.config.framing
        {
            return (n_samples + hop / 2) / hop;
        }
        let padded = n_samples + 2 * self.left_pad();
        let length = self.frame_length();
        if padded < length {
            0
        } else {
            1 + (padded - length) / hop
        }
    }

    /// The first sample of frame `t` (negative: in the padding before the signal).
    pub fn frame_start(&self, t: usize) -> isize {
        (t * self.config.hop) as isize - self.left_pad() as isize
    }

    /// Where sample `i` of a signal of `n` samples comes from: an index into the signal, or
    /// `None` for a zero of constant padding.
    pub fn source_index(&self, i: isize, n: usize) -> Option<usize> {
        let n = n as isize;
        let index = if (0..n).contains(&i) {
            i
        } else {
            match self.pad_mode() {
                PadMode::Constant => return None,
                PadMode::Reflect if i < 0 => -i,
                PadMode::Reflect => 2 * (n - 1) - i,
                PadMode::Symmetric if i < 0 => -i - 1,
                PadMode::Symmetric => 2 * n - 1 - i,
            }
        };
        Some(index as usize)
    }

    /// Checks that a signal of `n` samples is long enough for its mirrored padding.
    pub fn check_length(&self, n: usize) -> Result<()> {
        let pad = self.left_pad();
        let n_frames = self.n_frames(n);
        let reach_after = (self.frame_start(n_frames.max(1) - 1) + self.frame_length() as isize
            - n as isize)
            .max(0) as usize;
        let needed = match self.pad_mode() {
            PadMode::Constant => return Ok(()),
            PadMode::Reflect => pad.max(reach_after) + 1,
            PadMode::Symmetric => pad.max(reach_after),
        };
        if n_frames > 0 && n < needed {
            return Err(AudioError::BadParameter(format!(
                "mirrored padding of {} samples needs at least {needed} samples; the signal has \
                 {n}",
                pad.max(reach_after)
            )));
        }
        Ok(())
    }

    /// The magnitude (power 1) or power (power 2) spectrogram of `samples`.
    pub fn spectrogram(&self, samples: &[f32]) -> Result<Spectrogram> {
        let n_bins = self.n_bins();
        let n_frames = self.n_frames(samples.len());
        let mut data = Vec::with_capacity(n_frames * n_bins);
        self.for_each_frame(samples, |_, bins, _| data.extend_from_slice(bins))?;
        Ok(Spectrogram {
            n_frames,
            n_bins,
            data,
        })
    }

    /// Calls `each(t, bins, energy)` with the magnitudes or powers of every frame in order (and
    /// its energy, see [`Stft::frame_bins`]), without holding the whole spectrogram.
    pub fn for_each_frame(
        &self,
        samples: &[f32],
        mut each: impl FnMut(usize, &[f32], f64),
    ) -> Result<()> {
        let peak = peak(samples)?;
        let n = samples.len();
        self.check_length(n)?;
        let length = self.frame_length();
        let mut buffers = self.buffers();
        buffers.check_overflow = self.may_overflow(peak);
        for t in 0..self.n_frames(n) {
            let start = self.frame_start(t);
            let (bins, energy) = if start >= 0 && start as usize + length <= n {
                // Inside the signal: no padding to look up.
                let inside = &samples[start as usize..start as usize + length];
                self.frame_bins(&mut buffers, |j| f64::from(inside[j]))?
            } else {
                self.frame_bins(&mut buffers, |j| {
                    self.source_index(start + j as isize, n)
                        .map_or(0.0, |i| f64::from(samples[i]))
                })?
            };
            each(t, bins, energy);
        }
        Ok(())
    }

    /// Work buffers for [`Stft::frame_bins`].
    pub fn buffers(&self) -> FrameBuffers {
        FrameBuffers {
            frame: self.plan.make_input_vec(),
            spectrum: self.plan.make_output_vec(),
            scratch: self.plan.make_scratch_vec(),
            bins: vec![0.0; self.n_bins()],
            energy: 0.0,
            check_overflow: false,
        }
    }

    /// Whether samples up to `peak` in absolute value could give a bin beyond `f32`'s range:
    /// a bin's magnitude is at most the sum of the frame's windowed samples, which Kaldi's DC
    /// removal and pre-emphasis can make up to 4 times larger.
    pub(crate) fn may_overflow(&self, peak: f32) -> bool {
        let gain = match self.config.framing {
            Framing::Librosa { .. } => 1.0,
            Framing::Kaldi(_) => 4.0,
        };
        let magnitude = f64::from(peak) * gain * self.window.iter().map(|w| w.abs()).sum::<f64>();
        magnitude.powf(f64::from(self.config.power)) >= f64::from(f32::MAX) / 2.0
    }

    /// The magnitudes or powers of one frame whose [`Stft::frame_length`] samples are
    /// `sample(0)`, `sample(1)`, …, and the frame's energy under Kaldi's framing (the sum of
    /// squares before pre-emphasis, or after the window, as [`KaldiFraming::raw_energy`] says;
    /// 0 otherwise).
    pub fn frame_bins<'b>(
        &self,
        buffers: &'b mut FrameBuffers,
        sample: impl Fn(usize) -> f64,
    ) -> Result<(&'b [f32], f64)> {
        let length = self.frame_length();
        let frame = &mut buffers.frame[..];
        match self.config.framing {
            Framing::Librosa { .. } => {
                for (j, (slot, w)) in frame.iter_mut().zip(self.window.iter()).enumerate() {
                    *slot = w * sample(j);
                }
            }
            Framing::Kaldi(kaldi) => {
                let (samples, tail) = frame.split_at_mut(length);
                for (j, slot) in samples.iter_mut().enumerate() {
                    *slot = sample(j);
                }
                buffers.energy = condition_kaldi_frame(samples, &self.window, &kaldi);
                tail.fill(0.0);
            }
        }
        self.plan
            .process_with_scratch(
                &mut buffers.frame,
                &mut buffers.spectrum,
                &mut buffers.scratch,
            )
            .map_err(|e| AudioError::BadParameter(format!("FFT failed: {e}")))?;
        let power = self.config.power;
        for (bin, c) in buffers.bins.iter_mut().zip(&buffers.spectrum) {
            let squared = c.re * c.re + c.im * c.im;
            *bin = if power == 2.0 {
                squared as f32
            } else if power == 1.0 {
                squared.sqrt() as f32
            } else {
                squared.powf(f64::from(power) / 2.0) as f32
            };
        }
        if buffers.check_overflow && !buffers.bins.iter().all(|b| b.is_finite()) {
            let peak = (0..length).map(|j| sample(j).abs()).fold(0.0, f64::max);
            return Err(AudioError::Overflow { peak });
        }
        Ok((&buffers.bins, buffers.energy))
    }
}

/// Kaldi's treatment of one frame in place: mean removed, energy taken, pre-emphasis, window.
/// Returns the energy (sum of squares).
fn condition_kaldi_frame(frame: &mut [f64], window: &[f64], kaldi: &KaldiFraming) -> f64 {
    let sum_of_squares = |frame: &[f64]| frame.iter().map(|x| x * x).sum::<f64>();
    if kaldi.remove_dc_offset {
        let mean = frame.iter().sum::<f64>() / frame.len() as f64;
        frame.iter_mut().for_each(|x| *x -= mean);
    }
    let raw_energy = sum_of_squares(frame);
    if kaldi.preemphasis != 0.0 {
        for j in (1..frame.len()).rev() {
            frame[j] -= kaldi.preemphasis * frame[j - 1];
        }
        frame[0] -= kaldi.preemphasis * frame[0];
    }
    frame.iter_mut().zip(window).for_each(|(x, w)| *x *= w);
    if kaldi.raw_energy {
        raw_energy
    } else {
        sum_of_squares(frame)
    }
}

/// Work buffers for transforming frames one at a time ([`Stft::buffers`]).
pub struct FrameBuffers {
    frame: Vec<f64>,
    spectrum: Vec<realfft::num_complex::Complex<f64>>,
    scratch: Vec<realfft::num_complex::Complex<f64>>,
    bins: Vec<f32>,
    energy: f64,
    /// Whether [`Stft::frame_bins`] checks its bins for overflow (see [`Stft::may_overflow`]).
    pub(crate) check_overflow: bool,
}

/// The largest absolute value of `samples`; an error naming the first sample that is NaN or
/// infinite, if one is.
pub(crate) fn peak(samples: &[f32]) -> Result<f32> {
    // The absolute values' bits order as the values do, and every non-finite value is above
    // the largest finite one.
    let largest = samples
        .iter()
        .map(|s| s.to_bits() & 0x7fff_ffff)
        .max()
        .unwrap_or(0);
    if largest >= f32::INFINITY.to_bits() {
        let index = samples.iter().position(|s| !s.is_finite()).unwrap_or(0);
        return Err(AudioError::NonFinite {
            index,
            value: samples[index],
        });
    }
    Ok(f32::from_bits(largest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_count_and_a_sine_peak() {
        let stft = Stft::new(StftConfig::librosa(64, 16)).unwrap();
        let sr = 64.0;
        let samples: Vec<f32> = (0..256)
            .map(|i| (2.0 * std::f64::consts::PI * 8.0 * i as f64 / sr).sin() as f32)
            .collect();
        let s = stft.spectrogram(&samples).unwrap();
        assert_eq!((s.n_frames, s.n_bins), (1 + 256 / 16, 33));
        let middle = s.frame(8);
        let peak = (0..33)
            .max_by(|&a, &b| middle[a].total_cmp(&middle[b]))
            .unwrap();
        assert_eq!(peak, 8);
    }

    #[test]
    fn bad_settings_and_samples_are_errors() {
        assert!(Stft::new(StftConfig::librosa(1, 1)).is_err());
        assert!(Stft::new(StftConfig {
            hop: 0,
            ..StftConfig::librosa(8, 1)
        })
        .is_err());
        let stft = Stft::new(StftConfig::librosa(8, 2)).unwrap();
        let err = stft.spectrogram(&[0.0, f32::NAN]).unwrap_err();
        assert!(err.to_string().contains("sample 1 is NaN"), "{err}");
        let reflect = Stft::new(StftConfig {
            framing: Framing::Librosa {
                center: true,
                pad_mode: PadMode::Reflect,
            },
            ..StftConfig::librosa(8, 2)
        })
        .unwrap();
        assert!(reflect.spectrogram(&[0.0; 3]).is_err());
    }
}
