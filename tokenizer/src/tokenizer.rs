//! [`Tokenizer`]: special tokens around an engine (byte-level BPE, or a tokenizer.json
//! pipeline), with encode, count and decode.

use std::sync::Arc;

use omnitok_vocab::TokenId;
use rayon::prelude::*;

use crate::bpe::{BpeModel, Scratch};
use crate::error::{Result, TokenizerError};
use crate::pipeline::Pipeline;
use crate::pretokenize::Pretokenizer;
use crate::special::{SpecialPolicy, SpecialTokens};
use crate::template::Template;

/// A tokenizer: byte-level BPE (tiktoken encodings, most tokenizer.json files), or any
/// tokenizer.json pipeline of normalizer, pre-tokenizer and model (SentencePiece-style BPE,
/// Unigram, WordPiece).
///
/// Cheap to share: wrap it in an `Arc` and call it from many threads.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    name: String,
    engine: Engine,
    specials: SpecialTokens,
    /// Special tokens put around a text when a policy asks for them.
    template: Template,
    decoder: Decoder,
    /// Tells this model's thread-local piece cache from other models' (clones share it).
    model_id: u64,
    /// [`Tokenizer::sha256`], computed on first use (a tokenizer never changes).
    pub(crate) fingerprint: std::sync::OnceLock<String>,
    /// Ordinary token IDs sorted by their bytes, made on first use.
    sorted_tokens: std::sync::OnceLock<Vec<TokenId>>,
}

/// One token of [`Tokenizer::encode_with_offsets`], with the byte and char ranges of the input
/// that it covers. A token that starts or ends inside a multi-byte char covers that char.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSpan {
    /// The token ID.
    pub id: TokenId,
    /// Byte range in the input.
    pub bytes: (usize, usize),
    /// Char (Unicode scalar value) range in the input.
    pub chars: (usize, usize),
}

/// What turns ordinary text into IDs. The byte-level variant is large and kept inline: a
/// tokenizer is built once and the fast path then avoids one indirection per call.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
enum Engine {
    /// A regex pre-tokenizer and byte-level BPE: the fast path.
    ByteLevel {
        pretokenizer: Pretokenizer,
        model: BpeModel,
    },
    /// Any other tokenizer.json.
    Pipeline(Arc<Pipeline>),
}

impl Tokenizer {
    /// A byte-level BPE tokenizer from its parts. Special-token IDs must not be ordinary token
    /// IDs.
    pub fn new(
        name: impl Into<String>,
        pretokenizer: Pretokenizer,
        model: BpeModel,
        specials: SpecialTokens,
    ) -> Result<Self> {
        let decoder = Decoder::new(&model, &specials)?;
        Ok(Self::assemble(
            name.into(),
            Engine::ByteLevel {
                pretokenizer,
                model,
            },
            specials,
            decoder,
        ))
    }

    /// A tokenizer of a tokenizer.json pipeline; `specials` are its special added tokens.
    pub fn from_pipeline(
        name: impl Into<String>,
        pipeline: Pipeline,
        specials: SpecialTokens,
    ) -> Result<Self> {
        let mut decoder = Decoder {
            bytes: Vec::new(),
            spans: vec![(u32::MAX, 0); pipeline.tokens.len()],
        };
        for (id, token) in pipeline.tokens.iter().enumerate() {
            if let Some(token) = token {
                decoder.set(id as TokenId, token.as_bytes());
            }
        }
        for (text, id) in specials.entries() {
            if pipeline.token(*id) != Some(text.as_str()) {
                return Err(TokenizerError::BadParameter(format!(
                    "special token {text:?} has ID {id}, which is {:?}'s ID",
                    pipeline.token(*id).unwrap_or("no token")
                )));
            }
        }
        Ok(Self::assemble(
            name.into(),
            Engine::Pipeline(Arc::new(pipeline)),
            specials,
            decoder,
        ))
    }

