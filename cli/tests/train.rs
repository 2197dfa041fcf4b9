//! `omnitok train`: the output directory, languages from file names and JSON Lines fields,
//! identical results for any thread count, parity-aware training, clear errors, and no
//! finished-looking output after a kill.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{fails, gzip, ok, run, write_parquet, TempDir};

fn fixtures(path: &str) -> String {
    format!("{}/../fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn writes_every_file_and_the_result_does_not_depend_on_threads() {
    let dir = TempDir::new();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let extra = [
            "--special",
            "<|endoftext|>",
            "--threads",
            threads,
            "--name",
            "t",
        ];
        let out = train_multilingual(&dir, &format!("out-{threads}"), "1200", &extra);
        outputs.push(out);
    }
    let mut names: Vec<String> = std::fs::read_dir(&outputs[0])
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let expected = [
        "report.json",
        "report.png",
        "tokenizer.json",
        "tokenizer.tiktoken",
        "tokenizer.tiktoken.json",
        "training.json",
    ];
    assert_eq!(names, expected);
    for name in ["tokenizer.json", "tokenizer.tiktoken", "report.json"] {
        let one = std::fs::read(format!("{}/{name}", outputs[0])).unwrap();
        let two = std::fs::read(format!("{}/{name}", outputs[1])).unwrap();
        assert!(one == two, "{name} differs between 1 and 2 threads");
    }
    let summary = read_json(&format!("{}/training.json", outputs[0]));
    assert_eq!(summary["vocab_size"], 1200);
    assert_eq!(summary["ordinary_tokens"], 1199);
    assert_eq!(summary["special_tokens"][0], "<|endoftext|>");
    assert_eq!(summary["languages"].as_array().unwrap().len(), 40);
    assert_eq!(summary["languages"][0]["lang"], "as");
    assert_eq!(summary["inputs"].as_array().unwrap().len(), 40);

    // The trained tokenizer is usable at once by the other commands.
    let tokenizer = format!("{}/tokenizer.json", outputs[0]);
    let ids = ok(
        &["encode", "--tokenizer", &tokenizer],
        "Großer Text".as_bytes(),
    );
    let text = ok(&["decode", "--tokenizer", &tokenizer], &ids);
    assert_eq!(String::from_utf8(text).unwrap().trim_end(), "Großer Text");
}

