//! The Qwen2-VL image processor (transformers' `Qwen2VLImageProcessor`), exactly.
//!
//! Each image, or the frames of a video, is resized (Pillow's bicubic) to a size whose sides
//! are multiples of `patch_size · merge_size` (28) and whose area lies between `min_pixels` and
//! `max_pixels` ([`smart_resize`]), scaled to 0..1 (`v · (1/255)` in double precision, stored as
//! `f32`), normalised with the CLIP mean and standard deviation (in `f32`), and cut into
//! `temporal_patch_size` (2) frames by `patch_size` (14) by `patch_size` patches; an image, or a
//! video with an odd number of frames, repeats its last frame. Patches are listed as the model
//! reads them: by temporal group, then by `merge_size` x `merge_size` block of patches in row
//! order, then row by row inside the block; each patch is `channel, frame, row, column` —
//! `[grid_t · grid_h · grid_w, 3 · 2 · 14 · 14]` with `grid_thw = (frames / 2, height / 14,
//! width / 14)`.

use crate::error::{Result, VisionError};
use crate::image::RgbImage;
use crate::normalize::{normalise, OPENAI_CLIP_MEAN, OPENAI_CLIP_STD};
use crate::patches::{PatchShape, Patches};
use crate::resize::{resize, Filter};

/// The settings of the processor (transformers' defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct Qwen2VlConfig {
    pub patch_size: usize,
    pub temporal_patch_size: usize,
    pub merge_size: usize,
    pub min_pixels: usize,
    pub max_pixels: usize,
    pub mean: [f32; 3],
    pub std: [f32; 3],
}

impl Default for Qwen2VlConfig {
    fn default() -> Self {
        Self {
            patch_size: 14,
            temporal_patch_size: 2,
            merge_size: 2,
            min_pixels: 56 * 56,
            max_pixels: 28 * 28 * 1280,
            mean: OPENAI_CLIP_MEAN,
            std: OPENAI_CLIP_STD,
        }
    }
}

/// The size (height, width) Qwen2-VL resizes a `height` x `width` image to: each side rounded to
/// a multiple of `factor` (half to even, as Python's `round`), then scaled together so that the
/// area lies within `min_pixels..=max_pixels`.
pub fn smart_resize(
    height: usize,
    width: usize,
    factor: usize,
    min_pixels: usize,
    max_pixels: usize,
) -> Result<(usize, usize)> {
    if height == 0 || width == 0 || factor == 0 {
        return Err(VisionError::BadParameter(format!(
            "cannot size a {width} x {height} image in steps of {factor}"
        )));
    }
    let (h, w, f) = (height as f64, width as f64, factor as f64);
    if h.max(w) / h.min(w) > 200.0 {
        return Err(VisionError::BadParameter(format!(
            "absolute aspect ratio must be smaller than 200, got {}",
            h.max(w) / h.min(w)
        )));
    }
    let mut h_bar = (h / f).round_ties_even() * f;
    let mut w_bar = (w / f).round_ties_even() * f;
    if h_bar * w_bar > max_pixels as f64 {
        let beta = (h * w / max_pixels as f64).sqrt();
        h_bar = f.max((h / beta / f).floor() * f);
        w_bar = f.max((w / beta / f).floor() * f);
    } else if h_bar * w_bar < min_pixels as f64 {
        let beta = (min_pixels as f64 / (h * w)).sqrt();
        h_bar = (h * beta / f).ceil() * f;
        w_bar = (w * beta / f).ceil() * f;
    }
    Ok((h_bar as usize, w_bar as usize))
}

/// The patches of `frames` (one for an image, several for a video, all the same size).
pub fn patchify(frames: &[RgbImage], config: &Qwen2VlConfig) -> Result<Patches> {
    let (width, height) = frames.first().map_or((0, 0), |f| (f.width, f.height));
    let expected = shape(frames.len(), width, height, config)?;
    Patches::collect(expected, |each_row| patchify_rows(frames, config, each_row))
}

/// The shape [`patchify`] gives `frames` (`count` frames of `width` x `height`), without
/// making the patches.
pub fn shape(
    count: usize,
    width: usize,
    height: usize,
    config: &Qwen2VlConfig,
) -> Result<PatchShape> {
    let (p, tp, m) = (
        config.patch_size,
        config.temporal_patch_size,
        config.merge_size,
    );
    if p == 0 || tp == 0 || m == 0 {
        return Err(VisionError::BadParameter(
            "patch_size, temporal_patch_size and merge_size must be at least 1".into(),
        ));
    }
    if count == 0 {
        return Err(VisionError::BadParameter(
            "no image or frame to cut into patches".into(),
        ));
    }
    let (height, width) = smart_resize(height, width, p * m, config.min_pixels, config.max_pixels)?;
    let groups = count.div_ceil(tp);
    let (grid_h, grid_w) = (height / p, width / p);
    Ok(PatchShape {
        rows: groups * grid_h * grid_w,
        values_per_patch: 3 * tp * p * p,
        grid_thw: [groups, grid_h, grid_w],
    })
}

