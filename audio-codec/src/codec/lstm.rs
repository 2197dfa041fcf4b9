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
        let mut sequence = x.to_owned();
        for layer in &self.layers {
            sequence = self.run_layer(layer, sequence.view());
        }
        sequence + x
    }

    fn run_layer(&self, layer: &Layer, x: ArrayView2<f32>) -> Array2<f32> {
        let h_dim = self.dim;
        // The input's contribution to every gate at every step, at once.
        let mut projected = layer.input.dot(&x);
        projected += &layer.bias.view().insert_axis(Axis(1));
        let mut out = Array2::zeros((h_dim, x.ncols()));
        let mut h = Array1::<f32>::zeros(h_dim);
        let mut c = Array1::<f32>::zeros(h_dim);
        for (t, column) in projected.axis_iter(Axis(1)).enumerate() {
            let gates = &column + &layer.recurrent.dot(&h);
            for j in 0..h_dim {
                let i = sigmoid(gates[j]);
                let f = sigmoid(gates[h_dim + j]);
                let g = gates[2 * h_dim + j].tanh();
                let o = sigmoid(gates[3 * h_dim + j]);
                c[j] = f * c[j] + i * g;
                h[j] = o * c[j].tanh();
            }
            out.column_mut(t).assign(&h);
        }
        out
    }
}
