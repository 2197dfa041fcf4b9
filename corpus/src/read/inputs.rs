//! Finding the inputs: files, directories walked recursively (optionally filtered by a glob),
//! and stdin; and the format of each.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use crate::error::{CorpusError, Result};

/// How the documents of an input are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// UTF-8 text.
    Text,
    /// One JSON object per line; the document is one string field.
    Jsonl,
    /// A Parquet file; the document is one string column.
    Parquet,
}

crate::choice::choice!(InputFormat, "input format", [Text => "text", Jsonl => "jsonl", Parquet => "parquet"]);

/// The input format as chosen by a user: one for every input, or `auto`, from each file name
/// ([`InputFormat::from_file_name`]; stdin is text).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormatChoice {
    #[default]
    Auto,
    Text,
    Jsonl,
    Parquet,
}

crate::choice::choice!(InputFormatChoice, "input format", [
    Auto => "auto", Text => "text", Jsonl => "jsonl", Parquet => "parquet",
]);

impl InputFormatChoice {
    /// The format forced on every input; `None` for `auto`.
    pub fn format(self) -> Option<InputFormat> {
        match self {
            InputFormatChoice::Auto => None,
            InputFormatChoice::Text => Some(InputFormat::Text),
            InputFormatChoice::Jsonl => Some(InputFormat::Jsonl),
            InputFormatChoice::Parquet => Some(InputFormat::Parquet),
        }
    }
}

impl InputFormat {
    /// The format a file name implies, after removing a `.gz`, `.zst` or `.zstd` suffix:
    /// `.jsonl`, `.ndjson` and `.json` are JSON Lines, `.parquet` and `.pq` Parquet, anything
    /// else text.
    pub fn from_file_name(name: &str) -> InputFormat {
        let name = name.to_ascii_lowercase();
        let stem = [".gz", ".zst", ".zstd"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .unwrap_or(&name);
        let extension = stem.rsplit_once('.').map_or("", |(_, e)| e);
        match extension {
            "jsonl" | "ndjson" | "json" => InputFormat::Jsonl,
            "parquet" | "pq" => InputFormat::Parquet,
            _ => InputFormat::Text,
        }
    }
}

/// Where an input's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file.
    File(PathBuf),
}

/// One input to tokenize.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub source: Source,
    pub format: InputFormat,
}

impl Input {
    /// The name used in messages and in the manifest: the path as given, or `-` for stdin.
    pub fn name(&self) -> String {
        match &self.source {
            Source::Stdin => "-".to_string(),
            Source::File(path) => path.display().to_string(),
        }
    }
}

/// An input as a run finds it (size and last modification, for files), so that the run can
/// show how much it has to read and a resumed run can tell that the input changed since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputState {
    pub path: String,
    /// Bytes; `None` for stdin, or when the file could not be looked at.
    pub size: Option<u64>,
    /// Last modification, in nanoseconds since the Unix epoch; `None` as for `size`.
    pub modified_ns: Option<u64>,
}

impl InputState {
    /// The state of each of `inputs`, in order.
    pub fn of_all(inputs: &[Input]) -> Vec<Self> {
        inputs
            .iter()
            .map(|input| {
                let metadata = match &input.source {
                    Source::File(path) => std::fs::metadata(path).ok(),
                    Source::Stdin => None,
                };
                let modified_ns = metadata
                    .as_ref()
                    .and_then(|m| m.modified().ok())
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .and_then(|d| u64::try_from(d.as_nanos()).ok());
                Self {
                    path: input.name(),
                    size: metadata.map(|m| m.len()),
                    modified_ns,
                }
            })
            .collect()
    }

    /// The total size of the files among `states` (stdin is not counted).
    pub fn total_size(states: &[Self]) -> u64 {
        states.iter().filter_map(|state| state.size).sum()
    }
}

/// An input left out while walking directories, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedInput {
    pub path: String,
    pub reason: String,
}

/// What to look for under the paths given.
#[derive(Clone, Debug, Default)]
pub struct InputSelection {
    /// Only files under a directory whose path relative to it matches this glob (`*` crosses
    /// `/`, so `*.jsonl` matches at any depth). Files named directly are always taken.
    pub glob: Option<String>,
    /// The format of every input, instead of guessing it from file names (stdin is text unless
    /// this is set).
    pub format: Option<InputFormat>,
    /// A directory whose contents are never inputs (the output directory).
    pub exclude: Option<PathBuf>,
}