#[test]
fn every_input_format_trains_the_same_vocabulary() {
    let dir = TempDir::new();
    let docs: Vec<String> = std::fs::read_to_string(fixtures("multilingual/de.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let jsonl: String = docs
        .iter()
        .map(|d| serde_json::json!({"meta": {"body": d}}).to_string() + "\n")
        .collect();
    dir.file("text.txt.gz", &gzip((docs.join("\n") + "\n").as_bytes()));
    dir.file("lines.jsonl.gz", &gzip(jsonl.as_bytes()));
    write_parquet(&dir.0.join("rows.parquet"), &docs);
    let mut ranks = Vec::new();
    for (input, extra) in [
        ("text.txt.gz", vec!["--split", "line"]),
        ("lines.jsonl.gz", vec!["--field", "meta.body"]),
        ("rows.parquet", vec!["--column", "meta.body"]),
    ] {
        let out = dir.path(&format!("out-{input}"));
        let mut args = vec!["train", "-q", "--vocab-size", "400", "-o", &out];
        args.extend(extra);
        let input = dir.path(input);
        args.push(&input);
        ok(&args, b"");
        ranks.push(std::fs::read(format!("{out}/tokenizer.tiktoken")).unwrap());
    }
    assert!(ranks[0] == ranks[1] && ranks[1] == ranks[2]);
}

#[test]
fn languages_come_from_a_json_lines_field_and_temperature_reweighs_them() {
    let dir = TempDir::new();
    let mut lines = String::new();
    for i in 0..200 {
        lines.push_str(&format!(
            "{{\"lang\": \"en\", \"text\": \"the cat sat {i}\"}}\n"
        ));
    }
    lines.push_str("{\"lang\": \"fi\", \"text\": \"kissa istui matolla\"}\n");
    let input = dir.file("mixed.jsonl", lines.as_bytes());
    let natural = dir.path("natural");
    let lifted = dir.path("lifted");
    for (out, temperature) in [(&natural, "1"), (&lifted, "0.1")] {
        ok(
            &[
                "train",
                "-q",
                "--vocab-size",
                "280",
                "--min-frequency",
                "1",
                "--lang-field",
                "lang",
                "--lang-temperature",
                temperature,
                "-o",
                out,
                &input,
            ],
            b"",
        );
    }
    let natural = read_json(&format!("{natural}/training.json"));
    let lifted = read_json(&format!("{lifted}/training.json"));
    assert_eq!(natural["languages"][0]["lang"], "en");
    assert_eq!(natural["languages"][1]["lang"], "fi");
    assert_eq!(natural["languages"][1]["weight"], 1.0);
    assert!(lifted["languages"][1]["weight"].as_f64().unwrap() > 10.0);
    assert!(lifted["languages"][0]["weight"].as_f64().unwrap() < 1.0);
}

/// Trains a vocabulary of `vocab_size` on the multilingual fixture (languages from file names)
/// with the parallel fixture as development set, plus `extra`; returns the output directory.
fn train_multilingual(dir: &TempDir, name: &str, vocab_size: &str, extra: &[&str]) -> String {
    let out = dir.path(name);
    let (dev, corpus) = (
        fixtures("parallel/aligned_sample.jsonl"),
        fixtures("multilingual"),
    );
    let mut args = vec![
        "train",
        "-q",
        "--vocab-size",
        vocab_size,
        "--lang-from",
        "file",
        "--glob",
        "*.txt",
        "--parity-dev",
        &dev,
    ];
    args.extend_from_slice(extra);
    args.extend(["-o", &out, &corpus]);
    ok(&args, b"");
    out
}

#[test]
fn parity_aware_training_records_the_language_of_each_choice() {
    let dir = TempDir::new();
    let out = train_multilingual(&dir, "parity", "600", &["--parity-aware"]);
    let summary = read_json(&format!("{out}/training.json"));
    assert_eq!(summary["parity_aware"], true);
    assert_eq!(summary["parity"]["weighted"], serde_json::Value::Null);
    let chosen: u64 = summary["languages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["merges_chosen"].as_u64().unwrap())
        .sum();
    assert_eq!(chosen, summary["merges"].as_u64().unwrap());
    // Only development-set languages (de fr ja ru ta zh_CN, and en) are chosen for.
    for language in summary["languages"].as_array().unwrap() {
        let lang = language["lang"].as_str().unwrap();
        if !["de", "en", "fr", "ja", "ru", "ta", "zh_CN"].contains(&lang) {
            assert_eq!(language["merges_chosen"], 0, "{lang}");
        }
    }
}

#[test]
fn weighted_parity_training_with_exponent_zero_equals_classical_training() {
    let dir = TempDir::new();
    let train = |name: &str, extra: &[&str]| train_multilingual(&dir, name, "600", extra);
    let classical = train("classical", &[]);
    let weighted = train("weighted", &["--parity-aware", "--parity-weighted", "0"]);
    let ranks = |dir: &str| std::fs::read(format!("{dir}/tokenizer.tiktoken")).unwrap();
    assert_eq!(ranks(&classical), ranks(&weighted));
    let summary = read_json(&format!("{weighted}/training.json"));
    assert_eq!(summary["parity"]["weighted"], 0.0);
    let leaning = train("leaning", &["--parity-aware", "--parity-weighted", "12"]);
    assert_ne!(ranks(&classical), ranks(&leaning));
    // The weighted variant needs --parity-aware and excludes the moving window.
    let o = dir.path("refused");
    let corpus = fixtures("multilingual");
    for extra in [
        vec!["--parity-weighted", "2"],
        vec![
            "--parity-aware",
            "--parity-weighted",
            "2",
            "--parity-window",
            "10",
        ],
    ] {
        let mut args = vec!["train", "--vocab-size", "300", "-o", &o];
        args.extend(extra.iter().copied());
        args.push(&corpus);
        // A usage error: exit code 2, as for every argument clap refuses.
        let out = run(&args, b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains("--parity-weighted"), "{extra:?}: {stderr}");
    }
}

#[test]
fn a_parity_budget_chooses_the_exponent_on_the_development_set() {
    let dir = TempDir::new();
    let budget = 2.0;
    let out = train_multilingual(
        &dir,
        "budget",
        "600",
        &["--parity-aware", "--parity-budget", "2"],
    );
    let summary = read_json(&format!("{out}/training.json"));
    let search = &summary["parity"]["exponent_search"];
    assert_eq!(search["budget_percent"], budget);
    let trials = search["trials"].as_array().unwrap();
    let field = |t: &serde_json::Value, key: &str| t[key].as_f64().unwrap();
    // Classical BPE (exponent 0) first, then doubling from 2.
    assert_eq!(field(&trials[0], "exponent"), 0.0);
    assert_eq!(field(&trials[1], "exponent"), 2.0);
    let base = field(&trials[0], "dev_tokens");
    for trial in trials {
        let within = field(trial, "dev_tokens") <= base * (1.0 + budget / 100.0);
        assert_eq!(trial["within_budget"], within, "{trial}");
    }
    // The chosen exponent: the lowest Gini within the budget, recorded as the run's exponent.
    let best = trials
        .iter()
        .filter(|t| t["within_budget"] == true)
        .min_by(|a, b| field(a, "dev_gini").total_cmp(&field(b, "dev_gini")))
        .unwrap();
    let chosen = field(best, "exponent");
    assert_eq!(field(search, "chosen"), chosen);
    assert_eq!(summary["parity"]["weighted"], chosen);
    // report.json is the chosen training's, and the tokenizer is the one that exponent gives.
    let report = read_json(&format!("{out}/report.json"));
    let tokens = report["summary"]["tokens"].as_object().unwrap();
    assert_eq!(tokens.values().next().unwrap(), &best["dev_tokens"]);
    let again = train_multilingual(
        &dir,
        "again",
        "600",
        &["--parity-aware", "--parity-weighted", &chosen.to_string()],
    );
    let ranks = |dir: &str| std::fs::read(format!("{dir}/tokenizer.tiktoken")).unwrap();
    assert_eq!(ranks(&out), ranks(&again));

    // Refused: without --parity-aware, with a given exponent (usage errors), a negative budget.
    let o = dir.path("refused");
    let corpus = fixtures("multilingual");
    let dev = fixtures("parallel/aligned_sample.jsonl");
    for (extra, code, message) in [
        (vec!["--parity-budget", "1"], 2, "--parity-aware"),
        (
            vec![
                "--parity-aware",
                "--parity-budget",
                "1",
                "--parity-weighted",
                "3",
            ],
            2,
            "--parity-weighted",
        ),
        (
            vec!["--parity-aware", "--parity-budget=-1"],
            1,
            "must be a number of percent",
        ),
    ] {
        let mut args = vec!["train", "-q", "--vocab-size", "300", "--parity-dev", &dev];
        args.extend(extra.iter().copied());
        args.extend(["-o", &o, &corpus]);
        let out = run(&args, b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{extra:?}: {stderr}");
        assert!(stderr.contains(message), "{extra:?}: {stderr}");
    }
}

#[test]
fn bad_settings_and_inputs_are_clear_errors() {
    let dir = TempDir::new();
    let text = dir.file("en.txt", b"hello world, hello there");
    let empty = dir.file("empty.txt", b"");
    let out = |name: &str| dir.path(name);
    let cases: [(Vec<&str>, &str); 6] = [
        (
            vec![
                "--vocab-size",
                "257",
                "--special",
                "<a>",
                "--special",
                "<b>",
            ],
            "below the 258 tokens",
        ),
        (
            vec![
                "--vocab-size",
                "300",
                "--special",
                "<a>",
                "--special",
                "<a>",
            ],
            "\"<a>\" is given twice",
        ),
        (
            vec!["--vocab-size", "300", "--pattern", "(unclosed"],
            "does not compile",
        ),
        (
            vec!["--vocab-size", "300", "--lang-temperature", "0"],
            "positive number",
        ),
        (
            vec!["--vocab-size", "300", "--max-token-bytes", "1"],
            "at least 2 bytes",
        ),
        (
            vec![
                "--vocab-size",
                "300",
                "--parity-aware",
                "--parity-dev",
                &text,
            ],
            "en.txt:1: malformed JSON",
        ),
    ];
    for (i, (settings, message)) in cases.iter().enumerate() {
        let o = out(&format!("o{i}"));
        let mut args = vec!["train", "-o", &o];
        args.extend(settings.iter().copied());
        args.push(&text);
        let stderr = fails(&args, b"");
        assert!(stderr.contains(message), "{settings:?}: {stderr}");
    }
    let o = out("empty");
    let stderr = fails(&["train", "--vocab-size", "300", "-o", &o, &empty], b"");
    assert!(stderr.contains("no text to train on"), "{stderr}");
    let busy = dir.path("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(format!("{busy}/keep.txt"), b"x").unwrap();
    let stderr = fails(&["train", "--vocab-size", "300", "-o", &busy, &text], b"");
    assert!(stderr.contains("is not empty"), "{stderr}");
}

#[test]
fn invalid_utf8_under_skip_leaves_out_the_line_of_a_file_read_in_segments() {
    // A text file is one document read in segments, line by line: under --on-error skip a bad
    // line is left out, not the whole file, and the error says so.
    let dir = TempDir::new();
    let input = dir.file(
        "a.txt",
        b"hello world first line\nbad \xff byte line\nlast good line\n",
    );
    let out = dir.path("out");
    ok(
        &[
            "train",
            "-q",
            "--vocab-size",
            "270",
            "--min-frequency",
            "1",
            "--on-error",
            "skip",
            "-o",
            &out,
            &input,
        ],
        b"",
    );
    let training = read_json(&format!("{out}/training.json"));
    let error = &training["errors"]["listed"][0];
    assert_eq!(error["line"], 2, "{error}");
    assert_eq!(error["message"], "invalid UTF-8 at byte 4 of the line");
    assert_eq!(error["action"], "skipped");
    assert_eq!(training["languages"][0]["bytes"], 23 + 15);
}

#[test]
fn a_killed_run_leaves_no_finished_looking_output() {
    let dir = TempDir::new();
    let out = dir.path("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_omnitok"))
        .args(["train", "-q", "--vocab-size", "300", "-o", &out, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"some text that is being read\n").unwrap();
    stdin.flush().unwrap();
    // The run is still reading stdin (it is never closed) when it is killed.
    let waiting_since = std::time::Instant::now();
    while !std::path::Path::new(&out).exists() {
        assert!(
            waiting_since.elapsed() < std::time::Duration::from_secs(60),
            "train made no output folder in 60 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    for name in ["tokenizer.json", "tokenizer.tiktoken", "training.json"] {
        assert!(
            !std::path::Path::new(&format!("{out}/{name}")).exists(),
            "{name}"
        );
    }
}

#[test]
fn a_vocabulary_short_of_the_size_asked_for_is_warned_about() {
    let dir = TempDir::new();
    let input = dir.file(
        "small.txt",
        "the cat sat on the mat\n".repeat(20).as_bytes(),
    );
    let out = dir.path("out");
    let args = [
        "train",
        "-q",
        "--vocab-size",
        "1000",
        "--min-frequency",
        "1000",
        "-o",
        &out,
        &input,
    ];
    let result = run(&args, b"");
    assert!(result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("has 256 tokens, not the 1000 asked for")
            && stderr.contains("at least 1000 times (--min-frequency)"),
        "{stderr}"
    );
    assert_eq!(
        read_json(&format!("{out}/training.json"))["stopped_by"],
        "min_frequency"
    );
}
