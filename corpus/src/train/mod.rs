//! Training a tokenizer on corpora: the inputs are read as [`crate::tokenize`] reads them,
//! their pieces are counted per language on a pool of threads, merges are learned
//! ([`omnitok_tokenizer::train`]), and the output directory gets:
//!
//! - `tokenizer.json` (loads in HF tokenizers),
//! - `tokenizer.tiktoken` (a tiktoken rank file) with `tokenizer.tiktoken.json` (its pattern and
//!   special tokens),
//! - `training.json` (settings, languages with their sizes and weights, why training stopped),
//! - with a development set: `report.json` and `report.png`, the compression report of the
//!   trained tokenizer on it (as `omnitok stats` makes it).
//!
//! Memory: the distinct pieces and their counts (once per counting thread until they are
//! added up), plus at most `2 × threads` batches of about 1 MiB of text in flight. A text file
//! read as one document (`Split::Doc`) is read in segments ([`Split::Segments`]), which have
//! the same pieces under the built-in patterns, so no file is held whole.
//!
//! Every file is written under a temporary name and renamed when all are complete,
//! `tokenizer.json` last: an interrupted run leaves no file that looks finished.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use omnitok_tokenizer::files::RankFileMeta;
use omnitok_tokenizer::train::{
    self, DevLanguage, PieceCounts, PieceSplitter, StopReason, TrainConfig, TrainProgress, Trained,
};
use omnitok_tokenizer::Tokenizer;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{CorpusError, Result};
use crate::files::{pretty_json, StagedFiles};
use crate::read::documents::{ReadOptions, Split};
use crate::read::inputs::{InputSelection, InputState, Source};
use crate::read::{find_readable_inputs, read_inputs, ReadSummary, Reading};
use crate::report::{self, Corpus, InputOptions, Reference, Report};

mod budget;

pub use budget::{ExponentSearch, ExponentTrial};

/// Text gathered into one batch before it is handed to a counting thread.
const BATCH_BYTES: usize = 1 << 20;

/// Where a document's language comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Labels {
    /// No languages: all text is one.
    None,
    /// The input file's name up to its first `.` (`de.txt`, `de.jsonl.gz`: `de`).
    FileName,
    /// The JSON Lines field [`ReadOptions::lang_field`].
    Field,
}

/// The reference language of a development set when none is given.
pub const DEFAULT_REFERENCE: &str = InputOptions::DEFAULT_REFERENCE;

/// The name of a tokenizer trained on texts in memory when none is given (a run on files takes
/// its output directory's name).
pub const DEFAULT_NAME: &str = "trained";

/// The development set: parallel text, read as `omnitok stats` reads it.
#[derive(Debug, Clone)]
pub struct DevSet {
    pub path: PathBuf,
    pub options: InputOptions,
}

/// Everything a training run needs.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Files, directories, and `-` for stdin.
    pub inputs: Vec<PathBuf>,
    pub selection: InputSelection,
    pub read: ReadOptions,
    pub labels: Labels,
    pub config: TrainConfig,
    /// Steers parity-aware training (required for it) and is measured in the report.
    pub dev: Option<DevSet>,
    /// The weighted variant with its exponent chosen on the development set: the lowest Gini
    /// with at most this many percent more development-set tokens than classical BPE, after
    /// several trainings (recorded as [`ExponentSearch`]); `None` to train once, as `config`
    /// says.
    pub parity_budget: Option<f64>,
    /// Where the files go; `None` to only return the tokenizer.
    pub output_dir: Option<PathBuf>,
    /// The trained tokenizer's name.
    pub name: String,
    pub threads: usize,
}

/// Live counters, to show progress from another thread.
#[derive(Debug, Default)]
pub struct TrainRunProgress {
    /// Bytes of input read as stored.
    pub input_bytes: AtomicU64,
    /// Total size of the file inputs (stdin not included).
    pub input_bytes_total: AtomicU64,
    /// Documents read.
    pub documents: AtomicU64,
    /// The merge loop's counters (set once reading is done).
    pub training: TrainProgress,
}

