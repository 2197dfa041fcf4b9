//! `omnitok vision`: what images and videos cost a model in tokens, and their patches.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use omnitok_corpus::npy;
use omnitok_vision::decode::{load, sample_frames, Limits, Sampling};
use omnitok_vision::fixed::FixedConfig;
use omnitok_vision::qwen2_vl::Qwen2VlConfig;
use omnitok_vision::{Patches, RgbImage};
use rayon::prelude::*;

use crate::output::write_atomically;
use crate::vision_codes::{run_tokenize, run_train_codebook, TokenizeArgs, TrainCodebookArgs};

/// Images and video frames: patches as model processors make them, and their token cost.
#[derive(Args, Debug)]
pub struct VisionArgs {
    #[command(subcommand)]
    command: VisionCommand,
}

#[derive(Subcommand, Debug)]
enum VisionCommand {
    Patchify(PatchifyArgs),
    Cost(CostArgs),
    TrainCodebook(TrainCodebookArgs),
    Tokenize(TokenizeArgs),
}

/// What both commands read.
#[derive(Args, Debug)]
struct Inputs {
    /// qwen2-vl (images and videos), siglip or clip-vit-b16 (images).
    #[arg(long, value_name = "NAME", default_value = "qwen2-vl")]
    preset: String,
    #[command(flatten)]
    sampling: FrameSampling,
    #[arg(value_name = "FILE", required = true)]
    inputs: Vec<PathBuf>,
}

/// Which frames of a video or animation to take.
#[derive(Args, Debug)]
pub struct FrameSampling {
    /// Videos: frames per second to keep (at most the video's rate).
    #[arg(long, value_name = "FPS", conflicts_with = "frames")]
    fps: Option<f64>,
    /// Videos: this many frames, spread evenly.
    #[arg(long, value_name = "N")]
    frames: Option<usize>,
}

/// One `<name>.npy` (float32 `[patches, values]`) and `<name>.json` (grid and token cost) per
/// input in OUTDIR, each written under a temporary name and renamed when complete.
#[derive(Args, Debug)]
struct PatchifyArgs {
    #[command(flatten)]
    inputs: Inputs,
    #[arg(short, long = "output", value_name = "OUTDIR")]
    output: PathBuf,
}

/// The grid and the LLM tokens each input costs under a preset (qwen2-vl: patches / 4, after
/// the 2 x 2 merge; siglip, clip-vit-b16: one token per patch, no class token).
#[derive(Args, Debug)]
struct CostArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// One JSON object a line instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `omnitok vision`.
pub fn run(args: &VisionArgs) -> Result<()> {
    match &args.command {
        VisionCommand::Patchify(args) => run_patchify(args),
        VisionCommand::Cost(args) => run_cost(args),
        VisionCommand::TrainCodebook(args) => run_train_codebook(args),
        VisionCommand::Tokenize(args) => run_tokenize(args),
    }
}

enum Preset {
    Qwen2Vl(Qwen2VlConfig),
    Fixed(FixedConfig),
}

impl Preset {
    fn named(name: &str) -> Result<Self> {
        Ok(match name {
            "qwen2-vl" => Preset::Qwen2Vl(Qwen2VlConfig::default()),
            "siglip" => Preset::Fixed(FixedConfig::siglip()),
            "clip-vit-b16" => Preset::Fixed(FixedConfig::clip_vit_b16()),
            other => {
                bail!("unknown preset {other:?}; the presets are qwen2-vl, siglip, clip-vit-b16")
            }
        })
    }

    fn patchify(&self, frames: &[RgbImage]) -> Result<Patches> {
        Ok(match self {
            Preset::Qwen2Vl(config) => omnitok_vision::qwen2_vl::patchify(frames, config)?,
            Preset::Fixed(config) => {
                let [image] = frames else {
                    bail!("this preset takes one image, not {} frames", frames.len());
                };
                omnitok_vision::fixed::patchify(image, config)?
            }
        })
    }

    /// LLM tokens for these patches.
    fn tokens(&self, patches: &Patches) -> usize {
        match self {
            Preset::Qwen2Vl(config) => patches.rows / (config.merge_size * config.merge_size),
            Preset::Fixed(_) => patches.rows,
        }
    }
}

