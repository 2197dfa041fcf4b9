//! A small workload for profilers (callgrind, perf): encodes the first `--bytes` of a bench input
//! with omnitok, `--repeat` times, and prints the time the load and the encoding took.
//!
//! Usage: `profile_encode [--input english|multilingual] [--encoding NAME] [--bytes N]
//! [--repeat N] [--breakdown]`; defaults: english, o200k_base, 2000000, 1.
//!
//! `--breakdown` also times the stages through omnitok's public API: pretokenization alone,
//! pretokenization plus the whole-piece vocabulary lookup, and the full encode, warm (on a thread
//! that has encoded the text, so omnitok's per-thread cache of merged pieces holds them) and
//! cold (on a new thread); the differences are the cost of the lookup and of the merge loop. It prints the piece statistics that explain
//! them (pieces, lengths, whole-piece hits, merges the loop performs).

use std::process::ExitCode;
use std::time::Instant;

use omnitok_benches::inputs::{load, split_documents, Input};

struct Options {
    input: Input,
    encoding: String,
    bytes: usize,
    repeat: usize,
    breakdown: bool,
}

fn parse() -> Result<Options, String> {
    let mut options = Options {
        input: Input::English,
        encoding: "o200k_base".into(),
        bytes: 2_000_000,
        repeat: 1,
        breakdown: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--breakdown" {
            options.breakdown = true;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--input" => {
                options.input =
                    Input::from_name(&value).ok_or_else(|| format!("unknown input {value:?}"))?;
            }
            "--encoding" => options.encoding = value,
            "--bytes" => options.bytes = value.parse().map_err(|e| format!("--bytes: {e}"))?,
            "--repeat" => options.repeat = value.parse().map_err(|e| format!("--repeat: {e}"))?,
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("profile_encode: {e}");
            return ExitCode::from(2);
        }
    };
    let text = match load(options.input) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("profile_encode: {e}");
            return ExitCode::FAILURE;
        }
    };
    let sample = split_documents(&text, options.bytes)
        .first()
        .copied()
        .unwrap_or("");
    let started = Instant::now();
    let tokenizer = match omnitok_tokenizer::get_encoding(&options.encoding) {
        Ok(tokenizer) => tokenizer,
        Err(e) => {
            eprintln!("profile_encode: {e}");
            return ExitCode::FAILURE;
        }
    };
    let loaded = started.elapsed();
    let started = Instant::now();
    let mut tokens = 0;
    for _ in 0..options.repeat {
        match tokenizer.encode_ordinary(std::hint::black_box(sample)) {
            Ok(ids) => tokens += ids.len(),
            Err(e) => {
                eprintln!("profile_encode: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let encoded = started.elapsed();
    let megabytes = (sample.len() * options.repeat) as f64 / 1e6;
    println!(
        "{} {}: load {:.3} s; encode {} bytes x{} -> {tokens} tokens in {:.3} s ({:.1} MB/s)",
        options.input.name(),
        options.encoding,
        loaded.as_secs_f64(),
        sample.len(),
        options.repeat,
        encoded.as_secs_f64(),
        megabytes / encoded.as_secs_f64()
    );
    if options.breakdown {
        if let Err(e) = breakdown(&tokenizer, sample, options.repeat.max(1)) {
            eprintln!("profile_encode: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// Piece statistics of `text`.
#[derive(Default)]
struct Pieces {
    count: usize,
    /// Pieces by length: 1, 2-4, 5-8, 9-16, 17-32, 33-64, over 64 bytes.
    by_length: [usize; 7],
    /// Pieces (and their bytes) that are a token themselves.
    whole: usize,
    whole_bytes: usize,
    /// Pieces that go through the merge loop, their bytes, and the tokens they become.
    merged: usize,
    merged_bytes: usize,
    merged_tokens: usize,
    /// Σ n² over merged pieces (the array scan is quadratic in the piece length).
    merged_bytes_squared: u64,
}

fn length_bucket(n: usize) -> usize {
    match n {
        0..=1 => 0,
        2..=4 => 1,
        5..=8 => 2,
        9..=16 => 3,
        17..=32 => 4,
        33..=64 => 5,
        _ => 6,
    }
}

fn breakdown(
    tokenizer: &omnitok_tokenizer::Tokenizer,
    text: &str,
    repeat: usize,
) -> omnitok_tokenizer::Result<()> {
    let (Some(pretokenizer), Some(model)) = (tokenizer.pretokenizer(), tokenizer.model()) else {
        return Err(omnitok_tokenizer::TokenizerError::BadParameter(
            "the breakdown profiles byte-level BPE tokenizers only".into(),
        ));
    };
    let bytes = text.as_bytes();

    let mut stats = Pieces::default();
    let mut distinct = std::collections::HashSet::new();
    pretokenizer.for_each_piece(text, |s, e| {
        let n = e - s;
        stats.count += 1;
        stats.by_length[length_bucket(n)] += 1;
        if model.whole_piece_first() && model.token(&bytes[s..e]).is_some() {
            stats.whole += 1;
            stats.whole_bytes += n;
        } else {
            stats.merged += 1;
            stats.merged_bytes += n;
            stats.merged_bytes_squared += (n * n) as u64;
            distinct.insert(&bytes[s..e]);
        }
    })?;
    let tokens = tokenizer.encode_ordinary(text)?.len();
    stats.merged_tokens = tokens - stats.whole;

    let time = |f: &mut dyn FnMut() -> omnitok_tokenizer::Result<usize>| {
        let started = Instant::now();
        let mut sink = 0;
        for _ in 0..repeat {
            sink += f()?;
        }
        std::hint::black_box(sink);
        Ok::<_, omnitok_tokenizer::TokenizerError>(started.elapsed().as_secs_f64() / repeat as f64)
    };
    let pretokenize = time(&mut || {
        let mut n = 0;
        pretokenizer.for_each_piece(std::hint::black_box(text), |s, e| n += e - s)?;
        Ok(n)
    })?;
    let lookup = time(&mut || {
        let mut n = 0;
        pretokenizer.for_each_piece(std::hint::black_box(text), |s, e| {
            n += model.token(&bytes[s..e]).map_or(0, |t| t as usize);
        })?;
        Ok(n)
    })?;
    // Warm: this thread has encoded the text before, so its cache of merged pieces is full.
    let full = time(&mut || {
        tokenizer
            .encode_ordinary(std::hint::black_box(text))
            .map(|ids| ids.len())
    })?;
    // Cold: each encode on a new thread, with an empty cache.
    let cold = time(&mut || {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    tokenizer
                        .encode_ordinary(std::hint::black_box(text))
                        .map(|ids| ids.len())
                })
                .join()
        })
        .unwrap_or(Ok(0))
    })?;

    let merges = stats.merged_bytes - stats.merged_tokens;
    println!(
        "pieces: {} (mean {:.1} bytes); by length 1 / 2-4 / 5-8 / 9-16 / 17-32 / 33-64 / >64: {:?}",
        stats.count,
        text.len() as f64 / stats.count as f64,
        stats.by_length
    );
    println!(
        "whole-piece tokens: {} pieces ({:.1}% of pieces, {:.1}% of bytes)",
        stats.whole,
        100.0 * stats.whole as f64 / stats.count as f64,
        100.0 * stats.whole_bytes as f64 / text.len() as f64
    );
    println!(
        "merge loop: {} pieces ({} distinct), {} bytes (mean {:.1}, mean n^2 {:.0}) -> {} tokens: \
         {} merges; a merge loop over the pieces' bytes needs {} lookups of byte pairs (its first \
         pass) and up to {} lookups of other pairs (the merged token with its two new \
         neighbours, 2 per merge), {:.2} per input byte",
        stats.merged,
        distinct.len(),
        stats.merged_bytes,
        stats.merged_bytes as f64 / stats.merged.max(1) as f64,
        stats.merged_bytes_squared as f64 / stats.merged.max(1) as f64,
        stats.merged_tokens,
        merges,
        stats.merged_bytes - stats.merged,
        2 * merges,
        (2 * merges) as f64 / text.len() as f64
    );
    let ns_per_byte = |seconds: f64| seconds * 1e9 / text.len() as f64;
    println!(
        "wall time per input byte, mean of {repeat}: pretokenize {:.2} ns, \
         + whole-piece lookup {:.2} ns, + merge loop and output {:.2} ns = encode {:.2} ns \
         ({:.1} MB/s) on a thread that has encoded the text before; {:.2} ns ({:.1} MB/s) \
         on a new thread (merge loop {:.2} ns)",
        ns_per_byte(pretokenize),
        ns_per_byte(lookup - pretokenize),
        ns_per_byte(full - lookup),
        ns_per_byte(full),
        text.len() as f64 / 1e6 / full,
        ns_per_byte(cold),
        text.len() as f64 / 1e6 / cold,
        ns_per_byte(cold - lookup),
    );
    for (name, total) in [("warm", full), ("cold", cold)] {
        println!(
            "shares ({name}): pretokenize {:.0}%, whole-piece lookup {:.0}%, merge loop {:.0}%",
            100.0 * pretokenize / total,
            100.0 * (lookup - pretokenize) / total,
            100.0 * (total - lookup) / total
        );
    }
    Ok(())
}
