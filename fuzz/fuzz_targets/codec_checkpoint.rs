//! A codec checkpoint of any family: config.json and model.safetensors (the input's two parts,
//! see `omnitok_fuzz::parts`). What loads encodes a short sound, and its codes decode.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ndarray::Array2;
use omnitok_audio::codec::Codec;

fuzz_target!(|data: &[u8]| {
    let [config, weights] = omnitok_fuzz::parts::<2>(data);
    let Ok(codec) = Codec::from_bytes(config, weights, "fuzz") else {
        return;
    };
    let (Some(&bandwidth), true) = (codec.bandwidths().first(), codec.channels() <= 2) else {
        return;
    };
    let samples = (codec.sampling_rate() as usize / 50).clamp(1, 4096);
    let sound = Array2::from_shape_fn((codec.channels(), samples), |(_, i)| {
        (i as f32 * 0.05).sin() * 0.3
    });
    if codec.level_strides().is_some() {
        if let Ok(levels) = codec.encode_levels(sound.view()) {
            let size = codec.codebook_size() as i64;
            assert!(
                levels.iter().flatten().all(|&c| (0..size).contains(&c)),
                "a code outside the codebook"
            );
            let views: Vec<_> = levels.iter().map(|l| l.view()).collect();
            let _ = codec.decode_levels(&views);
        }
        return;
    }
    if let Ok(codes) = codec.encode(sound.view(), bandwidth) {
        assert!(
            codes
                .codes
                .iter()
                .all(|&c| (0..codec.codebook_size() as i64).contains(&c)),
            "a code outside the codebook"
        );
        let _ = codec.decode(&codes);
    }
});
