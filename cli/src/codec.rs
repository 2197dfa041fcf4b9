//! `omnitok audio encode | decode | eval`: audio to codec codes (EnCodec, DAC, SNAC) and back,
//! and how close the round trip comes.
//!
//! EnCodec and DAC codes are written as `.npy` (int64): `[codebooks, frames]`, or `[chunks,
//! codebooks, frames]` for models that encode in chunks (EnCodec 48 kHz). Beside them,
//! `<CODES>.json` holds what decoding needs besides the codes: the per-chunk scales, the padding
//! of the last chunk, the number of samples to trim to, and the bandwidth and sample rate for
//! the reader's information. SNAC's codes come at several rates and are written as `.npz`: one
//! int64 array per level, `level_0` (coarsest) to `level_{L-1}`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use ndarray::{Array1, Array2, Array3};
use omnitok_audio::codec::{Codec, Codes, CodesSidecar};
use omnitok_audio::metrics::{mel_distance, multi_scale_stft_distance, si_sdr};
use omnitok_audio::{load, AudioError};
use omnitok_corpus::{npy, npz};

use crate::audio::AudioLimitArgs;
use crate::output::{refuse_to_overwrite, write_atomically};

/// Encode audio files into codes with a checkpoint of EnCodec or DAC (transformers; its
/// config.json's model_type says which) or SNAC (the snac package's config.json beside a
/// model.safetensors), or with omnitok's built-in speech codec (omnitok-speech-16k) when no
/// model is named.
///
/// The audio is resampled to the model's rate. A mono model takes the mean of the channels, a
/// stereo model takes mono audio repeated on both; other channel counts must match the model's.
/// EnCodec and DAC: writes CODES.npy (int64 [codebooks, frames]) and CODES.npy.json (scales,
/// padding, length). SNAC: writes CODES.npz, one int64 array per level (level_0, coarsest, to
/// level_N), of every level. Each file is written under a temporary name renamed when complete.
#[derive(Args, Debug)]
pub struct EncodeArgs {
    #[command(flatten)]
    limits: AudioLimitArgs,
    /// A transformers checkpoint folder (config.json, model.safetensors); default: the built-in
    /// speech codec omnitok-speech-16k.
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    #[command(flatten)]
    rate: RateArgs,
    #[arg(short, long = "output", value_name = "CODES.npy|CODES.npz")]
    output: PathBuf,
    #[arg(value_name = "IN")]
    input: PathBuf,
}

/// Decode codes (`.npy`, with its `.json` beside it when there is one; SNAC: `.npz` of every
/// level) to a WAV file (32-bit float) at the model's rate.
///
/// SNAC decodes every frame its codes cover (the encoder pads the audio to whole codes of the
/// coarsest level), without the random noise its reference decoder adds.
#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// A transformers checkpoint folder (config.json, model.safetensors); default: the built-in
    /// speech codec omnitok-speech-16k.
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    #[arg(short, long = "output", value_name = "OUT.wav")]
    output: PathBuf,
    #[arg(value_name = "CODES.npy|CODES.npz")]
    codes: PathBuf,
}

/// Encode and decode audio files at each bandwidth (or one) and print how close the decoded
/// audio is: SI-SDR (dB, higher is better), mel distance and multi-scale STFT distance (lower
/// is better), on the channels' mean.
#[derive(Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    limits: AudioLimitArgs,
    /// A transformers checkpoint folder (config.json, model.safetensors); default: the built-in
    /// speech codec omnitok-speech-16k.
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    /// One bandwidth (or number of codebooks) instead of each of the model's.
    #[command(flatten)]
    rate: RateArgs,
    /// One JSON object a line instead of a table.
    #[arg(long)]
    json: bool,
    #[arg(value_name = "IN", required = true)]
    inputs: Vec<PathBuf>,
}

/// The codec `model` names: a transformers checkpoint folder, or the built-in speech codec when
/// `model` is absent or is that codec's name (and no folder of the name exists).
pub fn load_model(model: Option<&Path>) -> Result<Codec> {
    Ok(model.map_or_else(|| Ok(Codec::default_speech()), Codec::load)?)
}

