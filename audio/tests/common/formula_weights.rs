//! Checkpoints too large to commit, made from a formula: `weights.json` describes each tensor
//! (`fixtures/audio/encodec/make_published_size_goldens.py` wrote it and says how), and this
//! module computes the same float32 values, checks them against the recorded SHA-256 and writes
//! the safetensors file.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `u(stream, i)`: a multiple of 2^-23 in [-1, 1).
fn unit_uniform(stream: u64, index: u64) -> f32 {
    let bits = splitmix64((stream << 40).wrapping_add(index)) >> 40;
    bits as f32 * (2.0f32).powi(-23) - 1.0
}

/// A number, or a list indexed by the tensor's last axis.
fn per_last_axis(value: &Value, last: usize, name: &str) -> Vec<f32> {
    match value {
        Value::Array(items) => {
            assert_eq!(items.len(), last, "{name}: one value per last-axis index");
            items.iter().map(|v| v.as_f64().unwrap() as f32).collect()
        }
        number => vec![number.as_f64().unwrap() as f32; last],
    }
}

/// The float32 values one tensor description stands for.
fn materialise(entry: &Value) -> (String, Vec<usize>, Vec<f32>) {
    let name = entry["name"].as_str().unwrap().to_owned();
    let shape: Vec<usize> = entry["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let count: usize = shape.iter().product();
    let values: Vec<f32> = if let Some(values) = entry.get("values") {
        values
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect()
    } else {
        let last = shape.last().copied().unwrap_or(1);
        let offset = per_last_axis(&entry["offset"], last, &name);
        let bound = per_last_axis(&entry["bound"], last, &name);
        let stream = entry["stream"].as_u64().unwrap();
        (0..count)
            .map(|i| offset[i % last] + unit_uniform(stream, i as u64) * bound[i % last])
            .collect()
    };
    assert_eq!(values.len(), count, "{name}");
    (name, shape, values)
}

/// Writes the checkpoint that `folder/weights.json` describes, with `folder/config.json`, into
/// a fresh temporary folder named after `label`, and returns that folder. Panics if the values
/// computed here are not those the generating script computed.
pub fn formula_checkpoint(folder: &Path, label: &str) -> PathBuf {
    let weights: Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("weights.json")).unwrap())
            .unwrap();
    let mut tensors: Vec<super::NamedTensor> = weights["tensors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let (name, shape, values) = materialise(entry);
            let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            (name, shape, bytes)
        })
        .collect();
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sha = Sha256::new();
    for (name, _, bytes) in &tensors {
        sha.update(name.as_bytes());
        sha.update(bytes);
    }
    let digest: String = sha.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        digest,
        weights["sha256"].as_str().unwrap(),
        "{}: the formula gives other weights than the script's",
        folder.display()
    );
    let dir = std::env::temp_dir().join(format!("omnitok-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    super::write_safetensors(&dir.join("model.safetensors"), &tensors);
    std::fs::copy(folder.join("config.json"), dir.join("config.json")).unwrap();
    dir
}
