//! WAV files written from samples: 32-bit float, channels interleaved.

use ndarray::Array2;

use crate::error::{AudioError, Result};

/// The bytes of a WAV file of `audio` (`[channels, samples]`) at `sample_rate` Hz.
pub fn to_bytes(audio: &Array2<f32>, sample_rate: u32) -> Result<Vec<u8>> {
    let channels = u16::try_from(audio.nrows())
        .map_err(|_| AudioError::BadParameter(format!("{} channels", audio.nrows())))?;
    let spec = hound::WavSpec {
        channels,
        sample_rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let bad = |e: hound::Error| AudioError::BadParameter(format!("WAV: {e}"));
    let mut bytes = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut bytes, spec).map_err(bad)?;
    for frame in audio.columns() {
        for &sample in frame {
            writer.write_sample(sample).map_err(bad)?;
        }
    }
    writer.finalize().map_err(bad)?;
    Ok(bytes.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_read_back_interleaved() {
        let audio = Array2::from_shape_vec((2, 3), vec![0.1, 0.2, 0.3, -0.1, -0.2, -0.3]).unwrap();
        let bytes = to_bytes(&audio, 16_000).unwrap();
        let mut reader = hound::WavReader::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(reader.spec().channels, 2);
        assert_eq!(reader.spec().sample_rate, 16_000);
        let samples: Vec<f32> = reader.samples::<f32>().map(|s| s.unwrap()).collect();
        assert_eq!(samples, [0.1, -0.1, 0.2, -0.2, 0.3, -0.3]);
    }
}
