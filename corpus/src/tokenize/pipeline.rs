//! The ordered parallel pipeline: one thread reads documents into chunks, a rayon pool encodes
//! chunks, and the calling thread writes them in input order. The text in flight (sent to the
//! pool and not yet written) is capped by a byte budget and the chunks in flight by a count, so
//! memory stays bounded whatever the corpus size.
//!
//! Documents are text (encoded by a tokenizer, a megabyte of them to a chunk) or multimodal
//! JSON lines (encoded by a [`DocumentEncoder`], one to a chunk, since each may decode and encode
//! media); a multimodal document's spans, or the reason it was skipped, go beside its IDs.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};

use omnitok_tokenizer::{SpecialPolicy, TokenId, Tokenizer};
use serde::{Deserialize, Serialize};

use super::shards::{ShardInfo, ShardWriter};
use super::TokenizeProgress;
use crate::error::{CorpusError, Result};
use crate::multimodal::{parse_document, DocumentEncoder, Span};
use crate::read::documents::{Action, ErrorKind, InputError, OnError, ReadOptions};
use crate::read::inputs::Input;
use crate::read::{read_inputs, ReadSummary, Reading};

/// Text gathered into one chunk before it is handed to the pool.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Documents read in order, concatenated.
struct Chunk {
    text: String,
    /// End of each document in `text`.
    ends: Vec<usize>,
    /// Input index and line of each document, for error messages.
    origins: Vec<(usize, u64)>,
}

impl Chunk {
    fn new(text: String) -> Self {
        Chunk {
            text,
            ends: Vec::new(),
            origins: Vec::new(),
        }
    }

    /// Each document's text, input index and line, in order.
    fn documents(&self) -> impl Iterator<Item = (&str, usize, u64)> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .zip(&self.origins)
            .map(|((start, &end), &(input, line))| (&self.text[start..end], input, line))
    }
}

/// Largest buffer [`Recycled`] keeps.
const KEEP_BYTES: usize = 4 * CHUNK_BYTES;

/// Text and token buffers handed back once used, so that each chunk fills memory that is
/// already mapped and warm instead of fresh pages (fresh buffers made encoding ~10% slower).
/// It never holds more buffers than were in flight at once.
#[derive(Default)]
struct Recycled {
    texts: Mutex<Vec<String>>,
    tokens: Mutex<Vec<Vec<TokenId>>>,
}

impl Recycled {
    fn text(&self) -> String {
        let reused = self.texts.lock().unwrap_or_else(|e| e.into_inner()).pop();
        reused.unwrap_or_else(|| String::with_capacity(CHUNK_BYTES + CHUNK_BYTES / 4))
    }

    fn give_text(&self, mut text: String) {
        // A buffer grown for one huge document is let go rather than kept.
        if text.capacity() <= KEEP_BYTES {
            text.clear();
            self.texts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(text);
        }
    }

    fn tokens(&self) -> Vec<TokenId> {
        let reused = self.tokens.lock().unwrap_or_else(|e| e.into_inner()).pop();
        reused.unwrap_or_else(|| Vec::with_capacity(CHUNK_BYTES / 3))
    }

    fn give_tokens(&self, mut tokens: Vec<TokenId>) {
        if tokens.capacity() * std::mem::size_of::<TokenId>() <= KEEP_BYTES {
            tokens.clear();
            self.tokens
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(tokens);
        }
    }
}

/// A chunk's documents encoded.
struct Encoded {
    tokens: Vec<TokenId>,
    /// End of each document in `tokens`.
    ends: Vec<usize>,
    /// Multimodal documents: each one's [`DocumentNote`].
    notes: Vec<WrittenNote>,
    /// Text bytes of the chunk (released from the budget once written).
    text_bytes: usize,
}

/// A budget of text bytes and of chunks in flight. A chunk larger than the whole byte budget
/// still goes through, alone.
struct Budget {
    state: Mutex<BudgetState>,
    changed: Condvar,
    limit: usize,
    max_chunks: usize,
}

struct BudgetState {
    in_flight: usize,
    chunks: usize,
    closed: bool,
}

impl Budget {
    fn new(limit: usize, max_chunks: usize) -> Self {
        Budget {
            state: Mutex::new(BudgetState {
                in_flight: 0,
                chunks: 0,
                closed: false,
            }),
            changed: Condvar::new(),
            limit,
            max_chunks,
        }
    }

    /// Waits until a chunk of `bytes` fits; false once the budget is closed (the writer
    /// stopped).
    fn acquire(&self, bytes: usize) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while !state.closed
            && state.chunks > 0
            && (state.in_flight + bytes > self.limit || state.chunks >= self.max_chunks)
        {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.in_flight += bytes;
        state.chunks += 1;
        !state.closed
    }

    /// Gives back a chunk of `bytes`.
    fn release(&self, bytes: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.in_flight = state.in_flight.saturating_sub(bytes);
        state.chunks = state.chunks.saturating_sub(1);
        self.changed.notify_all();
    }

    fn close(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
        self.changed.notify_all();
    }
}

