//! A SentencePiece .model file: what loads encodes text and decodes it back.
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_tokenizer::sentencepiece::parse_model;

fuzz_target!(|data: &[u8]| {
    if let Ok(tokenizer) = parse_model(data, "tokenizer.model", "tokenizer.model") {
        omnitok_fuzz::check_round_trip(&tokenizer);
    }
});
