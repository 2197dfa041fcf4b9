//! `.npz` files: NumPy's zip archive of `.npy` arrays, one entry `NAME.npy` per array, as
//! `np.savez` (stored) and `np.savez_compressed` (deflated) write them. Written here stored, as
//! `np.savez` does; read either way, each array bounded by [`crate::npy::MAX_ARRAY_BYTES`].

use std::io::{Cursor, Read, Write};

use crate::npy::{self, NpyError, MAX_ARRAY_BYTES};

/// Largest `.npz` file read by [`read_u32_file`]: 4 GiB.
pub const MAX_NPZ_BYTES: u64 = 1 << 32;

/// One array of an `.npz` file: its name (the entry's, without `.npy`), shape and values.
pub type NamedArray = (String, Vec<usize>, Vec<u32>);

/// What is wrong with an `.npz` file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NpzError {
    #[error("not a .npz file (a zip archive of .npy arrays): {0}")]
    NotZip(String),
    /// An entry that is not `NAME.npy`, is too large, or cannot be read.
    #[error("entry {entry:?}: {message}")]
    Entry { entry: String, message: String },
    #[error("array {name:?}: {error}")]
    Array { name: String, error: NpyError },
    /// Arrays that are not codes by level (`level_0` ... `level_{L-1}`, each 1-D).
    #[error("{0}")]
    Levels(String),
}

/// An `.npz` file of `arrays` (name, shape, C-order values), each stored as `NAME.npy`.
pub fn to_bytes<T: npy::Element>(arrays: &[(String, Vec<u64>, &[T])]) -> Result<Vec<u8>, NpzError> {
    let mut archive = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(false);
    let failed = |entry: &str, e: &dyn std::fmt::Display| NpzError::Entry {
        entry: entry.to_owned(),
        message: e.to_string(),
    };
    for (name, shape, values) in arrays {
        let entry = format!("{name}.npy");
        archive
            .start_file(entry.as_str(), options)
            .map_err(|e| failed(&entry, &e))?;
        archive
            .write_all(&npy::to_bytes(shape, values))
            .map_err(|e| failed(&entry, &e))?;
    }
    let bytes = archive.finish().map_err(|e| failed("", &e))?;
    Ok(bytes.into_inner())
}

/// An `.npz` file of codes by level (SNAC's, coarse to fine): one 1-D array per level, named
/// `level_0` to `level_{L-1}`.
pub fn levels_to_bytes<T: npy::Element>(levels: &[&[T]]) -> Result<Vec<u8>, NpzError> {
    let arrays: Vec<(String, Vec<u64>, &[T])> = levels
        .iter()
        .enumerate()
        .map(|(i, level)| (format!("level_{i}"), vec![level.len() as u64], *level))
        .collect();
    to_bytes(&arrays)
}

/// The codes by level in an `.npz` file's arrays (as [`read_u32_arrays`] gives them): exactly
/// `level_0` to `level_{L-1}`, each once and 1-D, in any order in the archive; returned in level
/// order.
pub fn levels(arrays: Vec<NamedArray>) -> Result<Vec<Vec<u32>>, NpzError> {
    let names: Vec<String> = arrays.iter().map(|(name, _, _)| name.clone()).collect();
    let mut levels = vec![None; arrays.len()];
    for (name, shape, values) in arrays {
        let index = name
            .strip_prefix("level_")
            .and_then(|i| i.parse::<usize>().ok())
            .filter(|&i| i < levels.len() && levels[i].is_none());
        let Some(index) = index else {
            return Err(NpzError::Levels(format!(
                "arrays {names:?}; codes by level are level_0 ... level_{} (coarse to fine)",
                names.len().saturating_sub(1)
            )));
        };
        if shape.len() != 1 {
            return Err(NpzError::Levels(format!(
                "{name} has shape {shape:?}; each level is 1-D"
            )));
        }
        levels[index] = Some(values);
    }
    Ok(levels.into_iter().flatten().collect())
}

