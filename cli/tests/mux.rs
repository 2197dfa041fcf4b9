//! `omnitok mux`, `demux` and the per-modality `stats`: JSON Lines documents of text, audio,
//! images and video into shards of one layout's IDs and back, exactly; typed markers stay text;
//! bad documents are errors naming the file, line and part; a killed run resumes to the same
//! bytes.

#![allow(clippy::unwrap_used)]

mod common;

use common::{all_files, fails, kill_and_resume, ok, TempDir};

fn fixture(path: &str) -> String {
    format!("{}/../fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// A layout of o200k_base, the test codec and `image` codes, in `dir`.
fn layout(dir: &TempDir, image: &str) -> String {
    let path = dir.path("layout.json");
    ok(
        &[
            "layout",
            "build",
            "--codec",
            &fixture("audio/encodec/causal-24k"),
            "--image-quantizer",
            image,
            "-o",
            &path,
        ],
        b"",
    );
    path
}

/// Documents of every part kind, media given relative to the file.
fn documents(dir: &TempDir) -> String {
    std::fs::create_dir_all(dir.0.join("docs/media")).unwrap();
    for (from, to) in [
        ("audio/speech_16k.wav", "speech.wav"),
        ("vision/photos/garden.png", "garden.png"),
        ("vision/formats/anim.gif", "anim.gif"),
    ] {
        std::fs::copy(fixture(from), dir.0.join("docs/media").join(to)).unwrap();
    }
    let lines = [
        r#"{"parts": [{"text": "A garden: "}, {"image": "media/garden.png"}, {"text": " and a voice: "}, {"audio": "media/speech.wav"}]}"#,
        "",
        r#"{"parts": [{"video": "media/anim.gif"}, {"text": "the end"}]}"#,
        r#"{"id": 3, "parts": [{"text": "text only"}]}"#,
    ];
    dir.file("docs/a.jsonl", (lines.join("\n") + "\n").as_bytes())
}

/// Checks that two mux outputs hold the same first shard, IDs and index.
fn assert_same_shards(one: &str, other: &str) {
    for file in ["shard-00000.bin", "shard-00000.idx"] {
        assert_eq!(
            std::fs::read(format!("{one}/{file}")).unwrap(),
            std::fs::read(format!("{other}/{file}")).unwrap(),
            "{file}"
        );
    }
}

fn manifest(out: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{out}/manifest.json")).unwrap()).unwrap()
}

fn spans(out: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(format!("{out}/shard-00000.spans.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn mux_demux_and_mux_again_give_the_same_ids() {
    let dir = TempDir::new();
    let layout = layout(&dir, "fsq:8,5,5,5");
    let docs = documents(&dir);
    let docs_dir = dir.path("docs");
    let one = dir.path("one");
    let three = dir.path("three");
    for (out, threads) in [(&one, "1"), (&three, "3")] {
        let mux = [
            "mux",
            "-q",
            "--layout",
            &layout,
            "--threads",
            threads,
            "-o",
            out,
        ];
        // A directory is searched for documents, not for the media beside them.
        ok(&[&mux[..], &[&docs_dir]].concat(), b"");
    }
    assert_eq!(all_files(one.as_ref()), all_files(three.as_ref()));

    let m = manifest(&one);
    assert_eq!(m["totals"]["documents"], 3);
    assert_eq!(m["inputs"].as_array().unwrap().len(), 1);
    assert_eq!(m["inputs"][0]["path"], docs.as_str());
    assert_eq!(m["errors"]["count"], 0);
    assert_eq!(m["tokenizer"]["name"], "o200k_base");
    assert_eq!(m["settings"]["dtype"], "uint32");
    let modalities = &m["modalities"];
    for kind in ["text", "audio", "image", "video"] {
        assert!(
            modalities[kind]["tokens"].as_u64().unwrap() > 0,
            "{kind}: {modalities}"
        );
    }
    // speech.wav lasts 2.2248 s; anim.gif has 3 frames of 100 ms.
    assert!((modalities["audio"]["seconds"].as_f64().unwrap() - 2.2248).abs() < 1e-3);
    assert_eq!(modalities["video"]["frames"], 3);
    let shares: f64 = ["text", "audio", "image", "video"]
        .iter()
        .map(|k| modalities[k]["share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9, "{shares}");

    // Spans cover each document, in order, segment after segment.
    let spans = spans(&one);
    assert_eq!(spans.len(), 3);
    let first = spans[0]["spans"].as_array().unwrap();
    let kinds: Vec<&str> = first.iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["text", "image", "text", "audio"]);
    for pair in first.windows(2) {
        assert_eq!(pair[0]["end"], pair[1]["start"]);
    }
    let index = std::fs::read(format!("{one}/shard-00000.idx")).unwrap();
    let first_end = u64::from_le_bytes(index[8..16].try_into().unwrap());
    assert_eq!(first.last().unwrap()["end"], first_end);

    // demux writes documents mux reads back to the same IDs, and the codec's audio.
    let back = dir.path("back");
    ok(
        &["demux", "-q", "--layout", &layout, "-o", &back, &one],
        b"",
    );
    let written = std::fs::read_to_string(format!("{back}/documents.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(written.lines().next().unwrap()).unwrap();
    assert_eq!(first["parts"][0]["text"], "A garden: ");
    assert_eq!(first["parts"][1]["image_codes"], "doc-000000/part-01.npy");
    assert!(
        std::fs::metadata(format!("{back}/doc-000000/part-03.wav"))
            .unwrap()
            .len()
            > 1000
    );
    let again = dir.path("again");
    ok(
        &["mux", "-q", "--layout", &layout, "-o", &again, &back],
        b"",
    );
    assert_same_shards(&one, &again);

    // stats reports the modalities of a mux output.
    let table = String::from_utf8(ok(&["stats", &one], b"")).unwrap();
    assert!(table.starts_with("modality"), "{table}");
    for kind in ["text", "audio", "image", "video"] {
        assert!(table.contains(kind), "{table}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&ok(&["stats", "--format", "json", &one], b"")).unwrap();
    assert_eq!(json["modalities"], m["modalities"]);
}

#[test]
fn a_dac_layout_carries_dac_codes_both_ways() {
    let dir = TempDir::new();
    let layout = dir.path("layout.json");
    let model = fixture("audio/dac/dac-16k");
    ok(&["layout", "build", "--codec", &model, "-o", &layout], b"");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&layout).unwrap()).unwrap();
    assert_eq!(written["audio"]["codebooks"], 4);
    assert_eq!(written["audio"]["codebook_size"], 64);
    std::fs::create_dir_all(dir.0.join("docs")).unwrap();
    std::fs::copy(
        fixture("audio/speech_16k.wav"),
        dir.0.join("docs/speech.wav"),
    )
    .unwrap();
    let docs = dir.file(
        "docs/a.jsonl",
        br#"{"parts": [{"text": "A voice: "}, {"audio": "speech.wav"}]}
"#,
    );
    let one = dir.path("one");
    ok(&["mux", "-q", "--layout", &layout, "-o", &one, &docs], b"");
    // 2.2248 s at 50 frames a second: 111 whole frames of 4 codes, and the two markers
    // around them.
    let m = manifest(&one);
    let audio = &m["modalities"]["audio"];
    assert!(
        (audio["seconds"].as_f64().unwrap() - 2.2248).abs() < 1e-3,
        "{audio}"
    );
    assert_eq!(audio["tokens"], 111 * 4 + 2, "{audio}");
    let back = dir.path("back");
    ok(
        &["demux", "-q", "--layout", &layout, "-o", &back, &one],
        b"",
    );
    let wav = std::fs::read(format!("{back}/doc-000000/part-01.wav")).unwrap();
    assert!(wav.len() > 35_000 * 4, "{}", wav.len());
    let again = dir.path("again");
    ok(
        &["mux", "-q", "--layout", &layout, "-o", &again, &back],
        b"",
    );
    assert_same_shards(&one, &again);
}

#[test]
fn a_snac_layout_carries_levels_of_codes_both_ways() {
    let dir = TempDir::new();
    let model = fixture("audio/snac/snac-24k");
    let speech = fixture("audio/speech_22k.wav");
    std::fs::create_dir_all(dir.0.join("docs")).unwrap();
    std::fs::copy(&speech, dir.0.join("docs/speech.wav")).unwrap();
    let docs = dir.file(
        "docs/a.jsonl",
        br#"{"parts": [{"text": "A voice: "}, {"audio": "speech.wav"}]}
"#,
    );
    for scheme in ["interleave", "sequential"] {
        let layout = dir.path(&format!("{scheme}.json"));
        ok(
            &[
                "layout",
                "build",
                "--codec",
                &model,
                "--flatten",
                scheme,
                "-o",
                &layout,
            ],
            b"",
        );
        let written: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&layout).unwrap()).unwrap();
        assert_eq!(written["audio"]["codebooks"], 3);
        assert_eq!(written["audio"]["rates"], serde_json::json!([1, 2, 4]));
        let one = dir.path(&format!("{scheme}-one"));
        ok(&["mux", "-q", "--layout", &layout, "-o", &one, &docs], b"");
        // 2.2248 s at 24 kHz padded to 27 coarse frames of 2048 samples: 7 codes each, and
        // the two markers around them.
        let m = manifest(&one);
        assert_eq!(m["modalities"]["audio"]["tokens"], 27 * 7 + 2, "{m}");
        let back = dir.path(&format!("{scheme}-back"));
        ok(
            &["demux", "-q", "--layout", &layout, "-o", &back, &one],
            b"",
        );
        let levels = std::fs::read(format!("{back}/doc-000000/part-01.npz")).unwrap();
        assert!(levels.starts_with(b"PK"), "an .npz is a zip archive");
        let wav = std::fs::read(format!("{back}/doc-000000/part-01.wav")).unwrap();
        assert!(wav.len() > 27 * 2048 * 4, "{}", wav.len());
        let again = dir.path(&format!("{scheme}-again"));
        ok(
            &["mux", "-q", "--layout", &layout, "-o", &again, &back],
            b"",
        );
        assert_same_shards(&one, &again);
    }
    // The delay scheme lays out codes of one rate only.
    let stderr = fails(
        &[
            "layout",
            "build",
            "--codec",
            &model,
            "--flatten",
            "delay",
            "-o",
            &dir.path("delay.json"),
        ],
        b"",
    );
    assert!(stderr.contains("codes of one rate"), "{stderr}");
}

#[test]
fn codebook_layouts_write_pictures_back() {
    let dir = TempDir::new();
    let garden = fixture("vision/photos/garden.png");
    // A small codebook of the photograph's patches, seeded.
    let train = |name: &str, seed: &str| {
        let book = dir.path(name);
        let args = [
            "vision",
            "train-codebook",
            "--quiet",
            "--size",
            "16",
            "--epochs",
            "1",
        ];
        ok(
            &[&args[..], &["--seed", seed, "-o", &book, &garden]].concat(),
            b"",
        );
        book
    };
    let book = train("book.safetensors", "0");
    let layout = layout(&dir, &format!("codebook:{book}"));
    let docs = dir.file(
        "docs.jsonl",
        format!(
            r#"{{"parts": [{{"image": "{garden}"}}, {{"video": "{}"}}]}}"#,
            fixture("vision/formats/anim.gif")
        )
        .as_bytes(),
    );
    let out = dir.path("out");
    // The codebook is not named by the layout's file: it must be given.
    let stderr = fails(
        &[
            "mux",
            "-q",
            "--allow-any-media-path",
            "--layout",
            &layout,
            "-o",
            &dir.path("none"),
            &docs,
        ],
        b"",
    );
    assert!(stderr.contains("image quantizer"), "{stderr}");
    ok(
        &[
            "mux",
            "-q",
            "--allow-any-media-path",
            "--layout",
            &layout,
            "--codebook",
            &book,
            "-o",
            &out,
            &docs,
        ],
        b"",
    );
    let back = dir.path("back");
    ok(
        &[
            "demux",
            "-q",
            "--layout",
            &layout,
            "--codebook",
            &book,
            "-o",
            &back,
            &out,
        ],
        b"",
    );
    let png = std::fs::read(format!("{back}/doc-000000/part-00.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    assert!(std::path::Path::new(&format!("{back}/doc-000000/part-01-frame-0002.png")).exists());
    // Another codebook has another checksum.
    let other = train("other.safetensors", "9");
    let stderr = fails(
        &[
            "mux",
            "-q",
            "--allow-any-media-path",
            "--layout",
            &layout,
            "--codebook",
            &other,
            "-o",
            &dir.path("x"),
            &docs,
        ],
        b"",
    );
    assert!(stderr.contains("checksum"), "{stderr}");
}

#[test]
fn typed_markers_and_specials_stay_text() {
    let dir = TempDir::new();
    let layout_path = layout(&dir, "lfq:10");
    let layout: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&layout_path).unwrap()).unwrap();
    let markers: Vec<String> = layout["markers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["token"].as_str().unwrap().to_owned())
        .collect();
    let text = format!(
        "{} <|endoftext|> audio_codes image_codes",
        markers.join(" ")
    );
    let docs = dir.file(
        "docs.jsonl",
        serde_json::json!({"parts": [{"text": text}]})
            .to_string()
            .as_bytes(),
    );
    let out = dir.path("out");
    ok(
        &[
            "mux",
            "-q",
            "--layout",
            &layout_path,
            "--format",
            "jsonl",
            "-o",
            &out,
            &docs,
        ],
        b"",
    );
    let shard = std::fs::read_to_string(format!("{out}/shard-00000.jsonl")).unwrap();
    let ids: serde_json::Value = serde_json::from_str(shard.trim()).unwrap();
    // Every ID is an ordinary text token: below the tokenizer's first special (199999).
    assert!(ids["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .all(|id| id.as_u64().unwrap() < 199_999));
    let back = dir.path("back");
    ok(
        &["demux", "-q", "--layout", &layout_path, "-o", &back, &out],
        b"",
    );
    let written = std::fs::read_to_string(format!("{back}/documents.jsonl")).unwrap();
    let parts: serde_json::Value = serde_json::from_str(written.trim()).unwrap();
    assert_eq!(parts["parts"], serde_json::json!([{ "text": text }]));
}

#[test]
fn bad_documents_are_named_or_skipped_and_listed() {
    let dir = TempDir::new();
    let layout = layout(&dir, "fsq:8,5,5,5");
    let garden = fixture("vision/photos/garden.png");
    let lines = [
        format!(r#"{{"parts": [{{"image": "{garden}"}}]}}"#),
        r#"{"parts": [{"text": "fine"}, {"image": "nowhere.png"}]}"#.to_owned(),
        "not json".to_owned(),
        r#"{"parts": [{"sound": "a.wav"}]}"#.to_owned(),
        format!(
            r#"{{"parts": [{{"image": "{}"}}]}}"#,
            fixture("vision/formats/bad.truncated.png")
        ),
        r#"{"parts": [{"text": "last"}]}"#.to_owned(),
    ];
    let docs = dir.file("docs.jsonl", (lines.join("\n") + "\n").as_bytes());
    let out = dir.path("out");
    // The fixtures are named by absolute paths, which documents may use only when allowed.
    let confined_out = dir.path("confined");
    let confined = fails(
        &["mux", "-q", "--layout", &layout, "-o", &confined_out, &docs],
        b"",
    );
    assert!(
        confined.contains(&format!("{docs}:1")) && confined.contains("absolute path"),
        "{confined}"
    );
    let stderr = fails(
        &[
            "mux",
            "-q",
            "--allow-any-media-path",
            "--layout",
            &layout,
            "-o",
            &out,
            &docs,
        ],
        b"",
    );
    assert!(stderr.contains(&format!("{docs}:2")), "{stderr}");
    assert!(
        stderr.contains("part 1") && stderr.contains("nowhere.png"),
        "{stderr}"
    );
    assert!(!std::path::Path::new(&format!("{out}/manifest.json")).exists());

    let out = dir.path("skipped");
    ok(
        &[
            "mux",
            "-q",
            "--layout",
            &layout,
            "--on-error",
            "skip",
            "--append-eot",
            "--allow-any-media-path",
            "-o",
            &out,
            &docs,
        ],
        b"",
    );
    let m = manifest(&out);
    assert_eq!(m["errors"]["count"], 4);
    let lines: Vec<u64> = m["errors"]["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 4, 5]);
    assert!(m["errors"]["listed"][2]["message"]
        .as_str()
        .unwrap()
        .contains("unknown kind \"sound\""));
    // A skipped document stays in its place, empty (no end-of-text either).
    let index = std::fs::read(format!("{out}/shard-00000.idx")).unwrap();
    let offsets: Vec<u64> = index
        .chunks(8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(offsets.len(), 7);
    assert_eq!(
        &offsets[2..5]
            .iter()
            .map(|o| o - offsets[1])
            .collect::<Vec<_>>(),
        &[0, 0, 0]
    );
    assert!(spans(&out)[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("nowhere.png"));

    // A layout whose codec is another model's, and IDs that break the layout.
    let stderr = fails(
        &[
            "mux",
            "-q",
            "--layout",
            &layout,
            "--codec",
            &fixture("audio/encodec/noncausal-48k"),
            "-o",
            &dir.path("x"),
            &docs,
        ],
        b"",
    );
    assert!(stderr.contains("checksum"), "{stderr}");
    let demux_fails = |ids: &[u8], out: &str| {
        let file = dir.0.join("ids.npy");
        std::fs::write(&file, ids).unwrap();
        let args = [
            "demux",
            "-q",
            "--layout",
            &layout,
            "-o",
            out,
            file.to_str().unwrap(),
        ];
        fails(&args, b"")
    };
    let mut bad = omnitok_npy_u32(&[200_021, 5]);
    let stderr = demux_fails(&bad, &dir.path("y"));
    assert!(stderr.contains("position"), "{stderr}");
    bad.truncate(bad.len() - 2);
    let stderr = demux_fails(&bad, &dir.path("z"));
    assert!(stderr.contains("ids.npy"), "{stderr}");
}

/// A 1-D uint32 `.npy` of `ids`.
fn omnitok_npy_u32(ids: &[u32]) -> Vec<u8> {
    let header = format!(
        "{{'descr': '<u4', 'fortran_order': False, 'shape': ({},), }}",
        ids.len()
    );
    let mut header = header.into_bytes();
    while (header.len() + 11) % 64 != 0 {
        header.push(b' ');
    }
    header.push(b'\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header);
    bytes.extend(ids.iter().flat_map(|i| i.to_le_bytes()));
    bytes
}

#[test]
fn resumes_after_a_kill_with_identical_output() {
    let dir = TempDir::new();
    let layout = layout(&dir, "fsq:8,5,5,5");
    let speech = fixture("audio/speech_16k.wav");
    let garden = fixture("vision/photos/garden.png");
    let mut text = String::new();
    for i in 0..300 {
        let part = if i % 2 == 0 {
            format!(r#"{{"audio": "{speech}"}}"#)
        } else {
            format!(r#"{{"image": "{garden}"}}"#)
        };
        let broken = if i == 1 {
            r#", {"image": "missing.png"}"#
        } else {
            ""
        };
        text += &format!(r#"{{"parts": [{{"text": "document {i}"}}, {part}{broken}]}}"#);
        text.push('\n');
    }
    let args = [
        "mux",
        "-q",
        "--allow-any-media-path",
        "--layout",
        &layout,
        "--on-error",
        "skip",
        "--shard-tokens",
        "100",
        "--threads",
        "2",
    ];
    let (whole, resumed, _) = kill_and_resume(&dir, &args, text.as_bytes(), "shard-00003.bin");
    assert_eq!(resumed, whole);
    let manifest: serde_json::Value = serde_json::from_slice(
        &whole
            .iter()
            .find(|(name, _)| name == "manifest.json")
            .unwrap()
            .1,
    )
    .unwrap();
    // The error of document 2, in a shard finished before the kill, is listed all the same.
    assert_eq!(manifest["errors"]["count"], 1);
    assert_eq!(manifest["errors"]["listed"][0]["line"], 2);
}

#[test]
fn a_layout_of_the_built_in_codec_needs_no_codec_folder() {
    let dir = TempDir::new();
    let layout = dir.path("layout.json");
    ok(
        &[
            "layout",
            "build",
            "--codec",
            "omnitok-speech-16k",
            "-o",
            &layout,
        ],
        b"",
    );
    let line = format!(
        r#"{{"parts": [{{"text": "a voice: "}}, {{"audio": "{}"}}]}}"#,
        fixture("audio/speech_16k.wav")
    );
    let docs = dir.file("docs.jsonl", (line + "\n").as_bytes());
    let out = dir.path("out");
    ok(
        &[
            "mux",
            "-q",
            "--allow-any-media-path",
            "--layout",
            &layout,
            "-o",
            &out,
            &docs,
        ],
        b"",
    );
    // 35,597 samples at 64 a frame: 557 frames of 2 codebooks, between two markers.
    let audio = spans(&out)[0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "audio")
        .unwrap()
        .clone();
    let tokens = audio["end"].as_u64().unwrap() - audio["start"].as_u64().unwrap();
    assert!((557 * 2..=557 * 2 + 2).contains(&tokens), "{audio}");
    // Naming it with --codec gives the same IDs.
    let named = dir.path("named");
    ok(
        &[
            "mux",
            "-q",
            "--allow-any-media-path",
            "--layout",
            &layout,
            "--codec",
            "omnitok-speech-16k",
            "-o",
            &named,
            &docs,
        ],
        b"",
    );
    let bin = |out: &str| std::fs::read(format!("{out}/shard-00000.bin")).unwrap();
    assert_eq!(bin(&named), bin(&out));
}
