//! Builds the bench inputs `english.txt` and `multilingual.txt` (see `omnitok_benches::inputs`).
//!
//! Usage: `make_inputs [--corpus DIR] [--out DIR]`; defaults: `$OMNITOK_CORPUS_DIR` or
//! `../shared/corpora/gnome-user-docs` (from the workspace root), and `$OMNITOK_BENCH_DATA` or
//! `benches/data`.

use std::path::PathBuf;
use std::process::ExitCode;

use omnitok_benches::inputs::{corpus_dir, data_dir, write_inputs};

fn main() -> ExitCode {
    let mut corpus = corpus_dir();
    let mut out = data_dir();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let target = match arg.as_str() {
            "--corpus" => &mut corpus,
            "--out" => &mut out,
            _ => {
                eprintln!(
                    "usage: make_inputs [--corpus DIR] [--out DIR] (unknown argument {arg:?})"
                );
                return ExitCode::from(2);
            }
        };
        match args.next() {
            Some(value) => *target = PathBuf::from(value),
            None => {
                eprintln!("make_inputs: {arg} needs a value");
                return ExitCode::from(2);
            }
        }
    }
    match write_inputs(&corpus, &out) {
        Ok(paths) => {
            for path in paths {
                let size = std::fs::metadata(&path).map_or(0, |m| m.len());
                println!("{} ({size} bytes)", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("make_inputs: {e}");
            ExitCode::FAILURE
        }
    }
}
