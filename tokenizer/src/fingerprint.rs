//! A checksum that identifies a loaded tokenizer (everything that decides its output), and the
//! text component of a token-space layout it makes.

use sha2::{Digest, Sha256};

use crate::{TokenId, Tokenizer};

impl Tokenizer {
    /// SHA-256 (lower-case hex) over the pre-tokenization pattern, every token's bytes by ID,
    /// the merge table (unless derived from ranks), whether whole pieces that are tokens skip
    /// merging, and the special tokens. Equal fingerprints mean equal encodings; the same vocabulary loaded
    /// from a rank file and from tokenizer.json may still differ in merge priorities, and so
    /// in fingerprint. Computed once per tokenizer (clones made after share it).
    pub fn sha256(&self) -> String {
        self.fingerprint
            .get_or_init(|| self.compute_sha256())
            .clone()
    }

    fn compute_sha256(&self) -> String {
        let mut hasher = Sha256::new();
        let mut field = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        field(b"omnitok tokenizer fingerprint 1");
        let Some(model) = self.model() else {
            // A pipeline is its tokenizer.json; the special tokens follow from it.
            field(b"tokenizer.json pipeline");
            if let Some(pipeline) = self.pipeline() {
                if let crate::pipeline::PipelineSource::SentencePieceModel(_) = pipeline.source {
                    field(b"sentencepiece model");
                }
                field(pipeline.source.as_bytes());
            }
            return hex(hasher.finalize().as_slice());
        };
        field(self.pattern().as_bytes());
        // Every ID's bytes, in ID order (specials included; an unused ID hashes as absent).
        let mut buffer = Vec::with_capacity(8 * self.n_vocab());
        for id in 0..self.n_vocab() as u32 {
            match self.token_bytes(id) {
                Some(bytes) => {
                    buffer.extend((bytes.len() as u32).to_le_bytes());
                    buffer.extend_from_slice(bytes);
                }
                None => buffer.extend(u32::MAX.to_le_bytes()),
            }
        }
        field(&buffer);
        // Merges derived from ranks follow from the tokens; others are hashed in priority order.
        buffer.clear();
        if !model.merges_derived_from_ranks() {
            let mut merges: Vec<[u32; 4]> = model
                .merges()
                .map(|(left, right, m)| [m.priority, left, right, m.token])
                .collect();
            merges.sort_unstable();
            buffer.extend(merges.iter().flatten().flat_map(|n| n.to_le_bytes()));
        }
        field(&buffer);
        field(&[u8::from(model.whole_piece_first())]);
        for (name, id) in self.special_tokens().entries() {
            field(name.as_bytes());
            field(&id.to_le_bytes());
        }
        hex(hasher.finalize().as_slice())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Tokenizer {
    /// A token-space layout builder whose text component is this tokenizer: its ordinary
    /// tokens (IDs up to the largest ordinary one), its specials and its fingerprint.
    pub fn layout_builder(&self) -> omnitok_vocab::layout::LayoutBuilder {
        let (ordinary, specials) = self.layout_text();
        omnitok_vocab::VocabLayout::builder().text(self.name(), self.sha256(), ordinary, specials)
    }

    /// What a layout records of this tokenizer's IDs: one past its largest ordinary ID, and its
    /// special tokens with their IDs.
    pub fn layout_text(&self) -> (TokenId, Vec<(String, TokenId)>) {
        let ordinary = match self.model() {
            Some(model) => model
                .tokens()
                .map(|(_, id)| id.saturating_add(1))
                .max()
                .unwrap_or(0),
            // A pipeline's specials may sit among its ordinary tokens (BERT's [CLS] is 101).
            None => (0..self.n_vocab() as TokenId)
                .rev()
                .find(|&id| {
                    self.token_bytes(id).is_some()
                        && !self
                            .special_tokens()
                            .entries()
                            .iter()
                            .any(|&(_, s)| s == id)
                })
                .map_or(0, |id| id + 1),
        };
        (ordinary, self.special_tokens().entries().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use crate::get_encoding;

    #[test]
    fn fingerprints_tell_encodings_apart_and_are_stable() {
        let o200k = get_encoding("o200k_base").unwrap();
        let harmony = get_encoding("o200k_harmony").unwrap();
        let cl100k = get_encoding("cl100k_base").unwrap();
        assert_eq!(o200k.sha256(), o200k.sha256());
        assert_eq!(o200k.sha256().len(), 64);
        assert_ne!(o200k.sha256(), harmony.sha256());
        assert_ne!(o200k.sha256(), cl100k.sha256());
    }
}