    fn assemble(name: String, engine: Engine, specials: SpecialTokens, decoder: Decoder) -> Self {
        Self {
            name,
            engine,
            specials,
            template: Template::default(),
            decoder,
            model_id: crate::bpe::next_model_id(),
            fingerprint: std::sync::OnceLock::new(),
            sorted_tokens: std::sync::OnceLock::new(),
        }
    }

    /// The same tokenizer, putting `template`'s IDs around texts encoded under a policy with
    /// `add_special_tokens`.
    pub fn with_template(mut self, template: Template) -> Self {
        self.template = template;
        self
    }

    /// The same tokenizer under another name (reports and layouts show it).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The special tokens put around a text under a policy with `add_special_tokens`.
    pub fn template(&self) -> &Template {
        &self.template
    }

    /// The tokenizer's name (an encoding name, or the file it came from).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pre-tokenization pattern of a byte-level BPE tokenizer; empty for a tokenizer.json
    /// pipeline, whose pre-tokenizer is not one pattern.
    pub fn pattern(&self) -> &str {
        match &self.engine {
            Engine::ByteLevel { pretokenizer, .. } => pretokenizer.pattern(),
            Engine::Pipeline(_) => "",
        }
    }

    /// The pre-tokenizer of a byte-level BPE tokenizer.
    pub fn pretokenizer(&self) -> Option<&Pretokenizer> {
        match &self.engine {
            Engine::ByteLevel { pretokenizer, .. } => Some(pretokenizer),
            Engine::Pipeline(_) => None,
        }
    }

    /// The BPE model of a byte-level BPE tokenizer's ordinary tokens.
    pub fn model(&self) -> Option<&BpeModel> {
        match &self.engine {
            Engine::ByteLevel { model, .. } => Some(model),
            Engine::Pipeline(_) => None,
        }
    }

    /// The tokenizer.json pipeline of a tokenizer that is not plain byte-level BPE.
    pub fn pipeline(&self) -> Option<&Pipeline> {
        match &self.engine {
            Engine::ByteLevel { .. } => None,
            Engine::Pipeline(pipeline) => Some(pipeline),
        }
    }

    /// The bytes of the SentencePiece `.model` file this tokenizer was read from, if it was.
    pub fn sentencepiece_model(&self) -> Option<&[u8]> {
        match &self.pipeline()?.source {
            crate::pipeline::PipelineSource::SentencePieceModel(bytes) => Some(bytes),
            crate::pipeline::PipelineSource::TokenizerJson(_) => None,
        }
    }

    /// The special tokens.
    pub fn special_tokens(&self) -> &SpecialTokens {
        &self.specials
    }

    /// One more than the largest token ID, ordinary or special.
    pub fn n_vocab(&self) -> usize {
        self.decoder.spans.len()
    }

    /// Encodes `text`; any special token's string in it is an error.
    pub fn encode(&self, text: &str) -> Result<Vec<TokenId>> {
        self.encode_with_policy(text, &SpecialPolicy::default())
    }

    /// Encodes `text` with everything, special tokens' strings included, as ordinary text.
    pub fn encode_ordinary(&self, text: &str) -> Result<Vec<TokenId>> {
        self.encode_with_policy(text, &SpecialPolicy::as_text())
    }

    /// Encodes `text` under `policy` (see [`SpecialPolicy`]).
    pub fn encode_with_policy(&self, text: &str, policy: &SpecialPolicy) -> Result<Vec<TokenId>> {
        let mut out = Vec::with_capacity(text.len() / 4);
        self.encode_into(text, policy, &mut out)?;
        Ok(out)
    }

    /// Encodes `text` under `policy`, appending the IDs to `out` (which keeps its earlier
    /// contents, so one buffer can collect many texts). On error `out` may hold some of the IDs.
    pub fn encode_into(
        &self,
        text: &str,
        policy: &SpecialPolicy,
        out: &mut Vec<TokenId>,
    ) -> Result<()> {
        if !policy.add_special_tokens {
            return self.encode_text_into(text, policy, out);
        }
        out.extend_from_slice(&self.template.prefix);
        self.encode_text_into(text, policy, out)?;
        out.extend_from_slice(&self.template.suffix);
        Ok(())
    }

