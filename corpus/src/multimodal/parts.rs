//! The parts of a multimodal document as read from a JSON line:
//! `{"parts": [{"text": "..."}, {"audio": "clip.wav"}, {"image": "cat.png"}, {"video": "clip.gif"}]}`.
//!
//! Each part is an object with one key. Paths are relative to the directory of the file the
//! line comes from (absolute paths stay as they are). Besides media files, a part may give codes
//! made before: `audio_codes` (`.npy`, `[codebooks, frames]`), `image_codes` (`[height, width]`,
//! or `[1, height, width]` as `omnitok vision tokenize` writes a still image), `video_codes`
//! (`[frames, height, width]`), or text as token IDs (`{"ids": [...]}`); these are what
//! `omnitok demux` writes, so its output muxes back to the same IDs. In a layout with chat
//! turns, `{"turn": "user"}` (or `system`, `assistant`, `tool`) starts a turn with its marker
//! and `{"turn": "end"}` ends one: markers come from these parts, never from text.
//!
//! A caller that holds the media or codes already (Python's `omnitok.mux`) gives them as
//! [`Source::Given`] rather than as files; they are encoded the same way.

use std::path::{Path, PathBuf};

use omnitok_audio::decode::Audio;
use omnitok_tokenizer::TokenId;
use omnitok_vision::decode::Frames;
use omnitok_vision::RgbImage;
use omnitok_vocab::{AudioCodes, ImageCodes, Marker};
use serde_json::Value;

use crate::choice::Choice;
use crate::error::CorpusError;

/// Where a part's media or codes come from: a file, or values a caller already holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Source<T> {
    File(PathBuf),
    Given(T),
}

/// One part of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    /// Text as token IDs of the layout's tokenizer.
    Ids(Vec<TokenId>),
    /// Sound, at any rate and with any channels (the codec resamples and mixes down).
    Audio(Source<Audio>),
    Image(Source<RgbImage>),
    Video(Source<Frames>),
    /// Audio codes `[codebooks, frames]` (a `.npy` file).
    AudioCodes(Source<AudioCodes>),
    /// Image codes `[height, width]` (a `.npy` file of `[height, width]` or `[1, height, width]`).
    ImageCodes(Source<ImageCodes>),
    /// Video codes `[frames, height, width]` (a `.npy` file).
    VideoCodes(Source<Vec<ImageCodes>>),
    /// A chat turn's marker: one of [`Marker::TURNS`].
    Turn(Marker),
}

/// A part's kind, as its key in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    Text,
    Ids,
    Audio,
    Image,
    Video,
    AudioCodes,
    ImageCodes,
    VideoCodes,
    Turn,
}

crate::choice::choice!(PartKind, "part kind", [
    Text => "text", Ids => "ids", Audio => "audio", Image => "image", Video => "video",
    AudioCodes => "audio_codes", ImageCodes => "image_codes", VideoCodes => "video_codes",
    Turn => "turn",
]);

/// The value of a `{"turn": ...}` part for each marker of chat turns.
const TURN_NAMES: [(Marker, &str); 5] = [
    (Marker::System, "system"),
    (Marker::User, "user"),
    (Marker::Assistant, "assistant"),
    (Marker::Tool, "tool"),
    (Marker::TurnEnd, "end"),
];

/// The turn marker a `{"turn": name}` part names.
pub fn turn_marker(name: &str) -> Result<Marker, String> {
    TURN_NAMES
        .iter()
        .find(|(_, n)| *n == name)
        .map(|&(marker, _)| marker)
        .ok_or_else(|| {
            let names: Vec<&str> = TURN_NAMES.iter().map(|&(_, n)| n).collect();
            format!("unknown turn {name:?}; one of {}", names.join(", "))
        })
}

/// The name a `{"turn": name}` part gives `marker`, if it is a marker of chat turns.
pub fn turn_name(marker: Marker) -> Option<&'static str> {
    TURN_NAMES
        .iter()
        .find(|(m, _)| *m == marker)
        .map(|&(_, name)| name)
}

impl Part {
    /// This part's kind.
    pub fn kind(&self) -> PartKind {
        match self {
            Part::Text(_) => PartKind::Text,
            Part::Ids(_) => PartKind::Ids,
            Part::Audio(_) => PartKind::Audio,
            Part::Image(_) => PartKind::Image,
            Part::Video(_) => PartKind::Video,
            Part::AudioCodes(_) => PartKind::AudioCodes,
            Part::ImageCodes(_) => PartKind::ImageCodes,
            Part::VideoCodes(_) => PartKind::VideoCodes,
            Part::Turn(_) => PartKind::Turn,
        }
    }

