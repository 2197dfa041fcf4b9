//! Tokenizing corpora into shards.
//!
//! [`tokenize`] reads every input in order (files, directories, stdin; text, JSON Lines or
//! Parquet; plain, gzip or zstd), splits them into documents, encodes the documents on a pool of
//! threads and writes the tokens in input order into shards ([`shards`]), then writes
//! `manifest.json` ([`manifest`]). The output is byte-identical for any number of threads.
//!
//! Memory is bounded whatever the corpus size: at most `4 × threads × 1 MiB` of text (or one
//! larger document) is in flight between reading and writing, and each in-flight byte of text
//! costs at most its tokens (4 bytes per token) beside it; the rest is fixed-size buffers.
//! Documents are limited to [`ReadOptions::max_document_bytes`].
//!
//! Interruptions: shards are written under temporary names and renamed when complete, and the
//! manifest is written last. `resume` continues an interrupted run from its last complete
//! shard; the result is byte-identical to an uninterrupted run, provided the inputs did not
//! change. The run's settings and inputs (paths, sizes, modification times) are kept in
//! `.omnitok-run.json` until the manifest is written, and a resumed run must have the same ones.
//!
//! Multimodal runs ([`TokenizeOptions::multimodal`], `omnitok mux`) read JSON lines of parts
//! (text, audio, images, video) and write IDs of a token layout the same way, with a spans file
//! per shard (each document's segments, or why it was skipped) and per-modality totals in the
//! manifest.

pub mod manifest;
mod pipeline;
pub mod shards;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;

use omnitok_tokenizer::{SpecialPolicy, Tokenizer};

pub use crate::read::documents::{
    dotted_path, ErrorKind, ErrorLog, InputError, OnError, ReadOptions, Split,
};
pub use crate::read::inputs::{
    find_inputs, Input, InputFormat, InputFormatChoice, InputSelection, SkippedInput, Source,
};
pub use manifest::{InputRecord, LayoutInfo, Manifest, Settings, TokenizerInfo, Totals};
pub use pipeline::DocumentNote;
pub use shards::{read_run, Dtype, FinishedRun, OutputFormat, ShardInfo};

use crate::error::{CorpusError, Result};
use crate::files;
use crate::multimodal::DocumentEncoder;
use crate::read::inputs::InputState;

/// The manifest's file name in the output directory.
pub const MANIFEST: &str = "manifest.json";
/// The settings of a run in progress, kept until the manifest is written.
pub const RUN_FILE: &str = ".omnitok-run.json";

/// Tokens a shard holds at most unless a caller says otherwise (a shard holds whole documents).
pub const DEFAULT_SHARD_TOKENS: u64 = 100_000_000;

/// The special token appended after each document when a caller asks for one without naming it.
pub const DEFAULT_EOT_TOKEN: &str = "<|endoftext|>";

/// Everything a tokenize run needs.
#[derive(Clone)]
pub struct TokenizeOptions {
    pub tokenizer: Arc<Tokenizer>,
    /// How the manifest names the tokenizer (an encoding name or a file path).
    pub tokenizer_name: String,
    /// Files, directories, and `-` for stdin.
    pub inputs: Vec<PathBuf>,
    pub selection: InputSelection,
    pub read: ReadOptions,
    pub output_dir: PathBuf,
    pub format: OutputFormat,
    /// A shard is closed before a document that would take it past this many tokens.
    pub shard_tokens: u64,
    /// The special token appended after each document, if any (e.g. `<|endoftext|>`).
    pub append_eot: Option<String>,
    /// Whether special tokens' strings in the text become special tokens; when false they are
    /// encoded as ordinary text.
    pub allow_special: bool,
    pub threads: usize,
    /// Continue an interrupted run in `output_dir` instead of starting a new one.
    pub resume: bool,
    /// Documents are JSON lines of parts, encoded into this layout (read the inputs as text,
    /// line by line). `tokenizer` must be the layout's.
    pub multimodal: Option<Multimodal>,
}

/// The layout of a multimodal run and what encodes into it.
#[derive(Clone)]
pub struct Multimodal {
    /// How the manifest names the layout (its file as given).
    pub layout_name: String,
    pub encoder: Arc<DocumentEncoder>,
    /// How video frames are sampled, as recorded in the settings (a resumed run must match).
    pub video_frames: String,
}

/// Live counters for progress display; read them from another thread while a run goes on.
#[derive(Debug, Default)]
pub struct TokenizeProgress {
    /// Bytes of input read as stored (compressed, if they are).
    pub input_bytes: AtomicU64,
    /// Total size of the file inputs (stdin is not included), known once inputs are found.
    pub input_bytes_total: AtomicU64,
    /// Bytes of document text written as tokens.
    pub text_bytes: AtomicU64,
    pub tokens: AtomicU64,
    pub documents: AtomicU64,
    /// Set from another thread to stop the run: it ends with [`CorpusError::Interrupted`] and
    /// leaves its output to resume.
    pub stop: AtomicBool,
}

