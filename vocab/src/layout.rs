//! The layout of the shared token space: which IDs are text, text specials, modality markers,
//! audio codes (one range per codebook) and image codes, with a checksum of every component
//! that gave them, saved as a JSON manifest.
//!
//! IDs are assigned in that order: text ranks from 0, the text's specials where the tokenizer
//! puts them, then the markers (unless given their own IDs) from the first ID after both, then
//! the audio codebooks, then the image codes. A manifest is checked when loaded: its format
//! version, its own checksum (SHA-256 of its content), that no two ranges overlap, that names
//! and IDs are unique, that every marker lies in the marker range; and
//! [`VocabLayout::check_component`] compares a component's checksum with the one recorded.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::flatten::{CodebookIds, Flatten};
use crate::{check_disjoint, IdRange, TokenId, VocabError};

/// The manifest's format name and the version this build writes and reads.
pub const FORMAT: &str = "omnitok-layout";
pub const VERSION: u32 = 1;

/// What each marker stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Marker {
    AudioStart,
    AudioEnd,
    ImageStart,
    ImageEnd,
    VideoStart,
    VideoEnd,
    /// After each row of image codes.
    Row,
    /// After each frame of a video.
    Frame,
    /// The delay scheme's pad (only in layouts whose audio uses it).
    AudioPad,
    /// Starts a system turn (chat layouts only, as the other turn markers).
    System,
    /// Starts a user turn.
    User,
    /// Starts an assistant turn.
    Assistant,
    /// Starts a tool's turn (a tool call's result).
    Tool,
    /// Ends a turn.
    TurnEnd,
}

impl Marker {
    /// Every marker, in the order IDs are assigned.
    pub const ALL: [Marker; 14] = [
        Marker::AudioStart,
        Marker::AudioEnd,
        Marker::ImageStart,
        Marker::ImageEnd,
        Marker::VideoStart,
        Marker::VideoEnd,
        Marker::Row,
        Marker::Frame,
        Marker::AudioPad,
        Marker::System,
        Marker::User,
        Marker::Assistant,
        Marker::Tool,
        Marker::TurnEnd,
    ];

    /// The markers of chat turns, which a document gives as parts of their own (the others
    /// surround or divide the media segments that emit them).
    pub const TURNS: [Marker; 5] = [
        Marker::System,
        Marker::User,
        Marker::Assistant,
        Marker::Tool,
        Marker::TurnEnd,
    ];

    /// Whether this is a marker of chat turns (see [`Marker::TURNS`]).
    pub fn is_turn(self) -> bool {
        Self::TURNS.contains(&self)
    }

    /// The marker's name in manifests and on the command line, e.g. `audio_start`.
    pub fn name(self) -> &'static str {
        match self {
            Marker::AudioStart => "audio_start",
            Marker::AudioEnd => "audio_end",
            Marker::ImageStart => "image_start",
            Marker::ImageEnd => "image_end",
            Marker::VideoStart => "video_start",
            Marker::VideoEnd => "video_end",
            Marker::Row => "row",
            Marker::Frame => "frame",
            Marker::AudioPad => "audio_pad",
            Marker::System => "system",
            Marker::User => "user",
            Marker::Assistant => "assistant",
            Marker::Tool => "tool",
            Marker::TurnEnd => "turn_end",
        }
    }

    /// The marker named `name` (see [`Marker::name`]).
    pub fn from_name(name: &str) -> Result<Self, VocabError> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|m| m.name()).collect();
                VocabError::BadParameter(format!(
                    "unknown marker {name:?}; the markers are {}",
                    names.join(", ")
                ))
            })
    }

    /// The token's default name, e.g. `<|audio_start|>`.
    pub fn default_token(self) -> &'static str {
        match self {
            Marker::AudioStart => "<|audio_start|>",
            Marker::AudioEnd => "<|audio_end|>",
            Marker::ImageStart => "<|image_start|>",
            Marker::ImageEnd => "<|image_end|>",
            Marker::VideoStart => "<|video_start|>",
            Marker::VideoEnd => "<|video_end|>",
            Marker::Row => "<|row|>",
            Marker::Frame => "<|frame|>",
            Marker::AudioPad => "<|audio_pad|>",
            Marker::System => "<|system|>",
            Marker::User => "<|user|>",
            Marker::Assistant => "<|assistant|>",
            Marker::Tool => "<|tool|>",
            Marker::TurnEnd => "<|turn_end|>",
        }
    }
}

