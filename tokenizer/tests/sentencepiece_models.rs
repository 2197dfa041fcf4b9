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

#[test]
fn segments_cover_the_decoded_text_and_keep_byte_fallback_chars_whole() {
    let tokenizer = Tokenizer::from_file(
        fixtures("sentencepiece").join("bpe_byte_fallback.model"),
        None,
    )
    .expect("loads");
    // A rare char this small model spells in byte pieces, a leading space, a run of spaces.
    let text = " Hello  wörld 𓀀 and\nmore";
    let ids = tokenizer.encode_ordinary(text).expect("encodes");
    let segments = tokenizer.decoded_segments(&ids).expect("segments");
    assert_eq!(segments.text, tokenizer.decode(&ids).expect("decodes"));
    let mut text_end = 0;
    let mut token_end = 0;
    for segment in &segments.segments {
        assert_eq!(segment.text.start, text_end);
        assert_eq!(segment.tokens.start, token_end);
        assert!(!segment.tokens.is_empty());
        text_end = segment.text.end;
        token_end = segment.tokens.end;
        // Each segment is exactly what its tokens add to the decoded text.
        let before = tokenizer
            .decode(&ids[..segment.tokens.start])
            .expect("decodes");
        let through = tokenizer
            .decode(&ids[..segment.tokens.end])
            .expect("decodes");
        assert_eq!(through.len(), segment.text.end);
        assert!(segments.text.starts_with(&through) && through.starts_with(&before));
    }
    assert_eq!((text_end, token_end), (segments.text.len(), ids.len()));
    let hieroglyph = segments
        .segments
        .iter()
        .find(|s| segments.text[s.text.clone()].contains('𓀀'))
        .expect("the hieroglyph is shown");
    assert_eq!(hieroglyph.tokens.len(), 4, "four byte pieces, one char");
}
