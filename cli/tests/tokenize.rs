//! End-to-end tests of `omnitok tokenize`: every input format, shards and their index, dtype,
//! end-of-text tokens, error policies, thread-count independence, and resuming after a kill.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use common::{all_files, fails, gzip, kill_and_resume, ok, run, write_parquet, TempDir};
use omnitok_tokenizer::{get_encoding, Tokenizer};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_omnitok");

/// Paragraphs of the bundled multilingual sample, one document each.
fn paragraphs() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/multilingual");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    names
        .iter()
        .flat_map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .take(8)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `omnitok tokenize args...` must succeed quietly; returns the manifest.
fn tokenize(args: &[&str]) -> Value {
    let out = run(&[&["tokenize", "--quiet"], args].concat(), b"");
    assert!(
        out.status.success(),
        "tokenize {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outdir = args[args.iter().position(|a| *a == "-o").unwrap() + 1];
    serde_json::from_slice(&std::fs::read(Path::new(outdir).join("manifest.json")).unwrap())
        .unwrap()
}

/// Every document of a `bin` output, read through the manifest and the index files.
fn read_bin(outdir: &Path, manifest: &Value) -> Vec<Vec<u32>> {
    let width = match manifest["settings"]["dtype"].as_str().unwrap() {
        "uint16" => 2,
        "uint32" => 4,
        other => panic!("{other}"),
    };
    let mut docs = Vec::new();
    for shard in manifest["shards"].as_array().unwrap() {
        let data = std::fs::read(outdir.join(shard["file"].as_str().unwrap())).unwrap();
        let ids: Vec<u32> = data
            .chunks(width)
            .map(|c| match width {
                2 => u32::from(u16::from_le_bytes([c[0], c[1]])),
                _ => u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
            })
            .collect();
        let index = std::fs::read(outdir.join(shard["index"].as_str().unwrap())).unwrap();
        let offsets: Vec<usize> = index
            .chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()) as usize)
            .collect();
        assert_eq!(offsets[0], 0);
        assert_eq!(*offsets.last().unwrap(), ids.len());
        assert_eq!(
            offsets.len() as u64 - 1,
            shard["documents"].as_u64().unwrap()
        );
        assert_eq!(ids.len() as u64, shard["tokens"].as_u64().unwrap());
        docs.extend(offsets.windows(2).map(|w| ids[w[0]..w[1]].to_vec()));
    }
    docs
}

fn encode_all(tokenizer: &Arc<Tokenizer>, docs: &[String], eot: bool) -> Vec<Vec<u32>> {
    docs.iter()
        .map(|d| {
            let mut ids = tokenizer.encode_ordinary(d).unwrap();
            if eot {
                ids.push(tokenizer.special_tokens().id("<|endoftext|>").unwrap());
            }
            ids
        })
        .collect()
}

#[test]
fn text_lines_shards_index_dtype_and_eot() {
    let dir = TempDir::new();
    let docs = paragraphs();
    let input = dir.file("corpus.txt", (docs.join("\n") + "\n").as_bytes());
    for (encoding, dtype) in [("o200k_base", "uint32"), ("r50k_base", "uint16")] {
        for eot in [false, true] {
            let out = dir.0.join(format!("out-{encoding}-{eot}"));
            let out_s = out.to_str().unwrap();
            let mut args = vec!["-e", encoding, "--split", "line", "--shard-tokens", "3000"];
            args.extend(["-o", out_s, &input]);
            if eot {
                args.push("--append-eot");
            }
            let manifest = tokenize(&args);
            assert_eq!(manifest["settings"]["dtype"], dtype);
            let tokenizer = get_encoding(encoding).unwrap();
            let expected = encode_all(&tokenizer, &docs, eot);
            let found = read_bin(&out, &manifest);
            assert_eq!(found, expected, "{encoding} eot={eot}");
            // Whole documents per shard, none past the limit unless alone.
            let shards = manifest["shards"].as_array().unwrap();
            assert!(shards.len() > 3, "{}", shards.len());
            for shard in shards {
                let tokens = shard["tokens"].as_u64().unwrap();
                assert!(tokens <= 3000 || shard["documents"] == 1, "{shard}");
            }
            let totals = &manifest["totals"];
            assert_eq!(totals["documents"].as_u64().unwrap(), docs.len() as u64);
            let tokens: usize = expected.iter().map(Vec::len).sum();
            assert_eq!(totals["tokens"].as_u64().unwrap(), tokens as u64);
            let bytes: usize = docs.iter().map(String::len).sum();
            assert_eq!(totals["bytes"].as_u64().unwrap(), bytes as u64);
            assert_eq!(totals["shards"].as_u64().unwrap(), shards.len() as u64);
            assert!(!out.join(".omnitok-run.json").exists());
        }
    }
}