/// One training language.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageSummary {
    /// The empty string for unlabelled text.
    pub lang: String,
    pub bytes: u64,
    pub documents: u64,
    /// Count multiplier from the language temperature (1 keeps the natural mix).
    pub weight: f64,
    /// Parity-aware training: the merges chosen for this language.
    pub merges_chosen: usize,
}

/// What a training run did; also written as `training.json`.
#[derive(Debug, Clone, Serialize)]
pub struct TrainSummary {
    pub name: String,
    pub vocab_size: usize,
    pub ordinary_tokens: usize,
    pub special_tokens: Vec<String>,
    pub merges: usize,
    /// `vocab_size` (the vocabulary is full) or `min_frequency` (no pair left that occurs often
    /// enough).
    pub stopped_by: String,
    pub parity_aware: bool,
    /// The parity-aware variant's settings, when parity-aware.
    pub parity: Option<ParitySettings>,
    pub pattern: String,
    pub min_frequency: u64,
    pub max_token_bytes: Option<usize>,
    pub lang_temperature: f64,
    pub distinct_pieces: usize,
    pub languages: Vec<LanguageSummary>,
    pub inputs: Vec<crate::read::InputRecord>,
    pub skipped_inputs: Vec<crate::read::inputs::SkippedInput>,
    pub errors: crate::read::documents::ErrorLog,
    /// Files written into the output directory.
    pub files: Vec<String>,
}

/// The settings of a parity-aware run, as `training.json` records them.
#[derive(Debug, Clone, Serialize)]
pub struct ParitySettings {
    pub global_merges: usize,
    /// `(window, alpha)` of the moving-window variant.
    pub window: Option<(usize, f64)>,
    /// The weighted variant's exponent.
    pub weighted: Option<f64>,
    /// How the exponent was chosen, when a parity budget chose it.
    pub exponent_search: Option<ExponentSearch>,
}

/// The result of [`train_corpus`].
pub struct TrainOutcome {
    pub summary: TrainSummary,
    pub tokenizer: Tokenizer,
    /// The compression report on the development set, when there is one.
    pub report: Option<Report>,
}

/// Trains on the inputs of `options` and writes the output directory (see the module
/// documentation).
pub fn train_corpus(options: &TrainOptions, progress: &TrainRunProgress) -> Result<TrainOutcome> {
    let config = &options.config;
    config.validate().map_err(tokenizer_error("settings"))?;
    crate::check_threads(options.threads)?;
    if options.labels == Labels::Field && options.read.lang_field.is_none() {
        return Err(CorpusError::BadParameter(
            "languages from a field need the field's name".into(),
        ));
    }
    let (config, dev_corpus) = prepare(
        config,
        options.dev.as_ref(),
        options.parity_budget,
        options.output_dir.as_deref(),
    )?;

    let (counts, read) = count_inputs(options, &config, progress)?;
    if counts.is_empty() {
        let inputs: Vec<String> = options
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        return Err(CorpusError::Empty {
            path: inputs.join(", "),
            message: "no text to train on".into(),
        });
    }
    let learning = Learning {
        config: &config,
        dev: dev_corpus.as_ref(),
        parity_budget: options.parity_budget,
        name: &options.name,
        output_dir: options.output_dir.as_deref(),
    };
    learn_and_write(&counts, &learning, read, &progress.training)
}

/// What [`train_texts`] needs besides the texts; the fields as in [`TrainOptions`].
#[derive(Debug, Clone, Copy)]
pub struct TextTraining<'a> {
    pub config: &'a TrainConfig,
    pub dev: Option<&'a DevSet>,
    pub parity_budget: Option<f64>,
    pub output_dir: Option<&'a Path>,
    pub name: &'a str,
    pub threads: usize,
}

