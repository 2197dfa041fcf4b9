//! Images to grids of discrete codes, by any of omnitok's image quantizers:
//!
//! - `codebook:FILE`: the nearest code of each patch in a learned VQ codebook
//!   ([`crate::codebook`]); decodes back to pixels.
//! - `fsq:L1,...,Ld` and `lfq:BITS`: a weight-free quantizer ([`crate::quantize`]) applied to
//!   fixed features of each `patch_size x patch_size` patch: the first `d` coefficients of the
//!   patch's orthonormal 2-D DCT-II, taken from its BT.601 full-range YCbCr planes (pixels on
//!   the 0..1 scale, luma centred at ½) in the order luma DC, Cb DC, Cr DC, then luma AC by
//!   increasing `u + v` (horizontal frequency `u`, vertical `v`), vertical frequency first.
//!   Each coefficient `a` is scaled to `v = a / (patch_size / 2)` (within -1..1) and passed as
//!   `atanh(v)` (clamped to ±0.999), which undoes FSQ's `tanh` bound so that its levels divide
//!   -1..1 evenly; LFQ keeps each coefficient's sign. These codes are for indexing and
//!   counting; they do not decode back to pixels.
//!
//! Edges are repeated up to a multiple of the patch size, as the codebook does.

use std::sync::Arc;

use crate::codebook::{check_patch_size, CodeGrid, Codebook, PatchSet};
use crate::error::{Result, VisionError};
use crate::image::RgbImage;
use crate::quantize::Quantizer;

/// A way to turn images into code grids. Cheap to clone: a codebook is shared.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageQuantizer {
    Codebook(Arc<Codebook>),
    Scalar {
        quantizer: Quantizer,
        patch_size: usize,
    },
}

/// The side of the patches FSQ and LFQ codes are made of, in pixels, when none is given.
pub const DEFAULT_SCALAR_PATCH_SIZE: usize = 16;

impl ImageQuantizer {
    /// The quantizer `spec` names: `codebook:FILE` (a codebook file, read by
    /// [`Codebook::read_file`]), or `fsq:L1,...,Ld` / `lfq:BITS` over the DCT features of
    /// `patch_size` patches (see [`ImageQuantizer::scalar`]; a codebook has its own patch size).
    pub fn from_spec(spec: &str, patch_size: usize) -> Result<Self> {
        match spec.strip_prefix("codebook:") {
            Some(file) => Ok(Self::Codebook(Arc::new(Codebook::read_file(file)?))),
            None => Self::scalar(Quantizer::parse(spec)?, patch_size),
        }
    }

    /// FSQ or LFQ over the DCT features of `patch_size` patches; the quantizer may not take more
    /// values than a patch has coefficients (`3 + patch_size² - 1`).
    pub fn scalar(quantizer: Quantizer, patch_size: usize) -> Result<Self> {
        check_patch_size(patch_size)?;
        let available = 2 + patch_size * patch_size;
        if quantizer.dim() > available {
            return Err(VisionError::BadParameter(format!(
                "the quantizer takes {} values, but a {patch_size} x {patch_size} patch has {available} DCT features",
                quantizer.dim()
            )));
        }
        Ok(Self::Scalar {
            quantizer,
            patch_size,
        })
    }

    /// Side of a patch in pixels.
    pub fn patch_size(&self) -> usize {
        match self {
            Self::Codebook(book) => book.patch_size(),
            Self::Scalar { patch_size, .. } => *patch_size,
        }
    }

    /// What a token layout records of this quantizer: its name (`fsq:8,8,8,5,5,5/16`,
    /// `lfq:18/16` with the patch size, or `codebook`) and the SHA-256 (hex) of its definition
    /// (that name for FSQ and LFQ, the codebook file's bytes for a codebook).
    pub fn fingerprint(&self) -> Result<(String, String)> {
        use sha2::{Digest, Sha256};
        Ok(match self {
            Self::Codebook(book) => ("codebook".to_owned(), book.checksum()?),
            Self::Scalar {
                quantizer,
                patch_size,
            } => {
                // Read back by `from_name`.
                let name = format!("{}/{patch_size}", quantizer.spec());
                let digest = Sha256::digest(name.as_bytes());
                let checksum = digest.iter().map(|b| format!("{b:02x}")).collect();
                (name, checksum)
            }
        })
    }

