//! Removal of static video patches by run length (RLT: Choudhury et al., "Don't Look Twice:
//! Faster Video Transformers with Run-Length Tokenization", NeurIPS 2024).
//!
//! The video is cut into tubelets of `frames` consecutive frames by `patch` x `patch` pixels
//! (the last tubelet of a clip is padded by repeating the last frame, as Qwen2-VL pads). A
//! tubelet whose mean absolute difference from the tubelet before it at the same place (pixel
//! values scaled to 0..1) is below `threshold` is static and dropped; the tubelet it repeats
//! keeps the count of its run (itself plus the dropped tubelets after it), which a model can
//! embed as a length. The first tubelet at every place is always kept, so the video can be
//! rebuilt from the kept tubelets and their runs.

use crate::error::{Result, VisionError};
use crate::image::RgbImage;

/// The settings of static-patch removal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RltConfig {
    pub patch: usize,
    /// Frames per tubelet.
    pub frames: usize,
    /// Mean absolute difference (0..1 scale) below which a tubelet repeats the one before.
    pub threshold: f32,
}

impl Default for RltConfig {
    /// 16 x 16 patches, tubelets of 2 frames, threshold 0.02 (about 5 of 255 levels on
    /// average).
    fn default() -> Self {
        Self {
            patch: 16,
            frames: 2,
            threshold: 0.02,
        }
    }
}

/// One kept tubelet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptTubelet {
    /// Tubelet index in time, and patch row and column.
    pub t: usize,
    pub y: usize,
    pub x: usize,
    /// This tubelet and the static ones after it at the same place.
    pub run: usize,
}

/// The tubelets kept, in time order then row order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLengthTokens {
    pub kept: Vec<KeptTubelet>,
    /// Tubelets before removal: `grid_t · grid_h · grid_w`.
    pub total: usize,
    pub grid_thw: [usize; 3],
}

impl RunLengthTokens {
    /// The share of tubelets removed.
    pub fn reduction(&self) -> f64 {
        1.0 - self.kept.len() as f64 / self.total.max(1) as f64
    }
}

/// The tubelets of `frames` that are not static (see the module documentation). Frames must
/// share one size, a multiple of `patch` in each direction.
pub fn remove_static(frames: &[RgbImage], config: &RltConfig) -> Result<RunLengthTokens> {
    let bad = |m: String| Err(VisionError::BadParameter(m));
    let Some(first) = frames.first() else {
        return bad("no frames".into());
    };
    let (p, tf) = (config.patch, config.frames);
    if p == 0 || tf == 0 || config.threshold.is_nan() || config.threshold < 0.0 {
        return bad("patch and frames must be at least 1 and the threshold at least 0".into());
    }
    let (width, height) = (first.width, first.height);
    if width % p != 0 || height % p != 0 {
        return bad(format!(
            "{width} x {height} frames do not divide into {p} x {p} patches; resize them first"
        ));
    }
    if let Some(other) = frames
        .iter()
        .find(|f| (f.width, f.height) != (width, height))
    {
        return bad(format!(
            "frames differ in size: {width} x {height} and {} x {}",
            other.width, other.height
        ));
    }
    let (grid_h, grid_w) = (height / p, width / p);
    let grid_t = frames.len().div_ceil(tf);
    // Frame k of tubelet t (the last frame repeats past the end).
    let frame = |t: usize, k: usize| &frames[(t * tf + k).min(frames.len() - 1)];
    let difference = |t: usize, y: usize, x: usize| -> f32 {
        let mut sum = 0u64;
        for k in 0..tf {
            let (a, b) = (frame(t, k), frame(t - 1, k));
            for row in y * p..(y + 1) * p {
                let start = (row * width + x * p) * 3;
                let (ra, rb) = (&a.data[start..start + p * 3], &b.data[start..start + p * 3]);
                sum += ra
                    .iter()
                    .zip(rb)
                    .map(|(&u, &v)| u64::from(u.abs_diff(v)))
                    .sum::<u64>();
            }
        }
        sum as f32 / (tf * p * p * 3) as f32 / 255.0
    };
    let mut kept: Vec<KeptTubelet> = Vec::new();
    // For every place, the index in `kept` of its latest kept tubelet.
    let mut latest = vec![usize::MAX; grid_h * grid_w];
    for t in 0..grid_t {
        for y in 0..grid_h {
            for x in 0..grid_w {
                let place = y * grid_w + x;
                if t > 0 && difference(t, y, x) < config.threshold {
                    kept[latest[place]].run += 1;
                    continue;
                }
                latest[place] = kept.len();
                kept.push(KeptTubelet { t, y, x, run: 1 });
            }
        }
    }
    Ok(RunLengthTokens {
        kept,
        total: grid_t * grid_h * grid_w,
        grid_thw: [grid_t, grid_h, grid_w],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(value: u8) -> RgbImage {
        RgbImage::new(32, 16, vec![value; 32 * 16 * 3]).unwrap()
    }

    #[test]
    fn a_still_video_keeps_its_first_tubelets_with_the_whole_run() {
        let frames = vec![flat(100); 8];
        let tokens = remove_static(&frames, &RltConfig::default()).unwrap();
        assert_eq!(tokens.grid_thw, [4, 1, 2]);
        assert_eq!(tokens.kept.len(), 2);
        assert!(tokens.kept.iter().all(|k| k.t == 0 && k.run == 4));
        assert_eq!(tokens.reduction(), 0.75);
    }

    #[test]
    fn changes_are_kept_and_runs_restart() {
        let mut frames = vec![flat(0); 6];
        // Tubelet 1 (frames 2, 3) changes in the left patch only.
        for frame in &mut frames[2..4] {
            for row in 0..16 {
                for x in 0..16 {
                    let at = (row * 32 + x) * 3;
                    frame.data[at..at + 3].copy_from_slice(&[200, 200, 200]);
                }
            }
        }
        let tokens = remove_static(&frames, &RltConfig::default()).unwrap();
        let left: Vec<(usize, usize)> = tokens
            .kept
            .iter()
            .filter(|k| k.x == 0)
            .map(|k| (k.t, k.run))
            .collect();
        // Kept at t=0, t=1 (changed), t=2 (changed back).
        assert_eq!(left, [(0, 1), (1, 1), (2, 1)]);
        let right: Vec<(usize, usize)> = tokens
            .kept
            .iter()
            .filter(|k| k.x == 1)
            .map(|k| (k.t, k.run))
            .collect();
        assert_eq!(right, [(0, 3)]);
        let total_runs: usize = tokens.kept.iter().map(|k| k.run).sum();
        assert_eq!(total_runs, tokens.total);
        assert!(remove_static(
            &[RgbImage::new(10, 16, vec![0; 480]).unwrap()],
            &RltConfig::default()
        )
        .is_err());
    }
}