/// The text part: a tokenizer's ordinary tokens (`0..ordinary`) and its specials (after them,
/// or among them where the tokenizer numbers them so).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextComponent {
    /// The tokenizer's name, e.g. `o200k_base`.
    pub name: String,
    /// The tokenizer's fingerprint (SHA-256, hex).
    pub checksum: String,
    /// Ordinary tokens: IDs `0..ordinary`.
    pub ordinary: u32,
    /// Special tokens and their IDs.
    pub specials: Vec<(String, TokenId)>,
}

/// The audio part: codebook `k` holds IDs `offset + k · codebook_size ..`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioComponent {
    /// The codec's name, e.g. its folder.
    pub name: String,
    pub checksum: String,
    pub codebooks: usize,
    pub codebook_size: u32,
    pub offset: TokenId,
    pub flatten: Flatten,
    /// For codecs of several rates (SNAC), codes per frame of each codebook, coarse to fine;
    /// absent where every codebook has one code per frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates: Option<Vec<usize>>,
}

/// The image part (also video frames): `size` codes from `offset`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageComponent {
    /// The quantizer: `fsq:8,8,8,5,5,5/16` or `lfq:18/16` (spec and patch size), or a
    /// codebook (`codebook`, or `codebook:FILE` as the CLI records it).
    pub name: String,
    pub checksum: String,
    pub size: u32,
    pub offset: TokenId,
}

/// One marker token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkerToken {
    pub marker: Marker,
    /// Its name, e.g. `<|audio_start|>`.
    pub token: String,
    pub id: TokenId,
}

/// The layout of the shared token space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VocabLayout {
    format: String,
    version: u32,
    text: TextComponent,
    markers: Vec<MarkerToken>,
    audio: Option<AudioComponent>,
    image: Option<ImageComponent>,
    /// Every range, in ID order (derived; stored so that readers need not derive them).
    ranges: Vec<IdRange>,
}

/// The manifest on disk: the layout and the SHA-256 of its JSON.
#[derive(Serialize, Deserialize)]
struct Manifest {
    #[serde(flatten)]
    layout: VocabLayout,
    checksum: String,
}

/// Builds a [`VocabLayout`] from its components.
#[derive(Debug, Clone, Default)]
pub struct LayoutBuilder {
    text: Option<TextComponent>,
    audio: Option<(String, String, usize, u32, Flatten)>,
    audio_rates: Option<Vec<usize>>,
    image: Option<(String, String, u32)>,
    marker_names: Vec<(Marker, String)>,
    marker_ids: Vec<(Marker, TokenId)>,
    chat: bool,
}

impl LayoutBuilder {
    /// The text component: `ordinary` ranks from 0 and `specials`.
    pub fn text(
        mut self,
        name: impl Into<String>,
        checksum: impl Into<String>,
        ordinary: u32,
        specials: Vec<(String, TokenId)>,
    ) -> Self {
        self.text = Some(TextComponent {
            name: name.into(),
            checksum: checksum.into(),
            ordinary,
            specials,
        });
        self
    }

    /// An audio codec of `codebooks` codebooks of `codebook_size` codes, flattened by `flatten`.
    pub fn audio(
        mut self,
        name: impl Into<String>,
        checksum: impl Into<String>,
        codebooks: usize,
        codebook_size: u32,
        flatten: Flatten,
    ) -> Self {
        self.audio = Some((
            name.into(),
            checksum.into(),
            codebooks,
            codebook_size,
            flatten,
        ));
        self
    }

    /// For an audio codec of several rates (SNAC), the codes per frame of each codebook,
    /// coarse to fine (one per codebook; each must divide the largest).
    pub fn audio_rates(mut self, rates: Vec<usize>) -> Self {
        self.audio_rates = Some(rates);
        self
    }

    /// An image quantizer of `size` codes.
    pub fn image(
        mut self,
        name: impl Into<String>,
        checksum: impl Into<String>,
        size: u32,
    ) -> Self {
        self.image = Some((name.into(), checksum.into(), size));
        self
    }

