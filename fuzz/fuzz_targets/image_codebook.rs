//! A learned image codebook file (safetensors, as `omnitok vision codebook` writes it).
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_vision::codebook::Codebook;

fuzz_target!(|data: &[u8]| {
    let _ = Codebook::from_bytes(data, "fuzz.safetensors");
});
