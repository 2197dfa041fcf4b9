//! Resizing 8-bit RGB images exactly as Pillow 12 (`Image.resize`) does.
//!
//! Model processors resize with Pillow, and a resize that is one level off in a few pixels
//! changes the model's input. So this follows Pillow's own arithmetic:
//!
//! - Filters and supports: box 0.5, bilinear (triangle) 1, Hamming 1, bicubic (`a = -0.5`) 2,
//!   Lanczos 3; when shrinking, the support grows by the scale.
//! - For each output pixel, the weights of the input pixels within the support around its
//!   centre `(x + 0.5) · scale`, computed in double precision and divided by their sum, then
//!   turned into fixed point with 22 fractional bits (rounded half away from zero).
//! - Each output value is `(2^21 + Σ pixel · weight) >> 22`, clamped to 0..=255.
//! - Two passes: horizontal first, over only the rows the vertical pass will read, then
//!   vertical; a pass is skipped when its size does not change.
//! - Nearest neighbour: input pixel `⌊(x + 0.5) · scale⌋`, the position accumulated by
//!   repeated addition as Pillow's affine scaling does.

use crate::error::{Result, VisionError};
use crate::image::RgbImage;

/// A resampling filter (`PIL.Image.Resampling`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Filter {
    Nearest,
    Box,
    Bilinear,
    Hamming,
    Bicubic,
    Lanczos,
}

impl Filter {
    /// The filter Pillow's `Image.resize` uses when none is named.
    pub const DEFAULT_NAME: &'static str = "bicubic";

    /// The filter by Pillow's name (`nearest`, `box`, `bilinear`, `hamming`, `bicubic`,
    /// `lanczos`).
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "nearest" => Filter::Nearest,
            "box" => Filter::Box,
            "bilinear" | "linear" => Filter::Bilinear,
            "hamming" => Filter::Hamming,
            "bicubic" | "cubic" => Filter::Bicubic,
            "lanczos" | "antialias" => Filter::Lanczos,
            other => {
                return Err(VisionError::BadParameter(format!(
                    "unknown filter {other:?}; nearest, box, bilinear, hamming, bicubic, lanczos"
                )))
            }
        })
    }

    /// Half the width of the filter's kernel, in input pixels at scale 1.
    fn support(self) -> f64 {
        match self {
            Filter::Nearest | Filter::Box => 0.5,
            Filter::Bilinear | Filter::Hamming => 1.0,
            Filter::Bicubic => 2.0,
            Filter::Lanczos => 3.0,
        }
    }

    /// The kernel at `x`.
    fn weight(self, x: f64) -> f64 {
        let sinc = |x: f64| {
            if x == 0.0 {
                1.0
            } else {
                let x = x * std::f64::consts::PI;
                x.sin() / x
            }
        };
        match self {
            Filter::Nearest | Filter::Box => {
                if x > -0.5 && x <= 0.5 {
                    1.0
                } else {
                    0.0
                }
            }
            Filter::Bilinear => {
                let x = x.abs();
                if x < 1.0 {
                    1.0 - x
                } else {
                    0.0
                }
            }
            Filter::Hamming => {
                let x = x.abs();
                if x == 0.0 {
                    1.0
                } else if x >= 1.0 {
                    0.0
                } else {
                    let x = x * std::f64::consts::PI;
                    // Pillow's constants are single precision.
                    x.sin() / x * (f64::from(0.54f32) + f64::from(0.46f32) * x.cos())
                }
            }
            Filter::Bicubic => {
                const A: f64 = -0.5;
                let x = x.abs();
                if x < 1.0 {
                    ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
                } else if x < 2.0 {
                    (((x - 5.0) * x + 8.0) * x - 4.0) * A
                } else {
                    0.0
                }
            }
            Filter::Lanczos => {
                if (-3.0..3.0).contains(&x) {
                    sinc(x) * sinc(x / 3.0)
                } else {
                    0.0
                }
            }
        }
    }
}

/// Fractional bits of the fixed-point weights.
const PRECISION_BITS: u32 = 32 - 8 - 2;

/// For each output pixel of one axis: the first input pixel and the fixed-point weights of
/// the pixels from there.
struct Weights {
    /// `(first, count)` per output pixel.
    bounds: Vec<(usize, usize)>,
    /// `kernel` weights per output pixel.
    weights: Vec<i32>,
    kernel: usize,
}

