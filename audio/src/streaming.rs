//! Features of audio that arrives in pieces: [`StreamingExtractor`] takes chunks of any size and
//! returns each frame as soon as all its samples have arrived.
//!
//! Every frame equals the offline frame ([`Extractor::compute_with`] without the global floor),
//! bit for bit, edges included: the left padding of centred presets is known in advance (zeros,
//! or the mirror of samples that arrive before the first frame is due), and the frames that need
//! padding on the right (centred presets, Kaldi's without `snip_edges`) are computed by
//! [`StreamingExtractor::flush`] once the end is known. What a stream cannot reproduce is the
//! floor that depends on the whole signal (`top_db` below the maximum for librosa's and
//! torchaudio's decibels, Whisper's maximum minus 8): streamed frames come without it, so they
//! equal the offline frames exactly wherever the offline frames are above that floor. Kaldi's
//! and torchaudio's mel presets have no such floor, so their streams equal them everywhere.
//!
//! Latency: a frame is due once its last sample has arrived, so the first one comes after the
//! frame length less the padding before the signal (centred: `n_fft / 2`), and each next one
//! `hop` samples later ([`StreamingExtractor::latency_samples`]):
//!
//! | preset | first frame after | then every |
//! |---|---|---|
//! | `librosa-mel`, `librosa-mfcc` | 1024 samples (46.4 ms at 22.05 kHz) | 512 samples (23.2 ms) |
//! | `torchaudio-mel`, `torchaudio-mfcc` | 200 samples (12.5 ms at 16 kHz) | 200 samples (12.5 ms) |
//! | `kaldi-fbank`, `kaldi-mfcc` | 400 samples (25 ms) | 160 samples (10 ms) |
//! | `whisper-80`, `whisper-128` | 200 samples (12.5 ms) | 160 samples (10 ms) |

use crate::error::{AudioError, Result};
use crate::features::Extractor;
use crate::stft::{FrameBuffers, PadMode};

/// A streaming feature extractor over a planned [`Extractor`].
pub struct StreamingExtractor {
    extractor: Extractor,
    buffers: FrameBuffers,
    /// Samples kept: `pending[0]` is sample `base` of the stream.
    pending: Vec<f32>,
    base: usize,
    /// Samples received so far (after any cut to `pad_to_samples`).
    seen: usize,
    /// The first samples of the stream, for reflect padding on the left.
    head: Vec<f32>,
    next_frame: usize,
    log_mel: Vec<f32>,
    row: Vec<f32>,
    finished: bool,
}

impl StreamingExtractor {
    /// A stream of features of `extractor`'s configuration.
    pub fn new(extractor: Extractor) -> Self {
        let buffers = extractor.stft().buffers();
        let (n_mels, rows) = (extractor.config().n_mels, extractor.rows());
        Self {
            extractor,
            buffers,
            pending: Vec::new(),
            base: 0,
            seen: 0,
            head: Vec::new(),
            next_frame: 0,
            log_mel: vec![0.0; n_mels],
            row: vec![0.0; rows],
            finished: false,
        }
    }

    /// Values per frame.
    pub fn rows(&self) -> usize {
        self.extractor.rows()
    }

    /// Samples from the start of the stream until the first frame is due.
    pub fn latency_samples(&self) -> usize {
        let stft = self.extractor.stft();
        stft.frame_length() - stft.left_pad()
    }

