//! `omnitok mux` and `omnitok demux`: corpora of multimodal documents as IDs of one token
//! layout, and back.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use omnitok_corpus::multimodal::{
    self, ComponentFiles, Components, DocumentEncoder, MediaPaths, DOCUMENT_FILES,
};
use omnitok_corpus::tokenize::{Multimodal, OnError, TokenizeOptions};
use omnitok_tokenizer::SpecialPolicy;
use omnitok_vision::decode::Sampling;
use omnitok_vocab::layout::VocabLayout;

use crate::choice::choice;
use crate::tokenize::{run_with_progress, ShardArgs};

/// Mux a corpus of multimodal documents into shards of IDs of a token layout.
///
/// Each line of each input (JSON Lines, plain, gzip or zstd; directories are searched) is a
/// document: `{"parts": [{"text": "..."}, {"audio": "clip.wav"}, {"image": "cat.png"},
/// {"video": "clip.gif"}]}`, paths relative to the file (and under its folder: absolute paths
/// and `..` escapes are refused unless --allow-any-media-path). Parts may also be codes made before
/// (`audio_codes`, `image_codes`, `video_codes`: .npy files) or text token IDs (`ids`), as
/// `omnitok demux` writes them. Text is encoded by the layout's tokenizer, audio by its codec,
/// images and video frames by its image quantizer; each is checked against the checksum the
/// layout records. Empty lines are left out.
///
/// OUTDIR gets what `omnitok tokenize` writes (shards, document index, manifest.json, --resume
/// after an interruption), plus shard-NNNNN.spans.jsonl: per document, the span of each segment
/// (kind, start, end; bytes of text, seconds of audio and video, frames), or why it was skipped.
/// The manifest adds tokens, share and rates per modality. Documents are encoded in parallel,
/// one to a task; the output is the same for any --threads.
#[derive(Args, Debug)]
pub struct MuxArgs {
    #[command(flatten)]
    components: ComponentArgs,

    /// Video parts: frames per second to keep (at most the video's rate).
    #[arg(long, value_name = "FPS", conflicts_with = "video_frames")]
    video_fps: Option<f64>,
    /// Video parts: this many frames, spread evenly (default: every frame).
    #[arg(long, value_name = "N")]
    video_frames: Option<usize>,

    /// Special tokens' strings in text parts become those special tokens (never markers or
    /// codes); by default they are encoded as ordinary text.
    #[arg(long)]
    allow_special: bool,

    /// Only files under input directories whose relative path matches this glob.
    #[arg(long, value_name = "GLOB", default_value = DOCUMENT_FILES)]
    glob: String,

    /// Media paths in documents resolve against this folder instead of each documents file's.
    #[arg(long, value_name = "DIR")]
    media_root: Option<PathBuf>,

    /// Follow absolute media paths and paths that climb out with `..` (refused by default:
    /// paths in documents are data, and reach only files under the documents' folder).
    #[arg(long)]
    allow_any_media_path: bool,

    /// Largest JSON line accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = multimodal::DEFAULT_MAX_DOCUMENT_BYTES)]
    max_document_bytes: usize,

    /// Documents that cannot be read or encoded (a malformed line, a missing or corrupt media
    /// file): stop, or leave them out (as empty documents) and list them in the manifest.
    #[arg(long, value_parser = choice::<OnError>(), default_value_t)]
    on_error: OnError,

    #[command(flatten)]
    output: ShardArgs,

    /// JSON Lines files of documents, directories of them, `-` for stdin.
    #[arg(value_name = "DOCS", required = true)]
    inputs: Vec<PathBuf>,
}

/// The layout and the components that encode into it or decode from it.
#[derive(Args, Debug)]
pub struct ComponentArgs {
    /// The layout manifest (`omnitok layout build`).
    #[arg(long, value_name = "FILE")]
    layout: PathBuf,
    /// The layout's tokenizer, when it is not a built-in encoding (tokenizer.json or a rank
    /// file).
    #[arg(long, value_name = "FILE")]
    tokenizer: Option<PathBuf>,
    /// The layout's codec folder, or omnitok-speech-16k (default: the folder the layout names,
    /// if it exists, or the built-in speech codec when the layout names it).
    #[arg(long, value_name = "DIR|NAME")]
    codec: Option<PathBuf>,
    /// The layout's VQ codebook, for layouts of codebook image codes.
    #[arg(long, value_name = "FILE")]
    codebook: Option<PathBuf>,
}

