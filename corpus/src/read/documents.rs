//! Turning an input's bytes into documents: text (a whole file, or each line) and JSON Lines (a
//! string field, reached by a dotted path), with the error policy applied to invalid UTF-8,
//! malformed JSON, missing fields and documents over the size limit.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::BufRead;

use serde::{Deserialize, Serialize};

use super::json_line::{fields, flat_string_field, is_plain_key, without_bom, JsonField};
use crate::error::{CorpusError, Result};

/// What one document is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// A whole text file, one JSON Lines record, or one Parquet row.
    #[default]
    Doc,
    /// Each line of those (split at `\n`; the `\n` and a `\r` before it are not part of it).
    Line,
    /// A text file as one document handed over in segments of about [`SEGMENT_BYTES`], cut
    /// only at line starts where the built-in patterns always begin a new piece (a line whose
    /// first char is neither whitespace nor `/`); a JSON Lines record or Parquet row whole.
    /// Work that pre-tokenizes each document on its own (training) then sees the pieces of the
    /// whole file without holding it in memory.
    Segments,
}

// Segments is not offered by name: training chooses it for the files it reads.
crate::choice::choice!(Split, "split", [Doc => "doc", Line => "line"]);

/// Size a [`Split::Segments`] segment reaches before it is cut at the next suitable line.
pub const SEGMENT_BYTES: usize = 64 << 10;

/// What happens to input that cannot be used as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Leave the document (or unreadable input) out and record it.
    Skip,
    /// Replace invalid UTF-8 with U+FFFD and record it; other errors are skipped.
    Replace,
    /// Stop with an error naming the input and line.
    #[default]
    Fail,
}

crate::choice::choice!(OnError, "on-error", [Skip => "skip", Replace => "replace", Fail => "fail"]);

/// Kinds of input errors, as named in the manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    InvalidUtf8,
    MalformedJson,
    MissingField,
    NotAString,
    TooLarge,
    Unreadable,
    /// A multimodal document whose parts cannot be encoded (a missing or corrupt media file, a
    /// malformed part).
    Unencodable,
}

/// What was done about an input error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Skipped,
    Replaced,
}

/// One input error: where, what, and what was done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputError {
    pub path: String,
    /// Line (text, JSON Lines) or row (Parquet), from 1; 0 for the input as a whole.
    pub line: u64,
    pub kind: ErrorKind,
    pub message: String,
    pub action: Action,
}

/// Every input error, counted by kind; the first [`ErrorLog::LISTED`] are kept in full.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorLog {
    pub count: u64,
    pub by_kind: BTreeMap<ErrorKind, u64>,
    pub listed: Vec<InputError>,
}

impl ErrorLog {
    /// How many errors are kept in full (the rest are only counted).
    pub const LISTED: usize = 10_000;

    pub(crate) fn record(&mut self, error: InputError) {
        self.count += 1;
        *self.by_kind.entry(error.kind).or_default() += 1;
        if self.listed.len() < Self::LISTED {
            self.listed.push(error);
        }
    }
}

/// Receives each document read: its text, its line (or Parquet row), and its language when the
/// input labels it (the JSON Lines language field).
pub type Emit<'e> = dyn FnMut(&str, u64, Option<&str>) -> Result<()> + 'e;

/// How documents are read from inputs.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    pub split: Split,
    pub on_error: OnError,
    /// Path of the JSON Lines text field (`["meta", "body"]` for `meta.body`).
    pub field: Vec<String>,
    /// Path of the JSON Lines language field, when documents are labelled by language; a line
    /// without it (or with a non-string value) goes to the error policy.
    pub lang_field: Option<Vec<String>>,
    /// Path of the Parquet text column.
    pub column: Vec<String>,
    /// Largest document (and JSON line) accepted, in bytes.
    pub max_document_bytes: usize,
}

impl ReadOptions {
    /// Largest document read unless a caller says otherwise: 1 GiB.
    pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 1 << 30;
    /// The JSON Lines field and Parquet column read unless a caller says otherwise.
    pub const DEFAULT_TEXT_FIELD: &'static str = "text";
}

