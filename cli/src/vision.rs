//! `omnitok vision`: what images and videos cost a model in tokens, and their patches.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use omnitok_corpus::{files, npy};
use omnitok_vision::{Overrides, Patches, Patchifier, Preset};
use rayon::prelude::*;

use crate::output::write_atomically;
use crate::vision_codes::{run_tokenize, run_train_codebook, TokenizeArgs, TrainCodebookArgs};
use crate::vision_input::{frames_of, FrameSampling};

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
    #[arg(long, value_name = "NAME", default_value = Preset::DEFAULT.name())]
    preset: String,
    #[command(flatten)]
    sampling: FrameSampling,
    #[arg(value_name = "FILE", required = true)]
    inputs: Vec<PathBuf>,
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

/// What `cost` reports and `patchify` writes beside the patches.
fn summary(
    path: &Path,
    preset: &Patchifier,
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
    let preset = Preset::from_str(&args.inputs.preset)?.patchifier(&Overrides::default())?;
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

fn run_patchify(args: &PatchifyArgs) -> Result<()> {
    let preset = Preset::from_str(&args.inputs.preset)?.patchifier(&Overrides::default())?;
    let names = files::output_stems(&args.inputs.inputs, "npy")?;
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("{}: cannot create", args.output.display()))?;
    names.par_iter().try_for_each(|(stem, path)| -> Result<()> {
        let (frames, fps) = frames_of(path, &args.inputs.sampling)?;
        let patches = preset
            .patchify(&frames)
            .with_context(|| path.display().to_string())?;
        let shape = [patches.rows as u64, patches.values_per_patch as u64];
        let bytes = npy::to_bytes(&shape, &patches.data);
        let json = summary(path, &preset, &patches, frames.len(), fps);
        write_atomically(&args.output.join(format!("{stem}.npy")), &bytes)?;
        write_atomically(
            &args.output.join(format!("{stem}.json")),
            &files::pretty_json(&json)?,
        )
    })
}
