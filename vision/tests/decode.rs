//! Decoding the files of `fixtures/vision/formats/` (made by `make_formats.py` there): lossless
//! formats give the exact pixels Pillow wrote, animations every frame, Y4M the documented
//! BT.601 colours; corrupt, truncated and oversized files are errors naming the file.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use omnitok_vision::decode::{load, sample_frames, ImageLimits, Sampling};
use omnitok_vision::VisionError;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/vision/formats")
        .join(name)
}

/// A uint8 `.npy` file's bytes.
fn npy_bytes(name: &str) -> Vec<u8> {
    npy_data(&fixture(name))
}

fn npy_data(path: &std::path::Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let header = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    bytes[10 + header..].to_vec()
}

#[test]
fn jpeg_files_decode_to_pillows_exact_pixels() {
    // fixtures/vision/jpeg/: each layout of JPEG beside what Pillow decodes from it.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/vision/jpeg");
    let mut cases = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "jpg") {
            continue;
        }
        let expected = npy_data(&path.with_extension("npy"));
        let frames = load(&path, &ImageLimits::default()).unwrap();
        let image = &frames.frames[0];
        let differing = image
            .data
            .iter()
            .zip(&expected)
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(image.data.len(), expected.len(), "{path:?}");
        assert_eq!(
            differing, 0,
            "{path:?}: {differing} values differ from Pillow's"
        );
        cases += 1;
    }
    assert_eq!(cases, 8);
}

#[test]
fn lossless_images_decode_to_the_exact_pixels() {
    let expected = npy_bytes("still.npy");
    for name in [
        "still.png",
        "still.bmp",
        "still.tiff",
        "still.webp",
        "still.gif",
    ] {
        let frames = load(fixture(name), &ImageLimits::default()).unwrap();
        assert_eq!(frames.frames.len(), 1, "{name}");
        let image = &frames.frames[0];
        assert_eq!((image.width, image.height), (12, 8), "{name}");
        assert_eq!(image.data, expected, "{name}");
    }
    let jpeg = load(fixture("still.jpg"), &ImageLimits::default()).unwrap();
    assert_eq!((jpeg.frames[0].width, jpeg.frames[0].height), (12, 8));
}

#[test]
fn animations_give_every_frame_and_their_rate() {
    let expected = npy_bytes("anim.npy");
    for name in ["anim.gif", "anim.png", "anim.webp"] {
        let frames = load(fixture(name), &ImageLimits::default()).unwrap();
        assert_eq!(frames.frames.len(), 3, "{name}");
        let all: Vec<u8> = frames.frames.iter().flat_map(|f| f.data.clone()).collect();
        let worst = all
            .iter()
            .zip(&expected)
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap();
        // The image crate blends animated WebP frames onto the canvas with a rounding that can
        // lose one level where Pillow keeps the exact value; GIF and APNG are exact.
        let allowed = u8::from(name.ends_with(".webp"));
        assert!(worst <= allowed, "{name}: off by {worst}");
        assert!(
            (frames.fps.unwrap() - 10.0).abs() < 1e-9,
            "{name}: {:?}",
            frames.fps
        );
    }
}

#[test]
fn y4m_frames_are_bt601_colours_and_can_be_sampled() {
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("clip.json")).unwrap()).unwrap();
    let frames = load(fixture("clip.y4m"), &ImageLimits::default()).unwrap();
    assert_eq!(frames.fps, Some(25.0));
    assert_eq!(frames.frames.len(), 4);
    for (frame, expected) in frames.frames.iter().zip(meta["frames"].as_array().unwrap()) {
        let rgb: Vec<u8> = expected["rgb"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u8)
            .collect();
        assert!(
            frame.data.chunks(3).all(|p| p == rgb.as_slice()),
            "{expected}"
        );
    }
    let two = sample_frames(frames.clone(), Sampling::Count(2)).unwrap();
    assert_eq!(two.frames.len(), 2);
    assert_eq!(two.frames[1], frames.frames[2]);
    let slow = sample_frames(frames.clone(), Sampling::Fps(12.5)).unwrap();
    assert_eq!(slow.frames.len(), 2);
    assert_eq!(slow.fps, Some(12.5));
}

#[test]
fn bad_files_are_errors_that_name_them() {
    for name in ["bad.truncated.png", "bad.random.png", "bad.truncated.y4m"] {
        let error = load(fixture(name), &ImageLimits::default()).unwrap_err();
        assert!(
            matches!(error, VisionError::BadInput { .. }),
            "{name}: {error:?}"
        );
        assert!(error.to_string().contains(name), "{name}: {error}");
    }
    // The header claims 10 gigapixels: refused before any pixel buffer.
    let error = load(fixture("bad.huge.png"), &ImageLimits::default()).unwrap_err();
    assert!(matches!(error, VisionError::Limit { .. }), "{error:?}");
    assert!(error.to_string().contains("100000 x 100000"), "{error}");
    let tight = ImageLimits {
        max_frames: 2,
        ..ImageLimits::default()
    };
    assert!(matches!(
        load(fixture("anim.gif"), &tight).unwrap_err(),
        VisionError::Limit { .. }
    ));
    let tiny = ImageLimits {
        max_bytes: 10,
        ..ImageLimits::default()
    };
    assert!(matches!(
        load(fixture("still.png"), &tiny).unwrap_err(),
        VisionError::Limit { .. }
    ));
    // Other video goes through ffmpeg: without it, an error naming the program; with it, this
    // file is not a real video.
    let error = load(fixture("bad.fake.mp4"), &ImageLimits::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("bad.fake.mp4"), "{error}");
    assert!(
        error.contains("ffprobe") || error.contains("ffmpeg"),
        "{error}"
    );
    assert!(load(fixture("missing.png"), &ImageLimits::default()).is_err());
}