    /// The FSQ or LFQ quantizer a layout records by name (`fsq:8,8,8,5,5,5/16`, see
    /// [`ImageQuantizer::fingerprint`]); a codebook is recorded as `codebook` and must be loaded
    /// from its file.
    pub fn from_name(name: &str) -> Result<Self> {
        let bad = || {
            VisionError::BadParameter(format!(
                "image quantizer {name:?}: expected fsq:L1,...,Ld/PATCH or lfq:BITS/PATCH"
            ))
        };
        if name == "codebook" {
            return Err(VisionError::BadParameter(
                "the layout's image codes are a VQ codebook's: give the codebook file".into(),
            ));
        }
        let (spec, patch) = name.rsplit_once('/').ok_or_else(bad)?;
        let patch = patch.parse().map_err(|_| bad())?;
        Self::scalar(Quantizer::parse(spec)?, patch)
    }

    /// Number of distinct codes.
    pub fn codebook_size(&self) -> u64 {
        match self {
            Self::Codebook(book) => book.size() as u64,
            Self::Scalar { quantizer, .. } => quantizer.codebook_size(),
        }
    }

    /// The code grid of `image`.
    pub fn encode(&self, image: &RgbImage) -> Result<CodeGrid> {
        match self {
            Self::Codebook(book) => book.encode(image),
            Self::Scalar {
                quantizer,
                patch_size,
            } => {
                let p = *patch_size;
                let mut patches = PatchSet::new(p)?;
                patches.add_image(image, p)?;
                let basis = DctFeatures::new(p, quantizer.dim());
                let mut latents = vec![0f32; quantizer.dim()];
                let indices = patches
                    .data
                    .chunks_exact(patches.values())
                    .map(|patch| {
                        basis.latents(patch, &mut latents);
                        quantizer.index(&latents)
                    })
                    .collect();
                Ok(CodeGrid {
                    indices,
                    grid_h: image.height.div_ceil(p),
                    grid_w: image.width.div_ceil(p),
                })
            }
        }
    }

    /// The image of `grid` (codebooks only), cropped to `width` x `height`.
    pub fn decode(&self, grid: &CodeGrid, width: usize, height: usize) -> Result<RgbImage> {
        match self {
            Self::Codebook(book) => book.decode(grid, width, height),
            Self::Scalar { .. } => Err(VisionError::BadParameter(
                "FSQ and LFQ codes of DCT features do not decode to pixels; use a codebook".into(),
            )),
        }
    }
}

/// The DCT features of patches: for each feature, its plane and its basis of `p²` weights.
struct DctFeatures {
    features: Vec<(usize, Vec<f32>)>,
    scale: f32,
}

impl DctFeatures {
    fn new(p: usize, dims: usize) -> Self {
        let alpha = |k: usize| {
            if k == 0 {
                (1.0 / p as f64).sqrt()
            } else {
                (2.0 / p as f64).sqrt()
            }
        };
        let basis = |u: usize, v: usize| -> Vec<f32> {
            let mut weights = Vec::with_capacity(p * p);
            for y in 0..p {
                for x in 0..p {
                    let cos = |k: usize, i: usize| {
                        (std::f64::consts::PI * (2 * i + 1) as f64 * k as f64 / (2 * p) as f64)
                            .cos()
                    };
                    weights.push((alpha(u) * alpha(v) * cos(u, x) * cos(v, y)) as f32);
                }
            }
            weights
        };
        let mut order = vec![(0, 0, 0), (1, 0, 0), (2, 0, 0)];
        for diagonal in 1..2 * p - 1 {
            for v in 0..=diagonal {
                let u = diagonal - v;
                if u < p && v < p {
                    order.push((0, u, v));
                }
            }
        }
        let features = order
            .into_iter()
            .take(dims)
            .map(|(plane, u, v)| (plane, basis(u, v)))
            .collect();
        Self {
            features,
            scale: 2.0 / p as f32,
        }
    }

