//! `omnitok tokenize`: tokenize corpora into shards of token IDs with a manifest.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;
use indicatif::{HumanBytes, HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};
use omnitok_corpus::tokenize::{
    self, Manifest, OutputFormat, TokenizeOptions, TokenizeOutcome, TokenizeProgress,
    DEFAULT_EOT_TOKEN, DEFAULT_SHARD_TOKENS,
};

use crate::choice::choice;

use crate::corpus_args::CorpusArgs;
use crate::input::TokenizerArgs;
use crate::progress::while_showing;

/// Tokenize corpora into shards of a flat token stream, with a document index and a manifest.
///
/// Inputs are files, directories (every file under them, recursively, sorted; names starting
/// with `.` are left out) and `-` for stdin: UTF-8 text, JSON Lines (--field) or Parquet
/// (--column), each plain, gzip or zstd. Documents are encoded in parallel and written in input
/// order: the output is byte-identical for any --threads. Memory stays bounded: about
/// 4 × threads × 1 MiB of text in flight, plus the largest document.
///
/// OUTDIR gets shard-NNNNN.bin (token IDs, little-endian u16 when the vocabulary has at most
/// 65,536 IDs, else u32) with shard-NNNNN.idx (u64 token offsets of document boundaries), or
/// .npy / .jsonl with --format; and manifest.json, written last. Shards are written under
/// temporary names and renamed when complete. After an interruption, run the same command with
/// --resume to continue from the last complete shard.
///
/// Special tokens' strings in the text are encoded as ordinary text unless --allow-special.
#[derive(Args, Debug)]
pub struct TokenizeArgs {
    #[command(flatten)]
    pub tokenizer: TokenizerArgs,

    #[command(flatten)]
    pub corpus: CorpusArgs,

    #[command(flatten)]
    pub output: ShardArgs,

    /// Encode special tokens' strings in the text as the special tokens.
    #[arg(long)]
    pub allow_special: bool,

    /// Inputs: files, directories, `-` for stdin.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
}

/// Where and how `tokenize` and `mux` write shards.
#[derive(Args, Debug)]
pub struct ShardArgs {
    /// Output directory (created; must be new or empty unless --resume).
    #[arg(short, long = "output", value_name = "OUTDIR")]
    pub output: PathBuf,

    /// Append the end-of-text token (--eot-token) after each document.
    #[arg(long)]
    pub append_eot: bool,

    /// The special token --append-eot appends.
    #[arg(long, value_name = "TOKEN", default_value = DEFAULT_EOT_TOKEN)]
    pub eot_token: String,

    /// Output format.
    #[arg(long, value_parser = choice::<OutputFormat>(), default_value_t)]
    pub format: OutputFormat,

    /// Start a new shard before a document that would take the current one past this many
    /// tokens (a shard always holds whole documents).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SHARD_TOKENS)]
    pub shard_tokens: u64,

    /// Encoding threads (default: all cores).
    #[arg(long, value_name = "N", value_parser = crate::thread_count)]
    pub threads: Option<usize>,

    /// Continue the interrupted run in OUTDIR (same command, same inputs).
    #[arg(long)]
    pub resume: bool,

    /// No progress and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

impl ShardArgs {
    /// Encoding threads: --threads, or all cores.
    pub fn threads(&self) -> usize {
        self.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        })
    }
}

/// Runs `omnitok tokenize`.
pub fn run(args: &TokenizeArgs) -> Result<()> {
    let tokenizer = args.tokenizer.load()?;
    let tokenizer_name = match &args.tokenizer.tokenizer {
        Some(path) => path.display().to_string(),
        None => args.tokenizer.encoding.clone(),
    };
    let output = &args.output;
    let options = TokenizeOptions {
        tokenizer,
        tokenizer_name,
        inputs: args.inputs.clone(),
        selection: args.corpus.selection(),
        read: args.corpus.read_options(None),
        output_dir: output.output.clone(),
        format: output.format,
        shard_tokens: output.shard_tokens,
        append_eot: output.append_eot.then(|| output.eot_token.clone()),
        allow_special: args.allow_special,
        threads: output.threads(),
        resume: output.resume,
        multimodal: None,
    };
    run_with_progress(&options, output.quiet, "tokenize").map(drop)
}