/// Whole documents from the `text` field or column, at most
/// [`ReadOptions::DEFAULT_MAX_DOCUMENT_BYTES`] each, stopping at the first error.
impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            split: Split::default(),
            on_error: OnError::default(),
            field: dotted_path(Self::DEFAULT_TEXT_FIELD),
            lang_field: None,
            column: dotted_path(Self::DEFAULT_TEXT_FIELD),
            max_document_bytes: Self::DEFAULT_MAX_DOCUMENT_BYTES,
        }
    }
}

/// A dotted path into nested JSON objects or Parquet structs: `meta.body` as
/// `["meta", "body"]`.
pub fn dotted_path(dotted: &str) -> Vec<String> {
    dotted.split('.').map(str::to_string).collect()
}

/// Reading one input: its name, the options, and where errors go.
pub struct Context<'a> {
    pub path: &'a str,
    pub options: &'a ReadOptions,
    pub errors: &'a mut ErrorLog,
}

impl Context<'_> {
    /// Applies the error policy: `Ok(())` after recording it, or the error when the policy is
    /// to fail. `action` is what a non-failing policy did.
    pub fn input_error(
        &mut self,
        line: u64,
        kind: ErrorKind,
        message: String,
        action: Action,
    ) -> Result<()> {
        if self.options.on_error == OnError::Fail {
            return Err(if kind == ErrorKind::TooLarge {
                CorpusError::Limit {
                    path: self.path.to_string(),
                    line,
                    message,
                }
            } else {
                CorpusError::BadInput {
                    path: self.path.to_string(),
                    line,
                    message,
                }
            });
        }
        self.errors.record(InputError {
            path: self.path.to_string(),
            line,
            kind,
            message,
            action,
        });
        Ok(())
    }

    /// `bytes` (starting on line `line`; `unit` says what they are in messages: "document",
    /// "line", "value") as text under the policy; `None` when skipped.
    pub fn utf8<'b>(
        &mut self,
        bytes: &'b [u8],
        line: u64,
        unit: &str,
    ) -> Result<Option<Cow<'b, str>>> {
        // The vectorised check first; the standard library's, which says where, only on failure.
        if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
            return Ok(Some(Cow::Borrowed(text)));
        }
        let at = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), str::len);
        let bad_line = line + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64;
        let replace = self.options.on_error == OnError::Replace;
        let action = if replace {
            Action::Replaced
        } else {
            Action::Skipped
        };
        let message = format!("invalid UTF-8 at byte {at} of the {unit}");
        self.input_error(bad_line, ErrorKind::InvalidUtf8, message, action)?;
        Ok(replace.then(|| String::from_utf8_lossy(bytes)))
    }

    /// Hands `text` (from line `line`, of language `lang` if labelled) to `emit` as one
    /// document, or line by line.
    pub fn emit_split(
        &self,
        text: &str,
        line: u64,
        lang: Option<&str>,
        emit: &mut Emit,
    ) -> Result<()> {
        match self.options.split {
            Split::Doc | Split::Segments => emit(text, line, lang),
            Split::Line => {
                let mut start = 0;
                let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]);
                for (i, end) in ends.enumerate() {
                    let part = &text[start..end];
                    emit(
                        part.strip_suffix('\r').unwrap_or(part),
                        line + i as u64,
                        lang,
                    )?;
                    start = end + 1;
                }
                Ok(())
            }
        }
    }

    fn too_large(&mut self, line: u64, what: &str) -> Result<()> {
        let message = format!(
            "{what} is longer than the limit of {} bytes",
            self.options.max_document_bytes
        );
        self.input_error(line, ErrorKind::TooLarge, message, Action::Skipped)
    }
}

