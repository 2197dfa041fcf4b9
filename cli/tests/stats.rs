//! End-to-end tests of `omnitok stats`: the published GPT-4o figures, the three input forms, the
//! output formats, charts and errors.

// Test helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::TempDir;

use omnitok_tokenizer::{get_encoding, SpecialPolicy};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn fixture(name: &str) -> String {
    fixtures().join(name).to_str().unwrap().to_string()
}

/// `omnitok stats args...`, which must succeed without printing on stderr: its stdout.
fn ok(args: &[&str]) -> String {
    String::from_utf8(common::ok(&[&["stats"], args].concat(), b"")).unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&ok(&all)).unwrap()
}

/// `omnitok stats args...`, which must fail cleanly: its stderr.
fn fails(args: &[&str]) -> String {
    common::fails(&[&["stats"], args].concat(), b"")
}

/// Equal up to the last bit or two: serde_json parses floats to within one unit in the last
/// place, not exactly.
fn assert_close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-12 * b.abs(), "{what}: {a} != {b}");
}

fn tokens(report: &Value, lang: &str, encoding: &str) -> u64 {
    let entry = report["languages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lang"] == lang)
        .unwrap_or_else(|| panic!("no language {lang}"));
    entry["tokens"][encoding].as_u64().unwrap()
}

/// OpenAI's "Hello GPT-4o" table: per sentence, cl100k_base and o200k_base tokens and how many
/// times fewer tokens o200k_base needs. Every language whose counts match the published ones
/// must also print the published ratio; the languages that do not match are exactly those that
/// published.json lists, with the counts tiktoken gives (tiktoken.json).
#[test]
fn reproduces_the_gpt4o_language_tokenization_table() {
    let published: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("gpt4o-languages/published.json")).unwrap(),
    )
    .unwrap();
    let tiktoken: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("gpt4o-languages/tiktoken.json")).unwrap(),
    )
    .unwrap();
    let dir = fixture("gpt4o-languages");
    let args = [
        "-e",
        "cl100k_base",
        "-e",
        "o200k_base",
        "--baseline",
        "o200k_base",
        &dir,
    ];
    let report = json(&args);
    assert_eq!(report["baseline"], "o200k_base");
    assert_eq!(report["languages"].as_array().unwrap().len(), 20);
    let table = ok(&args);

    let languages = published["languages"].as_array().unwrap();
    assert_eq!(languages.len(), 20);
    let mut not_reproduced = Vec::new();
    for entry in languages {
        let lang = entry["lang"].as_str().unwrap();
        let before = tokens(&report, lang, "cl100k_base");
        let after = tokens(&report, lang, "o200k_base");
        // Independent reference: tiktoken's counts of the same files.
        assert_eq!(before, tiktoken["languages"][lang]["cl100k_base"], "{lang}");
        assert_eq!(after, tiktoken["languages"][lang]["o200k_base"], "{lang}");
        let ratio = report["languages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["lang"] == lang)
            .unwrap()["ratio_vs_baseline"]["cl100k_base"]
            .as_f64()
            .unwrap();
        assert_close(ratio, before as f64 / after as f64, lang);
        // The table prints the same ratio, to two decimals.
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("{lang} ")))
            .unwrap();
        assert!(row.ends_with(&format!(" {ratio:.2}")), "{lang}: {row}");

        if (before, after)
            == (
                entry["cl100k_base"].as_u64().unwrap(),
                entry["o200k_base"].as_u64().unwrap(),
            )
        {
            assert_eq!(format!("{ratio:.1}x"), entry["fewer_tokens"], "{lang}");
        } else {
            not_reproduced.push(lang.to_string());
        }
    }
    let mut listed: Vec<String> = published["not_reproduced"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    listed.sort();
    not_reproduced.sort();
    assert_eq!(not_reproduced, listed);
    assert_eq!(not_reproduced.len(), 2);

    // The wording of the Italian sentence at the time of the announcement gives the published
    // counts exactly.
    let variant = json(&[
        "-e",
        "cl100k_base",
        "-e",
        "o200k_base",
        &fixture("gpt4o-languages/variants"),
    ]);
    let it = languages.iter().find(|l| l["lang"] == "it").unwrap();
    assert_eq!(tokens(&variant, "it", "cl100k_base"), it["cl100k_base"]);
    assert_eq!(tokens(&variant, "it", "o200k_base"), it["o200k_base"]);
    assert_eq!(tiktoken["variants"]["it"]["cl100k_base"], it["cl100k_base"]);
}