/// [`patchify`], handing each patch (a row of the output) to `each_row` in order instead of
/// collecting them.
pub fn patchify_rows(
    frames: &[RgbImage],
    config: &Qwen2VlConfig,
    each_row: &mut dyn FnMut(&[f32]),
) -> Result<PatchShape> {
    let bad = |m: String| Err(VisionError::BadParameter(m));
    let Some(first) = frames.first() else {
        return bad("no image or frame to cut into patches".into());
    };
    if let Some(other) = frames
        .iter()
        .find(|f| (f.width, f.height) != (first.width, first.height))
    {
        return bad(format!(
            "the frames of a video must have one size: {} x {} and {} x {}",
            first.width, first.height, other.width, other.height
        ));
    }
    let shape = shape(frames.len(), first.width, first.height, config)?;
    let [groups, grid_h, grid_w] = shape.grid_thw;
    let p = config.patch_size;
    let resized: Vec<RgbImage> = frames
        .iter()
        .map(|frame| resize(frame, grid_w * p, grid_h * p, Filter::Bicubic))
        .collect::<Result<_>>()?;
    let layout = Layout {
        groups,
        grid_h,
        grid_w,
        patch: p,
        temporal: config.temporal_patch_size,
        merge: config.merge_size,
    };
    assemble(&layout, &resized, config.mean, config.std, each_row);
    Ok(shape)
}

/// Where each patch's values come from.
struct Layout {
    groups: usize,
    grid_h: usize,
    grid_w: usize,
    patch: usize,
    temporal: usize,
    merge: usize,
}

/// The patches in output order: temporal group, merge block, patch in the block. Each patch is
/// built in a small buffer (`channel, frame, row, column`) and handed on whole; a frame that
/// repeats the previous one of its group (an image, or the last frame of an odd video) is copied
/// inside the buffer. Compiled also for AVX2 and SSE4.1, chosen at run time.
#[multiversion::multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn assemble(
    layout: &Layout,
    frames: &[RgbImage],
    mean: [f32; 3],
    std: [f32; 3],
    each_row: &mut dyn FnMut(&[f32]),
) {
    let (p, tp, m) = (layout.patch, layout.temporal, layout.merge);
    let plane = p * p;
    let mut patch = vec![0f32; 3 * tp * plane];
    for t in 0..layout.groups {
        for block_y in 0..layout.grid_h / m {
            for block_x in 0..layout.grid_w / m {
                for in_y in 0..m {
                    for in_x in 0..m {
                        let (y0, x0) = ((block_y * m + in_y) * p, (block_x * m + in_x) * p);
                        for k in 0..tp {
                            // The last frame repeats to fill the group.
                            let frame = (t * tp + k).min(frames.len() - 1);
                            let repeated = k > 0 && frame == (t * tp + k - 1).min(frames.len() - 1);
                            for c in 0..3 {
                                let at = (c * tp + k) * plane;
                                if repeated {
                                    patch.copy_within(at - plane..at, at);
                                    continue;
                                }
                                let rows = patch[at..at + plane].chunks_exact_mut(p);
                                for (y, out) in rows.enumerate() {
                                    let pixels = &frames[frame].row(y0 + y)[x0 * 3 + c..];
                                    match p {
                                        14 => {
                                            normalise_row(pixels, mean[c], std[c], &mut out[..14])
                                        }
                                        16 => {
                                            normalise_row(pixels, mean[c], std[c], &mut out[..16])
                                        }
                                        _ => normalise_row(pixels, mean[c], std[c], out),
                                    }
                                }
                            }
                        }
                        each_row(&patch);
                    }
                }
            }
        }
    }
}

/// `out[x]` = the normalised value of `pixels[3 · x]`: one channel of a row of RGB pixels
/// (inlined where `out`'s length is a constant, so the row converts in whole vectors).
#[inline(always)]
fn normalise_row(pixels: &[u8], mean: f32, std: f32, out: &mut [f32]) {
    let pixels = &pixels[..3 * out.len() - 2];
    for (x, value) in out.iter_mut().enumerate() {
        *value = normalise(pixels[x * 3], mean, std);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_resize_rounds_half_to_even_and_keeps_the_area_in_range() {
        // 42 / 28 = 1.5 rounds to 2 (even), 70 / 28 = 2.5 rounds to 2.
        assert_eq!(smart_resize(42, 70, 28, 0, 1 << 30).unwrap(), (56, 56));
        let (h, w) = smart_resize(768, 1024, 28, 56 * 56, 28 * 28 * 1280).unwrap();
        assert_eq!((h % 28, w % 28), (0, 0));
        assert!(h * w <= 28 * 28 * 1280);
        let (h, w) = smart_resize(10, 10, 28, 56 * 56, 28 * 28 * 1280).unwrap();
        assert!(h * w >= 56 * 56);
        assert!(smart_resize(1, 300, 28, 0, 1 << 30).is_err());
    }

    #[test]
    fn shapes_of_images_and_videos() {
        let frame = RgbImage::new(60, 40, vec![128; 60 * 40 * 3]).unwrap();
        let config = Qwen2VlConfig::default();
        let image = patchify(std::slice::from_ref(&frame), &config).unwrap();
        let (h, w) = smart_resize(40, 60, 28, config.min_pixels, config.max_pixels).unwrap();
        assert_eq!(image.grid_thw, [1, h / 14, w / 14]);
        assert_eq!((image.rows, image.values_per_patch), (h * w / 196, 1176));
        assert_eq!(image.data.len(), image.rows * 1176);
        let video = patchify(&vec![frame; 3], &config).unwrap();
        assert_eq!(video.grid_thw[0], 2);
        for (count, patches) in [(1, &image), (3, &video)] {
            let expected = PatchShape {
                rows: patches.rows,
                values_per_patch: patches.values_per_patch,
                grid_thw: patches.grid_thw,
            };
            assert_eq!(shape(count, 60, 40, &config).unwrap(), expected);
        }
        assert!(patchify(&[], &config).is_err());
    }
}
