//! Reading untrusted input within a bound, and decoding it without a decoder's panic ending the
//! program.
//!
//! A size the file system reports is not a bound: `/dev/zero`, a pipe or a growing file report
//! none or a wrong one. Every read here stops one byte past the limit, so that input over it is
//! refused after at most that many bytes, whatever the file is. Each omnitok crate turns a
//! [`BoundedReadError`] into its own error, naming the file and what kind of file it is.

use std::cell::Cell;
use std::io::Read;
use std::path::Path;
use std::sync::Once;

/// Why a bounded read gave no bytes.
#[derive(Debug, thiserror::Error)]
pub enum BoundedReadError {
    /// Opening or reading failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The input holds more than `max_bytes` bytes: `size` of them, where the file system
    /// says so for a regular file.
    #[error("{}over the limit of {max_bytes} bytes", size.map_or(String::new(), |size| format!("{size} bytes is ")))]
    TooLarge { size: Option<u64>, max_bytes: u64 },
}

/// All the bytes of `reader`, when there are at most `max_bytes` of them.
pub fn read_to_end_bounded(reader: impl Read, max_bytes: u64) -> Result<Vec<u8>, BoundedReadError> {
    let mut bytes = Vec::new();
    reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(BoundedReadError::TooLarge {
            size: None,
            max_bytes,
        });
    }
    Ok(bytes)
}

/// A reader that fails once more than `max_bytes` bytes would come through it, for input read
/// as a stream (a decompressed file). The failure is an [`std::io::Error`] holding
/// [`BoundedReadError::TooLarge`]; [`BoundedReadError::from_io`] takes it back out.
pub struct BoundedReader<R> {
    inner: R,
    left: u64,
    max_bytes: u64,
}

impl<R: Read> BoundedReader<R> {
    /// `inner`, bounded to `max_bytes` bytes.
    pub fn new(inner: R, max_bytes: u64) -> Self {
        Self {
            inner,
            left: max_bytes,
            max_bytes,
        }
    }
}

impl<R: Read> Read for BoundedReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        // One byte more than is left tells input over the limit.
        let wanted = usize::try_from(self.left.saturating_add(1))
            .unwrap_or(usize::MAX)
            .min(buffer.len());
        let read = self.inner.read(&mut buffer[..wanted])?;
        if read as u64 > self.left {
            return Err(std::io::Error::other(BoundedReadError::TooLarge {
                size: None,
                max_bytes: self.max_bytes,
            }));
        }
        self.left -= read as u64;
        Ok(read)
    }
}

impl BoundedReadError {
    /// The error a [`BoundedReader`] failed with, or `error` itself as [`BoundedReadError::Io`].
    pub fn from_io(error: std::io::Error) -> Self {
        if !error
            .get_ref()
            .is_some_and(|inner| inner.is::<BoundedReadError>())
        {
            return BoundedReadError::Io(error);
        }
        match error
            .into_inner()
            .map(|inner| inner.downcast::<BoundedReadError>())
        {
            Some(Ok(bounded)) => *bounded,
            // Not reached: the check above saw a BoundedReadError inside.
            _ => BoundedReadError::Io(std::io::Error::other("a bounded read failed")),
        }
    }
}

/// The bytes of the file at `path`, when there are at most `max_bytes` of them. A regular file
/// whose size is over the limit is refused before it is read.
pub fn read_bounded(path: &Path, max_bytes: u64) -> Result<Vec<u8>, BoundedReadError> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > max_bytes {
        return Err(BoundedReadError::TooLarge {
            size: Some(size),
            max_bytes,
        });
    }
    read_to_end_bounded(file, max_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounded_reader_fails_past_its_limit_and_says_so() {
        let mut exact = Vec::new();
        BoundedReader::new(&b"12345"[..], 5)
            .read_to_end(&mut exact)
            .unwrap();
        assert_eq!(exact, b"12345");
        let mut over = Vec::new();
        let error = BoundedReader::new(&b"123456"[..], 5)
            .read_to_end(&mut over)
            .unwrap_err();
        assert!(over.len() <= 5);
        let error = BoundedReadError::from_io(error);
        assert!(matches!(
            error,
            BoundedReadError::TooLarge { max_bytes: 5, .. }
        ));
        let plain = BoundedReadError::from_io(std::io::Error::other("disk"));
        assert!(matches!(plain, BoundedReadError::Io(_)));
    }

    #[test]
    fn reads_stop_one_byte_past_the_limit() {
        let bytes = read_to_end_bounded(&b"abc"[..], 3).unwrap_or_default();
        assert_eq!(bytes, b"abc");
        let error = read_to_end_bounded(&b"abcd"[..], 3).expect_err("over");
        assert!(matches!(
            error,
            BoundedReadError::TooLarge {
                size: None,
                max_bytes: 3
            }
        ));
        // An endless reader is refused after max_bytes + 1 bytes.
        let error = read_to_end_bounded(std::io::repeat(0), 1 << 20).expect_err("endless");
        assert_eq!(error.to_string(), "over the limit of 1048576 bytes");
    }

    #[test]
    fn files_are_bounded_by_what_is_read() {
        let dir = std::env::temp_dir().join(format!("omnitok-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("five");
        std::fs::write(&path, b"12345").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read_bounded(&path, 5).unwrap_or_default(), b"12345");
        let error = read_bounded(&path, 4).expect_err("over");
        assert_eq!(error.to_string(), "5 bytes is over the limit of 4 bytes");
        assert!(matches!(
            read_bounded(&dir.join("missing"), 4),
            Err(BoundedReadError::Io(_))
        ));
        #[cfg(unix)]
        assert!(matches!(
            read_bounded(Path::new("/dev/zero"), 1 << 16),
            Err(BoundedReadError::TooLarge { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }
}

thread_local! {
    /// Whether a panic on this thread is being caught by [`catch_decoder_panic`].
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `decode`, a third-party decoder working on untrusted bytes, turning a panic in it into
/// `Err(reason)` without the panic hook's message on stderr: the caller reports the input as
/// malformed. (Some decoders assert on malformed headers, or report errors by panicking.)
/// Panics elsewhere, and on other threads, still reach the hook that was installed before.
pub fn catch_decoder_panic<T>(decode: impl FnOnce() -> T) -> Result<T, String> {
    static QUIET_HOOK: Once = Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CATCHING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was_catching = CATCHING.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode));
    CATCHING.with(|c| c.set(was_catching));
    result.map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the decoder failed".into())
    })
}
