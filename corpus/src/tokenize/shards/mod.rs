//! Writing the token stream as shards: each shard holds whole documents and is written under a
//! temporary name, then renamed, so a file with a final name is always complete.
//!
//! Per shard `NNNNN` (numbered from 0):
//! - `bin`: `shard-NNNNN.bin`, the token IDs as little-endian u16 or u32, and
//!   `shard-NNNNN.idx`, the document boundaries as little-endian u64 token offsets (0, the end
//!   of the first document, ..., the number of tokens);
//! - `npy`: the same two arrays as `shard-NNNNN.npy` and `shard-NNNNN.idx.npy`;
//! - `jsonl`: `shard-NNNNN.jsonl`, one `{"tokens": [...]}` line per document.
//!
//! Multimodal runs add `shard-NNNNN.spans.jsonl`: one JSON line per document, its segments'
//! spans or the reason it is empty.
//!
//! The index and the spans are renamed into place before the data, so a shard is complete
//! exactly when its data file exists under its final name.

mod reading;
mod recovery;
mod writer;

use omnitok_tokenizer::TokenId;
use serde::{Deserialize, Serialize};

pub use reading::{read_documents, read_run, FinishedRun};
pub use recovery::recover_shards;
pub use writer::ShardWriter;

/// How shards are stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    #[default]
    Bin,
    Npy,
    Jsonl,
}

crate::choice::choice!(OutputFormat, "format", [Bin => "bin", Npy => "npy", Jsonl => "jsonl"]);

/// The integer type of stored token IDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dtype {
    #[serde(rename = "uint16")]
    U16,
    #[serde(rename = "uint32")]
    U32,
}

crate::choice::choice!(Dtype, "dtype", [U16 => "uint16", U32 => "uint32"]);

impl Dtype {
    /// u16 when every ID below `n_vocab` fits in it, else u32.
    pub fn for_vocab(n_vocab: usize) -> Dtype {
        if n_vocab <= 1 << 16 {
            Dtype::U16
        } else {
            Dtype::U32
        }
    }

    /// Bytes per ID.
    pub fn size(self) -> u64 {
        match self {
            Dtype::U16 => 2,
            Dtype::U32 => 4,
        }
    }

    pub(crate) fn npy_descr(self) -> &'static str {
        match self {
            Dtype::U16 => "<u2",
            Dtype::U32 => "<u4",
        }
    }
}

/// Appends `ids` to `bytes` as little-endian integers of `dtype`. The IDs come from the
/// tokenizer whose vocabulary size chose the dtype, so they fit in it.
pub(crate) fn put_ids(bytes: &mut Vec<u8>, ids: &[TokenId], dtype: Dtype) {
    let start = bytes.len();
    match dtype {
        Dtype::U16 => {
            bytes.resize(start + 2 * ids.len(), 0);
            for (slot, id) in bytes[start..].chunks_exact_mut(2).zip(ids) {
                slot.copy_from_slice(&(*id as u16).to_le_bytes());
            }
        }
        // The stored layout is the in-memory one.
        Dtype::U32 if cfg!(target_endian = "little") => {
            bytes.extend_from_slice(bytemuck::cast_slice(ids));
        }
        Dtype::U32 => {
            bytes.resize(start + 4 * ids.len(), 0);
            for (slot, id) in bytes[start..].chunks_exact_mut(4).zip(ids) {
                slot.copy_from_slice(&id.to_le_bytes());
            }
        }
    }
}

/// One complete shard, as listed in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// The data file's name in the output directory.
    pub file: String,
    /// The index file's name (none for `jsonl`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    /// The spans file's name (multimodal runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spans: Option<String>,
    pub documents: u64,
    pub tokens: u64,
}

/// Names of shard `number`'s data and index files.
fn shard_names(number: usize, format: OutputFormat) -> (String, Option<String>) {
    let stem = format!("shard-{number:05}");
    match format {
        OutputFormat::Bin => (format!("{stem}.bin"), Some(format!("{stem}.idx"))),
        OutputFormat::Npy => (format!("{stem}.npy"), Some(format!("{stem}.idx.npy"))),
        OutputFormat::Jsonl => (format!("{stem}.jsonl"), None),
    }
}

