//! Pixel values as model processors compute them: `v · (1/255)` in double precision stored as
//! `f32`, then `(x - mean) / std` in `f32` (transformers' `rescale` and `normalize`), channels
//! first.

use crate::image::RgbImage;

/// The normalised value of byte `v`: `v · (1/255)` in double precision rounded to `f32`, then
/// `(scaled - mean) / std` in `f32`. Plain IEEE operations, so vectorised code computes the same
/// values.
#[inline(always)]
pub fn normalise(v: u8, mean: f32, std: f32) -> f32 {
    let scaled = (f64::from(v) * (1.0 / 255.0)) as f32;
    (scaled - mean) / std
}

/// The normalised value of each of the 256 byte values, per channel.
pub fn normalisation_tables(mean: [f32; 3], std: [f32; 3]) -> [[f32; 256]; 3] {
    std::array::from_fn(|c| std::array::from_fn(|v| normalise(v as u8, mean[c], std[c])))
}

/// `[3, height, width]` normalised values of `image`.
pub fn normalised_planes(image: &RgbImage, mean: [f32; 3], std: [f32; 3]) -> Vec<f32> {
    let table = normalisation_tables(mean, std);
    let pixels = image.width * image.height;
    let mut plane = vec![0f32; 3 * pixels];
    let (red, rest) = plane.split_at_mut(pixels);
    let (green, blue) = rest.split_at_mut(pixels);
    for (i, pixel) in image.data.chunks_exact(3).enumerate() {
        red[i] = table[0][usize::from(pixel[0])];
        green[i] = table[1][usize::from(pixel[1])];
        blue[i] = table[2][usize::from(pixel[2])];
    }
    plane
}

/// CLIP's mean and standard deviation, written as transformers writes them and rounded to
/// `f32` as numpy does.
pub const OPENAI_CLIP_MEAN: [f32; 3] = [
    0.481_454_66_f64 as f32,
    0.457_827_5_f64 as f32,
    0.408_210_73_f64 as f32,
];
/// See [`OPENAI_CLIP_MEAN`].
pub const OPENAI_CLIP_STD: [f32; 3] = [
    0.268_629_54_f64 as f32,
    0.261_302_58_f64 as f32,
    0.275_777_11_f64 as f32,
];
/// transformers' `IMAGENET_STANDARD_MEAN` and `_STD` (SigLIP): 0.5 each.
pub const HALF: [f32; 3] = [0.5; 3];
