//! Images and video frames for omnitok.
//!
//! - [`decode`]: images, animations and videos from files (PNG, JPEG, WebP, GIF, BMP, TIFF,
//!   animated GIF / APNG / WebP, Y4M, and other video through ffmpeg), with limits.
//! - [`image`]: 8-bit RGB images as plain row-major buffers.
//! - [`rlt`]: removal of static video tubelets by run length (RLT).
//! - [`resize`]: resizing exactly as Pillow 12 does it (nearest, box, bilinear, Hamming, bicubic,
//!   Lanczos), so that model processors built on Pillow can be reproduced bit for bit.
//! - [`fixed`]: the fixed-size processors `siglip` and `clip-vit-b16`.
//! - [`normalize`]: pixel values scaled and normalised as transformers computes them.
//! - [`codebook`]: a VQ codebook of patches learned by mini-batch k-means; images to code
//!   indices and back.
//! - [`image_codes`]: images to grids of codes, by a codebook or by FSQ / LFQ of DCT features.
//! - [`quantize`]: FSQ and LFQ codes, equal to vector-quantize-pytorch.
//! - [`preset`]: the named processors (`qwen2-vl`, `siglip`, `clip-vit-b16`) and the LLM tokens
//!   their patches cost.
//! - [`qwen2_vl`]: the Qwen2-VL image and video processor, patches and grid equal to
//!   transformers'.

pub mod codebook;
pub mod decode;
pub mod error;
pub mod fixed;
pub mod image;
pub mod image_codes;
pub mod normalize;
pub mod patches;
pub mod preset;
pub mod quantize;
pub mod qwen2_vl;
pub mod resize;
pub mod rlt;

pub use error::{Result, VisionError};
pub use image::RgbImage;
pub use patches::{PatchShape, Patches};
pub use preset::{Overrides, Patchifier, Preset};
pub use resize::{resize, Filter};
