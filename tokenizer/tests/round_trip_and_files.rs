//! Properties on real multilingual text (`fixtures/multilingual`) and random text, for every
//! built-in encoding: round trips, counts, offsets, special-token policies, and tokenizers saved
//! as tokenizer.json or as a rank file encoding exactly as the built-in ones.

mod common;
use common::temp_dir;
use std::path::{Path, PathBuf};

use omnitok_tokenizer::{
    get_encoding, SpecialPolicy, TokenId, Tokenizer, TokenizerError, ENCODING_NAMES,
};
use rand::{Rng, SeedableRng};

/// The multilingual fixtures, `(file name, text)`, in file-name order.
fn fixtures() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/multilingual");
    let listing = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = listing
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path()
        })
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "expected 30 or more locales in {}",
        dir.display()
    );
    files
        .into_iter()
        .map(|path| {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!text.is_empty(), "{name} is empty");
            (name, text)
        })
        .collect()
}

/// Letters of several scripts and cases, marks, digits, white space of several kinds,
/// contractions, punctuation, emoji (with ZWJ and variation selectors), and fragments of
/// special-token strings.
const ALPHABET: &[&str] = &[
    "a",
    "b",
    "e",
    "s",
    "t",
    "the",
    " the",
    "S",
    "T",
    "É",
    "é",
    "ß",
    "ǅ",
    "Ж",
    "ж",
    "Ω",
    "中",
    "文",
    "の",
    "ア",
    "한",
    "क",
    "ा",
    "\u{94D}",
    "\u{301}",
    "ิ",
    "1",
    "42",
    "٣",
    "½",
    "Ⅻ",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\u{a0}",
    "\u{3000}",
    "\u{2028}",
    "'s",
    "'ll",
    "’",
    "!",
    "...",
    ",",
    "/",
    "-",
    "_",
    "$",
    "#",
    "(",
    ")",
    "😀",
    "👍🏽",
    "👨\u{200d}👩\u{200d}👧",
    "\u{fe0f}",
    "🫠",
    "\u{10FFFF}",
    "\u{E000}",
    "\0",
    "\u{7f}",
    "\u{FFFD}",
    "<|",
    "|>",
    "endoftext",
    "<|endoftext|>",
    "<|fim_prefix|>",
];

fn random_text(rng: &mut impl Rng, max_len: usize) -> String {
    let len = rng.random_range(0..=max_len);
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())])
        .collect()
}

#[test]
fn fixtures_round_trip_in_every_encoding() {
    let fixtures = fixtures();
    for name in ENCODING_NAMES {
        let enc = get_encoding(name).unwrap();
        for (file, text) in &fixtures {
            let ids = enc.encode_ordinary(text).unwrap();
            assert!(
                ids.len() < text.len(),
                "{name} {file}: {} tokens",
                ids.len()
            );
            assert!(
                enc.decode(&ids).unwrap() == *text,
                "{name} {file}: decode(encode(x)) != x"
            );
            assert_eq!(
                enc.decode_bytes(&ids).unwrap(),
                text.as_bytes(),
                "{name} {file}"
            );
        }
    }
}

#[test]
fn random_text_round_trips_in_every_encoding() {
    for (seed, name) in ENCODING_NAMES.iter().enumerate() {
        let enc = get_encoding(name).unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed as u64);
        for _ in 0..2_000 {
            let text = random_text(&mut rng, 40);
            let ids = enc.encode_ordinary(&text).unwrap();
            assert_eq!(enc.decode(&ids).unwrap(), text, "{name}");
            assert_eq!(
                enc.count_ordinary(&text).unwrap(),
                ids.len(),
                "{name} {text:?}"
            );
        }
        // Long pieces take the heap path of the merge loop.
        let long: String = (0..20).map(|_| random_text(&mut rng, 2_000)).collect();
        let ids = enc.encode_ordinary(&long).unwrap();
        assert!(
            enc.decode(&ids).unwrap() == long,
            "{name}: long random text"
        );
    }
}

