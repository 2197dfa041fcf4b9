//! `omnitok train`: learn a byte-level BPE tokenizer from corpora.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::{Args, ValueEnum};
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use omnitok_corpus::report::{format, InputOptions};
use omnitok_corpus::train::{self, DevSet, ExponentSearch, Labels, TrainOptions, TrainRunProgress};
use omnitok_tokenizer::train::{ParityConfig, ParityWindow, TrainConfig, DEFAULT_PATTERN_NAME};

use crate::corpus_args::CorpusArgs;
use crate::progress::while_showing;

/// Train a byte-level BPE tokenizer (256 byte tokens + merges + special tokens).
///
/// Inputs are read as by `omnitok tokenize` (files, directories, stdin; text, JSON Lines,
/// Parquet; plain, gzip or zstd). Text is pre-tokenized by --pattern and the most frequent pair
/// is merged until the vocabulary has --vocab-size tokens; ties go to the pair of lowest token
/// IDs, so the result is the same for any --threads. Languages come from file names
/// (--lang-from file: `de.txt` is German) or a JSON Lines field (--lang-field); --lang-temperature
/// re-weights them, and --parity-aware merges for the language worst compressed on the parallel
/// development set (--parity-dev).
///
/// OUTDIR (new or empty) gets tokenizer.json, tokenizer.tiktoken with tokenizer.tiktoken.json
/// (pattern and specials), training.json, and with a development set report.json and
/// report.png. Files are renamed into place when all are written, tokenizer.json last.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Tokens in the vocabulary: 256 bytes + merges + special tokens.
    #[arg(long, value_name = "N")]
    pub vocab_size: usize,

    /// Output directory (created; must be new or empty).
    #[arg(short, long = "output", value_name = "OUTDIR")]
    pub output: PathBuf,

    /// Pre-tokenization: o200k, cl100k, or a regex.
    #[arg(long, value_name = "o200k|cl100k|REGEX", default_value = DEFAULT_PATTERN_NAME)]
    pub pattern: String,

    /// A special token (repeatable); IDs follow the ordinary tokens, in the order given.
    #[arg(long = "special", value_name = "TOKEN")]
    pub specials: Vec<String>,

    /// Stop when no pair occurs at least this often.
    #[arg(long, value_name = "F", default_value_t = TrainConfig::default().min_frequency)]
    pub min_frequency: u64,

    /// Longest token, in bytes.
    #[arg(long, value_name = "L")]
    pub max_token_bytes: Option<usize>,

    /// Where languages come from: none, the input file's name up to its first `.`, or
    /// --lang-field (default: field when --lang-field is given, else none).
    #[arg(long, value_enum)]
    pub lang_from: Option<LangFrom>,

    /// JSON Lines field holding a document's language (dotted path allowed).
    #[arg(long, value_name = "PATH")]
    pub lang_field: Option<String>,

    /// Weigh languages by p(l) ∝ n(l)^T (n: bytes of text); 1 keeps the natural mix, below 1
    /// lifts small languages.
    #[arg(long, value_name = "T", default_value_t = TrainConfig::default().lang_temperature)]
    pub lang_temperature: f64,

    /// Merge for the language worst compressed on --parity-dev (parity-aware BPE).
    #[arg(long, requires = "parity_dev")]
    pub parity_aware: bool,

    /// Parallel development set (as `omnitok stats` reads it: parallel JSON Lines
    /// {"lang", "<reference>", "tr"}, or a folder of aligned <lang>.txt files). Steers
    /// --parity-aware and is measured in report.json.
    #[arg(long, value_name = "PARALLEL")]
    pub parity_dev: Option<PathBuf>,

    /// The reference language of the development set.
    #[arg(long, value_name = "LANG", default_value = train::DEFAULT_REFERENCE)]
    pub reference: String,

    /// Parity-aware: choose the first N merges from whole-corpus counts (hybrid variant).
    #[arg(long, value_name = "N", default_value_t = ParityConfig::default().global_merges)]
    pub global_merges: usize,

    /// Parity-aware, moving-window variant: a language chosen for more than ALPHA / (number
    /// of development-set languages) of the last W merges gives way to the next worst.
    #[arg(long, value_name = "W")]
    pub parity_window: Option<usize>,

    /// ALPHA of --parity-window.
    #[arg(
        long,
        value_name = "ALPHA",
        default_value_t = ParityWindow::DEFAULT_ALPHA,
        requires = "parity_window"
    )]
    pub parity_alpha: f64,

    /// Parity-aware, weighted variant: merge the pair with the highest count summed over
    /// languages, each language's count weighted by max(1, premium / mean premium)^B (0 is
    /// classical BPE; larger B leans toward the worst-compressed languages).
    #[arg(
        long,
        value_name = "B",
        requires = "parity_aware",
        conflicts_with = "parity_window"
    )]
    pub parity_weighted: Option<f64>,

    /// Parity-aware, weighted variant with B chosen on --parity-dev: the lowest Gini there
    /// among the B whose development-set tokens are at most PERCENT above classical BPE's
    /// (several trainings: B = 0, then doubling from 2 until over, then halving the bracket;
    /// each B tried is in training.json).
    #[arg(
        long,
        value_name = "PERCENT",
        requires = "parity_aware",
        conflicts_with_all = ["parity_weighted", "parity_window"]
    )]
    pub parity_budget: Option<f64>,

    /// The tokenizer's name (default: the output directory's name).
    #[arg(long)]
    pub name: Option<String>,

    /// Counting threads (default: all cores).
    #[arg(long, value_name = "N", value_parser = crate::thread_count)]
    pub threads: Option<usize>,

    /// No progress and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub corpus: CorpusArgs,

    /// Inputs: files, directories, `-` for stdin.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
}

