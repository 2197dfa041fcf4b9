//! Images and videos from files, as 8-bit RGB frames.
//!
//! - Still images: PNG, JPEG, WebP, GIF, BMP, TIFF (the `image` crate); alpha is dropped, grey
//!   expanded to RGB.
//! - Animations: animated GIF, APNG and animated WebP, frame by frame (WebP frames composited
//!   by the `image` crate may be one level off where a frame blends onto the previous one).
//! - Y4M (YUV4MPEG2) video, read natively: 8-bit 4:2:0, 4:2:2, 4:4:4 and mono, converted to
//!   RGB with the BT.601 limited-range matrix (as ffmpeg converts `yuv420p` by default), chroma
//!   taken from the nearest sample.
//! - Other video (mp4, webm, mkv, ...) through the `ffmpeg` program when it is installed
//!   (frames one at a time over a pipe, upright, in ffmpeg's default RGB conversion); without
//!   it, an error that names the program.
//!
//! [`ImageLimits`] bound the pixels per frame (checked from the header, before any pixel buffer is
//! allocated), the number of frames and the file size. [`sample_frames`] picks frames at a
//! target rate or a fixed count.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use image::{AnimationDecoder, ImageDecoder, ImageFormat, ImageReader};

use crate::error::{Result, VisionError};
use crate::image::RgbImage;

/// Bounds on what an image or video file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// Pixels per frame (width x height).
    pub max_pixels: u64,
    pub max_frames: usize,
    pub max_bytes: u64,
}

impl ImageLimits {
    /// The default limits, with each one given replaced.
    pub fn from_options(
        max_pixels: Option<u64>,
        max_frames: Option<usize>,
        max_bytes: Option<u64>,
    ) -> Self {
        let defaults = Self::default();
        Self {
            max_pixels: max_pixels.unwrap_or(defaults.max_pixels),
            max_frames: max_frames.unwrap_or(defaults.max_frames),
            max_bytes: max_bytes.unwrap_or(defaults.max_bytes),
        }
    }
}

impl ImageLimits {
    /// Refuses a frame of `width` x `height` over [`ImageLimits::max_pixels`] (or empty):
    /// what decoding checks, for frames given as arrays and for resize targets.
    pub fn check_frame(&self, width: usize, height: usize) -> Result<()> {
        let (w, h) = (width as u64, height as u64);
        if w == 0 || h == 0 {
            return Err(VisionError::BadParameter(format!(
                "a frame of {w} x {h} pixels: sides must be at least 1"
            )));
        }
        if w.saturating_mul(h) > self.max_pixels {
            return Err(VisionError::BadParameter(format!(
                "{w} x {h} pixels is over the limit of {} pixels a frame",
                self.max_pixels
            )));
        }
        Ok(())
    }

    /// What the image decoders may allocate: a frame's RGBA buffer and the canvas it is
    /// composited on, so that a frame larger than its file's screen is refused before any
    /// buffer for it exists.
    fn decoder_limits(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(self.max_pixels.saturating_mul(8));
        limits
    }
}

impl Default for ImageLimits {
    /// 100 megapixels a frame, 10,000 frames, 4 GiB.
    fn default() -> Self {
        Self {
            max_pixels: 100_000_000,
            max_frames: 10_000,
            max_bytes: 4 << 30,
        }
    }
}

/// Decoded frames and, for videos, their rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Frames {
    pub frames: Vec<RgbImage>,
    /// Frames per second (videos and animations; `None` for still images).
    pub fps: Option<f64>,
}

fn bad(path: &Path, message: impl Into<String>) -> VisionError {
    VisionError::BadInput {
        path: path.display().to_string(),
        message: message.into(),
    }
}

