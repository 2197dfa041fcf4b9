//! Inputs that break quadratic or recursive tokenizers: one huge piece of spaces, of one letter,
//! of CJK, of newlines, and random bytes. Each must encode without panic and round-trip through
//! `o200k_base` and `cl100k_base`. No timing is asserted: the merge loop's linear memory and the
//! absence of recursion are what these prove; speed lives in the benchmarks.

use omnitok_tokenizer::{get_encoding, SpecialPolicy, TokenId, TokenizerError};
use rand::{Rng, SeedableRng};

const ENCODINGS: [&str; 2] = ["o200k_base", "cl100k_base"];

/// Encodes `text` with every encoding of `ENCODINGS`, checks the round trip and the count, and
/// returns the IDs per encoding.
fn encode_and_round_trip(what: &str, text: &str) -> Vec<Vec<TokenId>> {
    ENCODINGS
        .iter()
        .map(|&name| {
            let fail = |e: TokenizerError| -> ! { panic!("{name}: {what}: {e}") };
            let enc = get_encoding(name).unwrap_or_else(|e| fail(e));
            let ids = enc.encode_ordinary(text).unwrap_or_else(|e| fail(e));
            assert!(!ids.is_empty(), "{name}: {what}: no tokens");
            assert!(
                ids.len() <= text.len(),
                "{name}: {what}: more tokens than bytes"
            );
            let decoded = enc.decode(&ids).unwrap_or_else(|e| fail(e));
            assert!(decoded == text, "{name}: {what}: decode(encode(x)) != x");
            // Counting runs the same merge loop; it is checked on the smaller inputs only.
            if text.len() <= 1_000_000 {
                let n = enc.count_ordinary(text).unwrap_or_else(|e| fail(e));
                assert_eq!(n, ids.len(), "{name}: {what}: count");
            }
            ids
        })
        .collect()
}

#[test]
fn million_spaces() {
    let text = " ".repeat(1_000_000);
    for ids in encode_and_round_trip("1M spaces", &text) {
        // Runs of spaces are tokens, so the piece compresses well below one token a byte.
        assert!(ids.len() < text.len() / 4, "{} tokens", ids.len());
    }
}

#[test]
fn million_spaces_then_a_letter() {
    let spaces = " ".repeat(999_999);
    let text = format!("{spaces} a");
    let all = encode_and_round_trip("1M spaces + letter", &text);
    // `\s+(?!\S)` leaves the last space to the letter: the text splits into 999,999 spaces and
    // " a", so its tokens are those of the two parts.
    for (name, ids) in ENCODINGS.iter().zip(all) {
        let enc = get_encoding(name).unwrap();
        let mut expected = enc.encode_ordinary(&spaces).unwrap();
        expected.extend(enc.encode_ordinary(" a").unwrap());
        assert!(
            ids == expected,
            "{name}: pieces differ from the split at the last space"
        );
        assert_eq!(enc.decode(&ids[ids.len() - 1..]).unwrap(), " a", "{name}");
    }
}

#[test]
fn million_newlines() {
    let text = "\n".repeat(1_000_000);
    for ids in encode_and_round_trip("1M newlines", &text) {
        assert!(ids.len() < text.len() / 4, "{} tokens", ids.len());
    }
}

#[test]
fn ten_megabytes_of_one_letter() {
    let text = "a".repeat(10_000_000);
    for (name, ids) in ENCODINGS
        .iter()
        .zip(encode_and_round_trip("10 MB of 'a'", &text))
    {
        // Merging is leftmost-first among equal ranks, so the output is a run of one long
        // token with a shorter tail: periodic apart from the last few tokens.
        let head = ids[0];
        let n_head = ids.iter().take_while(|&&id| id == head).count();
        assert!(
            n_head + 4 >= ids.len(),
            "{name}: {n_head} of {} tokens equal the first",
            ids.len()
        );
        assert!(ids.len() < text.len() / 4, "{name}: {} tokens", ids.len());
    }
}

#[test]
fn ten_megabytes_of_random_cjk() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xC1C);
    let mut text = String::with_capacity(10_000_002);
    while text.len() < 10_000_000 {
        text.push(char::from_u32(rng.random_range(0x4E00..=0x9FFF)).unwrap());
    }
    encode_and_round_trip("10 MB of random CJK", &text);
}

#[test]
fn megabyte_of_random_bytes_decoded_lossily() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xB17E5);
    let bytes: Vec<u8> = (0..1_000_000).map(|_| rng.random()).collect();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    assert!(text.contains('\u{FFFD}') && text.contains('\0'));
    encode_and_round_trip("1 MB of random bytes, lossy", &text);
    // The default policy agrees with as-text encoding when no special token's string occurs.
    for name in ENCODINGS {
        let enc = get_encoding(name).unwrap();
        assert_eq!(
            enc.encode_with_policy(&text, &SpecialPolicy::default())
                .unwrap(),
            enc.encode_ordinary(&text).unwrap(),
            "{name}"
        );
    }
}
