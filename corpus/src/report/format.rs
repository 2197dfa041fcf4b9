//! A [`Report`] as an aligned table, JSON or CSV.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::{LanguageStats, Report, Summary, WorstBy};

/// The report as an aligned text table: one row per language and tokenizer, a total per
/// tokenizer, then the Gini coefficient of premiums and the worst language.
pub fn table(report: &Report) -> String {
    let premiums = report.reference.is_some();
    let mut header: Vec<String> = [
        "lang",
        "bytes",
        "chars",
        "tokenizer",
        "tokens",
        "bytes/token",
        "chars/token",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.push(format!("vs {}", report.baseline_name()));
    if let Some(reference) = &report.reference {
        header.push(format!("premium vs {reference}"));
    }
    let mut rows = vec![header];
    let fixed = |value: Option<f64>| value.map_or("-".to_string(), |v| format!("{v:.2}"));
    let mut push_rows = |lang: &str,
                         bytes: u64,
                         chars: u64,
                         figures: &dyn Fn(usize) -> [Option<f64>; 4],
                         tokens: &[u64]| {
        for (t, name) in report.tokenizers.iter().enumerate() {
            let [bpt, cpt, ratio, premium] = figures(t);
            let first = t == 0;
            let mut row = vec![
                if first {
                    lang.to_string()
                } else {
                    String::new()
                },
                if first {
                    bytes.to_string()
                } else {
                    String::new()
                },
                if first {
                    chars.to_string()
                } else {
                    String::new()
                },
                name.clone(),
                tokens[t].to_string(),
                fixed(bpt),
                fixed(cpt),
                fixed(ratio),
            ];
            if premiums {
                row.push(fixed(premium));
            }
            rows.push(row);
        }
    };
    let baseline = report.baseline;
    for l in &report.languages {
        let figures = |t: usize| {
            [
                l.bytes_per_token(t),
                l.chars_per_token(t),
                l.ratio_vs(t, baseline),
                l.premium(t),
            ]
        };
        push_rows(&l.lang, l.bytes, l.chars, &figures, &l.tokens);
    }
    let summary = report.summary();
    let figures = |t: usize| {
        [
            summary.bytes_per_token(t),
            summary.chars_per_token(t),
            summary.ratio_vs(t, baseline),
            None,
        ]
    };
    push_rows(
        "total",
        summary.bytes,
        summary.chars,
        &figures,
        &summary.tokens,
    );

    // Names (language, tokenizer) left-aligned, numbers right-aligned.
    let mut out = aligned(&rows, &[0, 3]);
    if let Some(gini) = &summary.premium_gini {
        let cells: Vec<String> = report
            .tokenizers
            .iter()
            .zip(gini)
            .map(|(name, g)| format!("{name} {}", fixed(*g)))
            .collect();
        out.push_str(&format!("Gini of premiums: {}\n", cells.join(", ")));
    }
    let worst: Vec<String> = report
        .tokenizers
        .iter()
        .zip(&summary.worst)
        .filter_map(|(name, worst)| {
            let w = worst.as_ref()?;
            Some(match w.by {
                WorstBy::Premium => format!("{name} {} (premium {:.2})", w.lang, w.value),
                WorstBy::BytesPerToken => format!("{name} {} ({:.2} bytes/token)", w.lang, w.value),
            })
        })
        .collect();
    if !worst.is_empty() {
        out.push_str(&format!("Worst: {}\n", worst.join(", ")));
    }
    out
}

/// `rows` of cells in columns separated by two spaces, each as wide as its widest cell: the
/// columns listed in `left` left-aligned, the others right-aligned; lines end without spaces.
pub fn aligned(rows: &[Vec<String>], left: &[usize]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, (cell, width)) in row.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(width - cell.chars().count());
            if c > 0 {
                line.push_str("  ");
            }
            if left.contains(&c) {
                line.push_str(cell);
                line.push_str(&pad);
            } else {
                line.push_str(&pad);
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The report as pretty-printed JSON, keys in the documented order, newline-terminated.
///
/// `{"encodings", "baseline", "reference", "languages": [{"lang", "bytes", "chars", "tokens",
/// "bytes_per_token", "chars_per_token", "ratio_vs_baseline", "premium", "reference_tokens"}],
/// "summary": {"languages", "bytes", "chars", "tokens", "bytes_per_token", "chars_per_token",
/// "ratio_vs_baseline", "premium_gini", "worst"}}`; per-tokenizer figures are objects keyed by
/// tokenizer name, figures that divide by zero are `null`, and premiums are `null` without a
/// reference language.
pub fn json(report: &Report) -> String {
    let mut out = match serde_json::to_string_pretty(&JsonReport::new(report)) {
        Ok(json) => json,
        // Serializing plain structs, strings and numbers into a String cannot fail.
        Err(e) => unreachable!("serializing a report: {e}"),
    };
    out.push('\n');
    out
}

/// The report as CSV, one row per language and tokenizer:
/// `lang,tokenizer,bytes,chars,tokens,bytes_per_token,chars_per_token,ratio_vs_baseline,premium`
/// (empty cells where a figure is undefined).
pub fn csv(report: &Report) -> String {
    let mut out = String::from(
        "lang,tokenizer,bytes,chars,tokens,bytes_per_token,chars_per_token,ratio_vs_baseline,premium\n",
    );
    let cell = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for l in &report.languages {
        for (t, name) in report.tokenizers.iter().enumerate() {
            let cells = [
                csv_field(&l.lang),
                csv_field(name),
                l.bytes.to_string(),
                l.chars.to_string(),
                l.tokens[t].to_string(),
                cell(l.bytes_per_token(t)),
                cell(l.chars_per_token(t)),
                cell(l.ratio_vs(t, report.baseline)),
                cell(l.premium(t)),
            ];
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// Values keyed by tokenizer name, in tokenizer order.
/// Values keyed by tokenizer name, serialized as a JSON object in tokenizer order.
pub struct PerTokenizer<'a, T> {
    pub names: &'a [String],
    pub values: Vec<T>,
}

impl<T: Serialize> Serialize for PerTokenizer<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.names.len()))?;
        for (name, value) in self.names.iter().zip(&self.values) {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct JsonLanguage<'a> {
    lang: &'a str,
    bytes: u64,
    chars: u64,
    tokens: PerTokenizer<'a, u64>,
    bytes_per_token: PerTokenizer<'a, Option<f64>>,
    chars_per_token: PerTokenizer<'a, Option<f64>>,
    ratio_vs_baseline: PerTokenizer<'a, Option<f64>>,
    premium: Option<PerTokenizer<'a, Option<f64>>>,
    reference_tokens: Option<PerTokenizer<'a, u64>>,
}

#[derive(Serialize)]
struct JsonWorst {
    lang: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    premium: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes_per_token: Option<f64>,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    languages: usize,
    bytes: u64,
    chars: u64,
    tokens: PerTokenizer<'a, u64>,
    bytes_per_token: PerTokenizer<'a, Option<f64>>,
    chars_per_token: PerTokenizer<'a, Option<f64>>,
    ratio_vs_baseline: PerTokenizer<'a, Option<f64>>,
    premium_gini: Option<PerTokenizer<'a, Option<f64>>>,
    worst: PerTokenizer<'a, Option<JsonWorst>>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    encodings: &'a [String],
    baseline: &'a str,
    reference: Option<&'a str>,
    languages: Vec<JsonLanguage<'a>>,
    summary: JsonSummary<'a>,
}

impl<'a> JsonReport<'a> {
    fn new(report: &'a Report) -> Self {
        let names = &report.tokenizers[..];
        let n = names.len();
        let per = |f: &dyn Fn(usize) -> Option<f64>| PerTokenizer {
            names,
            values: (0..n).map(f).collect(),
        };
        let language = |l: &'a LanguageStats| JsonLanguage {
            lang: &l.lang,
            bytes: l.bytes,
            chars: l.chars,
            tokens: PerTokenizer {
                names,
                values: l.tokens.clone(),
            },
            bytes_per_token: per(&|t| l.bytes_per_token(t)),
            chars_per_token: per(&|t| l.chars_per_token(t)),
            ratio_vs_baseline: per(&|t| l.ratio_vs(t, report.baseline)),
            premium: l.reference_tokens.as_ref().map(|_| per(&|t| l.premium(t))),
            reference_tokens: l.reference_tokens.as_ref().map(|r| PerTokenizer {
                names,
                values: r.clone(),
            }),
        };
        let summary: Summary = report.summary();
        let worst = summary
            .worst
            .iter()
            .map(|w| {
                w.as_ref().map(|w| JsonWorst {
                    lang: w.lang.clone(),
                    premium: (w.by == WorstBy::Premium).then_some(w.value),
                    bytes_per_token: (w.by == WorstBy::BytesPerToken).then_some(w.value),
                })
            })
            .collect();
        let json_summary = JsonSummary {
            languages: summary.languages,
            bytes: summary.bytes,
            chars: summary.chars,
            tokens: PerTokenizer {
                names,
                values: summary.tokens.clone(),
            },
            bytes_per_token: per(&|t| summary.bytes_per_token(t)),
            chars_per_token: per(&|t| summary.chars_per_token(t)),
            ratio_vs_baseline: per(&|t| summary.ratio_vs(t, report.baseline)),
            premium_gini: summary.premium_gini.as_ref().map(|g| PerTokenizer {
                names,
                values: g.clone(),
            }),
            worst: PerTokenizer {
                names,
                values: worst,
            },
        };
        JsonReport {
            encodings: names,
            baseline: report.baseline_name(),
            reference: report.reference.as_deref(),
            languages: report.languages.iter().map(language).collect(),
            summary: json_summary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn report(reference: bool) -> Report {
        Report {
            tokenizers: vec!["cl100k_base".into(), "o200k_base".into()],
            baseline: 1,
            reference: reference.then(|| "en".to_string()),
            languages: vec![
                LanguageStats {
                    lang: "en".into(),
                    bytes: 82,
                    chars: 82,
                    tokens: vec![27, 24],
                    reference_tokens: reference.then(|| vec![27, 24]),
                },
                LanguageStats {
                    lang: "hi,x".into(),
                    bytes: 200,
                    chars: 80,
                    tokens: vec![90, 0],
                    reference_tokens: reference.then(|| vec![27, 24]),
                },
            ],
        }
    }

    #[test]
    fn json_has_documented_keys_in_order_and_exact_figures() {
        let text = json(&report(true));
        let compact: String = text.split_whitespace().collect();
        assert!(compact.starts_with(r#"{"encodings":["cl100k_base","o200k_base"],"baseline":"o200k_base","reference":"en","languages":[{"lang":"en","bytes":82,"chars":82,"tokens":{"cl100k_base":27,"o200k_base":24},"bytes_per_token":{"#), "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        let en = &v["languages"][0];
        assert_eq!(en["ratio_vs_baseline"]["cl100k_base"], 27.0 / 24.0);
        assert_eq!(en["premium"]["cl100k_base"], 1.0);
        let hi = &v["languages"][1];
        assert_eq!(hi["ratio_vs_baseline"]["cl100k_base"], Value::Null);
        assert_eq!(hi["bytes_per_token"]["o200k_base"], Value::Null);
        assert_eq!(hi["premium"]["cl100k_base"], 90.0 / 27.0);
        assert_eq!(hi["reference_tokens"]["o200k_base"], 24);
        let summary = &v["summary"];
        assert_eq!(summary["tokens"]["cl100k_base"], 117);
        assert_eq!(summary["worst"]["cl100k_base"]["lang"], "hi,x");
        assert_eq!(summary["worst"]["cl100k_base"]["premium"], 90.0 / 27.0);
        let keys: Vec<&str> = summary
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(keys.contains(&"premium_gini"), "{keys:?}");

        let v: Value = serde_json::from_str(&json(&report(false))).unwrap();
        assert_eq!(v["reference"], Value::Null);
        assert_eq!(v["languages"][0]["premium"], Value::Null);
        assert_eq!(v["summary"]["premium_gini"], Value::Null);
        assert_eq!(v["summary"]["worst"]["cl100k_base"]["lang"], "hi,x");
        assert_eq!(
            v["summary"]["worst"]["cl100k_base"]["bytes_per_token"],
            200.0 / 90.0
        );
    }

    #[test]
    fn table_is_aligned_and_lists_every_tokenizer() {
        let text = table(&report(true));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 2 * 3 + 2, "{text}");
        assert!(
            lines[0].starts_with("lang ") && lines[0].ends_with("premium vs en"),
            "{text}"
        );
        assert!(
            lines[1].starts_with("en ") && lines[1].contains(" cl100k_base "),
            "{text}"
        );
        assert!(lines[1].contains(" 1.12 "), "{text}");
        assert!(lines[5].starts_with("total "), "{text}");
        assert!(
            lines[7].starts_with("Gini of premiums: cl100k_base "),
            "{text}"
        );
        assert!(
            lines[8].starts_with("Worst: cl100k_base hi,x (premium 3.33)"),
            "{text}"
        );
        let without = table(&report(false));
        assert!(!without.contains("premium"), "{without}");
        assert!(
            without.contains("Worst: cl100k_base hi,x (2.22 bytes/token)"),
            "{without}"
        );
    }

    #[test]
    fn csv_rows_per_language_and_tokenizer_with_quoting() {
        let text = csv(&report(true));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines[1],
            format!(
                "en,cl100k_base,82,82,27,{},{},{},1",
                82.0 / 27.0,
                82.0 / 27.0,
                27.0 / 24.0
            )
        );
        assert!(
            lines[4].starts_with("\"hi,x\",o200k_base,200,80,0,,,,0"),
            "{text}"
        );
    }
}
