//! Malformed vocabulary files and bad token IDs: each gives an error of the right category that
//! names the file and where in it (line, JSON field), or the ID and its position.

mod common;
use common::temp_dir;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use omnitok_tokenizer::{get_encoding, SpecialPolicy, Tokenizer, TokenizerError};
use serde_json::{json, Value};

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

const PATTERN: &str = r"\S+|\s+";

/// A valid rank file: the 256 bytes, then "ab" and "abc".
fn rank_lines() -> Vec<String> {
    let mut lines: Vec<String> = (0..=255u8)
        .map(|b| format!("{} {b}", BASE64.encode([b])))
        .collect();
    lines.push(format!("{} 256", BASE64.encode(b"ab")));
    lines.push(format!("{} 257", BASE64.encode(b"abc")));
    lines
}

/// Loads a rank file made of `lines` and returns the error; `file` is its name.
fn rank_file_error(dir: &Path, file: &str, lines: &[String]) -> TokenizerError {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let path = write(dir, file, text);
    match Tokenizer::from_file(&path, Some(PATTERN)) {
        Ok(_) => panic!("{file} loaded"),
        Err(e) => e,
    }
}

/// Asserts `err` is a `BadVocabulary` at `location` of the file `file` (by name), with a
/// message containing `needle`, and that its text shows all three.
fn assert_bad_vocab(err: &TokenizerError, file: &str, location: &str, needle: &str) {
    let TokenizerError::BadVocabulary {
        path,
        location: at,
        message,
    } = err
    else {
        panic!("expected BadVocabulary at {location} of {file}, got {err:?}");
    };
    assert!(path.ends_with(file), "path {path:?} is not {file}");
    assert_eq!(at, location, "{err}");
    assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    let text = err.to_string();
    assert!(text.contains(file) && text.contains(location), "{text}");
}

