//! Side-by-side comparison of omnitok, tiktoken-rs and bpe-openai on the bench inputs, in CPU
//! time (robust on a shared machine), plus omnitok's batch speed-up in wall time.
//!
//! For each input and encoding: checks that the three libraries (and omnitok's batch) give the
//! same tokens on every document, then runs `--rounds` rounds, each encoding all documents once
//! with every library in turn, then once with an omnitok loop that keeps all outputs and once
//! with `encode_ordinary_batch`, and keeps each one's best round. Prints markdown tables;
//! MB = 10^6 bytes.
//!
//! Usage: `compare [--rounds N] [--input english|multilingual]... [--encoding NAME]...
//! [--library omnitok|tiktoken-rs|bpe-openai]... [--skip-check] [--no-batch] [--cold] [--tsv]`;
//! defaults: 3 rounds, both inputs, o200k_base and cl100k_base, all libraries, with the check
//! and the batch. `--tsv` prints tab-separated lines (input, encoding, library, bytes, best CPU
//! seconds, best wall seconds) instead of tables; `compare_python.py` reads them. `--cold` runs
//! each single-thread pass on a new thread, so that no thread-local state (omnitok's cache of
//! merged pieces) survives from one pass to the next; the batch always runs on rayon's pool.
//! `--input english-once` is `en.txt` once (no repetition), for the same reason.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use omnitok_benches::cpu_time;
use omnitok_benches::inputs::{load, split_documents, Input, DOCUMENT_BYTES};
use omnitok_benches::peers::{Library, Peers, ENCODINGS};

struct Options {
    rounds: usize,
    inputs: Vec<Input>,
    encodings: Vec<String>,
    libraries: Vec<Library>,
    check: bool,
    batch: bool,
    cold: bool,
    tsv: bool,
}

fn parse() -> Result<Options, String> {
    let mut options = Options {
        rounds: 3,
        inputs: Vec::new(),
        encodings: Vec::new(),
        libraries: Vec::new(),
        check: true,
        batch: true,
        cold: false,
        tsv: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--skip-check" => options.check = false,
            "--no-batch" => options.batch = false,
            "--tsv" => options.tsv = true,
            "--cold" => options.cold = true,
            _ => {
                let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
                parse_valued(&mut options, &arg, value)?;
            }
        }
    }
    if options.inputs.is_empty() {
        options.inputs = Input::ALL.to_vec();
    }
    if options.encodings.is_empty() {
        options.encodings = ENCODINGS.iter().map(|&e| e.to_string()).collect();
    }
    if options.libraries.is_empty() {
        options.libraries = Library::ALL.to_vec();
    }
    options.rounds = options.rounds.max(1);
    Ok(options)
}

fn parse_valued(options: &mut Options, arg: &str, value: String) -> Result<(), String> {
    match arg {
        "--rounds" => options.rounds = value.parse().map_err(|e| format!("--rounds: {e}"))?,
        "--input" => options
            .inputs
            .push(Input::from_name(&value).ok_or_else(|| format!("unknown input {value:?}"))?),
        "--encoding" => options.encodings.push(value),
        "--library" => options.libraries.push(
            Library::ALL
                .into_iter()
                .find(|library| library.name() == value)
                .ok_or_else(|| format!("unknown library {value:?}"))?,
        ),
        _ => return Err(format!("unknown argument {arg:?}")),
    }
    Ok(())
}

/// Best (smallest) CPU and wall time of one library over the rounds.
#[derive(Clone, Copy)]
struct Best {
    cpu: Duration,
    wall: Duration,
}

impl Best {
    const NONE: Best = Best {
        cpu: Duration::MAX,
        wall: Duration::MAX,
    };

    fn keep(&mut self, cpu: Duration, wall: Duration) {
        self.cpu = self.cpu.min(cpu);
        self.wall = self.wall.min(wall);
    }
}

fn rate(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}

struct Row {
    input: &'static str,
    encoding: &'static str,
    bytes: usize,
    documents: usize,
    /// Per [`Library::ALL`] slot; `None` when not measured.
    single: [Option<Best>; 3],
    /// omnitok's single-thread loop that keeps all outputs, and `encode_ordinary_batch`.
    batch: Option<(Best, Best)>,
}

impl Row {
    fn single_rate(&self, library: Library) -> Option<f64> {
        let slot = Library::ALL.iter().position(|&l| l == library)?;
        self.single[slot].map(|best| rate(self.bytes, best.cpu))
    }
}

fn read_clock(clock: fn() -> Option<Duration>) -> Result<Duration, String> {
    clock().ok_or_else(|| "CPU time unavailable: no thread or process CPU clock".into())
}

/// Best single-thread times per [`Library::ALL`] slot, and the best (loop, batch) times.
type Timings = ([Option<Best>; 3], Option<(Best, Best)>);

/// One pass of `library` over `documents` on this thread: tokens, CPU time, wall time.
fn single_pass(
    peers: &Peers,
    library: Library,
    documents: &[&str],
) -> Result<(usize, Duration, Duration), String> {
    let (cpu0, wall0) = (read_clock(cpu_time::thread)?, Instant::now());
    let tokens = peers.encode_all(library, std::hint::black_box(documents));
    Ok((
        tokens,
        read_clock(cpu_time::thread)? - cpu0,
        wall0.elapsed(),
    ))
}

