//! omnitok and its peers (tiktoken-rs, bpe-openai) behind one interface, for one encoding.

use std::fmt;
use std::sync::Arc;

use omnitok_tokenizer::Tokenizer;

/// The encodings all three libraries ship.
pub const ENCODINGS: [&str; 2] = ["o200k_base", "cl100k_base"];

/// A library under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    /// This workspace's tokenizer, `Tokenizer::encode_ordinary`.
    Omnitok,
    /// tiktoken-rs, `CoreBPE::encode_ordinary`.
    TiktokenRs,
    /// bpe-openai, `Tokenizer::encode` (no normalization for the OpenAI encodings).
    BpeOpenai,
}

impl Library {
    /// All libraries, omnitok first.
    pub const ALL: [Library; 3] = [Library::Omnitok, Library::TiktokenRs, Library::BpeOpenai];

    /// Name used in bench IDs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Library::Omnitok => "omnitok",
            Library::TiktokenRs => "tiktoken-rs",
            Library::BpeOpenai => "bpe-openai",
        }
    }
}

/// The three libraries loaded for one encoding.
pub struct Peers {
    /// Encoding name, e.g. `o200k_base`.
    pub encoding: &'static str,
    /// omnitok's tokenizer.
    pub omnitok: Arc<Tokenizer>,
    /// tiktoken-rs's encoder.
    pub tiktoken: tiktoken_rs::CoreBPE,
    /// bpe-openai's tokenizer.
    pub bpe: &'static bpe_openai::Tokenizer,
}

/// Why [`Peers::load`] failed.
#[derive(Debug)]
pub struct LoadError(String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

impl Peers {
    /// Loads `encoding` (one of [`ENCODINGS`]) in all three libraries.
    pub fn load(encoding: &str) -> Result<Peers, LoadError> {
        let (encoding, tiktoken, bpe) = match encoding {
            "o200k_base" => (
                "o200k_base",
                tiktoken_rs::o200k_base(),
                bpe_openai::o200k_base(),
            ),
            "cl100k_base" => (
                "cl100k_base",
                tiktoken_rs::cl100k_base(),
                bpe_openai::cl100k_base(),
            ),
            other => {
                return Err(LoadError(format!(
                    "encoding {other:?} is not shared by all peers; use one of {ENCODINGS:?}"
                )))
            }
        };
        let tiktoken = tiktoken.map_err(|e| LoadError(format!("tiktoken-rs {encoding}: {e}")))?;
        let omnitok = omnitok_tokenizer::get_encoding(encoding)
            .map_err(|e| LoadError(format!("omnitok {encoding}: {e}")))?;
        Ok(Peers {
            encoding,
            omnitok,
            tiktoken,
            bpe,
        })
    }

    /// Encodes `text` as ordinary text (special tokens' strings are plain text) with `library`.
    ///
    /// # Panics
    /// If omnitok returns an error, which it never does for ordinary text.
    pub fn encode(&self, library: Library, text: &str) -> Vec<u32> {
        match library {
            Library::Omnitok => self
                .omnitok
                .encode_ordinary(text)
                .expect("encode_ordinary of ordinary text"),
            Library::TiktokenRs => self.tiktoken.encode_ordinary(text),
            Library::BpeOpenai => self.bpe.encode(text),
        }
    }

    /// Encodes every document with `library`, one after another on this thread; returns the total
    /// number of tokens.
    pub fn encode_all(&self, library: Library, documents: &[&str]) -> usize {
        documents
            .iter()
            .map(|document| self.encode(library, document).len())
            .sum()
    }

    /// omnitok's `encode_ordinary` over `documents` one after another on this thread, keeping
    /// every output as `encode_ordinary_batch` does (a `Vec` per document, all alive at the
    /// end); returns the number of tokens. The single-thread baseline of the batch.
    ///
    /// # Panics
    /// If omnitok returns an error, which it never does for ordinary text.
    pub fn omnitok_loop(&self, documents: &[&str]) -> usize {
        let encoded: Vec<Vec<u32>> = documents
            .iter()
            .map(|document| {
                self.omnitok
                    .encode_ordinary(document)
                    .expect("encode_ordinary of text")
            })
            .collect();
        encoded.iter().map(Vec::len).sum()
    }

    /// omnitok's `encode_ordinary_batch` over `documents` (rayon); returns the number of tokens.
    ///
    /// # Panics
    /// If omnitok returns an error, which it never does for ordinary text.
    pub fn omnitok_batch(&self, documents: &[&str]) -> usize {
        let encoded = self
            .omnitok
            .encode_ordinary_batch(documents)
            .expect("encode_ordinary_batch of text");
        encoded.iter().map(Vec::len).sum()
    }

    /// Encodes every document with all three libraries (and omnitok's batch) and lists where
    /// their outputs differ from tiktoken-rs's. Empty when all agree.
    pub fn mismatches(&self, documents: &[&str]) -> Vec<Mismatch> {
        let mut found = Vec::new();
        let batch = self.omnitok.encode_ordinary_batch(documents);
        for (index, document) in documents.iter().enumerate() {
            let reference = self.encode(Library::TiktokenRs, document);
            let mut others: Vec<(&'static str, Vec<u32>)> = vec![
                ("omnitok", self.encode(Library::Omnitok, document)),
                ("bpe-openai", self.encode(Library::BpeOpenai, document)),
            ];
            match &batch {
                Ok(batch) => others.push(("omnitok batch", batch[index].clone())),
                Err(e) => found.push(Mismatch {
                    library: "omnitok batch",
                    document: index,
                    detail: format!("error: {e}"),
                }),
            }
            for (library, ids) in others {
                if ids != reference {
                    found.push(Mismatch {
                        library,
                        document: index,
                        detail: describe_difference(self, document, &reference, &ids),
                    });
                }
            }
        }
        found
    }
}

/// One document on which a library's output differs from tiktoken-rs's.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// The library that differs.
    pub library: &'static str,
    /// Index of the document.
    pub document: usize,
    /// Where and how.
    pub detail: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} differs from tiktoken-rs on document {}: {}",
            self.library, self.document, self.detail
        )
    }
}

/// The first differing token position, with the text around it.
fn describe_difference(peers: &Peers, document: &str, reference: &[u32], ids: &[u32]) -> String {
    let at = reference
        .iter()
        .zip(ids)
        .take_while(|(a, b)| a == b)
        .count();
    let prefix_bytes: usize = reference[..at]
        .iter()
        .map(|&id| peers.omnitok.token_bytes(id).map_or(0, <[u8]>::len))
        .sum();
    let mut start = prefix_bytes.saturating_sub(40).min(document.len());
    while !document.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (prefix_bytes + 40).min(document.len());
    while !document.is_char_boundary(end) {
        end += 1;
    }
    let window = |ids: &[u32]| ids[at.min(ids.len())..(at + 6).min(ids.len())].to_vec();
    format!(
        "{} vs {} tokens; first difference at token {at} (byte {prefix_bytes}), tiktoken-rs {:?} vs {:?}, text {:?}",
        reference.len(),
        ids.len(),
        window(reference),
        window(ids),
        &document[start..end]
    )
}
