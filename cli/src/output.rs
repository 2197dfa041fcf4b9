//! Output files that never look finished before they are.

use std::path::Path;

use anyhow::{Context, Result};

/// Writes `bytes` to `path` under a temporary name in the same directory (`.<name>.tmp`) and
/// renames it when complete.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file name", path.display()))?;
    let mut temporary = path.to_path_buf();
    temporary.set_file_name(format!(".{}.tmp", name.to_string_lossy()));
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .with_context(|| format!("{}: cannot write", path.display()))
}
