//! Worst-case inputs at growing sizes: shows how encoding time grows with the input (n log n: one
//! giant piece goes through the heap merge loop) and that nothing overflows the stack.
//!
//! Usage: `worst_case [--encoding NAME] [--scale F]`; prints a markdown table of CPU time per
//! input and size, and the time ratio when the size doubles (2.0 is linear).

#![allow(clippy::expect_used)] // a benchmark binary: failing loudly is the right answer

use omnitok_benches::cpu_time;

/// Deterministic pseudo-random numbers (xorshift), so every run encodes the same text.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn spaces(bytes: usize) -> String {
    " ".repeat(bytes)
}

fn one_letter(bytes: usize) -> String {
    "a".repeat(bytes)
}

fn random_cjk(bytes: usize) -> String {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    (0..bytes / 3)
        .map(|_| char::from_u32(0x4E00 + (rng.next() % 0x5200) as u32).expect("CJK block"))
        .collect()
}

fn random_bytes_lossy(bytes: usize) -> String {
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let raw: Vec<u8> = (0..bytes).map(|_| rng.next() as u8).collect();
    String::from_utf8_lossy(&raw).into_owned()
}

fn main() {
    let mut encoding = "o200k_base".to_string();
    let mut scale = 1.0f64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().expect("every option takes a value");
        match arg.as_str() {
            "--encoding" => encoding = value,
            "--scale" => scale = value.parse().expect("--scale takes a number"),
            other => panic!("unknown option {other}"),
        }
    }
    let tokenizer = omnitok_tokenizer::get_encoding(&encoding).expect("built-in encoding");
    type Make = fn(usize) -> String;
    let cases: [(&str, Make, usize); 4] = [
        ("spaces", spaces, 1_000_000),
        ("one letter", one_letter, 10_000_000),
        ("random CJK", random_cjk, 10_000_000),
        ("random bytes, lossy", random_bytes_lossy, 1_000_000),
    ];
    println!("{encoding}: CPU seconds to encode, and the ratio to the half size (2.0 = linear)\n");
    println!("| input | size (bytes) | tokens | CPU s | ratio to half size |");
    println!("|---|---:|---:|---:|---:|");
    for (name, make, full) in cases {
        let full = ((full as f64) * scale) as usize;
        let mut previous: Option<f64> = None;
        for size in [full / 4, full / 2, full] {
            let text = make(size);
            let start = cpu_time::thread().expect("a thread CPU clock");
            let ids = tokenizer.encode_ordinary(&text).expect("encodes");
            let seconds = (cpu_time::thread().expect("a thread CPU clock") - start).as_secs_f64();
            assert_eq!(
                tokenizer.decode_bytes(&ids).expect("decodes"),
                text.as_bytes()
            );
            let ratio = previous.map_or("-".to_string(), |p| format!("{:.2}", seconds / p));
            println!(
                "| {name} | {} | {} | {seconds:.3} | {ratio} |",
                text.len(),
                ids.len()
            );
            previous = Some(seconds);
        }
    }
    train_on_one_piece(scale);
}

/// Training (300 tokens) on a text that is one repeated piece, through what a run writes: the
/// tokenizer and its tokenizer.json. CPU seconds of the process (training uses the thread pool).
fn train_on_one_piece(scale: f64) {
    use omnitok_tokenizer::train::{train, PieceCounts, TrainConfig, TrainProgress};
    let config = TrainConfig {
        vocab_size: 300,
        ..TrainConfig::default()
    };
    let splitter = config.splitter().expect("the default pattern");
    println!("\ntrain --vocab-size 300, then the tokenizer and its tokenizer.json: CPU seconds\n");
    println!("| input | size (bytes) | merges | CPU s | ratio to half size |");
    println!("|---|---:|---:|---:|---:|");
    type Make = fn(usize) -> String;
    let cases: [(&str, Make); 2] = [("spaces", spaces), ("one letter", one_letter)];
    for (name, make) in cases {
        let full = (4_000_000.0 * scale) as usize;
        let mut previous: Option<f64> = None;
        for size in [full / 8, full / 4, full / 2, full] {
            let text = make(size);
            let start = cpu_time::process().expect("a process CPU clock");
            let mut counts = PieceCounts::new();
            let language = counts.language("");
            counts
                .add_document(language, &text, &splitter)
                .expect("splits");
            let trained = train(&counts, &config, &TrainProgress::default()).expect("trains");
            let json = trained
                .tokenizer("runs")
                .expect("a tokenizer")
                .to_tokenizer_json()
                .expect("tokenizer.json text");
            let seconds = (cpu_time::process().expect("a process CPU clock") - start).as_secs_f64();
            assert!(json.len() > 1000);
            let ratio = previous.map_or("-".to_string(), |p| format!("{:.2}", seconds / p));
            println!(
                "| {name} | {size} | {} | {seconds:.3} | {ratio} |",
                trained.merges.len()
            );
            previous = Some(seconds);
        }
    }
}