    /// [`Tokenizer::encode_into`] without the template.
    fn encode_text_into(
        &self,
        text: &str,
        policy: &SpecialPolicy,
        out: &mut Vec<TokenId>,
    ) -> Result<()> {
        let (model, pretokenizer) = match &self.engine {
            Engine::ByteLevel {
                model,
                pretokenizer,
            } => (model, pretokenizer),
            Engine::Pipeline(pipeline) => return self.encode_pipeline(pipeline, text, policy, out),
        };
        self.for_each_unit(pretokenizer, text, policy, |unit, scratch| match unit {
            Unit::Piece(start, end) => {
                model.encode_piece(&text.as_bytes()[start..end], scratch, out)
            }
            Unit::Special(id, ..) => out.push(id),
        })
    }

    /// [`Tokenizer::encode_into`] for a pipeline: the stretches between allowed specials go
    /// through it one by one.
    fn encode_pipeline(
        &self,
        pipeline: &Pipeline,
        text: &str,
        policy: &SpecialPolicy,
        out: &mut Vec<TokenId>,
    ) -> Result<()> {
        let mut start = 0;
        for found in self
            .specials
            .find(text, policy)?
            .iter()
            .map(Some)
            .chain([None])
        {
            let end = found.map_or(text.len(), |f| f.start);
            if end > start {
                pipeline.encode_into(&text[start..end], start == 0, out)?;
            }
            if let Some(found) = found {
                out.push(found.id);
                start = found.end;
            }
        }
        Ok(())
    }

    /// Number of tokens `encode_with_policy` would return, without building the ID vector.
    pub fn count(&self, text: &str, policy: &SpecialPolicy) -> Result<usize> {
        let added = match policy.add_special_tokens {
            true => self.template.prefix.len() + self.template.suffix.len(),
            false => 0,
        };
        Ok(added + self.count_text(text, policy)?)
    }

    /// [`Tokenizer::count`] without the template.
    fn count_text(&self, text: &str, policy: &SpecialPolicy) -> Result<usize> {
        let (model, pretokenizer) = match &self.engine {
            Engine::ByteLevel {
                model,
                pretokenizer,
            } => (model, pretokenizer),
            Engine::Pipeline(pipeline) => {
                let mut ids = Vec::new();
                self.encode_pipeline(pipeline, text, policy, &mut ids)?;
                return Ok(ids.len());
            }
        };
        let mut n = 0;
        self.for_each_unit(pretokenizer, text, policy, |unit, scratch| match unit {
            Unit::Piece(start, end) => {
                n += model.count_piece(&text.as_bytes()[start..end], scratch)
            }
            Unit::Special(..) => n += 1,
        })?;
        Ok(n)
    }

    /// Number of tokens of `text` encoded as ordinary text.
    pub fn count_ordinary(&self, text: &str) -> Result<usize> {
        self.count(text, &SpecialPolicy::as_text())
    }

    /// Encodes `text` under `policy` with the input range of each token.
    pub fn encode_with_offsets(
        &self,
        text: &str,
        policy: &SpecialPolicy,
    ) -> Result<Vec<TokenSpan>> {
        let (model, pretokenizer) = self.byte_level(
            "token offsets of tokenizers other than byte-level BPE (a normalizer \
                          or a pre-tokenizer may rewrite the text, so token strings do not \
                          spell it)",
        )?;
        let mut spans = Vec::with_capacity(text.len() / 4);
        if policy.add_special_tokens {
            spans.extend(template_spans(&self.template.prefix, 0));
        }
        let mut ids = Vec::new();
        self.for_each_unit(pretokenizer, text, policy, |unit, scratch| match unit {
            Unit::Piece(start, end) => {
                ids.clear();
                model.encode_piece(&text.as_bytes()[start..end], scratch, &mut ids);
                let mut at = start;
                for &id in &ids {
                    let len = self.decoder.bytes(id).map_or(0, <[u8]>::len);
                    spans.push(TokenSpan {
                        id,
                        bytes: (at, at + len),
                        chars: (0, 0),
                    });
                    at += len;
                }
            }
            Unit::Special(id, start, end) => spans.push(TokenSpan {
                id,
                bytes: (start, end),
                chars: (0, 0),
            }),
        })?;
        if policy.add_special_tokens {
            spans.extend(template_spans(&self.template.suffix, text.len()));
        }
        // Byte offsets to char offsets in one pass: a char index is the number of UTF-8 lead
        // bytes before the offset, less one when the offset falls inside a char.
        let bytes = text.as_bytes();
        let (mut byte, mut leads) = (0usize, 0usize);
        let mut char_at = |offset: usize, inside_counts: bool| {
            leads += bytes[byte..offset]
                .iter()
                .filter(|&&b| !is_continuation(b))
                .count();
            byte = offset;
            let inside = offset < bytes.len() && is_continuation(bytes[offset]);
            leads - usize::from(inside && !inside_counts)
        };
        for span in &mut spans {
            let start = char_at(span.bytes.0, false);
            let end = char_at(span.bytes.1, true);
            span.chars = (start, end);
        }
        Ok(spans)
    }

