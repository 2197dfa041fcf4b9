//! CPU time of omnitok's EnCodec on the checkpoint and 10 s of audio that
//! `benches/codec_compare.py` writes (the real 24 kHz architecture, random weights), at
//! 6 kbps, one thread, best of `--rounds`:
//!
//!     cargo run --release -p omnitok-benches --bin codec_speed -- /tmp/encodec-24k-random [--rounds 3]

use ndarray::Array2;
use omnitok_audio::codec::Codec;
use omnitok_benches::cpu_time;

fn best<T>(rounds: usize, mut run: impl FnMut() -> T) -> (f64, T) {
    let mut fastest = f64::INFINITY;
    let mut last = None;
    for _ in 0..rounds {
        let start = cpu_time::thread().unwrap_or_default();
        last = Some(run());
        fastest = fastest.min((cpu_time::thread().unwrap_or_default() - start).as_secs_f64());
    }
    (fastest, last.unwrap_or_else(|| panic!("no rounds")))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .unwrap_or_else(|| panic!("usage: codec_speed DIR [--rounds N]"));
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let codec = Codec::from_pretrained(dir).unwrap_or_else(|e| panic!("{e}"));
    let bytes = std::fs::read(format!("{dir}/audio.f32")).unwrap_or_else(|e| panic!("{e}"));
    let samples: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let audio =
        Array2::from_shape_vec((1, samples.len()), samples).unwrap_or_else(|e| panic!("{e}"));
    let (encode, codes) = best(rounds, || {
        codec
            .encode(audio.view(), 6.0)
            .unwrap_or_else(|e| panic!("{e}"))
    });
    let (decode, _) = best(rounds, || {
        codec.decode(&codes).unwrap_or_else(|e| panic!("{e}"))
    });
    println!(
        "omnitok, 10 s at 24 kHz, 6 kbps ({} codebooks), one thread: encode {encode:.3} CPU-s, \
         decode {decode:.3} CPU-s, best of {rounds}",
        codes.codes.dim().1
    );
}