#[test]
fn folder_counts_match_the_tokenizer_and_premiums_use_the_reference_file() {
    let dir = fixture("multilingual");
    let report = json(&[
        "-e",
        "o200k_base",
        "-e",
        "cl100k_base",
        "--reference",
        "en",
        &dir,
    ]);
    assert_eq!(
        report["encodings"],
        serde_json::json!(["o200k_base", "cl100k_base"])
    );
    assert_eq!(report["baseline"], "o200k_base");
    assert_eq!(report["reference"], "en");
    let languages = report["languages"].as_array().unwrap();
    assert_eq!(languages.len(), 40);
    let names: Vec<&str> = languages
        .iter()
        .map(|l| l["lang"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);

    let encodings = [
        get_encoding("o200k_base").unwrap(),
        get_encoding("cl100k_base").unwrap(),
    ];
    let count =
        |e: usize, text: &str| encodings[e].count(text, &SpecialPolicy::as_text()).unwrap() as u64;
    let en = std::fs::read_to_string(fixtures().join("multilingual/en.txt")).unwrap();
    let mut total = [0u64; 2];
    for l in languages {
        let lang = l["lang"].as_str().unwrap();
        let text =
            std::fs::read_to_string(fixtures().join(format!("multilingual/{lang}.txt"))).unwrap();
        assert_eq!(l["bytes"], text.len() as u64);
        assert_eq!(l["chars"], text.chars().count() as u64);
        for (e, name) in ["o200k_base", "cl100k_base"].iter().enumerate() {
            let n = count(e, &text);
            total[e] += n;
            assert_eq!(l["tokens"][name], n, "{lang} {name}");
            assert_close(
                l["premium"][name].as_f64().unwrap(),
                n as f64 / count(e, &en) as f64,
                lang,
            );
            assert_close(
                l["bytes_per_token"][name].as_f64().unwrap(),
                text.len() as f64 / n as f64,
                lang,
            );
        }
        let ratio = l["tokens"]["cl100k_base"].as_f64().unwrap()
            / l["tokens"]["o200k_base"].as_f64().unwrap();
        assert_close(
            l["ratio_vs_baseline"]["cl100k_base"].as_f64().unwrap(),
            ratio,
            lang,
        );
        assert_eq!(l["ratio_vs_baseline"]["o200k_base"].as_f64().unwrap(), 1.0);
    }
    let summary = &report["summary"];
    assert_eq!(summary["languages"], 40);
    assert_eq!(summary["tokens"]["o200k_base"], total[0]);
    assert_eq!(summary["tokens"]["cl100k_base"], total[1]);
    let gini = summary["premium_gini"]["cl100k_base"].as_f64().unwrap();
    assert!(gini > 0.0 && gini < 1.0, "{gini}");
    // The worst language has the highest premium.
    let worst = summary["worst"]["cl100k_base"]["lang"].as_str().unwrap();
    let highest = languages
        .iter()
        .max_by(|a, b| {
            let p = |l: &Value| l["premium"]["cl100k_base"].as_f64().unwrap();
            p(a).total_cmp(&p(b))
        })
        .unwrap();
    assert_eq!(highest["lang"], worst);

    // Without --reference or --parallel there are no premiums.
    let plain = json(&["-e", "o200k_base", &dir]);
    assert_eq!(plain["reference"], Value::Null);
    assert_eq!(plain["languages"][0]["premium"], Value::Null);
    assert_eq!(plain["summary"]["premium_gini"], Value::Null);
    assert!(plain["summary"]["worst"]["o200k_base"]["bytes_per_token"].is_number());
    // --parallel means a reference of en.
    assert_eq!(json(&["--parallel", &dir])["reference"], "en");
}

#[test]
fn parallel_json_lines_premium_is_over_the_aligned_english() {
    let path = fixture("parallel/aligned_sample.jsonl");
    let report = json(&["-e", "cl100k_base", "--parallel", &path]);
    let languages = report["languages"].as_array().unwrap();
    let names: Vec<&str> = languages
        .iter()
        .map(|l| l["lang"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["en", "de", "fr", "ja", "ru", "ta", "zh_CN"]);
    assert_eq!(languages[0]["premium"]["cl100k_base"], 1.0);

    let encoding = get_encoding("cl100k_base").unwrap();
    let count = |text: &str| encoding.count(text, &SpecialPolicy::as_text()).unwrap() as u64;
    let text = std::fs::read_to_string(&path).unwrap();
    let mut english: Vec<String> = Vec::new();
    for lang in &names[1..] {
        let (mut tr, mut en) = (0u64, 0u64);
        for line in text.lines() {
            let pair: Value = serde_json::from_str(line).unwrap();
            if pair["lang"] == *lang {
                tr += count(pair["tr"].as_str().unwrap());
                en += count(pair["en"].as_str().unwrap());
                let original = pair["en"].as_str().unwrap().to_string();
                if !english.contains(&original) {
                    english.push(original);
                }
            }
        }
        let l = languages.iter().find(|l| l["lang"] == *lang).unwrap();
        assert_eq!(l["tokens"]["cl100k_base"], tr, "{lang}");
        assert_eq!(l["reference_tokens"]["cl100k_base"], en, "{lang}");
        assert_close(
            l["premium"]["cl100k_base"].as_f64().unwrap(),
            tr as f64 / en as f64,
            lang,
        );
    }
    // The reference row holds each distinct English paragraph once.
    let en_tokens: u64 = english.iter().map(|t| count(t)).sum();
    assert_eq!(languages[0]["tokens"]["cl100k_base"], en_tokens);
    // Tamil is the worst under cl100k_base on this sample.
    assert_eq!(report["summary"]["worst"]["cl100k_base"]["lang"], "ta");
}

#[test]
fn json_lines_with_a_language_field() {
    let dir = TempDir::new();
    let path = dir.file(
        "docs.jsonl",
        "{\"language\": \"fr\", \"body\": \"Bonjour le monde\"}\n{\"language\": \"en\", \"body\": \"Hello world\"}\n{\"language\": \"fr\", \"body\": \"Au revoir\"}\n".as_bytes(),
    );
    let report = json(&["--lang-field", "language", "--field", "body", &path]);
    let encoding = get_encoding("o200k_base").unwrap();
    let n = |t: &str| encoding.encode(t).unwrap().len() as u64;
    assert_eq!(report["languages"][0]["lang"], "fr");
    assert_eq!(
        report["languages"][0]["tokens"]["o200k_base"],
        n("Bonjour le monde") + n("Au revoir")
    );
    assert_eq!(
        report["languages"][1]["tokens"]["o200k_base"],
        n("Hello world")
    );
}

#[test]
fn table_and_csv_agree_with_json() {
    let dir = fixture("gpt4o-languages");
    let args = [
        "-e",
        "cl100k_base",
        "-e",
        "o200k_base",
        "-b",
        "o200k_base",
        "--sort",
        "ratio",
        &dir,
    ];
    let report = json(&args);
    // Sorted by ratio, highest first.
    assert_eq!(report["languages"][0]["lang"], "gu");
    let table = ok(&args);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("lang ") && lines[0].ends_with("vs o200k_base"),
        "{table}"
    );
    assert!(
        lines[1].starts_with("gu ") && lines[1].contains(" 145 "),
        "{table}"
    );
    assert!(
        lines[2].contains(" o200k_base ") && lines[2].contains(" 33 "),
        "{table}"
    );
    assert!(table.contains("\ntotal "), "{table}");
    assert!(
        table.contains("\nWorst: cl100k_base te (1.56 bytes/token)"),
        "{table}"
    );

    let mut csv_args = args.to_vec();
    csv_args.extend(["--format", "csv"]);
    let csv = ok(&csv_args);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "lang,tokenizer,bytes,chars,tokens,bytes_per_token,chars_per_token,ratio_vs_baseline,premium");
    assert_eq!(rows.len(), 1 + 40);
    assert!(
        rows[1].starts_with(&format!("gu,cl100k_base,229,91,145,{},", 229.0 / 145.0)),
        "{}",
        rows[1]
    );
    assert!(
        rows[1].ends_with(&format!(",{},", 145.0 / 33.0)),
        "{}",
        rows[1]
    );
}

