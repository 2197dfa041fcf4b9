//! CPU time of omnitok's audio features on 10 minutes of 16 kHz audio (a repeating
//! logarithmic sweep plus noise from a fixed seed), best of `--rounds`:
//!
//!     cargo run --release -p omnitok-benches --bin audio_features -- [--rounds 5] [--write FILE]
//!
//! `--write FILE` saves the signal as raw little-endian f32 so that `audio_compare.py` runs the
//! peers on the same samples.
//!
//! A last line times the real FFTs alone (double precision, through realfft as omnitok-audio
//! plans them, one per frame of the 128-bin log-mel): the floor under every preset above, to set
//! beside the transforms alone of numpy and FFTW that `audio_compare.py` prints.

use omnitok_audio::{Extractor, FeatureConfig, StftConfig};
use omnitok_benches::cpu_time;

const SR: usize = 16_000;

fn signal() -> Vec<f32> {
    let n = 10 * 60 * SR;
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..n)
        .map(|i| {
            let t = (i % (5 * SR)) as f64 / SR as f64;
            let phase = 2.0 * std::f64::consts::PI * 50.0 * 5.0 / (150f64).ln()
                * ((t / 5.0 * (150f64).ln()).exp() - 1.0);
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state >> 40) as f64 / (1u64 << 24) as f64 - 0.5;
            (0.5 * phase.sin() + 0.05 * noise) as f32
        })
        .collect()
}

/// The 128-bin log-mel of the issue: n_fft 400, hop 160, librosa's other defaults.
fn log_mel_128() -> FeatureConfig {
    FeatureConfig {
        stft: StftConfig::librosa(400, 160),
        ..FeatureConfig::preset("librosa-mel").unwrap_or_else(|e| panic!("{e}"))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let samples = signal();
    if let Some(path) = args
        .iter()
        .position(|a| a == "--write")
        .and_then(|i| args.get(i + 1))
    {
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    let mfcc = FeatureConfig {
        mfcc: Some((20, omnitok_audio::mfcc::Lifter::None)),
        ..log_mel_128()
    };
    let preset = |name| FeatureConfig::preset(name).unwrap_or_else(|e| panic!("{e}"));
    for (name, config) in [
        ("log-mel 128, n_fft 400, hop 160", log_mel_128()),
        ("MFCC 20 of that", mfcc),
        ("whisper-128", preset("whisper-128")),
        ("kaldi-fbank (23 bins)", preset("kaldi-fbank")),
    ] {
        let extractor = Extractor::new(config, SR as f64).unwrap_or_else(|e| panic!("{e}"));
        let mut best = f64::INFINITY;
        let mut frames = 0;
        for _ in 0..rounds {
            let start = cpu_time::thread().unwrap_or_default();
            let features = extractor
                .compute(&samples)
                .unwrap_or_else(|e| panic!("{e}"));
            let spent = cpu_time::thread().unwrap_or_default() - start;
            frames = features.frames;
            best = best.min(spent.as_secs_f64());
        }
        println!("{name}: {best:.4} CPU-s for 600 s of audio ({frames} frames), best of {rounds}");
    }
    transforms_alone(&samples, rounds);
}

/// Times the 400-point real FFTs of every frame (hop 160) of `samples` in double precision, the
/// input already framed, so that nothing but the transforms is counted.
fn transforms_alone(samples: &[f32], rounds: usize) {
    const N_FFT: usize = 400;
    const HOP: usize = 160;
    let frames = (samples.len() - N_FFT) / HOP + 1;
    let framed: Vec<f64> = (0..frames)
        .flat_map(|f| {
            samples[f * HOP..f * HOP + N_FFT]
                .iter()
                .map(|&s| f64::from(s))
        })
        .collect();
    let fft = realfft::RealFftPlanner::<f64>::new().plan_fft_forward(N_FFT);
    let mut input = fft.make_input_vec();
    let mut output = fft.make_output_vec();
    let mut scratch = fft.make_scratch_vec();
    let mut best = f64::INFINITY;
    for _ in 0..rounds {
        let start = cpu_time::thread().unwrap_or_default();
        for frame in framed.chunks_exact(N_FFT) {
            input.copy_from_slice(frame);
            fft.process_with_scratch(&mut input, &mut output, &mut scratch)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let spent = cpu_time::thread().unwrap_or_default() - start;
        best = best.min(spent.as_secs_f64());
    }
    println!(
        "transforms alone (realfft, f64, {N_FFT} points): {best:.4} CPU-s for {frames} frames, best of {rounds}"
    );
}