fn limit(path: &Path, message: impl Into<String>) -> VisionError {
    VisionError::Limit {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// A JPEG file decoded by libjpeg-turbo's decoder (built from source by `mozjpeg-sys`, without
/// its SIMD code), as Pillow decodes it: the accurate integer IDCT, fancy upsampling, and
/// libjpeg's YCbCr to RGB conversion; so the pixels equal Pillow's `Image.open(f).convert("RGB")`
/// exactly (tests/decode.rs compares them). CMYK files (Adobe's inverted CMYK, as Pillow
/// writes them) are converted as Pillow converts them; YCCK files go the same way, untested
/// against Pillow. A file cut short is refused, as Pillow refuses it.
fn load_jpeg(path: &Path, limits: &ImageLimits) -> Result<Frames> {
    let bytes = omnitok_files::read_bounded(path, limits.max_bytes).map_err(|e| match e {
        omnitok_files::BoundedReadError::Io(source) => VisionError::Io {
            path: path.display().to_string(),
            source,
        },
        too_large => limit(path, too_large.to_string()),
    })?;
    check_jpeg_is_whole(path, &bytes)?;
    // libjpeg reports errors by unwinding out of the decoder (the `mozjpeg` crate's error
    // manager), caught here as a malformed file.
    let decoded = omnitok_files::catch_decoder_panic(|| -> Result<RgbImage> {
        let io = |e: std::io::Error| bad(path, e.to_string());
        let decompress = mozjpeg::Decompress::new_mem(&bytes).map_err(io)?;
        let (width, height) = decompress.size();
        check_pixels(path, width as u64, height as u64, limits)?;
        let cmyk = matches!(
            decompress.color_space(),
            mozjpeg::ColorSpace::JCS_CMYK | mozjpeg::ColorSpace::JCS_YCCK
        );
        let data = if cmyk {
            // libjpeg gives Adobe's inverted CMYK; Pillow reads it as such ("CMYK;I") and
            // then converts without a colour profile.
            let mut started = decompress
                .to_colorspace(mozjpeg::ColorSpace::JCS_CMYK)
                .map_err(io)?;
            let inverted = started.read_scanlines::<u8>().map_err(io)?;
            started.finish().map_err(io)?;
            inverted_cmyk_to_rgb(&inverted)
        } else {
            let mut started = decompress.rgb().map_err(io)?;
            let data = started.read_scanlines::<u8>().map_err(io)?;
            started.finish().map_err(io)?;
            data
        };
        if data.len() != width * height * 3 {
            return Err(bad(
                path,
                "the JPEG decoder gave fewer pixels than the header says",
            ));
        }
        Ok(RgbImage {
            width,
            height,
            data,
        })
    })
    .unwrap_or_else(|reason| Err(bad(path, format!("malformed JPEG: {reason}"))))?;
    Ok(Frames {
        frames: vec![decoded],
        fps: None,
    })
}

/// Pillow's CMYK to RGB conversion of Adobe's inverted CMYK (as libjpeg decodes it): each of
/// R, G, B is `255 - (c + k)` clipped, with c and k re-inverted first.
fn inverted_cmyk_to_rgb(inverted: &[u8]) -> Vec<u8> {
    inverted
        .chunks_exact(4)
        .flat_map(|p| {
            let k = 255 - u16::from(p[3]);
            let channel = |c: u8| 255u16.saturating_sub(255 - u16::from(c) + k) as u8;
            [channel(p[0]), channel(p[1]), channel(p[2])]
        })
        .collect()
}

/// Refuses a JPEG file cut short, as Pillow does ("image file is truncated"): its last scan
/// (the last start-of-scan marker, FF DA) must be followed by the end-of-image marker (FF D9).
/// Inside a scan FF is always followed by 00 or a restart marker, so neither marker can be
/// image data.
fn check_jpeg_is_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let marker = |code: u8| move |pair: &[u8]| pair == [0xff, code];
    let last_scan = bytes.windows(2).rposition(marker(0xda));
    let whole = match last_scan {
        Some(at) => bytes[at..].windows(2).any(marker(0xd9)),
        None => false,
    };
    if whole {
        Ok(())
    } else {
        Err(bad(
            path,
            "the JPEG file is truncated (its last scan has no end-of-image marker)",
        ))
    }
}

/// A decoder's error: a limit error when the decoder refused to allocate, else bad input.
fn decoding_error(path: &Path, error: image::ImageError) -> VisionError {
    match error {
        image::ImageError::Limits(e) => limit(path, format!("{e} (a frame over the limit)")),
        other => bad(path, other.to_string()),
    }
}

fn check_pixels(path: &Path, width: u64, height: u64, limits: &ImageLimits) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(bad(path, format!("the image is {width} x {height}")));
    }
    if width.saturating_mul(height) > limits.max_pixels {
        return Err(limit(
            path,
            format!(
                "{width} x {height} pixels is over the limit of {} pixels a frame",
                limits.max_pixels
            ),
        ));
    }
    Ok(())
}

