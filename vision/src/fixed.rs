//! Processors with a fixed input size: `siglip` (transformers' `SiglipImageProcessor`: bicubic
//! resize to 224 x 224, values scaled to 0..1 and normalised with mean and standard deviation
//! 0.5) and `clip-vit-b16` (`CLIPImageProcessor`: bicubic resize of the shorter side to 224, the
//! longer side `⌊224 · long / short⌋`, centre crop 224 x 224, CLIP normalisation), cut into
//! `patch` x `patch` patches in row-major order, each patch `channel, row, column` (the layout a
//! ViT's patch-embedding convolution reads).

use crate::error::{Result, VisionError};
use crate::image::RgbImage;
use crate::normalize::{normalised_planes, HALF, OPENAI_CLIP_MEAN, OPENAI_CLIP_STD};
use crate::patches::{PatchShape, Patches};
use crate::resize::{resize, Filter};

/// How the image is brought to size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sizing {
    /// Resized to exactly `(height, width)`.
    Exact { height: usize, width: usize },
    /// The shorter side resized to this, the longer in proportion (truncated), then the centre
    /// `(height, width)` cut out (zeros around an image smaller than that, as transformers pads).
    ShortestEdgeThenCrop {
        shortest_edge: usize,
        height: usize,
        width: usize,
    },
}

/// A fixed-size processor.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedConfig {
    pub sizing: Sizing,
    pub filter: Filter,
    pub mean: [f32; 3],
    pub std: [f32; 3],
    pub patch: usize,
}

impl FixedConfig {
    /// SigLIP (base, patch 16, 224).
    pub fn siglip() -> Self {
        Self {
            sizing: Sizing::Exact {
                height: 224,
                width: 224,
            },
            filter: Filter::Bicubic,
            mean: HALF,
            std: HALF,
            patch: 16,
        }
    }

    /// CLIP ViT-B/16.
    pub fn clip_vit_b16() -> Self {
        Self {
            sizing: Sizing::ShortestEdgeThenCrop {
                shortest_edge: 224,
                height: 224,
                width: 224,
            },
            filter: Filter::Bicubic,
            mean: OPENAI_CLIP_MEAN,
            std: OPENAI_CLIP_STD,
            patch: 16,
        }
    }
}

/// The pixels the model sees, before normalisation.
fn sized(image: &RgbImage, config: &FixedConfig) -> Result<RgbImage> {
    match config.sizing {
        Sizing::Exact { height, width } => resize(image, width, height, config.filter),
        Sizing::ShortestEdgeThenCrop {
            shortest_edge,
            height,
            width,
        } => {
            let (w, h) = (image.width, image.height);
            let (short, long) = if w <= h { (w, h) } else { (h, w) };
            let new_long = (shortest_edge as f64 * long as f64 / short as f64) as usize;
            let (new_w, new_h) = if w <= h {
                (shortest_edge, new_long)
            } else {
                (new_long, shortest_edge)
            };
            let resized = resize(image, new_w, new_h, config.filter)?;
            Ok(center_crop(&resized, height, width))
        }
    }
}

/// The centre `height` x `width` of `image`, as transformers' `center_crop` cuts it (padding
/// with zeros where the image is smaller).
pub fn center_crop(image: &RgbImage, height: usize, width: usize) -> RgbImage {
    let (h, w) = (image.height as i64, image.width as i64);
    let (ch, cw) = (height as i64, width as i64);
    // Where the crop starts in the image along one axis: centred (rounded down) when the crop
    // fits, else the image sits centred in the crop (the padding before rounded up).
    let start = |size: i64, crop: i64| {
        if crop > size {
            -((crop - size + 1) / 2)
        } else {
            (size - crop) / 2
        }
    };
    let (top, left) = (start(h, ch), start(w, cw));
    let mut data = vec![0u8; height * width * 3];
    for y in 0..ch {
        let sy = top + y;
        if !(0..h).contains(&sy) {
            continue;
        }
        for x in 0..cw {
            let sx = left + x;
            if (0..w).contains(&sx) {
                let at = ((y * cw + x) * 3) as usize;
                data[at..at + 3].copy_from_slice(&image.pixel(sx as usize, sy as usize));
            }
        }
    }
    RgbImage {
        width,
        height,
        data,
    }
}

/// The patches of `image` under `config`: `[grid_h · grid_w, 3 · patch²]` in row-major patch
/// order, `grid_thw = (1, height / patch, width / patch)`.
pub fn patchify(image: &RgbImage, config: &FixedConfig) -> Result<Patches> {
    Patches::collect(shape(config)?, |each_row| {
        patchify_rows(image, config, each_row)
    })
}

/// The shape of the patches of any image under `config` (the input size is fixed).
pub fn shape(config: &FixedConfig) -> Result<PatchShape> {
    let (height, width) = match config.sizing {
        Sizing::Exact { height, width } | Sizing::ShortestEdgeThenCrop { height, width, .. } => {
            (height, width)
        }
    };
    let p = config.patch;
    if p == 0 || height % p != 0 || width % p != 0 {
        return Err(VisionError::BadParameter(format!(
            "a {width} x {height} input does not divide into {p} x {p} patches"
        )));
    }
    Ok(PatchShape {
        rows: (height / p) * (width / p),
        values_per_patch: 3 * p * p,
        grid_thw: [1, height / p, width / p],
    })
}

/// [`patchify`], handing each patch to `each_row` in order instead of collecting them.
pub fn patchify_rows(
    image: &RgbImage,
    config: &FixedConfig,
    each_row: &mut dyn FnMut(&[f32]),
) -> Result<PatchShape> {
    let shape = shape(config)?;
    let sized = sized(image, config)?;
    let p = config.patch;
    let plane = normalised_planes(&sized, config.mean, config.std);
    let (height, width) = (sized.height, sized.width);
    let [_, grid_h, grid_w] = shape.grid_thw;
    let mut row = Vec::with_capacity(shape.values_per_patch);
    for gy in 0..grid_h {
        for gx in 0..grid_w {
            row.clear();
            for c in 0..3 {
                for py in 0..p {
                    let at = c * height * width + (gy * p + py) * width + gx * p;
                    row.extend_from_slice(&plane[at..at + p]);
                }
            }
            each_row(&row);
        }
    }
    Ok(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_the_centre_crop() {
        let image = RgbImage::new(300, 200, vec![7; 300 * 200 * 3]).unwrap();
        for config in [FixedConfig::siglip(), FixedConfig::clip_vit_b16()] {
            let patches = patchify(&image, &config).unwrap();
            assert_eq!((patches.rows, patches.values_per_patch), (196, 768));
            assert_eq!(patches.grid_thw, [1, 14, 14]);
        }
        let small = RgbImage::new(2, 1, vec![1, 2, 3, 4, 5, 6]).unwrap();
        let crop = center_crop(&small, 3, 4);
        assert_eq!((crop.width, crop.height), (4, 3));
        // The two pixels sit in the middle row, columns 1 and 2.
        assert_eq!(crop.pixel(1, 1), [1, 2, 3]);
        assert_eq!(crop.pixel(2, 1), [4, 5, 6]);
        assert_eq!(crop.pixel(0, 0), [0, 0, 0]);
    }
}
