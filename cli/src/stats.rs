//! `omnitok stats`: compression per language, or the modalities of a muxed corpus.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use omnitok_corpus::multimodal::totals;
use omnitok_corpus::report::plot::{plot, PlotMetric, PlotOptions};
use omnitok_corpus::report::{self, format, InputOptions, SortBy};
use omnitok_corpus::tokenize;

use crate::input;

/// How the report is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    /// An aligned table: one row per language and tokenizer, totals, Gini, worst language.
    Table,
    /// {"encodings", "baseline", "reference", "languages": [...], "summary": {...}}
    Json,
    /// One row per language and tokenizer.
    Csv,
}

/// The order of languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatsSort {
    /// By name (a folder), or in order of appearance (JSON Lines).
    Input,
    /// By name.
    Lang,
    /// Most tokens (first tokenizer) first.
    Tokens,
    /// Highest ratio against the baseline (first other tokenizer) first.
    Ratio,
    /// Highest premium (first tokenizer) first.
    Premium,
}

/// What the bars of --plot show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatsPlotMetric {
    /// Tokens per language and tokenizer.
    Tokens,
    /// Tokens over the baseline's tokens.
    Ratio,
    /// Tokens over the reference language's tokens for the same text.
    Premium,
}

/// Compare tokenizers language by language: bytes, chars and tokens, bytes and chars per token,
/// tokens against a baseline tokenizer and, on parallel text, the premium of each language over
/// a reference language.
///
/// INPUT is a folder of <language>.txt files, or a JSON Lines file with a language and a text
/// field per line. With --parallel or --reference the texts are translations of each other: a
/// folder's files all say the same thing, and a JSON Lines file holds one pair per line,
/// {"lang": "de", "en": "<reference text>", "tr": "<translation>"}; the premium of a language is
/// its tokens over the reference language's tokens for the same content. Special tokens'
/// strings (<|endoftext|>) count as ordinary text.
///
/// INPUT may also be an output directory of `omnitok mux`: the report is then per modality
/// (text, audio, image, video): segments, tokens and share of the corpus, bytes of text, seconds
/// of audio and video, frames, tokens per second of audio or video, tokens per image or frame.
#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(flatten)]
    pub tokenizers: input::TokenizerListArgs,

    /// The tokenizer that ratios compare against (an --encoding name or a --tokenizer path;
    /// default: the first one given).
    #[arg(short, long, value_name = "NAME")]
    pub baseline: Option<String>,

    /// The texts are parallel: compute premiums against the reference language.
    #[arg(long)]
    pub parallel: bool,

    /// Reference language of premiums (default en); implies --parallel.
    #[arg(short, long, value_name = "LANG")]
    pub reference: Option<String>,

    /// JSON Lines: the field holding the language.
    #[arg(long, value_name = "NAME", default_value = InputOptions::DEFAULT_LANG_FIELD)]
    pub lang_field: String,

    /// JSON Lines: the field holding the text [default: text, or tr with --parallel].
    #[arg(long, value_name = "NAME")]
    pub field: Option<String>,

    /// Count each text (a line of JSON Lines, or a whole <language>.txt file) with the special
    /// tokens its tokenizer's post-processor adds (BERT's [CLS] and [SEP], Llama's <s>), as
    /// HF's `encode` does by default.
    #[arg(long)]
    pub add_special_tokens: bool,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = StatsFormat::Table)]
    pub format: StatsFormat,

    /// Order of the languages.
    #[arg(long, value_enum, default_value_t = StatsSort::Input)]
    pub sort: StatsSort,

    /// Also draw a bar chart into FILE (.png or .svg).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,

    /// What the chart's bars show [default: ratio with two or more tokenizers, else tokens].
    #[arg(long, value_enum, value_name = "WHAT", requires = "plot")]
    pub plot_metric: Option<StatsPlotMetric>,

    /// The chart's title [default: says what the bars show].
    #[arg(long, value_name = "TEXT", requires = "plot")]
    pub plot_title: Option<String>,

    /// A folder of <language>.txt files, a JSON Lines file, or a mux output directory.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
}

/// Runs `omnitok stats`.
pub fn run(args: &StatsArgs) -> Result<()> {
    if args.input.join(tokenize::MANIFEST).is_file() {
        return modalities(args);
    }
    let tokenizers = args.tokenizers.load()?;
    let reference = match (&args.reference, args.parallel) {
        (Some(lang), _) => Some(lang.clone()),
        (None, true) => Some(InputOptions::DEFAULT_REFERENCE.to_string()),
        (None, false) => None,
    };
    let options = InputOptions {
        reference,
        lang_field: args.lang_field.clone(),
        field: args.field.clone(),
        add_special_tokens: args.add_special_tokens,
        ..InputOptions::default()
    };
    let mut report =
        report::measure_input(&args.input, &options, &tokenizers, args.baseline.as_deref())?;
    let sort = match args.sort {
        StatsSort::Input => None,
        StatsSort::Lang => Some(SortBy::Lang),
        StatsSort::Tokens => Some(SortBy::Tokens),
        StatsSort::Ratio => Some(SortBy::Ratio),
        StatsSort::Premium => Some(SortBy::Premium),
    };
    if let Some(sort) = sort {
        report.sort(sort);
    }
    if let Some(path) = &args.plot {
        let metric = match args.plot_metric {
            Some(StatsPlotMetric::Tokens) => PlotMetric::Tokens,
            Some(StatsPlotMetric::Ratio) => PlotMetric::Ratio,
            Some(StatsPlotMetric::Premium) => PlotMetric::Premium,
            None if report.tokenizers.len() > 1 => PlotMetric::Ratio,
            None => PlotMetric::Tokens,
        };
        let options = PlotOptions {
            metric,
            title: args.plot_title.clone(),
        };
        plot(&report, path, &options)?;
    }
    let out = match args.format {
        StatsFormat::Table => format::table(&report),
        StatsFormat::Json => format::json(&report),
        StatsFormat::Csv => format::csv(&report),
    };
    input::write_stdout(out.as_bytes())
}

/// The per-modality report of a mux output directory.
fn modalities(args: &StatsArgs) -> Result<()> {
    let dir = &args.input;
    let manifest = tokenize::read_manifest(dir)?
        .with_context(|| format!("{}: no manifest.json", dir.display()))?;
    let Some(summary) = manifest.modalities else {
        bail!(
            "{}: a tokenize output, not a mux output: it has no modalities to report",
            dir.display()
        );
    };
    let out = match args.format {
        StatsFormat::Table => totals::table(&summary),
        StatsFormat::Json => {
            serde_json::to_string_pretty(&serde_json::json!({
                "documents": manifest.totals.documents,
                "tokens": manifest.totals.tokens,
                "modalities": summary,
            }))? + "\n"
        }
        StatsFormat::Csv => totals::csv(&summary),
    };
    input::write_stdout(out.as_bytes())
}