#[test]
fn count_equals_encode_length() {
    let fixtures = fixtures();
    for name in ["o200k_base", "cl100k_base", "r50k_base"] {
        let enc = get_encoding(name).unwrap();
        for (file, text) in &fixtures {
            let n = enc.encode(text).unwrap().len();
            assert_eq!(
                enc.count(text, &SpecialPolicy::default()).unwrap(),
                n,
                "{name} {file}"
            );
            assert_eq!(enc.count_ordinary(text).unwrap(), n, "{name} {file}");
        }
        let text = "a<|endoftext|>b<|endoftext|>";
        let allowed = enc
            .encode_with_policy(text, &SpecialPolicy::allow_all())
            .unwrap();
        assert_eq!(
            enc.count(text, &SpecialPolicy::allow_all()).unwrap(),
            allowed.len(),
            "{name}"
        );
        assert_eq!(
            enc.count_ordinary(text).unwrap(),
            enc.encode_ordinary(text).unwrap().len(),
            "{name}"
        );
        assert!(
            enc.count(text, &SpecialPolicy::default()).is_err(),
            "{name}"
        );
    }
}

/// Checks the spans of `encode_with_offsets` against the text: the IDs are `encode`'s, byte
/// ranges tile the text and hold each token's bytes, and char ranges cover exactly the chars
/// each byte range touches. Returns how many spans start or end inside a char.
fn check_offsets(enc: &Tokenizer, text: &str, policy: &SpecialPolicy) -> usize {
    let fail = |e: TokenizerError| -> ! { panic!("{}: {text:?}: {e}", enc.name()) };
    let spans = enc
        .encode_with_offsets(text, policy)
        .unwrap_or_else(|e| fail(e));
    let ids: Vec<TokenId> = spans.iter().map(|s| s.id).collect();
    assert_eq!(
        ids,
        enc.encode_with_policy(text, policy)
            .unwrap_or_else(|e| fail(e))
    );
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let ends: Vec<usize> = text.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
    let mut at = 0;
    let mut inside = 0;
    for span in &spans {
        let (start, end) = span.bytes;
        assert_eq!(start, at, "spans do not tile {text:?}: {span:?}");
        assert!(end > start, "empty span {span:?}");
        assert_eq!(
            enc.token_bytes(span.id).unwrap_or_default(),
            &text.as_bytes()[start..end],
            "{span:?}"
        );
        // Chars wholly before the start; chars that begin before the end.
        let first = ends.partition_point(|&e| e <= start);
        let last = starts.partition_point(|&s| s < end);
        assert_eq!(
            span.chars,
            (first, last),
            "char range of {span:?} in {text:?}"
        );
        inside += usize::from(!text.is_char_boundary(start) || !text.is_char_boundary(end));
        at = end;
    }
    assert_eq!(at, text.len(), "spans stop short of the end of {text:?}");
    inside
}

#[test]
fn offsets_tile_the_input_and_chars_agree() {
    let fixtures = fixtures();
    for name in ["o200k_base", "cl100k_base"] {
        let enc = get_encoding(name).unwrap();
        for (_, text) in &fixtures {
            check_offsets(&enc, text, &SpecialPolicy::default());
        }
        // Rare emoji and private-use chars are split into byte tokens, so spans start and
        // end inside a 4-byte char.
        let text = "ok 🫠🫠 x\u{10FFFF}y 👨\u{200d}👩\u{200d}👧!🪿";
        let inside = check_offsets(&enc, text, &SpecialPolicy::default());
        assert!(
            inside > 0,
            "{name}: no token boundary inside a char; the case is not tested"
        );
        let with_special = "🫠<|endoftext|>é<|endoftext|>";
        check_offsets(&enc, with_special, &SpecialPolicy::allow_all());
        let spans = enc
            .encode_with_offsets(with_special, &SpecialPolicy::allow_all())
            .unwrap();
        let eot = enc.special_tokens().id("<|endoftext|>").unwrap();
        let special: Vec<_> = spans.iter().filter(|s| s.id == eot).collect();
        assert_eq!(special.len(), 2, "{name}");
        assert_eq!(
            (special[0].bytes, special[0].chars),
            ((4, 17), (1, 14)),
            "{name}"
        );
        assert_eq!(
            (special[1].bytes, special[1].chars),
            ((19, 32), (15, 28)),
            "{name}"
        );
        assert!(enc
            .encode_with_offsets("", &SpecialPolicy::default())
            .unwrap()
            .is_empty());
    }
    let enc = get_encoding("cl100k_base").unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    for _ in 0..2_000 {
        check_offsets(&enc, &random_text(&mut rng, 30), &SpecialPolicy::as_text());
    }
}

