//! `omnitok audio`: what an audio file holds, and its features as `.npy` files.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use omnitok_audio::{load, AudioLimits, Extractor, ExtractorCache, FeatureConfig, SettingValue};
use omnitok_corpus::{files, npy};
use rayon::prelude::*;

use crate::output::write_atomically;

/// Audio files: their format, their spectral features, and codec codes (EnCodec, DAC, SNAC).
#[derive(Args, Debug)]
pub struct AudioArgs {
    #[command(subcommand)]
    command: AudioCommand,
}

#[derive(Subcommand, Debug)]
enum AudioCommand {
    Info(InfoArgs),
    Features(FeaturesArgs),
    Encode(crate::codec::EncodeArgs),
    Decode(crate::codec::DecodeArgs),
    Eval(crate::codec::EvalArgs),
}

/// Channels, sample rate, frames and duration of audio files (WAV, FLAC, MP3, Ogg Vorbis).
#[derive(Args, Debug)]
struct InfoArgs {
    /// One JSON object a line instead of aligned text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    limits: AudioLimitArgs,
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
}

/// Features of audio files, one `<name>.npy` (float32) per input in OUTDIR.
///
/// Shape `[rows, frames]` (mel bins or coefficients first, as librosa, torchaudio and Whisper
/// lay them out), or `[frames, rows]` for the Kaldi presets (as Kaldi does). Channels are
/// averaged. With --sr, or a preset made for one rate (Whisper, Kaldi: 16 kHz), the audio is
/// resampled first. Files are processed in parallel; each output is written under a temporary
/// name and renamed when complete. Presets: librosa-mel, librosa-mfcc, torchaudio-mel,
/// torchaudio-mfcc, kaldi-fbank, kaldi-mfcc, whisper-80, whisper-128.
#[derive(Args, Debug)]
struct FeaturesArgs {
    #[arg(long, value_name = "NAME", default_value = omnitok_audio::features::DEFAULT_PRESET)]
    preset: String,
    #[command(flatten)]
    limits: AudioLimitArgs,
    /// Change a setting of the preset, by the reference's keyword name (e.g. n_mels=64,
    /// num_mel_bins=80, use_energy=true, fmax=none); repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    settings: Vec<String>,
    /// Resample to this rate first.
    #[arg(long, value_name = "RATE")]
    sr: Option<u32>,
    /// Output directory (created).
    #[arg(short, long = "output", value_name = "OUTDIR")]
    output: PathBuf,
    /// Threads (default: all cores).
    #[arg(long, value_name = "N", value_parser = crate::thread_count)]
    threads: Option<usize>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
    #[arg(value_name = "FILE", required = true)]
    inputs: Vec<PathBuf>,
}

/// How large an audio file may be, checked while it is decoded.
#[derive(Args, Debug)]
pub struct AudioLimitArgs {
    /// Largest file, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = AudioLimits::default().max_file_bytes)]
    max_file_bytes: u64,
    /// Longest audio, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = AudioLimits::default().max_seconds)]
    max_seconds: f64,
    /// Most channels.
    #[arg(long, value_name = "N", default_value_t = AudioLimits::default().max_channels)]
    max_channels: usize,
}

impl AudioLimitArgs {
    /// The limits these flags set.
    pub fn limits(&self) -> AudioLimits {
        AudioLimits::from_options(
            Some(self.max_file_bytes),
            Some(self.max_seconds),
            Some(self.max_channels),
        )
    }
}

/// Runs `omnitok audio`.
pub fn run(args: &AudioArgs) -> Result<()> {
    match &args.command {
        AudioCommand::Info(info) => run_info(info),
        AudioCommand::Features(features) => run_features(features),
        AudioCommand::Encode(encode) => crate::codec::run_encode(encode),
        AudioCommand::Decode(decode) => crate::codec::run_decode(decode),
        AudioCommand::Eval(eval) => crate::codec::run_eval(eval),
    }
}