/// How documents become IDs.
#[derive(Clone)]
pub enum Encoding {
    /// Each document is text.
    Text {
        tokenizer: Arc<Tokenizer>,
        policy: SpecialPolicy,
    },
    /// Each document is a JSON line of parts, with paths relative to its input's directory.
    Multimodal(Arc<DocumentEncoder>),
}

/// What is kept beside each multimodal document's IDs: its segments' spans, or why it could
/// not be encoded (it is then an empty document).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentNote {
    Spans(Vec<Span>),
    Error(InputError),
}

impl Encoded {
    /// The encoding of `chunk`, whose text buffer is handed back.
    fn of(
        chunk: Chunk,
        tokens: Vec<TokenId>,
        ends: Vec<usize>,
        notes: Vec<WrittenNote>,
        recycled: &Recycled,
    ) -> Self {
        let text_bytes = chunk.text.len();
        recycled.give_text(chunk.text);
        Encoded {
            tokens,
            ends,
            notes,
            text_bytes,
        }
    }
}

/// A [`DocumentNote`] as the JSON line written beside the shard.
struct WrittenNote {
    json: Vec<u8>,
    /// The document could not be encoded (and is empty).
    failed: bool,
}

/// What the pipeline needs besides the inputs.
pub struct Job<'a> {
    pub encoding: &'a Encoding,
    pub read: &'a ReadOptions,
    pub eot: Option<TokenId>,
    pub threads: usize,
    /// Text gathered into a chunk before it is handed to the pool: [`CHUNK_BYTES`] for text, 0
    /// (each document alone) for multimodal documents.
    pub chunk_bytes: usize,
    /// Documents already in complete shards of an interrupted run: read and counted, not
    /// encoded again.
    pub skip_documents: u64,
    /// Where Parquet inputs that are compressed or on stdin are unpacked while read.
    pub scratch_dir: &'a Path,
    pub progress: &'a TokenizeProgress,
}

/// Runs the pipeline over `inputs`, writing through `writer`; returns what was read and the
/// complete shards.
pub fn run(
    job: &Job,
    inputs: &[Input],
    mut writer: ShardWriter,
) -> Result<(ReadSummary, Vec<ShardInfo>)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(job.threads)
        .thread_name(|i| format!("omnitok-encode-{i}"))
        .build()
        .map_err(|e| {
            CorpusError::BadParameter(format!("cannot start {} threads: {e}", job.threads))
        })?;
    let budget = Budget::new(4 * job.threads.max(1) * CHUNK_BYTES, 4 * job.threads.max(1));
    let (results_tx, results_rx) = crossbeam_channel::unbounded::<(u64, Result<Encoded>)>();
    // Input names, for messages about documents that fail to encode.
    let names: Arc<Vec<String>> = Arc::new(inputs.iter().map(Input::name).collect());
    let recycled = Arc::new(Recycled::default());
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut dispatch = |seq: u64, chunk: Chunk| -> bool {
                if !budget.acquire(chunk.text.len()) {
                    return false;
                }
                let encoding = job.encoding.clone();
                let on_error = job.read.on_error;
                let names = Arc::clone(&names);
                let recycled = Arc::clone(&recycled);
                let results_tx = results_tx.clone();
                pool.spawn(move || {
                    let encoded = match &encoding {
                        Encoding::Text { tokenizer, policy } => {
                            encode_chunk(tokenizer, policy, chunk, &names, &recycled)
                        }
                        Encoding::Multimodal(encoder) => {
                            mux_chunk(encoder, on_error, chunk, &names, &recycled)
                        }
                    };
                    // The writer has stopped if this fails; its error is the one reported.
                    let _ = results_tx.send((seq, encoded));
                });
                true
            };
            let summary = read_all(job, inputs, &recycled, &mut dispatch);
            drop(results_tx);
            summary
        });
        let written = write_in_order(job, &results_rx, &budget, &recycled, &mut writer);
        budget.close();
        drop(results_rx);
        let summary = reader.join().unwrap_or_else(|_| {
            Err(CorpusError::BadParameter(
                "the reader thread panicked".into(),
            ))
        });
        written?;
        let summary = summary?;
        Ok((summary, writer.finish()?))
    })
}

/// Encodes every document of `chunk`, then hands its text buffer back.
fn encode_chunk(
    tokenizer: &Tokenizer,
    policy: &SpecialPolicy,
    chunk: Chunk,
    names: &[String],
    recycled: &Recycled,
) -> Result<Encoded> {
    let mut tokens = recycled.tokens();
    let mut ends = Vec::with_capacity(chunk.ends.len());
    for (text, input, line) in chunk.documents() {
        tokenizer
            .encode_into(text, policy, &mut tokens)
            .map_err(|source| CorpusError::Tokenizer {
                context: format!("{}:{line}", names[input]),
                source,
            })?;
        ends.push(tokens.len());
    }
    Ok(Encoded::of(chunk, tokens, ends, Vec::new(), recycled))
}

