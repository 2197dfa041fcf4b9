//! Single-thread encode throughput of omnitok, tiktoken-rs and bpe-openai on the bench inputs
//! (o200k_base and cl100k_base), and omnitok's `encode_ordinary_batch` against a single-thread
//! loop. Every library encodes the same documents (~1 MiB each, cut at line ends); their outputs
//! are compared once, outside the timed loops, before any timing.
//!
//! Run: `cargo bench -p omnitok-benches --bench encode` (builds `benches/data/*.txt` on first use).

// A bench that cannot load its inputs or encoders has nothing to measure: failing loudly is right.
#![allow(clippy::expect_used)]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use omnitok_benches::inputs::{load, split_documents, Input, DOCUMENT_BYTES};
use omnitok_benches::peers::{Library, Peers, ENCODINGS};

/// Fails on any omnitok mismatch (a correctness bug here); reports a peer's mismatch and goes on.
fn check(peers: &Peers, input: Input, documents: &[&str]) {
    let mismatches = peers.mismatches(documents);
    for mismatch in &mismatches {
        eprintln!(
            "MISMATCH ({}, {}): {mismatch}",
            input.name(),
            peers.encoding
        );
    }
    assert!(
        mismatches.iter().all(|m| !m.library.starts_with("omnitok")),
        "omnitok's output differs from tiktoken-rs on {} with {}",
        input.name(),
        peers.encoding
    );
}

fn configure(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    // One iteration encodes 10-20 MB (a tenth of a second to seconds): few, flat samples keep a
    // full run within a few minutes.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
}

fn encode(c: &mut Criterion) {
    for input in Input::ALL {
        let text = load(input).expect("bench input (see benches/README.md)");
        let documents = split_documents(&text, DOCUMENT_BYTES);
        for encoding in ENCODINGS {
            let peers = Peers::load(encoding).expect("encoders");
            check(&peers, input, &documents);
            let mut group = c.benchmark_group(format!("encode/{encoding}/{}", input.name()));
            configure(&mut group);
            group.throughput(Throughput::BytesDecimal(text.len() as u64));
            for library in Library::ALL {
                group.bench_function(library.name(), |b| {
                    b.iter(|| peers.encode_all(library, std::hint::black_box(&documents)));
                });
            }
            group.finish();
        }
    }
}

fn batch(c: &mut Criterion) {
    let peers = Peers::load("o200k_base").expect("encoders");
    for input in Input::ALL {
        let text = load(input).expect("bench input (see benches/README.md)");
        let documents = split_documents(&text, DOCUMENT_BYTES);
        let mut group = c.benchmark_group(format!("batch/o200k_base/{}", input.name()));
        configure(&mut group);
        group.throughput(Throughput::BytesDecimal(text.len() as u64));
        group.bench_function("single-thread loop", |b| {
            b.iter(|| peers.omnitok_loop(std::hint::black_box(&documents)));
        });
        group.bench_function("encode_ordinary_batch", |b| {
            b.iter(|| peers.omnitok_batch(std::hint::black_box(&documents)));
        });
        group.finish();
    }
}

criterion_group!(benches, encode, batch);
criterion_main!(benches);