#[test]
fn disallowed_special_is_an_error_naming_token_and_offset() {
    for name in ENCODING_NAMES {
        let enc = get_encoding(name).unwrap();
        let text = "héllo <|endoftext|> world";
        let err = enc.encode(text).unwrap_err();
        match &err {
            TokenizerError::DisallowedSpecial { token, byte_offset } => {
                assert_eq!(
                    (token.as_str(), *byte_offset),
                    ("<|endoftext|>", 7),
                    "{name}"
                );
            }
            other => panic!("{name}: expected DisallowedSpecial, got {other:?}"),
        }
        let message = err.to_string();
        assert!(
            message.contains("\"<|endoftext|>\"") && message.contains("byte 7"),
            "{message}"
        );
        // The first one in the text is named, whichever is defined first.
        if enc.special_tokens().len() > 1 {
            let (second, _) = &enc.special_tokens().entries()[1];
            let text = format!("ab{second}<|endoftext|>");
            match enc.encode(&text).unwrap_err() {
                TokenizerError::DisallowedSpecial { token, byte_offset } => {
                    assert_eq!((&token, byte_offset), (second, 2), "{name}");
                }
                other => panic!("{name}: expected DisallowedSpecial, got {other:?}"),
            }
        }
    }
}

#[test]
fn special_as_text_is_ordinary_text() {
    for name in ENCODING_NAMES {
        let enc = get_encoding(name).unwrap();
        let eot = enc.special_tokens().id("<|endoftext|>").unwrap();
        let text = "a <|endoftext|> b";
        let ids = enc
            .encode_with_policy(text, &SpecialPolicy::as_text())
            .unwrap();
        assert_eq!(ids, enc.encode_ordinary(text).unwrap(), "{name}");
        assert!(!ids.contains(&eot) && ids.len() > 3, "{name}: {ids:?}");
        assert_eq!(enc.decode(&ids).unwrap(), text, "{name}");
    }
}

#[test]
fn allowed_special_becomes_its_id() {
    for name in ENCODING_NAMES {
        let enc = get_encoding(name).unwrap();
        let eot = enc.special_tokens().id("<|endoftext|>").unwrap();
        let policy = SpecialPolicy::allow(["<|endoftext|>"]);
        let ids = enc
            .encode_with_policy("hello<|endoftext|> world", &policy)
            .unwrap();
        let mut expected = enc.encode_ordinary("hello").unwrap();
        expected.push(eot);
        expected.extend(enc.encode_ordinary(" world").unwrap());
        assert_eq!(ids, expected, "{name}");
        assert_eq!(
            enc.decode(&ids).unwrap(),
            "hello<|endoftext|> world",
            "{name}"
        );
        // Other specials stay disallowed.
        if let Some((other, _)) = enc
            .special_tokens()
            .entries()
            .iter()
            .find(|(t, _)| t != "<|endoftext|>")
        {
            let err = enc
                .encode_with_policy(&format!("x{other}"), &policy)
                .unwrap_err();
            assert!(
                matches!(&err, TokenizerError::DisallowedSpecial { token, byte_offset: 1 } if token == other),
                "{name}: {err:?}"
            );
        }
    }
}

#[test]
fn allowing_an_unknown_special_is_an_error() {
    let enc = get_encoding("o200k_base").unwrap();
    let policy = SpecialPolicy::allow(["<|endoftext|>", "<|not_a_special|>"]);
    let err = enc
        .encode_with_policy("text without specials", &policy)
        .unwrap_err();
    assert!(matches!(err, TokenizerError::BadParameter(_)), "{err:?}");
    assert!(err.to_string().contains("<|not_a_special|>"), "{err}");
    // cl100k_base's FIM tokens are not o200k_base's.
    let err = enc
        .encode_with_policy("x", &SpecialPolicy::allow(["<|fim_prefix|>"]))
        .unwrap_err();
    assert!(err.to_string().contains("<|fim_prefix|>"), "{err}");
}