/// How many codes a frame gets: a bandwidth or a number of codebooks.
#[derive(Args, Debug)]
#[group(multiple = false)]
pub struct RateArgs {
    /// kbps; one of the model's bandwidths (`omnitok audio eval` lists them; default: the
    /// smallest).
    #[arg(long, value_name = "KBPS")]
    bandwidth: Option<f64>,
    /// Codebooks per frame, instead of --bandwidth: one of the counts the model's bandwidths
    /// use (any from 1 for DAC; for SNAC, its number of levels, all of them).
    #[arg(long, value_name = "N")]
    codebooks: Option<usize>,
}

impl RateArgs {
    /// The bandwidth asked for, if any.
    fn bandwidth(&self, codec: &Codec) -> Result<Option<f64>> {
        Ok(match (self.bandwidth, self.codebooks) {
            (Some(bandwidth), _) => Some(bandwidth),
            (None, Some(codebooks)) => Some(codec.bandwidth_with(codebooks)?),
            (None, None) => None,
        })
    }
}

/// Runs `omnitok audio encode`.
pub fn run_encode(args: &EncodeArgs) -> Result<()> {
    refuse_to_overwrite(&args.output, &[&args.input])?;
    refuse_to_overwrite(&CodesSidecar::path_for(&args.output), &[&args.input])?;
    let codec = load_model(args.model.as_deref())?;
    let bandwidth = args
        .rate
        .bandwidth(&codec)?
        .unwrap_or_else(|| codec.smallest_bandwidth());
    let audio = load(&args.input, &args.limits.limits())?;
    if codec.level_strides().is_some() {
        return write_levels(&codec, &audio, bandwidth, args);
    }
    let codes = codec
        .encode_audio(&audio, bandwidth)
        .with_context(|| args.input.display().to_string())?;
    let (chunks, codebooks, frames) = codes.codes.dim();
    let shape: Vec<u64> = if chunks == 1 {
        vec![codebooks as u64, frames as u64]
    } else {
        vec![chunks as u64, codebooks as u64, frames as u64]
    };
    let contiguous = codes.codes.as_standard_layout();
    let values = contiguous
        .as_slice()
        .context("codes are not a contiguous array")?;
    let bytes = npy::to_bytes(&shape, values);
    let sidecar = CodesSidecar::new(&codec, &codes, bandwidth);
    write_atomically(&args.output, &bytes)?;
    write_atomically(
        &CodesSidecar::path_for(&args.output),
        sidecar.to_json()?.as_bytes(),
    )?;
    Ok(())
}

/// Encodes `audio` with a SNAC model and writes its levels as `.npz`.
fn write_levels(
    codec: &Codec,
    audio: &omnitok_audio::Audio,
    bandwidth: f64,
    args: &EncodeArgs,
) -> Result<()> {
    if args.output.extension().is_none_or(|e| e != "npz") {
        anyhow::bail!(
            "{}: SNAC's codes are levels at several rates, written as .npz; name the output \
             CODES.npz",
            args.output.display()
        );
    }
    codec.codebooks_for(bandwidth)?;
    let in_file = || args.input.display().to_string();
    let levels = codec
        .encode_levels(codec.model_input(audio).with_context(in_file)?.view())
        .with_context(in_file)?;
    let slices = levels
        .iter()
        .map(|level| level.as_slice().context("codes are not a contiguous array"))
        .collect::<Result<Vec<_>>>()?;
    write_atomically(&args.output, &npz::levels_to_bytes(&slices)?)
}

/// Reads SNAC codes from `.npz`: arrays `level_0` to `level_{L-1}`, each 1-D integers.
fn read_levels(path: &Path) -> Result<Vec<Array1<i64>>> {
    let levels =
        npz::levels(npz::read_u32_file(path)?).with_context(|| path.display().to_string())?;
    Ok(levels
        .into_iter()
        .map(|level| level.into_iter().map(i64::from).collect())
        .collect())
}

/// Reads integer codes (any little-endian integer type, each a non-negative `u32`) of shape
/// `[codebooks, frames]` or `[chunks, codebooks, frames]`.
fn read_codes(path: &Path) -> Result<Array3<i64>> {
    let (shape, values) = npy::read_u32_file(path)?;
    Codes::array_of_shape(&shape, values.into_iter().map(i64::from).collect())
        .with_context(|| path.display().to_string())
}

