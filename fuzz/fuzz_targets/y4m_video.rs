//! A YUV4MPEG2 video (.y4m): frames within the limits, or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use omnitok_vision::decode::{load, ImageLimits};

fuzz_target!(|data: &[u8]| {
    let path = omnitok_fuzz::scratch_file("input.y4m", data);
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
});
