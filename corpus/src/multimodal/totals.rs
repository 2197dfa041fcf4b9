//! Tokens and media per modality over many documents: what share of a corpus each modality
//! takes, and what a second of audio or video, or an image, costs in tokens.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::encoder::{Modality, Span};

/// One modality's counts, and the figures derived from them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModalityTotals {
    /// Segments of this modality.
    pub segments: u64,
    /// Their IDs, markers included.
    pub tokens: u64,
    /// Share of all IDs of the documents (markers included), 0 to 1.
    pub share: f64,
    /// Text: bytes of the text given as strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Audio and video: seconds, over the segments whose duration is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// Video: frames encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frames: Option<u64>,
    /// Audio and video: tokens per second, over the segments whose duration is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_per_second: Option<f64>,
    /// Images: tokens per image. Video: tokens per frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_per_item: Option<f64>,
    /// Text: bytes per token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_per_token: Option<f64>,
    /// Tokens of the segments whose duration is known (for `tokens_per_second`).
    #[serde(skip)]
    timed_tokens: u64,
    /// Tokens of the text given as strings (for `bytes_per_token`).
    #[serde(skip)]
    text_tokens: u64,
}

/// Counts per modality of many documents.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    pub documents: u64,
    pub tokens: u64,
    pub by_modality: BTreeMap<Modality, ModalityTotals>,
}

impl Totals {
    /// Adds one document of `tokens` IDs (spans cover them; IDs outside every span, such as an
    /// appended end-of-text token, count only to the whole).
    pub fn add_document(&mut self, tokens: u64, spans: &[Span]) {
        self.documents += 1;
        self.tokens += tokens;
        for span in spans {
            let totals = self.by_modality.entry(span.kind).or_default();
            let length = span.end - span.start;
            totals.segments += 1;
            totals.tokens += length;
            if let Some(bytes) = span.bytes {
                *totals.bytes.get_or_insert(0) += bytes;
                totals.text_tokens += length;
            }
            if let Some(seconds) = span.seconds {
                *totals.seconds.get_or_insert(0.0) += seconds;
                totals.timed_tokens += length;
            }
            if let Some(frames) = span.frames {
                *totals.frames.get_or_insert(0) += frames;
            }
        }
    }

    /// The per-modality counts with their derived figures filled in.
    pub fn summary(&self) -> BTreeMap<Modality, ModalityTotals> {
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        let mut summary = self.by_modality.clone();
        for (kind, totals) in &mut summary {
            totals.share = ratio(totals.tokens as f64, self.tokens as f64).unwrap_or(0.0);
            totals.tokens_per_second = totals
                .seconds
                .and_then(|s| ratio(totals.timed_tokens as f64, s));
            totals.bytes_per_token = totals
                .bytes
                .and_then(|b| ratio(b as f64, totals.text_tokens as f64));
            totals.tokens_per_item = match kind {
                Modality::Image => ratio(totals.tokens as f64, totals.segments as f64),
                Modality::Video => totals
                    .frames
                    .and_then(|f| ratio(totals.tokens as f64, f as f64)),
                _ => None,
            };
        }
        summary
    }
}

/// Columns of [`table`] and [`csv`].
const COLUMNS: [&str; 9] = [
    "modality",
    "segments",
    "tokens",
    "share",
    "bytes",
    "seconds",
    "frames",
    "tokens_per_second",
    "tokens_per_item",
];

/// One row of values per modality (empty where a figure does not apply), `digits` after the
/// point for fractions.
fn rows(summary: &BTreeMap<Modality, ModalityTotals>, digits: usize) -> Vec<[String; 9]> {
    let number = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.digits$}"));
    summary
        .iter()
        .map(|(kind, t)| {
            let name = serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            [
                name,
                t.segments.to_string(),
                t.tokens.to_string(),
                format!("{:.digits$}", t.share),
                t.bytes.map_or(String::new(), |b| b.to_string()),
                number(t.seconds),
                t.frames.map_or(String::new(), |f| f.to_string()),
                number(t.tokens_per_second),
                number(t.tokens_per_item),
            ]
        })
        .collect()
}

/// An aligned table of `summary`, one row per modality.
pub fn table(summary: &BTreeMap<Modality, ModalityTotals>) -> String {
    let mut lines = vec![COLUMNS.map(str::to_owned)];
    lines.extend(rows(summary, 3));
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|c| lines.iter().map(|row| row[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &lines {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &w))| {
                if c == 0 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        out += cells.join("  ").trim_end();
        out.push('\n');
    }
    out
}

/// `summary` as CSV with a header row.
pub fn csv(summary: &BTreeMap<Modality, ModalityTotals>) -> String {
    let mut out = COLUMNS.join(",") + "\n";
    for row in rows(summary, 6) {
        out += &row.join(",");
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(kind: Modality, start: u64, end: u64) -> Span {
        Span {
            kind,
            start,
            end,
            bytes: None,
            seconds: None,
            frames: None,
        }
    }

    #[test]
    fn shares_and_rates() {
        let mut totals = Totals::default();
        let text = Span {
            bytes: Some(40),
            ..span(Modality::Text, 0, 10)
        };
        let audio = Span {
            seconds: Some(2.0),
            ..span(Modality::Audio, 10, 160)
        };
        totals.add_document(161, &[text, audio, span(Modality::Image, 160, 160)]);
        totals.add_document(39, &[span(Modality::Image, 0, 38)]);
        let summary = totals.summary();
        assert_eq!(totals.tokens, 200);
        assert_eq!(summary[&Modality::Text].bytes_per_token, Some(4.0));
        assert_eq!(summary[&Modality::Audio].tokens_per_second, Some(75.0));
        assert_eq!(summary[&Modality::Audio].share, 0.75);
        assert_eq!(summary[&Modality::Image].tokens_per_item, Some(19.0));
        assert_eq!(summary[&Modality::Image].segments, 2);
        let table = table(&summary);
        assert!(table.starts_with("modality  segments  tokens"), "{table}");
        assert!(table.contains("audio"), "{table}");
        let csv = csv(&summary);
        assert_eq!(csv.lines().count(), 4);
        assert!(
            csv.contains("audio,1,150,0.750000,,2.000000,,75.000000,"),
            "{csv}"
        );
    }
}