    /// Encodes bytes that may not be UTF-8, as tiktoken's `_encode_bytes`: the valid prefix as
    /// ordinary text, then its last piece (with the whitespace-only tokens before it) and the
    /// remaining bytes as one BPE piece. Byte-level BPE only.
    pub fn encode_bytes(&self, bytes: &[u8]) -> Result<Vec<TokenId>> {
        let (model, pretokenizer) =
            self.byte_level("encoding bytes that are not UTF-8 needs byte-level BPE")?;
        let valid_up_to = match std::str::from_utf8(bytes) {
            Ok(text) => return self.encode_ordinary(text),
            Err(e) => e.valid_up_to(),
        };
        let text = std::str::from_utf8(&bytes[..valid_up_to]).unwrap_or_default();
        let (mut tokens, last_piece_tokens) =
            self.encode_marking_last_piece(model, pretokenizer, text, &SpecialPolicy::as_text())?;
        let split = tokens.len() - last_piece_tokens;
        let mut unstable = self.decode_bytes(&tokens[split..])?;
        unstable.extend_from_slice(&bytes[valid_up_to..]);
        tokens.truncate(split);
        match model.token(&unstable) {
            Some(id) => tokens.push(id),
            None => {
                self.with_scratch(|scratch| model.encode_piece(&unstable, scratch, &mut tokens))
            }
        }
        Ok(tokens)
    }

    /// The model and pre-tokenizer of a byte-level BPE tokenizer; for others, an error saying
    /// that `what` needs byte-level BPE.
    fn byte_level(&self, what: &str) -> Result<(&BpeModel, &Pretokenizer)> {
        match &self.engine {
            Engine::ByteLevel {
                model,
                pretokenizer,
            } => Ok((model, pretokenizer)),
            Engine::Pipeline(_) => Err(TokenizerError::Unsupported {
                path: self.name.clone(),
                message: what.to_string(),
            }),
        }
    }

    /// Encodes `text` under `policy` and counts the tokens of its last piece (none when it ends
    /// with a special token), counting in the whitespace-only tokens before a last piece of
    /// whitespace (which may have split off from them): tokens that more text could change.
    fn encode_marking_last_piece(
        &self,
        model: &BpeModel,
        pretokenizer: &Pretokenizer,
        text: &str,
        policy: &SpecialPolicy,
    ) -> Result<(Vec<TokenId>, usize)> {
        let mut tokens = Vec::new();
        let mut last_piece_tokens = 0;
        self.for_each_unit(pretokenizer, text, policy, |unit, scratch| match unit {
            Unit::Piece(start, end) => {
                let before = tokens.len();
                model.encode_piece(&text.as_bytes()[start..end], scratch, &mut tokens);
                last_piece_tokens = tokens.len() - before;
            }
            Unit::Special(id, ..) => {
                tokens.push(id);
                last_piece_tokens = 0;
            }
        })?;
        let all_space = |id: TokenId| {
            self.decoder
                .bytes(id)
                .is_some_and(|b| b.iter().all(|c| matches!(c, b' ' | b'\n' | b'\t')))
        };
        if last_piece_tokens > 0 && all_space(tokens[tokens.len() - last_piece_tokens]) {
            while last_piece_tokens < tokens.len()
                && all_space(tokens[tokens.len() - last_piece_tokens - 1])
            {
                last_piece_tokens += 1;
            }
        }
        Ok((tokens, last_piece_tokens))
    }

