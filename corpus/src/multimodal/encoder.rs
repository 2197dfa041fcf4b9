//! Multimodal documents to IDs of a [`VocabLayout`]: each part becomes a segment (text by the
//! layout's tokenizer, audio by its codec, images and video frames by its image quantizer) and
//! the segments are muxed with [`omnitok_vocab::mux`]. Every component is checked against the
//! checksum the layout records for it.

use std::path::Path;

use omnitok_audio::codec::Codec;
use omnitok_tokenizer::{SpecialPolicy, TokenId};
use omnitok_vision::codebook::CodeGrid;
use omnitok_vision::decode::{sample_frames, Sampling};
use omnitok_vocab::layout::VocabLayout;
use omnitok_vocab::{mux, AudioCodes, ImageCodes, Segment};
use serde::{Deserialize, Serialize};

use super::components::Components;
use super::parts::Part;
use crate::error::{CorpusError, Result};
use crate::npy;

/// A segment's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Modality {
    Text,
    Audio,
    Image,
    Video,
}

crate::choice::choice!(Modality, "modality", [Text => "text", Audio => "audio", Image => "image", Video => "video"]);

/// Where one segment lies in its document's IDs (markers included), and how much media it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub kind: Modality,
    /// First ID of the segment, counted from the document's start.
    pub start: u64,
    /// One past its last ID.
    pub end: u64,
    /// Bytes of text (text given as a string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Seconds of audio, or of video (when its frame rate is known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// Frames of video encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frames: Option<u64>,
}

/// A document's IDs and its segments' spans.
#[derive(Clone, Debug, PartialEq)]
pub struct MuxedDocument {
    pub ids: Vec<TokenId>,
    pub spans: Vec<Span>,
}

/// Turns documents' parts into IDs of one layout.
pub struct DocumentEncoder {
    layout: VocabLayout,
    components: Components,
    policy: SpecialPolicy,
    video_sampling: Sampling,
}

impl DocumentEncoder {
    /// An encoder of `layout` with its `components`, each checked against the layout's
    /// checksums. `policy` says what special tokens' strings in text become: a special token
    /// of the tokenizer at most, never a marker or a code, whatever the text holds.
    pub fn new(layout: VocabLayout, components: Components, policy: SpecialPolicy) -> Result<Self> {
        let check = |component: &str, checksum: &str| {
            layout
                .check_component(component, checksum)
                .map_err(|e| CorpusError::BadParameter(format!("{component}: {e}")))
        };
        check("text", &components.tokenizer.sha256())?;
        if let Some(codec) = &components.codec {
            check("audio", codec.checksum())?;
        }
        if let Some(quantizer) = &components.image_quantizer {
            let (_, checksum) = quantizer
                .fingerprint()
                .map_err(|e| CorpusError::BadParameter(e.to_string()))?;
            check("image", &checksum)?;
        }
        Ok(Self {
            layout,
            components,
            policy,
            video_sampling: Sampling::All,
        })
    }

    /// Which frames of a video part are encoded (by default all).
    pub fn with_video_sampling(mut self, sampling: Sampling) -> Self {
        self.video_sampling = sampling;
        self
    }

    pub fn layout(&self) -> &VocabLayout {
        &self.layout
    }

    pub fn components(&self) -> &Components {
        &self.components
    }

    /// The IDs and spans of a document. The error names the part and what is wrong with it.
    pub fn encode(&self, parts: &[Part]) -> std::result::Result<MuxedDocument, String> {
        let mut ids = Vec::new();
        let mut spans = Vec::with_capacity(parts.len());
        for (index, part) in parts.iter().enumerate() {
            let at = |e: String| format!("part {index}: {e}");
            let (segment, mut span) = self.segment(part).map_err(at)?;
            let start = ids.len();
            ids.extend(
                mux(&self.layout, std::slice::from_ref(&segment)).map_err(|e| at(e.to_string()))?,
            );
            span.start = start as u64;
            span.end = ids.len() as u64;
            spans.push(span);
        }
        Ok(MuxedDocument { ids, spans })
    }