impl Weights {
    /// Pillow's `precompute_coeffs` then `normalize_coeffs_8bpc`, for `in_size` input pixels,
    /// the input span `in0..in1` and `out_size` output pixels.
    fn new(in_size: usize, in0: f32, in1: f32, out_size: usize, filter: Filter) -> Self {
        let scale = f64::from(in1 - in0) / out_size as f64;
        let filter_scale = scale.max(1.0);
        let support = filter.support() * filter_scale;
        let kernel = support.ceil() as usize * 2 + 1;
        let mut bounds = Vec::with_capacity(out_size);
        let mut weights = vec![0i32; out_size * kernel];
        let mut row = vec![0f64; kernel];
        for xx in 0..out_size {
            let center = f64::from(in0) + (xx as f64 + 0.5) * scale;
            let inverse = 1.0 / filter_scale;
            // C's (int) cast truncates toward zero.
            let xmin = ((center - support + 0.5) as i64).max(0) as usize;
            let xmax = ((center + support + 0.5) as i64).min(in_size as i64).max(0) as usize;
            let count = xmax.saturating_sub(xmin);
            let mut sum = 0.0;
            for (x, slot) in row.iter_mut().enumerate().take(count) {
                let w = filter.weight(((x + xmin) as f64 - center + 0.5) * inverse);
                *slot = w;
                sum += w;
            }
            for (slot, &w) in weights[xx * kernel..xx * kernel + count]
                .iter_mut()
                .zip(&row)
            {
                let w = if sum != 0.0 { w / sum } else { w };
                let scaled = w * f64::from(1u32 << PRECISION_BITS);
                *slot = if w < 0.0 {
                    (scaled - 0.5) as i32
                } else {
                    (scaled + 0.5) as i32
                };
            }
            bounds.push((xmin, count));
        }
        Self {
            bounds,
            weights,
            kernel,
        }
    }

    fn of(&self, out: usize) -> (usize, &[i32]) {
        let (first, count) = self.bounds[out];
        (
            first,
            &self.weights[out * self.kernel..out * self.kernel + count],
        )
    }
}

/// `(2^21 + sum) >> 22`, clamped to a byte.
fn clip8(sum: i32) -> u8 {
    (sum >> PRECISION_BITS).clamp(0, 255) as u8
}

const HALF: i32 = 1 << (PRECISION_BITS - 1);

/// The horizontal pass over input rows `first_row..first_row + rows`.
fn horizontal(image: &RgbImage, weights: &Weights, first_row: usize, rows: usize) -> RgbImage {
    // Kernels of the usual lengths are compiled with their length known (loops unrolled).
    match weights.kernel {
        3 => horizontal_strips::<3>(image, weights, first_row, rows),
        5 => horizontal_strips::<5>(image, weights, first_row, rows),
        7 => horizontal_strips::<7>(image, weights, first_row, rows),
        _ => horizontal_strips::<0>(image, weights, first_row, rows),
    }
}

/// Rows the horizontal pass computes together: one 32-bit sum per row fills an AVX2 register.
const STRIP: usize = 8;

/// The horizontal pass over input rows `first_row..first_row + rows`, eight rows at a time.
/// The strip's rows are interleaved byte by byte (`[u8; 8]` per byte position, one byte per
/// row), so each tap is one weight times eight rows' bytes: whole-register sums with the
/// weight broadcast. Each row ends in a kernel's length of zero pixels, so every output pixel
/// reads all the kernel's taps (weights past its count are zero; the integer sums are exact in
/// any order). `K` is the kernel's length, or 0 for a length known only at run time. Compiled
/// also for AVX2 and SSE4.1, chosen at run time.
#[multiversion::multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn horizontal_strips<const K: usize>(
    image: &RgbImage,
    weights: &Weights,
    first_row: usize,
    rows: usize,
) -> RgbImage {
    let kernel = if K == 0 { weights.kernel } else { K };
    let out_width = weights.bounds.len();
    let (in_bytes, out_bytes) = (image.width * 3, out_width * 3);
    let mut data = vec![0u8; out_bytes * rows];
    let mut taps = vec![[0u8; STRIP]; in_bytes + kernel * 3];
    let mut sums = vec![[0u8; STRIP]; out_bytes];
    let zeros = vec![0u8; in_bytes];
    for strip_start in (0..rows).step_by(STRIP) {
        let strip_rows = STRIP.min(rows - strip_start);
        let inputs: [&[u8]; STRIP] = std::array::from_fn(|r| {
            if r < strip_rows {
                image.row(first_row + strip_start + r)
            } else {
                &zeros
            }
        });
        interleave(&inputs, &mut taps[..in_bytes]);
        for (x, out) in sums.chunks_exact_mut(3).enumerate() {
            let first = weights.bounds[x].0;
            let k = &weights.weights[x * kernel..(x + 1) * kernel];
            let pixel_taps = &taps[first * 3..(first + kernel) * 3];
            let mut sum = [HALF; 3 * STRIP];
            for (j, &w) in k.iter().enumerate() {
                let pixel = pixel_taps[j * 3..j * 3 + 3].as_flattened();
                for (s, &v) in sum.iter_mut().zip(pixel) {
                    *s += i32::from(v) * w;
                }
            }
            let bytes = sum.map(clip8);
            for (out, lane) in out.iter_mut().zip(bytes.chunks_exact(STRIP)) {
                out.copy_from_slice(lane);
            }
        }
        let strip = &mut data[strip_start * out_bytes..(strip_start + strip_rows) * out_bytes];
        let mut outputs: Vec<&mut [u8]> = strip.chunks_exact_mut(out_bytes).collect();
        deinterleave(&sums, &mut outputs);
    }
    RgbImage {
        width: out_width,
        height: rows,
        data,
    }
}