/// Runs `omnitok audio decode`.
pub fn run_decode(args: &DecodeArgs) -> Result<()> {
    let sidecar_file = CodesSidecar::path_for(&args.codes);
    refuse_to_overwrite(&args.output, &[&args.codes, &sidecar_file])?;
    let codec = load_model(args.model.as_deref())?;
    if codec.level_strides().is_some() {
        let levels = read_levels(&args.codes)?;
        let views: Vec<_> = levels.iter().map(|l| l.view()).collect();
        let audio = codec
            .decode_levels(&views)
            .with_context(|| args.codes.display().to_string())?;
        return write_wav(&args.output, &audio, codec.sampling_rate());
    }
    let codes = read_codes(&args.codes)?;
    let sidecar = CodesSidecar::read_if_present(&sidecar_file)?;
    if let Some(sidecar) = &sidecar {
        sidecar.check(&codec, codes.dim().1, &sidecar_file.display().to_string())?;
    }
    let codes = CodesSidecar::codes(sidecar.as_ref(), codes);
    let audio = codec.decode(&codes).map_err(|e| match e {
        AudioError::MissingScales { .. } => anyhow::anyhow!(
            "{}: this model scales each chunk; decoding needs {} as encode wrote it",
            args.codes.display(),
            sidecar_file.display()
        ),
        other => anyhow::Error::new(other).context(args.codes.display().to_string()),
    })?;
    write_wav(&args.output, &audio, codec.sampling_rate())
}

/// Writes `[channels, samples]` as a 32-bit float WAV file, through a temporary name.
fn write_wav(path: &Path, audio: &Array2<f32>, sample_rate: u32) -> Result<()> {
    write_atomically(path, &omnitok_audio::wav::to_bytes(audio, sample_rate)?)
}

/// Runs `omnitok audio eval`.
pub fn run_eval(args: &EvalArgs) -> Result<()> {
    let codec = load_model(args.model.as_deref())?;
    let bandwidths = match args.rate.bandwidth(&codec)? {
        Some(b) => vec![b],
        None => codec.bandwidths(),
    };
    let rate = codec.sampling_rate();
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(
            out,
            "{:<32} {:>6} {:>9} {:>9} {:>9}",
            "file", "kbps", "SI-SDR", "mel", "STFT"
        )?;
    }
    for input in &args.inputs {
        let audio = load(input, &args.limits.limits())?;
        let audio = if audio.sample_rate == rate {
            audio
        } else {
            audio
                .resampled(rate)
                .with_context(|| input.display().to_string())?
        };
        let reference = audio.mono();
        let planar = codec
            .model_input(&audio)
            .with_context(|| input.display().to_string())?;
        for &bandwidth in &bandwidths {
            let in_file = || format!("{} at {bandwidth} kbps", input.display());
            let decoded = codec
                .encode_and_decode(planar.view(), bandwidth)
                .with_context(in_file)?;
            let channels = decoded.nrows() as f32;
            let estimate: Vec<f32> = (0..decoded.ncols())
                .map(|t| decoded.column(t).sum() / channels)
                .collect();
            // DAC decodes whole frames only: the input's last partial frame has no estimate.
            let reference = &reference[..estimate.len().min(reference.len())];
            let sdr = si_sdr(reference, &estimate).with_context(in_file)?;
            let mel = mel_distance(reference, &estimate, f64::from(rate)).with_context(in_file)?;
            let stft = multi_scale_stft_distance(reference, &estimate).with_context(in_file)?;
            if args.json {
                let line = serde_json::json!({
                    "file": input.display().to_string(),
                    "bandwidth": bandwidth,
                    "si_sdr": sdr,
                    "mel_distance": mel,
                    "multi_scale_stft_distance": stft,
                });
                writeln!(out, "{line}")?;
            } else {
                let name = input.display().to_string();
                // Three decimals at most (DAC at 44.1 kHz: 0.861 kbps a codebook).
                let kbps = (bandwidth * 1000.0).round() / 1000.0;
                writeln!(
                    out,
                    "{name:<32} {kbps:>6} {sdr:>9.3} {mel:>9.4} {stft:>9.4}"
                )?;
            }
        }
    }
    Ok(())
}
