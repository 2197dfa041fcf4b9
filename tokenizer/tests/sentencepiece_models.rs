//! SentencePiece `.model` files load directly and encode and decode exactly as the
//! sentencepiece library does: goldens from `fixtures/sentencepiece/make_models.py` (Unigram
//! with nmt_nfkc and user-defined symbols, BPE with byte fallback, a Gemma-like BPE without
//! the dummy prefix, Unigram with case folding and pieces across spaces), on lines of every
//! bundled locale and on edge cases, and decoding of ID lists that mix control, unknown and
//! byte pieces.

mod common;

use common::{fixtures, goldens, ids};
use omnitok_tokenizer::Tokenizer;

#[test]
fn every_model_encodes_and_decodes_as_sentencepiece() {
    let goldens = goldens("sentencepiece");
    let cases = goldens["cases"].as_object().expect("cases");
    let models = goldens["models"].as_object().expect("models");
    assert_eq!(models.len(), 4);
    for (name, expected) in models {
        let tokenizer = Tokenizer::from_file(
            fixtures("sentencepiece").join(format!("{name}.model")),
            None,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut failures = Vec::new();
        for (case, text) in cases {
            let text = text.as_str().expect("case text");
            let want = ids(&expected["encoded"][case]);
            // sentencepiece never reads control pieces from text: ordinary encoding.
            let got = tokenizer
                .encode_ordinary(text)
                .unwrap_or_else(|e| panic!("{name} {case}: {e}"));
            if got != want {
                failures.push(format!(
                    "{case} {text:?}: got {got:?}, sentencepiece {want:?}"
                ));
                continue;
            }
            let decoded = tokenizer.decode(&got).expect("decodes");
            if decoded != expected["decoded"][case].as_str().expect("text") {
                failures.push(format!("{case}: decoded {decoded:?}"));
            }
        }
        for list in expected["id_lists"].as_array().expect("id lists") {
            let list_ids = ids(&list["ids"]);
            let decoded = tokenizer.decode(&list_ids).expect("decodes");
            if decoded != list["decoded"].as_str().expect("text") {
                failures.push(format!(
                    "decode {list_ids:?}: got {decoded:?}, sentencepiece {:?}",
                    list["decoded"]
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{name}: {} of {} differ:\n{}",
            failures.len(),
            cases.len(),
            failures[..failures.len().min(8)].join("\n")
        );
    }
}
