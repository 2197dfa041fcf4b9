//! End-to-end throughput of `omnitok tokenize` against the raw encode throughput of the same
//! tokenizer on the same documents.
//!
//! For each bench input (see `omnitok_benches::inputs`), repeated `--copies` times into
//! `<data>/tokenize-<input>.txt` and, as JSON Lines (`{"text": line}`), `.jsonl`:
//! - raw: a child process pinned to CPU 0 (`taskset -c 0`) encodes every non-empty line with
//!   `Tokenizer::encode_ordinary`, one after the other, in memory (file already read);
//! - 1 core: `taskset -c 0 omnitok tokenize --threads 1 --split line` on the file (reading,
//!   decoding, encoding, writing shards and the manifest, process start included), everything
//!   on one core;
//! - 1 thread: `omnitok tokenize --threads 1` not pinned: one encoding thread, with reading and
//!   writing free to run on another core;
//! - 2 threads: `omnitok tokenize --threads 2 --split line`, not pinned;
//! - raw, 2 threads: the raw encode by two threads, not pinned, each taking the next block of
//!   about 1 MB of lines (the ceiling of any two-thread tokenize on this machine).
//!
//! Rounds are interleaved and each measurement keeps its best (shortest wall time) round. Rates
//! are MB (10^6 bytes) of document text per second; the text is the same in all three.
//!
//! Usage: `tokenize_throughput [--rounds N] [--copies K] [--encoding NAME] [--omnitok PATH]`;
//! defaults 3 rounds, 8 copies, o200k_base, `<workspace>/target/release/omnitok`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use omnitok_benches::inputs::{data_dir, load, workspace_root, Input};
use omnitok_tokenizer::get_encoding;

