//! Attention within fixed windows of frames, with rotary position embeddings (SNAC's
//! `LocalMHA`): a layer norm, one projection to queries, keys and values, heads of 64
//! dimensions that attend only to the frames of their own window (positions counted from the
//! window's start), a projection back, added to the input.

use ndarray::{s, Array2, ArrayView2, ArrayViewMut1};

use super::weights::{matrix, Weights};
use crate::error::{AudioError, Result};

/// Dimensions per head.
pub(super) const HEAD_DIM: usize = 64;
/// The layer norm's epsilon (`nn.LayerNorm`'s default).
const NORM_EPSILON: f32 = 1e-5;

/// `LocalMHA` with rotary embeddings.
#[derive(Debug, Clone)]
pub(super) struct LocalAttention {
    norm_weight: Vec<f32>,
    norm_bias: Vec<f32>,
    /// `[3 · dim, dim]`: queries, keys and values.
    to_qkv: Array2<f32>,
    /// `[dim, dim]`.
    to_out: Array2<f32>,
    /// Frames per window.
    window: usize,
    /// `[window, HEAD_DIM / 2]`: cosines and sines of each position's angles.
    cos: Array2<f32>,
    sin: Array2<f32>,
}

impl LocalAttention {
    /// The attention at `prefix` over `dim` channels (a multiple of [`HEAD_DIM`]) in windows of
    /// `window` frames.
    pub(super) fn load(
        weights: &mut Weights,
        prefix: &str,
        dim: usize,
        window: usize,
    ) -> Result<Self> {
        let half = HEAD_DIM / 2;
        // The stored frequencies where the file has them (a persistent buffer), else computed as
        // the reference computes them.
        let inverse_frequencies = match weights.has(&format!("{prefix}.rel_pos.inv_freq")) {
            true => weights.take(&format!("{prefix}.rel_pos.inv_freq"), &[half])?,
            false => (0..half)
                .map(|i| 1.0 / 10_000f32.powf((2 * i) as f32 / HEAD_DIM as f32))
                .collect(),
        };
        let angles =
            Array2::from_shape_fn((window, half), |(t, i)| t as f32 * inverse_frequencies[i]);
        Ok(Self {
            norm_weight: weights.take(&format!("{prefix}.norm.weight"), &[dim])?,
            norm_bias: weights.take(&format!("{prefix}.norm.bias"), &[dim])?,
            to_qkv: matrix(
                3 * dim,
                dim,
                weights.take(&format!("{prefix}.to_qkv.weight"), &[3 * dim, dim])?,
            )?,
            to_out: matrix(
                dim,
                dim,
                weights.take(&format!("{prefix}.to_out.weight"), &[dim, dim])?,
            )?,
            window,
            cos: angles.mapv(f32::cos),
            sin: angles.mapv(f32::sin),
        })
    }

    /// The attention of `x` (`[dim, frames]`, frames a multiple of the window) added to it.
    pub(super) fn forward(&self, x: Array2<f32>) -> Result<Array2<f32>> {
        let (dim, frames) = x.dim();
        if frames % self.window != 0 {
            return Err(AudioError::BadParameter(format!(
                "{frames} frames are not whole windows of {} frames for the local attention",
                self.window
            )));
        }
        let mut normed = x.t().to_owned(); // [frames, dim]
        for row in normed.outer_iter_mut() {
            self.layer_norm(row);
        }
        let qkv = normed.dot(&self.to_qkv.t()); // [frames, 3 · dim]
        let mut attended = Array2::<f32>::zeros((frames, dim));
        let scale = 1.0 / (HEAD_DIM as f32).sqrt();
        for start in (0..frames).step_by(self.window) {
            let rows = start..start + self.window;
            for head in (0..dim).step_by(HEAD_DIM) {
                let part = |offset: usize| {
                    qkv.slice(s![rows.clone(), offset + head..offset + head + HEAD_DIM])
                };
                let queries = self.rotated(part(0));
                let keys = self.rotated(part(dim));
                let mut scores = queries.dot(&keys.t()); // [window, window]
                for row in scores.outer_iter_mut() {
                    softmax(row, scale);
                }
                attended
                    .slice_mut(s![rows.clone(), head..head + HEAD_DIM])
                    .assign(&scores.dot(&part(2 * dim)));
            }
        }
        let out = attended.dot(&self.to_out.t()); // [frames, dim]
        Ok(x + out.t())
    }

    /// `nn.LayerNorm` of one frame.
    fn layer_norm(&self, mut row: ArrayViewMut1<f32>) {
        let n = row.len() as f32;
        let mean = row.sum() / n;
        let variance = row.iter().map(|&v| (v - mean) * (v - mean)).sum::<f32>() / n;
        let inverse = 1.0 / (variance + NORM_EPSILON).sqrt();
        for ((v, &w), &b) in row.iter_mut().zip(&self.norm_weight).zip(&self.norm_bias) {
            *v = (*v - mean) * inverse * w + b;
        }
    }

    /// The rotary embedding of one head's vectors of a window (`[window, HEAD_DIM]`): each
    /// half rotated with the other by its position's angles.
    fn rotated(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let half = HEAD_DIM / 2;
        Array2::from_shape_fn(x.dim(), |(t, d)| {
            let (i, rotated) = if d < half {
                (d, -x[[t, d + half]])
            } else {
                (d - half, x[[t, d - half]])
            };
            x[[t, d]] * self.cos[[t, i]] + rotated * self.sin[[t, i]]
        })
    }
}

/// `softmax(row · scale)` in place, the largest score subtracted first.
fn softmax(mut row: ArrayViewMut1<f32>, scale: f32) {
    row.mapv_inplace(|v| v * scale);
    let largest = row.fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    row.mapv_inplace(|v| (v - largest).exp());
    let total = row.sum();
    row.mapv_inplace(|v| v / total);
}