/// Trains on texts in memory, `(language, documents)` (the empty language for unlabelled
/// text), counted on `options.threads` threads; writes the output directory when there is one.
pub fn train_texts(
    texts: &[(String, Vec<String>)],
    options: &TextTraining,
    progress: &TrainRunProgress,
) -> Result<TrainOutcome> {
    let TextTraining {
        config,
        dev,
        parity_budget,
        output_dir,
        name,
        threads,
    } = *options;
    config.validate().map_err(tokenizer_error("settings"))?;
    let (config, dev_corpus) = prepare(config, dev, parity_budget, output_dir)?;
    let splitter = config.splitter().map_err(tokenizer_error("settings"))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| CorpusError::BadParameter(format!("cannot start {threads} threads: {e}")))?;
    let counts = pool.install(|| {
        texts
            .par_iter()
            .flat_map(|(lang, documents)| documents.par_iter().map(move |d| (lang, d)))
            .try_fold(PieceCounts::new, |mut counts, (lang, document)| {
                if progress.training.stop.load(Ordering::Relaxed) {
                    return Err(omnitok_tokenizer::TokenizerError::Interrupted);
                }
                let index = counts.language(lang);
                progress.documents.fetch_add(1, Ordering::Relaxed);
                counts
                    .add_document(index, document, &splitter)
                    .map(|()| counts)
            })
            .try_reduce(PieceCounts::new, |mut a, b| {
                if progress.training.stop.load(Ordering::Relaxed) {
                    return Err(omnitok_tokenizer::TokenizerError::Interrupted);
                }
                a.absorb(b);
                Ok(a)
            })
    });
    let counts = counts.map_err(tokenizer_error("counting pieces"))?;
    if counts.is_empty() {
        return Err(CorpusError::Empty {
            path: "texts".into(),
            message: "no text to train on".into(),
        });
    }
    let learning = Learning {
        config: &config,
        dev: dev_corpus.as_ref(),
        parity_budget,
        name,
        output_dir,
    };
    learn_and_write(
        &counts,
        &learning,
        ReadSummary::default(),
        &progress.training,
    )
}

/// What a run learns with and where it writes, once its text is counted.
struct Learning<'a> {
    config: &'a TrainConfig,
    /// The parallel dev set of parity-aware training.
    dev: Option<&'a Corpus>,
    parity_budget: Option<f64>,
    name: &'a str,
    output_dir: Option<&'a Path>,
}

/// Learns from the counts ([`learn`]), sums the run up, and writes the output directory when
/// there is one.
fn learn_and_write(
    counts: &PieceCounts,
    learning: &Learning<'_>,
    read: ReadSummary,
    progress: &TrainProgress,
) -> Result<TrainOutcome> {
    let Learning {
        config,
        dev,
        parity_budget,
        name,
        output_dir,
    } = *learning;
    let (learned, config, search) = learn(counts, config, dev, name, progress, parity_budget)?;
    let mut summary = summarize(name, &config, counts, &learned.trained, read, search);
    if let Some(dir) = output_dir {
        write_outputs(
            dir,
            &learned.tokenizer,
            &mut summary,
            learned.report.as_ref(),
        )?;
    }
    Ok(TrainOutcome {
        summary,
        tokenizer: learned.tokenizer,
        report: learned.report,
    })
}

/// Everything checked and made ready before any text is read: the parity budget's settings,
/// the configuration with the development set's languages filled in (parity-aware training
/// needs them) and the development set itself, and the (new or empty) output directory.
fn prepare(
    config: &TrainConfig,
    dev: Option<&DevSet>,
    parity_budget: Option<f64>,
    output_dir: Option<&Path>,
) -> Result<(TrainConfig, Option<Corpus>)> {
    if let Some(budget) = parity_budget {
        budget::check(config, budget)?;
    }
    let dev_corpus = dev.map(read_dev_set).transpose()?;
    let mut config = config.clone();
    if let Some(parity) = &mut config.parity {
        let Some(dev) = &dev_corpus else {
            return Err(CorpusError::BadParameter(
                "parity-aware training needs a parallel development set".into(),
            ));
        };
        parity.dev = dev_languages(dev)?;
    }
    if let Some(dir) = output_dir {
        prepare_output_dir(dir)?;
    }
    Ok((config, dev_corpus))
}

