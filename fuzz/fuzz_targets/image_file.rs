//! An image or animation file (PNG/APNG, JPEG, GIF, WebP, BMP, TIFF, told by its content):
//! decoded within the limits, or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| omnitok_fuzz::check_image_file("input.image", data));
