//! Reading the text of each language.
//!
//! Three forms, chosen by the path and [`InputOptions::reference`]:
//!
//! - a folder: every `<language>.txt` file in it (not in sub-folders), the language being the
//!   file stem; languages in name order. With a reference language the files are taken to be
//!   translations of each other and the reference's file must exist.
//! - a JSON Lines file, without a reference: one object a line, with the language in
//!   [`InputOptions::lang_field`] and the text in [`InputOptions::field`] (default `text`);
//!   languages in order of first appearance.
//! - a JSON Lines file, with a reference (parallel JSON Lines): one pair a line,
//!   `{"lang": "tr", "en": "<reference text>", "tr": "<translation>"}` — the field named after
//!   the reference language holds the reference text, [`InputOptions::field`] (default `tr`) the
//!   translation. The reference language gets a row of its own made of its distinct texts.
//!
//! Files compressed with gzip or zstd (recognised by their magic bytes, as `omnitok tokenize`
//! reads them) are read decompressed; in a folder they are `<language>.txt.gz` or `.txt.zst`.
//! Blank lines are skipped. Errors name the file, the line and the field.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use omnitok_tokenizer::Tokenizer;

use super::count::{Counter, Role};
use super::{Corpus, LanguageText, Reference, Report};
use crate::error::{CorpusError, Result};
use crate::read::documents::{
    for_each_line, Context, ErrorKind, ErrorLog, OnError, ReadOptions, Split,
};
use crate::read::json_line::{fields, JsonField};
use crate::read::open::read_decompressed;

/// Largest input file read by default: 4 GiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 4 << 30;

/// How an input is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputOptions {
    /// The reference language of premiums: `Some` when the texts are parallel.
    pub reference: Option<String>,
    /// JSON Lines: the field holding the language.
    pub lang_field: String,
    /// JSON Lines: the field holding the text (`None`: `text`, or `tr` for parallel lines).
    pub field: Option<String>,
    /// Files larger than this are refused.
    pub max_file_bytes: u64,
    /// Count each text with the special tokens its tokenizer's post-processor adds (HF's
    /// `add_special_tokens=True`).
    pub add_special_tokens: bool,
}

impl Default for InputOptions {
    fn default() -> Self {
        Self {
            reference: None,
            lang_field: Self::DEFAULT_LANG_FIELD.to_string(),
            field: None,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            add_special_tokens: false,
        }
    }
}

impl InputOptions {
    /// The JSON Lines field holding the language unless a caller names another.
    pub const DEFAULT_LANG_FIELD: &'static str = "lang";

    /// The reference language of parallel texts when none is named.
    pub const DEFAULT_REFERENCE: &'static str = "en";

    /// The JSON Lines text field in effect.
    pub fn text_field(&self) -> &str {
        match (&self.field, &self.reference) {
            (Some(field), _) => field,
            (None, Some(_)) => "tr",
            (None, None) => "text",
        }
    }
}

/// Reads a folder of `<language>.txt` files or a JSON Lines file into memory.
pub fn read_input(path: &Path, options: &InputOptions) -> Result<Corpus> {
    let mut texts: Vec<(String, Vec<String>, Option<Vec<String>>)> = Vec::new();
    let mut slots: HashMap<String, usize> = HashMap::new();
    let visited = visit_input(path, options, &mut |lang, text, reference| {
        let slot = *slots.entry(lang.to_owned()).or_insert_with(|| {
            texts.push((lang.to_owned(), Vec::new(), None));
            texts.len() - 1
        });
        let (_, own, references) = &mut texts[slot];
        own.push(text);
        if let Some(reference) = reference {
            references.get_or_insert_with(Vec::new).push(reference);
        }
        Ok(())
    })?;
    if visited == Visited::Folder {
        let languages = texts
            .into_iter()
            .map(|(lang, own, _)| (lang, own))
            .collect();
        return Corpus::from_texts(languages, options.reference.as_deref());
    }
    // Parallel JSON Lines: the reference language's row first, its premium 1 by definition.
    let reference = options.reference.as_deref();
    let mut languages: Vec<LanguageText> = texts
        .into_iter()
        .map(|(lang, own, references)| LanguageText {
            reference: match (references, reference) {
                (Some(texts), _) => Reference::Texts(texts),
                (None, Some(_)) => Reference::Language(0),
                (None, None) => Reference::None,
            },
            lang,
            texts: own,
        })
        .collect();
    if let Some(at) = reference.and_then(|r| languages.iter().position(|l| l.lang == r)) {
        let row = languages.remove(at);
        languages.insert(0, row);
    }
    Ok(Corpus {
        languages,
        reference: options.reference.clone(),
    })
}

