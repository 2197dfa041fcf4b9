//! `omnitok show`: token boundaries made visible, in the terminal or as one HTML page.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, ValueEnum};
use omnitok_corpus::report::input::{language_files, read_text};
use omnitok_corpus::show::terminal::{self, TerminalOptions};
use omnitok_corpus::show::{html, Sample};
use omnitok_tokenizer::Tokenizer;

use crate::input::{self, InputLimitArgs, TokenizerListArgs};
use crate::output;

/// When the terminal output is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColourChoice {
    /// When stdout is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

/// Show how tokenizers cut a text: each token on its own colour in the terminal (or `|`
/// between tokens without colour), or with --html one self-contained page with the tokenizers
/// side by side for each text.
///
/// A FILE is one text; a folder gives one text per <language>.txt file in it (as `omnitok
/// stats` reads folders: de.txt -> de, .txt.gz and .txt.zst too). Texts are encoded as ordinary text and shortened to
/// --max-chars. A byte-level tokenizer shows the text itself; a tokenizer whose normalizer or
/// pre-tokenizer rewrites the text (SentencePiece's ▁, lowercasing) shows it as it decodes, and
/// says so. Tokens that together spell one character are underlined as one.
#[derive(Args, Debug)]
pub struct ShowArgs {
    #[command(flatten)]
    pub tokenizers: TokenizerListArgs,

    /// Write one HTML page here instead of printing.
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,

    /// Colour in the terminal.
    #[arg(long, value_enum, default_value_t = ColourChoice::Auto)]
    pub color: ColourChoice,

    /// Print each text's token IDs after it, grouped as the text.
    #[arg(long)]
    pub ids: bool,

    /// Show at most this many chars of each text (a tokenizer with a normalizer or decoder
    /// takes time growing with the square of the length).
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub max_chars: usize,

    /// The text to show, instead of files.
    #[arg(long, value_name = "TEXT", conflicts_with = "inputs")]
    pub text: Option<String>,

    #[command(flatten)]
    pub limit: InputLimitArgs,

    /// UTF-8 text files or folders of them; `-` reads stdin.
    #[arg(value_name = "FILE", required_unless_present = "text")]
    pub inputs: Vec<PathBuf>,
}

/// Runs `omnitok show`.
pub fn run(args: &ShowArgs) -> Result<()> {
    let loaded = args.tokenizers.load()?;
    let tokenizers: Vec<(String, &Tokenizer)> = loaded
        .iter()
        .map(|(name, tokenizer)| (name.clone(), &**tokenizer))
        .collect();
    if let Some(page) = &args.html {
        let inputs: Vec<&Path> = args.inputs.iter().map(PathBuf::as_path).collect();
        output::refuse_to_overwrite(page, &inputs)?;
    }
    let mut samples = Vec::new();
    for (name, text) in texts(args)? {
        samples.push(Sample::new(name, &text, args.max_chars, &tokenizers)?);
    }
    if let Some(page) = &args.html {
        output::write_atomically(page, html::render(&samples).as_bytes())?;
        eprintln!(
            "omnitok: wrote {} ({} texts, {} tokenizers)",
            page.display(),
            samples.len(),
            tokenizers.len()
        );
        return Ok(());
    }
    let options = TerminalOptions {
        colour: match args.color {
            ColourChoice::Always => true,
            ColourChoice::Never => false,
            ColourChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        },
        ids: args.ids,
    };
    input::write_stdout(terminal::render_all(&samples, options).as_bytes())
}

/// The texts to show, named: --text, or each file (folders: each `<language>.txt` in them).
fn texts(args: &ShowArgs) -> Result<Vec<(String, String)>> {
    if let Some(text) = &args.text {
        return Ok(vec![("text".to_string(), text.clone())]);
    }
    let mut texts = Vec::new();
    for path in &args.inputs {
        if path.is_dir() {
            for (lang, file) in language_files(path)? {
                texts.push((lang, read_text(&file, args.limit.max_input_bytes)?));
            }
        } else {
            texts.push(input::read_text(Some(path), args.limit)?);
        }
    }
    Ok(texts)
}
