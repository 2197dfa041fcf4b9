//! tiktoken rank files: one `<base64 bytes> <rank>` per line.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use omnitok_vocab::TokenId;
use rustc_hash::FxHashMap;

use crate::error::{Result, TokenizerError};

/// Parses a rank file's text. `path` only names the source in errors. Empty lines are skipped,
/// as tiktoken skips them. Two lines with the same rank (which tiktoken refuses) or the same
/// token bytes are an error naming both lines: either would make encoding or decoding ambiguous.
pub fn parse_ranks(text: &[u8], path: &str) -> Result<Vec<(Vec<u8>, TokenId)>> {
    let mut tokens = Vec::with_capacity(text.len() / 12);
    let mut lines: Vec<usize> = Vec::with_capacity(text.len() / 12);
    for (index, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let at = || format!("line {}", index + 1);
        let space = line.iter().position(|&b| b == b' ').ok_or_else(|| {
            TokenizerError::bad_vocab(
                path,
                at(),
                "expected `<base64 token> <rank>`, found no space",
            )
        })?;
        let (encoded, rank) = (&line[..space], &line[space + 1..]);
        let bytes = BASE64.decode(encoded).map_err(|e| {
            TokenizerError::bad_vocab(path, at(), format!("token is not valid base64: {e}"))
        })?;
        let rank = std::str::from_utf8(rank)
            .ok()
            .and_then(|r| r.parse::<TokenId>().ok())
            .ok_or_else(|| {
                TokenizerError::bad_vocab(
                    path,
                    at(),
                    format!(
                        "rank {:?} is not a non-negative integer",
                        String::from_utf8_lossy(rank)
                    ),
                )
            })?;
        tokens.push((bytes, rank));
        lines.push(index + 1);
    }
    if tokens.is_empty() {
        return Err(TokenizerError::bad_vocab(
            path,
            "line 1",
            "the rank file holds no token",
        ));
    }
    let mut by_bytes: FxHashMap<&[u8], usize> = FxHashMap::default();
    let mut by_rank: FxHashMap<TokenId, usize> = FxHashMap::default();
    by_bytes.reserve(tokens.len());
    by_rank.reserve(tokens.len());
    for ((bytes, rank), &line) in tokens.iter().zip(&lines) {
        let repeated = |what: String, first: usize| {
            let message = format!("{what} repeats line {first}");
            TokenizerError::bad_vocab(path, format!("line {line}"), message)
        };
        if let Some(first) = by_bytes.insert(bytes, line) {
            let token = String::from_utf8_lossy(bytes);
            return Err(repeated(format!("token {token:?}"), first));
        }
        if let Some(first) = by_rank.insert(*rank, line) {
            return Err(repeated(format!("rank {rank}"), first));
        }
    }
    Ok(tokens)
}

/// Writes tokens as a rank file, in rank order.
pub fn format_ranks<'a>(tokens: impl Iterator<Item = (&'a [u8], TokenId)>) -> String {
    let mut sorted: Vec<(&[u8], TokenId)> = tokens.collect();
    sorted.sort_unstable_by_key(|&(_, rank)| rank);
    let mut out = String::with_capacity(sorted.len() * 16);
    for (bytes, rank) in sorted {
        out.push_str(&BASE64.encode(bytes));
        out.push(' ');
        out.push_str(&rank.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let tokens = vec![
            (b"a".to_vec(), 0),
            (b" the".to_vec(), 1),
            (vec![0xff, 0x00], 2),
        ];
        let text = format_ranks(tokens.iter().map(|(b, r)| (b.as_slice(), *r)));
        assert_eq!(parse_ranks(text.as_bytes(), "x").unwrap(), tokens);
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = parse_ranks(b"YQ== 0\n\nYg== x\n", "ranks.tiktoken")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "ranks.tiktoken: line 3: rank \"x\" is not a non-negative integer"
        );
        let err = parse_ranks(b"YQ==0\n", "r").unwrap_err().to_string();
        assert!(err.starts_with("r: line 1: expected"), "{err}");
        let err = parse_ranks(b"Y!Q== 0\n", "r").unwrap_err().to_string();
        assert!(
            err.starts_with("r: line 1: token is not valid base64"),
            "{err}"
        );
        assert!(parse_ranks(b"\n\n", "r").is_err());
    }
}