/// What [`tokenize`] did.
#[derive(Debug)]
pub enum TokenizeOutcome {
    /// The run finished (now, or after resuming) and wrote this manifest.
    Finished(Manifest),
    /// `resume` found the run already finished; this is its manifest.
    AlreadyFinished(Manifest),
}

/// Tokenizes the inputs of `options` into its output directory. See the module documentation.
pub fn tokenize(options: &TokenizeOptions, progress: &TokenizeProgress) -> Result<TokenizeOutcome> {
    crate::check_threads(options.threads)?;
    if options.shard_tokens == 0 {
        return Err(CorpusError::BadParameter(
            "shard size must be at least 1 token".into(),
        ));
    }
    let tokenizer = &options.tokenizer;
    let eot = options
        .append_eot
        .as_deref()
        .map(|name| {
            tokenizer.special_tokens().id(name).ok_or_else(|| {
                CorpusError::BadParameter(format!(
                    "{} has no special token {name:?} to append after documents",
                    options.tokenizer_name
                ))
            })
        })
        .transpose()?;
    let n_vocab = match &options.multimodal {
        Some(multimodal) => multimodal.encoder.layout().n_vocab() as usize,
        None => tokenizer.n_vocab(),
    };
    let dtype = Dtype::for_vocab(n_vocab);
    let tokenizer_info = TokenizerInfo {
        name: options.tokenizer_name.clone(),
        sha256: tokenizer.sha256(),
        n_vocab: tokenizer.n_vocab(),
        eot,
    };
    let settings = settings(options, dtype);
    let dir = &options.output_dir;

    // Inputs first: a run that has nothing to read leaves the output directory alone.
    let selection = InputSelection {
        exclude: Some(dir.clone()),
        ..options.selection.clone()
    };
    let (inputs, skipped, states) =
        crate::read::find_readable_inputs(&options.inputs, &selection, options.read.on_error)?;
    progress.input_bytes_total.store(
        InputState::total_size(&states),
        std::sync::atomic::Ordering::Relaxed,
    );

    let complete = if options.resume {
        if let Some(manifest) = read_manifest(dir)? {
            let recorded = (&manifest.tokenizer, &manifest.settings);
            check_same_run(dir, "finished", recorded, (&tokenizer_info, &settings))?;
            return Ok(TokenizeOutcome::AlreadyFinished(manifest));
        }
        check_run_file(dir, &tokenizer_info, &settings, &states)?;
        shards::recover_shards(dir, options.format, dtype, options.multimodal.is_some())?
    } else {
        start_run(dir, &tokenizer_info, &settings, &states)?;
        Vec::new()
    };

    let encoding = match &options.multimodal {
        Some(multimodal) => pipeline::Encoding::Multimodal(Arc::clone(&multimodal.encoder)),
        None => pipeline::Encoding::Text {
            tokenizer: Arc::clone(tokenizer),
            policy: if options.allow_special {
                SpecialPolicy::allow_all()
            } else {
                SpecialPolicy::as_text()
            },
        },
    };
    let job = pipeline::Job {
        encoding: &encoding,
        read: &options.read,
        eot,
        threads: options.threads,
        chunk_bytes: if options.multimodal.is_some() {
            0
        } else {
            pipeline::CHUNK_BYTES
        },
        skip_documents: complete.iter().map(|s| s.documents).sum(),
        scratch_dir: dir,
        progress,
    };
    let mut writer =
        shards::ShardWriter::new(dir, options.format, dtype, options.shard_tokens, complete);
    if options.multimodal.is_some() {
        writer = writer.with_spans();
    }
    let (mut read, shards) = pipeline::run(&job, &inputs, writer)?;
    let (layout, modalities) = match &options.multimodal {
        Some(multimodal) => {
            let totals = read_spans(dir, &shards, eot.is_some(), &mut read.errors)?;
            let layout = multimodal.encoder.layout();
            let info = LayoutInfo {
                name: multimodal.layout_name.clone(),
                checksum: layout.checksum(),
                n_vocab: layout.n_vocab(),
            };
            (Some(info), Some(totals.summary()))
        }
        None => (None, None),
    };

    let mut skipped_inputs = skipped;
    skipped_inputs.extend(read.skipped);
    let manifest = Manifest {
        layout_version: manifest::LAYOUT_VERSION,
        layout,
        tokenizer: tokenizer_info,
        settings,
        totals: Totals {
            inputs: read.inputs.len() as u64,
            documents: read.documents,
            empty_documents: read.empty_documents,
            bytes: read.bytes,
            tokens: shards.iter().map(|s| s.tokens).sum(),
            shards: shards.len() as u64,
        },
        shards,
        inputs: read.inputs,
        skipped_inputs,
        errors: read.errors,
        modalities,
    };
    write_json_atomically(&dir.join(MANIFEST), &manifest)?;
    let run_file = dir.join(RUN_FILE);
    std::fs::remove_file(&run_file).map_err(|e| CorpusError::io(run_file.display(), e))?;
    Ok(TokenizeOutcome::Finished(manifest))
}

