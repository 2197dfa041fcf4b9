//! Multimodal documents to IDs of a [`VocabLayout`]: each part becomes a segment (text by the
//! layout's tokenizer, audio by its codec, images and video frames by its image quantizer) and
//! the segments are muxed with [`omnitok_vocab::mux`]. Every component is checked against the
//! checksum the layout records for it.

use std::path::Path;

use omnitok_audio::codec::Codec;
use omnitok_audio::decode::AudioLimits;
use omnitok_tokenizer::{SpecialPolicy, TokenId};
use omnitok_vision::codebook::CodeGrid;
use omnitok_vision::decode::{sample_frames, Frames, ImageLimits, Sampling};
use omnitok_vision::image_codes::ImageQuantizer;
use omnitok_vision::RgbImage;
use omnitok_vocab::layout::VocabLayout;
use omnitok_vocab::{mux, AudioCodes, ImageCodes, Segment};
use serde::{Deserialize, Serialize};

use super::components::Components;
use super::parts::{Codes, DocumentError, MediaPaths, Part, Source};
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
    media: MediaPaths,
}

impl DocumentEncoder {
    /// An encoder of `layout` with its `components`, each checked against the layout's
    /// checksums. `policy` says what special tokens' strings in text become: a special token
    /// of the tokenizer at most, never a marker or a code, whatever the text holds.
    pub fn new(layout: VocabLayout, components: Components, policy: SpecialPolicy) -> Result<Self> {
        components.check(&layout)?;
        Ok(Self {
            layout,
            components,
            policy,
            video_sampling: Sampling::All,
            media: MediaPaths::default(),
        })
    }

    /// Which frames of a video part are encoded (by default all).
    pub fn with_video_sampling(mut self, sampling: Sampling) -> Self {
        self.video_sampling = sampling;
        self
    }

    /// Where the media files of documents read from files may be (by default, under each
    /// documents file's folder).
    pub fn with_media_paths(mut self, media: MediaPaths) -> Self {
        self.media = media;
        self
    }

    pub fn media_paths(&self) -> &MediaPaths {
        &self.media
    }

    pub fn layout(&self) -> &VocabLayout {
        &self.layout
    }

    pub fn components(&self) -> &Components {
        &self.components
    }

    /// The IDs and spans of a document. The error names the part and what is wrong with it.
    pub fn encode(&self, parts: &[Part]) -> std::result::Result<MuxedDocument, DocumentError> {
        let mut ids = Vec::new();
        let mut spans = Vec::with_capacity(parts.len());
        for (index, part) in parts.iter().enumerate() {
            let (segment, mut span) = self.segment(index, part)?;
            let start = ids.len();
            let muxed = mux(&self.layout, std::slice::from_ref(&segment))
                .map_err(|e| unencodable(index, e.into()))?;
            ids.extend(muxed);
            span.start = start as u64;
            span.end = ids.len() as u64;
            spans.push(span);
        }
        Ok(MuxedDocument { ids, spans })
    }