/// Reads the documents of a text input, calling `emit(text, line, None)` for each.
pub fn read_text(reader: &mut dyn BufRead, context: &mut Context, emit: &mut Emit) -> Result<()> {
    let limit = context.options.max_document_bytes;
    match context.options.split {
        Split::Doc => {
            let bytes = match omnitok_files::read_to_end_bounded(reader, limit as u64) {
                Ok(bytes) => bytes,
                Err(omnitok_files::BoundedReadError::TooLarge { .. }) => {
                    return context.too_large(1, "the file")
                }
                Err(omnitok_files::BoundedReadError::Io(e)) => {
                    return Err(CorpusError::io(context.path, e))
                }
            };
            if let Some(text) = context.utf8(&bytes, 1, "document")? {
                emit(&text, 1, None)?;
            }
            Ok(())
        }
        Split::Line => for_each_line(reader, context, |_, text, number, _| {
            emit(text.strip_suffix('\r').unwrap_or(text), number, None)
        }),
        Split::Segments => {
            let mut segment = String::new();
            let mut first_line = 1;
            for_each_line(reader, context, |_, text, number, ended| {
                let starts_piece = text
                    .chars()
                    .next()
                    .is_some_and(|c| !c.is_whitespace() && c != '/');
                if segment.len() >= SEGMENT_BYTES && starts_piece {
                    emit(&segment, first_line, None)?;
                    segment.clear();
                    first_line = number;
                }
                segment.push_str(text);
                if ended {
                    segment.push('\n');
                }
                Ok(())
            })?;
            if segment.is_empty() {
                Ok(())
            } else {
                emit(&segment, first_line, None)
            }
        }
    }
}

/// Reads the documents of a JSON Lines input, calling `emit(text, line)` for each. Blank lines
/// are ignored.
pub fn read_jsonl(reader: &mut dyn BufRead, context: &mut Context, emit: &mut Emit) -> Result<()> {
    let options = context.options;
    let text_path = options.field.as_slice();
    let flat_key = match (text_path, &options.lang_field) {
        ([key], None) if is_plain_key(key) => Some(key.as_str()),
        _ => None,
    };
    for_each_line(reader, context, |context, line, number, _| {
        if let Some(text) =
            flat_key.and_then(|key| flat_string_field(without_bom(line, number), key))
        {
            return context.emit_split(text, number, None, emit);
        }
        if line.bytes().all(|b| b.is_ascii_whitespace()) {
            return Ok(());
        }
        let parsed = match &options.lang_field {
            None => fields(line, number, [text_path]).map(|[text]| (text, None)),
            Some(lang_path) => {
                fields(line, number, [text_path, lang_path]).map(|[text, lang]| (text, Some(lang)))
            }
        };
        let (text, lang) = match parsed {
            Ok(found) => found,
            Err(e) => {
                return context.input_error(
                    number,
                    ErrorKind::MalformedJson,
                    e.to_string(),
                    Action::Skipped,
                )
            }
        };
        let Some(text) = string_field(context, number, text, text_path)? else {
            return Ok(());
        };
        let lang = match (lang, &options.lang_field) {
            (Some(lang), Some(path)) => match string_field(context, number, lang, path)? {
                Some(lang) => Some(lang),
                None => return Ok(()),
            },
            _ => None,
        };
        context.emit_split(&text, number, lang.as_deref(), emit)
    })
}

/// The string found at `path`, or `None` after the error policy took a missing or non-string
/// field.
fn string_field<'a>(
    context: &mut Context,
    number: u64,
    found: JsonField<'a>,
    path: &[String],
) -> Result<Option<Cow<'a, str>>> {
    match found.string(path) {
        Ok(text) => Ok(Some(text)),
        Err((kind, message)) => context
            .input_error(number, kind, message, Action::Skipped)
            .map(|()| None),
    }
}

/// One line, without its `\n`: already checked to be UTF-8 (`Ok`), or not yet (`Err`).
type Line<'a> = std::result::Result<&'a str, &'a [u8]>;