    /// Encodes `text` under `policy` as tiktoken's `encode_with_unstable`: the tokens that more
    /// text cannot change, and the token sequences that the rest (the unstable bytes) may begin
    /// as once text follows, each covering at least those bytes (in sorted order). Byte-level
    /// BPE only.
    pub fn encode_with_unstable(
        &self,
        text: &str,
        policy: &SpecialPolicy,
    ) -> Result<(Vec<TokenId>, Vec<Vec<TokenId>>)> {
        let (model, pretokenizer) = self.byte_level("encode_with_unstable needs byte-level BPE")?;
        let (mut tokens, last_piece_tokens) =
            self.encode_marking_last_piece(model, pretokenizer, text, policy)?;
        let split = tokens.len() - last_piece_tokens;
        let unstable = self.decode_bytes(&tokens[split..])?;
        tokens.truncate(split);
        let mut completions = std::collections::BTreeSet::new();
        if unstable.is_empty() {
            return Ok((tokens, Vec::new()));
        }
        let bpe = |bytes: &[u8]| {
            let mut out = Vec::new();
            self.with_scratch(|scratch| model.encode_piece(bytes, scratch, &mut out));
            out
        };
        let sorted = self.sorted_token_ids(model);
        let bytes_of = |id: TokenId| self.decoder.bytes(id).unwrap_or_default();
        let starting_with = |prefix: &[u8]| -> Vec<TokenId> {
            let from = sorted.partition_point(|&id| bytes_of(id) < prefix);
            sorted[from..]
                .iter()
                .copied()
                .take_while(|&id| bytes_of(id).starts_with(prefix))
                .collect()
        };
        // A single token that extends the unstable bytes.
        for id in starting_with(&unstable) {
            completions.insert(vec![id]);
        }
        // The unstable bytes cut in two, the second part extended to a token: how that text
        // encodes, as far as it covers the unstable bytes.
        for cut in 1..unstable.len() {
            let (prefix, suffix) = unstable.split_at(cut);
            for id in starting_with(suffix) {
                let mut possible = prefix.to_vec();
                possible.extend_from_slice(bytes_of(id));
                let encoded = match std::str::from_utf8(&possible) {
                    Ok(text) => self.encode_ordinary(text)?,
                    Err(_) => bpe(&possible),
                };
                let mut covered = 0;
                let mut sequence = Vec::new();
                for token in encoded {
                    sequence.push(token);
                    covered += bytes_of(token).len();
                    if covered >= unstable.len() {
                        break;
                    }
                }
                completions.insert(sequence);
            }
        }
        // A last char of whitespace may go with the text after it.
        if unstable.len() > 1 {
            let (last, last_len) = last_char(&unstable);
            if unstable.len() > last_len && last.is_some_and(char::is_whitespace) {
                let at = unstable.len() - last_len;
                let mut sequence = bpe(&unstable[..at]);
                sequence.extend(bpe(&unstable[at..]));
                completions.insert(sequence);
            }
        }
        Ok((tokens, completions.into_iter().collect()))
    }

    /// Ordinary token IDs sorted by their bytes (made once).
    fn sorted_token_ids(&self, model: &BpeModel) -> &[TokenId] {
        self.sorted_tokens.get_or_init(|| {
            let mut tokens: Vec<(&[u8], TokenId)> = model.tokens().collect();
            tokens.sort_unstable();
            tokens.into_iter().map(|(_, id)| id).collect()
        })
    }