/// Measures a folder of `<language>.txt` files or a JSON Lines file with every tokenizer
/// while reading it: a JSON Lines file is counted a batch of lines at a time and a folder a
/// file at a time, so that memory holds a batch (or one file), not the corpus. The report
/// equals [`compute`](super::compute) of [`read_input`].
pub fn measure_input(
    path: &Path,
    options: &InputOptions,
    tokenizers: &[(String, Arc<Tokenizer>)],
    baseline: Option<&str>,
) -> Result<Report> {
    let mut counter =
        Counter::new(tokenizers, baseline)?.adding_special_tokens(options.add_special_tokens);
    let visited = visit_input(path, options, &mut |lang, text, reference| {
        let slot = counter.language(lang);
        if let Some(reference) = reference {
            counter.add(slot, Role::Reference, reference)?;
        }
        counter.add(slot, Role::Own, text)
    })?;
    let reference = options.reference.as_deref();
    let first = (visited == Visited::JsonLines)
        .then_some(reference)
        .flatten();
    counter.finish(reference, first)
}

/// Where a reader hands each text: its language, the text, and for a parallel pair the
/// reference text it translates.
type Sink<'s> = dyn FnMut(&str, String, Option<String>) -> Result<()> + 's;

/// Which form an input had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visited {
    Folder,
    JsonLines,
}

/// Hands every text of a folder or JSON Lines file to `sink`, in input order.
fn visit_input(path: &Path, options: &InputOptions, sink: &mut Sink) -> Result<Visited> {
    let metadata = std::fs::metadata(path).map_err(|source| io_error(path, source))?;
    if metadata.is_dir() {
        visit_dir(path, options, sink)?;
        Ok(Visited::Folder)
    } else {
        visit_json_lines(path, options, sink)?;
        Ok(Visited::JsonLines)
    }
}

/// Every `<language>.txt` file of a folder, one file (one text) at a time, in name order.
fn visit_dir(dir: &Path, options: &InputOptions, sink: &mut Sink) -> Result<()> {
    let files = language_files(dir)?;
    if let Some(reference) = &options.reference {
        if !files.iter().any(|(lang, _)| lang == reference) {
            let names: Vec<&str> = files.iter().map(|(l, _)| l.as_str()).collect();
            return Err(CorpusError::BadParameter(format!(
                "unknown reference language {reference:?}: {} has no {reference}.txt (languages: {})",
                dir.display(),
                names.join(", ")
            )));
        }
    }
    for (lang, path) in files {
        let text = read_text(&path, options.max_file_bytes)?;
        if text.is_empty() {
            return Err(CorpusError::Empty {
                path: path.display().to_string(),
                message: "the file is empty".into(),
            });
        }
        sink(&lang, text, None)?;
    }
    Ok(())
}

