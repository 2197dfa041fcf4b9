//! `omnitok show`: token boundaries in the terminal, and the HTML page as a real browser
//! (headless Chromium) renders it: every column spells its text and holds exactly the IDs that
//! `omnitok encode` gives, columns stand side by side, and markup in the text stays text.

// Test helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fails, ok, run, TempDir};

const MODEL: &str = "../fixtures/sentencepiece/bpe_byte_fallback.model";
const NFKC_MODEL: &str = "../fixtures/sentencepiece/unigram_nfkc.model";

#[test]
fn plain_output_puts_bars_between_tokens_and_groups_ids_alike() {
    let shown = ok(
        &["show", "--color", "never", "--ids", "--text", "Hello world"],
        b"",
    );
    assert_eq!(
        String::from_utf8(shown).unwrap(),
        "== text\n-- o200k_base: 2 tokens, 5.50 chars/token\nHello| world\n13225 | 2375\n"
    );
}

#[test]
fn colour_is_off_when_stdout_is_not_a_terminal_unless_asked_for() {
    let auto = ok(&["show", "--text", "Hi there"], b"");
    assert!(!auto.contains(&0x1b));
    let always = ok(&["show", "--color", "always", "--text", "Hi there"], b"");
    assert!(String::from_utf8(always)
        .unwrap()
        .contains("\x1b[30;48;5;153mHi\x1b[0m"));
}

#[test]
fn a_tokenizer_that_rewrites_the_text_shows_it_as_it_decodes_and_says_so() {
    let shown = ok(
        &[
            "show",
            "--color",
            "never",
            "-t",
            &format!("nfkc={NFKC_MODEL}"),
            "--text",
            "Ｈello",
        ],
        b"",
    );
    let shown = String::from_utf8(shown).unwrap();
    assert!(
        shown.contains("(shown as it decodes: the tokenizer changed the text)"),
        "{shown}"
    );
    // NFKC made the full-width letter plain; the leading ▁ adds no text and shows as a piece.
    assert!(shown.contains("\n▁|H"), "{shown}");
}

#[test]
fn stdin_and_long_texts_are_named_and_shortened() {
    let text = "word ".repeat(100);
    let shown = String::from_utf8(ok(
        &["show", "--color", "never", "--max-chars", "12", "-"],
        text.as_bytes(),
    ))
    .unwrap();
    assert!(
        shown.starts_with("== <stdin>, the first 12 of 500 chars\n"),
        "{shown}"
    );
    assert!(shown.contains("\nword| word| wo\n"), "{shown}");
}

#[test]
fn bad_inputs_are_named() {
    let dir = TempDir::new();
    let missing = dir.path("missing.txt");
    assert!(fails(&["show", &missing], b"").contains("missing.txt"));
    let empty = dir.path("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(fails(&["show", &empty], b"").contains("no <language>.txt files in this folder"));
    let latin1 = dir.file("latin1.txt", b"caf\xe9");
    assert!(fails(&["show", &latin1], b"").contains("latin1.txt: not valid UTF-8 at byte 3"));
    let text = dir.file("a.txt", b"a");
    let refused = fails(&["show", "--html", &text, &text], b"");
    assert!(refused.contains("a.txt"), "{refused}");
    assert_eq!(std::fs::read(&text).unwrap(), b"a");
}

/// Texts of the page test: three languages of the bundled sample and one full of markup and
/// control characters.
fn page_inputs(dir: &TempDir) -> PathBuf {
    let folder = dir.0.join("texts");
    std::fs::create_dir(&folder).unwrap();
    for lang in ["de", "hi", "ja"] {
        let from = format!("../fixtures/multilingual/{lang}.txt");
        std::fs::copy(from, folder.join(format!("{lang}.txt"))).unwrap();
    }
    let markup = "<script>document.title='x'</script> &amp; <b>bold</b> \"quoted\" 'single'\n\
                  \ttab  two  spaces\r\nform\x0cfeed, emoji 👩‍👩‍👧 and 🇩🇪\n\n";
    std::fs::write(folder.join("markup.txt"), markup).unwrap();
    // Not a text of the folder: left out.
    std::fs::write(folder.join("README.md"), "about these texts").unwrap();
    std::fs::write(folder.join(".hidden.txt"), "hidden").unwrap();
    folder
}

/// A Chromium-family browser on PATH; in CI one must be there.
fn browser() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|out| out.status.success())
        });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs Chromium for the page test (scripts/test-all.sh installs it)"
        );
        eprintln!("no Chromium on PATH: the page is not rendered in a browser");
    }
    found
}

