//! Byte-level BPE behind a normalizer, on the fast path: once a pipeline has normalized its
//! text, words are split by the pre-tokenizer's regex and merged by rank exactly as for
//! tokenizers without a normalizer ([`crate::bpe`]), instead of through strings of byte chars.

use omnitok_vocab::TokenId;

use crate::bpe::{with_scratch, BpeModel};
use crate::error::Result;
use crate::pretokenize::Pretokenizer;

/// The regex pre-tokenizer and byte-level BPE of a pipeline ([`crate::hf_json`] builds it
/// when the pipeline's stages are equivalent).
#[derive(Debug)]
pub struct ByteLevelWords {
    pretokenizer: Pretokenizer,
    model: BpeModel,
    /// Tells this model's cached pieces from other models' in a thread's scratch.
    model_id: u64,
}

impl ByteLevelWords {
    pub(crate) fn new(pretokenizer: Pretokenizer, model: BpeModel) -> Self {
        Self {
            pretokenizer,
            model,
            model_id: crate::bpe::next_model_id(),
        }
    }

    /// Appends the IDs of normalized `text` (no added tokens in it) to `out`.
    pub(crate) fn encode_into(&self, text: &str, out: &mut Vec<TokenId>) -> Result<()> {
        with_scratch(self.model_id, |scratch| {
            self.pretokenizer.for_each_piece(text, |start, end| {
                self.model
                    .encode_piece(&text.as_bytes()[start..end], scratch, out);
            })
        })
    }
}
