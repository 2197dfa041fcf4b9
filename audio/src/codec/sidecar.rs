//! The file written beside codes saved to disk (`CODES.npy.json` beside `CODES.npy`): what
//! decoding needs besides the codes (the per-chunk scales, the padding of the last chunk, the
//! number of samples to trim to), and the bandwidth and sample rate they were made at, by which
//! a decoder checks that a model fits them.

use std::path::{Path, PathBuf};

use ndarray::Array3;
use serde::{Deserialize, Serialize};

use super::{Codec, Codes};
use crate::error::{AudioError, Result};

/// The contents of a codes sidecar file, a JSON object with these fields in this order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodesSidecar {
    /// The model's sample rate, Hz.
    pub sample_rate: u32,
    /// The bandwidth the codes were made at, kbps.
    pub bandwidth: f64,
    /// Samples of the encoded audio.
    pub samples: usize,
    /// Per chunk, the scale its audio was divided by (models that normalise), else empty.
    pub scales: Vec<f32>,
    /// Frames of padding at the end of the last chunk.
    pub last_frame_pad_length: usize,
}

impl CodesSidecar {
    /// The sidecar of `codes`, made by `codec` at `bandwidth` kbps.
    pub fn new(codec: &Codec, codes: &Codes, bandwidth: f64) -> Self {
        Self {
            sample_rate: codec.sampling_rate(),
            bandwidth,
            samples: codes.samples,
            scales: codes.scales.clone(),
            last_frame_pad_length: codes.last_frame_pad_length,
        }
    }

    /// Where the sidecar of the codes file `codes` is: its name with `.json` added.
    pub fn path_for(codes: &Path) -> PathBuf {
        let mut name = codes.as_os_str().to_owned();
        name.push(".json");
        PathBuf::from(name)
    }

    /// The file's text: pretty-printed JSON and a newline.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map(|text| text + "\n")
            .map_err(|e| AudioError::BadParameter(format!("the codes sidecar: {e}")))
    }

    /// Parses a sidecar's text; `path` names it in errors.
    pub fn from_json(text: &str, path: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| AudioError::BadInput {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// Reads the sidecar file at `path`, or `None` when there is none.
    pub fn read_if_present(path: &Path) -> Result<Option<Self>> {
        if !path.exists() {
            return Ok(None);
        }
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| AudioError::Io {
            path: name.clone(),
            source,
        })?;
        Self::from_json(&text, &name).map(Some)
    }

    /// Checks that codes with this sidecar, `codebooks` deep, were made by a model like
    /// `codec`: the same sample rate, one of its bandwidths, and that bandwidth's number of
    /// codebooks; `path` names the sidecar in errors.
    pub fn check(&self, codec: &Codec, codebooks: usize, path: &str) -> Result<()> {
        let bad = |message: String| {
            Err(AudioError::BadInput {
                path: path.to_owned(),
                message,
            })
        };
        if self.sample_rate != codec.sampling_rate() {
            return bad(format!(
                "the codes were made at {} Hz; this model works at {} Hz",
                self.sample_rate,
                codec.sampling_rate()
            ));
        }
        let Ok(expected) = codec.codebooks_for(self.bandwidth) else {
            return bad(format!(
                "bandwidth {} kbps is not one of this model's ({:?})",
                self.bandwidth,
                codec.bandwidths()
            ));
        };
        if codebooks != expected {
            return bad(format!(
                "the codes have {codebooks} codebooks; {} kbps on this model uses {expected}",
                self.bandwidth
            ));
        }
        Ok(())
    }

    /// The codes to decode: `codes` (`[chunks, codebooks, frames]`) with what `sidecar` holds,
    /// or, without one, no scales, no padding and no trimming.
    pub fn codes(sidecar: Option<&Self>, codes: Array3<i64>) -> Codes {
        Codes {
            samples: sidecar.map_or(usize::MAX, |s| s.samples),
            scales: sidecar.map_or_else(Vec::new, |s| s.scales.clone()),
            last_frame_pad_length: sidecar.map_or(0, |s| s.last_frame_pad_length),
            codes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sidecar() -> CodesSidecar {
        CodesSidecar {
            sample_rate: 16_000,
            bandwidth: 1.5,
            samples: 16_000,
            scales: vec![],
            last_frame_pad_length: 0,
        }
    }

    #[test]
    fn the_file_is_pretty_json_in_field_order_and_reads_back() {
        let text = sidecar().to_json().unwrap();
        assert!(text.ends_with("}\n"), "{text}");
        let order: Vec<usize> = [
            "sample_rate",
            "bandwidth",
            "samples",
            "scales",
            "last_frame_pad_length",
        ]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert_eq!(CodesSidecar::from_json(&text, "x").unwrap(), sidecar());
        let error = CodesSidecar::from_json("{}", "codes.npy.json").unwrap_err();
        assert!(error.to_string().starts_with("codes.npy.json: "), "{error}");
    }

    #[test]
    fn the_path_adds_json_to_the_codes_name() {
        assert_eq!(
            CodesSidecar::path_for(Path::new("dir/codes.npy")),
            PathBuf::from("dir/codes.npy.json")
        );
    }

    #[test]
    fn a_model_that_does_not_fit_is_named() {
        let codec = Codec::default_speech();
        let fits = CodesSidecar::new(
            &codec,
            &CodesSidecar::codes(None, Array3::zeros((1, 1, 1))),
            codec.smallest_bandwidth(),
        );
        let codebooks = codec.codebooks_for(fits.bandwidth).unwrap();
        fits.check(&codec, codebooks, "c.json").unwrap();
        let error = fits.check(&codec, codebooks + 1, "c.json").unwrap_err();
        assert!(
            error.to_string().starts_with("c.json: the codes have"),
            "{error}"
        );
        let other_rate = CodesSidecar {
            sample_rate: 24_000,
            ..fits.clone()
        };
        let error = other_rate.check(&codec, codebooks, "c.json").unwrap_err();
        assert_eq!(
            error.to_string(),
            "c.json: the codes were made at 24000 Hz; this model works at 16000 Hz"
        );
        let other_bandwidth = CodesSidecar {
            bandwidth: 0.123,
            ..fits
        };
        let error = other_bandwidth
            .check(&codec, codebooks, "c.json")
            .unwrap_err();
        assert!(
            error.to_string().contains("bandwidth 0.123 kbps"),
            "{error}"
        );
    }
}
