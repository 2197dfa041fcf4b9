//! The residual vector quantiser: codebook `q` quantises what codebooks `0..q` left of each
//! frame's embedding, by the nearest entry in Euclidean distance.

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};

use super::config::EncodecConfig;
use super::weights::{matrix, Weights};
use crate::error::{AudioError, Result};

/// Frames quantised together (see [`ResidualQuantizer::encode`]).
const FRAMES_PER_BLOCK: usize = 256;

/// The codebooks of a model.
#[derive(Debug, Clone)]
pub struct ResidualQuantizer {
    /// Each `[codebook_size, dim]`.
    codebooks: Vec<Array2<f32>>,
    /// Each entry's squared norm, per codebook.
    norms: Vec<Vec<f32>>,
}

impl ResidualQuantizer {
    /// Loads `quantizer.layers.{q}.codebook.embed`.
    pub fn load(weights: &mut Weights, config: &EncodecConfig) -> Result<Self> {
        let (size, dim) = (config.codebook_size, config.codebook_dim());
        let codebooks = (0..config.num_quantizers())
            .map(|q| {
                let name = format!("quantizer.layers.{q}.codebook.embed");
                matrix(size, dim, weights.take(&name, &[size, dim])?)
            })
            .collect::<Result<Vec<_>>>()?;
        let norms = codebooks
            .iter()
            .map(|c| c.outer_iter().map(|e| e.dot(&e)).collect())
            .collect();
        Ok(Self { codebooks, norms })
    }

    /// Codebooks available.
    pub fn codebooks(&self) -> usize {
        self.codebooks.len()
    }

    /// Codes `[n, frames]` of embeddings `[dim, frames]` with the first `n` codebooks.
    pub fn encode(&self, embeddings: ArrayView2<f32>, n: usize) -> Array2<i64> {
        let frames = embeddings.ncols();
        let mut codes = Array2::zeros((n, frames));
        // Blocks of frames keep the frames-by-entries products in the cache; each product is
        // the same whatever the block (as streaming, which encodes piece by piece, relies on).
        for start in (0..frames).step_by(FRAMES_PER_BLOCK) {
            let end = (start + FRAMES_PER_BLOCK).min(frames);
            let block = embeddings.slice(s![.., start..end]);
            self.encode_block(block, codes.slice_mut(s![..n, start..end]));
        }
        codes
    }

    fn encode_block(&self, embeddings: ArrayView2<f32>, mut codes: ArrayViewMut2<i64>) {
        let mut residual = embeddings.t().to_owned(); // [frames, dim]
        let n = codes.nrows();
        for (q, (codebook, norms)) in self.codebooks.iter().zip(&self.norms).take(n).enumerate() {
            // As the reference: -(|x|² - 2 x·e + |e|²), the largest wins (the first on ties).
            let products = residual.dot(&codebook.t()); // [frames, size]
            for (t, (row, mut x)) in products
                .outer_iter()
                .zip(residual.outer_iter_mut())
                .enumerate()
            {
                let x_norm = x.dot(&x);
                let mut best = (f32::NEG_INFINITY, 0);
                for (j, (&p, &e_norm)) in row.iter().zip(norms).enumerate() {
                    let score = -(x_norm - 2.0 * p + e_norm);
                    if score > best.0 {
                        best = (score, j);
                    }
                }
                codes[[q, t]] = best.1 as i64;
                x -= &codebook.row(best.1);
            }
        }
    }

    /// The embeddings `[dim, frames]` of codes `[n, frames]`: the sum of each frame's entries.
    pub fn decode(&self, codes: ArrayView2<i64>) -> Result<Array2<f32>> {
        if codes.nrows() > self.codebooks.len() {
            return Err(AudioError::BadParameter(format!(
                "{} codebooks given; the model has {}",
                codes.nrows(),
                self.codebooks.len()
            )));
        }
        let dim = self.codebooks.first().map_or(0, |c| c.ncols());
        let mut out = Array2::<f32>::zeros((codes.ncols(), dim));
        for (q, (row, codebook)) in codes.outer_iter().zip(&self.codebooks).enumerate() {
            for (t, &code) in row.iter().enumerate() {
                let Some(entry) = usize::try_from(code)
                    .ok()
                    .filter(|&c| c < codebook.nrows())
                    .map(|c| codebook.row(c))
                else {
                    return Err(AudioError::BadParameter(format!(
                        "code {code} of codebook {q} at frame {t} is out of range 0..{}",
                        codebook.nrows()
                    )));
                };
                let mut slot = out.row_mut(t);
                slot += &entry;
            }
        }
        Ok(out.reversed_axes().as_standard_layout().into_owned())
    }
}