    /// Whether the layout has the markers of chat turns ([`Marker::TURNS`]), after the others.
    pub fn chat(mut self, chat: bool) -> Self {
        self.chat = chat;
        self
    }

    /// Names `marker`'s token `token` instead of its default.
    pub fn marker_name(mut self, marker: Marker, token: impl Into<String>) -> Self {
        self.marker_names.push((marker, token.into()));
        self
    }

    /// Gives `marker` the ID `id` instead of the next free one.
    pub fn marker_id(mut self, marker: Marker, id: TokenId) -> Self {
        self.marker_ids.push((marker, id));
        self
    }

    /// The layout, checked.
    pub fn build(self) -> Result<VocabLayout, VocabError> {
        let text = self
            .text
            .ok_or_else(|| VocabError::BadParameter("a layout needs a text component".into()))?;
        let after_text = text
            .specials
            .iter()
            .map(|&(_, id)| id.saturating_add(1))
            .fold(text.ordinary, TokenId::max);
        let delay = matches!(self.audio, Some((.., Flatten::Delay)));
        let given = self.marker_names.iter().map(|(m, _)| *m);
        if let Some(marker) = given
            .chain(self.marker_ids.iter().map(|(m, _)| *m))
            .find(|m| m.is_turn() && !self.chat)
        {
            return Err(VocabError::BadParameter(format!(
                "the marker {} is in chat layouts only; build the layout with chat turns",
                marker.name()
            )));
        }
        let mut next = after_text;
        let mut markers = Vec::new();
        for marker in Marker::ALL {
            if (marker == Marker::AudioPad && !delay) || (marker.is_turn() && !self.chat) {
                continue;
            }
            let token = self
                .marker_names
                .iter()
                .rev()
                .find(|(m, _)| *m == marker)
                .map_or_else(|| marker.default_token().to_owned(), |(_, t)| t.clone());
            let id = match self.marker_ids.iter().rev().find(|(m, _)| *m == marker) {
                Some(&(_, id)) => id,
                None => {
                    let id = next;
                    next = next.checked_add(1).ok_or_else(overflow)?;
                    id
                }
            };
            markers.push(MarkerToken { marker, token, id });
        }
        // Given marker IDs may lie past the assigned ones: codes start after all of them.
        let mut next = markers
            .iter()
            .map(|m| m.id.saturating_add(1))
            .fold(next, TokenId::max);
        let audio = match self.audio {
            Some((name, checksum, codebooks, codebook_size, flatten)) => {
                if codebooks == 0 || codebook_size == 0 {
                    return Err(VocabError::BadParameter(
                        "audio needs at least one codebook of at least one code".into(),
                    ));
                }
                if let Some(rates) = &self.audio_rates {
                    if rates.len() != codebooks {
                        return Err(VocabError::BadParameter(format!(
                            "{} codebook rates for {codebooks} codebooks",
                            rates.len()
                        )));
                    }
                    crate::flatten::frame_order(rates)?;
                    if flatten == Flatten::Delay {
                        return Err(VocabError::BadParameter(
                            "the delay scheme lays out codes of one rate; codes at several \
                             rates flatten by interleave or sequential"
                                .into(),
                        ));
                    }
                }
                let offset = next;
                next = u32::try_from(codebooks)
                    .ok()
                    .and_then(|n| n.checked_mul(codebook_size))
                    .and_then(|n| n.checked_add(offset))
                    .ok_or_else(overflow)?;
                Some(AudioComponent {
                    name,
                    checksum,
                    codebooks,
                    codebook_size,
                    offset,
                    flatten,
                    rates: self
                        .audio_rates
                        .filter(|rates| rates.iter().any(|&r| r != 1)),
                })
            }
            None => None,
        };
        let image = match self.image {
            Some((name, checksum, size)) => {
                if size == 0 {
                    return Err(VocabError::BadParameter(
                        "an image quantizer of 0 codes".into(),
                    ));
                }
                let offset = next;
                next.checked_add(size).ok_or_else(overflow)?;
                Some(ImageComponent {
                    name,
                    checksum,
                    size,
                    offset,
                })
            }
            None => None,
        };
        let mut layout = VocabLayout {
            format: FORMAT.to_owned(),
            version: VERSION,
            text,
            markers,
            audio,
            image,
            ranges: Vec::new(),
        };
        layout.ranges = layout.derive_ranges();
        layout.validate()?;
        Ok(layout)
    }
}

