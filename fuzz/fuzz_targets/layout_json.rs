//! A layout manifest (`omnitok layout build`'s JSON): what loads writes out and reads back the
//! same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_vocab::VocabLayout;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(layout) = VocabLayout::from_json(text) else {
        return;
    };
    let again = VocabLayout::from_json(&layout.to_json()).expect("a layout written reads back");
    assert_eq!(again, layout, "a layout changed on its way through JSON");
});
