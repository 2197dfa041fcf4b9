//! Muxed IDs back to documents as files: `documents.jsonl` (one line per document, in the
//! format [`super::parts`] reads, so that muxing it again gives the same IDs) and, per
//! document, a folder `doc-NNNNNN` with its codes (`.npy`), audio (`.wav`, when the codec is at
//! hand) and pictures (`.png`, when the image quantizer is a codebook).

use std::path::Path;

use ndarray::{Array2, Array3};
use omnitok_audio::codec::Codes;
use omnitok_tokenizer::{SpecialPolicy, TokenId, Tokenizer};
use omnitok_vision::codebook::CodeGrid;
use omnitok_vision::image_codes::ImageQuantizer;
use omnitok_vision::RgbImage;
use omnitok_vocab::layout::VocabLayout;
use omnitok_vocab::{demux_truncated, AudioCodes, ImageCodes, Marker, Segment, Truncated};
use serde_json::{json, Value};

use super::components::Components;
use super::parts::turn_name;
use crate::error::{CorpusError, Result};
use crate::{files, npy, tokenize};

/// The documents of `input`: an output directory of a mux or tokenize run (one muxed with
/// another layout is refused), or a `.npy` of one document's IDs.
pub fn read_id_documents(input: &Path, layout: &VocabLayout) -> Result<Vec<Vec<TokenId>>> {
    let bad = |message: String| CorpusError::BadInput {
        path: input.display().to_string(),
        line: 0,
        message,
    };
    if input.is_dir() {
        let run = tokenize::read_run(input)?;
        if let Some(recorded) = &run.manifest.layout {
            if recorded.checksum != layout.checksum() {
                return Err(bad(format!(
                    "muxed with layout {} (checksum {}), not this one ({})",
                    recorded.name,
                    recorded.checksum,
                    layout.checksum()
                )));
            }
        }
        return run.documents();
    }
    let (shape, ids) = npy::read_u32_file(input)?;
    if shape.len() != 1 {
        return Err(bad(format!(
            "IDs of shape {shape:?}; one document is one dimension"
        )));
    }
    Ok(vec![ids])
}

/// A segment of muxed IDs, with what the components decode it to.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodedSegment {
    /// Text as its parts (see [`text_parts`]).
    Text(Vec<TextPart>),
    /// Audio codes, and the sound the codec decodes them to (`[channels, samples]` at the
    /// codec's rate) when the codec is at hand.
    Audio {
        codes: AudioCodes,
        sound: Option<Array2<f32>>,
    },
    /// Image codes, and the picture (whole patches: the grid's size) when the image quantizer
    /// decodes (a codebook).
    Image {
        codes: ImageCodes,
        picture: Option<RgbImage>,
    },
    /// Video codes, and each frame's picture, as for images.
    Video {
        codes: Vec<ImageCodes>,
        pictures: Option<Vec<RgbImage>>,
    },
    /// A chat turn's marker.
    Turn(Marker),
}

/// A part of a text segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextPart {
    /// A run of ordinary tokens whose string encodes back to the same IDs.
    Text(String),
    /// A run of special tokens, or of ordinary tokens whose string would not encode back to them
    /// (text cut inside a character).
    Ids(Vec<TokenId>),
}

/// The segments of one document's `ids`, each decoded as far as `components` allow: text
/// needs the tokenizer, sound the codec, pictures a codebook. A stream that breaks the layout's
/// rules is an error naming the position, except a last media segment cut off, which
/// `truncated` may drop or keep up to its last whole unit (see [`demux_truncated`]).
pub fn decode_document(
    ids: &[TokenId],
    layout: &VocabLayout,
    components: &Components,
    truncated: Truncated,
) -> Result<Vec<DecodedSegment>> {
    demux_truncated(layout, ids, truncated)?
        .0
        .into_iter()
        .map(|segment| decode_segment(segment, components))
        .collect()
}

