//! `omnitok tokenize`: compression per language.

use anyhow::Result;
use clap::Args;

/// Tokenize corpora into token shards.
#[derive(Args, Debug)]
pub struct TokenizeArgs {}

/// Runs `omnitok tokenize`.
pub fn run(_args: &TokenizeArgs) -> Result<()> {
    anyhow::bail!("not built yet")
}