/// Encodes every multimodal document of `chunk`. Under [`OnError::Fail`] a document that cannot
/// be encoded stops the run; otherwise it becomes an empty document whose note says why.
fn mux_chunk(
    encoder: &DocumentEncoder,
    on_error: OnError,
    chunk: Chunk,
    names: &[String],
    recycled: &Recycled,
) -> Result<Encoded> {
    let mut tokens = recycled.tokens();
    let mut ends = Vec::with_capacity(chunk.ends.len());
    let mut notes = Vec::with_capacity(chunk.ends.len());
    for (text, input, line) in chunk.documents() {
        let name = &names[input];
        let base = match Path::new(name).parent() {
            Some(dir) if name != "-" => dir,
            _ => Path::new(""),
        };
        let note = match parse_document(text, base, encoder.media_paths())
            .and_then(|parts| encoder.encode(&parts))
            .map_err(|e| e.to_string())
        {
            Ok(document) => {
                tokens.extend_from_slice(&document.ids);
                DocumentNote::Spans(document.spans)
            }
            Err(message) if on_error == OnError::Fail => {
                return Err(CorpusError::BadInput {
                    path: name.clone(),
                    line,
                    message,
                })
            }
            Err(message) => DocumentNote::Error(InputError {
                path: name.clone(),
                line,
                kind: ErrorKind::Unencodable,
                message,
                action: Action::Skipped,
            }),
        };
        let mut json = serde_json::to_vec(&note).map_err(|e| {
            CorpusError::BadParameter(format!("{name}:{line}: cannot record spans: {e}"))
        })?;
        json.push(b'\n');
        let failed = matches!(note, DocumentNote::Error(_));
        notes.push(WrittenNote { json, failed });
        ends.push(tokens.len());
    }
    Ok(Encoded::of(chunk, tokens, ends, notes, recycled))
}

/// Receives encoded chunks, puts them back in order, writes them and hands their token buffers
/// back.
fn write_in_order(
    job: &Job,
    results: &crossbeam_channel::Receiver<(u64, Result<Encoded>)>,
    budget: &Budget,
    recycled: &Recycled,
    writer: &mut ShardWriter,
) -> Result<()> {
    // Results (errors too) are taken in input order, so that the error reported is the first
    // in the input whatever the threads finish first.
    let mut waiting: BTreeMap<u64, Result<Encoded>> = BTreeMap::new();
    let mut next = 0u64;
    for (seq, encoded) in results {
        waiting.insert(seq, encoded);
        while let Some(encoded) = waiting.remove(&next) {
            let encoded = encoded?;
            let mut start = 0;
            for (i, &end) in encoded.ends.iter().enumerate() {
                let note = encoded.notes.get(i);
                // A document that could not be encoded stays empty: no end-of-text either.
                let eot = if note.is_some_and(|n| n.failed) {
                    None
                } else {
                    job.eot
                };
                let json = note.map(|n| n.json.as_slice());
                writer.write_document_with_note(&encoded.tokens[start..end], eot, json)?;
                start = end;
            }
            let progress = job.progress;
            let eots = if job.eot.is_some() {
                encoded.ends.len()
            } else {
                0
            };
            progress
                .tokens
                .fetch_add((encoded.tokens.len() + eots) as u64, Ordering::Relaxed);
            progress
                .documents
                .fetch_add(encoded.ends.len() as u64, Ordering::Relaxed);
            progress
                .text_bytes
                .fetch_add(encoded.text_bytes as u64, Ordering::Relaxed);
            budget.release(encoded.text_bytes);
            recycled.give_tokens(encoded.tokens);
            next += 1;
        }
    }
    Ok(())
}

/// Reads every input in order, handing full chunks to `dispatch(seq, chunk)` (which returns
/// false when the writer has stopped).
fn read_all(
    job: &Job,
    inputs: &[Input],
    recycled: &Recycled,
    dispatch: &mut dyn FnMut(u64, Chunk) -> bool,
) -> Result<ReadSummary> {
    let reading = Reading {
        options: job.read,
        scratch_dir: job.scratch_dir,
        input_bytes: &job.progress.input_bytes,
    };
    let mut chunk = Chunk::new(recycled.text());
    let mut seq = 0u64;
    let mut seen = 0u64;
    let stopped = || CorpusError::BadParameter("stopped: the writer failed".into());
    let summary = read_inputs(&reading, inputs, &mut |document| {
        if job.progress.stop.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(CorpusError::Interrupted);
        }
        seen += 1;
        if seen <= job.skip_documents {
            return Ok(());
        }
        chunk.text.push_str(document.text);
        chunk.ends.push(chunk.text.len());
        chunk.origins.push((document.input, document.line));
        if chunk.text.len() >= job.chunk_bytes {
            let full = std::mem::replace(&mut chunk, Chunk::new(recycled.text()));
            if !dispatch(seq, full) {
                return Err(stopped());
            }
            seq += 1;
        }
        Ok(())
    })?;
    if !chunk.ends.is_empty() && !dispatch(seq, chunk) {
        return Err(stopped());
    }
    Ok(summary)
}