    /// One part as a segment, with its span's kind and media measures (positions unset).
    fn segment(&self, part: &Part) -> std::result::Result<(Segment, Span), String> {
        let span = |kind| Span {
            kind,
            start: 0,
            end: 0,
            bytes: None,
            seconds: None,
            frames: None,
        };
        Ok(match part {
            Part::Text(text) => {
                let ids = self
                    .components
                    .tokenizer
                    .encode_with_policy(text, &self.policy)
                    .map_err(|e| e.to_string())?;
                let span = Span {
                    bytes: Some(text.len() as u64),
                    ..span(Modality::Text)
                };
                (Segment::Text(ids), span)
            }
            Part::Ids(ids) => (Segment::Text(ids.clone()), span(Modality::Text)),
            Part::Audio(path) => {
                let (codes, seconds) = self.audio_codes(path)?;
                let span = Span {
                    seconds: Some(seconds),
                    ..span(Modality::Audio)
                };
                (Segment::Audio(codes), span)
            }
            Part::AudioCodes(path) => {
                let (shape, codes) = read_codes(path, 2)?;
                let seconds = self
                    .components
                    .codec
                    .as_ref()
                    .map(|codec| shape[1] as f64 / codec.config().frame_rate() as f64);
                let codes =
                    AudioCodes::new(shape[0], shape[1], codes).map_err(|e| e.to_string())?;
                let span = Span {
                    seconds,
                    ..span(Modality::Audio)
                };
                (Segment::Audio(codes), span)
            }
            Part::Image(path) => {
                let frames = load_frames(path)?;
                if frames.frames.len() != 1 {
                    return Err(format!(
                        "{}: {} frames; give an animation as a video part",
                        path.display(),
                        frames.frames.len()
                    ));
                }
                let grid = self.quantize(path, &frames.frames[0])?;
                (Segment::Image(grid), span(Modality::Image))
            }
            Part::ImageCodes(path) => {
                let grid = read_image_codes(path)?;
                (Segment::Image(grid), span(Modality::Image))
            }
            Part::Video(path) => {
                let frames = load_frames(path)?;
                let seconds = frames.fps.map(|fps| frames.frames.len() as f64 / fps);
                let frames = sample_frames(frames, self.video_sampling)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let grids = frames
                    .frames
                    .iter()
                    .map(|frame| self.quantize(path, frame))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                let span = Span {
                    seconds,
                    frames: Some(grids.len() as u64),
                    ..span(Modality::Video)
                };
                (Segment::Video(grids), span)
            }
            Part::VideoCodes(path) => {
                let (shape, codes) = read_codes(path, 3)?;
                let frame = shape[1] * shape[2];
                let grids = (0..shape[0])
                    .map(|t| ImageCodes {
                        height: shape[1],
                        width: shape[2],
                        codes: codes[t * frame..(t + 1) * frame].to_vec(),
                    })
                    .collect();
                let span = Span {
                    frames: Some(shape[0] as u64),
                    ..span(Modality::Video)
                };
                (Segment::Video(grids), span)
            }
        })
    }

    /// The codes of a sound file at the layout's codebooks, and its duration.
    fn audio_codes(&self, path: &Path) -> std::result::Result<(AudioCodes, f64), String> {
        let codec = self
            .components
            .codec
            .as_ref()
            .ok_or("audio files need the layout's codec")?;
        let audio =
            omnitok_audio::decode::load(path, &omnitok_audio::decode::AudioLimits::default())
                .map_err(|e| e.to_string())?;
        let codes = audio_codes(&self.layout, codec, &audio)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok((codes, audio.seconds()))
    }