/// One training: the merges, the tokenizer, and its report on the development set.
struct Learned {
    trained: Trained,
    tokenizer: Tokenizer,
    report: Option<Report>,
}

/// Learns once, or, with a parity budget, searches the weighted variant's exponent
/// ([`budget`]); returns the chosen training with the configuration that gave it.
fn learn(
    counts: &PieceCounts,
    config: &TrainConfig,
    dev: Option<&Corpus>,
    name: &str,
    progress: &TrainProgress,
    parity_budget: Option<f64>,
) -> Result<(Learned, TrainConfig, Option<ExponentSearch>)> {
    let (Some(budget), Some(dev)) = (parity_budget, dev) else {
        let learned = learn_once(counts, config, dev, name, progress)?;
        return Ok((learned, config.clone(), None));
    };
    let (exponent, learned, search) = budget::search(counts, config, dev, name, progress, budget)?;
    let mut config = config.clone();
    if let Some(parity) = &mut config.parity {
        parity.weighted = Some(exponent);
    }
    Ok((learned, config, Some(search)))
}

/// Learns the merges, builds the tokenizer and measures it on the development set.
fn learn_once(
    counts: &PieceCounts,
    config: &TrainConfig,
    dev: Option<&Corpus>,
    name: &str,
    progress: &TrainProgress,
) -> Result<Learned> {
    let trained = train::train(counts, config, progress).map_err(tokenizer_error("training"))?;
    let tokenizer = trained
        .tokenizer(name)
        .map_err(tokenizer_error("the trained tokenizer"))?;
    let report = dev
        .map(|dev| {
            report::compute(
                dev,
                &[(name.to_string(), Arc::new(tokenizer.clone()))],
                None,
            )
        })
        .transpose()?;
    Ok(Learned {
        trained,
        tokenizer,
        report,
    })
}

fn tokenizer_error(
    context: &str,
) -> impl Fn(omnitok_tokenizer::TokenizerError) -> CorpusError + '_ {
    move |source| match source {
        omnitok_tokenizer::TokenizerError::Interrupted => CorpusError::Interrupted,
        source => CorpusError::Tokenizer {
            context: context.to_string(),
            source,
        },
    }
}

/// Reads the development set; it must be parallel (have a reference language).
fn read_dev_set(dev: &DevSet) -> Result<Corpus> {
    if dev.options.reference.is_none() {
        return Err(CorpusError::BadParameter(format!(
            "{}: the development set needs a reference language (parallel text)",
            dev.path.display()
        )));
    }
    report::read_input(&dev.path, &dev.options)
}

/// The development set's languages with their reference texts.
fn dev_languages(corpus: &Corpus) -> Result<Vec<DevLanguage>> {
    corpus
        .languages
        .iter()
        .map(|language| {
            let reference = match &language.reference {
                Reference::Texts(texts) => texts.clone(),
                Reference::Language(i) => corpus.languages[*i].texts.clone(),
                Reference::None => {
                    return Err(CorpusError::BadParameter(format!(
                        "development-set language {:?} has no reference text",
                        language.lang
                    )))
                }
            };
            Ok(DevLanguage {
                lang: language.lang.clone(),
                texts: language.texts.clone(),
                reference,
            })
        })
        .collect()
}

/// Creates the output directory, which must be new or empty.
fn prepare_output_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| CorpusError::io(dir.display(), e))?;
    let mut entries = std::fs::read_dir(dir).map_err(|e| CorpusError::io(dir.display(), e))?;
    if entries.next().is_some() {
        return Err(CorpusError::output_dir(
            dir.display(),
            "is not empty; choose an empty or new directory",
        ));
    }
    Ok(())
}

/// A batch of documents for a counting thread.
#[derive(Default)]
struct Batch {
    text: String,
    /// End of each document in `text`, with its language (an index into `langs`).
    ends: Vec<(usize, u16)>,
    langs: Vec<String>,
}