/// `--lang-from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangFrom {
    None,
    File,
    Field,
}

/// Runs `omnitok train`.
pub fn run(args: &TrainArgs) -> Result<()> {
    let labels = match (args.lang_from, &args.lang_field) {
        (Some(LangFrom::Field), None) => anyhow::bail!("--lang-from field needs --lang-field"),
        (Some(LangFrom::Field) | None, Some(_)) => Labels::Field,
        (Some(LangFrom::File), _) => Labels::FileName,
        (Some(LangFrom::None), _) | (None, None) => Labels::None,
    };
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let name = args.name.clone().unwrap_or_else(|| {
        args.output
            .file_name()
            .map_or("trained".into(), |n| n.to_string_lossy().into_owned())
    });
    let options = TrainOptions {
        inputs: args.inputs.clone(),
        selection: args.corpus.selection(),
        read: args.corpus.read_options(args.lang_field.as_deref()),
        labels,
        config: TrainConfig {
            vocab_size: args.vocab_size,
            pattern: args.pattern.clone(),
            specials: args.specials.clone(),
            min_frequency: args.min_frequency,
            max_token_bytes: args.max_token_bytes,
            lang_temperature: args.lang_temperature,
            parity: args.parity_aware.then(|| ParityConfig {
                dev: Vec::new(),
                global_merges: args.global_merges,
                window: args.parity_window.map(|window| ParityWindow {
                    window,
                    alpha: args.parity_alpha,
                }),
                weighted: args.parity_weighted,
            }),
        },
        dev: args.parity_dev.as_ref().map(|path| DevSet {
            path: path.clone(),
            options: InputOptions {
                reference: Some(args.reference.clone()),
                ..InputOptions::default()
            },
        }),
        parity_budget: args.parity_budget,
        output_dir: Some(args.output.clone()),
        name,
        threads,
    };

    let progress = TrainRunProgress::default();
    let started = Instant::now();
    let outcome = while_showing(
        args.quiet,
        |done| show_progress(&progress, done),
        || train::train_corpus(&options, &progress),
    )?;
    let summary = &outcome.summary;
    if summary.vocab_size < args.vocab_size {
        // Said even under --quiet: the vocabulary is not the size asked for.
        let within = args
            .max_token_bytes
            .map(|l| format!(" within --max-token-bytes {l}"))
            .unwrap_or_default();
        eprintln!(
            "omnitok: warning: {} has {} tokens, not the {} asked for: no pair left{within} \
             occurs at least {} times (--min-frequency)",
            args.output.display(),
            summary.vocab_size,
            args.vocab_size,
            args.min_frequency
        );
    }
    if !args.quiet {
        let text_bytes: u64 = summary.languages.iter().map(|l| l.bytes).sum();
        eprintln!(
            "{} tokens ({} merges, stopped by {}) from {} of text in {} language(s), {} \
             distinct pieces, in {:.1} s -> {}",
            summary.vocab_size,
            summary.merges,
            summary.stopped_by,
            HumanBytes(text_bytes),
            summary.languages.len(),
            summary.distinct_pieces,
            started.elapsed().as_secs_f64(),
            args.output.display()
        );
        let search = summary
            .parity
            .as_ref()
            .and_then(|p| p.exponent_search.as_ref());
        if let Some(search) = search {
            print_search(search);
        }
        if let Some(report) = &outcome.report {
            eprint!("{}", format::table(report));
        }
    }
    Ok(())
}

