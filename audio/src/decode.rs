//! Decoding audio files with symphonia: WAV (8-bit unsigned, 16/24/32-bit integer, 32/64-bit
//! float, `WAVE_FORMAT_EXTENSIBLE`), FLAC, MP3 and Ogg Vorbis, to `f32` samples in `[-1, 1]`
//! (integers are divided by 2^(bits-1), as libsndfile and librosa do).
//!
//! Untrusted input is bounded ([`AudioLimits`]): the file size, the duration, the channel count and
//! the sample rate are checked before the samples are allocated, and decoding stops at the
//! duration limit. A file that ends before the frame count its header declares is an error
//! (truncated), as are NaN or infinite samples (possible in float WAV). A header so malformed
//! that the decoder itself gives up (it panics on some) is reported as bad input too.

use std::fs::File;
use std::path::Path;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::error::{AudioError, Result};

/// Bounds on what a file may hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioLimits {
    /// Largest file, in bytes.
    pub max_file_bytes: u64,
    /// Longest audio, in seconds.
    pub max_seconds: f64,
    pub max_channels: usize,
    /// Sample rates outside this range are refused (Hz).
    pub sample_rates: (u32, u32),
}

impl AudioLimits {
    /// The default limits, with each one given replaced.
    pub fn from_options(
        max_file_bytes: Option<u64>,
        max_seconds: Option<f64>,
        max_channels: Option<usize>,
    ) -> Self {
        let defaults = Self::default();
        Self {
            max_file_bytes: max_file_bytes.unwrap_or(defaults.max_file_bytes),
            max_seconds: max_seconds.unwrap_or(defaults.max_seconds),
            max_channels: max_channels.unwrap_or(defaults.max_channels),
            sample_rates: defaults.sample_rates,
        }
    }
}

impl Default for AudioLimits {
    /// 2 GiB, 4 hours, 64 channels, 1 Hz to 768 kHz.
    fn default() -> Self {
        Self {
            max_file_bytes: 2 << 30,
            max_seconds: 4.0 * 3600.0,
            max_channels: 64,
            sample_rates: (1, 768_000),
        }
    }
}

/// Decoded audio: interleaved samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// `samples[frame * channels + channel]`.
    pub samples: Vec<f32>,
    pub channels: usize,
    pub sample_rate: u32,
}

impl Audio {
    /// Number of frames (samples per channel).
    pub fn frames(&self) -> usize {
        self.samples.len() / self.channels.max(1)
    }

    /// Duration in seconds.
    pub fn seconds(&self) -> f64 {
        self.frames() as f64 / f64::from(self.sample_rate)
    }

    /// The part from `offset` seconds on, `duration` seconds long (to the end when `None`),
    /// as librosa's `load(offset=, duration=)` takes it: from frame `⌊offset · rate⌋`,
    /// `⌊duration · rate⌋` frames, fewer where the audio ends first (none past its end).
    pub fn excerpt(&self, offset: f64, duration: Option<f64>) -> Result<Audio> {
        for (what, seconds) in [("offset", Some(offset)), ("duration", duration)] {
            if let Some(seconds) = seconds.filter(|s| !(s.is_finite() && *s >= 0.0)) {
                return Err(AudioError::BadParameter(format!(
                    "{what} {seconds} s is not a finite number of seconds >= 0"
                )));
            }
        }
        let rate = f64::from(self.sample_rate);
        let frames = self.frames();
        // Truncating, saturating float-to-int casts: an offset past the end starts at the end.
        let start = ((offset * rate) as usize).min(frames);
        let end = duration.map_or(frames, |d| {
            start.saturating_add((d * rate) as usize).min(frames)
        });
        let channels = self.channels.max(1);
        Ok(Audio {
            samples: self.samples[start * channels..end * channels].to_vec(),
            channels,
            sample_rate: self.sample_rate,
        })
    }

    /// The channels averaged into one.
    pub fn mono(&self) -> Vec<f32> {
        if self.channels == 1 {
            return self.samples.clone();
        }
        self.samples
            .chunks_exact(self.channels.max(1))
            .map(|frame| {
                let sum: f64 = frame.iter().map(|&s| f64::from(s)).sum();
                (sum / frame.len() as f64) as f32
            })
            .collect()
    }
}

