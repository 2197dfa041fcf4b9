//! `omnitok vision train-codebook` and `omnitok vision tokenize`: discrete codes of images and
//! video frames.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use omnitok_corpus::{files, npy};
use omnitok_vision::codebook::{train, CodeGrid, KMeansConfig, PatchSet, DEFAULT_PATCH_SIZE};
use omnitok_vision::image_codes::{ImageQuantizer, DEFAULT_SCALAR_PATCH_SIZE};
use rayon::prelude::*;

use crate::output::write_atomically;
use crate::vision_input::{frames_of, image_quantizer, FrameSampling};

/// Learns a VQ codebook of image patches by mini-batch k-means (seeded; the same inputs and
/// settings give the same file for any thread count). The training patches are held in memory,
/// `patch² · 3` bytes each: about `3 · pixels · (patch / stride)²` bytes in all.
#[derive(Args, Debug)]
pub struct TrainCodebookArgs {
    /// Number of codes.
    #[arg(long, value_name = "N", default_value_t = KMeansConfig::default().size)]
    size: usize,
    /// Side of a patch in pixels.
    #[arg(long, value_name = "PIXELS", default_value_t = DEFAULT_PATCH_SIZE)]
    patch_size: usize,
    /// Pixels between training patches (default: the patch size, no overlap).
    #[arg(long, value_name = "PIXELS")]
    stride: Option<usize>,
    /// Passes over the training patches.
    #[arg(long, value_name = "N", default_value_t = KMeansConfig::default().epochs)]
    epochs: usize,
    /// Patches per update.
    #[arg(long, value_name = "N", default_value_t = KMeansConfig::default().batch_size)]
    batch_size: usize,
    #[arg(long, value_name = "N", default_value_t = KMeansConfig::default().seed)]
    seed: u64,
    #[command(flatten)]
    sampling: FrameSampling,
    /// No progress on stderr.
    #[arg(long)]
    quiet: bool,
    /// The codebook file (safetensors).
    #[arg(short, long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Images, animations or videos.
    #[arg(value_name = "FILE", required = true)]
    inputs: Vec<PathBuf>,
}

/// Code indices of images and video frames: one `<name>.npy` (uint32 `[frames, grid_h,
/// grid_w]`) and `<name>.json` per input in OUTDIR, and a table on stdout.
#[derive(Args, Debug)]
pub struct TokenizeArgs {
    /// `codebook:FILE` (from train-codebook), `fsq:L1,L2,...` or `lfq:BITS` (of each patch's
    /// DCT features).
    #[arg(long, value_name = "SPEC")]
    quantizer: String,
    /// Side of a patch for fsq and lfq (a codebook has its own).
    #[arg(long, value_name = "PIXELS", default_value_t = DEFAULT_SCALAR_PATCH_SIZE)]
    patch_size: usize,
    /// Codebooks: also write the decoded image (`<name>.png`, or `<name>-<frame>.png` for
    /// videos) and report its PSNR against the input.
    #[arg(long)]
    reconstruct: bool,
    #[command(flatten)]
    sampling: FrameSampling,
    #[arg(short, long = "output", value_name = "OUTDIR")]
    output: PathBuf,
    #[arg(value_name = "FILE", required = true)]
    inputs: Vec<PathBuf>,
}

