//! A layout and the components that encode into it and decode from it: its tokenizer, codec
//! and image quantizer, found from the names the layout records or from files a caller gives.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use omnitok_audio::codec::{Codec, DEFAULT_SPEECH_NAME};
use omnitok_tokenizer::{get_encoding, Tokenizer, TokenizerError, ENCODING_NAMES};
use omnitok_vision::codebook::Codebook;
use omnitok_vision::image_codes::ImageQuantizer;
use omnitok_vision::VisionError;
use omnitok_vocab::layout::VocabLayout;

use crate::error::{CorpusError, Result};

/// Largest layout manifest read: 64 MiB (a manifest lists its tokenizer's special tokens and
/// little else).
pub const MAX_LAYOUT_BYTES: u64 = 64 << 20;

/// What a layout's documents are encoded with and decoded by, besides the layout. A component
/// left out is needed only by the parts that use it.
#[derive(Clone, Default)]
pub struct Components {
    /// The layout's tokenizer, needed for text given as a string and to decode text.
    pub tokenizer: Option<Arc<Tokenizer>>,
    /// The layout's codec, needed for audio parts given as sound and to decode audio.
    pub codec: Option<Arc<Codec>>,
    /// The layout's image quantizer, needed for image and video parts given as pictures and to
    /// decode them.
    pub image_quantizer: Option<ImageQuantizer>,
}

/// Files that stand for a layout's components where the names it records do not reach them.
#[derive(Debug, Clone, Default)]
pub struct ComponentFiles {
    /// A tokenizer.json or rank file, for a tokenizer that is not built in.
    pub tokenizer: Option<PathBuf>,
    /// A codec checkpoint folder, or the built-in codec's name.
    pub codec: Option<PathBuf>,
    /// A VQ codebook file, for layouts of codebook image codes.
    pub codebook: Option<PathBuf>,
}

/// Reads and checks the layout manifest at `path` (at most [`MAX_LAYOUT_BYTES`] bytes).
pub fn read_layout(path: &Path) -> Result<VocabLayout> {
    let bytes = crate::files::read_bounded(path, MAX_LAYOUT_BYTES)?;
    let bad = |message: String| CorpusError::BadInput {
        path: path.display().to_string(),
        line: 0,
        message,
    };
    let text = String::from_utf8(bytes).map_err(|e| bad(e.to_string()))?;
    VocabLayout::from_json(&text).map_err(|e| bad(e.to_string()))
}

impl Components {
    /// The components of `layout`, read from `layout_path`: each one `files` gives, else the
    /// one the layout names where it can be found (a built-in encoding or a tokenizer file, a
    /// codec folder or the built-in codec, an FSQ / LFQ quantizer). A codec or a codebook that
    /// cannot be found is left out (audio and images then stay codes); a tokenizer cannot be.
    pub fn load(layout: &VocabLayout, layout_path: &Path, files: &ComponentFiles) -> Result<Self> {
        let tokenizer_error = |source| CorpusError::Tokenizer {
            context: format!("{}: the layout's tokenizer", layout_path.display()),
            source,
        };
        let tokenizer = match &files.tokenizer {
            Some(path) => Arc::new(Tokenizer::from_file(path, None).map_err(tokenizer_error)?),
            None => Self::named_tokenizer(layout)
                .map_err(tokenizer_error)?
                .ok_or_else(|| CorpusError::BadInput {
                    path: layout_path.display().to_string(),
                    line: 0,
                    message: format!(
                        "its tokenizer {:?} is not built in and not found; pass --tokenizer",
                        layout.text().name
                    ),
                })?,
        };
        let codec = match (&files.codec, layout.audio()) {
            (Some(dir), _) => Some(Arc::new(Codec::load(dir)?)),
            (None, Some(audio))
                if Path::new(&audio.name).is_dir() || audio.name == DEFAULT_SPEECH_NAME =>
            {
                Some(Arc::new(Codec::load(Path::new(&audio.name))?))
            }
            _ => None,
        };
        let image_quantizer = match &files.codebook {
            Some(file) => Some(ImageQuantizer::Codebook(Arc::new(Codebook::read_file(
                file,
            )?))),
            None => Self::named_image_quantizer(layout).map_err(|e| CorpusError::BadInput {
                path: layout_path.display().to_string(),
                line: 0,
                message: e.to_string(),
            })?,
        };
        Ok(Self {
            tokenizer: Some(tokenizer),
            codec,
            image_quantizer,
        })
    }

