//! Helpers shared by the fuzz targets: inputs written where the file-reading parsers expect
//! them, and one input cut into several.

use std::path::{Path, PathBuf};

/// The separator between the parts of an input that feeds several files (see [`parts`]).
pub const PART_SEPARATOR: &[u8] = b"\n=====\n";

/// `data` cut at the first `N - 1` [`PART_SEPARATOR`]s; missing parts are empty.
pub fn parts<const N: usize>(data: &[u8]) -> [&[u8]; N] {
    let mut parts = [&data[..0]; N];
    let mut rest = data;
    for part in parts.iter_mut().take(N - 1) {
        match find(rest, PART_SEPARATOR) {
            Some(at) => {
                *part = &rest[..at];
                rest = &rest[at + PART_SEPARATOR.len()..];
            }
            None => {
                *part = rest;
                rest = &rest[rest.len()..];
            }
        }
    }
    parts[N - 1] = rest;
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A folder of this process's own for the files a target writes (the parsers under test read
/// paths, as users call them).
pub fn scratch_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("omnitok-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder in the temporary directory");
        dir
    })
}

/// Writes `data` to `name` in the [`scratch_dir`] and returns its path.
pub fn scratch_file(name: &str, data: &[u8]) -> PathBuf {
    let path = scratch_dir().join(name);
    std::fs::write(&path, data).expect("a file in the scratch folder");
    path
}

/// Decodes `data` written as the file `name` (the extension chooses Y4M) within small limits;
/// what decodes has at least one frame, and frames and pixels within the limits.
pub fn check_image_file(name: &str, data: &[u8]) {
    use omnitok_vision::decode::{load, ImageLimits};
    let path = scratch_file(name, data);
    let limits = ImageLimits {
        max_pixels: 1 << 22,
        max_frames: 64,
        max_bytes: 1 << 20,
    };
    let Ok(frames) = load(&path, &limits) else {
        return;
    };
    assert!(!frames.frames.is_empty(), "an image of no frames");
    assert!(
        frames.frames.len() <= limits.max_frames,
        "{} frames",
        frames.frames.len()
    );
    for frame in &frames.frames {
        let pixels = frame.width as u64 * frame.height as u64;
        assert!(pixels <= limits.max_pixels, "a frame of {pixels} pixels");
    }
}

/// The text the tokenizer targets encode and decode back.
pub const ROUND_TRIP_TEXT: &str = "Hello wörld, 12 345 — 你好 🙂 <|endoftext|>\n\tend";

/// A tokenizer that loads encodes without panicking, counts what it encodes, and decodes its
/// IDs; byte-level BPE decodes them to the same bytes (a pipeline's normalizer may rewrite
/// text, so only that its IDs decode is checked there).
pub fn check_round_trip(tokenizer: &omnitok_tokenizer::Tokenizer) {
    let policy = omnitok_tokenizer::SpecialPolicy::as_text();
    if let Ok(ids) = tokenizer.encode_with_policy(ROUND_TRIP_TEXT, &policy) {
        let counted = tokenizer.count(ROUND_TRIP_TEXT, &policy);
        assert_eq!(counted.ok(), Some(ids.len()), "count differs from encode");
        let bytes = tokenizer
            .decode_bytes(&ids)
            .expect("IDs just encoded decode");
        if tokenizer.model().is_some() {
            assert_eq!(
                bytes,
                ROUND_TRIP_TEXT.as_bytes(),
                "encoding then decoding changed the text"
            );
        }
    }
}
