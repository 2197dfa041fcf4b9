//! What the `omnitok vision` and `omnitok layout` commands share: which frames of each input
//! they read, the names their outputs take, and image quantizers named on the command line.

use std::path::Path;

use anyhow::{Context, Result};
use clap::Args;
use omnitok_vision::decode::{load, sample_frames, ImageLimits, Sampling};
use omnitok_vision::image_codes::ImageQuantizer;
use omnitok_vision::{RgbImage, VisionError};

/// Which frames of a video or animation to take, and how large a file may be.
#[derive(Args, Debug)]
pub struct FrameSampling {
    /// Videos: frames per second to keep (at most the video's rate).
    #[arg(long, value_name = "FPS", conflicts_with = "frames")]
    fps: Option<f64>,
    /// Videos: this many frames, spread evenly.
    #[arg(long, value_name = "N")]
    frames: Option<usize>,
    /// Largest frame a file may hold, in pixels (width x height), checked before decoding.
    #[arg(long, value_name = "N", default_value_t = ImageLimits::default().max_pixels)]
    max_pixels: u64,
    /// Most frames a video or animation may hold.
    #[arg(long, value_name = "N", default_value_t = ImageLimits::default().max_frames)]
    max_frames: usize,
    /// Largest file, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = ImageLimits::default().max_bytes)]
    max_bytes: u64,
}

/// The frames of `path` (one for a still image) and the rate they were sampled at.
pub fn frames_of(path: &Path, sampling: &FrameSampling) -> Result<(Vec<RgbImage>, Option<f64>)> {
    let limits = ImageLimits {
        max_pixels: sampling.max_pixels,
        max_frames: sampling.max_frames,
        max_bytes: sampling.max_bytes,
    };
    let mut frames = load(path, &limits)?;
    if frames.frames.len() > 1 {
        let sampling = Sampling::from_fps_or_count(sampling.fps, sampling.frames);
        frames = sample_frames(frames, sampling).with_context(|| path.display().to_string())?;
    }
    Ok((frames.frames, frames.fps))
}

/// The quantizer `spec` names (see [`ImageQuantizer::from_spec`]); a codebook file that cannot
/// be read is reported as `FILE: cannot read: why`.
pub fn image_quantizer(spec: &str, patch_size: usize) -> Result<ImageQuantizer> {
    ImageQuantizer::from_spec(spec, patch_size).map_err(|error| match error {
        VisionError::Io { path, source } => {
            anyhow::Error::new(source).context(format!("{path}: cannot read"))
        }
        other => other.into(),
    })
}
