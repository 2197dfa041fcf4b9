//! Layouts built from the components documents are encoded with: a tokenizer, a codec, an
//! image quantizer, and the markers between them.

use omnitok_audio::codec::Codec;
use omnitok_tokenizer::Tokenizer;
use omnitok_vision::image_codes::ImageQuantizer;
use std::path::Path;

use omnitok_vocab::{Flatten, Marker, VocabLayout};

use crate::error::{CorpusError, Result};

/// The audio of a layout: a codec's first codebooks, flattened by a scheme.
pub struct AudioCodebooks<'a> {
    /// What the layout records as the codec: its checkpoint folder or built-in name.
    pub name: String,
    pub codec: &'a Codec,
    /// The codebooks kept (all of the codec's when `None`).
    pub codebooks: Option<usize>,
    pub flatten: Flatten,
}

/// A marker renamed, placed at an ID, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerSetting {
    pub marker: Marker,
    pub token: Option<String>,
    pub id: Option<u32>,
}

/// The layout of `tokenizer`'s IDs, then the markers (with those of chat turns when `chat`),
/// then `audio`'s codebooks, then `image`'s codes, with `markers` renamed or placed; each
/// component recorded with its checksum. The tokenizer is recorded as `tokenizer_file` when
/// given (the file it was loaded from, so that the layout's users find it), else by its name.
pub fn build_layout(
    tokenizer: &Tokenizer,
    tokenizer_file: Option<&Path>,
    audio: Option<AudioCodebooks<'_>>,
    image: Option<&ImageQuantizer>,
    markers: &[MarkerSetting],
    chat: bool,
) -> Result<VocabLayout> {
    let mut builder = tokenizer.layout_builder().chat(chat);
    if let Some(file) = tokenizer_file {
        let (ordinary, specials) = tokenizer.layout_text();
        let name = file.display().to_string();
        builder = builder.text(name, tokenizer.sha256(), ordinary, specials);
    }
    if let Some(audio) = audio {
        let size = u32::try_from(audio.codec.codebook_size()).map_err(|_| {
            CorpusError::BadParameter(format!("{}: codebooks larger than 2^32 codes", audio.name))
        })?;
        let codebooks = audio.codebooks.unwrap_or(audio.codec.n_codebooks());
        let checksum = audio.codec.checksum();
        let rates = audio.codec.level_rates();
        if rates.is_some() && codebooks != audio.codec.n_codebooks() {
            return Err(CorpusError::BadParameter(format!(
                "{}: SNAC's codes are every level ({}); a layout cannot keep {codebooks}",
                audio.name,
                audio.codec.n_codebooks()
            )));
        }
        builder = builder.audio(audio.name, checksum, codebooks, size, audio.flatten);
        if let Some(rates) = rates {
            builder = builder.audio_rates(rates);
        }
    }
    if let Some(quantizer) = image {
        let (name, checksum) = quantizer.fingerprint()?;
        let size = u32::try_from(quantizer.codebook_size())
            .map_err(|_| CorpusError::BadParameter(format!("{name}: more image codes than IDs")))?;
        builder = builder.image(name, checksum, size);
    }
    for setting in markers {
        let name = setting.marker.name();
        match (&setting.token, setting.id) {
            (None, None) => {
                return Err(CorpusError::BadParameter(format!(
                    "marker {name}: give a token, an ID or both"
                )))
            }
            (Some(token), _) if token.is_empty() => {
                return Err(CorpusError::BadParameter(format!(
                    "marker {name}: a token has at least one character"
                )))
            }
            _ => {}
        }
        if let Some(token) = &setting.token {
            builder = builder.marker_name(setting.marker, token.clone());
        }
        if let Some(id) = setting.id {
            builder = builder.marker_id(setting.marker, id);
        }
    }
    Ok(builder.build()?)
}

impl std::str::FromStr for MarkerSetting {
    type Err = CorpusError;

    /// `KIND=TOKEN`, `KIND=TOKEN@ID` or `KIND=@ID` (the marker keeps its token).
    fn from_str(setting: &str) -> Result<Self> {
        let bad =
            |message: String| CorpusError::BadParameter(format!("marker {setting:?}: {message}"));
        let (kind, value) = setting
            .split_once('=')
            .ok_or_else(|| bad("expected KIND=TOKEN, KIND=TOKEN@ID or KIND=@ID".into()))?;
        let marker = Marker::from_name(kind)?;
        let (token, id) = match value.rsplit_once('@') {
            Some((token, id)) => {
                let id = id
                    .parse()
                    .map_err(|_| bad(format!("{id:?} is not an ID")))?;
                (token, Some(id))
            }
            None => (value, None),
        };
        if token.is_empty() && id.is_none() {
            return Err(bad("give a token, an @ID or both".into()));
        }
        Ok(MarkerSetting {
            marker,
            token: (!token.is_empty()).then(|| token.to_owned()),
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_and_markers_are_laid_out_after_the_text() {
        let tokenizer = omnitok_tokenizer::get_encoding("r50k_base").unwrap();
        let codec = Codec::default_speech();
        let quantizer = ImageQuantizer::from_spec("lfq:4", 16).unwrap();
        let audio = AudioCodebooks {
            name: "speech".into(),
            codec: &codec,
            codebooks: Some(1),
            flatten: Flatten::Interleave,
        };
        let markers = [MarkerSetting {
            marker: Marker::AudioStart,
            token: Some("<|audio|>".into()),
            id: None,
        }];
        let layout = build_layout(
            &tokenizer,
            None,
            Some(audio),
            Some(&quantizer),
            &markers,
            false,
        )
        .unwrap();
        let audio = layout.audio().unwrap();
        assert_eq!((audio.codebooks, audio.name.as_str()), (1, "speech"));
        assert_eq!(audio.codebook_size as usize, codec.codebook_size());
        assert_eq!(layout.image().unwrap().size, 16);
        let start = layout
            .markers()
            .iter()
            .find(|m| m.marker == Marker::AudioStart);
        assert_eq!(start.unwrap().token, "<|audio|>");
        assert!(layout.text().ordinary <= start.unwrap().id);
        let clash = [MarkerSetting {
            marker: Marker::AudioEnd,
            token: None,
            id: Some(0),
        }];
        assert!(build_layout(&tokenizer, None, None, None, &clash, false).is_err());
    }

    #[test]
    fn marker_settings_change_something() {
        let parse = |text: &str| text.parse::<MarkerSetting>();
        let row = parse("row=<|newline|>").unwrap();
        assert_eq!(
            (row.marker, row.token.as_deref(), row.id),
            (Marker::Row, Some("<|newline|>"), None)
        );
        let placed = parse("audio_start=@250000").unwrap();
        assert_eq!((placed.token, placed.id), (None, Some(250000)));
        for bad in ["row=", "row", "row=x@y", "rows=x"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let tokenizer = omnitok_tokenizer::get_encoding("r50k_base").unwrap();
        for (token, id) in [(None, None), (Some(String::new()), None)] {
            let setting = MarkerSetting {
                marker: Marker::Row,
                token,
                id,
            };
            let error = build_layout(&tokenizer, None, None, None, &[setting], false).unwrap_err();
            assert!(error.to_string().contains("marker row"), "{error}");
        }
    }
}