    /// Encodes many texts in parallel (rayon), each under `policy`. Output order is input order.
    pub fn encode_batch(
        &self,
        texts: &[&str],
        policy: &SpecialPolicy,
    ) -> Result<Vec<Vec<TokenId>>> {
        texts
            .par_iter()
            .map(|text| self.encode_with_policy(text, policy))
            .collect()
    }

    /// Encodes many texts in parallel as ordinary text.
    pub fn encode_ordinary_batch(&self, texts: &[&str]) -> Result<Vec<Vec<TokenId>>> {
        self.encode_batch(texts, &SpecialPolicy::as_text())
    }

    /// The ID of a single token given as bytes: an ordinary token's bytes, or a special token's
    /// string.
    pub fn encode_single_token(&self, bytes: &[u8]) -> Option<TokenId> {
        let ordinary = match &self.engine {
            Engine::ByteLevel { model, .. } => model.token(bytes),
            Engine::Pipeline(pipeline) => pipeline.token_id(bytes),
        };
        ordinary.or_else(|| {
            std::str::from_utf8(bytes)
                .ok()
                .and_then(|s| self.specials.id(s))
        })
    }

    /// The bytes of one token: for byte-level BPE what it spells, for a pipeline its string
    /// in the vocabulary (`▁the`, `##ing`, `<0x0A>`).
    pub fn token_bytes(&self, id: TokenId) -> Option<&[u8]> {
        self.decoder.bytes(id)
    }

    /// Concatenated bytes of `ids`; an unknown ID is an error naming it and its position.
    /// A pipeline's IDs go through its decoder (byte fallback included), and bytes that are not
    /// valid UTF-8 come out as U+FFFD, as HF decodes them.
    pub fn decode_bytes(&self, ids: &[TokenId]) -> Result<Vec<u8>> {
        if let Engine::Pipeline(pipeline) = &self.engine {
            return pipeline.decode(ids).map(String::into_bytes);
        }
        let mut out = Vec::with_capacity(ids.len() * 4);
        for (position, &id) in ids.iter().enumerate() {
            let bytes = self.decoder.bytes(id).ok_or(TokenizerError::UnknownId {
                id,
                position,
                n_vocab: self.n_vocab(),
            })?;
            out.extend_from_slice(bytes);
        }
        Ok(out)
    }

    /// Decodes `ids` to text; bytes that are not valid UTF-8 are an error naming where.
    pub fn decode(&self, ids: &[TokenId]) -> Result<String> {
        let bytes = self.decode_bytes(ids)?;
        String::from_utf8(bytes).map_err(|e| {
            let byte_offset = e.utf8_error().valid_up_to();
            let mut end = 0;
            let position = ids
                .iter()
                .position(|&id| {
                    end += self.decoder.bytes(id).map_or(0, <[u8]>::len);
                    end > byte_offset
                })
                .unwrap_or(ids.len().saturating_sub(1));
            TokenizerError::InvalidUtf8 {
                byte_offset,
                position,
            }
        })
    }

    /// Decodes `ids` to text, replacing invalid UTF-8 with U+FFFD.
    pub fn decode_lossy(&self, ids: &[TokenId]) -> Result<String> {
        Ok(String::from_utf8_lossy(&self.decode_bytes(ids)?).into_owned())
    }

    /// Decodes to text, leaving out bytes that are not UTF-8 (Python's `errors="ignore"`).
    pub fn decode_ignoring_invalid(&self, ids: &[TokenId]) -> Result<String> {
        let bytes = self.decode_bytes(ids)?;
        Ok(bytes.utf8_chunks().map(|chunk| chunk.valid()).collect())
    }

    /// Walks `text` under `policy` as pieces of ordinary text (split by the pre-tokenizer) and
    /// allowed specials, in order, handing each with this thread's scratch buffers to `unit`.
    fn for_each_unit(
        &self,
        pretokenizer: &Pretokenizer,
        text: &str,
        policy: &SpecialPolicy,
        mut unit: impl FnMut(Unit, &mut Scratch),
    ) -> Result<()> {
        let specials = self.specials.find(text, policy)?;
        self.with_scratch(|scratch| {
            let mut start = 0;
            // Each special, then the end of the text, closes a stretch of ordinary text.
            for found in specials.iter().map(Some).chain([None]) {
                let end = found.map_or(text.len(), |f| f.start);
                if end > start {
                    pretokenizer.for_each_piece(&text[start..end], |s, e| {
                        unit(Unit::Piece(start + s, start + e), scratch)
                    })?;
                }
                if let Some(found) = found {
                    unit(Unit::Special(found.id, found.start, found.end), scratch);
                    start = found.end;
                }
            }
            Ok(())
        })
    }