impl Batch {
    fn push(&mut self, text: &str, lang: &str) {
        let index = match self.langs.iter().position(|l| l == lang) {
            Some(i) => i,
            None => {
                self.langs.push(lang.to_string());
                self.langs.len() - 1
            }
        };
        self.text.push_str(text);
        self.ends.push((self.text.len(), index as u16));
    }

    fn is_full(&self) -> bool {
        self.text.len() >= BATCH_BYTES || self.langs.len() == usize::from(u16::MAX)
    }
}

/// Reads every input and counts its pieces per language on `options.threads` threads.
fn count_inputs(
    options: &TrainOptions,
    config: &TrainConfig,
    progress: &TrainRunProgress,
) -> Result<(PieceCounts, ReadSummary)> {
    let splitter = config.splitter().map_err(tokenizer_error("settings"))?;
    let selection = InputSelection {
        exclude: options.output_dir.clone(),
        ..options.selection.clone()
    };
    let (inputs, skipped, states) =
        find_readable_inputs(&options.inputs, &selection, options.read.on_error)?;
    progress
        .input_bytes_total
        .store(InputState::total_size(&states), Ordering::Relaxed);
    let file_langs: Vec<String> = inputs
        .iter()
        .map(|input| match (&input.source, options.labels) {
            (Source::File(path), Labels::FileName) => file_language(path),
            _ => String::new(),
        })
        .collect();

    let (sender, receiver) = crossbeam_channel::bounded::<Batch>(2 * options.threads);
    let scratch_dir = options
        .output_dir
        .clone()
        .unwrap_or_else(std::env::temp_dir);
    // A whole text file and its segments have the same pieces; segments keep memory bounded.
    let mut read_options = options.read.clone();
    if read_options.split == Split::Doc {
        read_options.split = Split::Segments;
    }
    let reading = Reading {
        options: &read_options,
        scratch_dir: &scratch_dir,
        input_bytes: &progress.input_bytes,
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..options.threads)
            .map(|i| {
                let receiver = receiver.clone();
                let splitter = &splitter;
                std::thread::Builder::new()
                    .name(format!("omnitok-count-{i}"))
                    .spawn_scoped(scope, move || count_batches(&receiver, splitter))
                    .map_err(|e| {
                        CorpusError::BadParameter(format!("cannot start a counting thread: {e}"))
                    })
            })
            .collect::<Result<_>>()?;
        drop(receiver);
        let mut batch = Batch::default();
        let read = read_inputs(&reading, &inputs, &mut |document| {
            let lang = match (options.labels, document.lang) {
                (Labels::Field, Some(lang)) => lang,
                _ => &file_langs[document.input],
            };
            if progress.training.stop.load(Ordering::Relaxed) {
                return Err(CorpusError::Interrupted);
            }
            batch.push(document.text, lang);
            progress.documents.fetch_add(1, Ordering::Relaxed);
            if batch.is_full() {
                let full = std::mem::take(&mut batch);
                sender.send(full).map_err(|_| counting_stopped())?;
            }
            Ok(())
        });
        if read.is_ok() && !batch.ends.is_empty() {
            // A failed send means a counting thread stopped; its error is reported below.
            let _ = sender.send(batch);
        }
        drop(sender);
        let mut counts = PieceCounts::new();
        let mut first_error = None;
        for worker in workers {
            match worker.join() {
                // A failed read (an interruption among them) throws the counts away.
                Ok(Ok(part)) if read.is_ok() => counts.absorb(part),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(_) => {
                    first_error.get_or_insert(counting_stopped());
                }
            }
        }
        let mut read = read?;
        if let Some(e) = first_error {
            return Err(e);
        }
        let mut all_skipped = skipped;
        all_skipped.append(&mut read.skipped);
        read.skipped = all_skipped;
        Ok((counts, read))
    })
}

fn counting_stopped() -> CorpusError {
    CorpusError::BadParameter("a counting thread stopped".into())
}

