//! Output files, written by the library's [`omnitok_corpus::files`] with the CLI's errors.

use std::path::Path;

use anyhow::Result;
use omnitok_corpus::files;

/// Writes `bytes` to `path` whole or not at all ([`files::write_atomically`]).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    Ok(files::write_atomically(path, bytes)?)
}

/// An error when `output` is one of `inputs` ([`files::refuse_to_overwrite`]).
pub fn refuse_to_overwrite(output: &Path, inputs: &[&Path]) -> Result<()> {
    Ok(files::refuse_to_overwrite(output, inputs)?)
}