/// Decodes the audio file at `path`.
pub fn load(path: impl AsRef<Path>, limits: &AudioLimits) -> Result<Audio> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let io = |source| AudioError::Io {
        path: name.clone(),
        source,
    };
    check_size(std::fs::metadata(path).map_err(io)?.len(), &name, limits)?;
    let mut file = File::open(path).map_err(io)?;
    let container = {
        use std::io::{Read, Seek};
        let mut start = [0u8; 12];
        let read = file.read(&mut start).map_err(io)?;
        file.rewind().map_err(io)?;
        container_by_magic(&start[..read])
    };
    let mut hint = Hint::new();
    if let Some(extension) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(extension);
    }
    decode_catching_panics(Box::new(file), &hint, &name, container, limits)
}

/// Decodes the bytes of an audio file already in memory; `name` names them in errors.
pub fn load_bytes(bytes: Vec<u8>, name: &str, limits: &AudioLimits) -> Result<Audio> {
    check_size(bytes.len() as u64, name, limits)?;
    let container = container_by_magic(&bytes[..bytes.len().min(12)]);
    let source = Box::new(std::io::Cursor::new(bytes));
    decode_catching_panics(source, &Hint::new(), name, container, limits)
}

/// An error for an empty file or one over the size limit.
fn check_size(size: u64, name: &str, limits: &AudioLimits) -> Result<()> {
    if size > limits.max_file_bytes {
        return Err(AudioError::Limit {
            path: name.to_owned(),
            message: format!(
                "{size} bytes is over the limit of {} bytes",
                limits.max_file_bytes
            ),
        });
    }
    if size == 0 {
        return Err(AudioError::BadInput {
            path: name.to_owned(),
            message: "the file is empty".into(),
        });
    }
    Ok(())
}

/// [`decode`], with a panic of the decoder reported as a malformed file: symphonia asserts on
/// some malformed headers (a 0 Hz sample rate), which is bad input, not a reason to stop the
/// program or to print a panic.
fn decode_catching_panics(
    source: Box<dyn symphonia::core::io::MediaSource>,
    hint: &Hint,
    name: &str,
    container: Option<&str>,
    limits: &AudioLimits,
) -> Result<Audio> {
    omnitok_files::catch_decoder_panic(|| decode(source, hint, name, container, limits))
        .unwrap_or_else(|reason| {
            Err(AudioError::BadInput {
                path: name.to_owned(),
                message: format!("malformed file: {reason}"),
            })
        })
}

/// The container the first bytes of a file announce: `Ogg`, `WAV`, `FLAC` or `MP3` (tagged).
fn container_by_magic(start: &[u8]) -> Option<&'static str> {
    match start {
        [b'O', b'g', b'g', b'S', ..] => Some("Ogg"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'A', b'V', b'E', ..] => Some("WAV"),
        [b'f', b'L', b'a', b'C', ..] => Some("FLAC"),
        // An MP3 without an ID3 tag starts with a frame sync, which random bytes match too.
        [b'I', b'D', b'3', ..] => Some("MP3"),
        _ => None,
    }
}

