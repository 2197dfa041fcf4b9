//! End-to-end tests of the `omnitok` binary: arguments in, stdout/stderr/exit code out.

// Test helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use serde_json::Value;

mod common;

use common::{fails, ok, run, TempDir};

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

#[test]
fn encode_text_and_json() {
    assert_eq!(text(ok(&["encode"], b"hello world")), "24912 2375\n");
    assert_eq!(text(ok(&["encode", "-"], b"hello world")), "24912 2375\n");
    let json: Value =
        serde_json::from_slice(&ok(&["encode", "--format", "json"], b"hello world")).unwrap();
    assert_eq!(json, serde_json::json!([24912, 2375]));
    assert_eq!(text(ok(&["encode", "--format", "json"], b"")), "[]\n");
}

#[test]
fn encode_reads_a_file_and_other_encodings() {
    let dir = TempDir::new();
    let path = dir.file("hello.txt", b"hello world");
    assert_eq!(text(ok(&["encode", &path], b"")), "24912 2375\n");
    assert_eq!(
        text(ok(&["encode", "--encoding", "cl100k_base", &path], b"")),
        "15339 1917\n"
    );
}

#[test]
fn inputs_are_read_within_their_limit_even_when_they_never_end() {
    let dir = TempDir::new();
    let path = dir.file("five.txt", b"hello");
    for command in ["encode", "count", "decode"] {
        let stderr = fails(&[command, "--max-input-bytes", "4", &path], b"");
        assert!(
            stderr.contains("five.txt: 5 bytes is over the limit of 4 bytes"),
            "{command}: {stderr}"
        );
    }
    let stderr = fails(&["encode", "--max-input-bytes", "4"], b"hello");
    assert!(
        stderr.contains("<stdin>: over the limit of 4 bytes"),
        "{stderr}"
    );
    if Path::new("/dev/zero").exists() {
        let stderr = fails(&["count", "--max-input-bytes", "65536", "/dev/zero"], b"");
        assert!(stderr.contains("over the limit of 65536 bytes"), "{stderr}");
    }
}

#[test]
fn decode_round_trips() {
    let input = "héllo wörld 👋🏽\n  tabs\tand <|end of text|> 12345";
    for encoding in ["o200k_base", "cl100k_base", "gpt2"] {
        let ids = ok(&["encode", "-e", encoding], input.as_bytes());
        assert_eq!(
            text(ok(&["decode", "-e", encoding], &ids)),
            input,
            "{encoding}"
        );
        let json = ok(&["encode", "-e", encoding, "-f", "json"], input.as_bytes());
        assert_eq!(
            text(ok(&["decode", "-e", encoding], &json)),
            input,
            "{encoding}"
        );
    }
    // No newline is added, and whitespace of any kind separates IDs.
    assert_eq!(ok(&["decode"], b" 24912\n\t2375  \n"), b"hello world");
    assert_eq!(ok(&["decode"], b"[24912, 2375]"), b"hello world");
    assert_eq!(ok(&["decode"], b""), b"");
}

#[test]
fn special_tokens_are_an_error_by_default() {
    let input = b"hi <|endoftext|> there";
    let stderr = fails(&["encode"], input);
    assert!(
        stderr.contains("<|endoftext|>") && stderr.contains("byte 3"),
        "{stderr}"
    );
    assert!(stderr.contains("<stdin>"), "{stderr}");
}

#[test]
fn special_tokens_allowed_by_name_or_all() {
    let input = b"hi <|endoftext|> there";
    let named = text(ok(&["encode", "--allow-special", "<|endoftext|>"], input));
    let all = text(ok(&["encode", "--allow-special", "all"], input));
    assert_eq!(named, all);
    let ids: Vec<&str> = named.split_whitespace().collect();
    assert!(ids.contains(&"199999"), "{named}");
    assert_eq!(ok(&["decode"], named.as_bytes()), input);

    // Allowing one special leaves the others disallowed.
    let stderr = fails(
        &["encode", "--allow-special", "<|endoftext|>"],
        b"<|endoftext|> <|endofprompt|>",
    );
    assert!(
        stderr.contains("<|endofprompt|>") && stderr.contains("byte 14"),
        "{stderr}"
    );
    // Several names, comma-separated.
    ok(
        &["encode", "--allow-special", "<|endoftext|>,<|endofprompt|>"],
        b"<|endoftext|> <|endofprompt|>",
    );

    let stderr = fails(&["encode", "--allow-special", "<|nope|>"], b"hi");
    assert!(stderr.contains("<|nope|>"), "{stderr}");
}

