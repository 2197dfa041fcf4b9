//! Output files that never look complete before they are, and the names outputs take.
//!
//! Every file is written under a temporary name beside it (`.<name>.tmp`) and renamed once
//! whole, so that a reader (or a resumed run) never meets half a file under its final name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{CorpusError, Result};

/// The temporary name `path` is written under before it is complete: `.<name>.tmp` beside it.
pub fn temporary_path(path: &Path) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{name}.tmp"))
}

/// Writes `bytes` to `path` under its temporary name and renames it when complete. Whatever
/// was written under the temporary name is removed if writing fails.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut staged = StagedFiles::default();
    staged.stage(path, bytes, false)?;
    staged.commit()
}

/// Writes `bytes` to `path` as [`write_atomically`] does, and syncs them to the disk before the
/// rename, so that the file survives a crash whole or not at all.
pub fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut staged = StagedFiles::default();
    staged.stage(path, bytes, true)?;
    staged.commit()
}

/// `value` as pretty JSON with a final newline.
pub fn pretty_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| CorpusError::BadParameter(format!("cannot write JSON: {e}")))?;
    text.push('\n');
    Ok(text.into_bytes())
}

/// Files written under temporary names that appear under their own names together, on
/// [`commit`](Self::commit), once all of them are written; dropped before that, they are
/// removed.
#[derive(Debug, Default)]
pub struct StagedFiles {
    /// Each file's own path and the temporary path it is written under.
    staged: Vec<(PathBuf, PathBuf)>,
}

impl StagedFiles {
    /// Writes `bytes` under `path`'s temporary name, synced to the disk when `sync` is set.
    pub fn stage(&mut self, path: &Path, bytes: &[u8], sync: bool) -> Result<()> {
        if path.file_name().is_none() {
            return Err(not_a_file_name(path));
        }
        let temporary = temporary_path(path);
        // Registered first, so that a failed write is removed too.
        self.staged.push((path.to_path_buf(), temporary.clone()));
        let written = std::fs::write(&temporary, bytes).and_then(|()| {
            if sync {
                std::fs::File::open(&temporary)?.sync_all()
            } else {
                Ok(())
            }
        });
        written.map_err(|e| CorpusError::io(path.display(), e))
    }

    /// Takes in a file already written at `temporary` (for writers that choose their own file
    /// name) to appear as `path`; syncs it to the disk.
    pub fn adopt(&mut self, path: &Path, temporary: &Path) -> Result<()> {
        self.staged
            .push((path.to_path_buf(), temporary.to_path_buf()));
        std::fs::File::open(temporary)
            .and_then(|f| f.sync_all())
            .map_err(|e| CorpusError::io(path.display(), e))
    }

    /// Renames every staged file to its own name, in the order they were staged.
    pub fn commit(mut self) -> Result<()> {
        let staged = std::mem::take(&mut self.staged);
        for (index, (path, temporary)) in staged.iter().enumerate() {
            if let Err(e) = std::fs::rename(temporary, path) {
                // The files not yet renamed stay temporary: remove them.
                self.staged = staged[index..].to_vec();
                return Err(CorpusError::io(path.display(), e));
            }
        }
        Ok(())
    }
}

impl Drop for StagedFiles {
    fn drop(&mut self) {
        for (_, temporary) in &self.staged {
            let _ = std::fs::remove_file(temporary);
        }
    }
}

/// The bytes of the file at `path`; more than `max_bytes` of them is a limit error. The bound
/// is on bytes read, so that a file that never ends (`/dev/zero`) is refused too.
pub fn read_bounded(path: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    omnitok_files::read_bounded(path, max_bytes).map_err(|e| bounded_read_error(path.display(), e))
}

/// `error` of a bounded read of `path` as this crate reports it.
pub(crate) fn bounded_read_error(
    path: impl std::fmt::Display,
    error: omnitok_files::BoundedReadError,
) -> CorpusError {
    match error {
        omnitok_files::BoundedReadError::Io(source) => CorpusError::io(path, source),
        too_large => CorpusError::Limit {
            path: path.to_string(),
            line: 0,
            message: too_large.to_string(),
        },
    }
}

fn not_a_file_name(path: &Path) -> CorpusError {
    CorpusError::BadInput {
        path: path.display().to_string(),
        line: 0,
        message: "not a file name".into(),
    }
}

/// An error when `output` is one of `inputs` (the same file, by whatever path), which writing
/// would destroy.
pub fn refuse_to_overwrite(output: &Path, inputs: &[&Path]) -> Result<()> {
    let Ok(target) = output.canonicalize() else {
        return Ok(()); // not there yet: it cannot be an input
    };
    if inputs
        .iter()
        .any(|input| input.canonicalize().is_ok_and(|source| source == target))
    {
        return Err(CorpusError::output_dir(
            output.display(),
            "the output is an input of the same run; choose another name",
        ));
    }
    Ok(())
}

