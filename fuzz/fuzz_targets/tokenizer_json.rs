//! A HF tokenizer.json: what loads encodes text and decodes it back.
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_tokenizer::hf_json::parse_tokenizer_json;

const TEXT: &str = "Hello wörld, 12 345 — 你好 🙂 <|endoftext|>\n\tend";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(tokenizer) = parse_tokenizer_json(text, "tokenizer.json") else {
        return;
    };
    if let Ok(ids) = tokenizer.encode(TEXT) {
        let bytes = tokenizer
            .decode_bytes(&ids)
            .expect("IDs just encoded decode");
        assert_eq!(
            bytes,
            TEXT.as_bytes(),
            "encoding then decoding changed the text"
        );
    }
});