/// Transposes an 8 x 8 matrix of bytes held as eight little-endian words (byte `j` of word `i`
/// is element `(i, j)`), by swapping ever larger blocks between word pairs.
#[inline(always)]
fn transpose_8x8(words: &mut [u64; 8]) {
    #[inline(always)]
    fn swap(words: &mut [u64; 8], i: usize, shift: u32, mask: u64) {
        let j = i + shift as usize / 8;
        let t = ((words[i] >> shift) ^ words[j]) & mask;
        words[j] ^= t;
        words[i] ^= t << shift;
    }
    for i in [0, 2, 4, 6] {
        swap(words, i, 8, 0x00FF_00FF_00FF_00FF);
    }
    for i in [0, 1, 4, 5] {
        swap(words, i, 16, 0x0000_FFFF_0000_FFFF);
    }
    for i in [0, 1, 2, 3] {
        swap(words, i, 32, 0x0000_0000_FFFF_FFFF);
    }
}

/// `lanes[i][r] = rows[r][i]` for every byte position `i` of the (equally long) rows.
#[inline(always)]
fn interleave(rows: &[&[u8]; STRIP], lanes: &mut [[u8; STRIP]]) {
    let whole = lanes.len() / 8 * 8;
    for (block, out) in lanes[..whole].chunks_exact_mut(8).enumerate() {
        let mut words: [u64; 8] = std::array::from_fn(|r| {
            let bytes = &rows[r][block * 8..block * 8 + 8];
            u64::from_le_bytes(bytes.try_into().unwrap_or_default())
        });
        transpose_8x8(&mut words);
        for (lane, word) in out.iter_mut().zip(words) {
            *lane = word.to_le_bytes();
        }
    }
    for (i, lane) in lanes.iter_mut().enumerate().skip(whole) {
        *lane = std::array::from_fn(|r| rows[r][i]);
    }
}

/// `rows[r][i] = lanes[i][r]` for the rows given (at most [`STRIP`]).
#[inline(always)]
fn deinterleave(lanes: &[[u8; STRIP]], rows: &mut [&mut [u8]]) {
    let whole = lanes.len() / 8 * 8;
    for (block, lanes) in lanes[..whole].chunks_exact(8).enumerate() {
        let mut words: [u64; 8] = std::array::from_fn(|i| u64::from_le_bytes(lanes[i]));
        transpose_8x8(&mut words);
        for (row, word) in rows.iter_mut().zip(words) {
            row[block * 8..block * 8 + 8].copy_from_slice(&word.to_le_bytes());
        }
    }
    for (i, lane) in lanes.iter().enumerate().skip(whole) {
        for (row, &v) in rows.iter_mut().zip(lane) {
            row[i] = v;
        }
    }
}

/// Output bytes the vertical pass computes together, their sums held in registers.
const COLUMNS: usize = 32;

/// The vertical pass, input rows counted from `row_offset`: each output row is the weighted
/// sum of whole input rows, [`COLUMNS`] bytes at a time (the same integer sums as value by
/// value). Compiled also for AVX2 and SSE4.1, chosen at run time.
#[multiversion::multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn vertical(image: &RgbImage, weights: &Weights, row_offset: usize) -> RgbImage {
    let out_height = weights.bounds.len();
    let row_bytes = image.width * 3;
    let mut data = vec![0u8; row_bytes * out_height];
    for (y, out_row) in data.chunks_exact_mut(row_bytes).enumerate() {
        let (first, k) = weights.of(y);
        let first = first - row_offset;
        let mut chunks = out_row.chunks_exact_mut(COLUMNS);
        for (chunk, out) in chunks.by_ref().enumerate() {
            weighted_rows::<COLUMNS>(image, first, k, chunk * COLUMNS, out);
        }
        let whole = row_bytes / COLUMNS * COLUMNS;
        for (i, out) in chunks.into_remainder().chunks_exact_mut(1).enumerate() {
            weighted_rows::<1>(image, first, k, whole + i, out);
        }
    }
    RgbImage {
        width: image.width,
        height: out_height,
        data,
    }
}

