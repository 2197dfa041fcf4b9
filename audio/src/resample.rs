//! Sample-rate conversion with libsoxr, the resampler librosa uses by default (`soxr_hq`).
//!
//! libsoxr (built from source by `soxr-sys`) converts interleaved float32 samples at its 'high
//! quality' recipe (20-bit precision, linear phase), as python-soxr does for `librosa.resample`
//! and `librosa.load(..., sr=...)`; the output then has `ceil(n · (to / from))` frames (in
//! floating point, as librosa computes it), cut or padded with zeros, as librosa fixes it.
//! Measured against librosa's goldens (python/tests/test_audio.py): within 5e-7; not equal,
//! because the FFT libsoxr is built with here (fft4g) is not the SIMD one python-soxr's build
//! picks, so float32 sums round differently.

use std::ffi::CStr;

use crate::decode::Audio;
use crate::error::{AudioError, Result};

/// Highest sample rate resampled to or from: 768 kHz, the highest rate audio interfaces offer.
pub const MAX_SAMPLE_RATE: u32 = 768_000;

impl Audio {
    /// The audio at `rate` Hz (itself when it already is).
    pub fn resampled(&self, rate: u32) -> Result<Audio> {
        if rate == self.sample_rate {
            return Ok(self.clone());
        }
        for (which, rate) in [("the target", rate), ("the audio's", self.sample_rate)] {
            if rate == 0 || rate > MAX_SAMPLE_RATE {
                return Err(AudioError::BadParameter(format!(
                    "{which} sample rate {rate} Hz is not within 1..={MAX_SAMPLE_RATE} Hz"
                )));
            }
        }
        let channels = self.channels.max(1);
        let samples =
            soxr::resample(&self.samples, channels, self.sample_rate, rate).map_err(|message| {
                AudioError::BadParameter(format!(
                    "cannot resample from {} to {rate} Hz: {message}",
                    self.sample_rate
                ))
            })?;
        Ok(Audio {
            samples,
            channels,
            sample_rate: rate,
        })
    }
}

/// The one place libsoxr's C interface is called.
#[allow(unsafe_code)]
mod soxr {
    use super::CStr;
    use soxr_sys::{
        soxr_create, soxr_datatype_t_SOXR_FLOAT32_I, soxr_delete, soxr_io_spec, soxr_process,
        soxr_quality_spec, soxr_t, SOXR_20_BITQ,
    };

    /// libsoxr's 'high quality' recipe (`SOXR_HQ`), librosa's default.
    const HIGH_QUALITY: u32 = SOXR_20_BITQ;

    /// A resampler, deleted on drop.
    struct Resampler(soxr_t);

    impl Drop for Resampler {
        fn drop(&mut self) {
            // SAFETY: the pointer came from soxr_create and is deleted once.
            unsafe { soxr_delete(self.0) }
        }
    }

    fn message(error: *const std::os::raw::c_char) -> String {
        // SAFETY: libsoxr's errors are static NUL-terminated strings.
        unsafe { CStr::from_ptr(error) }
            .to_string_lossy()
            .into_owned()
    }

