//! A line of a `mux` document file: its parts and their fields; a media path it names is
//! always inside the documents' folder.
#![no_main]
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use omnitok_corpus::multimodal::{parse_document, MediaPaths, Part, Source};

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let base = Path::new("/nonexistent/documents");
    let Ok(parts) = parse_document(line, base, &MediaPaths::default()) else {
        return;
    };
    for part in &parts {
        let path = match part {
            Part::Audio(Source::File(path))
            | Part::Image(Source::File(path))
            | Part::Video(Source::File(path))
            | Part::AudioCodes(Source::File(path))
            | Part::ImageCodes(Source::File(path))
            | Part::VideoCodes(Source::File(path)) => path,
            _ => continue,
        };
        let mut depth = 0i64;
        for component in path
            .strip_prefix(base)
            .expect("a media path under the folder")
            .components()
        {
            match component {
                std::path::Component::ParentDir => depth -= 1,
                std::path::Component::Normal(_) => depth += 1,
                _ => {}
            }
            assert!(depth >= 0, "{path:?} climbs out of the documents' folder");
        }
    }
});