#[test]
fn plots_png_and_svg() {
    let dir = TempDir::new();
    let svg = dir.path("chart.svg");
    let png = dir.path("chart.png");
    let input = fixture("gpt4o-languages");
    ok(&[
        "-e",
        "cl100k_base",
        "-e",
        "o200k_base",
        "-b",
        "o200k_base",
        "--plot",
        &svg,
        &input,
    ]);
    let text = std::fs::read_to_string(&svg).unwrap();
    for label in [
        "Tokens per language, relative to o200k_base",
        "gu",
        "cl100k_base",
        "4.39x",
    ] {
        assert!(text.contains(&format!("\n{label}\n</text>")), "{label}");
    }
    ok(&[
        "-e",
        "cl100k_base",
        "--plot",
        &png,
        "--plot-metric",
        "tokens",
        "--plot-title",
        "Tokens",
        &input,
    ]);
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    let premium = dir.path("premium.svg");
    ok(&[
        "--reference",
        "en",
        "--plot",
        &premium,
        "--plot-metric",
        "premium",
        &input,
    ]);
    assert!(std::fs::read_to_string(&premium)
        .unwrap()
        .contains("\nToken premium over en\n</text>"));

    let stderr = fails(&["--plot", &dir.path("chart.gif"), &input]);
    assert!(
        stderr.contains("chart.gif: unsupported: a chart is written as .png or .svg"),
        "{stderr}"
    );
    let stderr = fails(&[
        "--plot",
        &dir.path("p.svg"),
        "--plot-metric",
        "premium",
        &input,
    ]);
    assert!(stderr.contains("needs parallel texts"), "{stderr}");
}

