//! Decoding every supported format against libsndfile's output (`fixtures/audio/formats/`, made
//! by `make_formats.py` there), and clear errors for broken files.

#![allow(clippy::unwrap_used)]

mod common;

use common::{fixtures, read_npy};
use omnitok_audio::{load, load_bytes, AudioError, AudioLimits};

fn formats(name: &str) -> std::path::PathBuf {
    fixtures().join("formats").join(name)
}

#[test]
fn lossless_files_decode_exactly_as_libsndfile_decodes_them() {
    for name in [
        "stereo.pcm_u8.wav",
        "stereo.pcm_16.wav",
        "stereo.pcm_24.wav",
        "stereo.pcm_32.wav",
        "stereo.float.wav",
        "stereo.double.wav",
        "stereo.wavex.wav",
        "stereo.flac",
    ] {
        let audio = load(formats(name), &AudioLimits::default()).unwrap();
        let ((frames, channels), expected) = read_npy(&formats(&format!("{name}.npy")));
        assert_eq!(
            (audio.frames(), audio.channels),
            (frames, channels),
            "{name}"
        );
        assert_eq!(audio.sample_rate, 22050, "{name}");
        let worst = audio
            .samples
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst <= 1e-7, "{name}: max abs difference {worst}");
    }
}

#[test]
fn lossy_files_decode_gapless_to_libsndfiles_samples() {
    for name in ["stereo.mp3", "stereo.ogg"] {
        let audio = load(formats(name), &AudioLimits::default()).unwrap();
        let ((frames, channels), expected) = read_npy(&formats(&format!("{name}.npy")));
        // Decoded gapless: the encoder's delay and padding are trimmed, as libsndfile (mpg123,
        // libvorbis) trims them, so the lengths are the signal's.
        assert_eq!(
            (audio.frames(), audio.channels, audio.sample_rate),
            (frames, channels, 22050),
            "{name}"
        );
        assert_eq!(audio.samples.len(), expected.len(), "{name}");
        // Measured: 8.5e-7 (MP3), 2.4e-7 (Ogg); the decoders differ in float rounding.
        let worst = audio
            .samples
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst <= 2e-6, "{name}: {worst} from libsndfile's samples");
    }
}

#[test]
fn mixing_down_averages_the_channels() {
    let audio = load(formats("stereo.float.wav"), &AudioLimits::default()).unwrap();
    let mono = audio.mono();
    assert_eq!(mono.len(), audio.frames());
    for (i, m) in mono.iter().enumerate() {
        let expected = (audio.samples[2 * i] + audio.samples[2 * i + 1]) / 2.0;
        assert!((m - expected).abs() < 1e-7);
    }
}

#[test]
fn broken_files_are_errors_that_name_the_file_and_the_problem() {
    let cases = [
        ("bad.truncated.wav", "truncated"),
        ("bad.empty.wav", "empty"),
        ("bad.random.wav", "unsupported"),
        ("bad.nan.wav", "sample 100 of channel 1 is NaN"),
        ("bad.zero-channels.wav", "invalid channel count"),
        ("bad.zero-rate.wav", "malformed file"),
        ("does-not-exist.wav", "No such file"),
    ];
    for (name, message) in cases {
        let error = load(formats(name), &AudioLimits::default()).unwrap_err();
        let text = error.to_string();
        assert!(text.contains(name), "{name}: {text}");
        assert!(text.contains(message), "{name}: {text}");
    }
}

/// A file cut inside its container's headers is named as that container, cut short; bytes of
/// no known container stay "unsupported".
#[test]
fn files_cut_in_their_headers_say_so() {
    let dir = std::env::temp_dir().join(format!("omnitok-cut-audio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, kind) in [("stereo.ogg", "Ogg"), ("stereo.flac", "FLAC")] {
        let bytes = std::fs::read(formats(name)).unwrap();
        let cut = dir.join(format!("cut.{name}"));
        std::fs::write(&cut, &bytes[..40]).unwrap();
        let text = load(&cut, &AudioLimits::default()).unwrap_err().to_string();
        assert!(
            text.contains(&format!("the {kind} file is cut short")),
            "{name}: {text}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn limits_refuse_long_and_large_files() {
    let short = AudioLimits {
        max_seconds: 0.05,
        ..AudioLimits::default()
    };
    let error = load(formats("stereo.pcm_16.wav"), &short).unwrap_err();
    assert!(matches!(error, AudioError::Limit { .. }), "{error}");
    let small = AudioLimits {
        max_file_bytes: 100,
        ..AudioLimits::default()
    };
    let error = load(formats("stereo.flac"), &small).unwrap_err();
    assert!(matches!(error, AudioError::Limit { .. }), "{error}");
    let narrow = AudioLimits {
        sample_rates: (8000, 16000),
        ..AudioLimits::default()
    };
    let error = load(formats("stereo.flac"), &narrow).unwrap_err();
    assert!(error.to_string().contains("22050 Hz is outside"), "{error}");
}

#[test]
fn bytes_in_memory_decode_as_the_file_does() {
    for name in [
        "stereo.flac",
        "stereo.mp3",
        "stereo.ogg",
        "stereo.pcm_16.wav",
    ] {
        let path = formats(name);
        let bytes = std::fs::read(&path).unwrap();
        let from_memory = load_bytes(bytes, name, &AudioLimits::default()).unwrap();
        assert_eq!(
            from_memory,
            load(&path, &AudioLimits::default()).unwrap(),
            "{name}"
        );
    }
    let error = load_bytes(Vec::new(), "<memory>", &AudioLimits::default()).unwrap_err();
    assert!(error.to_string().contains("<memory>"), "{error}");
    let small = AudioLimits {
        max_file_bytes: 100,
        ..AudioLimits::default()
    };
    let bytes = std::fs::read(formats("stereo.flac")).unwrap();
    assert!(matches!(
        load_bytes(bytes, "<memory>", &small),
        Err(AudioError::Limit { .. })
    ));
}

#[test]
fn excerpts_count_frames_as_librosa_does() {
    let audio = load(formats("stereo.float.wav"), &AudioLimits::default()).unwrap();
    // 22,050 Hz: 0.01 s is 220.5 frames, truncated to 220 as librosa does.
    let part = audio.excerpt(0.01, Some(0.02)).unwrap();
    assert_eq!(part.frames(), 441);
    assert_eq!(part.samples[..], audio.samples[2 * 220..2 * (220 + 441)]);
    assert_eq!(audio.excerpt(0.0, None).unwrap(), audio);
    assert_eq!(audio.excerpt(50.0, None).unwrap().frames(), 0);
    assert_eq!(
        audio.excerpt(0.05, Some(50.0)).unwrap().frames(),
        2205 - 1102
    );
    for (offset, duration) in [(-1.0, None), (f64::NAN, None), (0.0, Some(-0.5))] {
        assert!(audio.excerpt(offset, duration).is_err());
    }
}