    /// Adds `chunk` and returns the frames now complete, frame after frame (`rows()` values
    /// each).
    pub fn push(&mut self, chunk: &[f32]) -> Result<Vec<f32>> {
        if self.finished {
            return Err(AudioError::BadParameter(
                "the stream was flushed; start a new one".into(),
            ));
        }
        let peak = crate::stft::peak(chunk).map_err(|e| match e {
            AudioError::NonFinite { index, value } => AudioError::NonFinite {
                index: self.seen + index,
                value,
            },
            other => other,
        })?;
        if !self.buffers.check_overflow {
            self.buffers.check_overflow = self.extractor.stft().may_overflow(peak);
        }
        let room = self
            .extractor
            .config()
            .pad_to_samples
            .map_or(chunk.len(), |n| n.saturating_sub(self.seen));
        let chunk = &chunk[..chunk.len().min(room)];
        let keep = self.extractor.stft().left_pad() + 1;
        if self.head.len() < keep {
            let more = (keep - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..more]);
        }
        self.pending.extend_from_slice(chunk);
        self.seen += chunk.len();
        self.frames_until(None)
    }

    /// Ends the stream and returns the remaining frames (those that reach past the end, padded
    /// as the offline extractor pads them).
    pub fn flush(&mut self) -> Result<Vec<f32>> {
        if self.finished {
            return Ok(Vec::new());
        }
        if let Some(n) = self.extractor.config().pad_to_samples {
            let zeros = vec![0.0; n.saturating_sub(self.seen)];
            let mut out = self.push(&zeros)?;
            self.finished = true;
            out.extend(self.frames_until(Some(self.seen))?);
            return Ok(out);
        }
        self.finished = true;
        self.frames_until(Some(self.seen))
    }

    /// Computes the frames that are due: those whose samples have all arrived, or with the end
    /// known (`total`), every frame of the stream.
    fn frames_until(&mut self, total: Option<usize>) -> Result<Vec<f32>> {
        let stft = self.extractor.stft();
        let (pad, length, hop) = (stft.left_pad(), stft.frame_length(), stft.config().hop);
        let drop_last = self.extractor.config().drop_last_frame;
        let last = match total {
            Some(n) => {
                stft.check_length(n)?;
                let frames = stft.n_frames(n);
                frames - usize::from(drop_last && frames > 0)
            }
            // Frames ending at or before the newest sample, once the mirrored head (if any) is
            // complete.
            None => {
                let mirror_ready = match stft.pad_mode() {
                    PadMode::Constant => true,
                    PadMode::Reflect => self.seen > pad,
                    PadMode::Symmetric => self.seen >= pad,
                };
                if self.seen + pad < length || !mirror_ready {
                    0
                } else {
                    let complete = (self.seen + pad - length) / hop + 1;
                    // Whisper drops the last frame; it may be the newest complete one.
                    if drop_last {
                        complete.min(stft.n_frames(self.seen).saturating_sub(1))
                    } else {
                        complete
                    }
                }
            }
        };
        let mut out = Vec::new();
        while self.next_frame < last {
            let start = stft.frame_start(self.next_frame);
            let (pending, base, head, seen) = (&self.pending, self.base, &self.head, self.seen);
            let sample = |j: usize| -> f64 {
                match stft.source_index(start + j as isize, seen) {
                    None => 0.0,
                    Some(i) if i >= base => f64::from(pending[i - base]),
                    // Mirrored from the first samples of the stream.
                    Some(i) => f64::from(head[i]),
                }
            };
            let (bins, energy) = stft.frame_bins(&mut self.buffers, sample)?;
            self.extractor.log_mel_frames(bins, &mut self.log_mel);
            self.extractor
                .finish_frame(&self.log_mel, energy, &mut self.row);
            out.extend_from_slice(&self.row);
            self.next_frame += 1;
        }
        // Keep what later frames (and mirrored padding at the end) still need.
        let needed_from = stft
            .frame_start(self.next_frame)
            .max(0)
            .min(self.seen as isize - length as isize - 1)
            .max(0) as usize;
        if needed_from > self.base {
            self.pending.drain(..needed_from - self.base);
            self.base = needed_from;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeatureConfig;
    use crate::stft::{Framing, StftConfig};

    fn signal(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| ((i as f64 * 0.05).sin() * 0.5 + (i as f64 * 0.31).cos() * 0.1) as f32)
            .collect()
    }

    /// Streams `samples` in chunks of the given sizes (cycled) and returns all frames.
    fn stream(extractor: &Extractor, samples: &[f32], sizes: &[usize]) -> Vec<f32> {
        let mut streaming = StreamingExtractor::new(extractor.clone());
        let mut out = Vec::new();
        let mut at = 0;
        for &size in sizes.iter().cycle() {
            if at >= samples.len() {
                break;
            }
            let end = (at + size).min(samples.len());
            out.extend(streaming.push(&samples[at..end]).unwrap());
            at = end;
        }
        out.extend(streaming.flush().unwrap());
        out
    }

    fn offline(extractor: &Extractor, samples: &[f32]) -> Vec<f32> {
        let features = extractor.compute_with(samples, false).unwrap();
        if features.frames_first {
            return features.data;
        }
        let mut frames = vec![0.0; features.data.len()];
        for r in 0..features.rows {
            for t in 0..features.frames {
                frames[t * features.rows + r] = features.data[r * features.frames + t];
            }
        }
        frames
    }

    #[test]
    fn samples_whose_spectrum_overflows_are_an_error_offline_and_streamed() {
        let extractor =
            Extractor::new(FeatureConfig::preset("librosa-mel").unwrap(), 22050.0).unwrap();
        let loud: Vec<f32> = signal(5000).iter().map(|s| s * 1e30).collect();
        let overflow = |e: AudioError| match e {
            AudioError::Overflow { peak } => assert!(peak > 1e29 && peak < 1e30, "{peak}"),
            other => panic!("{other}"),
        };
        overflow(extractor.compute(&loud).unwrap_err());
        let mut streaming = StreamingExtractor::new(extractor.clone());
        overflow(streaming.push(&loud).unwrap_err());
        // Loud but representable samples are computed.
        let features = extractor
            .compute(&signal(5000).iter().map(|s| s * 1e15).collect::<Vec<_>>())
            .unwrap();
        assert!(features.data.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn streamed_frames_equal_offline_frames_for_any_chunking() {
        let samples = signal(5000);
        let mut configs: Vec<(String, FeatureConfig, f64)> = ["librosa-mel", "librosa-mfcc"]
            .iter()
            .map(|p| (p.to_string(), FeatureConfig::preset(p).unwrap(), 22050.0))
            .collect();
        for p in [
            "whisper-80",
            "whisper-128",
            "torchaudio-mel",
            "torchaudio-mfcc",
            "kaldi-fbank",
            "kaldi-mfcc",
        ] {
            configs.push((p.into(), FeatureConfig::preset(p).unwrap(), 16000.0));
        }
        let mut unsnipped = FeatureConfig::preset("kaldi-fbank").unwrap();
        unsnipped
            .apply_settings([
                ("snip_edges", crate::SettingValue::Bool(false)),
                ("use_energy", crate::SettingValue::Bool(true)),
            ])
            .unwrap();
        configs.push(("kaldi unsnipped".into(), unsnipped, 16000.0));
        let uncentred = FeatureConfig {
            stft: StftConfig {
                framing: Framing::Librosa {
                    center: false,
                    pad_mode: PadMode::Constant,
                },
                ..StftConfig::librosa(400, 160)
            },
            ..FeatureConfig::preset("librosa-mel").unwrap()
        };
        configs.push(("uncentred".into(), uncentred, 16000.0));
        let padded = FeatureConfig {
            pad_to_samples: Some(8000),
            ..FeatureConfig::preset("whisper-80").unwrap()
        };
        configs.push(("whisper padded".into(), padded, 16000.0));
        for (name, config, sr) in configs {
            let extractor = Extractor::new(config, sr).unwrap();
            let expected = offline(&extractor, &samples);
            for sizes in [
                &[1usize][..],
                &[7, 160, 1],
                &[1000],
                &[5000],
                &[399, 401, 2],
            ] {
                let streamed = stream(&extractor, &samples, sizes);
                assert!(streamed == expected, "{name}, chunks {sizes:?}");
            }
        }
    }

    #[test]
    fn frames_come_as_soon_as_their_samples_have_arrived() {
        let config = FeatureConfig::preset("whisper-80").unwrap();
        let extractor = Extractor::new(config, 16000.0).unwrap();
        let mut streaming = StreamingExtractor::new(extractor);
        assert_eq!(streaming.latency_samples(), 200);
        let samples = signal(1000);
        assert!(streaming.push(&samples[..199]).unwrap().is_empty());
        // Sample 200 completes frame 0 (reflect padding needs samples 1..=200).
        assert_eq!(streaming.push(&samples[199..201]).unwrap().len(), 80);
        assert!(streaming.push(&[f32::NAN]).is_err());
    }

    #[test]
    fn latencies_are_those_documented() {
        for (preset, sr, latency) in [
            ("librosa-mel", 22050.0, 1024),
            ("librosa-mfcc", 22050.0, 1024),
            ("torchaudio-mel", 16000.0, 200),
            ("torchaudio-mfcc", 16000.0, 200),
            ("kaldi-fbank", 16000.0, 400),
            ("kaldi-mfcc", 16000.0, 400),
            ("whisper-80", 16000.0, 200),
            ("whisper-128", 16000.0, 200),
        ] {
            let extractor = Extractor::new(FeatureConfig::preset(preset).unwrap(), sr).unwrap();
            assert_eq!(
                StreamingExtractor::new(extractor).latency_samples(),
                latency
            );
        }
    }

    #[test]
    fn kaldi_frames_are_due_after_a_whole_window() {
        let config = FeatureConfig::preset("kaldi-fbank").unwrap();
        let extractor = Extractor::new(config, 16000.0).unwrap();
        // Shorter than one window: no frame, as Kaldi snips the edges.
        assert_eq!(extractor.compute(&signal(399)).unwrap().frames, 0);
        let mut streaming = StreamingExtractor::new(extractor);
        assert_eq!(streaming.latency_samples(), 400);
        assert!(streaming.push(&signal(399)).unwrap().is_empty());
        assert_eq!(streaming.push(&[0.0]).unwrap().len(), 23);
    }
}
