//! Reading the documents of finished shards back.

use std::path::{Path, PathBuf};

use omnitok_tokenizer::TokenId;

use super::recovery::check_index_covers;
use super::{Dtype, OutputFormat, ShardInfo};
use crate::error::{CorpusError, Result};
use crate::npy;
use crate::tokenize::{read_manifest, Manifest};

/// A finished tokenize or mux run: its directory and its manifest.
#[derive(Clone, Debug)]
pub struct FinishedRun {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

/// The finished run in `dir`; an error when `dir` has no manifest (an unfinished run, or not a
/// run at all).
pub fn read_run(dir: &Path) -> Result<FinishedRun> {
    let manifest = read_manifest(dir)?.ok_or_else(|| {
        CorpusError::output_dir(
            dir.display(),
            "no manifest.json (not a finished tokenize or mux output)",
        )
    })?;
    Ok(FinishedRun {
        dir: dir.to_path_buf(),
        manifest,
    })
}

impl FinishedRun {
    /// Every document of every shard, in order, each as its token IDs (end-of-text included).
    pub fn documents(&self) -> Result<Vec<Vec<TokenId>>> {
        let settings = &self.manifest.settings;
        let mut documents = Vec::new();
        for shard in &self.manifest.shards {
            documents.extend(read_documents(
                &self.dir,
                shard,
                settings.format,
                settings.dtype,
            )?);
        }
        Ok(documents)
    }
}

/// The documents of a complete shard in `dir`, each as its token IDs (end-of-text included).
pub fn read_documents(
    dir: &Path,
    shard: &ShardInfo,
    format: OutputFormat,
    dtype: Dtype,
) -> Result<Vec<Vec<TokenId>>> {
    let corrupt = |path: &Path, what: String| CorpusError::output_dir(path.display(), what);
    // The manifest names files of the run's own directory; nothing else is read.
    let in_dir = |name: &str| {
        let plain = Path::new(name).file_name().is_some_and(|file| file == name);
        plain.then(|| dir.join(name)).ok_or_else(|| {
            corrupt(
                dir,
                format!("the manifest names {name:?}, not a file of this directory"),
            )
        })
    };
    // Each file is read within twice the size the manifest's counts give (and a MiB): a file
    // that does not match its counts is reported by the checks below, one that never ends is
    // not read to its end.
    let header = if format == OutputFormat::Npy {
        npy::HEADER_BYTES as u64
    } else {
        0
    };
    let (data_bytes, index_bytes) = match format {
        OutputFormat::Jsonl => (
            // `{"tokens": [...]}` lines: at most 11 bytes an ID, and a line's own.
            shard
                .tokens
                .saturating_mul(11)
                .saturating_add(shard.documents.saturating_mul(64)),
            0,
        ),
        _ => (
            shard.tokens.saturating_mul(dtype.size()),
            shard.documents.saturating_add(1).saturating_mul(8),
        ),
    };
    let read = |path: &Path, expected: u64| {
        let max_bytes = expected.saturating_add(header).saturating_mul(2);
        crate::files::read_bounded(path, max_bytes.saturating_add(1 << 20))
    };
    let data_path = in_dir(&shard.file)?;
    if format == OutputFormat::Jsonl {
        #[derive(serde::Deserialize)]
        struct Line {
            tokens: Vec<TokenId>,
        }
        let text = String::from_utf8(read(&data_path, data_bytes)?)
            .map_err(|_| corrupt(&data_path, "not UTF-8".into()))?;
        let documents = text
            .lines()
            .enumerate()
            .map(|(i, line)| {
                serde_json::from_str::<Line>(line)
                    .map(|l| l.tokens)
                    .map_err(|e| corrupt(&data_path, format!("line {}: {e}", i + 1)))
            })
            .collect::<Result<Vec<_>>>()?;
        check_counts(&data_path, shard, &documents)?;
        return Ok(documents);
    }
    let index_path = in_dir(shard.index.as_deref().unwrap_or_default())?;
    let (data, index) = (
        read(&data_path, data_bytes)?,
        read(&index_path, index_bytes)?,
    );
    // Skip the .npy headers: the data follows at a known offset.
    let body = |bytes: &[u8], path: &Path| -> Result<Vec<u8>> {
        if format == OutputFormat::Npy {
            let header = npy::read_header(bytes).map_err(|e| corrupt(path, e.to_string()))?;
            Ok(bytes[header.data_offset.min(bytes.len())..].to_vec())
        } else {
            Ok(bytes.to_vec())
        }
    };
    let (data, index) = (body(&data, &data_path)?, body(&index, &index_path)?);
    if data.len() as u64 % dtype.size() != 0 || index.len() % 8 != 0 {
        return Err(corrupt(
            &data_path,
            "a file that ends inside an ID or an index entry (cut short?)".into(),
        ));
    }
    let ids: Vec<TokenId> = match dtype {
        Dtype::U16 => data
            .chunks_exact(2)
            .map(|b| TokenId::from(u16::from_le_bytes([b[0], b[1]])))
            .collect(),
        Dtype::U32 => data
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
    };
    let offsets: Vec<u64> = index
        .chunks_exact(8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))
        .collect();
    match offsets.last() {
        Some(&indexed) => check_index_covers(&data_path, ids.len() as u64, indexed)?,
        None if !ids.is_empty() => {
            return Err(corrupt(
                &index_path,
                format!("an empty index for the {} IDs of {}", ids.len(), shard.file),
            ))
        }
        None => {}
    }
    let documents = offsets
        .windows(2)
        .map(|pair| {
            let (start, end) = (pair[0] as usize, pair[1] as usize);
            ids.get(start..end).map(<[TokenId]>::to_vec).ok_or_else(|| {
                corrupt(
                    &index_path,
                    format!(
                        "document {start}..{end} past the {} IDs of {}",
                        ids.len(),
                        shard.file
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    check_counts(&data_path, shard, &documents)?;
    Ok(documents)
}

/// An error unless the shard holds the documents and tokens its manifest entry counts.
fn check_counts(data_path: &Path, shard: &ShardInfo, documents: &[Vec<TokenId>]) -> Result<()> {
    let tokens: u64 = documents.iter().map(|d| d.len() as u64).sum();
    if documents.len() as u64 == shard.documents && tokens == shard.tokens {
        return Ok(());
    }
    Err(CorpusError::output_dir(
        data_path.display(),
        format!(
            "holds {} documents of {tokens} tokens, but the manifest counts {} of {}; the \
             output directory was changed outside omnitok",
            documents.len(),
            shard.documents,
            shard.tokens
        ),
    ))
}
