//! The weighted parity variant with its exponent chosen on the development set: the fairest
//! tokenizer (lowest Gini of the development set's premiums) whose development-set tokens stay
//! within a budget over classical BPE's.
//!
//! Exponent 0 is classical BPE exactly, so the first training gives the budget's base. The
//! exponent then doubles from 2 while the result stays within the budget (up to
//! [`MAX_EXPONENT`]), and the bracket between the last exponent within and the first over is
//! halved on a grid of quarters until it is [`FINEST_STEP`] wide. Tokens do not always grow with
//! the exponent, so the result is the lowest Gini among every exponent tried within the budget
//! (the first tried, on ties), not the last one.

use omnitok_tokenizer::train::{PieceCounts, TrainConfig, TrainProgress};
use serde::Serialize;

use super::{learn_once, Learned};
use crate::error::{CorpusError, Result};
use crate::report::Corpus;

/// The largest exponent tried while looking for one over the budget.
pub const MAX_EXPONENT: f64 = 64.0;

/// The search stops when the exponents within and over the budget are this close.
pub const FINEST_STEP: f64 = 0.5;

/// How the exponent was found, as `training.json` records it.
#[derive(Debug, Clone, Serialize)]
pub struct ExponentSearch {
    /// Development-set tokens allowed over classical BPE's, in percent.
    pub budget_percent: f64,
    /// Every exponent trained, in the order tried.
    pub trials: Vec<ExponentTrial>,
    /// The exponent kept.
    pub chosen: f64,
}

/// One exponent's training, measured on the development set.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ExponentTrial {
    pub exponent: f64,
    pub dev_tokens: u64,
    /// Gini of the development set's premiums.
    pub dev_gini: f64,
    pub within_budget: bool,
}

/// Checks that `config` can take a budget: parity-aware, with no other variant chosen, and a
/// budget that is a non-negative number.
pub fn check(config: &TrainConfig, budget_percent: f64) -> Result<()> {
    let refuse = |why: &str| {
        Err(CorpusError::BadParameter(format!(
            "the parity budget {why}"
        )))
    };
    if !(budget_percent.is_finite() && budget_percent >= 0.0) {
        return refuse(&format!(
            "{budget_percent} must be a number of percent of at least 0"
        ));
    }
    let Some(parity) = &config.parity else {
        return refuse("needs parity-aware training");
    };
    if parity.weighted.is_some() || parity.window.is_some() || parity.global_merges > 0 {
        return refuse(
            "chooses the weighted variant's exponent itself: it cannot be combined with a given \
             exponent, the moving window or global merges",
        );
    }
    Ok(())
}

/// Trains with exponents chosen as the module documentation says; returns the chosen
/// exponent, its training and the search.
pub fn search(
    counts: &PieceCounts,
    config: &TrainConfig,
    dev: &Corpus,
    name: &str,
    progress: &TrainProgress,
    budget_percent: f64,
) -> Result<(f64, Learned, ExponentSearch)> {
    let mut trials = Vec::new();
    let mut best: Option<(f64, f64, Learned)> = None;
    let mut limit = None;
    let mut try_exponent = |exponent: f64| -> Result<bool> {
        let mut config = config.clone();
        if let Some(parity) = &mut config.parity {
            parity.weighted = Some(exponent);
        }
        let learned = learn_once(counts, &config, Some(dev), name, progress)?;
        let (dev_tokens, dev_gini) = measure(&learned)?;
        let limit = *limit.get_or_insert(dev_tokens as f64 * (1.0 + budget_percent / 100.0));
        let within_budget = dev_tokens as f64 <= limit;
        trials.push(ExponentTrial {
            exponent,
            dev_tokens,
            dev_gini,
            within_budget,
        });
        if within_budget && best.as_ref().is_none_or(|(gini, _, _)| dev_gini < *gini) {
            best = Some((dev_gini, exponent, learned));
        }
        Ok(within_budget)
    };
    try_exponent(0.0)?;
    let mut within = 0.0;
    let mut over = None;
    let mut exponent = 2.0;
    while exponent <= MAX_EXPONENT {
        if !try_exponent(exponent)? {
            over = Some(exponent);
            break;
        }
        within = exponent;
        exponent *= 2.0;
    }
    if let Some(mut over) = over {
        while over - within > FINEST_STEP {
            let middle = ((within + over) * 2.0).round() / 4.0;
            if middle <= within || middle >= over {
                break;
            }
            if try_exponent(middle)? {
                within = middle;
            } else {
                over = middle;
            }
        }
    }
    let Some((_, exponent, learned)) = best else {
        return Err(CorpusError::BadParameter(
            "the parity budget: no exponent was within it (not even 0, classical BPE)".into(),
        ));
    };
    Ok((
        exponent,
        learned,
        ExponentSearch {
            budget_percent,
            trials,
            chosen: exponent,
        },
    ))
}

/// Total tokens and the Gini of the premiums of a training's development-set report.
fn measure(learned: &Learned) -> Result<(u64, f64)> {
    let summary = learned
        .report
        .as_ref()
        .map(|report| report.summary())
        .ok_or_else(|| {
            CorpusError::BadParameter("the parity budget needs a development set".into())
        })?;
    let tokens = summary.tokens.first().copied().unwrap_or(0);
    let gini = summary
        .premium_gini
        .as_ref()
        .and_then(|g| g.first().copied().flatten())
        .ok_or_else(|| {
            CorpusError::BadParameter(
                "the development set gives no premiums (it needs parallel text)".into(),
            )
        })?;
    Ok((tokens, gini))
}