fn measure(peers: &Peers, documents: &[&str], options: &Options) -> Result<Timings, String> {
    let mut single = [None; 3];
    let mut batch = None;
    for round in 0..options.rounds {
        for (slot, library) in Library::ALL.into_iter().enumerate() {
            if !options.libraries.contains(&library) {
                continue;
            }
            let (tokens, cpu, wall) = if options.cold {
                std::thread::scope(|scope| {
                    scope
                        .spawn(|| single_pass(peers, library, documents))
                        .join()
                })
                .map_err(|_| format!("{} panicked", library.name()))??
            } else {
                single_pass(peers, library, documents)?
            };
            single[slot].get_or_insert(Best::NONE).keep(cpu, wall);
            eprintln!(
                "  round {round}: {:<13} {tokens} tokens, {:.3} CPU-s, {:.3} s",
                library.name(),
                cpu.as_secs_f64(),
                wall.as_secs_f64()
            );
        }
        if options.batch {
            let (looped, batched) = batch.get_or_insert((Best::NONE, Best::NONE));
            let (cpu0, wall0) = (read_clock(cpu_time::process)?, Instant::now());
            let tokens = peers.omnitok_loop(std::hint::black_box(documents));
            let (cpu, wall) = (read_clock(cpu_time::process)? - cpu0, wall0.elapsed());
            looped.keep(cpu, wall);
            eprintln!(
                "  round {round}: {:<13} {tokens} tokens, {:.3} CPU-s, {:.3} s",
                "omnitok loop",
                cpu.as_secs_f64(),
                wall.as_secs_f64()
            );
            let (cpu0, wall0) = (read_clock(cpu_time::process)?, Instant::now());
            let tokens = peers.omnitok_batch(std::hint::black_box(documents));
            let (cpu, wall) = (read_clock(cpu_time::process)? - cpu0, wall0.elapsed());
            batched.keep(cpu, wall);
            eprintln!(
                "  round {round}: {:<13} {tokens} tokens, {:.3} CPU-s (all threads), {:.3} s",
                "omnitok batch",
                cpu.as_secs_f64(),
                wall.as_secs_f64()
            );
        }
    }
    Ok((single, batch))
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{:.2}x", a / b),
        _ => "-".into(),
    }
}

fn figure(value: Option<f64>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{v:.1}"))
}

fn print_tables(rows: &[Row], rounds: usize) {
    println!("\nSingle thread, MB per CPU-second (best of {rounds} rounds):\n");
    println!(
        "| input | encoding | omnitok | tiktoken-rs | bpe-openai \
         | omnitok/tiktoken-rs | omnitok/bpe-openai |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for row in rows {
        let omnitok = row.single_rate(Library::Omnitok);
        let tiktoken = row.single_rate(Library::TiktokenRs);
        let bpe = row.single_rate(Library::BpeOpenai);
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            row.input,
            row.encoding,
            figure(omnitok),
            figure(tiktoken),
            figure(bpe),
            ratio(omnitok, tiktoken),
            ratio(omnitok, bpe)
        );
    }
    if rows.iter().all(|row| row.batch.is_none()) {
        return;
    }
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "\nomnitok encode_ordinary_batch vs a single-thread loop of encode_ordinary that also \
         keeps every output, wall clock ({threads} hardware threads):\n"
    );
    println!(
        "| input | encoding | documents | loop MB/s | batch MB/s | speed-up \
         | loop MB per CPU-s | batch MB per CPU-s |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let Some((looped, batched)) = row.batch else {
            continue;
        };
        let (loop_wall, batch_wall) = (rate(row.bytes, looped.wall), rate(row.bytes, batched.wall));
        println!(
            "| {} | {} | {} | {loop_wall:.1} | {batch_wall:.1} | {:.2}x | {:.1} | {:.1} |",
            row.input,
            row.encoding,
            row.documents,
            batch_wall / loop_wall,
            rate(row.bytes, looped.cpu),
            rate(row.bytes, batched.cpu)
        );
    }
}

/// One line per measurement: input, encoding, library, bytes, best CPU seconds, best wall seconds.
fn print_tsv(rows: &[Row]) {
    for row in rows {
        let named = Library::ALL
            .iter()
            .map(|l| l.name())
            .zip(row.single)
            .chain([
                ("omnitok-loop", row.batch.map(|(looped, _)| looped)),
                ("omnitok-batch", row.batch.map(|(_, batched)| batched)),
            ]);
        for (name, best) in named {
            if let Some(best) = best {
                println!(
                    "{}\t{}\t{name}\t{}\t{:.6}\t{:.6}",
                    row.input,
                    row.encoding,
                    row.bytes,
                    best.cpu.as_secs_f64(),
                    best.wall.as_secs_f64()
                );
            }
        }
    }
}

fn run(options: &Options) -> Result<bool, String> {
    let mut rows = Vec::new();
    let mut agree = true;
    for &input in &options.inputs {
        let text = load(input).map_err(|e| e.to_string())?;
        let documents = split_documents(&text, DOCUMENT_BYTES);
        for encoding in &options.encodings {
            let peers = Peers::load(encoding).map_err(|e| e.to_string())?;
            eprintln!(
                "{} ({} bytes, {} documents), {}",
                input.name(),
                text.len(),
                documents.len(),
                peers.encoding
            );
            if options.check {
                let mismatches = peers.mismatches(&documents);
                for mismatch in &mismatches {
                    eprintln!("  MISMATCH: {mismatch}");
                }
                if mismatches.is_empty() {
                    eprintln!("  outputs agree on all documents");
                }
                agree &= mismatches.is_empty();
            }
            let (single, batch) = measure(&peers, &documents, options)?;
            rows.push(Row {
                input: input.name(),
                encoding: peers.encoding,
                bytes: text.len(),
                documents: documents.len(),
                single,
                batch,
            });
        }
    }
    if options.tsv {
        print_tsv(&rows);
    } else {
        print_tables(&rows, options.rounds);
    }
    Ok(agree)
}

fn main() -> ExitCode {
    let options = match parse() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("compare: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("compare: outputs differ (see MISMATCH lines above)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("compare: {e}");
            ExitCode::FAILURE
        }
    }
}
