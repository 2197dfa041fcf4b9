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

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use omnitok_tokenizer::TokenId;
use serde::{Deserialize, Serialize};

use crate::error::{CorpusError, Result};
use crate::npy;

/// How shards are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Bin,
    Npy,
    Jsonl,
}

/// The integer type of stored token IDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dtype {
    #[serde(rename = "uint16")]
    U16,
    #[serde(rename = "uint32")]
    U32,
}

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

    fn npy_descr(self) -> &'static str {
        match self {
            Dtype::U16 => "<u2",
            Dtype::U32 => "<u4",
        }
    }
}

/// Appends `ids` to `bytes` as little-endian integers of `dtype`. The IDs come from the
/// tokenizer whose vocabulary size chose the dtype, so they fit in it.
fn put_ids(bytes: &mut Vec<u8>, ids: &[TokenId], dtype: Dtype) {
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

/// The temporary name a file is written under before it is complete.
fn temporary_name(name: &str) -> String {
    format!(".{name}.tmp")
}

/// Bytes a [`PendingFile`] gathers before handing them to the kernel.
const BUFFER_BYTES: usize = 1 << 20;

/// Bytes written to a data file after which the [`Finisher`] is asked to write its pages to
/// disk while the run goes on, so that syncing the finished shard has little left to do (left
/// to the kernel, a shard of hundreds of MB was written out only then, while the run waited).
const WRITEBACK_BYTES: u64 = 32 << 20;

/// A file being written under its temporary name.
struct PendingFile {
    path: PathBuf,
    file: File,
    /// Bytes not yet handed to the kernel; filled in place by [`PendingFile::append`].
    buffer: Vec<u8>,
    /// Bytes written since the last writeback.
    since_writeback: u64,
}

impl PendingFile {
    fn create(dir: &Path, name: &str) -> Result<Self> {
        let path = dir.join(temporary_name(name));
        let file = File::create(&path).map_err(|e| CorpusError::io(path.display(), e))?;
        Ok(PendingFile {
            file,
            path,
            buffer: Vec::with_capacity(BUFFER_BYTES),
            since_writeback: 0,
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.append(|buffer| buffer.extend_from_slice(bytes))
    }

    /// Lets `fill` append to the buffer, then hands the buffer to the kernel once full.
    fn append(&mut self, fill: impl FnOnce(&mut Vec<u8>)) -> Result<()> {
        let before = self.buffer.len();
        fill(&mut self.buffer);
        self.since_writeback += (self.buffer.len() - before) as u64;
        if self.buffer.len() >= BUFFER_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.file
            .write_all(&self.buffer)
            .map_err(|e| CorpusError::io(self.path.display(), e))?;
        self.buffer.clear();
        Ok(())
    }

    /// A second handle on the file (and its path) once `every` bytes were written since the
    /// last one (those still in the buffer are left for the next).
    fn writeback_due(&mut self, every: u64) -> Result<Option<(File, PathBuf)>> {
        if self.since_writeback < every {
            return Ok(None);
        }
        self.since_writeback = 0;
        let handle = self
            .file
            .try_clone()
            .map_err(|e| CorpusError::io(self.path.display(), e))?;
        Ok(Some((handle, self.path.clone())))
    }

    /// Flushes and overwrites the start with `header` (if any); the file is then ready to be
    /// synced and renamed to `dir/name`.
    fn written(mut self, dir: &Path, name: &str, header: Option<Vec<u8>>) -> Result<WrittenFile> {
        self.flush()?;
        let (path, mut file) = (self.path, self.file);
        let io = |e| CorpusError::io(path.display(), e);
        if let Some(header) = header {
            file.seek(SeekFrom::Start(0)).map_err(io)?;
            file.write_all(&header).map_err(io)?;
        }
        Ok(WrittenFile {
            file,
            temporary: path,
            target: dir.join(name),
        })
    }
}

/// A file written in full under its temporary name.
struct WrittenFile {
    file: File,
    temporary: PathBuf,
    target: PathBuf,
}

/// What the [`Finisher`] is asked to do.
enum FinisherJob {
    /// Write what the file holds so far to disk (the file is still being written).
    Writeback(File, PathBuf),
    /// Sync the files of one shard, then rename them in the order given.
    Finish(Vec<WrittenFile>),
}

/// Syncs written shards to disk and renames them into place, in order, on a thread of its own,
/// so that writing the next shard does not wait for the disk; meanwhile it writes the open
/// shard's data to disk as it grows.
struct Finisher {
    queue: Option<crossbeam_channel::Sender<FinisherJob>>,
    /// A writeback is queued or running (another is not asked for until it is done).
    writing_back: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
}

impl Finisher {
    fn start() -> Self {
        let (queue, jobs) = crossbeam_channel::unbounded::<FinisherJob>();
        let writing_back = Arc::new(AtomicBool::new(false));
        let busy = Arc::clone(&writing_back);
        let thread = std::thread::spawn(move || {
            for job in jobs {
                match job {
                    FinisherJob::Writeback(file, path) => {
                        let synced = file.sync_data();
                        busy.store(false, Ordering::Release);
                        synced.map_err(|e| CorpusError::io(path.display(), e))?;
                    }
                    FinisherJob::Finish(files) => {
                        for written in &files {
                            let io = |e| CorpusError::io(written.temporary.display(), e);
                            written.file.sync_all().map_err(io)?;
                        }
                        // In the order given: the data file, last, marks the shard complete.
                        for written in &files {
                            let io = |e| CorpusError::io(written.temporary.display(), e);
                            std::fs::rename(&written.temporary, &written.target).map_err(io)?;
                        }
                    }
                }
            }
            Ok(())
        });
        Finisher {
            queue: Some(queue),
            writing_back,
            thread: Some(thread),
        }
    }

    /// Queues `job`; if the thread has stopped, returns its error.
    fn send(&mut self, job: FinisherJob) -> Result<()> {
        let sent = self.queue.as_ref().is_some_and(|q| q.send(job).is_ok());
        if sent {
            Ok(())
        } else {
            // The thread stopped on an error: report it.
            self.wait().and(Err(CorpusError::BadParameter(
                "shard finisher stopped".to_string(),
            )))
        }
    }

    /// Queues a writeback of `file` unless one is still under way (`file` is then dropped).
    fn writeback(&mut self, file: File, path: PathBuf) -> Result<()> {
        if self.writing_back.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        self.send(FinisherJob::Writeback(file, path))
    }

    /// Queues the files of one shard, to be synced, then renamed in the order given.
    fn finish(&mut self, files: Vec<WrittenFile>) -> Result<()> {
        self.send(FinisherJob::Finish(files))
    }

    /// Waits until every queued shard is in place.
    fn wait(&mut self) -> Result<()> {
        self.queue = None;
        match self.thread.take().map(std::thread::JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(CorpusError::BadParameter(
                "the shard finisher panicked".to_string(),
            )),
        }
    }
}

/// The shard being filled.
struct OpenShard {
    number: usize,
    data: PendingFile,
    index: Option<PendingFile>,
    spans: Option<PendingFile>,
    documents: u64,
    tokens: u64,
}

/// Writes documents' tokens into consecutive shards of about `shard_tokens` tokens. Shards are
/// in place once [`ShardWriter::finish`] returns.
pub struct ShardWriter {
    dir: PathBuf,
    format: OutputFormat,
    dtype: Dtype,
    shard_tokens: u64,
    /// Whether documents come with notes, written to a spans file per shard.
    spans: bool,
    open: Option<OpenShard>,
    complete: Vec<ShardInfo>,
    finisher: Finisher,
    /// Data bytes between writebacks ([`WRITEBACK_BYTES`]).
    writeback_bytes: u64,
}

impl ShardWriter {
    /// A writer into `dir` that continues after the `complete` shards already there.
    pub fn new(
        dir: &Path,
        format: OutputFormat,
        dtype: Dtype,
        shard_tokens: u64,
        complete: Vec<ShardInfo>,
    ) -> Self {
        ShardWriter {
            dir: dir.to_path_buf(),
            format,
            dtype,
            shard_tokens: shard_tokens.max(1),
            spans: false,
            open: None,
            complete,
            finisher: Finisher::start(),
            writeback_bytes: WRITEBACK_BYTES,
        }
    }

    /// Writes a spans file beside each shard: each document's note (a JSON line) from
    /// [`ShardWriter::write_document_with_note`].
    pub fn with_spans(mut self) -> Self {
        self.spans = true;
        self
    }

    /// Appends one document (its tokens, then `eot` if given). A shard holds whole documents: a
    /// document that would take the open shard past `shard_tokens` starts a new one.
    pub fn write_document(&mut self, tokens: &[TokenId], eot: Option<TokenId>) -> Result<()> {
        self.write_document_with_note(tokens, eot, None)
    }

    /// [`ShardWriter::write_document`], and the document's note (a JSON line, newline
    /// included) in the spans file when the writer keeps one.
    pub fn write_document_with_note(
        &mut self,
        tokens: &[TokenId],
        eot: Option<TokenId>,
        note: Option<&[u8]>,
    ) -> Result<()> {
        let len = tokens.len() as u64 + u64::from(eot.is_some());
        if self
            .open
            .as_ref()
            .is_some_and(|s| s.documents > 0 && s.tokens + len > self.shard_tokens)
        {
            self.close_shard()?;
        }
        if self.open.is_none() {
            self.open = Some(self.open_shard()?);
        }
        let (format, dtype) = (self.format, self.dtype);
        let Some(shard) = self.open.as_mut() else {
            unreachable!("a shard was opened above")
        };
        shard.data.append(|bytes| match format {
            OutputFormat::Bin | OutputFormat::Npy => {
                put_ids(bytes, tokens, dtype);
                put_ids(bytes, eot.as_slice(), dtype);
            }
            OutputFormat::Jsonl => {
                bytes.extend_from_slice(b"{\"tokens\":[");
                for (i, id) in tokens.iter().chain(eot.as_ref()).enumerate() {
                    if i > 0 {
                        bytes.push(b',');
                    }
                    bytes.extend_from_slice(id.to_string().as_bytes());
                }
                bytes.extend_from_slice(b"]}\n");
            }
        })?;
        shard.tokens += len;
        shard.documents += 1;
        if let Some(index) = shard.index.as_mut() {
            index.write(&shard.tokens.to_le_bytes())?;
        }
        if let Some(spans) = shard.spans.as_mut() {
            spans.write(note.unwrap_or(b"null\n"))?;
        }
        if let Some((file, path)) = shard.data.writeback_due(self.writeback_bytes)? {
            self.finisher.writeback(file, path)?;
        }
        Ok(())
    }

    /// Completes the last shard and returns every complete shard.
    pub fn finish(mut self) -> Result<Vec<ShardInfo>> {
        if self.open.is_some() {
            self.close_shard()?;
        }
        self.finisher.wait()?;
        Ok(self.complete)
    }

    fn open_shard(&self) -> Result<OpenShard> {
        let number = self.complete.len();
        let (data_name, index_name) = shard_names(number, self.format);
        let mut data = PendingFile::create(&self.dir, &data_name)?;
        let mut index = index_name
            .map(|name| PendingFile::create(&self.dir, &name))
            .transpose()?;
        if self.format == OutputFormat::Npy {
            data.write(&[0; npy::HEADER_BYTES])?;
        }
        if let Some(index) = index.as_mut() {
            if self.format == OutputFormat::Npy {
                index.write(&[0; npy::HEADER_BYTES])?;
            }
            index.write(&0u64.to_le_bytes())?;
        }
        let spans = self
            .spans
            .then(|| PendingFile::create(&self.dir, &spans_name(number)))
            .transpose()?;
        Ok(OpenShard {
            number,
            data,
            index,
            spans,
            documents: 0,
            tokens: 0,
        })
    }

    fn close_shard(&mut self) -> Result<()> {
        let Some(shard) = self.open.take() else {
            return Ok(());
        };
        let (data_name, index_name) = shard_names(shard.number, self.format);
        let npy = self.format == OutputFormat::Npy;
        let mut files = Vec::with_capacity(3);
        if let (Some(index), Some(name)) = (shard.index, &index_name) {
            let header = npy.then(|| npy::header("<u8", &[shard.documents + 1]));
            files.push(index.written(&self.dir, name, header)?);
        }
        let spans_file = shard.spans.is_some().then(|| spans_name(shard.number));
        if let (Some(spans), Some(name)) = (shard.spans, &spans_file) {
            files.push(spans.written(&self.dir, name, None)?);
        }
        let header = npy.then(|| npy::header(self.dtype.npy_descr(), &[shard.tokens]));
        files.push(shard.data.written(&self.dir, &data_name, header)?);
        self.finisher.finish(files)?;
        self.complete.push(ShardInfo {
            file: data_name,
            index: index_name,
            spans: spans_file,
            documents: shard.documents,
            tokens: shard.tokens,
        });
        Ok(())
    }
}

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
fn check_index_covers(data_path: &Path, ids: u64, indexed: u64) -> Result<()> {
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

/// The documents of a complete shard in `dir`, each as its token IDs (end-of-text included).
pub fn read_documents(
    dir: &Path,
    shard: &ShardInfo,
    format: OutputFormat,
    dtype: Dtype,
) -> Result<Vec<Vec<TokenId>>> {
    let data_path = dir.join(&shard.file);
    let read = |path: &Path| std::fs::read(path).map_err(|e| CorpusError::io(path.display(), e));
    let corrupt = |path: &Path, what: String| CorpusError::output_dir(path.display(), what);
    if format == OutputFormat::Jsonl {
        #[derive(serde::Deserialize)]
        struct Line {
            tokens: Vec<TokenId>,
        }
        let text = String::from_utf8(read(&data_path)?)
            .map_err(|_| corrupt(&data_path, "not UTF-8".into()))?;
        return text
            .lines()
            .enumerate()
            .map(|(i, line)| {
                serde_json::from_str::<Line>(line)
                    .map(|l| l.tokens)
                    .map_err(|e| corrupt(&data_path, format!("line {}: {e}", i + 1)))
            })
            .collect();
    }
    let index_path = dir.join(shard.index.as_deref().unwrap_or_default());
    let (data, index) = (read(&data_path)?, read(&index_path)?);
    // Skip the .npy headers: the data follows at a known offset.
    let body = |bytes: &[u8], path: &Path| -> Result<Vec<u8>> {
        if format == OutputFormat::Npy {
            let header = npy::read_header(bytes).map_err(|e| corrupt(path, e))?;
            Ok(bytes[header.data_offset.min(bytes.len())..].to_vec())
        } else {
            Ok(bytes.to_vec())
        }
    };
    let (data, index) = (body(&data, &data_path)?, body(&index, &index_path)?);
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
    if let Some(&indexed) = offsets.last() {
        check_index_covers(&data_path, ids.len() as u64, indexed)?;
    }
    offsets
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
        .collect()
}

#[cfg(test)]
mod tests {
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
