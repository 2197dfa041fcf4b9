//! The named model processors and what their patches cost a model in tokens.
//!
//! - `qwen2-vl`: [`crate::qwen2_vl`], images and videos; the settings [`Overrides::NAMES`] may be
//!   changed from transformers' defaults. An LLM token is a `merge_size` x `merge_size` block of
//!   patches: `tokens = patches / merge_size²`.
//! - `siglip`, `clip-vit-b16`: [`crate::fixed`], one image each, nothing to change; one token
//!   per patch (no class token).

use std::fmt;
use std::str::FromStr;

use crate::error::{Result, VisionError};
use crate::fixed::FixedConfig;
use crate::image::RgbImage;
use crate::patches::{PatchShape, Patches};
use crate::qwen2_vl::Qwen2VlConfig;

/// A named model processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    Qwen2Vl,
    Siglip,
    ClipVitB16,
}

impl Preset {
    /// Every preset, in the order they are listed to users.
    pub const ALL: [Preset; 3] = [Preset::Qwen2Vl, Preset::Siglip, Preset::ClipVitB16];

    /// The preset taken when none is named.
    pub const DEFAULT: Preset = Preset::Qwen2Vl;

    /// The preset's name (`qwen2-vl`, `siglip`, `clip-vit-b16`).
    pub fn name(self) -> &'static str {
        match self {
            Preset::Qwen2Vl => "qwen2-vl",
            Preset::Siglip => "siglip",
            Preset::ClipVitB16 => "clip-vit-b16",
        }
    }

    /// The names of every preset, in the order of [`Preset::ALL`].
    pub fn names() -> [&'static str; 3] {
        Self::ALL.map(Preset::name)
    }

    /// The settings [`Preset::patchifier`] may change (empty for the fixed-size presets).
    pub fn settings(self) -> &'static [&'static str] {
        match self {
            Preset::Qwen2Vl => &Overrides::NAMES,
            Preset::Siglip | Preset::ClipVitB16 => &[],
        }
    }

    /// The processor of this preset with `overrides` applied; the fixed-size presets take none.
    pub fn patchifier(self, overrides: &Overrides) -> Result<Patchifier> {
        let fixed = match self {
            Preset::Qwen2Vl => {
                return Ok(Patchifier::Qwen2Vl(
                    overrides.apply(Qwen2VlConfig::default()),
                ))
            }
            Preset::Siglip => FixedConfig::siglip(),
            Preset::ClipVitB16 => FixedConfig::clip_vit_b16(),
        };
        if let Some(name) = overrides.names().first() {
            return Err(VisionError::BadParameter(format!(
                "{self} has no setting {name:?}; it has none"
            )));
        }
        Ok(Patchifier::Fixed {
            preset: self,
            config: fixed,
        })
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Preset {
    type Err = VisionError;

    fn from_str(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|preset| preset.name() == name)
            .ok_or_else(|| VisionError::UnknownPreset {
                name: name.to_owned(),
                presets: Self::names().join(", "),
            })
    }
}

/// Settings of the `qwen2-vl` preset changed from transformers' defaults (`None`: the default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    pub min_pixels: Option<usize>,
    pub max_pixels: Option<usize>,
    pub patch_size: Option<usize>,
    pub temporal_patch_size: Option<usize>,
    pub merge_size: Option<usize>,
}

impl Overrides {
    /// The settings' names, as [`Overrides::set`] takes them.
    pub const NAMES: [&'static str; 5] = [
        "min_pixels",
        "max_pixels",
        "patch_size",
        "temporal_patch_size",
        "merge_size",
    ];

    /// Sets the setting `name` (one of [`Overrides::NAMES`]) to `value`.
    pub fn set(&mut self, name: &str, value: usize) -> Result<()> {
        let slot = match name {
            "min_pixels" => &mut self.min_pixels,
            "max_pixels" => &mut self.max_pixels,
            "patch_size" => &mut self.patch_size,
            "temporal_patch_size" => &mut self.temporal_patch_size,
            "merge_size" => &mut self.merge_size,
            other => {
                return Err(VisionError::BadParameter(format!(
                    "unknown setting {other:?}; the settings are {}",
                    Self::NAMES.join(", ")
                )))
            }
        };
        *slot = Some(value);
        Ok(())
    }

    /// The names of the settings that are set, in the order of [`Overrides::NAMES`].
    pub fn names(&self) -> Vec<&'static str> {
        let values = [
            self.min_pixels,
            self.max_pixels,
            self.patch_size,
            self.temporal_patch_size,
            self.merge_size,
        ];
        Self::NAMES
            .into_iter()
            .zip(values)
            .filter_map(|(name, value)| value.map(|_| name))
            .collect()
    }

    /// `config` with the settings that are set replaced.
    pub fn apply(&self, config: Qwen2VlConfig) -> Qwen2VlConfig {
        Qwen2VlConfig {
            min_pixels: self.min_pixels.unwrap_or(config.min_pixels),
            max_pixels: self.max_pixels.unwrap_or(config.max_pixels),
            patch_size: self.patch_size.unwrap_or(config.patch_size),
            temporal_patch_size: self
                .temporal_patch_size
                .unwrap_or(config.temporal_patch_size),
            merge_size: self.merge_size.unwrap_or(config.merge_size),
            ..config
        }
    }
}