    /// `samples` (`channels` interleaved) from `from` to `to` Hz: `ceil(frames · to / from)`
    /// frames, interleaved.
    pub fn resample(
        samples: &[f32],
        channels: usize,
        from: u32,
        to: u32,
    ) -> Result<Vec<f32>, String> {
        let frames = samples.len() / channels;
        // librosa's length, float rounding included: 22,050 frames at 22,050 Hz give 24,001 at
        // 24 kHz (22050 · (24000 / 22050) is 24000.000000000004).
        let wanted = (frames as f64 * (f64::from(to) / f64::from(from))).ceil();
        if wanted >= usize::MAX as f64 / channels as f64 {
            return Err("too many samples".to_owned());
        }
        let wanted = wanted as usize;
        let capacity = wanted + 1;
        let channel_count =
            std::os::raw::c_uint::try_from(channels).map_err(|_| "too many channels".to_owned())?;
        let mut out = vec![0f32; capacity * channels];
        let mut error = std::ptr::null();
        // SAFETY: the specs are plain values; libsoxr copies them. A null runtime spec takes
        // the defaults (one thread).
        let resampler = Resampler(unsafe {
            let io = soxr_io_spec(
                soxr_datatype_t_SOXR_FLOAT32_I,
                soxr_datatype_t_SOXR_FLOAT32_I,
            );
            let quality = soxr_quality_spec(HIGH_QUALITY.into(), 0);
            soxr_create(
                f64::from(from),
                f64::from(to),
                channel_count,
                &mut error,
                &io,
                &quality,
                std::ptr::null(),
            )
        });
        if !error.is_null() || resampler.0.is_null() {
            return Err(if error.is_null() {
                "libsoxr made no resampler".to_owned()
            } else {
                message(error)
            });
        }
        // All the input, then the end of input (a null buffer) to flush what the filter holds.
        let mut written = 0usize;
        for input in [Some(samples), None] {
            let mut done = 0usize;
            let (pointer, length) = input.map_or((std::ptr::null(), 0), |s| (s.as_ptr(), frames));
            // SAFETY: `pointer` holds `length` frames of `channels` floats (or is null at the
            // end); `out` has room for `capacity - written` more frames after `written`.
            let error = unsafe {
                soxr_process(
                    resampler.0,
                    pointer.cast(),
                    length,
                    std::ptr::null_mut(),
                    out.as_mut_ptr().add(written * channels).cast(),
                    capacity - written,
                    &mut done,
                )
            };
            if !error.is_null() {
                return Err(message(error));
            }
            written += done;
        }
        // librosa's length: cut, or padded with zeros.
        out.truncate(wanted * channels);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f64, rate: u32, n: usize) -> Audio {
        Audio {
            samples: (0..n)
                .map(|i| {
                    (2.0 * std::f64::consts::PI * hz * i as f64 / f64::from(rate)).sin() as f32
                })
                .collect(),
            channels: 1,
            sample_rate: rate,
        }
    }

    #[test]
    fn a_sine_keeps_its_shape_and_the_length_is_librosas() {
        let audio = tone(1000.0, 44100, 44100);
        let out = audio.resampled(16000).unwrap();
        assert_eq!(out.samples.len(), 16000);
        // The ideal sine, in phase: the filter is linear-phase and its delay removed.
        let worst = (800..15200)
            .map(|i| {
                let ideal = (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / 16000.0).sin();
                (f64::from(out.samples[i]) - ideal).abs()
            })
            .fold(0.0, f64::max);
        assert!(worst < 1e-5, "{worst}");
        assert_eq!(
            tone(1.0, 8000, 3).resampled(22050).unwrap().samples.len(),
            9
        );
    }

    #[test]
    fn tones_above_the_new_nyquist_frequency_are_removed() {
        let out = tone(10_000.0, 44100, 44100).resampled(16000).unwrap();
        let rms = (out.samples[800..15200]
            .iter()
            .map(|&s| f64::from(s).powi(2))
            .sum::<f64>()
            / 14400.0)
            .sqrt();
        let db = 20.0 * (rms / std::f64::consts::FRAC_1_SQRT_2).log10();
        assert!(db < -100.0, "{db} dB");
    }

    #[test]
    fn stereo_channels_stay_apart() {
        let left = tone(440.0, 48000, 4800);
        let mut samples = Vec::new();
        for &s in &left.samples {
            samples.extend([s, 0.0]);
        }
        let stereo = Audio {
            samples,
            channels: 2,
            sample_rate: 48000,
        };
        let out = stereo.resampled(16000).unwrap();
        assert_eq!((out.channels, out.frames()), (2, 1600));
        assert!(out
            .samples
            .iter()
            .skip(1)
            .step_by(2)
            .all(|s| s.abs() < 1e-6));
    }
}
