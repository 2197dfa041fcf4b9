//! Documents of typed segments as one stream of IDs ([`mux`]) and back ([`demux`]), exact
//! inverses on codes.
//!
//! - Text: its IDs as they are; each must be a text token of the layout (an ordinary rank or
//!   one of the text's specials), so that no text can stand for a marker or a code.
//! - Audio: `<|audio_start|>`, the codes flattened by the layout's scheme, `<|audio_end|>`.
//! - Image: `<|image_start|>`, each row of codes followed by `<|row|>`, `<|image_end|>`.
//! - Video: `<|video_start|>`, each frame as an image's rows (each followed by `<|row|>`) and
//!   then `<|frame|>`, `<|video_end|>`.
//! - Turn: a chat turn's marker on its own (`<|user|>`, ..., `<|turn_end|>`), in layouts with
//!   chat turns.
//!
//! [`demux`] of a stream that breaks these rules (an unclosed segment, a code outside its
//! segment's range, rows of unequal length, a truncated audio frame, an ID no range holds) is an
//! error that names the position of the offending ID.

use crate::flatten::AudioCodes;
use crate::layout::{Marker, VocabLayout};
use crate::{TokenId, VocabError};

/// A grid of image codes, row after row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageCodes {
    pub height: usize,
    pub width: usize,
    pub codes: Vec<u32>,
}

/// One part of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text, as token IDs of the layout's tokenizer.
    Text(Vec<TokenId>),
    Audio(AudioCodes),
    Image(ImageCodes),
    /// Frames of one size.
    Video(Vec<ImageCodes>),
    /// A chat turn's marker (one of [`Marker::TURNS`]).
    Turn(Marker),
}

/// The IDs of `segments`, one after another.
pub fn mux(layout: &VocabLayout, segments: &[Segment]) -> Result<Vec<TokenId>, VocabError> {
    let mut out = Vec::new();
    for (index, segment) in segments.iter().enumerate() {
        let at = |e: VocabError| VocabError::BadParameter(format!("segment {index}: {e}"));
        match segment {
            Segment::Text(ids) => {
                if let Some(position) = ids.iter().position(|&id| !layout.is_text(id)) {
                    return Err(at(VocabError::BadParameter(format!(
                        "ID {} at position {position} of the text is not a text token",
                        ids[position]
                    ))));
                }
                out.extend_from_slice(ids);
            }
            Segment::Audio(codes) => {
                let ids = layout.codebook_ids().ok_or_else(|| at(no("audio")))?;
                let flatten = layout
                    .audio()
                    .map(|a| a.flatten)
                    .ok_or_else(|| at(no("audio")))?;
                out.push(marker(layout, Marker::AudioStart)?);
                flatten.flatten(codes, &ids, &mut out).map_err(at)?;
                out.push(marker(layout, Marker::AudioEnd)?);
            }
            Segment::Image(grid) => {
                out.push(marker(layout, Marker::ImageStart)?);
                push_grid(layout, grid, &mut out).map_err(at)?;
                out.push(marker(layout, Marker::ImageEnd)?);
            }
            Segment::Video(frames) => {
                if let Some(other) = frames
                    .iter()
                    .find(|f| (f.height, f.width) != (frames[0].height, frames[0].width))
                {
                    return Err(at(VocabError::BadParameter(format!(
                        "frames of {}x{} and {}x{} codes in one video",
                        frames[0].height, frames[0].width, other.height, other.width
                    ))));
                }
                out.push(marker(layout, Marker::VideoStart)?);
                for frame in frames {
                    push_grid(layout, frame, &mut out).map_err(at)?;
                    out.push(marker(layout, Marker::Frame)?);
                }
                out.push(marker(layout, Marker::VideoEnd)?);
            }
            Segment::Turn(turn) => {
                if !turn.is_turn() {
                    return Err(at(VocabError::BadParameter(format!(
                        "{} is not a marker of chat turns; the media segments emit their own",
                        turn.name()
                    ))));
                }
                out.push(marker(layout, *turn).map_err(at)?);
            }
        }
    }
    Ok(out)
}

fn no(component: &str) -> VocabError {
    VocabError::BadParameter(format!("the layout has no {component} component"))
}

fn marker(layout: &VocabLayout, marker: Marker) -> Result<TokenId, VocabError> {
    layout.marker(marker).ok_or_else(|| {
        let hint = if marker.is_turn() {
            " (a layout built with chat turns has it)"
        } else {
            ""
        };
        VocabError::BadParameter(format!("the layout has no {} marker{hint}", marker.name()))
    })
}