/// The stem an input's outputs are named by: its file name up to the first dot.
pub fn output_stem(input: &Path) -> Result<String> {
    let name = input.file_name().ok_or_else(|| not_a_file_name(input))?;
    let name = name.to_string_lossy();
    Ok(name.split('.').next().unwrap_or_default().to_owned())
}

/// Each input under its output stem ([`output_stem`]), in stem order; two inputs that would
/// share a stem are an error naming the file `<stem>.<extension>` they would both write.
pub fn output_stems<'a>(
    inputs: &'a [PathBuf],
    extension: &str,
) -> Result<BTreeMap<String, &'a PathBuf>> {
    let mut stems = BTreeMap::new();
    for input in inputs {
        let stem = output_stem(input)?;
        if let Some(other) = stems.insert(stem.clone(), input) {
            return Err(CorpusError::OutputName {
                first: other.display().to_string(),
                second: input.display().to_string(),
                name: format!("{stem}.{extension}"),
            });
        }
    }
    Ok(stems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("omnitok-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn files_appear_whole_and_together_or_not_at_all() {
        let dir = scratch("staged");
        write_atomically(&dir.join("a.json"), b"{}").unwrap();
        write_synced(&dir.join("b.json"), b"[]").unwrap();
        assert_eq!(listing(&dir), ["a.json", "b.json"]);
        assert_eq!(std::fs::read(dir.join("b.json")).unwrap(), b"[]");

        let mut staged = StagedFiles::default();
        staged.stage(&dir.join("c"), b"c", true).unwrap();
        staged.stage(&dir.join("d"), b"d", false).unwrap();
        assert_eq!(listing(&dir), [".c.tmp", ".d.tmp", "a.json", "b.json"]);
        drop(staged);
        assert_eq!(listing(&dir), ["a.json", "b.json"]);

        let mut staged = StagedFiles::default();
        staged.stage(&dir.join("c"), b"c", true).unwrap();
        staged.commit().unwrap();
        assert_eq!(listing(&dir), ["a.json", "b.json", "c"]);

        let error = write_atomically(&dir.join("missing").join("e"), b"e").unwrap_err();
        assert!(error.to_string().contains("missing/e"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A disk that fills up while files are staged (a temporary name that leads to /dev/full,
    /// where every write fails with "no space left on device") leaves no temporary file behind,
    /// so that a second try finds the folder as it was.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_leaves_no_temporary_files() {
        let dir = scratch("full");
        let mut staged = StagedFiles::default();
        staged.stage(&dir.join("first.json"), b"{}", true).unwrap();
        std::os::unix::fs::symlink("/dev/full", temporary_path(&dir.join("second.json"))).unwrap();
        let error = staged
            .stage(&dir.join("second.json"), b"[1, 2, 3]", true)
            .unwrap_err();
        assert!(error.to_string().contains("second.json"), "{error}");
        assert!(error.to_string().contains("No space left"), "{error}");
        drop(staged);
        assert_eq!(listing(&dir), Vec::<String>::new());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn outputs_are_named_by_stem_and_must_not_collide() {
        let inputs = vec![PathBuf::from("x/a.wav"), PathBuf::from("y/b.tar.gz")];
        let stems = output_stems(&inputs, "npy").unwrap();
        assert_eq!(stems.keys().collect::<Vec<_>>(), ["a", "b"]);
        let clash = vec![PathBuf::from("x/a.wav"), PathBuf::from("y/a.flac")];
        let error = output_stems(&clash, "npy").unwrap_err().to_string();
        assert_eq!(error, "x/a.wav and y/a.flac would both be written as a.npy");
        assert!(output_stem(Path::new("/")).is_err());
    }

    #[test]
    fn reads_are_bounded_by_the_bytes_read() {
        let dir = scratch("bounded");
        let path = dir.join("five");
        std::fs::write(&path, "12345").unwrap();
        assert_eq!(read_bounded(&path, 5).unwrap(), b"12345");
        let error = read_bounded(&path, 4).unwrap_err();
        assert!(matches!(error, CorpusError::Limit { .. }), "{error}");
        assert!(error.to_string().contains("five"), "{error}");
        if Path::new("/dev/zero").exists() {
            let error = read_bounded(Path::new("/dev/zero"), 1 << 20).unwrap_err();
            assert!(matches!(error, CorpusError::Limit { .. }), "{error}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_output_that_is_an_input_is_refused() {
        let dir = scratch("overwrite");
        let input = dir.join("in.txt");
        std::fs::write(&input, "x").unwrap();
        let error = refuse_to_overwrite(&dir.join(".").join("in.txt"), &[&input]).unwrap_err();
        assert!(error.to_string().contains("the output is an input"));
        refuse_to_overwrite(&dir.join("out.txt"), &[&input]).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
