//! Picking up after an interruption: the complete shards are read back from their files, and
//! what was left half-written is removed.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::{shard_names, spans_name, Dtype, OutputFormat, ShardInfo};
use crate::error::{CorpusError, Result};
use crate::npy;

/// The complete shards in `dir`, read back from their files, after removing what an
/// interrupted run left half-written (temporary files, and files of shards after the last
/// complete one). `spans`: the run writes spans files.
pub fn recover_shards(
    dir: &Path,
    format: OutputFormat,
    dtype: Dtype,
    spans: bool,
) -> Result<Vec<ShardInfo>> {
    let entries = std::fs::read_dir(dir).map_err(|e| CorpusError::io(dir.display(), e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| CorpusError::io(dir.display(), e))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    for name in &names {
        if name.starts_with(".shard-") && name.ends_with(".tmp") {
            remove(&dir.join(name))?;
        }
    }
    let mut complete = Vec::new();
    loop {
        let (data_name, index_name) = shard_names(complete.len(), format);
        if !dir.join(&data_name).exists() {
            break;
        }
        let mut shard = read_shard(dir, data_name, index_name, format, dtype)?;
        if spans {
            let name = spans_name(complete.len());
            let lines = count_lines(&dir.join(&name))?;
            if lines != shard.documents {
                return Err(CorpusError::output_dir(
                    dir.join(&name).display(),
                    format!(
                        "{lines} lines for {} documents; the output directory was changed outside omnitok",
                        shard.documents
                    ),
                ));
            }
            shard.spans = Some(name);
        }
        complete.push(shard);
    }
    // An index renamed into place just before an interruption has no data file: remove it.
    let first_missing = format!("shard-{:05}", complete.len());
    for name in &names {
        if name.starts_with("shard-") && name.as_str() >= first_missing.as_str() {
            remove(&dir.join(name))?;
        }
    }
    Ok(complete)
}

fn count_lines(path: &Path) -> Result<u64> {
    let bytes = std::fs::read(path).map_err(|e| CorpusError::io(path.display(), e))?;
    Ok(bytes.iter().filter(|&&b| b == b'\n').count() as u64)
}

fn remove(path: &Path) -> Result<()> {
    std::fs::remove_file(path).map_err(|e| CorpusError::io(path.display(), e))
}

/// Reads a complete shard's document and token counts from its files.
fn read_shard(
    dir: &Path,
    file: String,
    index: Option<String>,
    format: OutputFormat,
    dtype: Dtype,
) -> Result<ShardInfo> {
    let data_path = dir.join(&file);
    let corrupt = |path: &Path, what: &str| {
        CorpusError::output_dir(
            path.display(),
            format!("{what}; the output directory was changed outside omnitok"),
        )
    };
    let io = |path: &Path, e| CorpusError::io(path.display(), e);
    let size = |path: &Path| {
        std::fs::metadata(path)
            .map(|m| m.len())
            .map_err(|e| io(path, e))
    };
    let read_header = |path: &Path| -> Result<u64> {
        let mut header = vec![0; npy::HEADER_BYTES];
        File::open(path)
            .and_then(|mut f| f.read_exact(&mut header))
            .map_err(|e| io(path, e))?;
        npy::first_dimension(&header)
            .ok_or_else(|| corrupt(path, "not an .npy file written by omnitok"))
    };
    let (documents, tokens) = match format {
        OutputFormat::Bin | OutputFormat::Npy => {
            let index_name = index.as_deref().unwrap_or_default();
            let index_path = dir.join(index_name);
            let (tokens, offsets) = if format == OutputFormat::Bin {
                let data = size(&data_path)?;
                if data % dtype.size() != 0 {
                    return Err(corrupt(&data_path, "size is not a whole number of IDs"));
                }
                (data / dtype.size(), size(&index_path)? / 8)
            } else {
                (read_header(&data_path)?, read_header(&index_path)?)
            };
            if offsets == 0 {
                return Err(corrupt(&index_path, "empty index"));
            }
            if format == OutputFormat::Npy
                && size(&data_path)? != npy::HEADER_BYTES as u64 + tokens * dtype.size()
            {
                return Err(corrupt(&data_path, "size differs from its header's"));
            }
            // The index's last entry: where the last document ends.
            let mut last = [0u8; 8];
            File::open(&index_path)
                .and_then(|mut f| {
                    f.seek(SeekFrom::End(-8))?;
                    f.read_exact(&mut last)
                })
                .map_err(|e| io(&index_path, e))?;
            check_index_covers(&data_path, tokens, u64::from_le_bytes(last))?;
            (offsets - 1, tokens)
        }
        OutputFormat::Jsonl => {
            #[derive(serde::Deserialize)]
            struct Line {
                tokens: Vec<u64>,
            }
            let reader = File::open(&data_path).map_err(|e| io(&data_path, e))?;
            let (mut documents, mut tokens) = (0, 0);
            for line in BufReader::new(reader).lines() {
                let line = line.map_err(|e| io(&data_path, e))?;
                let parsed: Line = serde_json::from_str(&line)
                    .map_err(|_| corrupt(&data_path, "not a shard written by omnitok"))?;
                documents += 1;
                tokens += parsed.tokens.len() as u64;
            }
            (documents, tokens)
        }
    };
    Ok(ShardInfo {
        file,
        index,
        spans: None,
        documents,
        tokens,
    })
}

/// An error unless the shard at `data_path`, holding `ids` IDs, ends where its index's last
/// entry (`indexed`) says: IDs past it would be lost without a word, and a shard cut short would
/// pass for complete.
pub(super) fn check_index_covers(data_path: &Path, ids: u64, indexed: u64) -> Result<()> {
    if ids == indexed {
        return Ok(());
    }
    Err(CorpusError::output_dir(
        data_path.display(),
        format!(
            "holds {ids} IDs, but its index ends at {indexed}; the output directory was changed \
             outside omnitok"
        ),
    ))
}
