//! `omnitok`: encode text to token IDs, decode IDs to text, and count tokens.
//!
//! One module per command; [`input`] reads inputs, picks the tokenizer and writes output. All
//! tokenization lives in `omnitok-tokenizer`: this binary parses arguments, does I/O, formats
//! results and maps errors to `omnitok: <message>` on stderr with exit code 1.

mod audio;
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
mod stats;
mod tokenize;
mod train;
mod vision;
mod vision_codes;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "omnitok",
    version,
    about = "Byte-level BPE tokenizer, compatible with tiktoken."
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
            let _ = writeln!(std::io::stderr(), "omnitok: {e:#}");
            ExitCode::FAILURE
        }
    }
}