/// Files made here: a JPEG cut in half (Pillow raises "image file is truncated"), and a 3 x 3
/// Y4M whose frames hold fewer bytes than 4:2:0 needs at odd sizes.
#[test]
fn cut_files_are_errors_not_invented_pixels() {
    let dir = std::env::temp_dir().join(format!("omnitok-cut-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let jpeg = std::fs::read(fixture("still.jpg")).unwrap();
    assert!(load(fixture("still.jpg"), &ImageLimits::default()).is_ok());
    let half = dir.join("half.jpg");
    std::fs::write(&half, &jpeg[..jpeg.len() / 2]).unwrap();
    let error = load(&half, &ImageLimits::default()).unwrap_err();
    assert!(matches!(error, VisionError::BadInput { .. }), "{error:?}");
    assert!(error.to_string().contains("truncated"), "{error}");

    // 3 x 3 at 4:2:0: 9 luma bytes and two 2 x 2 chroma planes, 17 bytes a frame.
    let y4m = |frame_bytes: usize| {
        let mut bytes = b"YUV4MPEG2 W3 H3 F25:1 C420jpeg\n".to_vec();
        for _ in 0..2 {
            bytes.extend(b"FRAME\n");
            bytes.extend(std::iter::repeat_n(128u8, frame_bytes));
        }
        bytes
    };
    let whole = dir.join("whole.y4m");
    std::fs::write(&whole, y4m(17)).unwrap();
    assert_eq!(
        load(&whole, &ImageLimits::default()).unwrap().frames.len(),
        2
    );
    let short = dir.join("short.y4m");
    std::fs::write(&short, y4m(13)).unwrap();
    let error = load(&short, &ImageLimits::default())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("3 x 3") && !error.contains("UTF-8"),
        "{error}"
    );

    // A header field that starts with a character of several bytes (here an invalid byte,
    // read as U+FFFD) is an unknown tag, as any other.
    let odd_field = dir.join("odd-field.y4m");
    let mut bytes = b"YUV4MPEG2 W3 H3 F25:1 \xcf:1 C420jpeg\n".to_vec();
    bytes.extend(b"FRAME\n");
    bytes.extend([128u8; 17]);
    std::fs::write(&odd_field, bytes).unwrap();
    assert_eq!(
        load(&odd_field, &ImageLimits::default())
            .unwrap()
            .frames
            .len(),
        1
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Whether ffmpeg and ffprobe run here. CI installs them, so there they must.
fn have_ffmpeg() -> bool {
    let runs = |program: &str| {
        std::process::Command::new(program)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let present = runs("ffmpeg") && runs("ffprobe");
    assert!(
        present || std::env::var("CI").as_deref() != Ok("true"),
        "CI runs the ffmpeg tests: install ffmpeg"
    );
    present
}

#[test]
fn video_through_ffmpeg() {
    if !have_ffmpeg() {
        let error = load(fixture("anim.ffv1.mkv"), &ImageLimits::default()).unwrap_err();
        assert!(
            matches!(error, VisionError::MissingProgram { .. }),
            "{error}"
        );
        eprintln!("ffmpeg is not installed: only its absence was tested");
        return;
    }
    // Lossless FFV1: exactly the frames written, at their rate.
    let video = load(fixture("anim.ffv1.mkv"), &ImageLimits::default()).unwrap();
    assert_eq!(video.fps, Some(10.0));
    let all: Vec<u8> = video.frames.iter().flat_map(|f| f.data.clone()).collect();
    assert_eq!(all, npy_bytes("anim.npy"));
    // H.264 of clip.y4m's flat colours (lossless YUV): ffmpeg's RGB of them is within two
    // levels of the BT.601 values omnitok's Y4M reader gives.
    let h264 = load(fixture("clip.h264.mp4"), &ImageLimits::default()).unwrap();
    let y4m = load(fixture("clip.y4m"), &ImageLimits::default()).unwrap();
    assert_eq!((h264.frames.len(), h264.fps), (4, Some(25.0)));
    for (a, b) in h264.frames.iter().zip(&y4m.frames) {
        assert_eq!((a.width, a.height), (6, 4));
        let worst = a
            .data
            .iter()
            .zip(&b.data)
            .map(|(x, y)| x.abs_diff(*y))
            .max();
        assert!(worst <= Some(2), "{worst:?}");
    }
    // The frame limit stops the decoding.
    let two = ImageLimits {
        max_frames: 2,
        ..ImageLimits::default()
    };
    let error = load(fixture("clip.h264.mp4"), &two).unwrap_err();
    assert!(matches!(error, VisionError::Limit { .. }), "{error}");
    assert!(error.to_string().contains("clip.h264.mp4"), "{error}");
    let small = ImageLimits {
        max_pixels: 20,
        ..ImageLimits::default()
    };
    assert!(matches!(
        load(fixture("clip.h264.mp4"), &small).unwrap_err(),
        VisionError::Limit { .. }
    ));
    let fake = load(fixture("bad.fake.mp4"), &ImageLimits::default()).unwrap_err();
    assert!(matches!(fake, VisionError::BadInput { .. }), "{fake}");
}