/// A preset's processor, ready to cut frames into patches.
#[derive(Debug, Clone, PartialEq)]
pub enum Patchifier {
    Qwen2Vl(Qwen2VlConfig),
    Fixed { preset: Preset, config: FixedConfig },
}

impl Patchifier {
    /// The patches of `frames`: one image, or the frames of a video for `qwen2-vl`.
    pub fn patchify(&self, frames: &[RgbImage]) -> Result<Patches> {
        let (width, height) = frames.first().map_or((0, 0), |f| (f.width, f.height));
        let expected = self.shape(frames.len(), width, height)?;
        Patches::collect(expected, |each_row| self.patchify_rows(frames, each_row))
    }

    /// The shape [`Patchifier::patchify`] gives `count` frames of `width` x `height`.
    pub fn shape(&self, count: usize, width: usize, height: usize) -> Result<PatchShape> {
        match self {
            Patchifier::Qwen2Vl(config) => crate::qwen2_vl::shape(count, width, height, config),
            Patchifier::Fixed { config, .. } => crate::fixed::shape(config),
        }
    }

    /// [`Patchifier::patchify`], handing each patch (a row of the output, in order) to
    /// `each_row` instead of collecting them: for output written where the caller wants it.
    pub fn patchify_rows(
        &self,
        frames: &[RgbImage],
        each_row: &mut dyn FnMut(&[f32]),
    ) -> Result<PatchShape> {
        match self {
            Patchifier::Qwen2Vl(config) => crate::qwen2_vl::patchify_rows(frames, config, each_row),
            Patchifier::Fixed { preset, config } => {
                let [image] = frames else {
                    return Err(VisionError::BadParameter(format!(
                        "{preset} takes one image, not {} frames",
                        frames.len()
                    )));
                };
                crate::fixed::patchify_rows(image, config, each_row)
            }
        }
    }

    /// The LLM tokens `patches` cost: `rows / merge_size²` for `qwen2-vl` (after the merge of
    /// neighbouring patches), `rows` for the fixed-size presets.
    pub fn tokens(&self, patches: &Patches) -> usize {
        match self {
            Patchifier::Qwen2Vl(config) => {
                patches.rows / (config.merge_size * config.merge_size).max(1)
            }
            Patchifier::Fixed { .. } => patches.rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        assert_eq!(Preset::names(), ["qwen2-vl", "siglip", "clip-vit-b16"]);
        for preset in Preset::ALL {
            assert_eq!(preset.to_string().parse::<Preset>().expect("known"), preset);
        }
        let error = "llava".parse::<Preset>().expect_err("unknown");
        assert_eq!(
            error.to_string(),
            "unknown preset \"llava\"; the presets are qwen2-vl, siglip, clip-vit-b16"
        );
    }

    #[test]
    fn overrides_change_only_what_is_set() {
        let mut overrides = Overrides::default();
        overrides.set("max_pixels", 256 * 28 * 28).expect("known");
        overrides.set("merge_size", 1).expect("known");
        assert_eq!(overrides.names(), ["max_pixels", "merge_size"]);
        let Patchifier::Qwen2Vl(config) = Preset::Qwen2Vl.patchifier(&overrides).expect("set")
        else {
            panic!("qwen2-vl is a Qwen2-VL processor");
        };
        let defaults = Qwen2VlConfig::default();
        assert_eq!(config.max_pixels, 256 * 28 * 28);
        assert_eq!(config.merge_size, 1);
        assert_eq!(config.min_pixels, defaults.min_pixels);
        assert_eq!(config.patch_size, defaults.patch_size);
        assert!(overrides.set("patch", 14).is_err());
        let error = Preset::Siglip.patchifier(&overrides).expect_err("none");
        assert!(error.to_string().contains("max_pixels"), "{error}");
        assert!(Preset::Siglip.settings().is_empty());
        assert_eq!(Preset::Qwen2Vl.settings(), Overrides::NAMES);
    }

    #[test]
    fn tokens_follow_the_merge() {
        let image = RgbImage::new(56, 56, vec![128; 56 * 56 * 3]).expect("sized");
        let qwen = Preset::Qwen2Vl
            .patchifier(&Overrides::default())
            .expect("defaults");
        let patches = qwen
            .patchify(std::slice::from_ref(&image))
            .expect("patches");
        assert_eq!(patches.grid_thw, [1, 4, 4]);
        assert_eq!(qwen.tokens(&patches), 4);
        let siglip = Preset::Siglip
            .patchifier(&Overrides::default())
            .expect("defaults");
        let patches = siglip
            .patchify(std::slice::from_ref(&image))
            .expect("patches");
        assert_eq!(siglip.tokens(&patches), 196);
        let error = siglip
            .patchify(&[image.clone(), image])
            .expect_err("one image");
        assert!(
            error
                .to_string()
                .contains("siglip takes one image, not 2 frames"),
            "{error}"
        );
    }
}
