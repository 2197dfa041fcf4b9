//! Writing shards: files filled under temporary names, synced by a background thread, renamed
//! into place index first, data last.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use omnitok_tokenizer::TokenId;

use super::{put_ids, shard_names, spans_name, Dtype, OutputFormat, ShardInfo};
use crate::error::{CorpusError, Result};
use crate::files;
use crate::npy;

/// Bytes a [`PendingFile`] gathers before handing them to the kernel.
const BUFFER_BYTES: usize = 1 << 20;

/// Bytes written to a data file after which the [`Finisher`] is asked to write its pages to
/// disk while the run goes on, so that syncing the finished shard has little left to do (left
/// to the kernel, a shard of hundreds of MB was written out only then, while the run waited).
pub(super) const WRITEBACK_BYTES: u64 = 32 << 20;

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
        let path = files::temporary_path(&dir.join(name));
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
    pub(super) writeback_bytes: u64,
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
