//! `EncodecLSTM`: a stack of LSTM layers (PyTorch's gate order: input, forget, cell, output)
//! over the frames of a `[dim, time]` signal, whose output is added to its input.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use pulp::{Simd, WithSimd};

use crate::exp::{sigmoid, tanh};

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
            pulp::Arch::new().dispatch(CellUpdate {
                gates: &gates,
                cell: c,
                hidden: h,
            });
            row.assign(&ndarray::ArrayView1::from(&h[..]));
        }
        out.reversed_axes().as_standard_layout().into_owned()
    }
}

/// One step of the cell from its gates' inputs (input, forget, cell, output, each as long as
/// the state): `c = σ(f) c + σ(i) tanh(g)`, `h = σ(o) tanh(c)`.
struct CellUpdate<'a> {
    gates: &'a [f32],
    cell: &'a mut [f32],
    hidden: &'a mut [f32],
}

impl WithSimd for CellUpdate<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let n = self.cell.len();
        let gate = |k: usize| S::as_simd_f32s(&self.gates[k * n..(k + 1) * n]);
        let [(i, i_tail), (f, f_tail), (g, g_tail), (o, o_tail)] = [0, 1, 2, 3].map(gate);
        let (c, c_tail) = S::as_mut_simd_f32s(self.cell);
        let (h, h_tail) = S::as_mut_simd_f32s(self.hidden);
        for (((((i, f), g), o), c), h) in i.iter().zip(f).zip(g).zip(o).zip(c).zip(h) {
            (*c, *h) = cell_step(simd, [*i, *f, *g, *o], *c);
        }
        let tails = [
            simd.partial_load_f32s(i_tail),
            simd.partial_load_f32s(f_tail),
            simd.partial_load_f32s(g_tail),
            simd.partial_load_f32s(o_tail),
        ];
        let (c, h) = cell_step(simd, tails, simd.partial_load_f32s(c_tail));
        simd.partial_store_f32s(c_tail, c);
        simd.partial_store_f32s(h_tail, h);
    }
}

/// The new cell and hidden values from the gates `[i, f, g, o]` and the cell value.
#[inline(always)]
fn cell_step<S: Simd>(simd: S, [i, f, g, o]: [S::f32s; 4], c: S::f32s) -> (S::f32s, S::f32s) {
    let c = simd.add_f32s(
        simd.mul_f32s(sigmoid(simd, f), c),
        simd.mul_f32s(sigmoid(simd, i), tanh(simd, g)),
    );
    (c, simd.mul_f32s(sigmoid(simd, o), tanh(simd, c)))
}

/// `out += matrix · v` for a row-major matrix of `out.len()` rows of `v.len()` values: the
/// recurrent step, a matrix-vector product that runs once per frame. Its time is that of
/// reading the matrix (4 MiB at 512 units, more than the core's cache), so it runs with the
/// widest vector instructions the processor has and four running sums per row.
fn add_matrix_vector(matrix: &[f32], v: &[f32], out: &mut [f32]) {
    pulp::Arch::new().dispatch(MatrixVector { matrix, v, out });
}

struct MatrixVector<'a> {
    matrix: &'a [f32],
    v: &'a [f32],
    out: &'a mut [f32],
}

impl WithSimd for MatrixVector<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let n = self.v.len();
        let (v_body, v_tail) = S::as_simd_f32s(self.v);
        for (row, slot) in self.matrix.chunks_exact(n).zip(self.out.iter_mut()) {
            let (w_body, w_tail) = S::as_simd_f32s(row);
            let zero = simd.splat_f32s(0.0);
            let mut sums = [zero; 4];
            let mut w_blocks = w_body.chunks_exact(4);
            let mut v_blocks = v_body.chunks_exact(4);
            for (w, x) in (&mut w_blocks).zip(&mut v_blocks) {
                for l in 0..4 {
                    sums[l] = simd.mul_add_e_f32s(w[l], x[l], sums[l]);
                }
            }
            for (&w, &x) in w_blocks.remainder().iter().zip(v_blocks.remainder()) {
                sums[0] = simd.mul_add_e_f32s(w, x, sums[0]);
            }
            let pairs = [
                simd.add_f32s(sums[0], sums[1]),
                simd.add_f32s(sums[2], sums[3]),
            ];
            let mut total = simd.reduce_sum_f32s(simd.add_f32s(pairs[0], pairs[1]));
            for (w, x) in w_tail.iter().zip(v_tail) {
                total += w * x;
            }
            *slot += total;
        }
    }
}