    /// The part of `kind` whose media or codes are in the file at `path`; `None` for the kinds
    /// that are not files (text and IDs).
    pub fn file(kind: PartKind, path: PathBuf) -> Option<Part> {
        Some(match kind {
            PartKind::Text | PartKind::Ids | PartKind::Turn => return None,
            PartKind::Audio => Part::Audio(Source::File(path)),
            PartKind::Image => Part::Image(Source::File(path)),
            PartKind::Video => Part::Video(Source::File(path)),
            PartKind::AudioCodes => Part::AudioCodes(Source::File(path)),
            PartKind::ImageCodes => Part::ImageCodes(Source::File(path)),
            PartKind::VideoCodes => Part::VideoCodes(Source::File(path)),
        })
    }

    /// The codes part of `kind` (`audio_codes`, `image_codes` or `video_codes`) holding
    /// `values`, a C-order array of `shape`.
    pub fn codes(kind: PartKind, shape: &[usize], values: Vec<u32>) -> Result<Part, ShapeError> {
        let given = match kind {
            PartKind::AudioCodes => {
                Part::AudioCodes(Source::Given(Codes::of_shape(shape, values)?))
            }
            PartKind::ImageCodes => {
                Part::ImageCodes(Source::Given(Codes::of_shape(shape, values)?))
            }
            PartKind::VideoCodes => {
                Part::VideoCodes(Source::Given(Codes::of_shape(shape, values)?))
            }
            other => return Err(ShapeError::NotCodes(other)),
        };
        Ok(given)
    }
}

/// Codes that do not have the shape their kind needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShapeError {
    #[error("{values} codes do not fill shape {shape:?}")]
    Unfilled { values: usize, shape: Vec<usize> },
    #[error("codes of shape {shape:?}; {expected} is expected")]
    Dimensions {
        shape: Vec<usize>,
        expected: &'static str,
    },
    #[error("codes of shape {shape:?}: a grid has no empty side")]
    EmptyGrid { shape: Vec<usize> },
    /// Audio codes the layout's flattening refuses.
    #[error(transparent)]
    Audio(#[from] omnitok_vocab::VocabError),
    #[error("{0} parts are not codes")]
    NotCodes(PartKind),
    /// Arrays of an `.npz` file that are not levels of codes.
    #[error("{0}")]
    Levels(String),
}

/// The codes of a codes part, made from an array of their shape.
pub trait Codes: Sized {
    /// The codes in `values`, a C-order array of `shape`.
    fn of_shape(shape: &[usize], values: Vec<u32>) -> Result<Self, ShapeError>;

    /// The codes in the arrays of an `.npz` file (name, shape, values): only audio codes of
    /// several rates (SNAC's levels) come so.
    fn of_levels(arrays: Vec<crate::npz::NamedArray>) -> Result<Self, ShapeError> {
        let _ = arrays;
        Err(ShapeError::Levels(
            "only audio codes come as .npz (levels at several rates)".into(),
        ))
    }
}

fn check_filled(shape: &[usize], values: &[u32]) -> Result<(), ShapeError> {
    match shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d)) {
        Some(n) if n == values.len() => Ok(()),
        _ => Err(ShapeError::Unfilled {
            values: values.len(),
            shape: shape.to_vec(),
        }),
    }
}

fn grid(
    shape: &[usize],
    height: usize,
    width: usize,
    codes: Vec<u32>,
) -> Result<ImageCodes, ShapeError> {
    if height == 0 || width == 0 {
        return Err(ShapeError::EmptyGrid {
            shape: shape.to_vec(),
        });
    }
    Ok(ImageCodes {
        height,
        width,
        codes,
    })
}

fn dimensions(shape: &[usize], expected: &'static str) -> ShapeError {
    ShapeError::Dimensions {
        shape: shape.to_vec(),
        expected,
    }
}

impl Codes for AudioCodes {
    fn of_shape(shape: &[usize], values: Vec<u32>) -> Result<Self, ShapeError> {
        check_filled(shape, &values)?;
        match *shape {
            [codebooks, frames] => Ok(AudioCodes::new(codebooks, frames, values)?),
            _ => Err(dimensions(shape, "[codebooks, frames]")),
        }
    }

