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
//!
//! `tokenize_throughput --floor FILE ENCODING [ROUNDS]` measures, in CPU time, the work any
//! `omnitok tokenize --split line` of FILE has to do besides encoding (loading the tokenizer,
//! reading the file, its BLAKE3 for the manifest, finding line ends and checking UTF-8, writing
//! the IDs and the index), next to the raw encode, and prints what that leaves of the
//! throughput targets' budgets.

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
    if args.peek().map(String::as_str) == Some("--floor") {
        args.next();
        let (Some(file), Some(encoding)) = (args.next(), args.next()) else {
            eprintln!("usage: tokenize_throughput --floor FILE ENCODING [ROUNDS]");
            return ExitCode::from(2);
        };
        let rounds = args
            .next()
            .and_then(|r| r.parse::<usize>().ok())
            .unwrap_or(3);
        return match floor(Path::new(&file), &encoding, rounds.max(1)) {
            Ok(()) => ExitCode::SUCCESS,
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

/// Seconds of this thread's CPU time (user and system) that `work` takes.
fn thread_cpu<T>(work: impl FnOnce() -> T) -> (T, f64) {
    let started = cpu_time::ThreadTime::now();
    let value = work();
    (value, started.elapsed().as_secs_f64())
}

/// The work besides encoding, each part alone on this thread (best of `rounds`), against the
/// raw encode of the same lines; then what the targets leave for it.
fn floor(file: &Path, encoding: &str, rounds: usize) -> Result<(), String> {
    // The tokenizer is loaded once per process (and then cached): the first load is the one.
    let (wall, process) = (Instant::now(), cpu_time::ProcessTime::now());
    let tokenizer = get_encoding(encoding).map_err(|e| e.to_string())?;
    let (load_wall, load_cpu) = (
        wall.elapsed().as_secs_f64(),
        process.elapsed().as_secs_f64(),
    );
    let text = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut best = [f64::MAX; 5];
    let mut sizes = (0usize, 0usize, 0usize, 0usize);
    for _ in 0..rounds {
        // Into one reused buffer: the kernel's copy out of the page cache.
        let (read_bytes, read) = thread_cpu(|| -> Result<usize, String> {
            use std::io::Read;
            let mut input =
                std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
            let mut buffer = vec![0u8; 1 << 20];
            let mut total = 0;
            loop {
                let n = input.read(&mut buffer).map_err(|e| e.to_string())?;
                if n == 0 {
                    return Ok(total);
                }
                total += n;
            }
        });
        std::hint::black_box(read_bytes?);
        let (hash, hashing) = thread_cpu(|| blake3::hash(&text));
        std::hint::black_box(hash);
        let (lines, splitting) = thread_cpu(|| {
            let mut lines = 0;
            for block in text.chunks(1 << 20) {
                std::hint::black_box(simdutf8::basic::from_utf8(block).is_ok());
                lines += memchr::memchr_iter(b'\n', block).count();
            }
            lines
        });
        let text = std::str::from_utf8(&text).map_err(|e| e.to_string())?;
        let ((tokens, documents), encoding_cpu) = thread_cpu(|| {
            let (mut tokens, mut documents) = (0, 0);
            for line in text.lines().filter(|l| !l.is_empty()) {
                tokens += tokenizer.encode_ordinary(line).map_or(0, |ids| ids.len());
                documents += 1;
            }
            (tokens, documents)
        });
        // The IDs as u32 and the index as u64, in 32 MiB writes, as the shard writer does.
        let out = data_dir().join("tokenize-floor.tmp");
        let mut written_bytes = 0;
        let (written, writing) = thread_cpu(|| -> std::io::Result<()> {
            use std::io::Write;
            let mut output = std::fs::File::create(&out)?;
            let piece = vec![7u8; 32 << 20];
            let mut left = 4 * tokens + 8 * (documents + 1);
            written_bytes = left;
            while left > 0 {
                let n = left.min(piece.len());
                output.write_all(&piece[..n])?;
                left -= n;
            }
            output.sync_data()
        });
        let _ = std::fs::remove_file(&out);
        written.map_err(|e| format!("{}: {e}", out.display()))?;
        sizes = (text.len(), lines, tokens, written_bytes);
        let parts = [read, hashing, splitting, writing, encoding_cpu];
        for (slot, value) in best.iter_mut().zip(parts) {
            *slot = slot.min(value);
        }
    }
    let [read, hashing, splitting, writing, raw] = best;
    let (bytes, lines, tokens, written_bytes) = sizes;
    println!("{bytes} bytes, {lines} lines, {tokens} tokens; CPU seconds, best of {rounds}:");
    println!("raw encode, one thread: {raw:.3}");
    println!("load {encoding} (once): {load_cpu:.3} ({load_wall:.3} wall)");
    println!("read the file: {read:.3}");
    println!("BLAKE3 of the file: {hashing:.3}");
    println!("line ends and UTF-8 check: {splitting:.3}");
    println!("write IDs and index ({written_bytes} bytes): {writing:.3}");
    let besides = read + hashing + splitting + writing;
    let one_core_budget = raw / 0.9 - raw;
    println!(
        "one core, 90% of raw: {one_core_budget:.3} allowed besides encoding; the floor takes {:.3}, \
         leaving {:.3} for everything else",
        load_cpu + besides,
        one_core_budget - load_cpu - besides
    );
    let two_core_wall = raw / 1.8;
    let floor_wall = load_wall + (raw + besides) / 2.0;
    println!(
        "two cores, 1.8x raw: {two_core_wall:.3} s wall allowed; loading, then the encode and the \
         floor shared perfectly by both cores: {floor_wall:.3} s, leaving {:.3} CPU-s for everything else",
        2.0 * (two_core_wall - floor_wall)
    );
    Ok(())
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
