//! Writes a built-in encoding of omnitok as a Hugging Face tokenizer.json, for
//! `compare_python.py` to load into `tokenizers.Tokenizer`.
//!
//! Usage: `export_tokenizer_json [ENCODING] [PATH]`; defaults: `o200k_base` and
//! `<data dir>/<ENCODING>.tokenizer.json` (data dir: `$OMNITOK_BENCH_DATA` or `benches/data`).

use std::path::PathBuf;
use std::process::ExitCode;

use omnitok_benches::inputs::data_dir;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let encoding = args.next().unwrap_or_else(|| "o200k_base".to_string());
    let path = args.next().map_or_else(
        || data_dir().join(format!("{encoding}.tokenizer.json")),
        PathBuf::from,
    );
    let tokenizer = match omnitok_tokenizer::get_encoding(&encoding) {
        Ok(tokenizer) => tokenizer,
        Err(e) => {
            eprintln!("export_tokenizer_json: {e}");
            return ExitCode::FAILURE;
        }
    };
    let json = match omnitok_tokenizer::hf_json::to_tokenizer_json(&tokenizer) {
        Ok(json) => json,
        Err(e) => {
            eprintln!("export_tokenizer_json: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(parent) = path.parent() {
        if let Err(e) = std::fs::create_dir_all(parent) {
            eprintln!(
                "export_tokenizer_json: cannot create {}: {e}",
                parent.display()
            );
            return ExitCode::FAILURE;
        }
    }
    if let Err(e) = std::fs::write(&path, json) {
        eprintln!(
            "export_tokenizer_json: cannot write {}: {e}",
            path.display()
        );
        return ExitCode::FAILURE;
    }
    println!("{}", path.display());
    ExitCode::SUCCESS
}