pub fn run_train_codebook(args: &TrainCodebookArgs) -> Result<()> {
    let mut patches = PatchSet::new(args.patch_size)?;
    let stride = args.stride.unwrap_or(args.patch_size);
    for path in &args.inputs {
        let (frames, _) = frames_of(path, &args.sampling)?;
        for frame in &frames {
            patches
                .add_image(frame, stride)
                .with_context(|| path.display().to_string())?;
        }
    }
    let config = KMeansConfig {
        size: args.size,
        epochs: args.epochs,
        batch_size: args.batch_size,
        seed: args.seed,
    };
    if !args.quiet {
        eprintln!(
            "{} patches of {} x {} pixels from {} file(s); {} codes, {} epochs",
            patches.len(),
            args.patch_size,
            args.patch_size,
            args.inputs.len(),
            args.size,
            args.epochs
        );
    }
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "[{elapsed_precise}] {bar:24} {human_pos}/{human_len} patches, {per_sec}, eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar
    });
    let book = train(
        &patches,
        &config,
        &mut |epoch| {
            if !args.quiet {
                let line = format!(
                    "epoch {}: mse {:.2}, psnr {:.2} dB, {} codes unused",
                    epoch.epoch, epoch.mse, epoch.psnr, epoch.unused
                );
                match &bar {
                    Some(bar) => bar.println(line),
                    None => eprintln!("{line}"),
                }
            }
        },
        &mut |done, total| {
            if let Some(bar) = &bar {
                bar.set_length(total);
                bar.set_position(done);
            }
        },
    )?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    write_atomically(&args.output, &book.to_bytes()?)
}

pub fn run_tokenize(args: &TokenizeArgs) -> Result<()> {
    let quantizer = image_quantizer(&args.quantizer, args.patch_size)?;
    if args.reconstruct && !matches!(quantizer, ImageQuantizer::Codebook(_)) {
        bail!("--reconstruct needs a codebook: FSQ and LFQ codes of DCT features do not decode");
    }
    let stems = files::output_stems(&args.inputs, "npy")?;
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("{}: cannot create", args.output.display()))?;
    let summaries: Vec<serde_json::Value> = stems
        .par_iter()
        .map(|(stem, path)| tokenize_one(args, &quantizer, stem, path))
        .collect::<Result<_>>()?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<40} {:>7} {:>10} {:>9} {:>9}",
        "file", "frames", "grid", "tokens", "psnr"
    )?;
    for summary in summaries {
        let grid = &summary["grid_thw"];
        writeln!(
            out,
            "{:<40} {:>7} {:>10} {:>9} {:>9}",
            summary["file"].as_str().unwrap_or_default(),
            grid[0],
            format!("{}x{}", grid[1], grid[2]),
            summary["tokens"].as_u64().unwrap_or_default(),
            summary["psnr"]
                .as_f64()
                .map_or("-".to_owned(), |p| format!("{p:.2}"))
        )?;
    }
    Ok(())
}

fn tokenize_one(
    args: &TokenizeArgs,
    quantizer: &ImageQuantizer,
    stem: &str,
    path: &Path,
) -> Result<serde_json::Value> {
    let (frames, fps) = frames_of(path, &args.sampling)?;
    let mut grids = Vec::with_capacity(frames.len());
    let mut psnr_sum = 0.0;
    for (t, frame) in frames.iter().enumerate() {
        let codes = quantizer
            .encode(frame)
            .with_context(|| path.display().to_string())?;
        if args.reconstruct {
            let image = quantizer.decode(&codes, frame.width, frame.height)?;
            psnr_sum += frame.psnr(&image)?;
            let name = if frames.len() == 1 {
                format!("{stem}.png")
            } else {
                format!("{stem}-{t}.png")
            };
            write_atomically(&args.output.join(name), &image.to_png()?)?;
        }
        grids.push(codes);
    }
    let (indices, [t, grid_h, grid_w]) =
        CodeGrid::stack(&grids).with_context(|| path.display().to_string())?;
    let shape = [t as u64, grid_h as u64, grid_w as u64];
    let bytes = npy::to_bytes(&shape, &indices);
    let psnr = args.reconstruct.then(|| psnr_sum / frames.len() as f64);
    let summary = serde_json::json!({
        "file": path.display().to_string(),
        "quantizer": args.quantizer,
        "codebook_size": quantizer.codebook_size(),
        "patch_size": quantizer.patch_size(),
        "frames": frames.len(),
        "fps": fps,
        "grid_thw": shape,
        "tokens": indices.len(),
        "psnr": psnr,
    });
    write_atomically(&args.output.join(format!("{stem}.npy")), &bytes)?;
    write_atomically(
        &args.output.join(format!("{stem}.json")),
        &files::pretty_json(&summary)?,
    )?;
    Ok(summary)
}