/// What the page looks like in the browser, measured by a script appended to a copy of it:
/// per section and column the rendered box, the text spelled by the token spans (line-break
/// marks left out), and the IDs they carry. Returned as JSON.
const MEASURE: &str = r#"<script>
const sections = [];
for (const section of document.querySelectorAll("section")) {
  const views = [];
  for (const view of section.querySelectorAll(".view")) {
    const box = view.getBoundingClientRect();
    let text = "";
    const ids = [];
    for (const span of view.querySelectorAll(".text > .t")) {
      ids.push(...span.dataset.ids.split(" ").map(Number));
      if (span.classList.contains("empty")) continue;
      const copy = span.cloneNode(true);
      copy.querySelectorAll(".nl").forEach((mark) => mark.remove());
      text += copy.textContent;
    }
    views.push({tokenizer: view.dataset.tokenizer, tokens: Number(view.dataset.tokens),
      decodes_to_input: view.dataset.decodesToInput === "true",
      left: box.left, right: box.right, top: box.top, height: box.height, text, ids});
  }
  sections.push({name: section.querySelector("h2").textContent, views});
}
const json = JSON.stringify({sections, scripts: document.scripts.length, title: document.title});
const bytes = new TextEncoder().encode(json);
document.body.dataset.measured = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
</script>"#;

/// Renders `page` in `browser` with [`MEASURE`] appended and returns what it measured.
fn measure_in_browser(browser: &str, page: &Path, dir: &TempDir) -> serde_json::Value {
    let html = std::fs::read_to_string(page).unwrap();
    let measured_page = dir.file(
        "measured.html",
        html.replace("</body>", &format!("{MEASURE}</body>"))
            .as_bytes(),
    );
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1600,1200",
            &format!("--user-data-dir={}", dir.path("profile")),
            "--dump-dom",
            &format!("file://{measured_page}"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let dom = String::from_utf8(out.stdout).unwrap();
    let start = dom.find("data-measured=\"").expect("the script ran") + "data-measured=\"".len();
    let hex = &dom[start..start + dom[start..].find('"').unwrap()];
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn the_page_renders_every_tokenizer_side_by_side_in_a_browser() {
    let dir = TempDir::new();
    let folder = page_inputs(&dir);
    let page = dir.path("tokens.html");
    let max_chars = 300;
    let args = [
        "show",
        "-e",
        "o200k_base",
        "-e",
        "cl100k_base",
        "-t",
        &format!("llama-style={MODEL}"),
        "--max-chars",
        &max_chars.to_string(),
        "--html",
        &page,
        folder.to_str().unwrap(),
    ];
    let out = run(&args, b"");
    assert!(out.status.success(), "{out:?}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<script"), "the page itself has no scripts");
    assert!(
        !html.contains("src=") && !html.contains("href="),
        "nothing outside the page"
    );
    let Some(browser) = browser() else { return };
    let measured = measure_in_browser(browser, Path::new(&page), &dir);

    // Only the measuring script ran: the text's <script> stayed text.
    assert_eq!(measured["scripts"], 1);
    assert_eq!(
        measured["title"],
        "Tokens under o200k_base, cl100k_base, llama-style"
    );
    let sections = measured["sections"].as_array().unwrap();
    let names: Vec<&str> = sections
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["de", "hi", "ja", "markup"]);
    for section in sections {
        let name = section["name"].as_str().unwrap();
        let text = std::fs::read_to_string(folder.join(format!("{name}.txt"))).unwrap();
        let shown: String = text.chars().take(max_chars).collect();
        let shown_file = dir.file(&format!("{name}.shown.txt"), shown.as_bytes());
        let views = section["views"].as_array().unwrap();
        assert_eq!(views.len(), 3);
        for (n, view) in views.iter().enumerate() {
            let tokenizer = view["tokenizer"].as_str().unwrap();
            // The IDs of the spans are the IDs of `omnitok encode`, in order.
            let encode_args: Vec<&str> = match tokenizer {
                "llama-style" => vec!["encode", "-t", MODEL, &shown_file],
                encoding => vec!["encode", "-e", encoding, &shown_file],
            };
            let encoded = String::from_utf8(ok(&encode_args, b"")).unwrap();
            let want: Vec<u64> = encoded
                .split_whitespace()
                .map(|id| id.parse().unwrap())
                .collect();
            let ids: Vec<u64> = view["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_u64().unwrap())
                .collect();
            assert_eq!(ids, want, "{name} {tokenizer}");
            assert_eq!(view["tokens"].as_u64().unwrap() as usize, want.len());
            // These tokenizers keep the text, and the spans spell exactly it, as rendered.
            assert!(
                view["decodes_to_input"].as_bool().unwrap(),
                "{name} {tokenizer}"
            );
            assert_eq!(view["text"].as_str().unwrap(), shown, "{name} {tokenizer}");
            assert!(
                view["height"].as_f64().unwrap() > 20.0,
                "{name} {tokenizer}"
            );
            // Side by side: the same top, each column right of the one before.
            if n > 0 {
                let before = &views[n - 1];
                let top = |v: &serde_json::Value| v["top"].as_f64().unwrap();
                assert!((top(view) - top(before)).abs() < 1.0, "{name} {tokenizer}");
                assert!(
                    view["left"].as_f64().unwrap() >= before["right"].as_f64().unwrap(),
                    "{name} {tokenizer}"
                );
            }
        }
    }
}