    /// Part `index` as a segment, with its span's kind and media measures (positions unset).
    fn segment(
        &self,
        index: usize,
        part: &Part,
    ) -> std::result::Result<(Segment, Span), DocumentError> {
        let failed = |e: CorpusError| unencodable(index, e);
        let missing = |component| DocumentError::MissingComponent {
            index,
            kind: part.kind(),
            component,
        };
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
                let tokenizer = self
                    .components
                    .tokenizer
                    .as_ref()
                    .ok_or_else(|| missing("tokenizer"))?;
                let ids = tokenizer
                    .encode_with_policy(text, &self.policy)
                    .map_err(|source| {
                        failed(CorpusError::Tokenizer {
                            context: "text".into(),
                            source,
                        })
                    })?;
                let span = Span {
                    bytes: Some(text.len() as u64),
                    ..span(Modality::Text)
                };
                (Segment::Text(ids), span)
            }
            Part::Ids(ids) => (Segment::Text(ids.clone()), span(Modality::Text)),
            // A turn's marker counts as text: the structure of the conversation it holds.
            Part::Turn(marker) => (Segment::Turn(*marker), span(Modality::Text)),
            Part::Audio(source) => {
                let codec = self
                    .components
                    .codec
                    .as_ref()
                    .ok_or_else(|| missing("codec"))?;
                let loaded;
                let audio = match source {
                    Source::Given(audio) => audio,
                    Source::File(path) => {
                        loaded = omnitok_audio::decode::load(path, &AudioLimits::default())
                            .map_err(|e| failed(e.into()))?;
                        &loaded
                    }
                };
                let codes = audio_codes(&self.layout, codec, audio).map_err(failed)?;
                let span = Span {
                    seconds: Some(audio.seconds()),
                    ..span(Modality::Audio)
                };
                (Segment::Audio(codes), span)
            }
            Part::AudioCodes(source) => {
                let codes: AudioCodes = given_or_read(index, source)?;
                let seconds = self.components.codec.as_ref().map(|codec| {
                    // SNAC's frames are those of its coarsest level.
                    let hops = codec.level_strides().map_or(1, |strides| strides[0]);
                    (codes.frames * hops) as f64 / codec.frame_rate()
                });
                let span = Span {
                    seconds,
                    ..span(Modality::Audio)
                };
                (Segment::Audio(codes), span)
            }
            Part::Image(source) => {
                let quantizer = self
                    .image_quantizer()
                    .ok_or_else(|| missing("image quantizer"))?;
                let grid = match source {
                    Source::Given(image) => quantize(quantizer, image),
                    Source::File(path) => {
                        let frames = load_frames(path).map_err(failed)?;
                        match &frames.frames[..] {
                            [image] => quantize(quantizer, image),
                            frames => Err(CorpusError::BadInput {
                                path: path.display().to_string(),
                                line: 0,
                                message: format!(
                                    "{} frames; give an animation as a video part",
                                    frames.len()
                                ),
                            }),
                        }
                    }
                }
                .map_err(failed)?;
                (Segment::Image(grid), span(Modality::Image))
            }
            Part::ImageCodes(source) => {
                let grid: ImageCodes = given_or_read(index, source)?;
                (Segment::Image(grid), span(Modality::Image))
            }
            Part::Video(source) => {
                let quantizer = self
                    .image_quantizer()
                    .ok_or_else(|| missing("image quantizer"))?;
                // Frames read from a file are sampled in place; given ones are copied only
                // when a sampling other than all of them picks from them.
                let frames = match source {
                    Source::Given(frames) => std::borrow::Cow::Borrowed(frames),
                    Source::File(path) => {
                        std::borrow::Cow::Owned(load_frames(path).map_err(failed)?)
                    }
                };
                let seconds = frames.fps.map(|fps| frames.frames.len() as f64 / fps);
                let sampled = match (frames, self.video_sampling) {
                    (frames, Sampling::All) => frames,
                    (frames, sampling) => std::borrow::Cow::Owned(
                        sample_frames(frames.into_owned(), sampling)
                            .map_err(|e| failed(e.into()))?,
                    ),
                };
                let grids = sampled
                    .frames
                    .iter()
                    .map(|frame| quantize(quantizer, frame))
                    .collect::<Result<Vec<_>>>()
                    .map_err(failed)?;
                let span = Span {
                    seconds,
                    frames: Some(grids.len() as u64),
                    ..span(Modality::Video)
                };
                (Segment::Video(grids), span)
            }
            Part::VideoCodes(source) => {
                let grids: Vec<ImageCodes> = given_or_read(index, source)?;
                let span = Span {
                    frames: Some(grids.len() as u64),
                    ..span(Modality::Video)
                };
                (Segment::Video(grids), span)
            }
        })
    }

    fn image_quantizer(&self) -> Option<&ImageQuantizer> {
        self.components.image_quantizer.as_ref()
    }
}

fn unencodable(index: usize, source: CorpusError) -> DocumentError {
    DocumentError::Unencodable {
        index,
        source: Box::new(source),
    }
}