/// Reads the spans files of `shards` (every shard of the run, resumed or not): the totals per
/// modality (`eot`: an end-of-text ID follows each encoded document), and the documents that
/// could not be encoded, recorded in `errors` after the reading errors.
fn read_spans(
    dir: &Path,
    shards: &[ShardInfo],
    eot: bool,
    errors: &mut ErrorLog,
) -> Result<crate::multimodal::Totals> {
    let mut totals = crate::multimodal::Totals::default();
    for shard in shards {
        let Some(name) = &shard.spans else { continue };
        let path = dir.join(name);
        let text =
            std::fs::read_to_string(&path).map_err(|e| CorpusError::io(path.display(), e))?;
        for (line, note) in text.lines().enumerate() {
            let note: DocumentNote = serde_json::from_str(note).map_err(|e| {
                CorpusError::output_dir(path.display(), format!("line {}: {e}", line + 1))
            })?;
            match note {
                DocumentNote::Spans(spans) => {
                    let ids = spans.last().map_or(0, |s| s.end) + u64::from(eot);
                    totals.add_document(ids, &spans);
                }
                DocumentNote::Error(error) => errors.record(error),
            }
        }
    }
    Ok(totals)
}

/// The settings of `options`, as recorded.
fn settings(options: &TokenizeOptions, dtype: Dtype) -> Settings {
    Settings {
        inputs: options
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        glob: options.selection.glob.clone(),
        input_format: options.selection.format,
        split: options.read.split,
        field: options.read.field.join("."),
        column: options.read.column.join("."),
        on_error: options.read.on_error,
        max_document_bytes: options.read.max_document_bytes,
        allow_special: options.allow_special,
        append_eot: options.append_eot.is_some(),
        format: options.format,
        dtype,
        shard_tokens: options.shard_tokens,
        video_frames: options.multimodal.as_ref().map(|m| m.video_frames.clone()),
    }
}

/// What `.omnitok-run.json` holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct RunFile {
    tokenizer: TokenizerInfo,
    settings: Settings,
    /// The inputs the run found; absent in run files that did not record them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inputs: Option<Vec<InputState>>,
}

/// Why the inputs found now are not those the interrupted run found, if they are not. Content
/// is not compared: a file counts as unchanged when its size and modification time are.
fn inputs_difference(recorded: &[InputState], now: &[InputState]) -> Option<String> {
    let shown = |path: &str| match path {
        "-" => "stdin".to_owned(),
        path => path.to_owned(),
    };
    for (i, (had, has)) in recorded.iter().zip(now).enumerate() {
        if had.path != has.path {
            return Some(format!(
                "read {} as input {}, this one {}",
                shown(&had.path),
                i + 1,
                shown(&has.path)
            ));
        }
        if had.size != has.size {
            let bytes = |size: Option<u64>| size.map_or("unknown".to_owned(), |s| s.to_string());
            return Some(format!(
                "read {} at {} bytes; it now has {}",
                had.path,
                bytes(had.size),
                bytes(has.size)
            ));
        }
        if had.modified_ns != has.modified_ns {
            return Some(format!("read {}, which has been modified since", had.path));
        }
    }
    if let Some(gained) = now.get(recorded.len()) {
        return Some(format!("did not read {}", shown(&gained.path)));
    }
    recorded
        .get(now.len())
        .map(|lost| format!("read {}, which is no longer found", shown(&lost.path)))
}

/// Creates the output directory (which must be empty or absent) and records the run's settings.
fn start_run(
    dir: &Path,
    tokenizer: &TokenizerInfo,
    settings: &Settings,
    inputs: &[InputState],
) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(CorpusError::output_dir(
            dir.display(),
            "is a file; the output is a folder",
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| CorpusError::io(dir.display(), e))?;
    let mut entries = std::fs::read_dir(dir).map_err(|e| CorpusError::io(dir.display(), e))?;
    if entries.next().is_some() {
        let message = if dir.join(RUN_FILE).exists() {
            "holds an unfinished run; pass --resume to continue it, or choose an empty directory"
        } else {
            "is not empty; choose an empty or new directory"
        };
        return Err(CorpusError::output_dir(dir.display(), message));
    }
    let run = RunFile {
        tokenizer: tokenizer.clone(),
        settings: settings.clone(),
        inputs: Some(inputs.to_vec()),
    };
    write_json_atomically(&dir.join(RUN_FILE), &run)
}