#[test]
fn bad_inputs_are_clear_errors() {
    let dir = TempDir::new();
    let missing = dir.path("missing");
    let stderr = fails(&[&missing]);
    assert!(
        stderr.starts_with(&format!("omnitok: {missing}: ")),
        "{stderr}"
    );

    let empty = dir.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let stderr = fails(&[&empty]);
    assert_eq!(
        stderr,
        format!("omnitok: {empty}: no <language>.txt files in this folder\n")
    );

    let path = dir.file(
        "bad.jsonl",
        b"{\"lang\": \"en\", \"text\": \"ok\"}\n{\"lang\": \"en\", \"text\": oops}\n",
    );
    let stderr = fails(&[&path]);
    assert!(
        stderr.starts_with(&format!("omnitok: {path}:2: malformed JSON")),
        "{stderr}"
    );

    let path = dir.file(
        "field.jsonl",
        b"{\"lang\": \"en\", \"text\": \"ok\"}\n\n{\"lang\": \"en\", \"txt\": \"ok\"}\n",
    );
    let stderr = fails(&[&path]);
    assert_eq!(stderr, format!("omnitok: {path}:3: no field \"text\"\n"));

    let path = dir.file(
        "pairs.jsonl",
        b"{\"lang\": \"de\", \"en\": \"Hello\", \"tr\": \"Hallo\"}\n",
    );
    let stderr = fails(&[&path]);
    assert!(
        stderr.contains(":1: no field \"text\" (parallel pairs? pass a reference language)"),
        "{stderr}"
    );
    let stderr = fails(&["--reference", "fr", &path]);
    assert_eq!(stderr, format!("omnitok: {path}:1: no field \"fr\"\n"));

    let input = fixture("gpt4o-languages");
    let stderr = fails(&["-e", "o200k_base", "--baseline", "cl100k_base", &input]);
    assert_eq!(
        stderr,
        "omnitok: invalid parameter: unknown baseline \"cl100k_base\": the tokenizers are o200k_base\n"
    );
    let stderr = fails(&["--reference", "xx", &input]);
    assert!(
        stderr.contains("unknown reference language \"xx\"") && stderr.contains("has no xx.txt"),
        "{stderr}"
    );

    let bad = TempDir::new();
    bad.file("en.txt", b"fine");
    let de = bad.file("de.txt", b"ok\n\xc3(");
    let stderr = fails(&[bad.0.to_str().unwrap()]);
    assert_eq!(
        stderr,
        format!("omnitok: {de}:2: not valid UTF-8 at byte 3\n")
    );
}

/// tokenizer.json files of other families are measured, labelled as asked, and counted with
/// their post-processor's special tokens when asked (one more token per text for T5's `</s>`).
#[test]
fn tokenizer_families_are_labelled_and_count_added_special_tokens() {
    let t5 = fixture("tokenizers/t5_unigram.json");
    let bert = fixture("tokenizers/wordpiece.json");
    let folder = fixture("multilingual");
    let labelled = [format!("t5={t5}"), format!("bert={bert}")];
    let plain = json(&["-t", &labelled[0], "-t", &labelled[1], &folder]);
    assert_eq!(plain["encodings"], serde_json::json!(["t5", "bert"]));
    let added = json(&[
        "-t",
        &labelled[0],
        "-t",
        &labelled[1],
        "--add-special-tokens",
        &folder,
    ]);
    // A folder's file is one text: T5 adds </s>, BERT [CLS] and [SEP].
    for lang in ["en", "ja", "fi"] {
        assert_eq!(tokens(&added, lang, "t5"), tokens(&plain, lang, "t5") + 1);
        assert_eq!(
            tokens(&added, lang, "bert"),
            tokens(&plain, lang, "bert") + 2
        );
    }
}

#[test]
fn sentencepiece_models_count_as_the_library_encodes() {
    let model = fixture("sentencepiece/unigram_nfkc.model");
    let folder = fixture("multilingual");
    let report = json(&["-t", &format!("mt5={model}"), &folder]);
    assert_eq!(report["encodings"], serde_json::json!(["mt5"]));
    let tokenizer = omnitok_tokenizer::Tokenizer::from_file(&model, None).unwrap();
    for lang in ["en", "ja", "fi"] {
        let text =
            std::fs::read_to_string(fixtures().join(format!("multilingual/{lang}.txt"))).unwrap();
        let expected = tokenizer.encode_ordinary(&text).unwrap().len() as u64;
        assert_eq!(tokens(&report, lang, "mt5"), expected, "{lang}");
    }
}