/// Name of shard `number`'s spans file.
fn spans_name(number: usize) -> String {
    format!("shard-{number:05}.spans.jsonl")
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::writer::WRITEBACK_BYTES;
    use super::*;

    fn write_all(dir: &Path, format: OutputFormat, dtype: Dtype) -> Vec<ShardInfo> {
        let mut writer = ShardWriter::new(dir, format, dtype, 5, Vec::new());
        for doc in [&[1, 2][..], &[3, 4, 5], &[6], &[7, 8, 9, 10, 11, 12], &[]] {
            writer.write_document(doc, Some(0)).unwrap();
        }
        writer.finish().unwrap()
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("omnitok-shards-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn documents_stay_whole_and_files_read_back() {
        for format in [OutputFormat::Bin, OutputFormat::Npy, OutputFormat::Jsonl] {
            let dir = temp_dir(&format!("{format:?}"));
            let shards = write_all(&dir, format, Dtype::U16);
            let counts: Vec<(u64, u64)> = shards.iter().map(|s| (s.documents, s.tokens)).collect();
            // [1 2 0] [3 4 5 0 | would pass 5] [6 0] [7..12 0 alone] [0]
            assert_eq!(
                counts,
                vec![(1, 3), (1, 4), (1, 2), (1, 7), (1, 1)],
                "{format:?}"
            );
            assert_eq!(
                recover_shards(&dir, format, Dtype::U16, false).unwrap(),
                shards
            );
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn documents_read_back() {
        for format in [OutputFormat::Bin, OutputFormat::Npy, OutputFormat::Jsonl] {
            let dir = temp_dir(&format!("read-{format:?}"));
            let shards = write_all(&dir, format, Dtype::U16);
            let documents: Vec<Vec<TokenId>> = shards
                .iter()
                .flat_map(|s| read_documents(&dir, s, format, Dtype::U16).unwrap())
                .collect();
            let expected: Vec<Vec<TokenId>> = vec![
                vec![1, 2, 0],
                vec![3, 4, 5, 0],
                vec![6, 0],
                vec![7, 8, 9, 10, 11, 12, 0],
                vec![0],
            ];
            assert_eq!(documents, expected, "{format:?}");
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn ids_the_index_does_not_cover_are_an_error() {
        let dir = temp_dir("uncovered");
        let shards = write_all(&dir, OutputFormat::Bin, Dtype::U16);
        let data = dir.join(&shards[0].file);
        let mut bytes = std::fs::read(&data).unwrap();
        bytes.extend_from_slice(&[9, 0]);
        std::fs::write(&data, bytes).unwrap();
        let error = read_documents(&dir, &shards[0], OutputFormat::Bin, Dtype::U16)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("holds 4 IDs, but its index ends at 3"),
            "{error}"
        );
        let error = recover_shards(&dir, OutputFormat::Bin, Dtype::U16, false)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("holds 4 IDs, but its index ends at 3"),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_manifest_names_only_files_of_its_directory() {
        let dir = temp_dir("foreign");
        let mut shards = write_all(&dir, OutputFormat::Bin, Dtype::U16);
        for name in ["/dev/zero", "../shard-00000.bin", ""] {
            shards[0].file = name.into();
            let error = read_documents(&dir, &shards[0], OutputFormat::Bin, Dtype::U16)
                .unwrap_err()
                .to_string();
            assert!(error.contains("not a file of this directory"), "{error}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bin_layout() {
        let dir = temp_dir("layout");
        let mut writer = ShardWriter::new(&dir, OutputFormat::Bin, Dtype::U32, 100, Vec::new());
        writer.write_document(&[1, 70_000], None).unwrap();
        writer.write_document(&[3], None).unwrap();
        writer.finish().unwrap();
        let data = std::fs::read(dir.join("shard-00000.bin")).unwrap();
        assert_eq!(data, [1u32, 70_000, 3].map(u32::to_le_bytes).concat());
        let index = std::fs::read(dir.join("shard-00000.idx")).unwrap();
        assert_eq!(index, [0u64, 2, 3].map(u64::to_le_bytes).concat());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn writing_back_while_writing_changes_nothing() {
        let documents: Vec<Vec<TokenId>> = (0..2000u32)
            .map(|i| (0..i % 37).map(|t| t * 1000 + i).collect())
            .collect();
        let written = |writeback_bytes: u64| {
            let dir = temp_dir(&format!("writeback-{writeback_bytes}"));
            let mut writer =
                ShardWriter::new(&dir, OutputFormat::Bin, Dtype::U32, 10_000, Vec::new());
            writer.writeback_bytes = writeback_bytes;
            for document in &documents {
                writer.write_document(document, Some(7)).unwrap();
            }
            let shards = writer.finish().unwrap();
            let files: Vec<Vec<u8>> = shards
                .iter()
                .flat_map(|s| [&s.file, s.index.as_ref().unwrap()])
                .map(|name| std::fs::read(dir.join(name)).unwrap())
                .collect();
            std::fs::remove_dir_all(&dir).unwrap();
            (shards, files)
        };
        let (shards, files) = written(WRITEBACK_BYTES);
        assert!(shards.len() > 1);
        // A writeback asked for every few documents, overlapping the writes and the syncs.
        assert_eq!(written(64), (shards, files));
    }

    #[test]
    fn recovery_removes_unfinished_files() {
        let dir = temp_dir("recover");
        write_all(&dir, OutputFormat::Bin, Dtype::U16);
        std::fs::remove_file(dir.join("shard-00003.bin")).unwrap();
        std::fs::write(dir.join(".shard-00004.bin.tmp"), b"partial").unwrap();
        let shards = recover_shards(&dir, OutputFormat::Bin, Dtype::U16, false).unwrap();
        assert_eq!(shards.len(), 3);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), 6, "{left:?}");
        assert_eq!(left.last().unwrap(), "shard-00002.idx");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