struct Options {
    rounds: usize,
    copies: usize,
    encoding: String,
    omnitok: PathBuf,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        rounds: 3,
        copies: 8,
        encoding: "o200k_base".to_string(),
        omnitok: workspace_root().join("target/release/omnitok"),
    };
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        let number = || value.parse::<usize>().map_err(|e| format!("{arg}: {e}"));
        match arg.as_str() {
            "--rounds" => options.rounds = number()?.max(1),
            "--copies" => options.copies = number()?.max(1),
            "--encoding" => options.encoding = value,
            "--omnitok" => options.omnitok = PathBuf::from(value),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("--raw") {
        args.next();
        let (Some(file), Some(encoding), Some(threads)) = (
            args.next(),
            args.next(),
            args.next().and_then(|t| t.parse::<usize>().ok()),
        ) else {
            eprintln!("usage: tokenize_throughput --raw FILE ENCODING THREADS");
            return ExitCode::from(2);
        };
        return match raw_encode(Path::new(&file), &encoding, threads.max(1)) {
            Ok((bytes, seconds)) => {
                println!("{bytes} {seconds}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("tokenize_throughput: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match parse(args).and_then(|options| run(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tokenize_throughput: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Encodes every non-empty line of `file` on `threads` threads, each taking the next block of
/// about [`RAW_BLOCK_BYTES`] of lines; returns the text bytes and the seconds taken.
fn raw_encode(file: &Path, encoding: &str, threads: usize) -> Result<(usize, f64), String> {
    let tokenizer = get_encoding(encoding).map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let bytes = lines.iter().map(|l| l.len()).sum();
    let mut blocks = vec![0];
    let mut in_block = 0;
    for (i, line) in lines.iter().enumerate() {
        in_block += line.len();
        if in_block >= RAW_BLOCK_BYTES {
            blocks.push(i + 1);
            in_block = 0;
        }
    }
    if blocks.last() != Some(&lines.len()) {
        blocks.push(lines.len());
    }
    let next = AtomicUsize::new(0);
    let encode_blocks = || -> Result<usize, String> {
        let mut tokens = 0;
        loop {
            let block = next.fetch_add(1, Ordering::Relaxed);
            if block + 1 >= blocks.len() {
                return Ok(tokens);
            }
            for line in &lines[blocks[block]..blocks[block + 1]] {
                tokens += tokenizer
                    .encode_ordinary(line)
                    .map_err(|e| e.to_string())?
                    .len();
            }
        }
    };
    let started = Instant::now();
    let tokens = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(encode_blocks)).collect();
        let mut tokens = encode_blocks()?;
        for helper in helpers {
            tokens += helper
                .join()
                .map_err(|_| "an encoding thread panicked".to_string())??;
        }
        Ok::<usize, String>(tokens)
    })?;
    let seconds = started.elapsed().as_secs_f64();
    std::hint::black_box(tokens);
    Ok((bytes, seconds))
}

/// Text per block of lines handed to a raw-encode thread.
const RAW_BLOCK_BYTES: usize = 1 << 20;

/// A command running `program`, pinned to CPU 0 (`taskset -c 0`) or free.
fn launch(program: &Path, pinned: bool) -> Command {
    if pinned {
        let mut command = Command::new("taskset");
        command.args(["-c", "0"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Runs `command`; returns its wall time in seconds and its stdout.
fn timed(command: &mut Command) -> Result<(f64, String), String> {
    let started = Instant::now();
    let out = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok((seconds, String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// Writes `<data>/tokenize-<input>.txt` and `.jsonl` (unless they exist); returns both paths.
fn bench_files(input: Input, copies: usize) -> Result<[PathBuf; 2], String> {
    let dir = data_dir();
    let text_path = dir.join(format!("tokenize-{}-x{copies}.txt", input.name()));
    let jsonl_path = text_path.with_extension("jsonl");
    if !text_path.exists() || !jsonl_path.exists() {
        let text = load(input).map_err(|e| e.to_string())?.repeat(copies);
        let mut jsonl = String::with_capacity(text.len() + text.len() / 8);
        for line in text.lines() {
            jsonl.push_str(&serde_json::json!({ "text": line }).to_string());
            jsonl.push('\n');
        }
        let write = |path: &Path, data: &str| {
            std::fs::write(path, data).map_err(|e| format!("{}: {e}", path.display()))
        };
        write(&text_path, &text)?;
        write(&jsonl_path, &jsonl)?;
    }
    Ok([text_path, jsonl_path])
}

/// Best wall seconds of each measurement.
#[derive(Default)]
struct Best {
    raw: f64,
    raw_two_threads: f64,
    one_core: f64,
    one_thread: f64,
    two_threads: f64,
    bytes: usize,
}

fn keep_min(slot: &mut f64, value: f64) {
    if *slot == 0.0 || value < *slot {
        *slot = value;
    }
}

fn run(options: &Options) -> Result<(), String> {
    if !options.omnitok.exists() {
        return Err(format!(
            "{} not found; build it with `cargo build --release -p omnitok-cli`",
            options.omnitok.display()
        ));
    }
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let out_dir = data_dir().join("tokenize-out");
    println!(
        "| input | format | MB of text | raw encode, 1 core | tokenize, 1 core | of raw | tokenize, 1 thread | of raw | tokenize, 2 threads | vs 1 core | vs raw 1 core | raw encode, 2 threads | vs raw 1 core |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for input in Input::ALL {
        let files = bench_files(input, options.copies)?;
        let mut best = [Best::default(), Best::default()];
        for _ in 0..options.rounds {
            let raw_run = |threads: &str, pinned: bool| -> Result<(usize, f64), String> {
                let mut command = launch(&me, pinned);
                command
                    .arg("--raw")
                    .arg(&files[0])
                    .arg(&options.encoding)
                    .arg(threads);
                let (_, stdout) = timed(&mut command)?;
                let mut fields = stdout.split_whitespace();
                let bytes: usize = fields.next().and_then(|b| b.parse().ok()).unwrap_or(0);
                let seconds: f64 = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
                Ok((bytes, seconds))
            };
            let (bytes, raw) = raw_run("1", true)?;
            let (_, raw_two_threads) = raw_run("2", false)?;
            for (file, best) in files.iter().zip(best.iter_mut()) {
                best.bytes = bytes;
                keep_min(&mut best.raw, raw);
                keep_min(&mut best.raw_two_threads, raw_two_threads);
                for (threads, pinned) in [("1", true), ("1", false), ("2", false)] {
                    let _ = std::fs::remove_dir_all(&out_dir);
                    let mut command = launch(&options.omnitok, pinned);
                    command
                        .args(["tokenize", "-q", "--split", "line", "--threads", threads])
                        .args(["-e", &options.encoding, "-o"])
                        .arg(&out_dir)
                        .arg(file);
                    let (seconds, _) = timed(&mut command)?;
                    check_bytes(&out_dir, bytes)?;
                    let slot = match (threads, pinned) {
                        (_, true) => &mut best.one_core,
                        ("1", false) => &mut best.one_thread,
                        _ => &mut best.two_threads,
                    };
                    keep_min(slot, seconds);
                }
            }
        }
        let _ = std::fs::remove_dir_all(&out_dir);
        for (format, best) in ["text", "jsonl"].iter().zip(&best) {
            let mb = best.bytes as f64 / 1e6;
            let rate = |seconds: f64| mb / seconds;
            println!(
                "| {} | {format} | {mb:.0} | {:.1} MB/s | {:.1} MB/s | {:.0}% | {:.1} MB/s | {:.0}% | {:.1} MB/s | {:.2}x | {:.2}x | {:.1} MB/s | {:.2}x |",
                input.name(),
                rate(best.raw),
                rate(best.one_core),
                100.0 * best.raw / best.one_core,
                rate(best.one_thread),
                100.0 * best.raw / best.one_thread,
                rate(best.two_threads),
                best.one_core / best.two_threads,
                best.raw / best.two_threads,
                rate(best.raw_two_threads),
                best.raw / best.raw_two_threads,
            );
        }
    }
    Ok(())
}

/// Checks that the run tokenized exactly `bytes` bytes of text (so all three measure the same).
fn check_bytes(out_dir: &Path, bytes: usize) -> Result<(), String> {
    let path = out_dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let manifest: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let found = manifest["totals"]["bytes"].as_u64().unwrap_or(0) as usize;
    if found == bytes {
        Ok(())
    } else {
        Err(format!(
            "tokenize read {found} bytes of text, the raw pass {bytes}"
        ))
    }
}