/// `out` (`N` bytes) = the bytes at `offset..offset + N` of rows `first..` weighted by `k`,
/// clipped.
#[inline(always)]
fn weighted_rows<const N: usize>(
    image: &RgbImage,
    first: usize,
    k: &[i32],
    offset: usize,
    out: &mut [u8],
) {
    let mut sum = [HALF; N];
    for (j, &w) in k.iter().enumerate() {
        let row = &image.row(first + j)[offset..offset + N];
        for (s, &v) in sum.iter_mut().zip(row) {
            *s += i32::from(v) * w;
        }
    }
    for (out, &sum) in out.iter_mut().zip(&sum) {
        *out = clip8(sum);
    }
}

/// Nearest neighbour, as Pillow's affine scaling computes it.
fn nearest(image: &RgbImage, width: usize, height: usize) -> RgbImage {
    // Positions accumulate by repeated addition, as in Pillow; COORD: -1 below zero.
    let positions = |out: usize, input: usize| -> Vec<Option<usize>> {
        let step = f64::from(input as f32) / out as f64;
        let mut at = step * 0.5;
        (0..out)
            .map(|_| {
                let index = if at < 0.0 { -1 } else { at as i64 };
                at += step;
                (0..input as i64).contains(&index).then_some(index as usize)
            })
            .collect()
    };
    let (xs, ys) = (
        positions(width, image.width),
        positions(height, image.height),
    );
    let mut data = vec![0u8; width * height * 3];
    for (out_row, y) in data.chunks_exact_mut(width * 3).zip(&ys) {
        let Some(y) = *y else { continue };
        for (out, x) in out_row.chunks_exact_mut(3).zip(&xs) {
            if let Some(x) = *x {
                out.copy_from_slice(&image.pixel(x, y));
            }
        }
    }
    RgbImage {
        width,
        height,
        data,
    }
}

