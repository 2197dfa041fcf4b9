//! Factorised codebooks (ViT-VQGAN's), as DAC and SNAC quantise with them.
//!
//! A codebook projects what is left of the embedding to a few dimensions, picks the entry whose
//! direction is nearest (projection and entries L2-normalised), and projects that entry back;
//! the next codebook of the residual quantiser quantises what remains. A codebook with a stride
//! `s` works at `1/s` of the frame rate: it quantises the mean of each `s` frames and its
//! decoded value is repeated `s` times.

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut1, Axis};

use super::conv::{Conv1d, ConvShape};
use super::weights::{matrix, Weights};
use crate::error::Result;

/// How a codebook scores an entry `c` against a normalised projection `e`; the first entry of
/// the largest score wins. The two differ only in the sign of `|c|²`, which is 1 up to rounding,
/// and are kept apart because near-ties resolve differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Score {
    /// transformers' `DacVectorQuantize`: `-(|e|² - 2 e·c) + |c|²`.
    Transformers,
    /// The negative squared distance, `-((|e|² - 2 e·c) + |c|²)` (the `snac` package).
    Distance,
}

/// One codebook of a residual quantiser (`VectorQuantize`).
#[derive(Debug, Clone)]
pub(super) struct FactorisedCodebook {
    in_proj: Conv1d,
    out_proj: Conv1d,
    /// `[size, dim]`, as stored: what decoding looks up.
    entries: Array2<f32>,
    /// The entries L2-normalised, `[size, dim]`: what encoding compares with.
    directions: Array2<f32>,
    /// Squared norms of `directions` (1 up to rounding).
    direction_norms: Vec<f32>,
    score: Score,
    /// Frames per code (1: one code per frame).
    stride: usize,
}

/// `v / max(‖v‖, 1e-12)`, as `F.normalize` computes it.
fn normalise(mut v: ArrayViewMut1<f32>) {
    let norm = v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt() as f32;
    let divisor = norm.max(1e-12);
    v.mapv_inplace(|x| x / divisor);
}

/// The shape of a codebook: embedding width, entry width, entries, and frames per code.
#[derive(Debug, Clone, Copy)]
pub(super) struct CodebookShape {
    pub hidden: usize,
    pub dim: usize,
    pub size: usize,
    pub stride: usize,
}

impl FactorisedCodebook {
    /// The codebook at `prefix` (`prefix.in_proj`, `prefix.out_proj`, `prefix.codebook.weight`).
    pub(super) fn load(
        weights: &mut Weights,
        prefix: &str,
        shape: CodebookShape,
        score: Score,
    ) -> Result<Self> {
        let CodebookShape {
            hidden,
            dim,
            size,
            stride,
        } = shape;
        let entries = weights.take(&format!("{prefix}.codebook.weight"), &[size, dim])?;
        let entries = matrix(size, dim, entries)?;
        let mut directions = entries.clone();
        for row in directions.outer_iter_mut() {
            normalise(row);
        }
        let direction_norms = directions.outer_iter().map(|r| r.dot(&r)).collect();
        let projection = |weights: &mut Weights, name: &str, from: usize, to: usize| {
            Conv1d::load_zero_padded(
                weights,
                &format!("{prefix}.{name}"),
                ConvShape::new(from, to, 1),
                0,
            )
        };
        Ok(Self {
            in_proj: projection(weights, "in_proj", hidden, dim)?,
            out_proj: projection(weights, "out_proj", dim, hidden)?,
            entries,
            directions,
            direction_norms,
            score,
            stride,
        })
    }

    /// The codes of `residual` (`[hidden, frames]`, frames a multiple of the stride), which
    /// loses what they stand for.
    pub(super) fn encode(&self, residual: &mut Array2<f32>) -> Vec<i64> {
        let projected = if self.stride > 1 {
            self.in_proj
                .forward(average_pool(residual.view(), self.stride).view())
        } else {
            self.in_proj.forward(residual.view())
        }; // [dim, codes]
        let mut directions = projected.t().to_owned(); // [codes, dim]
        for row in directions.outer_iter_mut() {
            normalise(row);
        }
        let dots = directions.dot(&self.directions.t()); // [codes, size]
        let mut codes = Vec::with_capacity(dots.nrows());
        let mut chosen = Array2::<f32>::zeros(projected.dim());
        for (t, (scores, direction)) in dots.outer_iter().zip(directions.outer_iter()).enumerate() {
            let own = direction.dot(&direction);
            let mut best = (0, f32::NEG_INFINITY);
            for (i, (&dot, &norm)) in scores.iter().zip(&self.direction_norms).enumerate() {
                let score = match self.score {
                    Score::Transformers => -(own - 2.0 * dot) + norm,
                    Score::Distance => -((own - 2.0 * dot) + norm),
                };
                if score > best.1 {
                    best = (i, score);
                }
            }
            codes.push(best.0 as i64);
            // The straight-through form the references compute: p + (q - p).
            for (d, (&entry, &p)) in self
                .entries
                .row(best.0)
                .iter()
                .zip(projected.column(t))
                .enumerate()
            {
                chosen[[d, t]] = p + (entry - p);
            }
        }
        let quantised = self.out_proj.forward(chosen.view());
        subtract_repeated(residual, quantised.view(), self.stride);
        codes
    }

    /// Adds what `codes` (each checked in range) stand for to `latent` (`[hidden, codes ·
    /// stride]`), each code's value repeated over its `stride` frames.
    pub(super) fn add_decoded(&self, codes: ArrayView1<i64>, latent: &mut Array2<f32>) {
        let mut chosen = Array2::<f32>::zeros((self.entries.ncols(), codes.len()));
        for (t, &code) in codes.iter().enumerate() {
            chosen
                .column_mut(t)
                .assign(&self.entries.row(code as usize));
        }
        let decoded = self.out_proj.forward(chosen.view());
        for (t, column) in decoded.axis_iter(Axis(1)).enumerate() {
            for repeat in 0..self.stride {
                let mut target = latent.column_mut(t * self.stride + repeat);
                target += &column;
            }
        }
    }
}

/// `avg_pool1d(x, stride, stride)`: the mean of each `stride` columns (summed in order, then
/// divided).
fn average_pool(x: ArrayView2<f32>, stride: usize) -> Array2<f32> {
    let frames = x.ncols() / stride;
    Array2::from_shape_fn((x.nrows(), frames), |(c, t)| {
        let sum = (0..stride).fold(0f32, |sum, k| sum + x[[c, t * stride + k]]);
        sum / stride as f32
    })
}

/// `residual -= value.repeat_interleave(stride)` over the frames.
fn subtract_repeated(residual: &mut Array2<f32>, value: ArrayView2<f32>, stride: usize) {
    for (t, column) in value.axis_iter(Axis(1)).enumerate() {
        for repeat in 0..stride {
            let mut target = residual.column_mut(t * stride + repeat);
            target -= &column;
        }
    }
}
