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