/// Checks that the interrupted run in `dir` had the same tokenizer, settings and inputs.
fn check_run_file(
    dir: &Path,
    tokenizer: &TokenizerInfo,
    settings: &Settings,
    inputs: &[InputState],
) -> Result<()> {
    let path = dir.join(RUN_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            CorpusError::output_dir(dir.display(), "holds no interrupted run to resume")
        } else {
            CorpusError::io(path.display(), e)
        }
    })?;
    let run: RunFile = serde_json::from_str(&text)
        .map_err(|e| CorpusError::output_dir(path.display(), format!("unreadable: {e}")))?;
    check_same_run(
        dir,
        "interrupted",
        (&run.tokenizer, &run.settings),
        (tokenizer, settings),
    )?;
    match run
        .inputs
        .and_then(|recorded| inputs_difference(&recorded, inputs))
    {
        Some(difference) => Err(CorpusError::output_dir(
            dir.display(),
            format!(
                "the interrupted run {difference}: its complete shards may not match the \
                 inputs any more; start again in an empty directory"
            ),
        )),
        None => Ok(()),
    }
}

/// Checks that the `state` ("interrupted", "finished") run in `dir`, `recorded`, had the
/// tokenizer and settings of the one `requested`.
fn check_same_run(
    dir: &Path,
    state: &str,
    recorded: (&TokenizerInfo, &Settings),
    requested: (&TokenizerInfo, &Settings),
) -> Result<()> {
    let differs = |what: String| {
        Err(CorpusError::output_dir(
            dir.display(),
            format!("the {state} run {what}"),
        ))
    };
    let ((had, had_settings), (wants, settings)) = (recorded, requested);
    if (&had.name, &had.sha256) != (&wants.name, &wants.sha256) {
        return differs(format!(
            "used tokenizer {} (sha256 {}), not {} (sha256 {})",
            had.name, had.sha256, wants.name, wants.sha256
        ));
    }
    if had.eot != wants.eot {
        let shown = |eot: Option<u32>| {
            eot.map_or_else(|| "no end-of-text ID".to_owned(), |id| format!("ID {id}"))
        };
        return differs(format!(
            "appended {} after each document, this one {}",
            shown(had.eot),
            shown(wants.eot)
        ));
    }
    if let Some((field, recorded, requested)) = had_settings.first_difference(settings) {
        return differs(format!("had {field} = {recorded}, this one {requested}"));
    }
    Ok(())
}

/// The manifest of a finished run in `dir`, if there is one.
pub fn read_manifest(dir: &Path) -> Result<Option<Manifest>> {
    let path = dir.join(MANIFEST);
    match omnitok_files::read_bounded(&path, MAX_MANIFEST_BYTES) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| CorpusError::output_dir(path.display(), format!("unreadable: {e}"))),
        Err(omnitok_files::BoundedReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(None)
        }
        Err(e) => Err(files::bounded_read_error(path.display(), e)),
    }
}

/// Largest manifest read: 1 GiB (it lists every input and shard of a run).
pub const MAX_MANIFEST_BYTES: u64 = 1 << 30;

/// Writes `value` as pretty JSON to `path`, whole or not at all.
fn write_json_atomically<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    files::write_synced(path, &files::pretty_json(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(path: &str, size: u64, modified_ns: u64) -> InputState {
        InputState {
            path: path.into(),
            size: Some(size),
            modified_ns: Some(modified_ns),
        }
    }

    #[test]
    fn inputs_differ_by_path_size_time_or_count() {
        let stdin = || InputState {
            path: "-".into(),
            size: None,
            modified_ns: None,
        };
        let recorded = [state("a.txt", 10, 5), stdin()];
        let same = [state("a.txt", 10, 5), stdin()];
        assert_eq!(inputs_difference(&recorded, &same), None);
        let cases: [(&[InputState], &str); 5] = [
            (
                &[state("b.txt", 10, 5)],
                "read a.txt as input 1, this one b.txt",
            ),
            (
                &[state("a.txt", 11, 5)],
                "read a.txt at 10 bytes; it now has 11",
            ),
            (
                &[state("a.txt", 10, 6)],
                "read a.txt, which has been modified since",
            ),
            (
                &[state("a.txt", 10, 5)],
                "read stdin, which is no longer found",
            ),
            (
                &[state("a.txt", 10, 5), stdin(), state("c", 1, 1)],
                "did not read c",
            ),
        ];
        for (now, expected) in cases {
            assert_eq!(inputs_difference(&recorded, now).as_deref(), Some(expected));
        }
    }
}
