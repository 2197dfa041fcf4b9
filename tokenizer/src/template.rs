//! The special tokens a tokenizer puts around every encoded text when asked to (HF's
//! `add_special_tokens=True`): BERT's `[CLS] … [SEP]`, Llama's `<s>`, T5's `</s>`. Read from a
//! tokenizer.json `post_processor` for single texts.

use omnitok_vocab::TokenId;
use serde_json::Value;

use crate::error::{Result, TokenizerError};

/// IDs before and after the IDs of a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Template {
    /// IDs put before the text's.
    pub prefix: Vec<TokenId>,
    /// IDs put after the text's.
    pub suffix: Vec<TokenId>,
}

impl Template {
    /// Whether it adds nothing.
    pub fn is_empty(&self) -> bool {
        self.prefix.is_empty() && self.suffix.is_empty()
    }

    /// The template of a tokenizer.json `post_processor` (null: none). `path` names the file in
    /// errors; an unsupported processor is refused, never ignored.
    pub fn from_post_processor(value: &Value, path: &str) -> Result<Self> {
        let mut template = Template::default();
        template.wrap_with(value, "post_processor", path)?;
        Ok(template)
    }

    /// Wraps this template in the one `value` describes (a processor applied after it).
    fn wrap_with(&mut self, value: &Value, at: &str, path: &str) -> Result<()> {
        let bad = |at: &str, message: &str| TokenizerError::bad_vocab(path, at, message);
        let pair_id = |name: &str| {
            value
                .get(name)
                .and_then(|pair| pair.get(1))
                .and_then(Value::as_u64)
                .and_then(|id| TokenId::try_from(id).ok())
                .ok_or_else(|| bad(&format!("{at}.{name}"), "expected [token, ID]"))
        };
        let (prefix, suffix) = match value.get("type").and_then(Value::as_str) {
            None if value.is_null() => return Ok(()),
            Some("ByteLevel") => return Ok(()),
            Some("BertProcessing" | "RobertaProcessing") => {
                (vec![pair_id("cls")?], vec![pair_id("sep")?])
            }
            Some("TemplateProcessing") => template_processing(value, at, path)?,
            Some("Sequence") => {
                let steps = value
                    .get("processors")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad(at, "missing array field `processors`"))?;
                for (i, step) in steps.iter().enumerate() {
                    self.wrap_with(step, &format!("{at}.processors[{i}]"), path)?;
                }
                return Ok(());
            }
            other => {
                return Err(TokenizerError::Unsupported {
                    path: path.to_string(),
                    message: format!(
                        "{at}: type {other:?} is not supported (supported: TemplateProcessing, \
                         BertProcessing, RobertaProcessing, ByteLevel, Sequence)"
                    ),
                })
            }
        };
        self.prefix.splice(0..0, prefix);
        self.suffix.extend(suffix);
        Ok(())
    }
}

/// The IDs a TemplateProcessing `single` template puts before and after `$A`.
fn template_processing(
    value: &Value,
    at: &str,
    path: &str,
) -> Result<(Vec<TokenId>, Vec<TokenId>)> {
    let bad = |at: &str, message: String| TokenizerError::bad_vocab(path, at, message);
    let pieces = value
        .get("single")
        .and_then(Value::as_array)
        .ok_or_else(|| bad(at, "missing array field `single`".into()))?;
    let (mut prefix, mut suffix) = (Vec::new(), Vec::new());
    let mut seen_text = false;
    for (i, piece) in pieces.iter().enumerate() {
        let piece_at = format!("{at}.single[{i}]");
        if piece.get("Sequence").is_some() {
            if seen_text {
                return Err(bad(
                    &piece_at,
                    "the text appears twice in the template".into(),
                ));
            }
            seen_text = true;
            continue;
        }
        let name = piece
            .get("SpecialToken")
            .and_then(|s| s.get("id"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                bad(
                    &piece_at,
                    "expected {\"Sequence\": …} or {\"SpecialToken\": …}".into(),
                )
            })?;
        let ids = value
            .get("special_tokens")
            .and_then(|s| s.get(name))
            .and_then(|s| s.get("ids"))
            .and_then(Value::as_array)
            .ok_or_else(|| {
                bad(
                    &format!("{at}.special_tokens"),
                    format!("no IDs for {name:?}, which the template uses"),
                )
            })?;
        for id in ids {
            let id = id
                .as_u64()
                .and_then(|id| TokenId::try_from(id).ok())
                .ok_or_else(|| {
                    bad(
                        &format!("{at}.special_tokens[{name:?}]"),
                        format!("bad ID {id}"),
                    )
                })?;
            if seen_text {
                suffix.push(id)
            } else {
                prefix.push(id)
            }
        }
    }
    Ok((prefix, suffix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn processors_give_their_prefix_and_suffix() {
        let bert = json!({"type": "BertProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]});
        let t = Template::from_post_processor(&bert, "t.json").unwrap();
        assert_eq!((t.prefix, t.suffix), (vec![101], vec![102]));
        let llama3 = json!({"type": "Sequence", "processors": [
            {"type": "ByteLevel"},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}]});
        let t = Template::from_post_processor(&llama3, "t.json").unwrap();
        assert_eq!((t.prefix, t.suffix), (vec![1], vec![]));
        let error =
            Template::from_post_processor(&json!({"type": "Custom"}), "t.json").unwrap_err();
        assert!(
            error.to_string().contains("post_processor: type"),
            "{error}"
        );
    }
}
