//! Every tokenizer family loads from tokenizer.json and encodes and decodes exactly as HF
//! tokenizers does: goldens from `fixtures/tokenizers/make_families.py` (WordPiece, Unigram,
//! byte-level BPE with a normalizer and non-special added tokens, SentencePiece-style BPE with
//! byte fallback in Llama 2's and the Metaspace layout, T5's and XLM-R's Unigram with the
//! precompiled character map), on lines of every bundled locale and on edge cases, with and
//! without the post-processor's special tokens.

mod common;

use common::{fixtures, goldens, ids};
use omnitok_tokenizer::{SpecialPolicy, Tokenizer};

#[test]
fn every_family_encodes_and_decodes_as_hf_tokenizers() {
    let goldens = goldens("tokenizers");
    let cases = goldens["cases"].as_object().expect("cases");
    let families = goldens["families"].as_object().expect("families");
    assert!(families.len() >= 7, "{} families", families.len());
    for (family, results) in families {
        let tokenizer =
            Tokenizer::from_file(fixtures("tokenizers").join(format!("{family}.json")), None)
                .unwrap_or_else(|e| panic!("{family}: {e}"));
        let mut failures = Vec::new();
        for (case, text) in cases {
            let text = text.as_str().expect("case text");
            let expected = &results[case];
            // HF matches special added tokens wherever they are typed.
            let got = tokenizer.encode_with_policy(text, &SpecialPolicy::allow_all());
            let got = got.unwrap_or_else(|e| panic!("{family} {case}: {e}"));
            if got != ids(&expected["ids"]) {
                failures.push(format!(
                    "{case} {text:?}: got {got:?}, HF {:?}",
                    ids(&expected["ids"])
                ));
                continue;
            }
            let policy = SpecialPolicy::allow_all().adding_special_tokens(true);
            let with_specials = tokenizer
                .encode_with_policy(text, &policy)
                .expect("encodes");
            if with_specials != ids(&expected["with_specials"]) {
                failures.push(format!(
                    "{case} with special tokens added: got {with_specials:?}, HF {:?}",
                    ids(&expected["with_specials"])
                ));
            }
            assert_eq!(
                tokenizer.count(text, &policy).expect("counts"),
                with_specials.len()
            );
            let decoded = tokenizer.decode_lossy(&got).expect("decodes");
            if decoded != expected["decoded"].as_str().expect("decoded text") {
                failures.push(format!(
                    "{case}: decoded {decoded:?}, HF {:?}",
                    expected["decoded"]
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{family}: {} of {} cases differ from HF:\n{}",
            failures.len(),
            cases.len(),
            failures[..failures.len().min(8)].join("\n")
        );
    }
}

#[test]
fn byte_level_bpe_behind_a_normalizer_takes_the_byte_level_path() {
    let takes = |family: &str| {
        let tokenizer =
            Tokenizer::from_file(fixtures("tokenizers").join(format!("{family}.json")), None)
                .expect("loads");
        tokenizer
            .pipeline()
            .expect("a pipeline")
            .takes_byte_level_path()
    };
    // The goldens above are then checked on that path.
    assert!(takes("byte_level_nfc"));
    assert!(!takes("llama_bpe") && !takes("wordpiece"));
}
