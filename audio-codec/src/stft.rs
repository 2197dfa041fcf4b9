//! The short-time Fourier transform, framed as librosa frames it.
//!
//! With `center`, the signal is padded by `n_fft / 2` samples on both sides (zeros, or a
//! mirror image without the edge sample), so that frame `t` is centred on sample `t · hop`.
//! A window shorter than `n_fft` sits in the middle of the frame. There are
//! `1 + (padded length - n_fft) / hop` frames of `n_fft / 2 + 1` frequency bins.
//!
//! Frames are transformed in double precision (as numpy does under librosa), so that quiet bins
//! 80 dB below the loudest keep their accuracy; magnitudes and powers are stored as `f32`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use realfft::{RealFftPlanner, RealToComplex};

use crate::error::{AudioError, Result};
use crate::window::Window;

/// How a centred signal is extended at its edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PadMode {
    /// Zeros.
    Constant,
    /// The mirror image about the edge sample, without repeating it (numpy's `reflect`).
    Reflect,
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
    pub center: bool,
    pub pad_mode: PadMode,
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
            center: true,
            pad_mode: PadMode::Constant,
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
    /// The window, centred in `n_fft` points.
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
        let mut window = vec![0.0; config.n_fft];
        let left = (config.n_fft - config.win_length) / 2;
        window[left..left + config.win_length].copy_from_slice(&coefficients);
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

    /// Number of frames for `n_samples` samples.
    pub fn n_frames(&self, n_samples: usize) -> usize {
        let padded = if self.config.center {
            n_samples + 2 * (self.config.n_fft / 2)
        } else {
            n_samples
        };
        if padded < self.config.n_fft {
            0
        } else {
            1 + (padded - self.config.n_fft) / self.config.hop
        }
    }

    /// The magnitude (power 1) or power (power 2) spectrogram of `samples`.
    pub fn spectrogram(&self, samples: &[f32]) -> Result<Spectrogram> {
        let n_bins = self.n_bins();
        let n_frames = self.n_frames(samples.len());
        let mut data = Vec::with_capacity(n_frames * n_bins);
        self.for_each_frame(samples, |_, bins| data.extend_from_slice(bins))?;
        Ok(Spectrogram {
            n_frames,
            n_bins,
            data,
        })
    }

    /// Calls `each(t, bins)` with the magnitudes or powers of every frame in order, without
    /// holding the whole spectrogram.
    pub fn for_each_frame(
        &self,
        samples: &[f32],
        mut each: impl FnMut(usize, &[f32]),
    ) -> Result<()> {
        if let Some(index) = samples.iter().position(|s| !s.is_finite()) {
            return Err(AudioError::NonFinite {
                index,
                value: samples[index],
            });
        }
        let StftConfig {
            n_fft, hop, center, ..
        } = self.config;
        let pad = if center { n_fft / 2 } else { 0 };
        if center && self.config.pad_mode == PadMode::Reflect && samples.len() <= pad {
            return Err(AudioError::BadParameter(format!(
                "reflect padding of {pad} samples needs more than {pad} samples; the signal \
                 has {}",
                samples.len()
            )));
        }
        let n = samples.len() as isize;
        let sample_at = |i: isize| -> f64 {
            let i = i - pad as isize;
            if (0..n).contains(&i) {
                f64::from(samples[i as usize])
            } else if self.config.pad_mode == PadMode::Constant {
                0.0
            } else if i < 0 {
                f64::from(samples[(-i) as usize])
            } else {
                f64::from(samples[(2 * (n - 1) - i) as usize])
            }
        };
        let mut buffers = self.buffers();
        for t in 0..self.n_frames(samples.len()) {
            let start = (t * hop) as isize - pad as isize;
            let bins = if start >= 0 && start + n_fft as isize <= n {
                // Inside the signal: no padding to look up.
                let inside = &samples[start as usize..start as usize + n_fft];
                self.frame_bins(&mut buffers, |j| f64::from(inside[j]))?
            } else {
                self.frame_bins(&mut buffers, |j| {
                    sample_at(start + pad as isize + j as isize)
                })?
            };
            each(t, bins);
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
        }
    }

    /// The magnitudes or powers of one frame whose `n_fft` samples (before windowing) are
    /// `sample(0)`, …, `sample(n_fft - 1)`.
    pub fn frame_bins<'b>(
        &self,
        buffers: &'b mut FrameBuffers,
        sample: impl Fn(usize) -> f64,
    ) -> Result<&'b [f32]> {
        for (j, (slot, w)) in buffers.frame.iter_mut().zip(self.window.iter()).enumerate() {
            *slot = w * sample(j);
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
        Ok(&buffers.bins)
    }
}

/// Work buffers for transforming frames one at a time ([`Stft::buffers`]).
pub struct FrameBuffers {
    frame: Vec<f64>,
    spectrum: Vec<realfft::num_complex::Complex<f64>>,
    scratch: Vec<realfft::num_complex::Complex<f64>>,
    bins: Vec<f32>,
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
            pad_mode: PadMode::Reflect,
            ..StftConfig::librosa(8, 2)
        })
        .unwrap();
        assert!(reflect.spectrogram(&[0.0; 3]).is_err());
    }
}
