//! The tensors of a `model.safetensors` checkpoint, taken by name and shape.
//!
//! Every tensor the model takes must be there with the expected shape, and every tensor in the
//! file must be taken (or be one of the training buffers inference ignores), so a checkpoint of
//! another configuration is an error that names the tensor rather than a model that runs wrong.

use std::collections::{BTreeMap, BTreeSet};

use safetensors::{Dtype, SafeTensors};

use crate::error::{AudioError, Result};

/// Tensors by name, as `f32` with their shapes.
pub struct Weights {
    path: String,
    tensors: BTreeMap<String, (Vec<usize>, Vec<f32>)>,
    taken: BTreeSet<String>,
}

/// How a convolution's weight is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightForm {
    /// `weight_g` and `weight_v` (or `parametrizations.weight.original0` and `original1`):
    /// `w = g · v / ‖v‖`, the norm over all but the first dimension.
    Normalised,
    /// `weight` as it is.
    Plain,
    /// `weight` where the file has it, else a weight norm.
    AsStored,
}

impl Weights {
    /// Reads a safetensors file (`path` names it in errors).
    pub fn from_bytes(bytes: &[u8], path: &str) -> Result<Self> {
        let bad = |message: String| AudioError::BadInput {
            path: path.to_owned(),
            message,
        };
        let file = SafeTensors::deserialize(bytes)
            .map_err(|e| bad(format!("not a safetensors file: {e}")))?;
        let mut tensors = BTreeMap::new();
        for (name, view) in file.tensors() {
            if view.dtype() != Dtype::F32 {
                return Err(bad(format!(
                    "tensor {name} is {:?}; float32 tensors are expected",
                    view.dtype()
                )));
            }
            let values: Vec<f32> = view
                .data()
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            // A NaN would spread silently (a NaN codebook entry is never the nearest one).
            if let Some(at) = values.iter().position(|v| !v.is_finite()) {
                return Err(bad(format!(
                    "tensor {name} holds a non-finite value at flat index {at}"
                )));
            }
            tensors.insert(name, (view.shape().to_vec(), values));
        }
        Ok(Self {
            path: path.to_owned(),
            tensors,
            taken: BTreeSet::new(),
        })
    }

    fn error(&self, message: String) -> AudioError {
        AudioError::BadInput {
            path: self.path.clone(),
            message,
        }
    }

    /// Whether the file holds `name`.
    pub fn has(&self, name: &str) -> bool {
        self.tensors.contains_key(name)
    }

    /// The tensor `name`, which must have `shape`.
    pub fn take(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let Some((found, values)) = self.tensors.get(name) else {
            return Err(self.error(format!(
                "tensor {name} is missing (expected shape {shape:?})"
            )));
        };
        if found != shape {
            return Err(self.error(format!(
                "tensor {name} has shape {found:?}; this configuration needs {shape:?}"
            )));
        }
        let values = values.clone();
        self.taken.insert(name.to_owned());
        Ok(values)
    }

    /// The weight of the convolution at `prefix` (e.g. `encoder.layers.0.conv`), shape `shape`
    /// (first dimension: the one the weight norm keeps), in either of the names transformers
    /// has used for a weight norm, or plain.
    pub fn conv_weight(
        &mut self,
        prefix: &str,
        shape: &[usize],
        form: WeightForm,
    ) -> Result<Vec<f32>> {
        let normed = ["weight_g", "parametrizations.weight.original0"]
            .iter()
            .any(|name| self.has(&format!("{prefix}.{name}")));
        if form == WeightForm::AsStored && !normed && !self.has(&format!("{prefix}.weight")) {
            return Err(self.error(format!(
                "tensor {prefix}.weight is missing, and so is a weight norm of it \
                 ({prefix}.weight_g / weight_v); expected shape {shape:?}"
            )));
        }
        if form == WeightForm::Plain || (form == WeightForm::AsStored && !normed) {
            return self.take(&format!("{prefix}.weight"), shape);
        }
        let (g_name, v_name) = if self.has(&format!("{prefix}.weight_g")) {
            (format!("{prefix}.weight_g"), format!("{prefix}.weight_v"))
        } else {
            (
                format!("{prefix}.parametrizations.weight.original0"),
                format!("{prefix}.parametrizations.weight.original1"),
            )
        };
        let mut g_shape = vec![1; shape.len()];
        g_shape[0] = shape[0];
        let g = self.take(&g_name, &g_shape)?;
        let mut v = self.take(&v_name, shape)?;
        let per_row = v.len() / shape[0];
        for (row, &gain) in v.chunks_exact_mut(per_row).zip(&g) {
            let norm = row
                .iter()
                .map(|&x| f64::from(x) * f64::from(x))
                .sum::<f64>()
                .sqrt();
            let factor = f64::from(gain) / norm;
            for x in row.iter_mut() {
                *x = (f64::from(*x) * factor) as f32;
            }
        }
        Ok(v)
    }

    /// Checks that every tensor was taken, apart from names `ignored` accepts.
    pub fn finish(&self, ignored: impl Fn(&str) -> bool) -> Result<()> {
        let unexpected: Vec<&String> = self
            .tensors
            .keys()
            .filter(|name| !self.taken.contains(*name) && !ignored(name))
            .collect();
        match unexpected.first() {
            None => Ok(()),
            Some(first) => Err(self.error(format!(
                "{} unexpected tensor(s) for this configuration, the first {first}",
                unexpected.len()
            ))),
        }
    }
}

/// `values` as a `[rows, cols]` matrix (the length was checked with the tensor's shape).
pub fn matrix(rows: usize, cols: usize, values: Vec<f32>) -> Result<ndarray::Array2<f32>> {
    ndarray::Array2::from_shape_vec((rows, cols), values)
        .map_err(|e| AudioError::BadParameter(format!("a {rows} x {cols} matrix: {e}")))
}