fn decode(
    source: Box<dyn symphonia::core::io::MediaSource>,
    hint: &Hint,
    name: &str,
    container: Option<&str>,
    limits: &AudioLimits,
) -> Result<Audio> {
    let bad = |message: String| AudioError::BadInput {
        path: name.to_string(),
        message,
    };
    let stream = MediaSourceStream::new(source, Default::default());
    let probed = symphonia::default::get_probe()
        .format(
            hint,
            stream,
            // Gapless: the encoder's delay and padding are trimmed (MP3's LAME tag, Ogg's
            // granule positions), so lengths and alignment equal libsndfile's and ffmpeg's.
            &FormatOptions {
                enable_gapless: true,
                ..FormatOptions::default()
            },
            &MetadataOptions::default(),
        )
        .map_err(|e| match e {
            SymphoniaError::Unsupported(what) => AudioError::Unsupported {
                path: name.to_string(),
                message: format!("not a supported audio format ({what})"),
            },
            // The probe read to the end without finding a header it knows: a file cut inside
            // the header of the container it starts as, or none of them.
            SymphoniaError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                match container {
                    Some(kind) => bad(format!(
                        "the {kind} file is cut short or corrupt: its headers end early"
                    )),
                    None => AudioError::Unsupported {
                        path: name.to_string(),
                        message: "no WAV, FLAC, MP3 or Ogg header found".into(),
                    },
                }
            }
            other => bad(format!("cannot read the container: {other}")),
        })?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| bad("no audio track".into()))?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let sample_rate = params
        .sample_rate
        .ok_or_else(|| bad("the sample rate is not given".into()))?;
    let (low, high) = limits.sample_rates;
    if !(low..=high).contains(&sample_rate) {
        return Err(bad(format!(
            "sample rate {sample_rate} Hz is outside {low}..={high} Hz"
        )));
    }
    let channels = params.channels.map(|c| c.count());
    if let Some(channels) = channels {
        if channels == 0 || channels > limits.max_channels {
            return Err(bad(format!(
                "{channels} channels (at most {} allowed)",
                limits.max_channels
            )));
        }
    }
    let max_frames = (limits.max_seconds * f64::from(sample_rate)).ceil() as u64;
    if let Some(frames) = params.n_frames {
        if frames > max_frames {
            return Err(AudioError::Limit {
                path: name.to_string(),
                message: format!(
                    "{:.1} s of audio is over the limit of {} s",
                    frames as f64 / f64::from(sample_rate),
                    limits.max_seconds
                ),
            });
        }
    }
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|e| AudioError::Unsupported {
            path: name.to_string(),
            message: format!("no decoder for this codec: {e}"),
        })?;

    let mut samples: Vec<f32> = Vec::new();
    let mut n_channels = channels.unwrap_or(0);
    let mut buffer: Option<SampleBuffer<f32>> = None;
    loop {
        let packet = match format.next_packet() {
            Ok(packet) => packet,
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break
            }
            Err(SymphoniaError::ResetRequired) => break,
            Err(e) => return Err(bad(format!("cannot read a packet: {e}"))),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(decoded) => decoded,
            Err(SymphoniaError::DecodeError(e)) => {
                return Err(bad(format!(
                    "corrupt data after {} frames: {e}",
                    samples.len() / n_channels.max(1)
                )))
            }
            Err(e) => return Err(bad(format!("cannot decode: {e}"))),
        };
        let spec = *decoded.spec();
        let packet_channels = spec.channels.count();
        if !samples.is_empty() && packet_channels != n_channels {
            return Err(bad(format!(
                "the channel count changes from {n_channels} to {packet_channels} mid-stream"
            )));
        }
        n_channels = packet_channels;
        if n_channels == 0 || n_channels > limits.max_channels {
            return Err(bad(format!(
                "{n_channels} channels (at most {} allowed)",
                limits.max_channels
            )));
        }
        let buffer = match &mut buffer {
            Some(b) if b.capacity() >= decoded.capacity() * n_channels => b,
            slot => slot.insert(SampleBuffer::new(decoded.capacity() as u64, spec)),
        };
        buffer.copy_interleaved_ref(decoded);
        samples.extend_from_slice(buffer.samples());
        if (samples.len() / n_channels) as u64 > max_frames {
            return Err(AudioError::Limit {
                path: name.to_string(),
                message: format!(
                    "the audio is longer than the limit of {} s",
                    limits.max_seconds
                ),
            });
        }
    }
    let mut frames = samples.len() / n_channels.max(1);
    if let Some(expected) = params.n_frames {
        if (frames as u64) < expected {
            return Err(bad(format!(
                "truncated: the header declares {expected} frames, the file holds {frames}"
            )));
        }
        // The length the container declares ends the audio: an Ogg stream's last granule
        // position cuts the padding of its last Vorbis block, which the decoder leaves in.
        frames = expected as usize;
        samples.truncate(frames * n_channels);
    }
    if frames == 0 {
        return Err(bad("no audio samples".into()));
    }
    if let Some(index) = samples.iter().position(|s| !s.is_finite()) {
        return Err(bad(format!(
            "sample {} of channel {} is {}; samples must be finite",
            index / n_channels,
            index % n_channels,
            samples[index]
        )));
    }
    Ok(Audio {
        samples,
        channels: n_channels,
        sample_rate,
    })
}