/// Runs `options` with progress on stderr (unless `quiet`) and a summary at the end; `command`
/// names the command in plain progress lines.
pub fn run_with_progress(
    options: &TokenizeOptions,
    quiet: bool,
    command: &str,
) -> Result<TokenizeOutcome> {
    let progress = TokenizeProgress::default();
    let started = Instant::now();
    let outcome = while_showing(
        quiet,
        |done| show_progress(&progress, done, command),
        || tokenize::tokenize(options, &progress),
    )?;
    if !quiet {
        let elapsed = started.elapsed();
        match &outcome {
            TokenizeOutcome::Finished(manifest) => {
                summarize(manifest, &options.output_dir, elapsed)
            }
            TokenizeOutcome::AlreadyFinished(_) => eprintln!(
                "{}: already complete (manifest.json is there); nothing to do",
                options.output_dir.display()
            ),
        }
    }
    Ok(outcome)
}

/// Prints a summary line, and a line about input errors if there were any.
fn summarize(manifest: &Manifest, dir: &std::path::Path, elapsed: Duration) {
    let totals = &manifest.totals;
    let seconds = elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "{} documents, {} of text, {} tokens in {} shard(s) in {} ({:.1} s, {}/s, {:.0} tokens/s)",
        totals.documents,
        HumanBytes(totals.bytes),
        totals.tokens,
        totals.shards,
        dir.display(),
        seconds,
        HumanBytes((totals.bytes as f64 / seconds) as u64),
        totals.tokens as f64 / seconds,
    );
    for (kind, totals) in manifest.modalities.iter().flatten() {
        let rate = match (totals.tokens_per_second, totals.tokens_per_item) {
            (Some(rate), _) => format!(", {rate:.1} tokens/s"),
            (None, Some(per)) => format!(", {per:.1} tokens each"),
            _ => String::new(),
        };
        eprintln!(
            "  {:<6} {} segments, {} tokens ({:.1}%){rate}",
            kind,
            totals.segments,
            totals.tokens,
            100.0 * totals.share
        );
    }
    let errors = manifest.errors.count;
    let skipped = manifest.skipped_inputs.len();
    if errors > 0 || skipped > 0 {
        eprintln!(
            "{errors} input error(s) and {skipped} skipped input(s), listed in {}",
            dir.join(tokenize::MANIFEST).display()
        );
    }
}

/// Shows progress on stderr until `done`: a bar on a terminal, else a line every 10 seconds.
fn show_progress(progress: &TokenizeProgress, done: &AtomicBool, command: &str) {
    let terminal = std::io::stderr().is_terminal();
    let bar = terminal.then(|| {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "[{elapsed_precise}] {bar:24} {bytes}/{total_bytes} read, eta {eta}, {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar
    });
    let started = Instant::now();
    let mut last_line = Instant::now();
    let tick = Duration::from_millis(if terminal { 100 } else { 250 });
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(tick);
        let read = progress.input_bytes.load(Ordering::Relaxed);
        let total = progress.input_bytes_total.load(Ordering::Relaxed);
        let tokens = progress.tokens.load(Ordering::Relaxed);
        let text = progress.text_bytes.load(Ordering::Relaxed);
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        let documents = progress.documents.load(Ordering::Relaxed);
        let rate = format!(
            "{} documents, {} tokens ({}/s), {}/s of text",
            HumanCount(documents),
            HumanCount(tokens),
            HumanCount((tokens as f64 / seconds) as u64),
            HumanBytes((text as f64 / seconds) as u64)
        );
        if let Some(bar) = &bar {
            bar.set_length(total.max(read));
            bar.set_position(read);
            bar.set_message(rate);
        } else if last_line.elapsed() >= Duration::from_secs(10) {
            last_line = Instant::now();
            let percent = if total > 0 {
                format!(" ({:.1}%)", 100.0 * read as f64 / total as f64)
            } else {
                String::new()
            };
            eprintln!(
                "omnitok {command}: {:.0} s, read {}{percent}, {rate}",
                seconds,
                HumanBytes(read)
            );
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}