/// The frames of `path` (one for a still image) and the rate they were sampled at.
pub fn frames_of(path: &Path, sampling: &FrameSampling) -> Result<(Vec<RgbImage>, Option<f64>)> {
    let mut frames = load(path, &Limits::default())?;
    let sampling = match (sampling.fps, sampling.frames) {
        (Some(fps), _) => Sampling::Fps(fps),
        (None, Some(count)) => Sampling::Count(count),
        (None, None) => Sampling::All,
    };
    if frames.frames.len() > 1 {
        frames = sample_frames(frames, sampling).with_context(|| path.display().to_string())?;
    }
    Ok((frames.frames, frames.fps))
}

/// What `cost` reports and `patchify` writes beside the patches.
fn summary(
    path: &Path,
    preset: &Preset,
    patches: &Patches,
    frames: usize,
    fps: Option<f64>,
) -> serde_json::Value {
    let [t, h, w] = patches.grid_thw;
    serde_json::json!({
        "file": path.display().to_string(),
        "frames": frames,
        "fps": fps,
        "grid_thw": [t, h, w],
        "patches": patches.rows,
        "values_per_patch": patches.values_per_patch,
        "tokens": preset.tokens(patches),
    })
}

fn run_cost(args: &CostArgs) -> Result<()> {
    let preset = Preset::named(&args.inputs.preset)?;
    let results: Vec<serde_json::Value> = args
        .inputs
        .inputs
        .par_iter()
        .map(|path| {
            let (frames, fps) = frames_of(path, &args.inputs.sampling)?;
            let patches = preset
                .patchify(&frames)
                .with_context(|| path.display().to_string())?;
            Ok(summary(path, &preset, &patches, frames.len(), fps))
        })
        .collect::<Result<_>>()?;
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(
            out,
            "{:<40} {:>7} {:>14} {:>8} {:>8}",
            "file", "frames", "grid (t,h,w)", "patches", "tokens"
        )?;
    }
    let mut total = 0;
    for line in results {
        total += line["tokens"].as_u64().unwrap_or(0);
        if args.json {
            writeln!(out, "{line}")?;
        } else {
            let number = |key: &str| line[key].as_u64().unwrap_or(0);
            let grid = &line["grid_thw"];
            writeln!(
                out,
                "{:<40} {:>7} {:>14} {:>8} {:>8}",
                line["file"].as_str().unwrap_or_default(),
                number("frames"),
                format!("{},{},{}", grid[0], grid[1], grid[2]),
                number("patches"),
                number("tokens")
            )?;
        }
    }
    if !args.json {
        writeln!(
            out,
            "{:<40} {:>7} {:>14} {:>8} {total:>8}",
            "total", "", "", ""
        )?;
    }
    Ok(())
}

/// Each input under the name its outputs take (its file name up to the first dot), in name
/// order; two inputs that would share a name are an error.
pub fn output_stems(inputs: &[PathBuf]) -> Result<BTreeMap<String, &PathBuf>> {
    let mut names = BTreeMap::new();
    for input in inputs {
        let stem = input
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .split('.')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .with_context(|| format!("{}: not a file name", input.display()))?;
        if let Some(other) = names.insert(stem.clone(), input) {
            bail!(
                "{} and {} would both be written as {stem}.npy",
                other.display(),
                input.display()
            );
        }
    }
    Ok(names)
}

fn run_patchify(args: &PatchifyArgs) -> Result<()> {
    let preset = Preset::named(&args.inputs.preset)?;
    let names = output_stems(&args.inputs.inputs)?;
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("{}: cannot create", args.output.display()))?;
    names.par_iter().try_for_each(|(stem, path)| -> Result<()> {
        let (frames, fps) = frames_of(path, &args.inputs.sampling)?;
        let patches = preset
            .patchify(&frames)
            .with_context(|| path.display().to_string())?;
        let mut bytes = npy::header(
            "<f4",
            &[patches.rows as u64, patches.values_per_patch as u64],
        );
        bytes.extend(patches.data.iter().flat_map(|v| v.to_le_bytes()));
        let json = summary(path, &preset, &patches, frames.len(), fps);
        write_atomically(&args.output.join(format!("{stem}.npy")), &bytes)?;
        write_atomically(
            &args.output.join(format!("{stem}.json")),
            (serde_json::to_string_pretty(&json)? + "\n").as_bytes(),
        )
    })
}
