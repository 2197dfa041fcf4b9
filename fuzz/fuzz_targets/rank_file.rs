//! A tiktoken rank file (`base64-token rank` lines): what loads encodes text and decodes it back.
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_tokenizer::Tokenizer;

const PATTERN: &str = r"\s*[^\s]+|\s+";
const TEXT: &str = "Hello wörld, 12 345 — 你好 🙂\n\tend";

fuzz_target!(|data: &[u8]| {
    let Ok(tokenizer) = Tokenizer::from_rank_bytes("fuzz", data, "fuzz.tiktoken", PATTERN, vec![])
    else {
        return;
    };
    if let Ok(ids) = tokenizer.encode_ordinary(TEXT) {
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
