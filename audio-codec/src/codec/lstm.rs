//! `EncodecLSTM`: a stack of LSTM layers (PyTorch's gate order: input, forget, cell, output)
//! over the frames of a `[dim, time]` signal, whose output is added to its input.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use super::weights::{matrix, Weights};
use crate::error::Result;

#[derive(Debug, Clone)]
struct Layer {
    /// `[4 · dim, dim]`.
    input: Array2<f32>,
    /// `[4 · dim, dim]`.
    recurrent: Array2<f32>,
    /// `b_ih + b_hh`.
    bias: Array1<f32>,
}

/// The hidden and cell state of each layer after the frames seen so far.
#[derive(Debug, Clone)]
pub(super) struct LstmState {
    hidden: Vec<Vec<f32>>,
    cell: Vec<Vec<f32>>,
}

/// The LSTM block at some prefix, `layers` layers of `dim` units.
#[derive(Debug, Clone)]
pub struct Lstm {
    dim: usize,
    layers: Vec<Layer>,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Lstm {
    /// Loads `{prefix}.lstm.weight_ih_l{n}` and the rest.
    pub fn load(weights: &mut Weights, prefix: &str, dim: usize, layers: usize) -> Result<Self> {
        let gates = 4 * dim;
        let layers = (0..layers)
            .map(|l| {
                let name = |what: &str| format!("{prefix}.lstm.{what}_l{l}");
                let input = matrix(gates, dim, weights.take(&name("weight_ih"), &[gates, dim])?)?;
                let recurrent =
                    matrix(gates, dim, weights.take(&name("weight_hh"), &[gates, dim])?)?;
                let b_ih = Array1::from(weights.take(&name("bias_ih"), &[gates])?);
                let b_hh = Array1::from(weights.take(&name("bias_hh"), &[gates])?);
                Ok(Layer {
                    input,
                    recurrent,
                    bias: b_ih + b_hh,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Self { dim, layers })
    }

    /// `lstm(x) + x` for `x` of shape `[dim, time]`.
    pub fn forward(&self, x: ArrayView2<f32>) -> Array2<f32> {
        self.forward_from(x, &mut self.initial_state())
    }

    /// The state before the first frame: zeros.
    pub(super) fn initial_state(&self) -> LstmState {
        let zeros = vec![vec![0f32; self.dim]; self.layers.len()];
        LstmState {
            hidden: zeros.clone(),
            cell: zeros,
        }
    }

    /// `lstm(x) + x` continuing from `state`, which is left after the last frame (a stream
    /// feeds its frames in pieces).
    pub(super) fn forward_from(&self, x: ArrayView2<f32>, state: &mut LstmState) -> Array2<f32> {
        let mut sequence = x.to_owned();
        for (l, layer) in self.layers.iter().enumerate() {
            sequence = self.run_layer(
                layer,
                sequence.view(),
                &mut state.hidden[l],
                &mut state.cell[l],
            );
        }
        sequence + x
    }

    fn run_layer(
        &self,
        layer: &Layer,
        x: ArrayView2<f32>,
        h: &mut [f32],
        c: &mut [f32],
    ) -> Array2<f32> {
        let h_dim = self.dim;
        // The input's contribution to every gate at every step, at once.
        let mut projected = layer.input.dot(&x);
        projected += &layer.bias.view().insert_axis(Axis(1));
        let projected = projected.reversed_axes().as_standard_layout().into_owned(); // [time, 4 dim]
        let recurrent = layer
            .recurrent
            .as_slice()
            .unwrap_or_else(|| unreachable!("weights are built in standard layout"));
        let mut out = Array2::zeros((x.ncols(), h_dim));
        let mut gates = vec![0f32; 4 * h_dim];
        for (step, mut row) in projected.outer_iter().zip(out.outer_iter_mut()) {
            gates.copy_from_slice(step.as_slice().unwrap_or_default());
            add_matrix_vector(recurrent, h, &mut gates);
            for j in 0..h_dim {
                let i = sigmoid(gates[j]);
                let f = sigmoid(gates[h_dim + j]);
                let g = gates[2 * h_dim + j].tanh();
                let o = sigmoid(gates[3 * h_dim + j]);
                c[j] = f * c[j] + i * g;
                h[j] = o * c[j].tanh();
            }
            row.assign(&ndarray::ArrayView1::from(&h[..]));
        }
        out.reversed_axes().as_standard_layout().into_owned()
    }
}

/// `out += matrix · v` for a row-major matrix of `out.len()` rows of `v.len()` values: the
/// recurrent step, a matrix-vector product that runs once per frame. Eight running sums per
/// row let the compiler use vector instructions.
fn add_matrix_vector(matrix: &[f32], v: &[f32], out: &mut [f32]) {
    let n = v.len();
    for (row, slot) in matrix.chunks_exact(n).zip(out.iter_mut()) {
        let mut sums = [0f32; 8];
        let (body, tail) = row.split_at(n - n % 8);
        for (w, x) in body.chunks_exact(8).zip(v.chunks_exact(8)) {
            for l in 0..8 {
                sums[l] += w[l] * x[l];
            }
        }
        let mut total = sums.iter().sum::<f32>();
        for (w, x) in tail.iter().zip(&v[n - n % 8..]) {
            total += w * x;
        }
        *slot += total;
    }
}