fn to_rgb(image: image::DynamicImage) -> RgbImage {
    let rgb = image.into_rgb8();
    let (width, height) = (rgb.width() as usize, rgb.height() as usize);
    RgbImage {
        width,
        height,
        data: rgb.into_raw(),
    }
}

/// Decodes an image, animation or video file into RGB frames.
pub fn load(path: impl AsRef<Path>, limits: &ImageLimits) -> Result<Frames> {
    let path = path.as_ref();
    let io = |source| VisionError::Io {
        path: path.display().to_string(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > limits.max_bytes {
        return Err(limit(
            path,
            format!(
                "{size} bytes is over the limit of {} bytes",
                limits.max_bytes
            ),
        ));
    }
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if extension == "y4m" {
        return load_y4m(path, limits);
    }
    let reader = ImageReader::open(path)
        .map_err(io)?
        .with_guessed_format()
        .map_err(io)?;
    match reader.format() {
        Some(ImageFormat::Gif) | Some(ImageFormat::WebP) | Some(ImageFormat::Png) => {
            load_animation(path, reader.format(), limits)
        }
        Some(ImageFormat::Jpeg) => load_jpeg(path, limits),
        Some(_) => load_still(path, reader, limits),
        None if ["mp4", "webm", "mkv", "mov", "avi", "m4v"].contains(&extension.as_str()) => {
            load_with_ffmpeg(path, limits)
        }
        None => Err(bad(
            path,
            "not an image or video format this build can read",
        )),
    }
}

fn load_still(
    path: &Path,
    reader: ImageReader<BufReader<std::fs::File>>,
    limits: &ImageLimits,
) -> Result<Frames> {
    let mut reader = reader;
    reader.limits(limits.decoder_limits());
    let decoder = reader.into_decoder().map_err(|e| decoding_error(path, e))?;
    let (width, height) = decoder.dimensions();
    check_pixels(path, u64::from(width), u64::from(height), limits)?;
    let image = image::DynamicImage::from_decoder(decoder).map_err(|e| decoding_error(path, e))?;
    Ok(Frames {
        frames: vec![to_rgb(image)],
        fps: None,
    })
}

/// GIF, PNG (APNG when animated) and WebP: every frame, composited as the format says.
fn load_animation(
    path: &Path,
    format: Option<ImageFormat>,
    limits: &ImageLimits,
) -> Result<Frames> {
    let open = || {
        std::fs::File::open(path)
            .map(BufReader::new)
            .map_err(|source| VisionError::Io {
                path: path.display().to_string(),
                source,
            })
    };
    let error = |e: image::ImageError| decoding_error(path, e);
    let (dimensions, frames): (_, image::Frames) = match format {
        Some(ImageFormat::Gif) => {
            let mut decoder = image::codecs::gif::GifDecoder::new(open()?).map_err(error)?;
            decoder.set_limits(limits.decoder_limits()).map_err(error)?;
            (decoder.dimensions(), decoder.into_frames())
        }
        Some(ImageFormat::WebP) => {
            let mut decoder = image::codecs::webp::WebPDecoder::new(open()?).map_err(error)?;
            decoder.set_limits(limits.decoder_limits()).map_err(error)?;
            if !decoder.has_animation() {
                let reader = ImageReader::with_format(open()?, ImageFormat::WebP);
                return load_still(path, reader, limits);
            }
            (decoder.dimensions(), decoder.into_frames())
        }
        _ => {
            let mut decoder = image::codecs::png::PngDecoder::new(open()?).map_err(error)?;
            decoder.set_limits(limits.decoder_limits()).map_err(error)?;
            if !decoder.is_apng().map_err(error)? {
                let reader = ImageReader::with_format(open()?, ImageFormat::Png);
                return load_still(path, reader, limits);
            }
            (
                decoder.dimensions(),
                decoder.apng().map_err(error)?.into_frames(),
            )
        }
    };
    check_pixels(
        path,
        u64::from(dimensions.0),
        u64::from(dimensions.1),
        limits,
    )?;
    let mut out = Vec::new();
    let mut total_ms = 0.0;
    for frame in frames {
        let frame = frame.map_err(error)?;
        if out.len() == limits.max_frames {
            return Err(limit(
                path,
                format!("more than the limit of {} frames", limits.max_frames),
            ));
        }
        let (numerator, denominator) = frame.delay().numer_denom_ms();
        total_ms += f64::from(numerator) / f64::from(denominator.max(1));
        out.push(to_rgb(image::DynamicImage::ImageRgba8(frame.into_buffer())));
    }
    if out.is_empty() {
        return Err(bad(path, "the animation has no frames"));
    }
    let fps = (total_ms > 0.0).then(|| out.len() as f64 * 1000.0 / total_ms);
    Ok(Frames { frames: out, fps })
}

/// BT.601 limited range to RGB, rounded and clamped.
fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = (f64::from(y) - 16.0) * 255.0 / 219.0;
    let d = (f64::from(u) - 128.0) * 255.0 / 224.0;
    let e = (f64::from(v) - 128.0) * 255.0 / 224.0;
    let r = c + 1.402 * e;
    let g = c - 0.344_136 * d - 0.714_136 * e;
    let b = c + 1.772 * d;
    [r, g, b].map(|x| x.round().clamp(0.0, 255.0) as u8)
}

/// YUV4MPEG2: a text header (`W`, `H`, `F` rate, `C` colour space), then `FRAME` lines each
/// followed by the planes.
/// Longest YUV4MPEG2 header line read (the stream's or a frame's).
const Y4M_MAX_HEADER_BYTES: u64 = 4096;

/// Reads one header line into `line`: short text, read as bytes so that binary data is named
/// for what it is rather than as invalid UTF-8.
fn read_y4m_line(reader: &mut impl BufRead, line: &mut Vec<u8>, path: &Path) -> Result<usize> {
    line.clear();
    reader
        .take(Y4M_MAX_HEADER_BYTES)
        .read_until(b'\n', line)
        .map_err(|e| bad(path, e.to_string()))
}

fn load_y4m(path: &Path, limits: &ImageLimits) -> Result<Frames> {
    let file = std::fs::File::open(path).map_err(|source| VisionError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mut reader = BufReader::new(file);
    let mut header = Vec::new();
    read_y4m_line(&mut reader, &mut header, path)?;
    let header = String::from_utf8_lossy(&header);
    let mut fields = header.split_whitespace();
    if fields.next() != Some("YUV4MPEG2") {
        return Err(bad(path, "not a YUV4MPEG2 file (no YUV4MPEG2 signature)"));
    }
    let (mut width, mut height, mut fps, mut colour) = (0u64, 0u64, None, "420jpeg".to_owned());
    for field in fields {
        // A field is a one-letter tag and its value; the tag may be any character.
        let mut chars = field.chars();
        let tag = chars.next();
        let value = chars.as_str();
        match tag {
            Some('W') => {
                width = value
                    .parse()
                    .map_err(|_| bad(path, format!("bad width {value:?}")))?
            }
            Some('H') => {
                height = value
                    .parse()
                    .map_err(|_| bad(path, format!("bad height {value:?}")))?
            }
            Some('F') => {
                let (n, d) = value.split_once(':').unwrap_or((value, "1"));
                let (n, d): (f64, f64) = (n.parse().unwrap_or(0.0), d.parse().unwrap_or(1.0));
                fps = (n > 0.0 && d > 0.0).then_some(n / d);
            }
            Some('C') => colour = value.to_owned(),
            _ => {}
        }
    }
    check_pixels(path, width, height, limits)?;
    let (w, h) = (width as usize, height as usize);
    // Chroma subsampling: (horizontal, vertical) divisors, or None for mono.
    let chroma = match colour.as_str() {
        c if c.starts_with("420") => Some((2, 2)),
        "422" => Some((2, 1)),
        "444" => Some((1, 1)),
        "mono" => None,
        other => {
            return Err(bad(
                path,
                format!("colour space {other} is not supported (8-bit 420, 422, 444, mono)"),
            ))
        }
    };
    let (cw, ch) = chroma.map_or((0, 0), |(sx, sy)| (w.div_ceil(sx), h.div_ceil(sy)));
    let frame_bytes = w * h + 2 * cw * ch;
    let mut frames = Vec::new();
    let mut line = Vec::new();
    let mut planes = vec![0u8; frame_bytes];
    loop {
        if read_y4m_line(&mut reader, &mut line, path)? == 0 {
            break;
        }
        if !line.starts_with(b"FRAME") {
            return Err(bad(
                path,
                format!(
                    "frame {} does not start with FRAME (the frames hold other than \
                     {w} x {h} {colour} pictures, or the file is cut)",
                    frames.len()
                ),
            ));
        }
        if frames.len() == limits.max_frames {
            return Err(limit(
                path,
                format!("more than the limit of {} frames", limits.max_frames),
            ));
        }
        reader.read_exact(&mut planes).map_err(|_| {
            bad(
                path,
                format!(
                    "frame {} is truncated ({frame_bytes} bytes expected)",
                    frames.len()
                ),
            )
        })?;
        let (luma, rest) = planes.split_at(w * h);
        let (u_plane, v_plane) = rest.split_at(cw * ch);
        let mut data = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let luma_value = luma[y * w + x];
                let (u, v) = match chroma {
                    Some((sx, sy)) => {
                        let at = (y / sy) * cw + x / sx;
                        (u_plane[at], v_plane[at])
                    }
                    None => (128, 128),
                };
                data.extend(yuv_to_rgb(luma_value, u, v));
            }
        }
        frames.push(RgbImage {
            width: w,
            height: h,
            data,
        });
    }
    if frames.is_empty() {
        return Err(bad(path, "the video has no frames"));
    }
    Ok(Frames { frames, fps })
}