/// The inputs named by `paths`, in order: a file is itself, `-` is stdin, a directory is every
/// file under it (not starting with `.`, not under `selection.exclude`) sorted by path.
/// A path that does not exist is an error, and so are directories that hold no input at all;
/// an unreadable entry inside a directory is returned as skipped, with the reason.
pub fn find_inputs(
    paths: &[PathBuf],
    selection: &InputSelection,
) -> Result<(Vec<Input>, Vec<SkippedInput>)> {
    let glob = selection
        .glob
        .as_deref()
        .map(|pattern| {
            Glob::new(pattern)
                .map(|g| g.compile_matcher())
                .map_err(|e| CorpusError::BadParameter(format!("--glob {pattern:?}: {e}")))
        })
        .transpose()?;
    let exclude = selection
        .exclude
        .as_deref()
        .and_then(|dir| dir.canonicalize().ok());
    let format_of = |path: &Path| {
        selection.format.unwrap_or_else(|| {
            InputFormat::from_file_name(&path.file_name().unwrap_or_default().to_string_lossy())
        })
    };
    let mut inputs = Vec::new();
    let mut skipped = Vec::new();
    let mut stdin_seen = false;
    for path in paths {
        if path == Path::new("-") {
            if stdin_seen {
                return Err(CorpusError::BadParameter(
                    "stdin (-) can be given only once".to_string(),
                ));
            }
            stdin_seen = true;
            inputs.push(Input {
                source: Source::Stdin,
                format: selection.format.unwrap_or(InputFormat::Text),
            });
            continue;
        }
        let metadata = std::fs::metadata(path).map_err(|e| CorpusError::io(path.display(), e))?;
        if metadata.is_dir() {
            walk_directory(
                path,
                glob.as_ref(),
                exclude.as_deref(),
                &mut skipped,
                |file| {
                    let format = format_of(&file);
                    inputs.push(Input {
                        source: Source::File(file),
                        format,
                    });
                },
            );
        } else {
            inputs.push(Input {
                format: format_of(path),
                source: Source::File(path.clone()),
            });
        }
    }
    if inputs.is_empty() && skipped.is_empty() {
        let named: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let files = match &selection.glob {
            Some(glob) => format!("no file matching --glob {glob:?}"),
            None => "no file".to_string(),
        };
        return Err(CorpusError::BadParameter(format!(
            "nothing to read: {} holds {files}",
            named.join(", ")
        )));
    }
    Ok((inputs, skipped))
}

/// Calls `found` with every file under `root` that passes the filters, sorted by path.
fn walk_directory(
    root: &Path,
    glob: Option<&GlobMatcher>,
    exclude: Option<&Path>,
    skipped: &mut Vec<SkippedInput>,
    mut found: impl FnMut(PathBuf),
) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let hidden = entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.');
            let excluded = exclude.is_some_and(|dir| {
                entry.file_type().is_dir()
                    && entry
                        .path()
                        .canonicalize()
                        .is_ok_and(|p| p.starts_with(dir))
            });
            !hidden && !excluded
        });
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
                if glob.is_none_or(|g| g.is_match(relative)) {
                    found(entry.into_path());
                }
            }
            Ok(_) => {}
            Err(e) => skipped.push(SkippedInput {
                path: e
                    .path()
                    .map_or_else(|| root.display().to_string(), |p| p.display().to_string()),
                reason: e
                    .io_error()
                    .map_or_else(|| e.to_string(), |io| io.to_string()),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names() {
        for (name, format) in [
            ("a.txt", InputFormat::Text),
            ("a", InputFormat::Text),
            ("a.jsonl", InputFormat::Jsonl),
            ("A.JSONL.GZ", InputFormat::Jsonl),
            ("a.ndjson.zst", InputFormat::Jsonl),
            ("a.parquet", InputFormat::Parquet),
            ("a.txt.zstd", InputFormat::Text),
            ("a.gz", InputFormat::Text),
        ] {
            assert_eq!(InputFormat::from_file_name(name), format, "{name}");
        }
    }
}