fn decode_segment(segment: Segment, components: &Components) -> Result<DecodedSegment> {
    Ok(match segment {
        Segment::Text(ids) => {
            let tokenizer = components.tokenizer.as_ref().ok_or_else(|| {
                CorpusError::BadParameter("text needs the layout's tokenizer".into())
            })?;
            DecodedSegment::Text(text_parts(&ids, tokenizer))
        }
        Segment::Audio(codes) => {
            let sound = match &components.codec {
                Some(codec) if !codes.is_one_rate() => {
                    let levels: Vec<ndarray::Array1<i64>> = (0..codes.codebooks)
                        .map(|k| codes.codebook(k).iter().map(|&c| i64::from(c)).collect())
                        .collect();
                    let views: Vec<_> = levels.iter().map(|l| l.view()).collect();
                    Some(codec.decode_levels(&views)?)
                }
                Some(codec) => {
                    let array =
                        Array3::from_shape_fn((1, codes.codebooks, codes.frames), |(_, k, t)| {
                            i64::from(codes.get(k, t))
                        });
                    Some(codec.decode(&Codes {
                        codes: array,
                        scales: Vec::new(),
                        last_frame_pad_length: 0,
                        samples: usize::MAX,
                    })?)
                }
                None => None,
            };
            DecodedSegment::Audio { codes, sound }
        }
        Segment::Image(codes) => {
            let picture = picture(&codes, components)?;
            DecodedSegment::Image { codes, picture }
        }
        Segment::Video(codes) => {
            let pictures = codes
                .iter()
                .map(|frame| picture(frame, components))
                .collect::<Result<Option<Vec<_>>>>()?;
            DecodedSegment::Video { codes, pictures }
        }
        Segment::Turn(marker) => DecodedSegment::Turn(marker),
    })
}

/// The picture of `grid` when the image quantizer decodes (a codebook).
fn picture(grid: &ImageCodes, components: &Components) -> Result<Option<RgbImage>> {
    let Some(quantizer @ ImageQuantizer::Codebook(_)) = &components.image_quantizer else {
        return Ok(None);
    };
    let patch = quantizer.patch_size();
    let codes = CodeGrid {
        indices: grid.codes.clone(),
        grid_h: grid.height,
        grid_w: grid.width,
    };
    Ok(Some(quantizer.decode(
        &codes,
        grid.width * patch,
        grid.height * patch,
    )?))
}

/// Writes `documents` (read from `input`) into the directory `out` (created; it must be new or
/// empty) as files; returns how many documents were written. A document that breaks the
/// layout's rules is an error naming it and the position.
pub fn write_documents(
    input: &Path,
    documents: &[Vec<TokenId>],
    layout: &VocabLayout,
    components: &Components,
    out: &Path,
) -> Result<usize> {
    components.check(layout)?;
    let out_error = |e| CorpusError::io(out.display(), e);
    std::fs::create_dir_all(out).map_err(out_error)?;
    if std::fs::read_dir(out).map_err(out_error)?.next().is_some() {
        return Err(CorpusError::OutputDir {
            path: out.display().to_string(),
            message: "is not empty; choose an empty or new directory".into(),
        });
    }
    let sample_rate = components
        .codec
        .as_ref()
        .map_or(0, |codec| codec.sampling_rate());
    let mut lines = String::new();
    for (number, ids) in documents.iter().enumerate() {
        let in_document = |message: String| CorpusError::BadInput {
            path: input.display().to_string(),
            line: 0,
            message: format!("document {number}: {message}"),
        };
        let stem = format!("doc-{number:06}");
        let segments = match decode_document(ids, layout, components, Truncated::Error) {
            Ok(segments) => segments,
            Err(CorpusError::Vocab(e)) => return Err(in_document(e.to_string())),
            Err(other) => return Err(other),
        };
        let mut parts = Vec::with_capacity(segments.len());
        for (k, segment) in segments.iter().enumerate() {
            let name = format!("{stem}/part-{k:02}");
            parts.extend(write_part(out, &name, segment, sample_rate)?);
        }
        let line = serde_json::to_string(&json!({ "parts": parts }))
            .map_err(|e| in_document(e.to_string()))?;
        lines += &line;
        lines.push('\n');
    }
    files::write_atomically(&out.join("documents.jsonl"), lines.as_bytes())?;
    Ok(documents.len())
}