fn push_grid(
    layout: &VocabLayout,
    grid: &ImageCodes,
    out: &mut Vec<TokenId>,
) -> Result<(), VocabError> {
    let image = layout.image().ok_or_else(|| no("image"))?;
    if grid.codes.len() != grid.height * grid.width || grid.width == 0 {
        return Err(VocabError::BadParameter(format!(
            "{} codes do not fill a {}x{} grid of at least one column",
            grid.codes.len(),
            grid.height,
            grid.width
        )));
    }
    let row = marker(layout, Marker::Row)?;
    for codes in grid.codes.chunks_exact(grid.width) {
        for &code in codes {
            if code >= image.size {
                return Err(VocabError::BadParameter(format!(
                    "image code {code} is outside the {} codes",
                    image.size
                )));
            }
            out.push(image.offset + code);
        }
        out.push(row);
    }
    Ok(())
}

/// The segments of `ids`.
pub fn demux(layout: &VocabLayout, ids: &[TokenId]) -> Result<Vec<Segment>, VocabError> {
    let mut segments = Vec::new();
    let mut text = Vec::new();
    let mut position = 0;
    while position < ids.len() {
        let id = ids[position];
        if layout.is_text(id) {
            text.push(id);
            position += 1;
            continue;
        }
        if !text.is_empty() {
            segments.push(Segment::Text(std::mem::take(&mut text)));
        }
        let (segment, end) = match layout.marker_of(id) {
            Some(Marker::AudioStart) => demux_audio(layout, ids, position)?,
            Some(Marker::ImageStart) => {
                let (grid, end) = demux_grid(layout, ids, position + 1, Marker::ImageEnd)?;
                (Segment::Image(grid), end)
            }
            Some(Marker::VideoStart) => demux_video(layout, ids, position)?,
            Some(turn) if turn.is_turn() => (Segment::Turn(turn), position + 1),
            _ => {
                return Err(stream(
                    position,
                    format!(
                        "ID {id} {} outside a segment that holds it",
                        describe(layout, id)
                    ),
                ))
            }
        };
        segments.push(segment);
        position = end;
    }
    if !text.is_empty() {
        segments.push(Segment::Text(text));
    }
    Ok(segments)
}

/// What [`demux_truncated`] does with a stream whose last media segment is cut off (model
/// output that stopped inside an image, a video or audio).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truncated {
    /// An error, as [`demux`] gives.
    Error,
    /// The cut segment is left out.
    Drop,
    /// The cut segment is kept up to its last whole unit (an image's last whole row, a video's
    /// last whole frame, audio's last whole frame of codes), or left out if it has none.
    Keep,
}

/// The media segment a stream ended inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CutSegment {
    /// Where it is (or would be) among the segments.
    pub index: usize,
    /// Whether a whole part of it was kept.
    pub kept: bool,
}

/// The segments of `ids`, where the stream may end inside its last media segment, and that
/// segment when one was cut. Everything before the cut segment must follow the layout's rules.
pub fn demux_truncated(
    layout: &VocabLayout,
    ids: &[TokenId],
    truncated: Truncated,
) -> Result<(Vec<Segment>, Option<CutSegment>), VocabError> {
    let error = match demux(layout, ids) {
        Ok(segments) => return Ok((segments, None)),
        Err(error) => error,
    };
    let Some((start, end_marker)) = unclosed_segment(layout, ids) else {
        return Err(error);
    };
    if truncated == Truncated::Error {
        return Err(error);
    }
    let mut segments = demux(layout, &ids[..start])?;
    let index = segments.len();
    if truncated == Truncated::Keep {
        // The longest whole prefix: the cut moves back until the segment closes cleanly.
        let mut candidate = Vec::with_capacity(ids.len() - start + 1);
        for cut in (start + 1..=ids.len()).rev().take(MAX_CUT_TRIES) {
            candidate.clear();
            candidate.extend_from_slice(&ids[start..cut]);
            candidate.push(end_marker);
            if let Ok(mut closed) = demux(layout, &candidate) {
                if closed.len() == 1 && !is_empty_media(&closed[0]) {
                    segments.append(&mut closed);
                    return Ok((segments, Some(CutSegment { index, kept: true })));
                }
            }
        }
    }
    Ok((segments, Some(CutSegment { index, kept: false })))
}

/// How far back [`Truncated::Keep`] looks for a whole unit (a row of codes and its marker, a
/// frame of audio codes): beyond this, the cut segment is left out.
const MAX_CUT_TRIES: usize = 1 << 14;