    /// Arrays `level_0` ... `level_{L-1}` (coarse to fine, each 1-D; see
    /// [`crate::npz::levels`]), each a whole multiple of the first's length: the rates.
    fn of_levels(arrays: Vec<crate::npz::NamedArray>) -> Result<Self, ShapeError> {
        let levels = crate::npz::levels(arrays).map_err(|e| ShapeError::Levels(e.to_string()))?;
        let first = levels.first().map_or(0, Vec::len);
        let mut rates = Vec::with_capacity(levels.len());
        let mut codes = Vec::new();
        for (i, values) in levels.into_iter().enumerate() {
            if first == 0 || values.len() % first != 0 {
                return Err(ShapeError::Levels(format!(
                    "level {i} has {} codes, not a whole multiple of level 0's {first}",
                    values.len()
                )));
            }
            rates.push(values.len() / first);
            codes.extend(values);
        }
        if rates.is_empty() {
            return Err(ShapeError::Levels("no levels".into()));
        }
        Ok(AudioCodes::with_rates(rates, first, codes)?)
    }
}

impl Codes for ImageCodes {
    fn of_shape(shape: &[usize], values: Vec<u32>) -> Result<Self, ShapeError> {
        check_filled(shape, &values)?;
        match *shape {
            [height, width] | [1, height, width] => grid(shape, height, width, values),
            _ => Err(dimensions(shape, "[height, width] or [1, height, width]")),
        }
    }
}

impl Codes for Vec<ImageCodes> {
    fn of_shape(shape: &[usize], values: Vec<u32>) -> Result<Self, ShapeError> {
        check_filled(shape, &values)?;
        match *shape {
            [_, height, width] => values
                .chunks(height.saturating_mul(width).max(1))
                .map(|codes| grid(shape, height, width, codes.to_vec()))
                .collect(),
            _ => Err(dimensions(shape, "[frames, height, width]")),
        }
    }
}

/// Why a document cannot be read or encoded, naming the part to blame.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The line is not a document: not JSON, or without a `parts` array.
    #[error("{0}")]
    NotADocument(String),
    /// A part is malformed: not an object with one known key, or a value of the wrong type or
    /// shape.
    #[error("part {index}: {message}")]
    BadPart { index: usize, message: String },
    /// A part needs a component that was not given: the layout's tokenizer, codec or image
    /// quantizer.
    #[error("part {index}: {kind} parts need the layout's {component}")]
    MissingComponent {
        index: usize,
        kind: PartKind,
        component: &'static str,
    },
    /// A part could not be encoded: its file cannot be read, or a component refuses it.
    #[error("part {index}: {source}")]
    Unencodable {
        index: usize,
        #[source]
        source: Box<CorpusError>,
    },
}

/// Where the media files that documents name may be: paths are data, so by default a
/// document reaches only files under its own folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaPaths {
    /// The folder relative paths resolve against, instead of the documents file's own.
    pub root: Option<PathBuf>,
    /// Absolute paths and paths that climb out with `..` are followed too (they are refused
    /// otherwise). Symbolic links inside the folder are followed either way.
    pub allow_any: bool,
}

impl MediaPaths {
    /// The file `path` names in a document read from a file in `base`.
    fn resolve(&self, path: &str, base: &Path) -> Result<PathBuf, String> {
        let relative = Path::new(path);
        if !self.allow_any {
            use std::path::Component;
            if relative.is_absolute() || relative.has_root() {
                return Err(format!(
                    "{path:?} is an absolute path; media paths are relative to the documents' \
                     folder (--allow-any-media-path follows others)"
                ));
            }
            // `a/../b` stays inside; `../b` and `a/../../b` climb out.
            let mut depth = 0usize;
            for component in relative.components() {
                match component {
                    Component::ParentDir if depth == 0 => {
                        return Err(format!(
                            "{path:?} climbs out of the documents' folder \
                             (--allow-any-media-path follows it)"
                        ))
                    }
                    Component::ParentDir => depth -= 1,
                    Component::Normal(_) => depth += 1,
                    _ => {}
                }
            }
        }
        Ok(self.root.as_deref().unwrap_or(base).join(relative))
    }
}

/// The parts of the document in `line`, with paths resolved against `base` (a file's folder)
/// under `media`'s rule. The error says which part is wrong and how.
pub fn parse_document(
    line: &str,
    base: &Path,
    media: &MediaPaths,
) -> Result<Vec<Part>, DocumentError> {
    let not_a_document = |message: String| DocumentError::NotADocument(message);
    let value: Value = serde_json::from_str(line)
        .map_err(|e| not_a_document(format!("not a JSON document: {e}")))?;
    let parts = value
        .get("parts")
        .ok_or_else(|| not_a_document("no \"parts\" field".into()))?
        .as_array()
        .ok_or_else(|| not_a_document("\"parts\" is not an array".into()))?;
    parts
        .iter()
        .enumerate()
        .map(|(index, part)| {
            parse_part(part, base, media)
                .map_err(|message| DocumentError::BadPart { index, message })
        })
        .collect()
}