/// Writes `docs` as a Parquet file with the text in the struct column `meta.body`.
#[test]
fn every_input_format_gives_the_same_tokens() {
    let dir = TempDir::new();
    let docs = paragraphs();
    let tokenizer = get_encoding("o200k_base").unwrap();
    let expected = encode_all(&tokenizer, &docs, false);

    let text = docs.join("\n") + "\n";
    let jsonl: String = docs
        .iter()
        .map(|d| serde_json::json!({"id": 1, "meta": {"body": d}}).to_string() + "\n")
        .collect();
    std::fs::create_dir_all(dir.0.join("in")).unwrap();
    dir.file("in/a.txt", text.as_bytes());
    dir.file("in/b.txt.gz", &gzip(text.as_bytes()));
    dir.file(
        "in/c.txt.zst",
        &zstd::encode_all(text.as_bytes(), 3).unwrap(),
    );
    dir.file("in/d.jsonl", jsonl.as_bytes());
    dir.file("in/e.jsonl.gz", &gzip(jsonl.as_bytes()));
    dir.file(
        "in/f.ndjson.zst",
        &zstd::encode_all(jsonl.as_bytes(), 3).unwrap(),
    );
    write_parquet(&dir.0.join("in/g.parquet"), &docs);
    let parquet = std::fs::read(dir.0.join("in/g.parquet")).unwrap();
    dir.file("in/h.parquet.gz", &gzip(&parquet));
    dir.file("in/skip.md", b"not selected by the glob");

    let out = dir.0.join("out");
    let manifest = tokenize(&[
        "--split",
        "line",
        "--field",
        "meta.body",
        "--column",
        "meta.body",
        "--glob",
        "[a-h].*",
        "-o",
        out.to_str().unwrap(),
        dir.0.join("in").to_str().unwrap(),
    ]);
    let inputs = manifest["inputs"].as_array().unwrap();
    let described: Vec<(String, String)> = inputs
        .iter()
        .map(|i| {
            (
                i["format"].as_str().unwrap().into(),
                i["compression"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want = [
        ("text", "none"),
        ("text", "gzip"),
        ("text", "zstd"),
        ("jsonl", "none"),
        ("jsonl", "gzip"),
        ("jsonl", "zstd"),
        ("parquet", "none"),
        ("parquet", "gzip"),
    ];
    assert_eq!(described.len(), want.len());
    for ((format, compression), (f, c)) in described.iter().zip(want) {
        assert_eq!((format.as_str(), compression.as_str()), (f, c));
    }
    for input in inputs {
        let path = input["path"].as_str().unwrap();
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(input["size"].as_u64().unwrap(), bytes.len() as u64);
        assert_eq!(
            input["documents"].as_u64().unwrap(),
            docs.len() as u64,
            "{path}"
        );
        let hash = input["blake3"].as_str().unwrap();
        assert_eq!(hash, blake3::hash(&bytes).to_hex().as_str());
    }
    let found = read_bin(&out, &manifest);
    assert_eq!(found.len(), 8 * docs.len());
    for (i, part) in found.chunks(docs.len()).enumerate() {
        assert_eq!(part, &expected[..], "input {i}");
    }
    assert_eq!(manifest["skipped_inputs"].as_array().unwrap().len(), 0);

    // stdin, with --split doc: the whole stream is one document.
    let out = dir.0.join("stdin");
    let mut child = Command::new(BIN)
        .args(["tokenize", "-q", "-o", out.to_str().unwrap(), "-"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&gzip(text.as_bytes()))
        .unwrap();
    assert!(child.wait().unwrap().success());
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["inputs"][0]["path"], "-");
    assert_eq!(manifest["inputs"][0]["compression"], "gzip");
    assert_eq!(
        read_bin(&out, &manifest),
        vec![tokenizer.encode_ordinary(&text).unwrap()]
    );
}

#[test]
fn npy_and_jsonl_outputs_hold_the_same_tokens() {
    let dir = TempDir::new();
    let docs = paragraphs();
    let input = dir.file("corpus.txt", docs.join("\n").as_bytes());
    let expected = encode_all(&get_encoding("cl100k_base").unwrap(), &docs, true);
    let common = [
        "-e",
        "cl100k_base",
        "--split",
        "line",
        "--append-eot",
        "--shard-tokens",
        "5000",
    ];

    let out = dir.0.join("npy");
    let manifest = tokenize(
        &[
            &common[..],
            &["--format", "npy", "-o", out.to_str().unwrap(), &input],
        ]
        .concat(),
    );
    let mut from_npy = Vec::new();
    for shard in manifest["shards"].as_array().unwrap() {
        let data = std::fs::read(out.join(shard["file"].as_str().unwrap())).unwrap();
        let index = std::fs::read(out.join(shard["index"].as_str().unwrap())).unwrap();
        assert!(data.starts_with(b"\x93NUMPY\x01\x00"));
        let header = String::from_utf8_lossy(&data[10..128]).to_string();
        let tokens = shard["tokens"].as_u64().unwrap();
        assert!(
            header.contains(&format!(
                "'descr': '<u4', 'fortran_order': False, 'shape': ({tokens},)"
            )),
            "{header}"
        );
        let ids: Vec<u32> = data[128..]
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        let offsets: Vec<usize> = index[128..]
            .chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()) as usize)
            .collect();
        from_npy.extend(offsets.windows(2).map(|w| ids[w[0]..w[1]].to_vec()));
    }
    assert_eq!(from_npy, expected);

    let out = dir.0.join("jsonl");
    let manifest = tokenize(
        &[
            &common[..],
            &["--format", "jsonl", "-o", out.to_str().unwrap(), &input],
        ]
        .concat(),
    );
    let mut from_jsonl = Vec::new();
    for shard in manifest["shards"].as_array().unwrap() {
        assert!(shard.get("index").is_none());
        let text = std::fs::read_to_string(out.join(shard["file"].as_str().unwrap())).unwrap();
        for line in text.lines() {
            let value: Value = serde_json::from_str(line).unwrap();
            from_jsonl.push(
                value["tokens"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap() as u32)
                    .collect::<Vec<u32>>(),
            );
        }
    }
    assert_eq!(from_jsonl, expected);
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let dir = TempDir::new();
    // Enough text for several chunks in flight at once.
    let docs = paragraphs();
    let mut text = String::new();
    while text.len() < 6 << 20 {
        text.push_str(&docs.join("\n"));
        text.push('\n');
    }
    let input = dir.file("corpus.txt", text.as_bytes());
    let mut outputs = Vec::new();
    for threads in ["1", "2", "5"] {
        let out = dir.0.join(format!("out-{threads}"));
        tokenize(&[
            "--split",
            "line",
            "--append-eot",
            "--shard-tokens",
            "100000",
            "--threads",
            threads,
            "-o",
            out.to_str().unwrap(),
            &input,
        ]);
        outputs.push(all_files(&out));
    }
    assert!(outputs[0].len() > 6, "{}", outputs[0].len());
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

#[test]
fn error_policies() {
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.0.join("in")).unwrap();
    dir.file("in/a.jsonl", b"{\"text\": \"good one\"}\n{\"text\": \nnot json\n{\"other\": 1}\n{\"text\": \"good two\"}\n");
    dir.file("in/b.txt", b"fine line\nbad \xff byte\n");
    let input = dir.0.join("in");
    let input = input.to_str().unwrap();

    let out = dir.0.join("fail");
    let stderr = fails(
        &[
            "tokenize",
            "-q",
            "--split",
            "line",
            "-o",
            out.to_str().unwrap(),
            input,
        ],
        b"",
    );
    assert!(stderr.contains("a.jsonl:2: malformed JSON"), "{stderr}");
    assert!(!out.join("manifest.json").exists());

    let out = dir.0.join("skip");
    let manifest = tokenize(&[
        "--split",
        "line",
        "--on-error",
        "skip",
        "-o",
        out.to_str().unwrap(),
        input,
    ]);
    assert_eq!(manifest["totals"]["documents"], 3);
    let errors = &manifest["errors"];
    assert_eq!(errors["count"], 4);
    assert_eq!(errors["by_kind"]["malformed_json"], 2);
    assert_eq!(errors["by_kind"]["missing_field"], 1);
    assert_eq!(errors["by_kind"]["invalid_utf8"], 1);
    let listed: Vec<(String, u64, String)> = errors["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let path = e["path"].as_str().unwrap();
            let name = Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                name,
                e["line"].as_u64().unwrap(),
                e["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("a.jsonl", 2, "skipped"),
            ("a.jsonl", 3, "skipped"),
            ("a.jsonl", 4, "skipped"),
            ("b.txt", 2, "skipped")
        ]
        .map(|(p, l, a)| (p.to_string(), l, a.to_string()))
    );

    let out = dir.0.join("replace");
    let manifest = tokenize(&[
        "--split",
        "line",
        "--on-error",
        "replace",
        "-o",
        out.to_str().unwrap(),
        input,
    ]);
    assert_eq!(manifest["totals"]["documents"], 4);
    assert_eq!(manifest["errors"]["listed"][3]["action"], "replaced");
    let docs = read_bin(&out, &manifest);
    let tokenizer = get_encoding("o200k_base").unwrap();
    assert_eq!(tokenizer.decode(&docs[3]).unwrap(), "bad \u{fffd} byte");
}

#[test]
fn unreadable_inputs_are_skipped_or_fail() {
    let dir = TempDir::new();
    let good = dir.file("good.txt", b"hello");
    let corrupt = dir.file("corrupt.txt.gz", &[0x1f, 0x8b, 0, 1, 2, 3]);
    let not_parquet = dir.file("corrupt.parquet", b"PAR1 not a Parquet file PAR1");
    let out = dir.0.join("skip");
    let manifest = tokenize(&[
        "--on-error",
        "skip",
        "-o",
        out.to_str().unwrap(),
        &good,
        &corrupt,
        &not_parquet,
    ]);
    let skipped = manifest["skipped_inputs"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_eq!(skipped[0]["path"], corrupt.as_str());
    assert_eq!(skipped[1]["path"], not_parquet.as_str());
    let reason = skipped[1]["reason"].as_str().unwrap();
    assert!(reason.starts_with("cannot read Parquet"), "{reason}");
    assert_eq!(manifest["totals"]["documents"], 1);
    for input in [&corrupt, &not_parquet] {
        let out = dir.0.join("fail");
        let stderr = fails(
            &["tokenize", "-q", "-o", out.to_str().unwrap(), &good, input],
            b"",
        );
        assert!(stderr.contains(input.as_str()), "{stderr}");
        let _ = std::fs::remove_dir_all(&out);
    }
}

#[test]
fn nothing_to_read_is_an_error_that_leaves_no_output() {
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.0.join("empty")).unwrap();
    std::fs::create_dir_all(dir.0.join("texts")).unwrap();
    dir.file("texts/a.txt", b"hello");
    let out = dir.0.join("out");
    let out_s = out.to_str().unwrap();
    let empty = dir.0.join("empty");
    let stderr = fails(
        &["tokenize", "-q", "-o", out_s, empty.to_str().unwrap()],
        b"",
    );
    assert!(stderr.contains("nothing to read"), "{stderr}");
    assert!(stderr.contains("holds no file"), "{stderr}");
    assert!(!out.exists());
    let texts = dir.0.join("texts");
    let args = ["tokenize", "-q", "--glob", "*.jsonl", "-o", out_s];
    let mut args = args.to_vec();
    args.push(texts.to_str().unwrap());
    let stderr = fails(&args, b"");
    assert!(
        stderr.contains("holds no file matching --glob \"*.jsonl\""),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn refuses_a_used_output_directory_and_a_changed_resume() {
    let dir = TempDir::new();
    let input = dir.file("in.txt", b"some text");
    let out = dir.0.join("out");
    let out_s = out.to_str().unwrap();
    tokenize(&["-o", out_s, &input]);
    let stderr = fails(&["tokenize", "-q", "-o", out_s, &input], b"");
    assert!(stderr.contains("is not empty"), "{stderr}");
    // Resuming a finished run does nothing.
    let before = all_files(&out);
    let status = Command::new(BIN)
        .args(["tokenize", "-q", "--resume", "-o", out_s, &input])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(all_files(&out), before);
    // ... but only if it is the same run.
    let resume_with = |extra: &[&str]| {
        let mut args = vec!["tokenize", "-q", "--resume", "-o", out_s];
        args.extend_from_slice(extra);
        args.push(&input);
        fails(&args, b"")
    };
    let stderr = resume_with(&["-e", "cl100k_base"]);
    assert!(
        stderr.contains("finished run used tokenizer o200k_base"),
        "{stderr}"
    );
    let stderr = resume_with(&["--append-eot"]);
    assert!(
        stderr.contains("finished run appended no end-of-text ID after each document, this one ID"),
        "{stderr}"
    );
    assert_eq!(all_files(&out), before);

    // An unfinished run (here: the manifest not yet written) must be resumed, with the same
    // settings.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let run_file =
        serde_json::json!({"tokenizer": manifest["tokenizer"], "settings": manifest["settings"]});
    std::fs::remove_file(out.join("manifest.json")).unwrap();
    std::fs::write(out.join(".omnitok-run.json"), run_file.to_string()).unwrap();
    let stderr = fails(&["tokenize", "-q", "-o", out_s, &input], b"");
    assert!(stderr.contains("unfinished run; pass --resume"), "{stderr}");
    let stderr = fails(
        &[
            "tokenize",
            "-q",
            "--resume",
            "--shard-tokens",
            "7",
            "-o",
            out_s,
            &input,
        ],
        b"",
    );
    assert!(
        stderr.contains("shard_tokens = 100000000, this one 7"),
        "{stderr}"
    );
    let stderr = fails(
        &[
            "tokenize",
            "-q",
            "--resume",
            "-e",
            "cl100k_base",
            "-o",
            out_s,
            &input,
        ],
        b"",
    );
    assert!(stderr.contains("used tokenizer o200k_base"), "{stderr}");
    let status = Command::new(BIN)
        .args(["tokenize", "-q", "--resume", "-o", out_s, &input])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(all_files(&out), before);

    let fresh = dir.0.join("fresh");
    let stderr = fails(
        &[
            "tokenize",
            "-q",
            "--resume",
            "-o",
            fresh.to_str().unwrap(),
            &input,
        ],
        b"",
    );
    assert!(stderr.contains("no interrupted run"), "{stderr}");
}

#[test]
fn a_resumed_run_refuses_inputs_changed_since_the_interruption() {
    let dir = TempDir::new();
    // Large enough that its first shards are written while the run waits for stdin.
    let text = "a few words\n".repeat(200_000);
    let corpus = dir.0.join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let input = dir.file("corpus/in.txt", text.as_bytes());
    let written = std::fs::metadata(&input).unwrap().modified().unwrap();
    let out = dir.0.join("out");
    let out_s = out.to_str().unwrap();
    let args = |resume: &[&'static str]| {
        let mut args = vec![
            "tokenize",
            "-q",
            "--split",
            "line",
            "--shard-tokens",
            "100000",
        ];
        args.extend_from_slice(resume);
        args.extend(["-o", out_s, corpus.to_str().unwrap(), "-"]);
        args
    };
    // Interrupted while it waits for stdin, after the file's shards are written.
    let mut child = Command::new(BIN)
        .args(args(&[]))
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !out.join("shard-00001.bin").exists() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        assert!(started.elapsed().as_secs() < 60, "no shard was written");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.join("manifest.json").exists());
    let left = all_files(&out);

    // A file more in the input directory.
    let more = dir.file("corpus/more.txt", b"more words");
    let stderr = fails(&args(&["--resume"]), b"");
    assert!(
        stderr.contains(&format!(
            "the interrupted run read stdin as input 2, this one {more}"
        )),
        "{stderr}"
    );
    std::fs::remove_file(&more).unwrap();

    // The same bytes count, but the file was written again.
    let file = std::fs::File::options().write(true).open(&input).unwrap();
    file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000))
        .unwrap();
    drop(file);
    let stderr = fails(&args(&["--resume"]), b"");
    assert!(
        stderr.contains("in.txt, which has been modified since")
            && stderr.contains("start again in an empty directory"),
        "{stderr}"
    );
    std::fs::write(&input, "a few more words\n".repeat(50)).unwrap();
    let stderr = fails(&args(&["--resume"]), b"");
    assert!(
        stderr.contains("in.txt at 2400000 bytes; it now has 850"),
        "{stderr}"
    );
    assert_eq!(all_files(&out), left, "a refused resume changes nothing");

    // Put back as it was, the input resumes to what an uninterrupted run writes.
    std::fs::write(&input, &text).unwrap();
    let file = std::fs::File::options().write(true).open(&input).unwrap();
    file.set_modified(written).unwrap();
    drop(file);
    ok(&args(&["--resume"]), b"");
    let whole = dir.0.join("whole");
    let mut uninterrupted = args(&[]);
    let at = uninterrupted.iter().position(|&a| a == out_s).unwrap();
    uninterrupted[at] = whole.to_str().unwrap();
    ok(&uninterrupted, b"");
    assert_eq!(all_files(&out), all_files(&whole));
}

#[test]
fn a_shortened_shard_is_not_resumed_from() {
    let dir = TempDir::new();
    let input = dir.file("in.txt", "a few words\n".repeat(50).as_bytes());
    let out = dir.0.join("out");
    let out_s = out.to_str().unwrap();
    let manifest = tokenize(&["--split", "line", "-o", out_s, &input]);
    // Make it an interrupted run whose complete shard then lost its last IDs.
    let run_file =
        serde_json::json!({"tokenizer": manifest["tokenizer"], "settings": manifest["settings"]});
    std::fs::remove_file(out.join("manifest.json")).unwrap();
    std::fs::write(out.join(".omnitok-run.json"), run_file.to_string()).unwrap();
    let shard = out.join("shard-00000.bin");
    let bytes = std::fs::read(&shard).unwrap();
    std::fs::write(&shard, &bytes[..bytes.len() - 8]).unwrap();
    let stderr = fails(
        &[
            "tokenize", "-q", "--split", "line", "--resume", "-o", out_s, &input,
        ],
        b"",
    );
    assert!(stderr.contains("shard-00000.bin"), "{stderr}");
    assert!(stderr.contains("but its index ends at"), "{stderr}");
}

#[test]
fn a_manifest_that_miscounts_its_shard_is_refused_when_read_back() {
    let dir = TempDir::new();
    let input = dir.file("in.txt", b"one document\nand another\n");
    let layout = dir.0.join("layout.json");
    let layout_s = layout.to_str().unwrap();
    ok(&["layout", "build", "-o", layout_s], b"");
    for format in ["bin", "npy", "jsonl"] {
        let out = dir.0.join(format);
        let out_s = out.to_str().unwrap();
        let mut manifest = tokenize(&["--split", "line", "--format", format, "-o", out_s, &input]);
        // One document fewer than the index (or the lines) hold.
        manifest["shards"][0]["documents"] = 1.into();
        std::fs::write(out.join("manifest.json"), manifest.to_string()).unwrap();
        let back = dir.0.join(format!("{format}-back"));
        let stderr = fails(
            &[
                "demux",
                "-q",
                "--layout",
                layout_s,
                "-o",
                back.to_str().unwrap(),
                out_s,
            ],
            b"",
        );
        assert!(
            stderr.contains("holds 2 documents of") && stderr.contains("the manifest counts 1"),
            "{format}: {stderr}"
        );
    }
}

#[test]
fn resumes_after_a_kill_with_identical_output() {
    let dir = TempDir::new();
    let docs = paragraphs();
    let mut text = String::new();
    while text.len() < 8 << 20 {
        text.push_str(&docs.join("\n"));
        text.push('\n');
    }
    let args = [
        "tokenize",
        "-q",
        "--split",
        "line",
        "--append-eot",
        "--shard-tokens",
        "200000",
        "--threads",
        "2",
    ];

    let (whole, resumed, left) = kill_and_resume(&dir, &args, text.as_bytes(), "shard-00002.bin");
    assert!(left >= 5, "{left}");
    assert_eq!(resumed, whole);
}

#[test]
fn an_output_directory_inside_an_input_directory_is_not_read() {
    let dir = TempDir::new();
    let input = dir.file("a.txt", b"only this");
    let out = dir.0.join("tokens");
    let manifest = tokenize(&["-o", out.to_str().unwrap(), dir.0.to_str().unwrap()]);
    let inputs = manifest["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1, "{inputs:?}");
    assert_eq!(inputs[0]["path"], input.as_str());
    // The input was only read.
    assert_eq!(std::fs::read(&input).unwrap(), b"only this");
}