/// Calls `each(context, text, number, ended_by_newline)` for every line of `reader`, without
/// its `\n`; lines that are not UTF-8 and lines over the size limit go to the error policy
/// instead (a replaced line is handed over with U+FFFD). Lines are cut out of the reader's
/// buffer where they fit in it, and a buffer's worth of lines is checked for UTF-8 at once.
pub(crate) fn for_each_line(
    reader: &mut dyn BufRead,
    context: &mut Context,
    mut each_text: impl FnMut(&mut Context, &str, u64, bool) -> Result<()>,
) -> Result<()> {
    let mut each = |context: &mut Context, line: Line, number: u64, ended: bool| {
        let text = match line {
            Ok(text) => Cow::Borrowed(text),
            Err(bytes) => match context.utf8(bytes, number, "line")? {
                Some(text) => text,
                None => return Ok(()),
            },
        };
        each_text(context, &text, number, ended)
    };
    let limit = context.options.max_document_bytes;
    let path = context.path;
    // The start of a line that continues past the end of the buffer.
    let mut partial: Vec<u8> = Vec::new();
    let mut oversized = false;
    let mut number = 0u64;
    loop {
        let buffer = reader.fill_buf().map_err(|e| CorpusError::io(path, e))?;
        if buffer.is_empty() {
            if oversized {
                number += 1;
                context.too_large(number, "the line")?;
            } else if !partial.is_empty() {
                number += 1;
                each(context, Err(&partial), number, false)?;
            }
            return Ok(());
        }
        let consumed = buffer.len();
        let mut start = 0;
        if !partial.is_empty() || oversized {
            // Finish the line carried over from the previous buffer.
            let Some(end) = memchr::memchr(b'\n', buffer) else {
                take_partial(&mut partial, &mut oversized, buffer, limit);
                reader.consume(consumed);
                continue;
            };
            take_partial(&mut partial, &mut oversized, &buffer[..end], limit);
            number += 1;
            if oversized {
                context.too_large(number, "the line")?;
            } else {
                each(context, Err(&partial), number, true)?;
            }
            partial.clear();
            oversized = false;
            start = end + 1;
        }
        let complete = match memchr::memrchr(b'\n', &buffer[start..]) {
            Some(last) => &buffer[start..start + last + 1],
            None => &buffer[start..start],
        };
        // Checked once for the whole run of lines; a line of a run that fails is checked alone.
        let checked = simdutf8::basic::from_utf8(complete).ok();
        let mut line_start = 0;
        for end in memchr::memchr_iter(b'\n', complete) {
            number += 1;
            if end - line_start > limit {
                context.too_large(number, "the line")?;
            } else {
                let line = match checked {
                    Some(text) => Ok(&text[line_start..end]),
                    None => Err(&complete[line_start..end]),
                };
                each(context, line, number, true)?;
            }
            line_start = end + 1;
        }
        take_partial(
            &mut partial,
            &mut oversized,
            &buffer[start + complete.len()..],
            limit,
        );
        reader.consume(consumed);
    }
}