/// Other video through `ffprobe` (size and rate, checked against the limits first) and
/// `ffmpeg`, whose frames arrive one at a time as PPM images on a pipe (each with its own size,
/// so rotated videos come out upright); past `max_frames` the program is stopped.
fn load_with_ffmpeg(path: &Path, limits: &ImageLimits) -> Result<Frames> {
    use std::process::{Command, Stdio};
    let missing = |program: &str| VisionError::MissingProgram {
        path: path.display().to_string(),
        program: program.to_owned(),
    };
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=width,height,r_frame_rate",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .map_err(|_| missing("ffprobe"))?;
    if !probe.status.success() {
        return Err(bad(
            path,
            format!("ffprobe: {}", String::from_utf8_lossy(&probe.stderr).trim()),
        ));
    }
    let text = String::from_utf8_lossy(&probe.stdout);
    let fields: Vec<&str> = text.trim().split(',').collect();
    let [width, height, rate] = fields[..] else {
        return Err(bad(
            path,
            format!("no video stream (ffprobe reported {text:?})"),
        ));
    };
    let (Ok(width), Ok(height)) = (width.parse::<u64>(), height.parse::<u64>()) else {
        return Err(bad(
            path,
            format!("ffprobe reported a size of {width:?} x {height:?}"),
        ));
    };
    check_pixels(path, width, height, limits)?;
    let fps = rate
        .split_once('/')
        .and_then(|(n, d)| Some(n.parse::<f64>().ok()? / d.parse::<f64>().ok()?))
        .filter(|f| f.is_finite() && *f > 0.0);
    let mut child = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:v:0", "-f", "image2pipe", "-c:v", "ppm", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|_| missing("ffmpeg"))?;
    // stderr is drained beside stdout so that neither pipe can fill and stall the program.
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    });
    let mut stdout = BufReader::new(child.stdout.take().ok_or_else(|| missing("ffmpeg"))?);
    let mut frames = Vec::new();
    let outcome = loop {
        match read_ppm(&mut stdout, path, limits) {
            Ok(Some(_)) if frames.len() == limits.max_frames => {
                break Err(limit(
                    path,
                    format!("more than the limit of {} frames", limits.max_frames),
                ))
            }
            Ok(Some(frame)) => frames.push(frame),
            Ok(None) => break Ok(()),
            Err(error) => break Err(error),
        }
    };
    if outcome.is_err() {
        let _ = child.kill();
    }
    let status = child.wait().map_err(|source| VisionError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let message = stderr
        .and_then(|thread| thread.join().ok())
        .unwrap_or_default();
    outcome?;
    if !status.success() {
        return Err(bad(path, format!("ffmpeg: {}", message.trim())));
    }
    if frames.is_empty() {
        return Err(bad(path, "ffmpeg decoded no frames"));
    }
    Ok(Frames { frames, fps })
}

