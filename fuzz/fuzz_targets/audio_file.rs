//! An audio file (WAV, FLAC, MP3, Ogg Vorbis, told by its content): decoded within the limits,
//! or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_audio::{load, AudioLimits};

fuzz_target!(|data: &[u8]| {
    let path = omnitok_fuzz::scratch_file("input.audio", data);
    // Smaller than the defaults, so that a long silence in a few bytes stays within the
    // fuzzer's memory; the limits are what is tested.
    let limits = AudioLimits {
        max_file_bytes: 1 << 20,
        max_seconds: 30.0,
        max_channels: 8,
        sample_rates: (1, 192_000),
    };
    let Ok(audio) = load(&path, &limits) else {
        return;
    };
    assert!(
        (1..=limits.max_channels).contains(&audio.channels),
        "{} channels",
        audio.channels
    );
    let (low, high) = limits.sample_rates;
    assert!(
        (low..=high).contains(&audio.sample_rate),
        "{} Hz",
        audio.sample_rate
    );
    assert_eq!(audio.samples.len() % audio.channels, 0, "a frame cut short");
    assert!(
        audio.seconds() <= limits.max_seconds + 1.0,
        "{} s",
        audio.seconds()
    );
    assert_eq!(audio.mono().len(), audio.frames());
});