impl ComponentArgs {
    /// The layout and its components, each checked against the layout's checksums.
    fn load(&self) -> Result<(VocabLayout, Components)> {
        let layout = multimodal::read_layout(&self.layout)?;
        let files = ComponentFiles {
            tokenizer: self.tokenizer.clone(),
            codec: self.codec.clone(),
            codebook: self.codebook.clone(),
        };
        let components = Components::load(&layout, &self.layout, &files)?;
        Ok((layout, components))
    }
}

/// Runs `omnitok mux`.
pub fn run_mux(args: &MuxArgs) -> Result<()> {
    let (layout, components) = args.components.load()?;
    let tokenizer = components
        .tokenizer
        .clone()
        .context("the layout's tokenizer is not at hand")?;
    let policy = if args.allow_special {
        SpecialPolicy::allow_all()
    } else {
        SpecialPolicy::as_text()
    };
    let (sampling, video_frames) = match (args.video_fps, args.video_frames) {
        (Some(fps), _) => (Sampling::Fps(fps), format!("fps {fps}")),
        (None, Some(count)) => (Sampling::Count(count), format!("count {count}")),
        (None, None) => (Sampling::All, "all".to_owned()),
    };
    let encoder = DocumentEncoder::new(layout, components, policy)
        .with_context(|| args.components.layout.display().to_string())?
        .with_video_sampling(sampling)
        .with_media_paths(MediaPaths {
            root: args.media_root.clone(),
            allow_any: args.allow_any_media_path,
        });
    let output = &args.output;
    let options = TokenizeOptions {
        tokenizer,
        tokenizer_name: encoder.layout().text().name.clone(),
        inputs: args.inputs.clone(),
        selection: multimodal::document_selection(&args.glob),
        read: multimodal::document_read_options(args.on_error, args.max_document_bytes),
        output_dir: output.output.clone(),
        format: output.format,
        shard_tokens: output.shard_tokens,
        append_eot: output.append_eot.then(|| output.eot_token.clone()),
        allow_special: args.allow_special,
        threads: output.threads(),
        resume: output.resume,
        multimodal: Some(Multimodal {
            layout_name: args.components.layout.display().to_string(),
            encoder: Arc::new(encoder),
            video_frames,
        }),
    };
    run_with_progress(&options, output.quiet, "mux").map(drop)
}

/// Write the documents of muxed IDs back as files.
///
/// IDS is an output directory of `omnitok mux` (or `tokenize`), or a `.npy` of one document's
/// IDs. OUTDIR gets documents.jsonl, one line per document in the format `omnitok mux` reads,
/// and per document a folder doc-NNNNNN with its parts: text inline in documents.jsonl (or as
/// `ids` when its string would not encode back to the same IDs: special tokens such as an
/// appended end-of-text, or text cut inside a character); audio codes as part-KK.npy, and part-KK.wav when
/// the codec is at hand; image codes as part-KK.npy, and part-KK.png when the layout's images are
/// codebook codes and --codebook is given (whole patches: the picture is the grid's size); video
/// codes as part-KK.npy, with part-KK-frame-TTTT.png likewise. documents.jsonl names the codes,
/// so muxing it again gives the same IDs. A stream that breaks the layout's rules is an error
/// naming the document and position.
#[derive(Args, Debug)]
pub struct DemuxArgs {
    #[command(flatten)]
    components: ComponentArgs,
    /// Output directory (created; must be new or empty).
    #[arg(short, long = "output", value_name = "OUTDIR")]
    output: PathBuf,
    /// No summary on stderr.
    #[arg(short, long)]
    quiet: bool,
    #[arg(value_name = "IDS")]
    input: PathBuf,
}

/// Runs `omnitok demux`.
pub fn run_demux(args: &DemuxArgs) -> Result<()> {
    let (layout, components) = args.components.load()?;
    let documents = multimodal::read_id_documents(&args.input, &layout)?;
    let written =
        multimodal::write_documents(&args.input, &documents, &layout, &components, &args.output)?;
    if !args.quiet {
        eprintln!("{written} documents written to {}", args.output.display());
    }
    Ok(())
}