/// The next binary PPM (`P6`, 8-bit) image of `input`, or `None` at its end.
fn read_ppm(
    input: &mut impl BufRead,
    path: &Path,
    limits: &ImageLimits,
) -> Result<Option<RgbImage>> {
    let io = |source| VisionError::Io {
        path: path.display().to_string(),
        source,
    };
    if input.fill_buf().map_err(io)?.is_empty() {
        return Ok(None);
    }
    // The header: "P6", width, height, maximum value, each after whitespace, then one byte.
    let mut fields = Vec::with_capacity(4);
    let mut field = Vec::new();
    while fields.len() < 4 {
        let mut byte = [0u8];
        input
            .read_exact(&mut byte)
            .map_err(|_| bad(path, "ffmpeg's output ends inside a frame header"))?;
        if byte[0].is_ascii_whitespace() {
            if !field.is_empty() {
                fields.push(String::from_utf8_lossy(&field).into_owned());
                field.clear();
            }
        } else if field.len() < 16 {
            field.push(byte[0]);
        } else {
            return Err(bad(path, "ffmpeg's output is not PPM frames"));
        }
    }
    let number = |text: &str| text.parse::<u64>().ok();
    let (Some(width), Some(height), Some(255)) =
        (number(&fields[1]), number(&fields[2]), number(&fields[3]))
    else {
        return Err(bad(
            path,
            format!("ffmpeg's output has a frame header {fields:?}"),
        ));
    };
    if fields[0] != "P6" {
        return Err(bad(
            path,
            format!("ffmpeg's output has a frame header {fields:?}"),
        ));
    }
    check_pixels(path, width, height, limits)?;
    let mut data = vec![0u8; (width * height * 3) as usize];
    input
        .read_exact(&mut data)
        .map_err(|_| bad(path, "ffmpeg's output ends inside a frame"))?;
    RgbImage::new(width as usize, height as usize, data).map(Some)
}

