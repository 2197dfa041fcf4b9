//! `omnitok`: encode text to token IDs, decode IDs to text, and count tokens.
//!
//! One module per command; [`input`] reads inputs, picks the tokenizer and writes output. All
//! tokenization lives in `omnitok-tokenizer`: this binary parses arguments, does I/O, formats
//! results and maps errors to `omnitok: <message>` on stderr with exit code 1.

mod audio;
mod choice;
mod codec;
mod corpus_args;
mod count;
mod decode;
mod encode;
mod input;
mod layout;
mod mux;
mod output;
mod progress;
mod show;
mod stats;
mod tokenize;
mod train;
mod vision;
mod vision_codes;
mod vision_input;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "omnitok",
    version,
    about = "Token IDs of one shared vocabulary for text (tiktoken encodings, any HF tokenizer.json), audio, images and video."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Encode(encode::EncodeArgs),
    Decode(decode::DecodeArgs),
    Count(count::CountArgs),
    Tokenize(tokenize::TokenizeArgs),
    Stats(stats::StatsArgs),
    Show(show::ShowArgs),
    Train(train::TrainArgs),
    Audio(audio::AudioArgs),
    Vision(vision::VisionArgs),
    Layout(layout::LayoutArgs),
    Mux(mux::MuxArgs),
    Demux(mux::DemuxArgs),
}

fn main() -> ExitCode {
    // Usage errors and --help/--version exit here, with clap's codes (2 and 0).
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Encode(args) => encode::run(&args),
        Command::Decode(args) => decode::run(&args),
        Command::Count(args) => count::run(&args),
        Command::Tokenize(args) => tokenize::run(&args),
        Command::Stats(args) => stats::run(&args),
        Command::Show(args) => show::run(&args),
        Command::Train(args) => train::run(&args),
        Command::Audio(args) => audio::run(&args),
        Command::Vision(args) => vision::run(&args),
        Command::Layout(args) => layout::run(&args),
        Command::Mux(args) => mux::run_mux(&args),
        Command::Demux(args) => mux::run_demux(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output went away (`omnitok encode big | head`): nothing to report.
        Err(e) if input::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // If stderr is gone too there is nowhere left to report to.
            let _ = writeln!(std::io::stderr(), "omnitok: {}", error_message(&e));
            ExitCode::FAILURE
        }
    }
}

/// Parses a `--threads` value: 1 to [`omnitok_corpus::MAX_THREADS`].
fn thread_count(value: &str) -> Result<usize, String> {
    let n = value.parse::<usize>().map_err(|e| e.to_string())?;
    omnitok_corpus::check_threads(n).map_err(|e| e.to_string())?;
    Ok(n)
}

/// The error and its causes, joined by ": ", leaving out a cause whose message the text before
/// it already ends with (many errors show their source in their own message).
fn error_message(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if message.ends_with(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

#[cfg(test)]
mod tests {
    use super::error_message;

    #[test]
    fn causes_already_in_a_message_are_not_repeated() {
        /// An error that shows its source in its own message, as many do.
        #[derive(Debug)]
        struct Shows(std::io::Error);
        impl std::fmt::Display for Shows {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "a.txt: {}", self.0)
            }
        }
        impl std::error::Error for Shows {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let error = anyhow::Error::new(Shows(io)).context("reading");
        assert_eq!(error_message(&error), "reading: a.txt: no such file");
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(error_message(&plain), "outer: inner");
    }
}
