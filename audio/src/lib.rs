//! Audio for omnitok: the spectral front-end of a speech model.
//!
//! - [`decode`]: WAV, FLAC, MP3 and Ogg Vorbis files to `f32` samples (symphonia), with limits.
//! - [`resample`]: sample-rate conversion (libsoxr, as librosa) on [`Audio`].
//! - [`window`]: analysis windows (Hann, Hamming, Povey), periodic or symmetric.
//! - [`stft`]: short-time Fourier transform with librosa's framing (centring, padding) or
//!   Kaldi's (snipped edges, DC removal, pre-emphasis, frame energy), FFT plans built once and
//!   shared.
//! - [`mel`]: mel scales (Slaney, HTK, Kaldi) and triangular filterbanks as librosa,
//!   torchaudio and Kaldi make them.
//! - [`mfcc`]: cepstral coefficients (DCT-II, orthonormal, librosa's or Kaldi's lifter).
//! - [`features`]: named presets (`librosa-mel`, `librosa-mfcc`, `torchaudio-mel`,
//!   `torchaudio-mfcc`, `kaldi-fbank`, `kaldi-mfcc`, `whisper-80`, `whisper-128`) planned once
//!   as an [`Extractor`].
//! - [`streaming`]: the same features from audio that arrives in chunks, each frame as soon as
//!   its samples are in.
//! - [`settings`]: a preset's settings changed by the references' own keyword names.
//! - [`codec`]: EnCodec inference (audio to codes and back), offline and streaming.
//! - [`metrics`]: SI-SDR, mel distance and multi-scale STFT distance of decoded audio.
//! - [`exp`]: the codec's activations (ELU, and the LSTM's sigmoid and tanh) on many values at
//!   once (vectorised exponential).
//! - [`db`]: power to decibels with a reference, floor and dynamic range (`power_to_db`).
//! - [`wav`]: WAV files written from samples (decoded codes, for instance).
//! - [`logarithm`]: natural logarithms of many values at once (vectorised, within one unit in
//!   the last place).
//!
//! Arrays are plain row-major `Vec<f32>` with their shape beside them ([`Spectrogram`]).

pub mod codec;
pub mod db;
pub mod decode;
pub mod error;
pub mod exp;
pub mod features;
pub mod logarithm;
pub mod mel;
pub mod metrics;
pub mod mfcc;
pub mod resample;
pub mod settings;
mod side_by_side;
pub mod stft;
pub mod streaming;
pub mod wav;
pub mod window;

pub use decode::{load, load_bytes, Audio, AudioLimits};
pub use error::{AudioError, Result};
pub use features::{CachedExtractor, Extractor, ExtractorCache, FeatureConfig, Features, PRESETS};
pub use settings::SettingValue;
pub use stft::{Framing, KaldiFraming, PadMode, Spectrogram, Stft, StftConfig};
pub use streaming::StreamingExtractor;
pub use window::Window;