/// The codes of part `index`: those given, or those of its `.npy` file.
fn given_or_read<T: Codes + Clone>(
    index: usize,
    source: &Source<T>,
) -> std::result::Result<T, DocumentError> {
    let path = match source {
        Source::Given(codes) => return Ok(codes.clone()),
        Source::File(path) => path,
    };
    let bad_part = |e: super::parts::ShapeError| DocumentError::BadPart {
        index,
        message: format!("{}: {e}", path.display()),
    };
    if path.extension().is_some_and(|e| e == "npz") {
        let arrays = crate::npz::read_u32_file(path).map_err(|e| unencodable(index, e))?;
        return T::of_levels(arrays).map_err(bad_part);
    }
    let (shape, values) = npy::read_u32_file(path).map_err(|e| unencodable(index, e))?;
    T::of_shape(&shape, values).map_err(bad_part)
}

fn load_frames(path: &Path) -> Result<Frames> {
    Ok(omnitok_vision::decode::load(path, &ImageLimits::default())?)
}

/// The code grid of one picture.
fn quantize(quantizer: &ImageQuantizer, image: &RgbImage) -> Result<ImageCodes> {
    let CodeGrid {
        indices,
        grid_h,
        grid_w,
    } = quantizer.encode(image)?;
    Ok(ImageCodes {
        height: grid_h,
        width: grid_w,
        codes: indices,
    })
}

/// The codes of `audio` (any rate and channels) by `codec` (the layout's), at the layout's
/// codebooks: the codec's largest bandwidth, less its last codebooks when the layout keeps fewer
/// (residual quantisation: the first codebooks are the encoding at a lower bandwidth).
pub fn audio_codes(
    layout: &VocabLayout,
    codec: &Codec,
    audio: &omnitok_audio::decode::Audio,
) -> Result<AudioCodes> {
    let unusable = |message: String| CorpusError::BadParameter(message);
    let codebooks = layout
        .audio()
        .ok_or_else(|| unusable("the layout has no audio component".into()))?
        .codebooks;
    if let Some(rates) = codec.level_rates() {
        let levels = codec.encode_levels(codec.model_input(audio)?.view())?;
        let frames = levels.first().map_or(0, |level| level.len());
        let codes = levels
            .iter()
            .flatten()
            .map(|&c| u32::try_from(c).map_err(|_| unusable(format!("codec code {c}"))))
            .collect::<Result<Vec<_>>>()?;
        return Ok(AudioCodes::with_rates(rates, frames, codes)?);
    }
    let largest = codec.largest_bandwidth();
    let encoded = codec.encode_audio(audio, largest)?;
    let (chunks, available, frames) = encoded.codes.dim();
    if chunks != 1 {
        return Err(unusable(
            "the codec encodes in chunks (with scales), which documents do not hold".into(),
        ));
    }
    if available < codebooks {
        return Err(unusable(format!(
            "the codec gives {available} codebooks; the layout has {codebooks}"
        )));
    }
    let codes = encoded
        .codes
        .slice(ndarray::s![0, ..codebooks, ..])
        .iter()
        .map(|&c| u32::try_from(c).map_err(|_| unusable(format!("codec code {c}"))))
        .collect::<Result<Vec<_>>>()?;
    Ok(AudioCodes::new(codebooks, frames, codes)?)
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
            Source::File(path)
        };
        let read = |source| given_or_read::<ImageCodes>(3, &source);
        let expected = ImageCodes {
            height: 2,
            width: 3,
            codes: (0..6).collect(),
        };
        for source in [write("grid.npy", &[2, 3]), write("still.npy", &[1, 2, 3])] {
            assert_eq!(read(source).unwrap_or_else(|e| panic!("{e}")), expected);
        }
        let error = read(write("two.npy", &[2, 2, 3])).expect_err("two frames");
        let message = error.to_string();
        assert!(message.starts_with("part 3: "), "{message}");
        assert!(
            message.contains("[height, width] or [1, height, width]"),
            "{message}"
        );
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }
}
