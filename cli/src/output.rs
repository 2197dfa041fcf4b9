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
        .inspect_err(|_| {
            // Whatever was written under the temporary name is of no use now.
            let _ = std::fs::remove_file(&temporary);
        })
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// An error when `output` is one of `inputs` (the same file, by whatever path), which writing
/// would destroy.
pub fn refuse_to_overwrite(output: &Path, inputs: &[&Path]) -> Result<()> {
    let Ok(target) = output.canonicalize() else {
        return Ok(()); // not there yet: it cannot be an input
    };
    for input in inputs {
        if input.canonicalize().is_ok_and(|source| source == target) {
            anyhow::bail!(
                "{}: the output is an input of the same run; choose another name",
                output.display()
            );
        }
    }
    Ok(())
}