/// Counts the batches one thread receives.
fn count_batches(
    receiver: &crossbeam_channel::Receiver<Batch>,
    splitter: &PieceSplitter,
) -> Result<PieceCounts> {
    let mut counts = PieceCounts::new();
    for batch in receiver {
        let langs: Vec<usize> = batch.langs.iter().map(|l| counts.language(l)).collect();
        let mut start = 0;
        for &(end, lang) in &batch.ends {
            counts
                .add_document(langs[usize::from(lang)], &batch.text[start..end], splitter)
                .map_err(tokenizer_error("counting pieces"))?;
            start = end;
        }
    }
    Ok(counts)
}

/// The language named by a file: its name up to the first `.`.
fn file_language(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.split('.').next().unwrap_or_default().to_string()
}

fn summarize(
    name: &str,
    config: &TrainConfig,
    counts: &PieceCounts,
    trained: &Trained,
    read: ReadSummary,
    exponent_search: Option<ExponentSearch>,
) -> TrainSummary {
    let names: Vec<&str> = counts.language_names().collect();
    let bytes: Vec<u64> = trained
        .languages
        .iter()
        .map(|lang| {
            names
                .iter()
                .position(|n| n == lang)
                .map_or(0, |i| counts.text_bytes(i))
        })
        .collect();
    let weights = train::temperature_weights(&bytes, config.lang_temperature);
    let languages = trained
        .languages
        .iter()
        .enumerate()
        .map(|(l, lang)| {
            let index = names.iter().position(|n| n == lang);
            LanguageSummary {
                lang: lang.clone(),
                bytes: bytes[l],
                documents: index.map_or(0, |i| counts.documents(i)),
                weight: weights[l] as f64 / train::WEIGHT_ONE as f64,
                merges_chosen: trained
                    .merges
                    .iter()
                    .filter(|m| m.language == Some(l))
                    .count(),
            }
        })
        .collect();
    TrainSummary {
        name: name.to_string(),
        vocab_size: trained.tokens.len() + trained.specials.len(),
        ordinary_tokens: trained.tokens.len(),
        special_tokens: trained.specials.clone(),
        merges: trained.merges.len(),
        stopped_by: match trained.stop {
            StopReason::VocabSize => "vocab_size",
            StopReason::MinFrequency => "min_frequency",
        }
        .to_string(),
        parity_aware: config.parity.is_some(),
        parity: config.parity.as_ref().map(|parity| ParitySettings {
            global_merges: parity.global_merges,
            window: parity.window.map(|w| (w.window, w.alpha)),
            weighted: parity.weighted,
            exponent_search,
        }),
        pattern: trained.pattern.clone(),
        min_frequency: config.min_frequency,
        max_token_bytes: config.max_token_bytes,
        lang_temperature: config.lang_temperature,
        distinct_pieces: counts.distinct_pieces(),
        languages,
        inputs: read.inputs,
        skipped_inputs: read.skipped,
        errors: read.errors,
        files: Vec::new(),
    }
}

