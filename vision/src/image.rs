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

    /// The frames of a video held as one buffer of `[frames, height, width, 3]` bytes
    /// (`thw = [frames, height, width]`).
    pub fn split_frames(data: &[u8], thw: [usize; 3]) -> Result<Vec<RgbImage>> {
        let [t, h, w] = thw;
        let frame_bytes = h
            .checked_mul(w)
            .and_then(|n| n.checked_mul(3))
            .ok_or_else(|| VisionError::BadParameter(format!("{w} x {h} is too large")))?;
        if frame_bytes.checked_mul(t) != Some(data.len()) {
            return Err(VisionError::BadParameter(format!(
                "{t} frames of {w} x {h} RGB are {} bytes, not {}",
                frame_bytes.saturating_mul(t),
                data.len()
            )));
        }
        (0..t)
            .map(|k| Self::new(w, h, data[k * frame_bytes..(k + 1) * frame_bytes].to_vec()))
            .collect()
    }

    /// Frames of one size as one buffer of `[frames, height, width, 3]` bytes, and
    /// `[frames, height, width]` (all 0 for no frames).
    pub fn join_frames(frames: Vec<RgbImage>) -> Result<(Vec<u8>, [usize; 3])> {
        let (h, w) = frames.first().map_or((0, 0), |f| (f.height, f.width));
        if let Some(other) = frames.iter().find(|f| (f.width, f.height) != (w, h)) {
            return Err(VisionError::BadParameter(format!(
                "the frames of a video must have one size: {w} x {h} and {} x {}",
                other.width, other.height
            )));
        }
        let thw = [frames.len(), h, w];
        Ok((frames.into_iter().flat_map(|f| f.data).collect(), thw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_and_join_back() {
        let data: Vec<u8> = (0..2 * 3 * 4 * 3).map(|v| v as u8).collect();
        let frames = RgbImage::split_frames(&data, [2, 3, 4]).expect("sized");
        assert_eq!(frames.len(), 2);
        assert_eq!((frames[1].width, frames[1].height), (4, 3));
        assert_eq!(frames[1].data, data[36..]);
        assert_eq!(
            RgbImage::join_frames(frames).expect("one size"),
            (data.clone(), [2, 3, 4])
        );
        assert!(RgbImage::split_frames(&data, [3, 3, 4]).is_err());
        assert_eq!(
            RgbImage::split_frames(&[], [0, 3, 4]).expect("none"),
            Vec::new()
        );
        assert_eq!(
            RgbImage::join_frames(Vec::new()).expect("none"),
            (Vec::new(), [0, 0, 0])
        );
        let mixed = vec![
            RgbImage::new(1, 1, vec![0; 3]).expect("sized"),
            RgbImage::new(2, 1, vec![0; 6]).expect("sized"),
        ];
        assert!(RgbImage::join_frames(mixed).is_err());
    }
}
