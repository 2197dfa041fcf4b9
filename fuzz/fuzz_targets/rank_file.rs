//! A tiktoken rank file (`base64-token rank` lines): what loads encodes text and decodes it back.
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_tokenizer::Tokenizer;

const PATTERN: &str = r"\s*[^\s]+|\s+";

fuzz_target!(|data: &[u8]| {
    if let Ok(tokenizer) =
        Tokenizer::from_rank_bytes("fuzz", data, "fuzz.tiktoken", PATTERN, vec![])
    {
        omnitok_fuzz::check_round_trip(&tokenizer);
    }
});