fn parse_part(part: &Value, base: &Path, media: &MediaPaths) -> Result<Part, String> {
    let object = part.as_object().ok_or("not an object")?;
    let mut entries = object.iter();
    let (Some((key, value)), None) = (entries.next(), entries.next()) else {
        let keys: Vec<&String> = object.keys().collect();
        return Err(format!("one kind a part, not {keys:?}"));
    };
    let kind = PartKind::from_name(key).map_err(|_| {
        format!(
            "unknown kind {key:?}; one of {}",
            PartKind::names().join(", ")
        )
    })?;
    match kind {
        PartKind::Text => Ok(Part::Text(
            value.as_str().ok_or("\"text\" is not a string")?.to_owned(),
        )),
        PartKind::Ids => Ok(Part::Ids(
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
        )),
        PartKind::Turn => Ok(Part::Turn(turn_marker(
            value.as_str().ok_or("\"turn\" is not a string")?,
        )?)),
        file => {
            let text = value
                .as_str()
                .ok_or_else(|| format!("{key:?} is not a path string"))?;
            if text.is_empty() {
                return Err(format!("{key:?} is an empty path"));
            }
            Part::file(file, media.resolve(text, base)?)
                .ok_or_else(|| format!("{key:?} is not a file"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_resolve_paths_against_the_base() {
        let any = MediaPaths {
            allow_any: true,
            ..MediaPaths::default()
        };
        let parts = parse_document(
            r#"{"id": 7, "parts": [{"text": "A cat:"}, {"image": "img/cat.png"}, {"audio": "/abs/a.wav"}, {"ids": [1, 2]}]}"#,
            Path::new("/data"),
            &any,
        )
        .unwrap();
        assert_eq!(
            parts,
            vec![
                Part::Text("A cat:".into()),
                Part::Image(Source::File("/data/img/cat.png".into())),
                Part::Audio(Source::File("/abs/a.wav".into())),
                Part::Ids(vec![1, 2]),
            ]
        );
    }

    #[test]
    fn media_paths_stay_in_the_documents_folder_unless_allowed() {
        let base = Path::new("/data/docs");
        let confined = MediaPaths::default();
        let line = |path: &str| format!(r#"{{"parts": [{{"image": {path:?}}}]}}"#);
        for path in ["/etc/passwd", "../../../../etc/hostname", "a/../../b.png"] {
            let error = parse_document(&line(path), base, &confined).unwrap_err();
            assert!(error.to_string().starts_with("part 0: "), "{error}");
        }
        let inside = parse_document(&line("img/../cat.png"), base, &confined).unwrap();
        assert_eq!(
            inside,
            [Part::Image(Source::File(base.join("img/../cat.png")))]
        );
        let rooted = MediaPaths {
            root: Some("/media".into()),
            allow_any: false,
        };
        let parts = parse_document(&line("cat.png"), base, &rooted).unwrap();
        assert_eq!(parts, [Part::Image(Source::File("/media/cat.png".into()))]);
        let any = MediaPaths {
            root: None,
            allow_any: true,
        };
        let parts = parse_document(&line("/etc/passwd"), base, &any).unwrap();
        assert_eq!(parts, [Part::Image(Source::File("/etc/passwd".into()))]);
    }

    #[test]
    fn turns_are_parts_of_their_own() {
        let line = r#"{"parts": [{"turn": "user"}, {"text": "hi"}, {"turn": "end"}]}"#;
        let parts = parse_document(line, Path::new("."), &MediaPaths::default()).unwrap();
        assert_eq!(
            parts,
            [
                Part::Turn(Marker::User),
                Part::Text("hi".into()),
                Part::Turn(Marker::TurnEnd)
            ]
        );
        for (marker, name) in TURN_NAMES {
            assert_eq!(turn_marker(name), Ok(marker));
            assert_eq!(turn_name(marker), Some(name));
        }
        assert_eq!(turn_name(Marker::Row), None);
        let error = parse_document(
            r#"{"parts": [{"text": "a"}, {"turn": "narrator"}]}"#,
            Path::new("."),
            &MediaPaths::default(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "part 1: unknown turn \"narrator\"; one of system, user, assistant, tool, end"
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
            let error = parse_document(line, base, &MediaPaths::default())
                .unwrap_err()
                .to_string();
            assert!(error.contains(message), "{line}: {error}");
        }
    }
}
