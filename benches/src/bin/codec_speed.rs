//! CPU time of omnitok's codecs, one thread, best of `--rounds`, with the real-time factor
//! (seconds of audio per CPU-second):
//!
//! - on the checkpoint and 10 s of audio that `benches/codec_compare.py` writes (EnCodec, the
//!   real 24 kHz architecture, random weights), at 6 kbps as that script runs transformers, or
//!   that `benches/dac_compare.py` writes (DAC 44.1 kHz), with every codebook, or that
//!   `benches/snac_compare.py` writes (SNAC 24 kHz, every level):
//!
//!       cargo run --release -p omnitok-benches --bin codec_speed -- /tmp/encodec-24k-random [--rounds 3]
//!       cargo run --release -p omnitok-benches --bin codec_speed -- /tmp/dac-44k-random [--rounds 3]
//!       cargo run --release -p omnitok-benches --bin codec_speed -- /tmp/snac-24k-random [--rounds 3]
//!
//! - on the built-in speech codec and 60 s of speech (`fixtures/audio/speech_16k.wav`, repeated),
//!   at its largest bandwidth:
//!
//!       cargo run --release -p omnitok-benches --bin codec_speed -- default [--rounds 3]

use ndarray::Array2;
use omnitok_audio::codec::{Codec, Family};
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
    let (codec, samples, bandwidth) = if dir == "default" {
        let speech = format!(
            "{}/../fixtures/audio/speech_16k.wav",
            env!("CARGO_MANIFEST_DIR")
        );
        let clip = omnitok_audio::load(&speech, &omnitok_audio::AudioLimits::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .mono();
        let samples: Vec<f32> = clip.iter().copied().cycle().take(60 * 16_000).collect();
        let codec = Codec::default_speech();
        let largest = codec.largest_bandwidth();
        (codec, samples, largest)
    } else {
        let bytes = std::fs::read(format!("{dir}/audio.f32")).unwrap_or_else(|e| panic!("{e}"));
        let samples = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let codec = Codec::from_pretrained(dir).unwrap_or_else(|e| panic!("{e}"));
        // As the scripts run transformers: EnCodec at 6 kbps, DAC with every codebook.
        let bandwidth = match codec.family() {
            Family::Encodec => 6.0,
            Family::Dac | Family::Snac => codec.largest_bandwidth(),
        };
        (codec, samples, bandwidth)
    };
    let rate = codec.sampling_rate();
    let seconds = samples.len() as f64 / f64::from(rate);
    let audio =
        Array2::from_shape_vec((1, samples.len()), samples).unwrap_or_else(|e| panic!("{e}"));
    let fail = |e: omnitok_audio::AudioError| -> ! { panic!("{e}") };
    let (encode, decode) = if codec.level_strides().is_some() {
        let (encode, levels) = best(rounds, || {
            codec
                .encode_levels(audio.view())
                .unwrap_or_else(|e| fail(e))
        });
        let views: Vec<_> = levels.iter().map(|l| l.view()).collect();
        let (decode, _) = best(rounds, || {
            codec.decode_levels(&views).unwrap_or_else(|e| fail(e))
        });
        (encode, decode)
    } else {
        let (encode, codes) = best(rounds, || {
            codec
                .encode(audio.view(), bandwidth)
                .unwrap_or_else(|e| fail(e))
        });
        let (decode, _) = best(rounds, || codec.decode(&codes).unwrap_or_else(|e| fail(e)));
        (encode, decode)
    };
    println!(
        "omnitok, {seconds:.0} s at {:.1} kHz, {bandwidth:.3} kbps ({} codebooks), one thread, best of \
         {rounds}: encode {encode:.3} CPU-s ({:.0}x real time), decode {decode:.3} CPU-s ({:.0}x \
         real time)",
        f64::from(rate) / 1000.0,
        codec.codebooks_for(bandwidth).unwrap_or_else(|e| fail(e)),
        seconds / encode,
        seconds / decode,
    );
}