/// How to pick frames from a video.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sampling {
    /// Every frame.
    All,
    /// Frames at about this rate (at most the video's): frame `⌊k · fps_in / fps⌋` for
    /// `k = 0, 1, ...`.
    Fps(f64),
    /// This many frames spread evenly: frame `⌊k · n_in / count⌋`.
    Count(usize),
}

impl Sampling {
    /// `Fps` when a rate is given (it wins over a count), else `Count` when a count is, else
    /// `All`.
    pub fn from_fps_or_count(fps: Option<f64>, count: Option<usize>) -> Self {
        match (fps, count) {
            (Some(fps), _) => Sampling::Fps(fps),
            (None, Some(count)) => Sampling::Count(count),
            (None, None) => Sampling::All,
        }
    }
}

impl std::fmt::Display for Sampling {
    /// `all`, `fps 2.5` or `count 8`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sampling::All => f.write_str("all"),
            Sampling::Fps(fps) => write!(f, "fps {fps}"),
            Sampling::Count(count) => write!(f, "count {count}"),
        }
    }
}

/// The frames `sampling` picks from `frames` (whose rate is `fps`, when known).
pub fn sample_frames(frames: Frames, sampling: Sampling) -> Result<Frames> {
    let n = frames.frames.len();
    let indices: Vec<usize> = match sampling {
        Sampling::All => return Ok(frames),
        Sampling::Count(count) => {
            if count == 0 {
                return Err(VisionError::BadParameter("a frame count of 0".into()));
            }
            (0..count.min(n)).map(|k| k * n / count.min(n)).collect()
        }
        Sampling::Fps(target) => {
            let Some(source) = frames.fps else {
                return Err(VisionError::BadParameter(
                    "sampling by rate needs a video whose frame rate is known".into(),
                ));
            };
            if !(target > 0.0 && target.is_finite()) {
                return Err(VisionError::BadParameter(format!("a rate of {target} fps")));
            }
            // Never faster than the video itself: no frame is repeated.
            let step = (source / target).max(1.0);
            (0..)
                .map(|k| (k as f64 * step) as usize)
                .take_while(|&i| i < n)
                .collect()
        }
    };
    let fps = match sampling {
        Sampling::Fps(target) => frames.fps.map(|source| target.min(source)),
        _ => frames
            .fps
            .map(|f| f * indices.len() as f64 / n.max(1) as f64),
    };
    let picked = indices.iter().map(|&i| frames.frames[i].clone()).collect();
    Ok(Frames {
        frames: picked,
        fps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_reads_a_rate_or_a_count() {
        assert_eq!(
            Sampling::from_fps_or_count(Some(2.5), Some(8)),
            Sampling::Fps(2.5)
        );
        assert_eq!(
            Sampling::from_fps_or_count(None, Some(8)),
            Sampling::Count(8)
        );
        assert_eq!(Sampling::from_fps_or_count(None, None), Sampling::All);
        let shown = [Sampling::Fps(2.5), Sampling::Count(8), Sampling::All].map(|s| s.to_string());
        assert_eq!(shown, ["fps 2.5", "count 8", "all"]);
    }

    #[test]
    fn a_frame_larger_than_its_screen_is_refused_before_it_is_allocated() {
        // A GIF whose 16 x 16 screen holds one 65535 x 65535 frame.
        let mut gif = b"GIF89a".to_vec();
        gif.extend([16, 0, 16, 0, 0x80, 0, 0]); // screen, a 2-colour global table
        gif.extend([0, 0, 0, 255, 255, 255]);
        gif.extend([0x2c, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0]); // the frame
        gif.extend([2, 2, 0x4c, 0x01, 0, 0x3b]);
        let dir = std::env::temp_dir().join(format!("omnitok-big-frame-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("big.gif");
        std::fs::write(&path, &gif).expect("written");
        let error = load(&path, &ImageLimits::default()).expect_err("too large");
        assert!(matches!(error, VisionError::Limit { .. }), "{error}");
        std::fs::remove_dir_all(&dir).expect("removed");
        let limits = ImageLimits::default();
        assert!(limits.check_frame(10_000, 10_000).is_ok());
        let error = limits.check_frame(100_000, 100_000).expect_err("too large");
        assert!(error.to_string().contains("over the limit"), "{error}");
        assert!(limits.check_frame(0, 5).is_err());
    }

    #[test]
    fn limits_given_replace_the_defaults() {
        let defaults = ImageLimits::default();
        assert_eq!(ImageLimits::from_options(None, None, None), defaults);
        let limits = ImageLimits::from_options(Some(64), None, Some(1024));
        assert_eq!(
            limits,
            ImageLimits {
                max_pixels: 64,
                max_bytes: 1024,
                ..defaults
            }
        );
    }
}
