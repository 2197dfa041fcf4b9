//! `omnitok layout`: the shared token space of text, audio and image codes.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use omnitok_corpus::multimodal::{build_layout, read_layout, AudioCodebooks, MarkerSetting};
use omnitok_vision::image_codes::DEFAULT_SCALAR_PATCH_SIZE;
use omnitok_vocab::Flatten;

use crate::input::TokenizerArgs;
use crate::output::write_atomically;
use crate::vision_input::image_quantizer;

/// The layout of the shared token space: build one from its components, or show one.
#[derive(Args, Debug)]
pub struct LayoutArgs {
    #[command(subcommand)]
    command: LayoutCommand,
}

#[derive(Subcommand, Debug)]
enum LayoutCommand {
    Build(BuildArgs),
    Show(ShowArgs),
}

/// Writes a layout manifest: the tokenizer's IDs, then the modality markers, then each audio
/// codebook's codes, then the image codes, with the checksum of every component.
#[derive(Args, Debug)]
struct BuildArgs {
    #[command(flatten)]
    tokenizer: TokenizerArgs,
    /// A codec checkpoint folder, EnCodec, DAC or SNAC (config.json, model.safetensors), or
    /// omnitok-speech-16k for the built-in speech codec.
    #[arg(long, value_name = "DIR|NAME")]
    codec: Option<PathBuf>,
    /// Audio codebooks kept: those of this bandwidth (default: all of the codec's).
    #[arg(long, value_name = "KBPS", requires = "codec")]
    bandwidth: Option<f64>,
    /// How audio codebooks are laid out: interleave (frame by frame; SNAC: per coarse frame, its
    /// levels' codes in time order), sequential (codebook by codebook; SNAC: level by level) or
    /// delay (codebook k delayed by k frames, with a pad token; codecs of one rate).
    #[arg(long, value_name = "SCHEME", default_value = Flatten::DEFAULT.name())]
    flatten: String,
    /// `fsq:L1,L2,...`, `lfq:BITS` or `codebook:FILE`.
    #[arg(long, value_name = "SPEC")]
    image_quantizer: Option<String>,
    /// Side of a patch for fsq and lfq.
    #[arg(long, value_name = "PIXELS", default_value_t = DEFAULT_SCALAR_PATCH_SIZE)]
    patch_size: usize,
    /// Renames a marker or fixes its ID: `row=<|newline|>`, `audio_start=<|audio|>@250000`.
    #[arg(long, value_name = "KIND=TOKEN[@ID]")]
    marker: Vec<String>,
    /// Adds the markers of chat turns (<|system|>, <|user|>, <|assistant|>, <|tool|>,
    /// <|turn_end|>), which documents give as `{"turn": "user"}` ... `{"turn": "end"}` parts.
    #[arg(long)]
    chat: bool,
    /// The manifest to write.
    #[arg(short, long = "output", value_name = "FILE")]
    output: PathBuf,
}

/// Prints a layout's ranges, markers and components.
#[derive(Args, Debug)]
struct ShowArgs {
    #[arg(value_name = "LAYOUT")]
    layout: PathBuf,
}

/// Runs `omnitok layout`.
pub fn run(args: &LayoutArgs) -> Result<()> {
    match &args.command {
        LayoutCommand::Build(args) => build(args),
        LayoutCommand::Show(args) => show(args),
    }
}

fn build(args: &BuildArgs) -> Result<()> {
    let tokenizer = args.tokenizer.load()?;
    let codec = args
        .codec
        .as_deref()
        .map(|dir| crate::codec::load_model(Some(dir)))
        .transpose()?;
    let audio = match (&args.codec, &codec) {
        (Some(dir), Some(codec)) => Some(AudioCodebooks {
            name: dir.display().to_string(),
            codec,
            codebooks: args
                .bandwidth
                .map(|kbps| codec.codebooks_for(kbps))
                .transpose()?,
            flatten: Flatten::parse(&args.flatten)?,
        }),
        _ => None,
    };
    let quantizer = args
        .image_quantizer
        .as_deref()
        .map(|spec| image_quantizer(spec, args.patch_size))
        .transpose()?;
    let markers = args
        .marker
        .iter()
        .map(|setting| setting.parse::<MarkerSetting>())
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let layout = build_layout(
        &tokenizer,
        args.tokenizer.tokenizer.as_deref(),
        audio,
        quantizer.as_ref(),
        &markers,
        args.chat,
    )?;
    write_atomically(&args.output, layout.to_json().as_bytes())
}

fn show(args: &ShowArgs) -> Result<()> {
    let layout = read_layout(&args.layout)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<16} {:>10} {:>10} {:>10}",
        "range", "start", "end", "ids"
    )?;
    for range in layout.ranges() {
        writeln!(
            out,
            "{:<16} {:>10} {:>10} {:>10}",
            range.name,
            range.start,
            range.end,
            range.len()
        )?;
    }
    writeln!(out, "\n{:<16} {:>10}  token", "marker", "id")?;
    for marker in layout.markers() {
        writeln!(
            out,
            "{:<16} {:>10}  {}",
            marker.marker.name(),
            marker.id,
            marker.token
        )?;
    }
    let text = layout.text();
    writeln!(
        out,
        "\ntext   {} ({} ordinary tokens, {} specials), sha256 {}",
        text.name,
        text.ordinary,
        text.specials.len(),
        text.checksum
    )?;
    if let Some(audio) = layout.audio() {
        writeln!(
            out,
            "audio  {} ({} codebooks of {}, {}), sha256 {}",
            audio.name,
            audio.codebooks,
            audio.codebook_size,
            audio.flatten.name(),
            audio.checksum
        )?;
    }
    if let Some(image) = layout.image() {
        writeln!(
            out,
            "image  {} ({} codes), sha256 {}",
            image.name, image.size, image.checksum
        )?;
    }
    writeln!(out, "\n{} IDs in all", layout.n_vocab())?;
    Ok(())
}