    /// Checks each component at hand against the checksum `layout` records for it.
    pub fn check(&self, layout: &VocabLayout) -> Result<()> {
        let check = |component: &str, checksum: &str| {
            layout
                .check_component(component, checksum)
                .map_err(|e| CorpusError::BadParameter(format!("{component}: {e}")))
        };
        let differs = |component: &str, what: String| {
            CorpusError::BadParameter(format!(
                "{component}: the layout's {what} are not its component's (a layout edited \
                 around its checksums)"
            ))
        };
        if let Some(tokenizer) = &self.tokenizer {
            check("text", &tokenizer.sha256())?;
            let (ordinary, specials) = tokenizer.layout_text();
            let text = layout.text();
            if text.ordinary != ordinary || text.specials != specials {
                return Err(differs("text", "ordinary tokens or special tokens".into()));
            }
        }
        if let Some(codec) = &self.codec {
            check("audio", codec.checksum())?;
            if let Some(audio) = layout.audio() {
                if audio.codebook_size as usize != codec.codebook_size()
                    || audio.codebooks > codec.n_codebooks()
                {
                    return Err(differs("audio", "codebooks".into()));
                }
            }
        }
        if let Some(quantizer) = &self.image_quantizer {
            let (_, checksum) = quantizer.fingerprint()?;
            check("image", &checksum)?;
        }
        Ok(())
    }

    /// The tokenizer `layout` names, when it is built in or a tokenizer file that exists.
    pub fn named_tokenizer(
        layout: &VocabLayout,
    ) -> std::result::Result<Option<Arc<Tokenizer>>, TokenizerError> {
        let name = &layout.text().name;
        if ENCODING_NAMES.contains(&name.as_str()) {
            get_encoding(name).map(Some)
        } else if Path::new(name).is_file() {
            Tokenizer::from_file(Path::new(name), None).map(|t| Some(Arc::new(t)))
        } else {
            Ok(None)
        }
    }

    /// The image quantizer `layout` names when it needs no file (FSQ, LFQ): `None` for layouts
    /// of codebook codes and layouts without images.
    pub fn named_image_quantizer(
        layout: &VocabLayout,
    ) -> std::result::Result<Option<ImageQuantizer>, VisionError> {
        match layout.image() {
            Some(image) if image.name != "codebook" => {
                ImageQuantizer::from_name(&image.name).map(Some)
            }
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layout rebuilt around a tokenizer's checksum with other IDs for its specials, or with
    /// more codebooks than the codec has, is refused by the components it names.
    #[test]
    fn components_check_what_the_layout_says_of_them() {
        let tokenizer = get_encoding("o200k_base").unwrap_or_else(|e| panic!("{e}"));
        let components = Components {
            tokenizer: Some(Arc::clone(&tokenizer)),
            ..Components::default()
        };
        let honest = tokenizer
            .layout_builder()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(components.check(&honest).is_ok());
        let (ordinary, mut specials) = tokenizer.layout_text();
        specials[0].1 = 5;
        let moved = VocabLayout::builder()
            .text(tokenizer.name(), tokenizer.sha256(), ordinary, specials)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let error = components.check(&moved).expect_err("moved special");
        assert!(error.to_string().contains("special tokens"), "{error}");

        let codec = Codec::default_speech();
        let more = tokenizer
            .layout_builder()
            .audio(
                "speech",
                codec.checksum(),
                codec.n_codebooks() + 1,
                codec.codebook_size() as u32,
                omnitok_vocab::Flatten::Interleave,
            )
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let components = Components {
            codec: Some(Arc::new(codec)),
            ..Components::default()
        };
        let error = components.check(&more).expect_err("codebooks");
        assert!(error.to_string().contains("codebooks"), "{error}");
    }
}