/// The lines of a JSON Lines file, read as they are decompressed: one language and text a
/// line, or one parallel pair a line when `options.reference` is set (then each distinct
/// reference text is also handed over once, as a text of the reference language, before the
/// first pair that has it).
fn visit_json_lines(path: &Path, options: &InputOptions, sink: &mut Sink) -> Result<()> {
    let name = path.display().to_string();
    let text_field = options.text_field();
    let reference = options.reference.as_deref();
    // Reference texts already handed over, by their hash: the reference row holds each once.
    let mut seen_reference: HashSet<blake3::Hash> = HashSet::new();
    let mut any = false;

    let lang_path = [options.lang_field.clone()];
    let text_path = [text_field.to_owned()];
    let reference_path = [reference.unwrap_or_default().to_owned()];
    // The field of a parallel pair's translation, named when its absence may explain a line.
    let translation_path = [String::from("tr")];
    let read_options = ReadOptions {
        split: Split::Line,
        on_error: OnError::Fail,
        max_document_bytes: ReadOptions::DEFAULT_MAX_DOCUMENT_BYTES,
        ..ReadOptions::default()
    };
    let mut errors = ErrorLog::default();
    let mut context = Context {
        path: &name,
        options: &read_options,
        errors: &mut errors,
    };
    let file = File::open(path).map_err(|source| io_error(path, source))?;
    let mut buffered = BufReader::new(file);
    let limit = options.max_file_bytes;
    read_decompressed(&mut buffered, &name, |reader, _| {
        let mut bounded = BufReader::new(omnitok_files::BoundedReader::new(reader, limit));
        let lines = for_each_line(&mut bounded, &mut context, |_, line, line_no, _| {
            let bad = |message: String| CorpusError::BadInput {
                path: name.clone(),
                line: line_no,
                message,
            };
            if line.trim().is_empty() {
                return Ok(());
            }
            let paths = [
                &lang_path[..],
                &text_path,
                &reference_path,
                &translation_path,
            ];
            let [lang, text, original, translation] =
                fields(line, line_no, paths).map_err(|e| bad(e.to_string()))?;
            let pairs_hint = reference.is_none() && translation != JsonField::Missing;
            let string = |found: JsonField, path: &[String]| {
                found
                    .string(path)
                    .map(Cow::into_owned)
                    .map_err(|(kind, mut message)| {
                        if kind == ErrorKind::MissingField && pairs_hint && path == text_path {
                            message.push_str(" (parallel pairs? pass a reference language)");
                        }
                        bad(message)
                    })
            };
            let lang = string(lang, &lang_path)?;
            let text = string(text, &text_path)?;
            any = true;
            let Some(reference) = reference else {
                return sink(&lang, text, None);
            };
            if lang == reference {
                return Err(bad(format!(
                    "the language of a pair is the reference language {reference:?}"
                )));
            }
            let original = string(original, &reference_path)?;
            if original.is_empty() || text.is_empty() {
                let side = if text.is_empty() {
                    text_field
                } else {
                    reference
                };
                return Err(bad(format!(
                    "field {side:?} is empty: a pair needs both sides to compare them"
                )));
            }
            if seen_reference.insert(blake3::hash(original.as_bytes())) {
                sink(reference, original.clone(), None)?;
            }
            sink(&lang, text, Some(original))
        });
        // The limit is on the text as read, not on the compressed file.
        lines.map_err(|error| match error {
            CorpusError::Io { path, source } => crate::files::bounded_read_error(
                path,
                omnitok_files::BoundedReadError::from_io(source),
            ),
            other => other,
        })
    })?;
    if !any {
        return Err(CorpusError::Empty {
            path: name,
            message: "no JSON lines in this file".into(),
        });
    }
    Ok(())
}

/// The `<language>.txt` files directly in `dir` (possibly compressed: `.txt.gz`, `.txt.zst`;
/// symbolic links followed; hidden files left out), as `(language, path)` in name order. An
/// error when there is none, or when two files are the same language.
pub fn language_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|source| io_error(dir, source))?;
    for entry in entries {
        let entry = entry.map_err(|source| io_error(dir, source))?;
        let path = entry.path();
        let Some(lang) = path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(language_of_file)
        else {
            continue;
        };
        // Follows symbolic links, so that a linked file counts.
        let metadata = std::fs::metadata(&path).map_err(|source| io_error(&path, source))?;
        if metadata.is_file() {
            files.push((lang.to_string(), path));
        }
    }
    files.sort();
    if let Some(pair) = files.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(CorpusError::BadParameter(format!(
            "{} and {} are both language {:?}",
            pair[0].1.display(),
            pair[1].1.display(),
            pair[0].0
        )));
    }
    if files.is_empty() {
        return Err(CorpusError::Empty {
            path: dir.display().to_string(),
            message: "no <language>.txt files in this folder".into(),
        });
    }
    Ok(files)
}

/// The language of a folder's file named `name`: `<language>.txt`, possibly compressed
/// (`.txt.gz`, `.txt.zst`, `.txt.zstd`); `None` for other files and hidden ones.
fn language_of_file(name: &str) -> Option<&str> {
    let plain = [".gz", ".zst", ".zstd"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name);
    let lang = plain.strip_suffix(".txt")?;
    (!lang.is_empty() && !lang.starts_with('.')).then_some(lang)
}

/// Reads a whole file (plain, gzip or zstd) as UTF-8, at most `max_bytes` of it once
/// decompressed; invalid bytes are an error naming the line and byte offset.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String> {
    let bytes = read_bytes(path, max_bytes)?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
            + 1;
        CorpusError::BadInput {
            path: path.display().to_string(),
            line,
            message: format!("not valid UTF-8 at byte {offset}"),
        }
    })
}

