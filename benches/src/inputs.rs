//! The bench inputs, made from `../shared/corpora/gnome-user-docs` (relative to the workspace):
//!
//! - `english.txt`: the lines of `en.txt`, repeated until the file holds [`ENGLISH_BYTES`].
//! - `multilingual.txt`: the lines of every `<lang>.txt` (`en.txt` included), interleaved line by
//!   line in file-name order (line 1 of each file, then line 2 of each, ...), repeated until the
//!   file holds [`MULTILINGUAL_BYTES`].
//!
//! Both stop at the first line end at or past the target, so they are deterministic and end in
//! `\n`. A third file, `english-once.txt` (`en.txt` once), serves the cold-cache comparison.
//! [`split_documents`] cuts an input into documents of about [`DOCUMENT_BYTES`] at line ends;
//! every library is benchmarked on the same documents. `compare_python.py` repeats that cut.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Size the English input reaches (20 MiB), in bytes.
pub const ENGLISH_BYTES: usize = 20 << 20;
/// Size the multilingual input reaches (10 MiB), in bytes.
pub const MULTILINGUAL_BYTES: usize = 10 << 20;
/// Size a document reaches before it is cut at the next line end (1 MiB), in bytes.
pub const DOCUMENT_BYTES: usize = 1 << 20;

/// Environment variable overriding [`corpus_dir`].
pub const CORPUS_ENV: &str = "OMNITOK_CORPUS_DIR";
/// Environment variable overriding [`data_dir`].
pub const DATA_ENV: &str = "OMNITOK_BENCH_DATA";

/// One of the two bench inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// `english.txt`.
    English,
    /// `multilingual.txt`.
    Multilingual,
    /// `english-once.txt`: `en.txt` once, without repetition. Not among the bench inputs
    /// ([`Input::ALL`]); `compare` and `profile_encode` take it to show the cost of text that
    /// has not been seen before (caches of merged pieces do not help across copies).
    EnglishOnce,
}

impl Input {
    /// Both inputs, in report order.
    pub const ALL: [Input; 2] = [Input::English, Input::Multilingual];

    /// Short name: `english`, `multilingual` or `english-once`.
    pub fn name(self) -> &'static str {
        match self {
            Input::English => "english",
            Input::Multilingual => "multilingual",
            Input::EnglishOnce => "english-once",
        }
    }

    /// The input named `name` (as [`Input::name`] gives it).
    pub fn from_name(name: &str) -> Option<Input> {
        [Input::English, Input::Multilingual, Input::EnglishOnce]
            .into_iter()
            .find(|input| input.name() == name)
    }

    /// The file name of the input in [`data_dir`].
    pub fn file_name(self) -> String {
        format!("{}.txt", self.name())
    }

    /// The size the input is built to (0: one copy of its source).
    pub fn target_bytes(self) -> usize {
        match self {
            Input::English => ENGLISH_BYTES,
            Input::Multilingual => MULTILINGUAL_BYTES,
            Input::EnglishOnce => 0,
        }
    }

    /// Builds the input's text from the corpus at `corpus`.
    pub fn build(self, corpus: &Path) -> io::Result<String> {
        match self {
            Input::English => build_english(corpus, self.target_bytes()),
            Input::Multilingual => build_multilingual(corpus, self.target_bytes()),
            Input::EnglishOnce => build_english(corpus, 0),
        }
    }
}

/// The workspace root (the folder above this crate).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The gnome-user-docs corpus: `$OMNITOK_CORPUS_DIR`, else
/// `<workspace>/../shared/corpora/gnome-user-docs`.
pub fn corpus_dir() -> PathBuf {
    match std::env::var_os(CORPUS_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("../shared/corpora/gnome-user-docs"),
    }
}

/// Where the inputs are written: `$OMNITOK_BENCH_DATA`, else `benches/data` (git-ignored).
pub fn data_dir() -> PathBuf {
    match std::env::var_os(DATA_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
    }
}

fn read_text(path: &Path) -> io::Result<String> {
    fs::read_to_string(path)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display())))
}