#[test]
fn special_tokens_as_text() {
    let input = b"hi <|endoftext|> there";
    let ids = text(ok(&["encode", "--special-as-text"], input));
    assert!(!ids.split_whitespace().any(|id| id == "199999"), "{ids}");
    assert_eq!(ok(&["decode"], ids.as_bytes()), input);
    // The two policies conflict: a usage error.
    let out = run(
        &["encode", "--special-as-text", "--allow-special", "all"],
        input,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn decode_unknown_id() {
    let stderr = fails(&["decode"], b"24912 2375 999999");
    assert!(
        stderr.contains("999999") && stderr.contains("position 2"),
        "{stderr}"
    );
}

#[test]
fn decode_bad_integer() {
    let stderr = fails(&["decode"], b"24912 23x75 2375");
    assert!(
        stderr.contains("word 1") && stderr.contains("\"23x75\""),
        "{stderr}"
    );
    let stderr = fails(&["decode"], b"1 -5");
    assert!(
        stderr.contains("word 1") && stderr.contains("\"-5\""),
        "{stderr}"
    );
    let stderr = fails(&["decode"], b"[1, \"2\"]");
    assert!(
        stderr.contains("element 1") && stderr.contains("\"2\""),
        "{stderr}"
    );
    let stderr = fails(&["decode"], b"[1, 2");
    assert!(stderr.contains("JSON"), "{stderr}");
}

#[test]
fn decode_invalid_utf8_unless_lossy() {
    // "👋" is F0 9F 91 8B; find IDs that split it, and decode only the first part.
    let ids = text(ok(&["encode", "-e", "gpt2"], "👋".as_bytes()));
    let ids: Vec<&str> = ids.split_whitespace().collect();
    assert!(ids.len() > 1, "{ids:?}");
    let stderr = fails(&["decode", "-e", "gpt2"], ids[0].as_bytes());
    assert!(
        stderr.contains("UTF-8") && stderr.contains("--lossy"),
        "{stderr}"
    );
    let lossy = text(ok(&["decode", "-e", "gpt2", "--lossy"], ids[0].as_bytes()));
    assert!(lossy.contains('\u{FFFD}'), "{lossy:?}");
}

#[test]
fn count_json_with_two_encodings() {
    let dir = TempDir::new();
    let a = dir.file("a.txt", "hello world".as_bytes());
    let b = dir.file("b.txt", "héllo <|endoftext|> 👋\n".as_bytes());
    let args = [
        "count",
        "-e",
        "o200k_base",
        "-e",
        "cl100k_base",
        "--format",
        "json",
        &a,
        &b,
    ];
    let json: Value = serde_json::from_slice(&ok(&args, b"")).unwrap();

    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["path"], a.as_str());
    assert_eq!(files[0]["bytes"], 11);
    assert_eq!(files[0]["chars"], 11);
    assert_eq!(
        files[0]["tokens"],
        serde_json::json!({"o200k_base": 2, "cl100k_base": 2})
    );
    assert_eq!(files[1]["path"], b.as_str());
    assert_eq!(files[1]["bytes"], "héllo <|endoftext|> 👋\n".len());
    assert_eq!(
        files[1]["chars"],
        "héllo <|endoftext|> 👋\n".chars().count()
    );
    assert_eq!(files[0].as_object().unwrap().len(), 4);

    // Each file's token count matches `encode` with specials as text; the total is the sum.
    for encoding in ["o200k_base", "cl100k_base"] {
        let mut sum = 0;
        for (file, path) in files.iter().zip([&a, &b]) {
            let ids = ok(&["encode", "--special-as-text", "-e", encoding, path], b"");
            let n = text(ids).split_whitespace().count() as u64;
            assert_eq!(
                file["tokens"][encoding].as_u64(),
                Some(n),
                "{encoding} {path}"
            );
            sum += n;
        }
        assert_eq!(
            json["total"]["tokens"][encoding].as_u64(),
            Some(sum),
            "{encoding}"
        );
    }
    let total = json["total"].as_object().unwrap();
    assert_eq!(total.len(), 3);
    let sum = |key: &str| files.iter().map(|f| f[key].as_u64().unwrap()).sum::<u64>();
    assert_eq!(total["bytes"].as_u64(), Some(sum("bytes")));
    assert_eq!(total["chars"].as_u64(), Some(sum("chars")));
    assert_eq!(json.as_object().unwrap().len(), 2);
}

#[test]
fn count_table() {
    let dir = TempDir::new();
    let a = dir.file("a.txt", b"hello world");
    let b = dir.file("b.txt", "hello again, world, and more text".as_bytes());
    let table = text(ok(
        &["count", "-e", "o200k_base", "-e", "gpt2", &a, &b],
        b"",
    ));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(
        lines[0].contains("bytes") && lines[0].contains("o200k_base"),
        "{table}"
    );
    assert!(lines[0].ends_with("gpt2"), "{table}");
    assert!(
        lines[1].starts_with(&a) && lines[1].ends_with(" 2"),
        "{table}"
    );
    assert!(lines[3].starts_with("total"), "{table}");
    let widths: Vec<usize> = lines.iter().map(|l| l.len()).collect();
    assert!(widths.iter().all(|&w| w == widths[0]), "{table}");
    // The default encoding is o200k_base.
    let table = text(ok(&["count", &a], b""));
    assert!(
        table.lines().next().unwrap().ends_with("o200k_base"),
        "{table}"
    );
}

#[test]
fn invalid_utf8_input_is_an_error() {
    let dir = TempDir::new();
    let bad = dir.file("bad.txt", b"good\xff bad");
    let stderr = fails(&["encode", &bad], b"");
    assert!(
        stderr.contains(&bad) && stderr.contains("byte 4"),
        "{stderr}"
    );
    let good = dir.file("good.txt", b"fine");
    let stderr = fails(&["count", &good, &bad], b"");
    assert!(
        stderr.contains(&bad) && stderr.contains("byte 4"),
        "{stderr}"
    );
    let stderr = fails(&["encode"], b"ab\xc3");
    assert!(
        stderr.contains("<stdin>") && stderr.contains("byte 2"),
        "{stderr}"
    );
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let dir = TempDir::new();
    let missing = dir.0.join("no-such-file.txt");
    let missing = missing.to_str().unwrap();
    for command in ["encode", "decode", "count"] {
        let stderr = fails(&[command, missing], b"");
        assert!(stderr.contains(missing), "{command}: {stderr}");
    }
    let stderr = fails(&["encode", "--tokenizer", missing], b"hi");
    assert!(stderr.contains(missing), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["encode", "--encoding", "no_such_encoding"][..],
        &["encode", "--pattern", "x"],
        &["encode", "--encoding", "gpt2", "--tokenizer", "t.json"],
        &["count"],
        &["frobnicate"],
    ] {
        let out = run(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
}

#[test]
fn help_on_every_command() {
    for args in [
        &["--help"][..],
        &["encode", "--help"],
        &["decode", "--help"],
        &["count", "--help"],
    ] {
        let help = text(ok(args, b""));
        assert!(help.contains("Usage: omnitok"), "{args:?}: {help}");
    }
    let help = text(ok(&["--help"], b""));
    for command in ["encode", "decode", "count"] {
        assert!(help.contains(command), "{help}");
    }
    assert!(text(ok(&["count", "--help"], b"")).contains("ordinary text"));
}

/// Standard base64, for writing a rank file.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A rank file: every byte at its own value, then "ab" (256) and "abc" (257).
fn write_rank_file(dir: &Path) -> String {
    let mut ranks = String::new();
    for byte in 0..=255u8 {
        ranks.push_str(&format!("{} {byte}\n", base64(&[byte])));
    }
    ranks.push_str(&format!("{} 256\n{} 257\n", base64(b"ab"), base64(b"abc")));
    let path = dir.join("tiny.tiktoken");
    std::fs::write(&path, ranks).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn tokenizer_file_with_pattern() {
    assert_eq!(base64(b"abc"), "YWJj");
    assert_eq!(base64(b"ab"), "YWI=");
    assert_eq!(base64(b"a"), "YQ==");
    let dir = TempDir::new();
    let ranks = write_rank_file(&dir.0);
    let pattern = "[a-z]+|[^a-z]+";
    let ids = text(ok(
        &["encode", "--tokenizer", &ranks, "--pattern", pattern],
        b"abcab x",
    ));
    assert_eq!(ids, "257 256 32 120\n");
    let back = ok(
        &["decode", "--tokenizer", &ranks, "--pattern", pattern],
        ids.as_bytes(),
    );
    assert_eq!(back, b"abcab x");

    // Without a side file the pattern is required; the message names the file.
    let stderr = fails(&["encode", "--tokenizer", &ranks], b"abc");
    assert!(stderr.contains(&ranks), "{stderr}");

    // count reports a tokenizer file under its path, next to built-in encodings.
    let input = dir.file("in.txt", b"abcab x");
    let args = [
        "count",
        "-f",
        "json",
        "-e",
        "gpt2",
        "-t",
        &ranks,
        "--pattern",
        pattern,
        &input,
    ];
    let json: Value = serde_json::from_slice(&ok(&args, b"")).unwrap();
    assert_eq!(json["total"]["tokens"][ranks.as_str()], 4);
    assert!(json["total"]["tokens"]["gpt2"].as_u64().is_some());
    assert!(json["total"]["tokens"].get("o200k_base").is_none());
}