/// A text segment's parts: each run of ordinary tokens as a string when it encodes back to the
/// same IDs, else (and each run of special tokens) as IDs.
pub fn text_parts(ids: &[TokenId], tokenizer: &Tokenizer) -> Vec<TextPart> {
    let special = |id: &TokenId| {
        tokenizer
            .special_tokens()
            .entries()
            .iter()
            .any(|(_, s)| s == id)
    };
    let mut parts = Vec::new();
    let mut rest = ids;
    while let Some(first) = rest.first() {
        let is_special = special(first);
        let run = rest
            .iter()
            .take_while(|id| special(id) == is_special)
            .count();
        let (ids, next) = rest.split_at(run);
        rest = next;
        let text = (!is_special)
            .then(|| tokenizer.decode(ids).ok())
            .flatten()
            .filter(|text| {
                tokenizer
                    .encode_with_policy(text, &SpecialPolicy::as_text())
                    .is_ok_and(|again| again == ids)
            });
        parts.push(match text {
            Some(text) => TextPart::Text(text),
            None => TextPart::Ids(ids.to_vec()),
        });
    }
    parts
}

/// Writes one segment's files under `out/name*` and returns its parts for documents.jsonl.
fn write_part(
    out: &Path,
    name: &str,
    segment: &DecodedSegment,
    sample_rate: u32,
) -> Result<Vec<Value>> {
    let codes_file = format!("{name}.npy");
    let save_file = |file: &str, bytes: &[u8]| -> Result<()> {
        let path = out.join(file);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CorpusError::io(dir.display(), e))?;
        }
        files::write_atomically(&path, bytes)
    };
    let save_codes =
        |shape: &[u64], codes: &[u32]| save_file(&codes_file, &npy::to_bytes(shape, codes));
    let save_picture = |file: String, picture: &RgbImage| {
        files::write_atomically(&out.join(file), &picture.to_png()?)
    };
    Ok(vec![match segment {
        DecodedSegment::Text(parts) => {
            return Ok(parts
                .iter()
                .map(|part| match part {
                    TextPart::Text(text) => json!({ "text": text }),
                    TextPart::Ids(ids) => json!({ "ids": ids }),
                })
                .collect())
        }
        DecodedSegment::Audio { codes, sound } => {
            let file = if codes.is_one_rate() {
                save_codes(&[codes.codebooks as u64, codes.frames as u64], &codes.codes)?;
                codes_file
            } else {
                // Levels at several rates: `.npz`, level_0 ... as `omnitok audio encode` writes.
                let levels_file = format!("{name}.npz");
                let levels: Vec<&[u32]> = (0..codes.codebooks).map(|k| codes.codebook(k)).collect();
                let bytes =
                    crate::npz::levels_to_bytes(&levels).map_err(|e| CorpusError::BadInput {
                        path: levels_file.clone(),
                        line: 0,
                        message: e.to_string(),
                    })?;
                save_file(&levels_file, &bytes)?;
                levels_file
            };
            if let Some(sound) = sound {
                let wav = omnitok_audio::wav::to_bytes(sound, sample_rate)?;
                files::write_atomically(&out.join(format!("{name}.wav")), &wav)?;
            }
            json!({ "audio_codes": file })
        }
        DecodedSegment::Image { codes, picture } => {
            save_codes(&[codes.height as u64, codes.width as u64], &codes.codes)?;
            if let Some(picture) = picture {
                save_picture(format!("{name}.png"), picture)?;
            }
            json!({ "image_codes": codes_file })
        }
        DecodedSegment::Video { codes, pictures } => {
            let (h, w) = codes.first().map_or((0, 0), |f| (f.height, f.width));
            let values: Vec<u32> = codes.iter().flat_map(|f| f.codes.iter().copied()).collect();
            save_codes(&[codes.len() as u64, h as u64, w as u64], &values)?;
            for (t, picture) in pictures.iter().flatten().enumerate() {
                save_picture(format!("{name}-frame-{t:04}.png"), picture)?;
            }
            json!({ "video_codes": codes_file })
        }
        DecodedSegment::Turn(marker) => json!({ "turn": turn_name(*marker) }),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_kept_as_text_only_where_it_encodes_back_to_the_same_ids() {
        let tokenizer = omnitok_tokenizer::get_encoding("cl100k_base").unwrap();
        let eot = tokenizer.special_tokens().id("<|endoftext|>").unwrap();
        let mut ids = tokenizer.encode("héllo").unwrap();
        ids.push(eot);
        assert_eq!(
            text_parts(&ids, &tokenizer),
            [TextPart::Text("héllo".into()), TextPart::Ids(vec![eot])]
        );
        // "é" is two bytes; its first byte alone is not text.
        let first_byte = [tokenizer.encode_single_token(&[0xc3]).unwrap()];
        assert_eq!(
            text_parts(&first_byte, &tokenizer),
            [TextPart::Ids(first_byte.to_vec())]
        );
    }
}
