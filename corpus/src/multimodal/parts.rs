//! The parts of a multimodal document as read from a JSON line:
//! `{"parts": [{"text": "..."}, {"audio": "clip.wav"}, {"image": "cat.png"}, {"video": "clip.gif"}]}`.
//!
//! Each part is an object with one key. Paths are relative to the directory of the file the
//! line comes from (absolute paths stay as they are). Besides media files, a part may give codes
//! made before: `audio_codes` (`.npy`, `[codebooks, frames]`), `image_codes` (`[height, width]`,
//! or `[1, height, width]` as `omnitok vision tokenize` writes a still image), `video_codes`
//! (`[frames, height, width]`), or text as token IDs (`{"ids": [...]}`); these are what
//! `omnitok demux` writes, so its output muxes back to the same IDs.

use std::path::{Path, PathBuf};

use omnitok_tokenizer::TokenId;
use serde_json::Value;

/// One part of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    /// Text as token IDs of the layout's tokenizer.
    Ids(Vec<TokenId>),
    Audio(PathBuf),
    Image(PathBuf),
    Video(PathBuf),
    /// A `.npy` of audio codes `[codebooks, frames]`.
    AudioCodes(PathBuf),
    /// A `.npy` of image codes `[height, width]` (or `[1, height, width]`).
    ImageCodes(PathBuf),
    /// A `.npy` of video codes `[frames, height, width]`.
    VideoCodes(PathBuf),
}

/// The part kinds, as their keys.
pub const KINDS: [&str; 8] = [
    "text",
    "ids",
    "audio",
    "image",
    "video",
    "audio_codes",
    "image_codes",
    "video_codes",
];

/// The parts of the document in `line`, with paths resolved against `base`. The error says
/// which part is wrong and how.
pub fn parse_document(line: &str, base: &Path) -> Result<Vec<Part>, String> {
    let value: Value =
        serde_json::from_str(line).map_err(|e| format!("not a JSON document: {e}"))?;
    let parts = value
        .get("parts")
        .ok_or("no \"parts\" field")?
        .as_array()
        .ok_or("\"parts\" is not an array")?;
    parts
        .iter()
        .enumerate()
        .map(|(index, part)| parse_part(part, base).map_err(|e| format!("part {index}: {e}")))
        .collect()
}

fn parse_part(part: &Value, base: &Path) -> Result<Part, String> {
    let object = part.as_object().ok_or("not an object")?;
    let mut entries = object.iter();
    let (Some((key, value)), None) = (entries.next(), entries.next()) else {
        let keys: Vec<&String> = object.keys().collect();
        return Err(format!("one kind a part, not {keys:?}"));
    };
    let path = || -> Result<PathBuf, String> {
        let text = value
            .as_str()
            .ok_or_else(|| format!("{key:?} is not a path string"))?;
        if text.is_empty() {
            return Err(format!("{key:?} is an empty path"));
        }
        Ok(base.join(text))
    };
    Ok(match key.as_str() {
        "text" => Part::Text(value.as_str().ok_or("\"text\" is not a string")?.to_owned()),
        "ids" => Part::Ids(
            value
                .as_array()
                .ok_or("\"ids\" is not an array")?
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    id.as_u64()
                        .and_then(|id| TokenId::try_from(id).ok())
                        .ok_or_else(|| format!("ID {i} ({id}) is not a token ID"))
                })
                .collect::<Result<_, _>>()?,
        ),
        "audio" => Part::Audio(path()?),
        "image" => Part::Image(path()?),
        "video" => Part::Video(path()?),
        "audio_codes" => Part::AudioCodes(path()?),
        "image_codes" => Part::ImageCodes(path()?),
        "video_codes" => Part::VideoCodes(path()?),
        other => {
            return Err(format!(
                "unknown kind {other:?}; one of {}",
                KINDS.join(", ")
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_resolve_paths_against_the_base() {
        let parts = parse_document(
            r#"{"id": 7, "parts": [{"text": "A cat:"}, {"image": "img/cat.png"}, {"audio": "/abs/a.wav"}, {"ids": [1, 2]}]}"#,
            Path::new("/data"),
        )
        .unwrap();
        assert_eq!(
            parts,
            vec![
                Part::Text("A cat:".into()),
                Part::Image("/data/img/cat.png".into()),
                Part::Audio("/abs/a.wav".into()),
                Part::Ids(vec![1, 2]),
            ]
        );
    }

    #[test]
    fn bad_documents_name_the_part() {
        let base = Path::new(".");
        for (line, message) in [
            ("{", "not a JSON document"),
            (r#"{"text": "x"}"#, "no \"parts\""),
            (r#"{"parts": {}}"#, "not an array"),
            (r#"{"parts": [{"text": "a"}, 3]}"#, "part 1: not an object"),
            (
                r#"{"parts": [{"text": "a", "image": "b"}]}"#,
                "part 0: one kind",
            ),
            (
                r#"{"parts": [{"sound": "a.wav"}]}"#,
                "part 0: unknown kind \"sound\"",
            ),
            (
                r#"{"parts": [{"audio": 5}]}"#,
                "part 0: \"audio\" is not a path",
            ),
            (r#"{"parts": [{"ids": [1, -2]}]}"#, "part 0: ID 1 (-2)"),
            (r#"{"parts": [{}]}"#, "part 0: one kind"),
        ] {
            let error = parse_document(line, base).unwrap_err();
            assert!(error.contains(message), "{line}: {error}");
        }
    }
}
