//! The hand-written matchers of the built-in patterns against fancy-regex running the published
//! pattern strings, on random text from an alphabet chosen to hit every class boundary.

use omnitok_tokenizer::pretokenize::{BuiltinPattern, Pretokenizer};
use rand::{Rng, SeedableRng};

/// Letters of every case class, marks, digits of several kinds, white space of several kinds,
/// apostrophes and contraction letters (with U+017F, which `(?i)s` matches), punctuation,
/// slashes, CJK, and a few rarely seen categories.
const ALPHABET: &[&str] = &[
    "a",
    "b",
    "s",
    "t",
    "l",
    "v",
    "e",
    "r",
    "m",
    "d",
    "S",
    "T",
    "L",
    "V",
    "E",
    "R",
    "M",
    "D",
    "ſ",
    "K",
    "\u{212A}",
    "A",
    "Z",
    "é",
    "É",
    "ǅ",
    "ʰ",
    "中",
    "文",
    "の",
    "ア",
    "한",
    "\u{301}",
    "\u{94D}",
    "क",
    "ा",
    "1",
    "9",
    "٣",
    "Ⅻ",
    "½",
    "²",
    " ",
    " ",
    " ",
    "\t",
    "\n",
    "\r",
    "\u{a0}",
    "\u{2028}",
    "\u{3000}",
    "\u{b}",
    "\u{c}",
    "\u{85}",
    "'",
    "'",
    "’",
    "!",
    ".",
    ",",
    "/",
    "//",
    "-",
    "😀",
    "$",
    "\u{200d}",
    "\u{fe0f}",
    "_",
    "#",
    "<|",
    "|>",
    "Ω",
    "ω",
    "Ж",
    "ж",
    "ß",
    "\u{10FFFF}",
    "\u{E000}",
];

fn random_text(rng: &mut impl Rng, max_len: usize) -> String {
    let len = rng.random_range(0..=max_len);
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())])
        .collect()
}

fn pieces(pre: &Pretokenizer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    pre.for_each_piece(text, |s, e| out.push(text[s..e].to_string()))
        .expect("built-in patterns never fail");
    out
}

fn regex_pieces(regex: &fancy_regex::Regex, text: &str) -> Vec<String> {
    regex
        .find_iter(text)
        .map(|m| {
            m.expect("no backtrack limit on short texts")
                .as_str()
                .to_string()
        })
        .collect()
}

fn check(pattern: BuiltinPattern, seed: u64, cases: usize, max_len: usize) {
    let fast = Pretokenizer::new(pattern.pattern()).expect("built-in pattern");
    assert!(matches!(fast, Pretokenizer::Builtin(_)));
    assert!(matches!(
        Pretokenizer::new(&pattern.oniguruma_pattern()),
        Ok(Pretokenizer::Builtin(_))
    ));
    let regex = fancy_regex::Regex::new(pattern.pattern()).expect("published pattern compiles");
    // The spelling exported for HF tokenizers must mean the same.
    let respelled =
        fancy_regex::Regex::new(&pattern.oniguruma_pattern()).expect("respelled pattern compiles");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    for _ in 0..cases {
        let text = random_text(&mut rng, max_len);
        let expected = regex_pieces(&regex, &text);
        assert_eq!(pieces(&fast, &text), expected, "{pattern:?} on {text:?}");
        assert_eq!(
            regex_pieces(&respelled, &text),
            expected,
            "respelled {pattern:?} on {text:?}"
        );
    }
}

#[test]
fn o200k_matches_fancy_regex() {
    check(BuiltinPattern::O200k, 1, 20_000, 24);
}

#[test]
fn cl100k_matches_fancy_regex() {
    check(BuiltinPattern::Cl100k, 2, 20_000, 24);
}

#[test]
fn gpt2_matches_fancy_regex() {
    check(BuiltinPattern::Gpt2, 3, 20_000, 24);
}

#[test]
fn longer_texts_match_too() {
    for (i, pattern) in [
        BuiltinPattern::O200k,
        BuiltinPattern::Cl100k,
        BuiltinPattern::Gpt2,
    ]
    .into_iter()
    .enumerate()
    {
        check(pattern, 10 + i as u64, 300, 400);
    }
}