fn overflow() -> VocabError {
    VocabError::BadParameter("the layout needs more than 2^32 IDs".into())
}

impl VocabLayout {
    /// A builder; add the components, then [`LayoutBuilder::build`].
    pub fn builder() -> LayoutBuilder {
        LayoutBuilder::default()
    }

    /// The text component.
    pub fn text(&self) -> &TextComponent {
        &self.text
    }

    /// The audio component, when the layout has one.
    pub fn audio(&self) -> Option<&AudioComponent> {
        self.audio.as_ref()
    }

    /// The image component, when the layout has one.
    pub fn image(&self) -> Option<&ImageComponent> {
        self.image.as_ref()
    }

    /// The marker tokens.
    pub fn markers(&self) -> &[MarkerToken] {
        &self.markers
    }

    /// The ID of `marker`, if the layout has it.
    pub fn marker(&self, marker: Marker) -> Option<TokenId> {
        self.markers
            .iter()
            .find(|m| m.marker == marker)
            .map(|m| m.id)
    }

    /// Whether the layout has the markers of chat turns.
    pub fn has_turns(&self) -> bool {
        self.marker(Marker::TurnEnd).is_some()
    }

    /// The marker whose ID is `id`.
    pub fn marker_of(&self, id: TokenId) -> Option<Marker> {
        self.markers.iter().find(|m| m.id == id).map(|m| m.marker)
    }

    /// Every named range, in ID order.
    pub fn ranges(&self) -> &[IdRange] {
        &self.ranges
    }

    /// One past the largest ID.
    pub fn n_vocab(&self) -> TokenId {
        self.ranges.iter().map(|r| r.end).max().unwrap_or(0)
    }

    /// Where the audio codebooks' IDs lie, when the layout has audio.
    pub fn codebook_ids(&self) -> Option<CodebookIds> {
        self.audio.as_ref().map(|audio| CodebookIds {
            offset: audio.offset,
            codebooks: audio.codebooks,
            codebook_size: audio.codebook_size,
            pad: self.marker(Marker::AudioPad),
            rates: audio
                .rates
                .clone()
                .unwrap_or_else(|| vec![1; audio.codebooks]),
        })
    }

    /// Whether `id` is a text token: an ordinary rank or one of the text's specials.
    pub fn is_text(&self, id: TokenId) -> bool {
        id < self.text.ordinary || self.text.specials.iter().any(|&(_, s)| s == id)
    }

    fn derive_ranges(&self) -> Vec<IdRange> {
        let mut ranges = vec![IdRange::new("text", 0, self.text.ordinary)];
        let span = |ids: &mut dyn Iterator<Item = TokenId>| {
            let ids: Vec<TokenId> = ids.collect();
            let start = ids.iter().copied().min()?;
            let end = ids.iter().copied().max()?.saturating_add(1);
            Some((start, end))
        };
        // Specials among the ordinary IDs (as some tokenizer.json files number them) lie in
        // the text range; the rest form their own.
        let ordinary = self.text.ordinary;
        if let Some((start, end)) = span(
            &mut self
                .text
                .specials
                .iter()
                .map(|&(_, id)| id)
                .filter(|&id| id >= ordinary),
        ) {
            ranges.push(IdRange::new("text.special", start, end));
        }
        if let Some((start, end)) = span(&mut self.markers.iter().map(|m| m.id)) {
            ranges.push(IdRange::new("marker", start, end));
        }
        if let Some(audio) = &self.audio {
            for k in 0..audio.codebooks {
                let start = audio.offset + k as u32 * audio.codebook_size;
                ranges.push(IdRange::new(
                    format!("audio.{k}"),
                    start,
                    start + audio.codebook_size,
                ));
            }
        }
        if let Some(image) = &self.image {
            ranges.push(IdRange::new(
                "image",
                image.offset,
                image.offset + image.size,
            ));
        }
        ranges.sort_by_key(|r| (r.start, r.end));
        ranges
    }

