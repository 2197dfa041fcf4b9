//! Helpers shared by the audio tests: the fixtures folder and `.npy` files.

#![allow(dead_code)]

pub mod formula_weights;

use std::path::{Path, PathBuf};

/// `fixtures/audio` of the workspace.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/audio")
}

/// A float32 C-order 2-D `.npy` file: its shape and values.
pub fn read_npy(path: &Path) -> ((usize, usize), Vec<f32>) {
    let (shape, values) = read_f32(path);
    assert_eq!(shape.len(), 2, "{}: not 2-D", path.display());
    ((shape[0], shape[1]), values)
}

/// A C-order `.npy` file of any shape: its shape, its dtype (`'<f4'`, `'<i8'`, ...) and its
/// data bytes.
pub fn read_npy_raw(path: &Path) -> (Vec<usize>, String, Vec<u8>) {
    parse_npy(&std::fs::read(path).unwrap())
}

/// The int64 1-D arrays of an `.npz` file, by name (without `.npy`), in the file's order.
pub fn read_npz_i64(path: &Path) -> Vec<(String, Vec<i64>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let name = entry.name().unwrap().trim_end_matches(".npy").to_owned();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            let (shape, descr, data) = parse_npy(&bytes);
            assert_eq!((shape.len(), descr.as_str()), (1, "<i8"), "{name}");
            let values = data
                .chunks_exact(8)
                .map(|c| i64::from_le_bytes(c.try_into().unwrap()))
                .collect();
            (name, values)
        })
        .collect()
}

/// A C-order `.npy` file's shape, dtype and data bytes.
fn parse_npy(bytes: &[u8]) -> (Vec<usize>, String, Vec<u8>) {
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    assert!(header.contains("'fortran_order': False"), "{header}");
    let descr = header.split("'descr': '").nth(1).unwrap();
    let descr = descr.split('\'').next().unwrap().to_owned();
    let shape = header.split("'shape': (").nth(1).unwrap();
    let dims = shape
        .split(')')
        .next()
        .unwrap()
        .split(',')
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.trim().parse().unwrap())
        .collect();
    (dims, descr, bytes[10 + header_len..].to_vec())
}

/// A float32 `.npy` file of any shape.
pub fn read_f32(path: &Path) -> (Vec<usize>, Vec<f32>) {
    let (shape, descr, data) = read_npy_raw(path);
    assert_eq!(descr, "<f4", "{}", path.display());
    let values = data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    (shape, values)
}

/// An int64 `.npy` file of any shape.
pub fn read_i64(path: &Path) -> (Vec<usize>, Vec<i64>) {
    let (shape, descr, data) = read_npy_raw(path);
    assert_eq!(descr, "<i8", "{}", path.display());
    let values = data
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    (shape, values)
}

/// The largest difference between two equally long runs of values.
pub fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Checks decoded audio against a golden whose spread (standard deviation) is `spread`, of
/// which `code_dependent` is what the codes decide (the change when the codes move a frame):
/// the golden must be what the codes decide, not a near-constant, and the audio within 1e-5
/// of the spread. `what` names the case in failures.
pub fn assert_within_spread(
    decoded: &[f32],
    golden: &[f32],
    spread: f32,
    code_dependent: f32,
    what: &str,
) {
    let worst = max_difference(decoded, golden);
    eprintln!(
        "{what}: decoded within {worst:e}, {:e} of its spread",
        worst / spread
    );
    assert!(
        code_dependent >= 0.5 * spread,
        "{what}: the golden's code-dependent spread {code_dependent} is small against {spread}"
    );
    assert!(
        worst <= 1e-5 * spread,
        "{what}: decoded audio differs by {worst}, {:e} of its spread",
        worst / spread
    );
}

/// A float32 tensor for [`write_safetensors`]: its name, shape and little-endian bytes.
pub type NamedTensor = (String, Vec<usize>, Vec<u8>);

/// Writes `tensors` as a safetensors file at `path`.
pub fn write_safetensors(path: &Path, tensors: &[NamedTensor]) {
    let views: Vec<(String, safetensors::tensor::TensorView)> = tensors
        .iter()
        .map(|(name, shape, bytes)| {
            let view =
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), bytes)
                    .unwrap();
            (name.clone(), view)
        })
        .collect();
    std::fs::write(path, safetensors::tensor::serialize(views, None).unwrap()).unwrap();
}