/// The markers that open and close media segments (rows, frames and pads lie inside them).
const SEGMENT_MARKERS: [(Marker, Marker); 3] = [
    (Marker::AudioStart, Marker::AudioEnd),
    (Marker::ImageStart, Marker::ImageEnd),
    (Marker::VideoStart, Marker::VideoEnd),
];

/// Where the last media segment starts and the marker that would close it, when the stream
/// ends before that marker.
fn unclosed_segment(layout: &VocabLayout, ids: &[TokenId]) -> Option<(usize, TokenId)> {
    let (position, last) = ids.iter().enumerate().rev().find_map(|(position, &id)| {
        let marker = layout.marker_of(id)?;
        SEGMENT_MARKERS
            .iter()
            .any(|&(open, close)| marker == open || marker == close)
            .then_some((position, marker))
    })?;
    // `None` when the last one closes its segment: nothing is cut.
    let &(_, close) = SEGMENT_MARKERS.iter().find(|&&(open, _)| open == last)?;
    Some((position, layout.marker(close)?))
}

/// Whether a segment holds no codes (a kept segment must hold at least one unit).
fn is_empty_media(segment: &Segment) -> bool {
    match segment {
        Segment::Audio(codes) => codes.frames == 0,
        Segment::Image(grid) => grid.codes.is_empty(),
        Segment::Video(frames) => frames.is_empty(),
        Segment::Text(_) | Segment::Turn(_) => false,
    }
}

fn stream(position: usize, message: String) -> VocabError {
    VocabError::BadStream { position, message }
}

/// What an ID is, for error messages.
fn describe(layout: &VocabLayout, id: TokenId) -> String {
    if let Some(marker) = layout.marker_of(id) {
        return format!("(the marker {marker:?})");
    }
    match layout.ranges().iter().find(|r| r.contains(id)) {
        Some(range) => format!("(in range {:?})", range.name),
        None => "(in no range of the layout)".to_owned(),
    }
}

/// The audio segment opened at `start`, and the position after its end marker.
fn demux_audio(
    layout: &VocabLayout,
    ids: &[TokenId],
    start: usize,
) -> Result<(Segment, usize), VocabError> {
    let end_marker = marker(layout, Marker::AudioEnd)?;
    let (Some(codebooks), Some(audio)) = (layout.codebook_ids(), layout.audio()) else {
        return Err(stream(
            start,
            "an audio segment in a layout without audio".into(),
        ));
    };
    let end = ids[start + 1..]
        .iter()
        .position(|&id| id == end_marker)
        .map(|offset| start + 1 + offset)
        .ok_or_else(|| {
            stream(
                start,
                "the audio segment opened here is never closed".into(),
            )
        })?;
    let codes = audio
        .flatten
        .unflatten(&ids[start + 1..end], &codebooks, start + 1)?;
    Ok((Segment::Audio(codes), end + 1))
}

/// A grid of rows starting at `start`, ended by `end_marker` (image) or by a frame marker
/// (video frames); returns the grid and the position after the ending marker.
fn demux_grid(
    layout: &VocabLayout,
    ids: &[TokenId],
    start: usize,
    end_marker: Marker,
) -> Result<(ImageCodes, usize), VocabError> {
    let Some(image) = layout.image() else {
        return Err(stream(
            start.saturating_sub(1),
            "an image in a layout without image codes".into(),
        ));
    };
    let (mut codes, mut height, mut width, mut in_row) = (Vec::new(), 0, None, 0usize);
    for (position, &id) in ids.iter().enumerate().skip(start) {
        if id >= image.offset && id - image.offset < image.size {
            codes.push(id - image.offset);
            in_row += 1;
            continue;
        }
        match layout.marker_of(id) {
            Some(Marker::Row) => {
                if *width.get_or_insert(in_row) != in_row || in_row == 0 {
                    return Err(stream(
                        position,
                        format!(
                            "a row of {in_row} codes where the rows before have {}",
                            width.unwrap_or(0)
                        ),
                    ));
                }
                height += 1;
                in_row = 0;
            }
            Some(m) if m == end_marker => {
                if in_row != 0 {
                    return Err(stream(
                        position,
                        format!("{in_row} codes after the last row marker"),
                    ));
                }
                let Some(width) = width else {
                    return Err(stream(position, "an image without rows".into()));
                };
                return Ok((
                    ImageCodes {
                        height,
                        width,
                        codes,
                    },
                    position + 1,
                ));
            }
            _ => {
                return Err(stream(
                    position,
                    format!(
                        "ID {id} {} inside an image, where image codes and row markers belong",
                        describe(layout, id)
                    ),
                ))
            }
        }
    }
    Err(stream(
        start.saturating_sub(1),
        "the image opened here is never closed".into(),
    ))
}

