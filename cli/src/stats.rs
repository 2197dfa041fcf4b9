//! `omnitok stats`: compression per language.

use anyhow::Result;
use clap::Args;

/// Compare tokenizers language by language.
#[derive(Args, Debug)]
pub struct StatsArgs {}

/// Runs `omnitok stats`.
pub fn run(_args: &StatsArgs) -> Result<()> {
    anyhow::bail!("not built yet")
}
