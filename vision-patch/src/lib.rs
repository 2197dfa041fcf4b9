//! Images and video frames for omnitok.
//!
//! - [`image`]: 8-bit RGB images as plain row-major buffers.
//! - [`resize`]: resizing exactly as Pillow 12 does it (nearest, box, bilinear, Hamming, bicubic,
//!   Lanczos), so that model processors built on Pillow can be reproduced bit for bit.
//! - [`qwen2_vl`]: the Qwen2-VL image and video processor, patches and grid equal to
//!   transformers'.

pub mod error;
pub mod image;
pub mod qwen2_vl;
pub mod resize;

pub use error::{Result, VisionError};
pub use image::RgbImage;
pub use resize::{resize, Filter};
