//! Reading an input's bytes: checksummed as stored, decompressed (gzip or zstd, recognised by
//! their magic bytes) on the way to the document reader.

use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::error::{CorpusError, Result};

/// How an input's bytes are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// The compression whose magic bytes start `head`.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// Size and BLAKE3 hash of the bytes an input held, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub size: u64,
    /// BLAKE3 (lower-case hex; `b3sum` prints the same).
    pub blake3: String,
}

/// Passes bytes through while hashing and counting them (and adding the count to `progress`).
pub struct HashingReader<'p, R> {
    inner: R,
    hasher: blake3::Hasher,
    size: u64,
    progress: &'p AtomicU64,
}

impl<'p, R: Read> HashingReader<'p, R> {
    /// Wraps `inner`; every byte read is also added to `progress`.
    pub fn new(inner: R, progress: &'p AtomicU64) -> Self {
        HashingReader {
            inner,
            hasher: blake3::Hasher::new(),
            size: 0,
            progress,
        }
    }

    /// Reads what is left (so that the checksum covers every byte) and returns the fingerprint.
    pub fn finish(mut self) -> std::io::Result<Fingerprint> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        Ok(Fingerprint {
            size: self.size,
            blake3: self.hasher.finalize().to_hex().to_string(),
        })
    }
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        self.progress.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Size of the read buffers.
const BUFFER_BYTES: usize = 1 << 20;

/// Runs `read` on the decompressed bytes of `raw` (compression recognised by magic bytes), then
/// reads whatever `read` left and returns the fingerprint of all raw bytes with the compression.
/// I/O errors (decompression errors included) name `path`.
pub fn with_decompressed<R: Read, T>(
    raw: HashingReader<'_, R>,
    path: &str,
    read: impl FnOnce(&mut dyn BufRead, Compression) -> Result<T>,
) -> Result<(T, Compression, Fingerprint)> {
    let mut buffered = BufReader::with_capacity(BUFFER_BYTES, raw);
    let (value, compression) = read_decompressed(&mut buffered, path, read)?;
    // Bytes still in the buffer were hashed already; the rest is hashed by `finish`.
    let fingerprint = buffered
        .into_inner()
        .finish()
        .map_err(|e| CorpusError::io(path, e))?;
    Ok((value, compression, fingerprint))
}

/// Runs `read` on the decompressed bytes of `buffered` (compression recognised by magic bytes);
/// returns its value and the compression. I/O errors (decompression errors included) name
/// `path`.
pub fn read_decompressed<T>(
    buffered: &mut dyn BufRead,
    path: &str,
    read: impl FnOnce(&mut dyn BufRead, Compression) -> Result<T>,
) -> Result<(T, Compression)> {
    let io = |e| CorpusError::io(path, e);
    let compression = Compression::sniff(buffered.fill_buf().map_err(io)?);
    let value = match compression {
        Compression::None => read(buffered, compression)?,
        Compression::Gzip => {
            let decoder = flate2::bufread::MultiGzDecoder::new(buffered);
            read(
                &mut BufReader::with_capacity(BUFFER_BYTES, decoder),
                compression,
            )?
        }
        Compression::Zstd => {
            let decoder = zstd::stream::read::Decoder::with_buffer(buffered).map_err(io)?;
            read(
                &mut BufReader::with_capacity(BUFFER_BYTES, decoder),
                compression,
            )?
        }
    };
    Ok((value, compression))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_all(data: &[u8]) -> (Vec<u8>, Compression, Fingerprint) {
        let progress = AtomicU64::new(0);
        let raw = HashingReader::new(data, &progress);
        let result = with_decompressed(raw, "in", |reader, _| {
            let mut out = Vec::new();
            reader
                .read_to_end(&mut out)
                .map_err(|e| CorpusError::io("in", e))?;
            Ok(out)
        })
        .unwrap();
        assert_eq!(progress.load(Ordering::Relaxed), data.len() as u64);
        result
    }

    #[test]
    fn plain_gzip_and_zstd_read_the_same() {
        let text = b"line one\nline two\n".repeat(1000);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&text).unwrap();
        let gz = gz.finish().unwrap();
        let zst = zstd::encode_all(&text[..], 3).unwrap();
        for (data, compression) in [
            (&text[..], Compression::None),
            (&gz[..], Compression::Gzip),
            (&zst[..], Compression::Zstd),
        ] {
            let (out, found, fingerprint) = read_all(data);
            assert_eq!(out, text);
            assert_eq!(found, compression);
            assert_eq!(fingerprint.size, data.len() as u64);
            assert_eq!(fingerprint.blake3, blake3::hash(data).to_hex().as_str());
        }
    }

    #[test]
    fn checksum_covers_bytes_left_unread() {
        let data = b"abcdef".repeat(100_000);
        let progress = AtomicU64::new(0);
        let raw = HashingReader::new(&data[..], &progress);
        let ((), _, fingerprint) = with_decompressed(raw, "in", |_, _| Ok(())).unwrap();
        assert_eq!(fingerprint.size, data.len() as u64);
        assert_eq!(fingerprint.blake3, blake3::hash(&data).to_hex().as_str());
    }
}
