//! Images per CPU-second of the `qwen2-vl` preset on 1024x768 RGB images (seeded noise), one
//! thread, best of `--rounds` passes over `--images` images:
//!
//!     cargo run --release -p omnitok-benches --bin vision_speed -- [--images 50] [--rounds 3]
//!
//! It also times each of the bicubic resize's two passes alone on the same images: 1024 → 1036
//! wide (horizontal only) and 768 → 756 high (vertical only), milliseconds per image.
//!
//! `benches/vision_compare.py` runs transformers' processors on the same kind of images.

use omnitok_benches::cpu_time;
use omnitok_vision::qwen2_vl::{patchify, Qwen2VlConfig};
use omnitok_vision::resize::{resize, Filter};
use omnitok_vision::RgbImage;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (count, rounds) = (option("--images", 50), option("--rounds", 3));
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let images: Vec<RgbImage> = (0..4)
        .map(|_| {
            let data = (0..1024 * 768 * 3)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 56) as u8
                })
                .collect();
            RgbImage::new(1024, 768, data).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    // The best of `rounds` CPU times of `count` runs of `work` (given the image's index).
    let best_of = |work: &dyn Fn(usize)| {
        let mut best = f64::INFINITY;
        for _ in 0..rounds {
            let start = cpu_time::thread().unwrap_or_default();
            (0..count).for_each(work);
            best = best.min((cpu_time::thread().unwrap_or_default() - start).as_secs_f64());
        }
        best
    };
    let config = Qwen2VlConfig::default();
    let best = best_of(&|i| {
        let patches = patchify(std::slice::from_ref(&images[i % images.len()]), &config)
            .unwrap_or_else(|e| panic!("{e}"));
        std::hint::black_box(patches);
    });
    println!(
        "omnitok qwen2-vl, 1024x768, one thread: {:.1} images per CPU-second ({count} images, best of {rounds})",
        count as f64 / best
    );
    let pass = |width: usize, height: usize| {
        1e3 * best_of(&|i| {
            let resized = resize(&images[i % images.len()], width, height, Filter::Bicubic);
            std::hint::black_box(resized.unwrap_or_else(|e| panic!("{e}")));
        }) / count as f64
    };
    println!(
        "bicubic passes alone: horizontal 1024 -> 1036 {:.2} ms, vertical 768 -> 756 {:.2} ms per image",
        pass(1036, 768),
        pass(1024, 756)
    );
}