    /// Checks the ranges, names and IDs.
    fn validate(&self) -> Result<(), VocabError> {
        if self.format != FORMAT || self.version != VERSION {
            return Err(VocabError::BadManifest(format!(
                "format {:?} version {}; this build reads {FORMAT:?} version {VERSION}",
                self.format, self.version
            )));
        }
        check_disjoint(&self.ranges)?;
        // Every token name (specials and markers) and every marker ID once.
        let mut names: Vec<&str> = self.text.specials.iter().map(|(n, _)| n.as_str()).collect();
        names.extend(self.markers.iter().map(|m| m.token.as_str()));
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|p| p[0] == p[1]) {
            return Err(VocabError::DuplicateName {
                name: pair[0].to_owned(),
            });
        }
        let mut ids: Vec<(TokenId, &str)> = self
            .text
            .specials
            .iter()
            .map(|(n, id)| (*id, n.as_str()))
            .chain(self.markers.iter().map(|m| (m.id, m.token.as_str())))
            .collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|p| p[0].0 == p[1].0) {
            return Err(VocabError::DuplicateId {
                id: pair[0].0,
                first: pair[0].1.to_owned(),
                second: pair[1].1.to_owned(),
            });
        }
        let mut kinds: Vec<Marker> = self.markers.iter().map(|m| m.marker).collect();
        kinds.sort_unstable();
        if kinds.windows(2).any(|p| p[0] == p[1]) {
            return Err(VocabError::BadManifest("a marker is listed twice".into()));
        }
        // Chat turns come with all their markers or none.
        let turns = self.markers.iter().any(|m| m.marker.is_turn());
        for marker in Marker::ALL {
            let needed = match marker {
                Marker::AudioPad => {
                    matches!(&self.audio, Some(a) if a.flatten == Flatten::Delay)
                }
                turn if turn.is_turn() => turns,
                _ => true,
            };
            if needed && self.marker(marker).is_none() {
                return Err(VocabError::BadManifest(format!(
                    "no ID for the marker {marker:?}"
                )));
            }
        }
        if let Some(audio) = &self.audio {
            if audio.codebooks == 0 || audio.codebook_size == 0 {
                return Err(VocabError::BadManifest(format!(
                    "audio of {} codebooks of {} codes: each needs at least one",
                    audio.codebooks, audio.codebook_size
                )));
            }
        }
        if matches!(&self.image, Some(image) if image.size == 0) {
            return Err(VocabError::BadManifest("an image part of 0 codes".into()));
        }
        if self.ranges != self.derive_ranges() {
            return Err(VocabError::BadManifest(
                "the ranges listed differ from those of the components".into(),
            ));
        }
        Ok(())
    }

    /// Compares a component's checksum (`"text"`, `"audio"` or `"image"`) with the recorded
    /// one.
    pub fn check_component(&self, component: &str, checksum: &str) -> Result<(), VocabError> {
        let recorded = match component {
            "text" => Some(&self.text.checksum),
            "audio" => self.audio.as_ref().map(|a| &a.checksum),
            "image" => self.image.as_ref().map(|i| &i.checksum),
            other => {
                return Err(VocabError::BadParameter(format!(
                    "unknown component {other:?}; text, audio or image"
                )))
            }
        };
        match recorded {
            None => Err(VocabError::BadParameter(format!(
                "this layout has no {component} component"
            ))),
            Some(recorded) if recorded != checksum => Err(VocabError::ChecksumMismatch {
                component: component.to_owned(),
                recorded: recorded.clone(),
                actual: checksum.to_owned(),
            }),
            Some(_) => Ok(()),
        }
    }

    /// SHA-256 (hex) of the layout's content: the checksum its manifest records.
    pub fn checksum(&self) -> String {
        self.content_checksum()
    }

    fn content_checksum(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        Sha256::digest(json.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The JSON manifest (with the checksum of its content).
    pub fn to_json(&self) -> String {
        let manifest = Manifest {
            layout: self.clone(),
            checksum: self.content_checksum(),
        };
        serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n"
    }

    /// A layout from its JSON manifest, checked.
    pub fn from_json(text: &str) -> Result<Self, VocabError> {
        // serde_json's messages end with the line and column.
        let manifest: Manifest =
            serde_json::from_str(text).map_err(|e| VocabError::BadManifest(e.to_string()))?;
        let layout = manifest.layout;
        layout.validate()?;
        let actual = layout.content_checksum();
        if manifest.checksum != actual {
            return Err(VocabError::ChecksumMismatch {
                component: "manifest".into(),
                recorded: manifest.checksum,
                actual,
            });
        }
        Ok(layout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o200k_like() -> LayoutBuilder {
        VocabLayout::builder().text(
            "o200k_base",
            "t".repeat(64),
            199_998,
            vec![
                ("<|endoftext|>".into(), 199_999),
                ("<|endofprompt|>".into(), 200_018),
            ],
        )
    }

    #[test]
    fn components_without_codes_are_refused() {
        let error = o200k_like()
            .audio("codec", "a", 0, 1024, Flatten::Interleave)
            .build()
            .expect_err("no codebooks");
        assert!(error.to_string().contains("at least one"), "{error}");
        assert!(o200k_like().image("fsq:2", "i", 0).build().is_err());
    }

    #[test]
    fn ids_follow_the_text_and_its_specials() {
        let layout = o200k_like()
            .audio("codec", "a", 8, 1024, Flatten::Interleave)
            .image("fsq:8,8,8,5,5,5", "i", 64_000)
            .build()
            .expect("layout");
        assert_eq!(layout.marker(Marker::AudioStart), Some(200_019));
        assert_eq!(layout.marker(Marker::Frame), Some(200_026));
        assert_eq!(layout.marker(Marker::AudioPad), None);
        assert_eq!(layout.audio().map(|a| a.offset), Some(200_027));
        assert_eq!(layout.image().map(|i| i.offset), Some(200_027 + 8 * 1024));
        assert_eq!(layout.n_vocab(), 200_027 + 8 * 1024 + 64_000);
        let names: Vec<&str> = layout.ranges().iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names[..4], ["text", "text.special", "marker", "audio.0"]);
        assert!(layout.is_text(199_999) && !layout.is_text(199_998) && layout.is_text(5));
        let back = VocabLayout::from_json(&layout.to_json()).expect("loaded");
        assert_eq!(back, layout);
    }

    #[test]
    fn markers_can_be_renamed_and_placed() {
        let layout = o200k_like()
            .audio("codec", "a", 2, 16, Flatten::Delay)
            .marker_name(Marker::Row, "<|newline|>")
            .marker_id(Marker::AudioStart, 250_000)
            .build()
            .expect("layout");
        assert_eq!(layout.marker(Marker::AudioStart), Some(250_000));
        assert_eq!(layout.marker(Marker::AudioEnd), Some(200_019));
        assert!(layout.marker(Marker::AudioPad).is_some());
        assert_eq!(layout.audio().map(|a| a.offset), Some(250_001));
        let row = layout.markers().iter().find(|m| m.marker == Marker::Row);
        assert_eq!(row.map(|m| m.token.as_str()), Some("<|newline|>"));
    }

    #[test]
    fn invalid_layouts_say_why() {
        let error = o200k_like()
            .marker_id(Marker::Row, 100)
            .build()
            .unwrap_err();
        assert!(matches!(error, VocabError::Overlap { .. }), "{error}");
        let error = o200k_like()
            .marker_id(Marker::Row, 199_999)
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("199999"), "{error}");
        let error = o200k_like()
            .marker_name(Marker::Row, "<|endoftext|>")
            .build()
            .unwrap_err();
        assert!(matches!(error, VocabError::DuplicateName { .. }), "{error}");
        assert!(VocabLayout::builder().build().is_err());
        let layout = o200k_like().build().expect("layout");
        let error = layout.check_component("text", "other").unwrap_err();
        assert!(error.to_string().contains("text"), "{error}");
        assert!(layout.check_component("text", &"t".repeat(64)).is_ok());
        assert!(layout.check_component("audio", "x").is_err());
        // A hand edit breaks the manifest's checksum; a broken file names its line.
        let edited = layout.to_json().replace("199998", "199990");
        let error = VocabLayout::from_json(&edited).unwrap_err();
        assert!(error.to_string().contains("differ"), "{error}");
        let error = VocabLayout::from_json("{\n  \"format\": }").unwrap_err();
        assert!(error.to_string().contains("line 2"), "{error}");
        let error = VocabLayout::from_json("{}").unwrap_err();
        assert!(error.to_string().contains("missing field"), "{error}");
    }
}