#[test]
fn valid_rank_file_loads() {
    let dir = temp_dir("ranks-valid");
    let text: String = rank_lines().iter().map(|l| format!("{l}\n")).collect();
    let path = write(&dir, "ok.tiktoken", text);
    let tok = Tokenizer::from_file(&path, Some(PATTERN)).unwrap();
    assert_eq!(tok.encode("abc ab").unwrap(), [257, 32, 256]);
    // Without the pattern and without a side file, the pattern is asked for.
    let err = Tokenizer::from_file(&path, None).unwrap_err();
    assert!(matches!(err, TokenizerError::BadParameter(_)), "{err:?}");
    assert!(err.to_string().contains("ok.tiktoken"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_rank_lines_name_file_and_line() {
    let dir = temp_dir("ranks-lines");
    let mut lines = rank_lines();
    lines[2] = "Ag==2".into();
    let err = rank_file_error(&dir, "no_space.tiktoken", &lines);
    assert_bad_vocab(&err, "no_space.tiktoken", "line 3", "no space");

    let mut lines = rank_lines();
    lines[9] = "A!g== 9".into();
    let err = rank_file_error(&dir, "bad_base64.tiktoken", &lines);
    assert_bad_vocab(&err, "bad_base64.tiktoken", "line 10", "base64");

    let mut lines = rank_lines();
    lines[256] = "YWI= -3".into();
    let err = rank_file_error(&dir, "bad_rank.tiktoken", &lines);
    assert_bad_vocab(&err, "bad_rank.tiktoken", "line 257", "\"-3\"");

    let mut lines = rank_lines();
    lines[257] = "YWJj 99999999999".into();
    let err = rank_file_error(&dir, "big_rank.tiktoken", &lines);
    assert_bad_vocab(&err, "big_rank.tiktoken", "line 258", "99999999999");

    // Blank lines are skipped but still counted.
    let mut lines = rank_lines();
    lines.insert(0, String::new());
    lines[5] = "x y z".into();
    let err = rank_file_error(&dir, "counted.tiktoken", &lines);
    assert_bad_vocab(&err, "counted.tiktoken", "line 6", "base64");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn empty_rank_file_is_an_error() {
    let dir = temp_dir("ranks-empty");
    for (file, text) in [("empty.tiktoken", ""), ("blank.tiktoken", "\n\n\r\n")] {
        let path = write(&dir, file, text);
        let err = Tokenizer::from_file(&path, Some(PATTERN)).unwrap_err();
        assert_bad_vocab(&err, file, "line 1", "no token");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rank_file_missing_a_byte_is_an_error() {
    let dir = temp_dir("ranks-missing-byte");
    let mut lines = rank_lines();
    lines.remove(0x41);
    let err = rank_file_error(&dir, "missing.tiktoken", &lines);
    let TokenizerError::BadVocabulary { path, message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(path.ends_with("missing.tiktoken"), "{err}");
    assert!(message.contains("0x41") || message.contains("65"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rank_file_with_duplicate_token_bytes_names_the_line() {
    let dir = temp_dir("ranks-duplicate-bytes");
    let mut lines = rank_lines();
    lines.push(format!("{} 258", BASE64.encode(b"ab")));
    let err = rank_file_error(&dir, "dup.tiktoken", &lines);
    assert_bad_vocab(&err, "dup.tiktoken", "line 259", "line 257");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rank_file_with_a_huge_id_is_refused_before_allocating() {
    let dir = temp_dir("huge-id");
    let mut lines = rank_lines();
    lines.push(format!("{} 4000000000", BASE64.encode(b"abcd")));
    let err = rank_file_error(&dir, "huge.tiktoken", &lines);
    assert_bad_vocab(&err, "huge.tiktoken", "token IDs", "4000000000");
}

#[test]
fn rank_file_with_duplicate_ranks_names_the_line() {
    // tiktoken refuses two tokens with one rank: decoding that ID would be ambiguous.
    let dir = temp_dir("ranks-duplicate-ranks");
    let mut lines = rank_lines();
    lines.push(format!("{} 257", BASE64.encode(b"xyz")));
    let err = rank_file_error(&dir, "dup_rank.tiktoken", &lines);
    assert_bad_vocab(&err, "dup_rank.tiktoken", "line 259", "line 258");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_side_file_names_its_line() {
    let dir = temp_dir("ranks-side-file");
    let text: String = rank_lines().iter().map(|l| format!("{l}\n")).collect();
    let path = write(&dir, "side.tiktoken", text);
    write(
        &dir,
        "side.tiktoken.json",
        "{\n  \"pattern\": \"x\",\n  \"special_tokens\": 7\n}\n",
    );
    let err = Tokenizer::from_file(&path, None).unwrap_err();
    assert_bad_vocab(&err, "side.tiktoken.json", "line 3", "");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let dir = temp_dir("missing-file");
    let path = dir.join("nothing-here.json");
    let err = Tokenizer::from_file(&path, None).unwrap_err();
    assert!(matches!(err, TokenizerError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("nothing-here.json"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// GPT-2's byte-to-char map, written out independently of the crate's.
fn byte_char(byte: u8) -> char {
    let printable = |b: u8| matches!(b, 33..=126 | 161..=172 | 174..=255);
    if printable(byte) {
        return char::from(byte);
    }
    // The non-printable bytes map, in order, to U+0100..=U+0143.
    let n = (0..byte).filter(|&b| !printable(b)).count() as u32;
    char::from_u32(0x100 + n).expect("a scalar value below U+0144")
}

fn byte_level(text: &str) -> String {
    text.bytes().map(byte_char).collect()
}

/// A tiny byte-level tokenizer.json: the 256 bytes as IDs 0..=255, merges building "he",
/// "ll", "hell", "hello" and "Ġw" (IDs 256..=260), and one added token. `merges_as_pairs`
/// chooses the `["a", "b"]` form of merges over `"a b"`.
fn tiny_tokenizer_json(merges_as_pairs: bool) -> Value {
    let mut vocab = serde_json::Map::new();
    for b in 0..=255u8 {
        vocab.insert(byte_char(b).to_string(), json!(b));
    }
    let merges = [
        ("h", "e"),
        ("l", "l"),
        ("he", "ll"),
        ("hell", "o"),
        (" ", "w"),
    ];
    let mut merge_values = Vec::new();
    for (i, (left, right)) in merges.iter().enumerate() {
        let (left, right) = (byte_level(left), byte_level(right));
        vocab.insert(format!("{left}{right}"), json!(256 + i));
        merge_values.push(if merges_as_pairs {
            json!([left, right])
        } else {
            json!(format!("{left} {right}"))
        });
    }
    vocab.insert("<|end|>".into(), json!(261));
    json!({
        "version": "1.0",
        "added_tokens": [{"id": 261, "content": "<|end|>", "special": true}],
        "normalizer": null,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
        "model": {"type": "BPE", "vocab": vocab, "merges": merge_values}
    })
}

fn load_json(dir: &Path, file: &str, value: &Value) -> Result<Tokenizer, TokenizerError> {
    let path = write(dir, file, value.to_string());
    Tokenizer::from_file(&path, None)
}

#[test]
fn both_merge_forms_load_identically() {
    let dir = temp_dir("json-merge-forms");
    let strings = load_json(&dir, "strings.json", &tiny_tokenizer_json(false)).unwrap();
    let pairs = load_json(&dir, "pairs.json", &tiny_tokenizer_json(true)).unwrap();
    // "hello" merges fully; " world" keeps " w" and then single bytes.
    let expected = [
        259,
        260,
        u32::from(b'o'),
        u32::from(b'r'),
        u32::from(b'l'),
        u32::from(b'd'),
    ];
    for tok in [&strings, &pairs] {
        assert_eq!(tok.encode("hello world").unwrap(), expected);
        assert_eq!(tok.encode("hell").unwrap(), [258]);
        let ids = tok
            .encode_with_policy("hello<|end|>", &SpecialPolicy::allow_all())
            .unwrap();
        assert_eq!(ids, [259, 261]);
        assert_eq!(tok.decode(&[259, 261, 260]).unwrap(), "hello<|end|> w");
    }
    let mut a: Vec<_> = strings.model().expect("byte-level").merges().collect();
    let mut b: Vec<_> = pairs.model().expect("byte-level").merges().collect();
    a.sort_unstable_by_key(|&(l, r, _)| (l, r));
    b.sort_unstable_by_key(|&(l, r, _)| (l, r));
    assert_eq!(a, b);
    assert_eq!(a.len(), 5);
    for text in [
        "hello hello",
        "shell\there",
        "héllo wörld 123",
        "hhhhellllo",
        "  w  w",
    ] {
        assert_eq!(
            strings.encode(text).unwrap(),
            pairs.encode(text).unwrap(),
            "{text:?}"
        );
        assert_eq!(
            strings.decode(&strings.encode(text).unwrap()).unwrap(),
            text
        );
    }
    assert_eq!(
        strings.to_tokenizer_json().expect("json"),
        pairs.to_tokenizer_json().expect("json")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn invalid_json_names_line_and_column() {
    let dir = temp_dir("json-invalid");
    let path = write(
        &dir,
        "broken.json",
        "{\n  \"model\": {\n    \"vocab\": [1,, 2]\n  }\n}\n",
    );
    let err = Tokenizer::from_file(&path, None).unwrap_err();
    assert_bad_vocab(&err, "broken.json", "line 3 column 17", "");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn merge_of_wrong_shape_names_its_index() {
    let dir = temp_dir("json-merge-shape");
    for (i, bad) in [
        json!("hello"),
        json!(["h"]),
        json!(["h", "e", "l"]),
        json!([1, 2]),
        json!(7),
    ]
    .into_iter()
    .enumerate()
    {
        let mut value = tiny_tokenizer_json(i % 2 == 0);
        value["model"]["merges"][2] = bad.clone();
        let err = load_json(&dir, "shape.json", &value).unwrap_err();
        assert_bad_vocab(&err, "shape.json", "model.merges[2]", "expected");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn vocab_key_outside_the_byte_level_alphabet_is_a_token_never_produced() {
    // HF loads such a file; the key just never comes out of byte-level encoding.
    let dir = temp_dir("json-vocab-key");
    let plain = load_json(&dir, "plain.json", &tiny_tokenizer_json(false)).unwrap();
    let mut value = tiny_tokenizer_json(false);
    value["model"]["vocab"]["h€"] = json!(300);
    value["model"]["vocab"][" w"] = json!(301);
    let loaded = load_json(&dir, "key.json", &value).unwrap();
    for text in ["hello", "hello world", "h€ w"] {
        assert_eq!(
            loaded.encode(text).unwrap(),
            plain.encode(text).unwrap(),
            "{text:?}"
        );
    }
    assert_eq!(loaded.token_bytes(300), Some("h€".as_bytes()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_tokens_with_one_id_are_refused() {
    let dir = temp_dir("json-shared-id");
    let mut value = tiny_tokenizer_json(false);
    let id = value["model"]["vocab"]["a"].clone();
    value["model"]["vocab"]["zz"] = id;
    let err = load_json(&dir, "shared.json", &value).unwrap_err();
    assert!(err.to_string().contains("an ID names one token"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn merge_with_a_token_missing_from_vocab_is_named() {
    let dir = temp_dir("json-merge-missing");
    // The merged token is missing.
    let mut value = tiny_tokenizer_json(false);
    value["model"]["vocab"]
        .as_object_mut()
        .unwrap()
        .remove("hell")
        .unwrap();
    let err = load_json(&dir, "merged.json", &value).unwrap_err();
    assert_bad_vocab(&err, "merged.json", "model.merges[2]", "hell");
    // A part is missing.
    let mut value = tiny_tokenizer_json(true);
    value["model"]["merges"][4] = json!(["xy", "z"]);
    let err = load_json(&dir, "part.json", &value).unwrap_err();
    assert_bad_vocab(&err, "part.json", "model.merges[4]", "xy");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unsupported_features_name_the_field() {
    let dir = temp_dir("json-unsupported");
    type Edit = fn(&mut Value);
    let cases: [(Edit, &str); 6] = [
        (|v| v["normalizer"] = json!({"type": "Nmt"}), "normalizer"),
        (
            |v| {
                v["normalizer"] =
                    json!({"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Nmt"}]})
            },
            "normalizer.normalizers[1]",
        ),
        (|v| v["model"]["type"] = json!("WordLevel"), "model"),
        (|v| v["model"]["dropout"] = json!(0.1), "model.dropout"),
        (
            |v| v["pre_tokenizer"] = json!({"type": "UnicodeScripts"}),
            "pre_tokenizer",
        ),
        (|v| v["decoder"] = json!({"type": "CTC"}), "decoder"),
    ];
    for (edit, field) in cases {
        let mut value = tiny_tokenizer_json(false);
        edit(&mut value);
        let err = load_json(&dir, "unsupported.json", &value).unwrap_err();
        let TokenizerError::Unsupported { path, message } = &err else {
            panic!("{field}: expected Unsupported, got {err:?}");
        };
        assert!(path.ends_with("unsupported.json"), "{err}");
        assert!(
            message.contains(field),
            "{message:?} does not name {field:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_id_names_the_id_and_position() {
    let enc = get_encoding("cl100k_base").unwrap();
    let mut ids = enc.encode("hello world").unwrap();
    ids.push(1_000_000);
    let err = enc.decode(&ids).unwrap_err();
    match err {
        TokenizerError::UnknownId {
            id,
            position,
            n_vocab,
        } => {
            assert_eq!((id, position, n_vocab), (1_000_000, 2, enc.n_vocab()));
        }
        other => panic!("expected UnknownId, got {other:?}"),
    }
    // IDs in range but not tokens: cl100k_base has a gap below its last special.
    let gap = 100_261;
    assert!(enc.token_bytes(gap).is_none() && gap < enc.n_vocab() as u32);
    for err in [
        enc.decode_bytes(&[15339, gap]).unwrap_err(),
        enc.decode(&[15339, gap]).unwrap_err(),
    ] {
        assert!(
            matches!(
                err,
                TokenizerError::UnknownId {
                    id: 100_261,
                    position: 1,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("100261") && err.to_string().contains("position 1"));
    }
    assert!(enc.decode_lossy(&[gap]).is_err());
}

#[test]
fn non_utf8_decode_is_an_error_but_bytes_and_lossy_work() {
    let enc = get_encoding("o200k_base").unwrap();
    let hello = enc.encode("hello").unwrap();
    assert_eq!(hello.len(), 1);
    let ff = enc.encode_single_token(&[0xFF]).unwrap();
    let ids = [hello[0], ff, hello[0]];
    match enc.decode(&ids).unwrap_err() {
        TokenizerError::InvalidUtf8 {
            byte_offset,
            position,
        } => {
            assert_eq!((byte_offset, position), (5, 1));
        }
        other => panic!("expected InvalidUtf8, got {other:?}"),
    }
    assert_eq!(enc.decode_bytes(&ids).unwrap(), b"hello\xFFhello");
    assert_eq!(enc.decode_lossy(&ids).unwrap(), "hello\u{FFFD}hello");

    // A 4-byte emoji split across tokens: its first tokens alone end mid-char.
    let emoji = enc.encode("a🫠").unwrap();
    assert!(
        emoji.len() > 2,
        "the emoji is one token; the case is not tested"
    );
    let cut = &emoji[..emoji.len() - 1];
    let err = enc.decode(cut).unwrap_err();
    assert!(
        matches!(
            err,
            TokenizerError::InvalidUtf8 {
                byte_offset: 1,
                position: 1
            }
        ),
        "{err:?}"
    );
    let bytes = enc.decode_bytes(cut).unwrap();
    assert_eq!(bytes, &"a🫠".as_bytes()[..bytes.len()]);
    assert!(enc.decode_lossy(cut).unwrap().starts_with("a\u{FFFD}"));
}
