//! 8-bit RGB images.

use crate::error::{Result, VisionError};

/// An 8-bit RGB image: `height` rows of `width` pixels of three bytes, row after row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgbImage {
    pub width: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

impl RgbImage {
    /// An image from its pixels; `data` must hold `width · height · 3` bytes.
    pub fn new(width: usize, height: usize, data: Vec<u8>) -> Result<Self> {
        let expected = width
            .checked_mul(height)
            .and_then(|n| n.checked_mul(3))
            .ok_or_else(|| VisionError::BadParameter(format!("{width} x {height} is too large")))?;
        if data.len() != expected {
            return Err(VisionError::BadParameter(format!(
                "a {width} x {height} RGB image has {expected} bytes, not {}",
                data.len()
            )));
        }
        Ok(Self {
            width,
            height,
            data,
        })
    }

    /// The three bytes of pixel `(x, y)`.
    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let at = (y * self.width + x) * 3;
        [self.data[at], self.data[at + 1], self.data[at + 2]]
    }

    /// Row `y`.
    pub fn row(&self, y: usize) -> &[u8] {
        &self.data[y * self.width * 3..(y + 1) * self.width * 3]
    }

    /// Peak signal-to-noise ratio of `other` against this image, in dB (`10 log10(255² /
    /// MSE)` over every byte; infinite when they are equal).
    pub fn psnr(&self, other: &RgbImage) -> Result<f64> {
        if (self.width, self.height) != (other.width, other.height) {
            return Err(VisionError::BadParameter(format!(
                "PSNR of a {} x {} image against a {} x {} one",
                self.width, self.height, other.width, other.height
            )));
        }
        let squared: u64 = self
            .data
            .iter()
            .zip(&other.data)
            .map(|(&a, &b)| u64::from(a.abs_diff(b)).pow(2))
            .sum();
        let mse = squared as f64 / self.data.len().max(1) as f64;
        Ok(10.0 * (255.0f64 * 255.0 / mse).log10())
    }

    /// The image as a PNG file.
    pub fn to_png(&self) -> Result<Vec<u8>> {
        use ::image::ImageEncoder;
        let mut bytes = Vec::new();
        let (width, height) = (u32::try_from(self.width), u32::try_from(self.height));
        let (Ok(width), Ok(height)) = (width, height) else {
            return Err(VisionError::BadParameter(format!(
                "a {} x {} image is too large for PNG",
                self.width, self.height
            )));
        };
        ::image::codecs::png::PngEncoder::new(&mut bytes)
            .write_image(&self.data, width, height, ::image::ExtendedColorType::Rgb8)
            .map_err(|e| VisionError::BadParameter(format!("PNG encoding: {e}")))?;
        Ok(bytes)
    }
}