/// Appends `lines` cyclically, each followed by `\n`, until `out` holds at least `target` bytes.
fn fill_cyclically(lines: &[&str], target: usize) -> String {
    let mut out = String::with_capacity(target + 64 * 1024);
    if lines.iter().all(|line| line.is_empty()) {
        return out;
    }
    while out.len() < target {
        for line in lines {
            out.push_str(line);
            out.push('\n');
            if out.len() >= target {
                break;
            }
        }
    }
    out
}

/// `en.txt` repeated line by line up to `target` bytes; `target` 0: one copy.
pub fn build_english(corpus: &Path, target: usize) -> io::Result<String> {
    let text = read_text(&corpus.join("en.txt"))?;
    let lines: Vec<&str> = text.lines().collect();
    let one_copy = lines.iter().map(|line| line.len() + 1).sum();
    Ok(fill_cyclically(
        &lines,
        if target == 0 { one_copy } else { target },
    ))
}

/// The `*.txt` files of the corpus, sorted by name.
pub fn locale_files(corpus: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = fs::read_dir(corpus)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot list {}: {e}", corpus.display())))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "txt") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no <lang>.txt files in {}", corpus.display()),
        ));
    }
    Ok(files)
}

/// All locales' lines interleaved (line i of every file, files in name order), repeated up to
/// `target` bytes.
pub fn build_multilingual(corpus: &Path, target: usize) -> io::Result<String> {
    let texts = locale_files(corpus)?
        .iter()
        .map(|path| read_text(path))
        .collect::<io::Result<Vec<String>>>()?;
    let per_file: Vec<Vec<&str>> = texts.iter().map(|text| text.lines().collect()).collect();
    let longest = per_file.iter().map(Vec::len).max().unwrap_or(0);
    let mut interleaved = Vec::with_capacity(per_file.iter().map(Vec::len).sum());
    for i in 0..longest {
        interleaved.extend(per_file.iter().filter_map(|lines| lines.get(i).copied()));
    }
    Ok(fill_cyclically(&interleaved, target))
}

/// Writes both inputs into `out` from the corpus at `corpus`; returns the written paths.
pub fn write_inputs(corpus: &Path, out: &Path) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(out)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot create {}: {e}", out.display())))?;
    let mut written = Vec::new();
    for input in [Input::English, Input::Multilingual, Input::EnglishOnce] {
        let path = out.join(input.file_name());
        fs::write(&path, input.build(corpus)?).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
        })?;
        written.push(path);
    }
    Ok(written)
}

/// The text of `input` from [`data_dir`], built from [`corpus_dir`] (and written there) first if
/// the file is missing.
pub fn load(input: Input) -> io::Result<String> {
    let path = data_dir().join(input.file_name());
    if !path.exists() {
        write_inputs(&corpus_dir(), &data_dir())?;
    }
    read_text(&path)
}

/// Cuts `text` into documents: each ends at the first `\n` at or after `chunk` bytes from its
/// start (the `\n` included), the last one at the end of the text.
pub fn split_documents(text: &str, chunk: usize) -> Vec<&str> {
    let bytes = text.as_bytes();
    let chunk = chunk.max(1);
    let mut documents = Vec::with_capacity(text.len() / chunk + 1);
    let mut start = 0;
    while start < bytes.len() {
        let from = (start + chunk - 1).min(bytes.len());
        let end = bytes[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |offset| from + offset + 1);
        documents.push(&text[start..end]);
        start = end;
    }
    documents
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_cover_the_text_and_end_at_line_ends() {
        let text = "ab\ncdef\ng\n\nhij";
        let documents = split_documents(text, 3);
        assert_eq!(documents, ["ab\n", "cdef\n", "g\n\n", "hij"]);
        assert_eq!(documents.concat(), text);
        assert_eq!(split_documents("", 4), Vec::<&str>::new());
        assert_eq!(split_documents("abc", 100), ["abc"]);
    }

    #[test]
    fn fill_stops_at_the_first_line_end_past_the_target() {
        assert_eq!(fill_cyclically(&["ab", "c"], 6), "ab\nc\nab\n");
        assert_eq!(fill_cyclically(&["", ""], 6), "");
    }
}