/// The bytes of a file, decompressed when they are gzip or zstd; more than `limit` of them is
/// an error.
fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|source| io_error(path, source))?;
    let (bytes, _) = read_decompressed(&mut BufReader::new(file), &name, |reader, _| {
        omnitok_files::read_to_end_bounded(reader, limit)
            .map_err(|e| crate::files::bounded_read_error(&name, e))
    })?;
    Ok(bytes)
}

fn io_error(path: &Path, source: std::io::Error) -> CorpusError {
    CorpusError::Io {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh folder under the system temp folder, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> Self {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir()
                .join(format!("omnitok-report-test-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
            let path = self.0.join(name);
            std::fs::write(&path, contents).unwrap();
            path
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn parallel(reference: &str) -> InputOptions {
        InputOptions {
            reference: Some(reference.into()),
            ..InputOptions::default()
        }
    }

    #[test]
    fn folder_languages_in_name_order_other_files_ignored() {
        let dir = TempDir::new();
        dir.file("fr.txt", b"Bonjour");
        dir.file("en.txt", b"Hello");
        dir.file("notes.md", b"# not a language");
        dir.file(".hidden.txt", b"x");
        std::fs::create_dir(dir.0.join("sub.txt")).unwrap();
        let corpus = read_input(&dir.0, &InputOptions::default()).unwrap();
        let langs: Vec<&str> = corpus.languages.iter().map(|l| l.lang.as_str()).collect();
        assert_eq!(langs, ["en", "fr"]);
        assert_eq!(corpus.languages[1].texts, ["Bonjour"]);
        assert!(corpus
            .languages
            .iter()
            .all(|l| l.reference == Reference::None));
        assert_eq!(corpus.reference, None);

        let corpus = read_input(&dir.0, &parallel("en")).unwrap();
        assert!(corpus
            .languages
            .iter()
            .all(|l| l.reference == Reference::Language(0)));
        let e = read_input(&dir.0, &parallel("de")).unwrap_err();
        assert!(
            e.to_string().contains("unknown reference language \"de\""),
            "{e}"
        );
        assert!(
            e.to_string().contains("has no de.txt (languages: en, fr)"),
            "{e}"
        );
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn compressed_files_are_read_decompressed() {
        let dir = TempDir::new();
        dir.file("en.txt", b"Hello");
        dir.file("fr.txt.gz", &gzip("Bonjour à tous".as_bytes()));
        dir.file("de.txt.zst", &zstd::encode_all(&b"Hallo"[..], 3).unwrap());
        let corpus = read_input(&dir.0, &InputOptions::default()).unwrap();
        let texts: Vec<(&str, &str)> = corpus
            .languages
            .iter()
            .map(|l| (l.lang.as_str(), l.texts[0].as_str()))
            .collect();
        assert_eq!(
            texts,
            [("de", "Hallo"), ("en", "Hello"), ("fr", "Bonjour à tous")]
        );

        dir.file("fr.txt", b"Salut");
        let e = read_input(&dir.0, &InputOptions::default()).unwrap_err();
        assert!(e.to_string().ends_with("are both language \"fr\""), "{e}");

        let lines = "{\"lang\": \"de\", \"en\": \"Hello\", \"tr\": \"Hallo\"}\n";
        let path = dir.file("aligned.jsonl.gz", &gzip(lines.as_bytes()));
        let corpus = read_input(&path, &parallel("en")).unwrap();
        assert_eq!(corpus.languages[1].texts, ["Hallo"]);

        // The limit is on the text as read, not on the compressed file.
        let tiny = InputOptions {
            max_file_bytes: 20,
            ..parallel("en")
        };
        let e = read_input(&path, &tiny).unwrap_err();
        assert!(e.to_string().ends_with("over the limit of 20 bytes"), "{e}");
    }

    #[test]
    fn measuring_while_reading_equals_measuring_what_was_read() {
        let dir = TempDir::new();
        let folder = dir.0.join("folder");
        std::fs::create_dir(&folder).unwrap();
        for (lang, text) in [
            ("en", "Hello world"),
            ("de", "Hallo Welt"),
            ("el", "Γειά σου"),
        ] {
            std::fs::write(folder.join(format!("{lang}.txt")), text).unwrap();
        }
        let lines = "{\"lang\": \"de\", \"text\": \"Hallo\"}\n{\"lang\": \"tr\", \"text\": \"Merhaba dünya\"}\n{\"lang\": \"de\", \"text\": \"Welt\"}\n";
        let plain = dir.file("plain.jsonl", lines.as_bytes());
        let pairs = "{\"lang\": \"de\", \"en\": \"Hello\", \"tr\": \"Hallo\"}\n{\"lang\": \"fr\", \"en\": \"Hello\", \"tr\": \"Bonjour\"}\n{\"lang\": \"de\", \"en\": \"World\", \"tr\": \"Welt\"}\n";
        let aligned = dir.file(
            "aligned.jsonl.zst",
            &zstd::encode_all(pairs.as_bytes(), 3).unwrap(),
        );
        let tokenizers: Vec<(String, Arc<Tokenizer>)> = ["o200k_base", "gpt2"]
            .iter()
            .map(|n| (n.to_string(), omnitok_tokenizer::get_encoding(n).unwrap()))
            .collect();
        for (path, options) in [
            (folder.clone(), InputOptions::default()),
            (folder, parallel("en")),
            (plain, InputOptions::default()),
            (aligned, parallel("en")),
        ] {
            let streamed = measure_input(&path, &options, &tokenizers, Some("gpt2")).unwrap();
            let corpus = read_input(&path, &options).unwrap();
            let whole = super::super::compute(&corpus, &tokenizers, Some("gpt2")).unwrap();
            assert_eq!(streamed, whole, "{path:?}");
        }
    }

    #[test]
    fn a_compressed_bomb_stops_at_the_limit_while_it_is_read() {
        // 64 MiB of JSON lines in a few KiB of zstd: refused after the first MiB, without
        // holding the rest.
        let line = format!("{{\"lang\": \"en\", \"text\": \"{}\"}}\n", "a".repeat(1000));
        let mut text = Vec::new();
        while text.len() < 64 << 20 {
            text.extend_from_slice(line.as_bytes());
        }
        let dir = TempDir::new();
        let path = dir.file("bomb.jsonl.zst", &zstd::encode_all(&text[..], 19).unwrap());
        drop(text);
        assert!(std::fs::metadata(&path).unwrap().len() < 64 << 10);
        let options = InputOptions {
            max_file_bytes: 1 << 20,
            ..InputOptions::default()
        };
        let tokenizers = vec![(
            "o200k_base".to_string(),
            omnitok_tokenizer::get_encoding("o200k_base").unwrap(),
        )];
        let error = measure_input(&path, &options, &tokenizers, None).unwrap_err();
        assert!(
            matches!(error, CorpusError::Limit { .. })
                && error
                    .to_string()
                    .ends_with("over the limit of 1048576 bytes"),
            "{error}"
        );
    }

    #[test]
    fn folder_errors_name_the_folder_or_file() {
        let dir = TempDir::new();
        let e = read_input(&dir.0, &InputOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: no <language>.txt files in this folder",
                dir.0.display()
            )
        );
        let missing = dir.0.join("missing");
        let e = read_input(&missing, &InputOptions::default()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("{}: ", missing.display())),
            "{e}"
        );
        let bad = dir.file("de.txt", b"line one\nline \xff two");
        let e = read_input(&dir.0, &InputOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}:2: not valid UTF-8 at byte 14", bad.display())
        );
        dir.file("de.txt", b"");
        let e = read_input(&dir.0, &InputOptions::default()).unwrap_err();
        assert!(e.to_string().ends_with("de.txt: the file is empty"), "{e}");
        dir.file("de.txt", b"0123456789");
        let tiny = InputOptions {
            max_file_bytes: 4,
            ..InputOptions::default()
        };
        let e = read_input(&dir.0, &tiny).unwrap_err();
        assert!(
            matches!(
                e,
                CorpusError::Limit { ref message, .. }
                    if message == "over the limit of 4 bytes"
            ),
            "{e}"
        );
    }

    #[test]
    fn json_lines_by_language_field() {
        let dir = TempDir::new();
        let path = dir.file(
            "docs.jsonl",
            "{\"lang\": \"de\", \"text\": \"Hallo\"}\n\n{\"lang\": \"en\", \"text\": \"Hi\", \"n\": 1}\r\n{\"lang\": \"de\", \"text\": \"Welt\"}"
                .as_bytes(),
        );
        let corpus = read_input(&path, &InputOptions::default()).unwrap();
        let langs: Vec<(&str, &[String])> = corpus
            .languages
            .iter()
            .map(|l| (l.lang.as_str(), l.texts.as_slice()))
            .collect();
        assert_eq!(
            langs,
            [
                ("de", &["Hallo".to_string(), "Welt".to_string()][..]),
                ("en", &["Hi".to_string()][..])
            ]
        );
        let fields = InputOptions {
            lang_field: "l".into(),
            field: Some("body".into()),
            ..InputOptions::default()
        };
        let other = dir.file("other.jsonl", br#"{"l": "x", "body": "y"}"#);
        let corpus = read_input(&other, &fields).unwrap();
        assert_eq!(corpus.languages[0].lang, "x");
        assert_eq!(corpus.languages[0].texts, ["y"]);
    }

    #[test]
    fn parallel_json_lines_pair_each_translation_with_its_reference() {
        let dir = TempDir::new();
        let path = dir.file(
            "aligned.jsonl",
            concat!(
                "{\"lang\": \"de\", \"en\": \"Hello\", \"tr\": \"Hallo\"}\n",
                "{\"lang\": \"fr\", \"en\": \"Hello\", \"tr\": \"Bonjour\"}\n",
                "{\"lang\": \"de\", \"en\": \"World\", \"tr\": \"Welt\"}\n",
            )
            .as_bytes(),
        );
        let corpus = read_input(&path, &parallel("en")).unwrap();
        assert_eq!(corpus.reference.as_deref(), Some("en"));
        let en = &corpus.languages[0];
        assert_eq!(
            (en.lang.as_str(), &en.texts[..]),
            ("en", &["Hello".to_string(), "World".to_string()][..])
        );
        assert_eq!(en.reference, Reference::Language(0));
        let de = &corpus.languages[1];
        assert_eq!(de.texts, ["Hallo", "Welt"]);
        assert_eq!(
            de.reference,
            Reference::Texts(vec!["Hello".into(), "World".into()])
        );
        let fr = &corpus.languages[2];
        assert_eq!(fr.reference, Reference::Texts(vec!["Hello".into()]));
    }

    #[test]
    fn json_lines_errors_name_file_line_and_field() {
        let dir = TempDir::new();
        let check = |contents: &str, options: &InputOptions, expected: &str| {
            let path = dir.file("x.jsonl", contents.as_bytes());
            let e = read_input(&path, options).unwrap_err();
            assert_eq!(e.to_string(), format!("{}{expected}", path.display()));
        };
        let plain = InputOptions::default();
        check(
            "{\"lang\": \"a\", \"text\": \"t\"}\n{\"lang\": \"a\", \"text\": ",
            &plain,
            ":2: malformed JSON: EOF while parsing a value at line 1 column 22",
        );
        check("\n[1, 2]\n", &plain, ":2: not a JSON object");
        check("{\"text\": \"t\"}", &plain, ":1: no field \"lang\"");
        check("{\"lang\": \"a\"}", &plain, ":1: no field \"text\"");
        check(
            "{\"lang\": 7, \"text\": \"t\"}",
            &plain,
            ":1: field \"lang\" is a number, not a string",
        );
        check(
            "{\"lang\": \"de\", \"en\": \"Hello\", \"tr\": \"Hallo\"}",
            &plain,
            ":1: no field \"text\" (parallel pairs? pass a reference language)",
        );
        check(
            "{\"lang\": \"de\", \"tr\": \"Hallo\"}",
            &parallel("en"),
            ":1: no field \"en\"",
        );
        check(
            "{\"lang\": \"en\", \"en\": \"a\", \"tr\": \"a\"}",
            &parallel("en"),
            ":1: the language of a pair is the reference language \"en\"",
        );
        check(
            "{\"lang\": \"de\", \"en\": \"Hello\", \"tr\": \"Hallo\"}\n{\"lang\": \"de\", \"en\": \"\", \"tr\": \"Welt\"}",
            &parallel("en"),
            ":2: field \"en\" is empty: a pair needs both sides to compare them",
        );
        check(
            "{\"lang\": \"de\", \"en\": \"World\", \"tr\": \"\"}",
            &parallel("en"),
            ":1: field \"tr\" is empty: a pair needs both sides to compare them",
        );
        check("\n \n", &plain, ": no JSON lines in this file");
        let path = dir.file("bad.jsonl", b"{\"lang\": \"a\", \"text\": \"\xff\"}");
        let e = read_input(&path, &plain).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}:1: invalid UTF-8 at byte 23 of the line", path.display())
        );
    }
}