/// Writes every output under a temporary name, then renames them all, `tokenizer.json` last.
fn write_outputs(
    dir: &Path,
    tokenizer: &Tokenizer,
    summary: &mut TrainSummary,
    report: Option<&Report>,
) -> Result<()> {
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    let ranks = tokenizer.to_rank_text().ok_or_else(|| {
        CorpusError::BadParameter("the trained vocabulary cannot be written as ranks".into())
    })?;
    files.push(("tokenizer.tiktoken", ranks.into_bytes()));
    let meta = RankFileMeta {
        pattern: tokenizer.pattern().to_string(),
        special_tokens: tokenizer.special_tokens().entries().to_vec(),
    };
    files.push(("tokenizer.tiktoken.json", pretty_json(&meta)?));
    let mut staged = StagedFiles::default();
    let charts: &[&str] = if cfg!(feature = "plot") && report.is_some() {
        &["report.png"]
    } else {
        &[]
    };
    if let Some(report) = report {
        files.push(("report.json", report::format::json(report).into_bytes()));
        #[cfg(feature = "plot")]
        {
            let chart = dir.join(".report.tmp.png");
            let metric = if report.reference.is_some() {
                report::plot::PlotMetric::Premium
            } else {
                report::plot::PlotMetric::Tokens
            };
            let options = report::plot::PlotOptions {
                metric,
                title: None,
            };
            // Plotted under a name that keeps its extension, which says the format.
            if let Err(e) = report::plot::plot(report, &chart, &options) {
                let _ = std::fs::remove_file(&chart);
                return Err(e);
            }
            staged.adopt(&dir.join("report.png"), &chart)?;
        }
    }
    summary.files = files
        .iter()
        .map(|(name, _)| name.to_string())
        .chain(charts.iter().map(|name| name.to_string()))
        .chain(["training.json".to_string(), "tokenizer.json".to_string()])
        .collect();
    files.push(("training.json", pretty_json(summary)?));
    let json = tokenizer
        .to_tokenizer_json()
        .map_err(|source| CorpusError::Tokenizer {
            context: dir.join("tokenizer.json").display().to_string(),
            source,
        })?;
    files.push(("tokenizer.json", json.into_bytes()));
    for (name, data) in files {
        staged.stage(&dir.join(name), &data, true)?;
    }
    staged.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::documents::{read_text, Context, ErrorLog, OnError, SEGMENT_BYTES};
    use omnitok_tokenizer::pretokenize::{CL100K_PATTERN, O200K_PATTERN};

    /// Text whose lines start in every way a piece can: letters, digits, spaces, tabs, `/`,
    /// punctuation, blank lines, `\r\n`.
    fn tricky_text() -> String {
        let lines = [
            "Hello world.",
            "  indented line",
            "\tTabbed",
            "/usr/share/help",
            "./script.sh",
            "",
            "",
            "12345 numbers",
            "¿Qué tal?",
            "日本語のテキスト。",
            "  ",
            "end.\r",
            "/",
            "//comment",
            "-- dash",
            "Ünïcödé",
            "a",
            " b",
        ];
        let mut text = String::new();
        let mut i = 0;
        while text.len() < 5 * SEGMENT_BYTES {
            text.push_str(lines[i % lines.len()]);
            text.push_str(if i % 7 == 3 { "\n\n" } else { "\n" });
            i += 1;
        }
        text.push_str("last line without a newline");
        text
    }

    fn counts_of(documents: &[String], pattern: &str) -> Vec<(String, u64)> {
        let splitter = PieceSplitter::new(pattern, &[]).unwrap();
        let mut counts = PieceCounts::new();
        let lang = counts.language("");
        for document in documents {
            counts.add_document(lang, document, &splitter).unwrap();
        }
        let mut pieces: Vec<(String, u64)> = counts
            .pieces(lang)
            .map(|(p, c)| (p.to_string(), c))
            .collect();
        pieces.sort();
        pieces
    }

    #[test]
    fn segments_have_the_pieces_of_the_whole_file() {
        let text = tricky_text();
        let options = ReadOptions {
            split: Split::Segments,
            on_error: OnError::Fail,
            field: vec!["text".into()],
            lang_field: None,
            column: vec!["text".into()],
            max_document_bytes: 1 << 20,
        };
        let mut errors = ErrorLog::default();
        let mut context = Context {
            path: "in",
            options: &options,
            errors: &mut errors,
        };
        let mut segments = Vec::new();
        read_text(&mut text.as_bytes(), &mut context, &mut |segment, _, _| {
            segments.push(segment.to_string());
            Ok(())
        })
        .unwrap();
        assert!(segments.len() >= 4, "{} segments", segments.len());
        assert_eq!(segments.concat(), text);
        for pattern in [O200K_PATTERN, CL100K_PATTERN] {
            assert_eq!(
                counts_of(&segments, pattern),
                counts_of(std::slice::from_ref(&text), pattern)
            );
        }
    }
}