fn run_info(args: &InfoArgs) -> Result<()> {
    let mut out = std::io::stdout().lock();
    for path in &args.files {
        let audio = load(path, &args.limits.limits())?;
        if args.json {
            let line = serde_json::json!({
                "path": path.display().to_string(),
                "channels": audio.channels,
                "sample_rate": audio.sample_rate,
                "frames": audio.frames(),
                "seconds": audio.seconds(),
            });
            writeln!(out, "{line}")?;
        } else {
            writeln!(
                out,
                "{}: {} channel(s), {} Hz, {} frames, {:.3} s",
                path.display(),
                audio.channels,
                audio.sample_rate,
                audio.frames(),
                audio.seconds()
            )?;
        }
    }
    Ok(())
}

fn run_features(args: &FeaturesArgs) -> Result<()> {
    let mut config = FeatureConfig::preset(&args.preset)?;
    let settings = args
        .settings
        .iter()
        .map(|s| parse_setting(s))
        .collect::<Result<Vec<_>>>()?;
    config.apply_settings(settings.iter().map(|(k, v)| (k.as_str(), v.clone())))?;
    let rate = args.sr.or(config.sample_rate.map(|r| r as u32));
    files::output_stems(&args.inputs, "npy")?;
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("{}: cannot create", args.output.display()))?;
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::with_draw_target(
            Some(args.inputs.len() as u64),
            ProgressDrawTarget::stderr(),
        );
        let style = ProgressStyle::with_template(
            "[{elapsed_precise}] {bar:24} {pos}/{len} files, eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar
    });
    let extractors = Extractors::new(config);
    let failures: Vec<String> = pool.install(|| {
        args.inputs
            .par_iter()
            .filter_map(|input| {
                let result = features_of(input, args, &extractors, rate);
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
                result.err().map(|e| format!("{e:#}"))
            })
            .collect()
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(first) = failures.first() {
        bail!(
            "{} of {} file(s) failed; the first: {first}",
            failures.len(),
            args.inputs.len()
        );
    }
    Ok(())
}

/// `KEY=VALUE`: true/false, none, a number, or else a name.
fn parse_setting(text: &str) -> Result<(String, SettingValue)> {
    let Some((key, value)) = text.split_once('=') else {
        bail!("--set {text:?}: expected KEY=VALUE");
    };
    let value = match value.trim() {
        "true" | "True" => SettingValue::Bool(true),
        "false" | "False" => SettingValue::Bool(false),
        "none" | "None" | "null" => SettingValue::Absent,
        other => other.parse::<f64>().map_or_else(
            |_| SettingValue::Text(other.to_owned()),
            SettingValue::Number,
        ),
    };
    Ok((key.trim().to_owned(), value))
}

/// The preset's configuration and its extractors, planned once per sample rate met and shared
/// by the threads.
struct Extractors {
    config: FeatureConfig,
    cache: ExtractorCache,
}

impl Extractors {
    fn new(config: FeatureConfig) -> Self {
        Self {
            config,
            cache: ExtractorCache::new(usize::MAX),
        }
    }

    fn for_rate(&self, rate: u32) -> Result<Arc<Extractor>> {
        let cached = self.cache.get(&self.config, f64::from(rate))?;
        if cached.newly_planned {
            if let Some(warning) = cached.extractor.empty_filters_warning() {
                eprintln!("omnitok: warning: at {rate} Hz, {warning}");
            }
        }
        Ok(cached.extractor)
    }
}

fn features_of(
    input: &Path,
    args: &FeaturesArgs,
    extractors: &Extractors,
    rate: Option<u32>,
) -> Result<()> {
    let dir = &args.output;
    let mut audio = load(input, &args.limits.limits())?;
    if let Some(rate) = rate {
        audio = audio.resampled(rate)?;
    }
    let extractor = extractors
        .for_rate(audio.sample_rate)
        .with_context(|| input.display().to_string())?;
    let features = extractor
        .compute(&audio.mono())
        .with_context(|| input.display().to_string())?;
    let shape = features.shape().map(|n| n as u64);
    let name = format!("{}.npy", files::output_stem(input)?);
    write_atomically(&dir.join(name), &npy::to_bytes(&shape, &features.data))
}