/// `image` resized to `width` x `height` with `filter`, equal to Pillow's
/// `Image.resize((width, height), filter)` on the same RGB pixels.
pub fn resize(image: &RgbImage, width: usize, height: usize, filter: Filter) -> Result<RgbImage> {
    if width == 0 || height == 0 || image.width == 0 || image.height == 0 {
        return Err(VisionError::BadParameter(format!(
            "cannot resize {} x {} to {width} x {height}: sizes must be at least 1",
            image.width, image.height
        )));
    }
    if (width, height) == (image.width, image.height) {
        return Ok(image.clone());
    }
    if filter == Filter::Nearest {
        return Ok(nearest(image, width, height));
    }
    let (in_w, in_h) = (image.width as f32, image.height as f32);
    let columns = Weights::new(image.width, 0.0, in_w, width, filter);
    let rows = Weights::new(image.height, 0.0, in_h, height, filter);
    let need_horizontal = width != image.width;
    let need_vertical = height != image.height;
    // The input rows the vertical pass reads.
    let first_row = rows.bounds[0].0;
    let (last_first, last_count) = rows.bounds[height - 1];
    let last_row = last_first + last_count;
    Ok(match (need_horizontal, need_vertical) {
        (true, true) => {
            let narrow = horizontal(image, &columns, first_row, last_row - first_row);
            vertical(&narrow, &rows, first_row)
        }
        (true, false) => horizontal(image, &columns, 0, image.height),
        (false, true) => vertical(image, &rows, 0),
        (false, false) => image.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The horizontal pass pixel by pixel, as Pillow writes it: the reference for the strips.
    fn horizontal_any(
        image: &RgbImage,
        weights: &Weights,
        first_row: usize,
        rows: usize,
    ) -> RgbImage {
        let out_width = weights.bounds.len();
        let mut data = vec![0u8; out_width * rows * 3];
        for (y, out_row) in data.chunks_exact_mut(out_width * 3).enumerate() {
            let row = image.row(first_row + y);
            for (x, out) in out_row.chunks_exact_mut(3).enumerate() {
                let (first, k) = weights.of(x);
                let taps = &row[first * 3..(first + k.len()) * 3];
                let (mut r, mut g, mut b) = (HALF, HALF, HALF);
                for (pixel, &w) in taps.chunks_exact(3).zip(k) {
                    r += i32::from(pixel[0]) * w;
                    g += i32::from(pixel[1]) * w;
                    b += i32::from(pixel[2]) * w;
                }
                out[0] = clip8(r);
                out[1] = clip8(g);
                out[2] = clip8(b);
            }
        }
        RgbImage {
            width: out_width,
            height: rows,
            data,
        }
    }

    fn gradient(width: usize, height: usize) -> RgbImage {
        let data = (0..width * height * 3)
            .map(|i| ((i * 37 + i / 7) % 256) as u8)
            .collect();
        RgbImage::new(width, height, data).unwrap()
    }

    #[test]
    fn sizes_and_errors() {
        let image = gradient(10, 7);
        for filter in [Filter::Nearest, Filter::Bilinear, Filter::Lanczos] {
            let out = resize(&image, 23, 4, filter).unwrap();
            assert_eq!((out.width, out.height, out.data.len()), (23, 4, 23 * 4 * 3));
        }
        assert_eq!(resize(&image, 10, 7, Filter::Bicubic).unwrap(), image);
        assert!(resize(&image, 0, 7, Filter::Bicubic).is_err());
        assert!(Filter::from_name("gaussian").is_err());
    }

    #[test]
    fn the_strip_pass_equals_the_pixel_by_pixel_pass() {
        // Kernels of 3, 5 and 7 taps and longer ones (shrinking), strips of 8 rows with and
        // without a partial last strip, rows with and without a partial block of 8 bytes.
        for (filter, in_width, out_width) in [
            (Filter::Bilinear, 11, 13),
            (Filter::Bicubic, 40, 37),
            (Filter::Lanczos, 9, 20),
            (Filter::Bicubic, 1024, 1036),
            (Filter::Bicubic, 101, 23),
            (Filter::Lanczos, 300, 7),
            (Filter::Box, 64, 64 / 3),
        ] {
            for rows in [1, 7, 8, 9, 17] {
                let image = gradient(in_width, rows + 3);
                let weights = Weights::new(in_width, 0.0, in_width as f32, out_width, filter);
                let strips = horizontal(&image, &weights, 2, rows);
                assert_eq!(
                    strips,
                    horizontal_any(&image, &weights, 2, rows),
                    "{filter:?} {in_width} -> {out_width}, {rows} rows"
                );
            }
        }
    }

    #[test]
    fn the_vertical_pass_equals_value_by_value_sums() {
        // Rows of whole chunks of 32 bytes and with a remainder, growing and shrinking.
        for (width, in_height, out_height) in [(32, 9, 20), (13, 30, 7), (50, 5, 5 * 3)] {
            let image = gradient(width, in_height);
            let weights = Weights::new(
                in_height,
                0.0,
                in_height as f32,
                out_height,
                Filter::Bicubic,
            );
            let out = vertical(&image, &weights, 0);
            for y in 0..out_height {
                let (first, k) = weights.of(y);
                for i in 0..width * 3 {
                    let sum = k.iter().enumerate().fold(HALF, |sum, (j, &w)| {
                        sum + i32::from(image.row(first + j)[i]) * w
                    });
                    assert_eq!(
                        out.row(y)[i],
                        clip8(sum),
                        "{width} x {in_height} -> {out_height}"
                    );
                }
            }
        }
    }

    #[test]
    fn interleaving_transposes_bytes() {
        let rows: Vec<Vec<u8>> = (0..8)
            .map(|r| (0..19).map(|i| (r * 19 + i) as u8).collect())
            .collect();
        let views: [&[u8]; STRIP] = std::array::from_fn(|r| rows[r].as_slice());
        let mut lanes = vec![[0u8; STRIP]; 19];
        interleave(&views, &mut lanes);
        for (i, lane) in lanes.iter().enumerate() {
            assert_eq!(*lane, std::array::from_fn(|r| rows[r][i]));
        }
        let mut back = vec![vec![0u8; 19]; 5];
        let mut views: Vec<&mut [u8]> = back.iter_mut().map(|r| r.as_mut_slice()).collect();
        deinterleave(&lanes, &mut views);
        assert_eq!(back, rows[..5]);
    }

    #[test]
    fn a_flat_image_stays_flat() {
        let image = RgbImage::new(9, 5, [200u8, 10, 77].repeat(45)).unwrap();
        for filter in [
            Filter::Box,
            Filter::Hamming,
            Filter::Bicubic,
            Filter::Lanczos,
        ] {
            let out = resize(&image, 4, 13, filter).unwrap();
            assert!(out.data.chunks(3).all(|p| p == [200, 10, 77]), "{filter:?}");
        }
    }
}