/// The integer arrays of an `.npz` file, in the archive's order: each entry's name without
/// `.npy`, its shape and its values (each a non-negative `u32`, as [`npy::read_u32_array`]
/// reads them).
pub fn read_u32_arrays(bytes: &[u8]) -> Result<Vec<NamedArray>, NpzError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| NpzError::NotZip(e.to_string()))?;
    let mut arrays = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| NpzError::Entry {
            entry: format!("#{index}"),
            message: e.to_string(),
        })?;
        let entry_name = entry.name().map_err(|e| NpzError::Entry {
            entry: format!("#{index}"),
            message: e.to_string(),
        })?;
        let entry_name = entry_name.into_owned();
        let bad = |message: String| NpzError::Entry {
            entry: entry_name.clone(),
            message,
        };
        let Some(name) = entry_name.strip_suffix(".npy") else {
            return Err(bad("not an .npy array (NAME.npy)".into()));
        };
        if entry.size() > MAX_ARRAY_BYTES {
            return Err(bad(format!(
                "{} bytes; arrays of at most {MAX_ARRAY_BYTES} are read",
                entry.size()
            )));
        }
        let mut data = Vec::new();
        // The size in the archive's directory is checked above; the bound holds however much
        // the entry really inflates to.
        (&mut entry)
            .take(MAX_ARRAY_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| bad(e.to_string()))?;
        if data.len() as u64 > MAX_ARRAY_BYTES {
            return Err(bad(format!("more than {MAX_ARRAY_BYTES} bytes")));
        }
        let (shape, values) = npy::read_u32_array(&data).map_err(|error| NpzError::Array {
            name: name.to_owned(),
            error,
        })?;
        arrays.push((name.to_owned(), shape, values));
    }
    Ok(arrays)
}

/// The integer arrays of the `.npz` file at `path` (at most [`MAX_NPZ_BYTES`]), as
/// [`read_u32_arrays`] reads them; an error names the file.
pub fn read_u32_file(path: &std::path::Path) -> crate::error::Result<Vec<NamedArray>> {
    let bytes = crate::files::read_bounded(path, MAX_NPZ_BYTES)?;
    read_u32_arrays(&bytes).map_err(|e| crate::error::CorpusError::BadInput {
        path: path.display().to_string(),
        line: 0,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_round_trip_in_order() {
        let (a, b): (Vec<i64>, Vec<i64>) = (vec![3, 1, 4], vec![1, 5, 9, 2, 6, 5]);
        let bytes = to_bytes(&[
            ("level_0".to_owned(), vec![3], a.as_slice()),
            ("level_1".to_owned(), vec![6], b.as_slice()),
        ])
        .unwrap();
        let arrays = read_u32_arrays(&bytes).unwrap();
        assert_eq!(arrays.len(), 2);
        assert_eq!(arrays[0], ("level_0".to_owned(), vec![3], vec![3, 1, 4]));
        assert_eq!(arrays[1].0, "level_1");
        assert_eq!(arrays[1].2, vec![1, 5, 9, 2, 6, 5]);
    }

    #[test]
    fn levels_round_trip_and_bad_ones_are_named() {
        let (coarse, fine): (Vec<i64>, Vec<i64>) = (vec![7, 8], vec![1, 2, 3, 4]);
        let bytes = levels_to_bytes(&[coarse.as_slice(), fine.as_slice()]).unwrap();
        let arrays = read_u32_arrays(&bytes).unwrap();
        assert_eq!(arrays[1].0, "level_1");
        assert_eq!(levels(arrays).unwrap(), vec![vec![7, 8], vec![1, 2, 3, 4]]);
        let gap = to_bytes(&[
            ("level_0".to_owned(), vec![2], coarse.as_slice()),
            ("level_2".to_owned(), vec![4], fine.as_slice()),
        ])
        .unwrap();
        let error = levels(read_u32_arrays(&gap).unwrap()).unwrap_err();
        assert!(error.to_string().contains("level_0 ... level_1"), "{error}");
        let flat = to_bytes(&[("level_0".to_owned(), vec![2, 2], fine.as_slice())]).unwrap();
        let error = levels(read_u32_arrays(&flat).unwrap()).unwrap_err();
        assert!(error.to_string().contains("each level is 1-D"), "{error}");
    }

    #[test]
    fn bad_archives_and_entries_are_named() {
        let error = read_u32_arrays(b"not a zip").unwrap_err();
        assert!(error.to_string().contains("not a .npz file"), "{error}");
        let bytes = to_bytes(&[("x".to_owned(), vec![1], [-1i64].as_slice())]).unwrap();
        let error = read_u32_arrays(&bytes).unwrap_err().to_string();
        assert!(
            error.contains("array \"x\"") && error.contains("not a code"),
            "{error}"
        );
    }
}