#[test]
fn every_special_round_trips_with_allow_all() {
    for name in ENCODING_NAMES {
        let enc = get_encoding(name).unwrap();
        let entries = enc.special_tokens().entries();
        assert!(!entries.is_empty(), "{name}");
        for (text, id) in entries {
            let ids = enc
                .encode_with_policy(text, &SpecialPolicy::allow_all())
                .unwrap();
            assert_eq!(ids, [*id], "{name} {text:?}");
            assert_eq!(
                enc.encode_single_token(text.as_bytes()),
                Some(*id),
                "{name} {text:?}"
            );
            // Two strings may share an ID; the one defined last is what the ID decodes to.
            let decodes_to = &entries.iter().rev().find(|(_, i)| i == id).unwrap().0;
            assert_eq!(&enc.decode(&ids).unwrap(), decodes_to, "{name} {text:?}");
            let framed = format!("a{text}b{text}");
            let ids = enc
                .encode_with_policy(&framed, &SpecialPolicy::allow_all())
                .unwrap();
            assert_eq!(
                ids.iter().filter(|&i| i == id).count(),
                2,
                "{name} {framed:?}"
            );
            assert!((*id as usize) < enc.n_vocab(), "{name}");
        }
    }
}

/// Saves a built-in encoding both ways, loads both back, and checks they encode every fixture
/// and every special token exactly as the built-in encoding does.
fn saved_and_loaded_encode_identically(name: &str) -> Result<(), Box<dyn std::error::Error>> {
    let builtin = get_encoding(name)?;
    let dir = temp_dir(&format!("save-{name}"));
    let json_path = dir.join("tokenizer.json");
    let rank_path = dir.join(format!("{name}.tiktoken"));
    builtin.save_tokenizer_json(&json_path)?;
    builtin.save_rank_file(&rank_path)?;
    assert!(rank_path
        .with_file_name(format!("{name}.tiktoken.json"))
        .exists());
    let from_json = Tokenizer::from_file(&json_path, None)?;
    let from_ranks = Tokenizer::from_file(&rank_path, None)?;

    let fixtures = fixtures();
    for (label, loaded) in [("tokenizer.json", &from_json), ("rank file", &from_ranks)] {
        assert_eq!(loaded.pattern(), builtin.pattern(), "{name} {label}");
        assert_eq!(loaded.n_vocab(), builtin.n_vocab(), "{name} {label}");
        assert_eq!(
            loaded.model().expect("byte-level").len(),
            builtin.model().expect("byte-level").len(),
            "{name} {label}"
        );
        assert_eq!(
            loaded.special_tokens().entries(),
            builtin.special_tokens().entries(),
            "{name} {label}"
        );
        for (file, text) in &fixtures {
            let expected = builtin.encode(text)?;
            assert!(
                loaded.encode(text)? == expected,
                "{name} {label}: {file} differs"
            );
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        for _ in 0..500 {
            let text = random_text(&mut rng, 30);
            let policy = SpecialPolicy::allow_all();
            assert_eq!(
                loaded.encode_with_policy(&text, &policy)?,
                builtin.encode_with_policy(&text, &policy)?,
                "{name} {label}: {text:?}"
            );
        }
        for (text, id) in builtin.special_tokens().entries() {
            let ids = loaded.encode_with_policy(text, &SpecialPolicy::allow_all())?;
            assert_eq!(ids, [*id], "{name} {label}: {text}");
            assert_eq!(loaded.decode(&ids)?, builtin.decode(&ids)?);
        }
        assert!(
            loaded.encode("<|endoftext|>").is_err(),
            "{name} {label}: special not disallowed"
        );
    }
    // Saving what was loaded gives the same files again.
    let again = dir.join("again.json");
    from_json.save_tokenizer_json(&again)?;
    assert!(
        std::fs::read(&again)? == std::fs::read(&json_path)?,
        "{name}"
    );
    let again = dir.join("again.tiktoken");
    from_ranks.save_rank_file(&again)?;
    assert!(
        std::fs::read(&again)? == std::fs::read(&rank_path)?,
        "{name}"
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[test]
fn o200k_saved_and_loaded_encodes_identically() {
    saved_and_loaded_encode_identically("o200k_base").unwrap();
}

#[test]
fn cl100k_saved_and_loaded_encodes_identically() {
    saved_and_loaded_encode_identically("cl100k_base").unwrap();
}

#[test]
fn bytes_that_are_not_utf8_encode_as_tiktoken_encodes_them() {
    let enc = get_encoding("cl100k_base").unwrap();
    assert_eq!(enc.encode_bytes(b" \xec\x8b\xa4\xed").unwrap(), [62085]);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for _ in 0..200 {
        let length = rng.random_range(0..24);
        let bytes: Vec<u8> = (0..length).map(|_| rng.random()).collect();
        let ids = enc.encode_bytes(&bytes).unwrap();
        assert_eq!(enc.decode_bytes(&ids).unwrap(), bytes);
    }
}
