//! A `.npy` array of IDs (a document muxed by `omnitok mux`, audio or image codes): what reads
//! has as many values as its shape says.
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_corpus::npy::read_u32_array;

fuzz_target!(|data: &[u8]| {
    let Ok((shape, values)) = read_u32_array(data) else {
        return;
    };
    // A dimension of 0 makes an empty array, whatever the others are.
    let count = if shape.contains(&0) {
        Some(0)
    } else {
        shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
    };
    assert_eq!(
        count,
        Some(values.len()),
        "shape {shape:?} for {} values",
        values.len()
    );
});