/// Appends `bytes` to the carried-over line, or marks it oversized once it passes `limit`.
fn take_partial(partial: &mut Vec<u8>, oversized: &mut bool, bytes: &[u8], limit: usize) {
    if *oversized || partial.len() + bytes.len() > limit {
        *oversized = true;
        partial.clear();
    } else {
        partial.extend_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(split: Split, on_error: OnError) -> ReadOptions {
        ReadOptions {
            split,
            on_error,
            field: vec!["meta".into(), "body".into()],
            lang_field: None,
            column: vec!["text".into()],
            max_document_bytes: 80,
        }
    }

    #[test]
    fn json_lines_give_text_and_language_from_one_parse() {
        let mut options = options(Split::Doc, OnError::Skip);
        options.lang_field = Some(vec!["meta".into(), "lang".into()]);
        let data = concat!(
            r#"{"meta": {"lang": "de", "x": [1], "body": "Hallo"}}"#,
            "\n",
            r#"{"meta": {"body": "no language"}}"#,
            "\n",
            r#"{"meta": {"body": "Salut", "lang": 7}}"#,
            "\n",
            r#"{"meta": {"lang": "fr", "body": "Bonjour"}}"#,
            "\n",
        );
        let mut errors = ErrorLog::default();
        let mut docs = Vec::new();
        let mut context = Context {
            path: "in",
            options: &options,
            errors: &mut errors,
        };
        read_jsonl(
            &mut data.as_bytes(),
            &mut context,
            &mut |text, line, lang| {
                docs.push((text.to_string(), line, lang.map(str::to_string)));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(
            docs,
            [
                ("Hallo".to_string(), 1, Some("de".to_string())),
                ("Bonjour".to_string(), 4, Some("fr".to_string()))
            ]
        );
        assert_eq!(errors.count, 2);
        assert_eq!(errors.listed[0].kind, ErrorKind::MissingField);
        assert!(errors.listed[0].message.contains("meta.lang"));
        assert_eq!(errors.listed[1].kind, ErrorKind::NotAString);
    }

    type Docs = Vec<(String, u64)>;

    fn run(data: &[u8], jsonl: bool, options: &ReadOptions) -> (Result<Docs>, ErrorLog) {
        let mut errors = ErrorLog::default();
        let mut docs = Vec::new();
        let mut context = Context {
            path: "in",
            options,
            errors: &mut errors,
        };
        let mut emit = |text: &str, line: u64, _: Option<&str>| {
            docs.push((text.to_string(), line));
            Ok(())
        };
        let mut reader = data;
        let result = if jsonl {
            read_jsonl(&mut reader, &mut context, &mut emit)
        } else {
            read_text(&mut reader, &mut context, &mut emit)
        };
        (result.map(|()| docs), errors)
    }

    #[test]
    fn text_lines_and_whole_files() {
        let data = b"one\r\ntwo\n\nthree";
        let (docs, _) = run(data, false, &options(Split::Line, OnError::Fail));
        let docs = docs.unwrap();
        let expected = [("one", 1), ("two", 2), ("", 3), ("three", 4)];
        assert_eq!(docs.len(), expected.len());
        for ((text, line), (want, want_line)) in docs.iter().zip(expected) {
            assert_eq!((text.as_str(), *line), (want, want_line));
        }
        let (docs, _) = run(data, false, &options(Split::Doc, OnError::Fail));
        assert_eq!(docs.unwrap(), vec![("one\r\ntwo\n\nthree".to_string(), 1)]);
    }

    #[test]
    fn invalid_utf8_follows_the_policy() {
        let data = b"good\nba\xffd\nfine\n";
        let (docs, errors) = run(data, false, &options(Split::Line, OnError::Skip));
        assert_eq!(docs.unwrap().len(), 2);
        assert_eq!(errors.count, 1);
        assert_eq!(errors.listed[0].line, 2);
        assert_eq!(errors.listed[0].action, Action::Skipped);

        let (docs, errors) = run(data, false, &options(Split::Line, OnError::Replace));
        assert_eq!(docs.unwrap()[1].0, "ba\u{fffd}d");
        assert_eq!(errors.listed[0].action, Action::Replaced);

        let (docs, _) = run(data, false, &options(Split::Doc, OnError::Fail));
        let message = docs.unwrap_err().to_string();
        assert!(message.starts_with("in:2: invalid UTF-8"), "{message}");
    }

    #[test]
    fn jsonl_field_paths_and_errors() {
        let data = concat!(
            r#"{"id": 1, "meta": {"x": [1, {"body": 2}], "body": "first\nsecond"}}"#,
            "\n\n",
            r#"{"meta": {"body": 3}}"#,
            "\n",
            r#"{"meta": {}}"#,
            "\n",
            r#"{"meta": "#,
            "\n",
            r#"{"meta": {"body": "last"}} trailing"#,
            "\n",
        );
        let (docs, errors) = run(data.as_bytes(), true, &options(Split::Line, OnError::Skip));
        assert_eq!(
            docs.unwrap(),
            vec![("first".to_string(), 1), ("second".to_string(), 2)]
        );
        let kinds: Vec<(u64, ErrorKind)> = errors.listed.iter().map(|e| (e.line, e.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (3, ErrorKind::NotAString),
                (4, ErrorKind::MissingField),
                (5, ErrorKind::MalformedJson),
                (6, ErrorKind::MalformedJson),
            ]
        );
        let (docs, _) = run(data.as_bytes(), true, &options(Split::Doc, OnError::Fail));
        let message = docs.unwrap_err().to_string();
        assert_eq!(
            message,
            r#"in:3: field "meta.body" is a number, not a string"#
        );
    }

    #[test]
    fn a_byte_order_mark_before_the_first_json_line_is_skipped() {
        let options = ReadOptions {
            field: vec!["text".into()],
            ..options(Split::Doc, OnError::Fail)
        };
        let data = "\u{feff}{\"text\": \"first\"}\n{\"text\": \"second\"}\n";
        let (docs, _) = run(data.as_bytes(), true, &options);
        let texts: Vec<String> = docs.unwrap().into_iter().map(|d| d.0).collect();
        assert_eq!(texts, ["first", "second"]);
    }

    #[test]
    fn jsonl_repeated_keys_count_last() {
        let data = concat!(
            r#"{"meta": {"body": "kept"}, "meta": 5}"#,
            "\n",
            r#"{"meta": 5, "meta": {"body": "b\u00e9", "body": "last"}}"#,
            "\n",
        );
        let (docs, errors) = run(data.as_bytes(), true, &options(Split::Doc, OnError::Skip));
        assert_eq!(docs.unwrap(), vec![("last".to_string(), 2)]);
        let kinds: Vec<(u64, ErrorKind)> = errors.listed.iter().map(|e| (e.line, e.kind)).collect();
        assert_eq!(kinds, vec![(1, ErrorKind::MissingField)]);
    }

    #[test]
    fn lines_across_buffer_ends_read_the_same() {
        let long = "y".repeat(90);
        let mut data = format!("a\r\nbé\n\n{long}\nc\u{1F600}d\nlast").into_bytes();
        data.extend_from_slice(b"\xff\nz\nba\xffd\ntail");
        for split in [Split::Line, Split::Doc] {
            let options = options(split, OnError::Replace);
            let (whole, whole_errors) = run(&data, false, &options);
            let whole = whole.unwrap();
            assert_eq!(whole.len(), if split == Split::Line { 8 } else { 0 });
            for capacity in [1, 2, 3, 5, 8, 13, 64] {
                let mut errors = ErrorLog::default();
                let mut docs = Vec::new();
                let mut context = Context {
                    path: "in",
                    options: &options,
                    errors: &mut errors,
                };
                let mut reader = std::io::BufReader::with_capacity(capacity, &data[..]);
                read_text(
                    &mut reader,
                    &mut context,
                    &mut |text: &str, line: u64, _| {
                        docs.push((text.to_string(), line));
                        Ok(())
                    },
                )
                .unwrap();
                assert_eq!(docs, whole, "capacity {capacity}");
                assert_eq!(errors, whole_errors, "capacity {capacity}");
            }
        }
    }

    #[test]
    fn oversized_lines_are_limited() {
        let long = "x".repeat(100);
        let data = format!("short\n{long}\nafter\n");
        let (docs, errors) = run(data.as_bytes(), false, &options(Split::Line, OnError::Skip));
        let docs: Vec<String> = docs.unwrap().into_iter().map(|(t, _)| t).collect();
        assert_eq!(docs, ["short", "after"]);
        assert_eq!(errors.listed[0].kind, ErrorKind::TooLarge);
        let (docs, _) = run(data.as_bytes(), false, &options(Split::Doc, OnError::Fail));
        assert!(matches!(docs, Err(CorpusError::Limit { .. })));
    }
}