fn demux_video(
    layout: &VocabLayout,
    ids: &[TokenId],
    start: usize,
) -> Result<(Segment, usize), VocabError> {
    let end_marker = marker(layout, Marker::VideoEnd)?;
    let mut frames: Vec<ImageCodes> = Vec::new();
    let mut position = start + 1;
    loop {
        match ids.get(position) {
            None => {
                return Err(stream(
                    start,
                    "the video opened here is never closed".into(),
                ))
            }
            Some(&id) if id == end_marker => return Ok((Segment::Video(frames), position + 1)),
            Some(_) => {
                let (frame, next) = demux_grid(layout, ids, position, Marker::Frame)?;
                if let Some(first) = frames.first() {
                    if (first.height, first.width) != (frame.height, frame.width) {
                        return Err(stream(
                            position,
                            format!(
                                "a frame of {}x{} codes after frames of {}x{}",
                                frame.height, frame.width, first.height, first.width
                            ),
                        ));
                    }
                }
                frames.push(frame);
                position = next;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flatten::Flatten;

    fn layout(flatten: Flatten) -> VocabLayout {
        VocabLayout::builder()
            .text("toy", "t", 50, vec![("<|eot|>".into(), 50)])
            .audio("codec", "a", 2, 8, flatten)
            .image("fsq:4,4", "i", 16)
            .build()
            .expect("layout")
    }

    fn document() -> Vec<Segment> {
        vec![
            Segment::Text(vec![1, 2, 50]),
            Segment::Audio(AudioCodes::new(2, 3, vec![0, 1, 2, 7, 6, 5]).expect("sized")),
            Segment::Text(vec![3]),
            Segment::Image(ImageCodes {
                height: 2,
                width: 3,
                codes: vec![0, 1, 2, 13, 14, 15],
            }),
            Segment::Video(vec![
                ImageCodes {
                    height: 1,
                    width: 2,
                    codes: vec![4, 5],
                },
                ImageCodes {
                    height: 1,
                    width: 2,
                    codes: vec![6, 7],
                },
            ]),
        ]
    }

    #[test]
    fn demux_inverts_mux_for_every_scheme() {
        for flatten in [Flatten::Interleave, Flatten::Sequential, Flatten::Delay] {
            let layout = layout(flatten);
            let ids = mux(&layout, &document()).expect("muxed");
            assert_eq!(
                demux(&layout, &ids).expect("demuxed"),
                document(),
                "{flatten:?}"
            );
        }
    }

    #[test]
    fn text_cannot_hold_markers_or_codes() {
        let layout = layout(Flatten::Interleave);
        for id in layout
            .markers()
            .iter()
            .map(|m| m.id)
            .chain([layout.image().map_or(0, |i| i.offset)])
        {
            let error = mux(&layout, &[Segment::Text(vec![1, id])]).unwrap_err();
            assert!(
                error.to_string().contains("position 1 of the text"),
                "{error}"
            );
        }
    }

    #[test]
    fn corrupt_streams_name_the_position() {
        let layout = layout(Flatten::Interleave);
        let ids = mux(&layout, &document()).expect("muxed");
        let expect = |ids: &[TokenId], position: usize, words: &str| {
            let error = demux(&layout, ids).unwrap_err();
            assert!(
                matches!(&error, VocabError::BadStream { position: p, .. } if *p == position),
                "{error}"
            );
            assert!(error.to_string().contains(words), "{error}");
        };
        // The audio segment starts at 3: cut before its end marker.
        expect(&ids[..9], 3, "never closed");
        // A truncated audio frame: drop one code.
        let mut short = ids.clone();
        short.remove(5);
        expect(&short, 8, "inside a frame");
        // A code of codebook 1 where codebook 0 belongs (position 4).
        let mut swapped = ids.clone();
        swapped[4] = swapped[5];
        expect(&swapped, 4, "codebook 0");
        // An image code in text, an end marker alone.
        let image_code = layout.image().map_or(0, |i| i.offset);
        expect(&[1, image_code], 1, "outside a segment");
        let end = layout.marker(Marker::ImageEnd).unwrap_or(0);
        expect(&[end], 0, "ImageEnd");
        // Rows of unequal length.
        let start = layout.marker(Marker::ImageStart).unwrap_or(0);
        let row = layout.marker(Marker::Row).unwrap_or(0);
        expect(
            &[start, image_code, image_code, row, image_code, row, end],
            5,
            "rows before have 2",
        );
        expect(&[start, image_code, row], 0, "never closed");
        expect(&[start, end], 1, "an image without rows");
        expect(&[start, image_code, 1, row, end], 2, "inside an image");
        // IDs past the layout.
        expect(&[layout.n_vocab() + 5], 0, "no range");
    }

    #[test]
    fn chat_turns_are_markers_of_their_own_in_chat_layouts_only() {
        let chat = VocabLayout::builder()
            .text("toy", "t", 50, vec![("<|eot|>".into(), 50)])
            .image("fsq:4,4", "i", 16)
            .chat(true)
            .build()
            .expect("layout");
        let mut segments = vec![Segment::Turn(Marker::User), Segment::Text(vec![1, 2])];
        segments.push(Segment::Image(ImageCodes {
            height: 1,
            width: 1,
            codes: vec![3],
        }));
        segments.extend([
            Segment::Turn(Marker::TurnEnd),
            Segment::Turn(Marker::Assistant),
            Segment::Text(vec![4]),
            Segment::Turn(Marker::TurnEnd),
        ]);
        let ids = mux(&chat, &segments).expect("muxed");
        assert_eq!(ids[0], chat.marker(Marker::User).expect("user"));
        assert_eq!(demux(&chat, &ids).expect("demuxed"), segments);
        // Media markers come only with their segments.
        let error = mux(&chat, &[Segment::Turn(Marker::ImageStart)]).expect_err("not a turn");
        assert!(error
            .to_string()
            .contains("image_start is not a marker of chat turns"));
        // A layout without chat turns has no turn markers, and refuses to place one.
        let plain = layout(Flatten::Interleave);
        assert!(!plain.has_turns() && chat.has_turns());
        let error = mux(&plain, &[Segment::Turn(Marker::User)]).expect_err("no turns");
        assert!(error
            .to_string()
            .contains("no user marker (a layout built with chat turns"));
        let error = VocabLayout::builder()
            .text("toy", "t", 50, vec![])
            .marker_name(Marker::User, "<|human|>")
            .build()
            .expect_err("chat marker without chat");
        assert!(error
            .to_string()
            .contains("the marker user is in chat layouts only"));
    }

    #[test]
    fn truncated_streams_drop_or_keep_their_cut_segment() {
        let layout = layout(Flatten::Interleave);
        let image = Segment::Image(ImageCodes {
            height: 3,
            width: 2,
            codes: vec![1, 2, 3, 4, 5, 6],
        });
        let audio = Segment::Audio(AudioCodes::new(2, 3, vec![0, 1, 2, 7, 6, 5]).expect("sized"));
        for (segment, kept) in [
            // Cut after 1 code of row 2 (2 rows and their markers whole): 2 rows kept.
            (
                image.clone(),
                Segment::Image(ImageCodes {
                    height: 2,
                    width: 2,
                    codes: vec![1, 2, 3, 4],
                }),
            ),
            // Cut inside frame 2 of interleaved audio: 2 frames kept.
            (
                audio,
                Segment::Audio(AudioCodes::new(2, 2, vec![0, 1, 7, 6]).expect("sized")),
            ),
        ] {
            let whole = mux(&layout, &[Segment::Text(vec![1, 2]), segment.clone()]).expect("muxed");
            let cut = &whole[..whole.len() - 3];
            assert!(demux(&layout, cut).is_err());
            assert!(demux_truncated(&layout, cut, Truncated::Error).is_err());
            let dropped = CutSegment {
                index: 1,
                kept: false,
            };
            let (segments, info) = demux_truncated(&layout, cut, Truncated::Drop).expect("dropped");
            assert_eq!(
                (segments, info),
                (vec![Segment::Text(vec![1, 2])], Some(dropped))
            );
            let (segments, info) = demux_truncated(&layout, cut, Truncated::Keep).expect("kept");
            assert_eq!(segments, vec![Segment::Text(vec![1, 2]), kept]);
            assert_eq!(
                info,
                Some(CutSegment {
                    index: 1,
                    kept: true
                })
            );
            // Whole streams are not touched; a cut just after the start marker keeps nothing.
            let (segments, info) =
                demux_truncated(&layout, &whole, Truncated::Keep).expect("whole");
            assert_eq!((segments.len(), info), (2, None));
            let (segments, info) =
                demux_truncated(&layout, &whole[..3], Truncated::Keep).expect("empty");
            assert_eq!((segments.len(), info), (1, Some(dropped)));
        }
        // A broken stream before the cut is still an error.
        let mut broken = mux(&layout, &[image.clone(), image]).expect("muxed");
        broken.truncate(broken.len() - 2);
        broken[3] = layout.marker(Marker::ImageEnd).expect("end");
        assert!(demux_truncated(&layout, &broken, Truncated::Keep).is_err());
    }
}