    /// Runs `f` with this thread's scratch buffers (and piece cache) for this tokenizer's model.
    fn with_scratch<T>(&self, f: impl FnOnce(&mut Scratch) -> T) -> T {
        crate::bpe::with_scratch(self.model_id, f)
    }
}

/// Spans of a template's IDs: empty, at byte `at` of the text.
fn template_spans(ids: &[TokenId], at: usize) -> impl Iterator<Item = TokenSpan> + '_ {
    ids.iter().map(move |&id| TokenSpan {
        id,
        bytes: (at, at),
        chars: (0, 0),
    })
}

fn is_continuation(byte: u8) -> bool {
    (0x80..0xC0).contains(&byte)
}

/// What [`Tokenizer::for_each_unit`] hands over: a piece of ordinary text, or an allowed
/// special token, with its byte range in the input.
enum Unit {
    Piece(usize, usize),
    Special(TokenId, usize, usize),
}

/// Token ID -> bytes, for ordinary and special tokens, in one flat buffer.
#[derive(Debug, Clone)]
struct Decoder {
    bytes: Vec<u8>,
    /// `(start, end)` in `bytes` per ID; `(u32::MAX, 0)` for IDs that are not tokens.
    spans: Vec<(u32, u32)>,
}

impl Decoder {
    fn new(model: &BpeModel, specials: &SpecialTokens) -> Result<Self> {
        let max_id = model
            .tokens()
            .map(|(_, id)| id)
            .chain(specials.entries().iter().map(|&(_, id)| id))
            .max()
            .unwrap_or(0);
        // IDs index a dense table, so an ID far beyond the number of tokens would allocate
        // without bound; real vocabularies leave at most small gaps.
        let n_entries = model.len() + specials.len();
        if max_id as usize > 2 * n_entries + 1024 {
            return Err(TokenizerError::BadParameter(format!(
                "token ID {max_id} is far beyond the vocabulary's {n_entries} tokens; IDs must \
                 be dense (at most 2 x tokens + 1024)"
            )));
        }
        let mut decoder = Decoder {
            bytes: Vec::new(),
            spans: vec![(u32::MAX, 0); max_id as usize + 1],
        };
        for (bytes, id) in model.tokens() {
            decoder.set(id, bytes);
        }
        let is_ordinary: Vec<bool> = decoder.spans.iter().map(|&(s, _)| s != u32::MAX).collect();
        for (text, id) in specials.entries() {
            if is_ordinary[*id as usize] {
                return Err(TokenizerError::BadParameter(format!(
                    "special token {text:?} has ID {id}, which is an ordinary token's ID"
                )));
            }
            decoder.set(*id, text.as_bytes());
        }
        Ok(decoder)
    }

    fn set(&mut self, id: TokenId, bytes: &[u8]) {
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(bytes);
        self.spans[id as usize] = (start, self.bytes.len() as u32);
    }

    #[inline]
    fn bytes(&self, id: TokenId) -> Option<&[u8]> {
        let &(start, end) = self.spans.get(id as usize)?;
        (start != u32::MAX).then(|| &self.bytes[start as usize..end as usize])
    }
}

/// The last char of `bytes` and its length in bytes; `(None, 1)` when they do not end in one.
fn last_char(bytes: &[u8]) -> (Option<char>, usize) {
    for len in 1..=bytes.len().min(4) {
        if let Ok(text) = std::str::from_utf8(&bytes[bytes.len() - len..]) {
            if let Some(c) = text.chars().next() {
                return (Some(c), len);
            }
        }
    }
    (None, 1)
}