    fn quantize(
        &self,
        path: &Path,
        frame: &omnitok_vision::image::RgbImage,
    ) -> std::result::Result<ImageCodes, String> {
        let quantizer = self
            .components
            .image_quantizer
            .as_ref()
            .ok_or("images need the layout's image quantizer")?;
        let CodeGrid {
            indices,
            grid_h,
            grid_w,
        } = quantizer
            .encode(frame)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(ImageCodes {
            height: grid_h,
            width: grid_w,
            codes: indices,
        })
    }
}

fn load_frames(path: &Path) -> std::result::Result<omnitok_vision::decode::Frames, String> {
    omnitok_vision::decode::load(path, &omnitok_vision::decode::ImageLimits::default())
        .map_err(|e| e.to_string())
}

/// A `.npy` of codes, with its shape.
fn read_code_array(path: &Path) -> std::result::Result<(Vec<usize>, Vec<u32>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    npy::read_u32_array(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// A `.npy` of one image's codes: `[height, width]`, or `[1, height, width]` as `omnitok vision
/// tokenize` writes a still image.
fn read_image_codes(path: &Path) -> std::result::Result<ImageCodes, String> {
    let (shape, codes) = read_code_array(path)?;
    match shape[..] {
        [height, width] | [1, height, width] => Ok(ImageCodes {
            height,
            width,
            codes,
        }),
        _ => Err(format!(
            "{}: codes of shape {shape:?}; [height, width] or [1, height, width] is expected",
            path.display()
        )),
    }
}

/// A `.npy` of codes with `dims` dimensions.
fn read_codes(path: &Path, dims: usize) -> std::result::Result<(Vec<usize>, Vec<u32>), String> {
    let (shape, codes) = read_code_array(path)?;
    if shape.len() != dims {
        return Err(format!(
            "{}: codes of shape {shape:?}, where {dims} dimensions are expected",
            path.display()
        ));
    }
    Ok((shape, codes))
}

/// The codes of `audio` (any rate and channels) by `codec` (the layout's), at the layout's
/// codebooks: the codec's largest bandwidth, less its last codebooks when the layout keeps fewer
/// (residual quantisation: the first codebooks are the encoding at a lower bandwidth).
pub fn audio_codes(
    layout: &VocabLayout,
    codec: &Codec,
    audio: &omnitok_audio::decode::Audio,
) -> std::result::Result<AudioCodes, String> {
    let codebooks = layout
        .audio()
        .ok_or("the layout has no audio component")?
        .codebooks;
    let largest = codec.config().largest_bandwidth();
    let encoded = codec
        .encode_audio(audio, largest)
        .map_err(|e| e.to_string())?;
    let (chunks, available, frames) = encoded.codes.dim();
    if chunks != 1 {
        return Err(
            "the codec encodes in chunks (with scales), which documents do not hold".into(),
        );
    }
    if available < codebooks {
        return Err(format!(
            "the codec gives {available} codebooks; the layout has {codebooks}"
        ));
    }
    let codes = encoded
        .codes
        .slice(ndarray::s![0, ..codebooks, ..])
        .iter()
        .map(|&c| u32::try_from(c).map_err(|_| format!("codec code {c}")))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    AudioCodes::new(codebooks, frames, codes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_codes_are_read_as_a_grid_or_as_one_still_frame() {
        let dir = std::env::temp_dir().join(format!("omnitok-image-codes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let write = |name: &str, shape: &[u64]| {
            let n: u64 = shape.iter().product();
            let bytes = npy::to_bytes(shape, &(0..n as u32).collect::<Vec<_>>());
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
            path
        };
        let expected = ImageCodes {
            height: 2,
            width: 3,
            codes: (0..6).collect(),
        };
        for path in [write("grid.npy", &[2, 3]), write("still.npy", &[1, 2, 3])] {
            assert_eq!(read_image_codes(&path), Ok(expected.clone()));
        }
        let error = read_image_codes(&write("two.npy", &[2, 2, 3])).expect_err("two frames");
        assert!(
            error.contains("[height, width] or [1, height, width]"),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }
}