    /// The quantizer's input for one patch of `p² · 3` bytes.
    fn latents(&self, patch: &[u8], out: &mut [f32]) {
        let planes: [Vec<f32>; 3] = std::array::from_fn(|plane| {
            patch
                .chunks_exact(3)
                .map(|px| {
                    let [r, g, b] = [px[0], px[1], px[2]].map(|v| f32::from(v) / 255.0);
                    match plane {
                        0 => 0.299 * r + 0.587 * g + 0.114 * b - 0.5,
                        1 => -0.168_736 * r - 0.331_264 * g + 0.5 * b,
                        _ => 0.5 * r - 0.418_688 * g - 0.081_312 * b,
                    }
                })
                .collect()
        });
        for ((plane, weights), value) in self.features.iter().zip(out.iter_mut()) {
            let coefficient: f32 = weights
                .iter()
                .zip(&planes[*plane])
                .map(|(w, x)| w * x)
                .sum();
            *value = (coefficient * self.scale).clamp(-0.999, 0.999).atanh();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codebook::MAX_PATCH_SIZE;

    #[test]
    fn patch_sizes_are_bounded() {
        let lfq = || Quantizer::parse("lfq:8").expect("spec");
        for size in [0, MAX_PATCH_SIZE + 1, 100_000] {
            let error = ImageQuantizer::scalar(lfq(), size).expect_err("refused");
            assert!(error.to_string().contains("it must be 1 to 256"), "{error}");
            assert!(PatchSet::new(size).is_err());
        }
        assert!(ImageQuantizer::scalar(lfq(), MAX_PATCH_SIZE).is_ok());
    }

    #[test]
    fn flat_patches_code_their_colour() {
        // Bits, most significant first: the signs of luma, Cb and Cr DC.
        let lfq =
            ImageQuantizer::scalar(Quantizer::parse("lfq:3").expect("spec"), 8).expect("fits");
        let flat = |rgb: [u8; 3]| RgbImage::new(8, 8, rgb.repeat(64)).expect("sized");
        for (rgb, bits) in [
            ([200, 30, 30], 0b001),
            ([30, 30, 200], 0b010),
            ([230, 230, 20], 0b101),
        ] {
            assert_eq!(
                lfq.encode(&flat(rgb)).expect("codes").indices,
                vec![bits],
                "{rgb:?}"
            );
        }
        let fsq =
            ImageQuantizer::scalar(Quantizer::parse("fsq:5,3").expect("spec"), 8).expect("fits");
        // Luma DC of mid-grey is 0 (digit 2 of 5), white is 1 (digit 4); Cb DC 0 (digit 1 of 3).
        assert_eq!(
            fsq.encode(&flat([128; 3])).expect("codes").indices,
            vec![2 + 5]
        );
        assert_eq!(
            fsq.encode(&flat([255; 3])).expect("codes").indices,
            vec![4 + 5]
        );
    }

    #[test]
    fn names_read_back() {
        for spec in ["fsq:8,5,5,5", "lfq:10"] {
            let quantizer =
                ImageQuantizer::scalar(Quantizer::parse(spec).expect("spec"), 14).expect("fits");
            let (name, _) = quantizer.fingerprint().expect("name");
            assert_eq!(ImageQuantizer::from_name(&name).expect("read"), quantizer);
        }
        for bad in ["codebook", "fsq:8,5", "fsq:8,5/x", "nope/16"] {
            assert!(ImageQuantizer::from_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn specs_name_every_quantizer() {
        let lfq = ImageQuantizer::from_spec("lfq:10", 14).expect("lfq");
        assert_eq!(
            lfq,
            ImageQuantizer::scalar(Quantizer::parse("lfq:10").expect("spec"), 14).expect("fits")
        );
        let mut patches = PatchSet::new(2).expect("size");
        let image = RgbImage::new(4, 2, (0..24).map(|v| v * 10).collect()).expect("sized");
        patches.add_image(&image, 2).expect("added");
        let book = crate::codebook::train(
            &patches,
            &crate::codebook::KMeansConfig {
                size: 2,
                epochs: 1,
                batch_size: 2,
                seed: 0,
            },
            &mut |_| {},
            &mut |_, _| {},
        )
        .expect("trained");
        let dir = std::env::temp_dir().join(format!("omnitok-spec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("book.safetensors");
        std::fs::write(&file, book.to_bytes().expect("bytes")).expect("written");
        let spec = format!("codebook:{}", file.display());
        assert_eq!(
            ImageQuantizer::from_spec(&spec, 16).expect("codebook"),
            ImageQuantizer::Codebook(Arc::new(book))
        );
        let missing = format!("codebook:{}", dir.join("missing").display());
        let error = ImageQuantizer::from_spec(&missing, 16).expect_err("missing");
        assert!(matches!(error, VisionError::Io { .. }), "{error}");
        assert!(error.to_string().contains("missing"), "{error}");
        std::fs::remove_dir_all(&dir).expect("removed");
        assert!(ImageQuantizer::from_spec("vq:12", 16).is_err());
    }

    #[test]
    fn too_many_values_for_a_patch_is_an_error() {
        let error =
            ImageQuantizer::scalar(Quantizer::parse("lfq:7").expect("spec"), 2).unwrap_err();
        assert!(error.to_string().contains("6 DCT features"), "{error}");
        let fsq =
            ImageQuantizer::scalar(Quantizer::parse("lfq:6").expect("spec"), 2).expect("fits");
        let grid = fsq
            .encode(&RgbImage::new(3, 1, vec![0; 9]).expect("sized"))
            .expect("codes");
        assert_eq!((grid.grid_h, grid.grid_w, grid.indices.len()), (1, 2, 2));
        assert!(fsq.decode(&grid, 3, 1).is_err());
    }
}
