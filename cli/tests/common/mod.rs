//! Helpers shared by the CLI tests: running the binary, temporary folders.

// Not every test file uses every helper.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `omnitok args...` with `stdin` as its input.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_omnitok"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that fails before reading its input closes the pipe early; that is fine here.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

/// stdout of a run that must succeed.
pub fn ok(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let out = run(args, stdin);
    assert!(
        out.status.success(),
        "omnitok {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// stderr of a run that must fail with exit code 1 and print nothing on stdout.
pub fn fails(args: &[&str], stdin: &[u8]) -> String {
    let out = run(args, stdin);
    assert_eq!(out.status.code(), Some(1), "omnitok {args:?}: {out:?}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("omnitok: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// A fresh, empty folder under the system temp folder, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("omnitok-cli-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// The path of `name` inside the folder.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }

    pub fn file(&self, name: &str, contents: &[u8]) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path.to_str().unwrap().to_string()
    }
}

/// Files by name, with their bytes.
pub type Files = Vec<(String, Vec<u8>)>;

/// Every file directly in `dir`, by name, with its bytes.
pub fn all_files(dir: &std::path::Path) -> Files {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Runs `omnitok args... -o DIR/whole -` on `input` to the end; then `omnitok args... -o
/// DIR/killed -`, killed (kill -9) once `killed/<shard>` exists while half its input is written
/// (so it cannot have finished), refused without `--resume`, and resumed. Returns the files of
/// both output directories, and how many files the killed run had left.
pub fn kill_and_resume(
    dir: &TempDir,
    args: &[&str],
    input: &[u8],
    shard: &str,
) -> (Files, Files, usize) {
    let bin = env!("CARGO_BIN_EXE_omnitok");
    let spawn = |extra: &[&str]| {
        std::process::Command::new(bin)
            .args(args)
            .args(extra)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let whole = dir.0.join("whole");
    let mut child = spawn(&["-o", whole.to_str().unwrap(), "-"]);
    child.stdin.take().unwrap().write_all(input).unwrap();
    assert!(child.wait().unwrap().success());

    let killed = dir.0.join("killed");
    let mut child = spawn(&["-o", killed.to_str().unwrap(), "-"]);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&input[..input.len() / 2]).unwrap();
    stdin.flush().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while !killed.join(shard).exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("{shard} was not written within 300 s (the run never got that far)");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert!(!killed.join("manifest.json").exists());
    let left = std::fs::read_dir(&killed).unwrap().count();

    // Without --resume the directory is refused; with it, the run completes.
    let stderr = fails(
        &[args, &["-o", killed.to_str().unwrap(), "-"]].concat(),
        b"",
    );
    assert!(stderr.contains("--resume"), "{stderr}");
    let mut child = spawn(&["--resume", "-o", killed.to_str().unwrap(), "-"]);
    child.stdin.take().unwrap().write_all(input).unwrap();
    assert!(child.wait().unwrap().success());
    (all_files(&whole), all_files(&killed), left)
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes `docs` as a Parquet file with columns `id` and `meta` (a struct with `body`).
pub fn write_parquet(path: &std::path::Path, docs: &[String]) {
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, StructArray};
    use arrow_schema::{DataType, Field};
    use std::sync::Arc;
    let body: ArrayRef = Arc::new(StringArray::from(docs.to_vec()));
    let meta = StructArray::from(vec![(
        Arc::new(Field::new("body", DataType::Utf8, false)),
        body,
    )]);
    let ids: ArrayRef = Arc::new(Int64Array::from_iter_values(0..docs.len() as i64));
    let batch =
        RecordBatch::try_from_iter([("id", ids), ("meta", Arc::new(meta) as ArrayRef)]).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// `bytes` gzip-compressed.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}
