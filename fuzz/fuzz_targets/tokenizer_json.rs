//! A HF tokenizer.json: what loads encodes text and decodes it back.
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_tokenizer::hf_json::parse_tokenizer_json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(tokenizer) = parse_tokenizer_json(text, "tokenizer.json") {
        omnitok_fuzz::check_round_trip(&tokenizer);
    }
});
