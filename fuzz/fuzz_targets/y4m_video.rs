//! A YUV4MPEG2 video (.y4m): frames within the limits, or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| omnitok_fuzz::check_image_file("input.y4m", data));
