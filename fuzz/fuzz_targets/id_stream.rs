//! A stream of token IDs (little-endian u32) split into text, audio and image segments by a
//! layout with every component; what splits joins back to the same IDs.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use omnitok_vocab::{demux, mux, VocabLayout};

fn layout() -> &'static VocabLayout {
    static LAYOUT: OnceLock<VocabLayout> = OnceLock::new();
    LAYOUT.get_or_init(|| {
        VocabLayout::from_json(include_str!("../data/layout.json")).expect("the fuzz layout")
    })
}

fuzz_target!(|data: &[u8]| {
    let ids: Vec<u32> = data
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let Ok(segments) = demux(layout(), &ids) else {
        return;
    };
    let again = mux(layout(), &segments).expect("segments just split join");
    assert_eq!(again, ids, "splitting then joining changed the IDs");
});