/// The exponents a parity budget tried, the chosen one marked.
fn print_search(search: &ExponentSearch) {
    let Some(base) = search.trials.first() else {
        return;
    };
    eprintln!(
        "parity budget {}%: {} trainings on the development set",
        search.budget_percent,
        search.trials.len()
    );
    for trial in &search.trials {
        let more = (trial.dev_tokens as f64 / base.dev_tokens.max(1) as f64 - 1.0) * 100.0;
        let mark = if trial.exponent == search.chosen {
            "  <- chosen"
        } else if trial.within_budget {
            ""
        } else {
            "  (over)"
        };
        eprintln!(
            "  B {:>6}: tokens {:>+7.2}%, Gini {:.4}{mark}",
            trial.exponent, more, trial.dev_gini
        );
    }
}

/// Shows progress on stderr until `done`: reading (bytes), then merging (merges/s); a bar on a
/// terminal, else a line every 10 seconds.
fn show_progress(progress: &TrainRunProgress, done: &AtomicBool) {
    let terminal = std::io::stderr().is_terminal();
    let style = |template: &str| {
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
    };
    let bar = terminal.then(|| {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(style(
            "[{elapsed_precise}] counting {bar:24} {bytes}/{total_bytes}, {bytes_per_sec}, eta {eta}",
        ));
        bar
    });
    let mut merging_style_set = false;
    let started = Instant::now();
    let mut merging_since: Option<Instant> = None;
    // A parity budget trains several times: the merge counter starting again marks a new one.
    let mut last_merges = 0;
    let mut last_line = Instant::now();
    let tick = Duration::from_millis(if terminal { 100 } else { 250 });
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(tick);
        let merges_total = progress.training.merges_total.load(Ordering::Relaxed);
        let line = if merges_total == 0 {
            let read = progress.input_bytes.load(Ordering::Relaxed);
            let total = progress.input_bytes_total.load(Ordering::Relaxed);
            if let Some(bar) = &bar {
                bar.set_length(total.max(read));
                bar.set_position(read);
            }
            format!("read {} of {}", HumanBytes(read), HumanBytes(total))
        } else {
            let merges = progress.training.merges.load(Ordering::Relaxed);
            if merges < last_merges {
                merging_since = None;
                if let Some(bar) = &bar {
                    bar.reset_eta();
                }
            }
            last_merges = merges;
            let since = *merging_since.get_or_insert_with(Instant::now);
            let rate = merges as f64 / since.elapsed().as_secs_f64().max(1e-9);
            if let Some(bar) = &bar {
                if !merging_style_set {
                    merging_style_set = true;
                    bar.set_style(style(
                        "[{elapsed_precise}] merging {bar:24} {pos}/{len} merges, {msg}, eta {eta}",
                    ));
                    bar.reset_eta();
                    bar.set_length(merges_total);
                }
                bar.set_position(merges);
                bar.set_message(format!("{rate:.0} merges/s"));
            }
            format!("{merges}/{merges_total} merges, {rate:.0} merges/s")
        };
        if bar.is_none() && last_line.elapsed() >= Duration::from_secs(10) {
            last_line = Instant::now();
            eprintln!(
                "omnitok train: {:.0} s, {line}",
                started.elapsed().as_secs_f64()
            );
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}
