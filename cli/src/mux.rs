//! `omnitok mux` and `omnitok demux`: corpora of multimodal documents as IDs of one token
//! layout, and back.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Args;
use ndarray::Array3;
use omnitok_audio::codec::{Codes, DEFAULT_SPEECH_NAME};
use omnitok_corpus::multimodal::{self, Components, DocumentEncoder, DOCUMENT_FILES};
use omnitok_corpus::npy;
use omnitok_corpus::tokenize::{self, Multimodal, OnError, TokenizeOptions};
use omnitok_tokenizer::{get_encoding, SpecialPolicy, TokenId, Tokenizer, ENCODING_NAMES};
use omnitok_vision::codebook::{CodeGrid, Codebook};
use omnitok_vision::decode::Sampling;
use omnitok_vision::image_codes::ImageQuantizer;
use omnitok_vocab::layout::VocabLayout;
use omnitok_vocab::{demux, ImageCodes, Segment};

use crate::choice::choice;
use crate::output::write_atomically;
use crate::tokenize::{run_with_progress, ShardArgs};

/// Mux a corpus of multimodal documents into shards of IDs of a token layout.
///
/// Each line of each input (JSON Lines, plain, gzip or zstd; directories are searched) is a
/// document: `{"parts": [{"text": "..."}, {"audio": "clip.wav"}, {"image": "cat.png"},
/// {"video": "clip.gif"}]}`, paths relative to the file. Parts may also be codes made before
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
        let layout = crate::layout::load(&self.layout)?;
        let text = layout.text();
        let tokenizer: Arc<Tokenizer> = match &self.tokenizer {
            Some(path) => Arc::new(Tokenizer::from_file(path, None)?),
            None if ENCODING_NAMES.contains(&text.name.as_str()) => get_encoding(&text.name)?,
            None if Path::new(&text.name).exists() => {
                Arc::new(Tokenizer::from_file(Path::new(&text.name), None)?)
            }
            None => bail!(
                "{}: its tokenizer {:?} is not built in and not found; pass --tokenizer",
                self.layout.display(),
                text.name
            ),
        };
        let codec = match (&self.codec, layout.audio()) {
            (Some(dir), _) => Some(crate::codec::load_model(Some(dir))?),
            (None, Some(audio))
                if Path::new(&audio.name).is_dir() || audio.name == DEFAULT_SPEECH_NAME =>
            {
                Some(crate::codec::load_model(Some(Path::new(&audio.name)))?)
            }
            _ => None,
        };
        let image_quantizer = match (&self.codebook, layout.image()) {
            (Some(file), _) => Some(ImageQuantizer::Codebook(Codebook::read_file(file)?)),
            (None, Some(image)) if image.name != "codebook" => Some(
                ImageQuantizer::from_name(&image.name)
                    .with_context(|| self.layout.display().to_string())?,
            ),
            _ => None,
        };
        let components = Components {
            tokenizer,
            codec,
            image_quantizer,
        };
        Ok((layout, components))
    }
}

/// Runs `omnitok mux`.
pub fn run_mux(args: &MuxArgs) -> Result<()> {
    let (layout, components) = args.components.load()?;
    let tokenizer = Arc::clone(&components.tokenizer);
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
        .with_video_sampling(sampling);
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
    let documents = read_id_documents(&args.input, &layout)?;
    let out = &args.output;
    std::fs::create_dir_all(out).with_context(|| format!("{}: cannot create", out.display()))?;
    if std::fs::read_dir(out)?.next().is_some() {
        bail!(
            "{}: is not empty; choose an empty or new directory",
            out.display()
        );
    }
    let mut lines = String::new();
    for (number, ids) in documents.iter().enumerate() {
        let stem = format!("doc-{number:06}");
        let segments = demux(&layout, ids)
            .with_context(|| format!("{}: document {number}", args.input.display()))?;
        let mut parts = Vec::with_capacity(segments.len());
        for (k, segment) in segments.iter().enumerate() {
            let name = format!("{stem}/part-{k:02}");
            parts.extend(write_part(out, &name, segment, &components)?);
        }
        lines += &serde_json::to_string(&serde_json::json!({ "parts": parts }))?;
        lines.push('\n');
    }
    write_atomically(&out.join("documents.jsonl"), lines.as_bytes())?;
    if !args.quiet {
        eprintln!("{} documents written to {}", documents.len(), out.display());
    }
    Ok(())
}

/// The documents of `input`: a mux or tokenize output directory, or a `.npy` of one document.
fn read_id_documents(input: &Path, layout: &VocabLayout) -> Result<Vec<Vec<TokenId>>> {
    if input.is_dir() {
        let run = tokenize::read_run(input)?;
        if let Some(recorded) = &run.manifest.layout {
            if recorded.checksum != layout.checksum() {
                bail!(
                    "{}: muxed with layout {} (checksum {}), not this one ({})",
                    input.display(),
                    recorded.name,
                    recorded.checksum,
                    layout.checksum()
                );
            }
        }
        return Ok(run.documents()?);
    }
    let bytes =
        std::fs::read(input).with_context(|| format!("{}: cannot read", input.display()))?;
    let (shape, ids) =
        npy::read_u32_array(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", input.display()))?;
    if shape.len() != 1 {
        bail!(
            "{}: IDs of shape {shape:?}; one document is one dimension",
            input.display()
        );
    }
    Ok(vec![ids])
}

/// A text segment's parts: each run of ordinary tokens as a string when it encodes back to the
/// same IDs, else (and each run of special tokens) as `ids`.
fn text_parts(ids: &[TokenId], tokenizer: &Tokenizer) -> Vec<serde_json::Value> {
    let special = |id: &TokenId| {
        tokenizer
            .special_tokens()
            .entries()
            .iter()
            .any(|(_, s)| s == id)
    };
    let mut parts = Vec::new();
    let mut rest = ids;
    while let Some(first) = rest.first() {
        let is_special = special(first);
        let run = rest
            .iter()
            .take_while(|id| special(id) == is_special)
            .count();
        let (ids, next) = rest.split_at(run);
        rest = next;
        let text = (!is_special)
            .then(|| tokenizer.decode(ids).ok())
            .flatten()
            .filter(|text| {
                tokenizer
                    .encode_with_policy(text, &SpecialPolicy::as_text())
                    .is_ok_and(|again| again == ids)
            });
        parts.push(match text {
            Some(text) => serde_json::json!({ "text": text }),
            None => serde_json::json!({ "ids": ids }),
        });
    }
    parts
}

/// Writes one segment's files under `out/name*` and returns its parts for documents.jsonl.
fn write_part(
    out: &Path,
    name: &str,
    segment: &Segment,
    components: &Components,
) -> Result<Vec<serde_json::Value>> {
    let codes_file = format!("{name}.npy");
    let save_codes = |shape: &[u64], codes: &[u32]| -> Result<()> {
        let path = out.join(&codes_file);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        Ok(npy::write(&path, shape, codes)?)
    };
    Ok(vec![match segment {
        Segment::Text(ids) => return Ok(text_parts(ids, &components.tokenizer)),
        Segment::Audio(codes) => {
            save_codes(&[codes.codebooks as u64, codes.frames as u64], &codes.codes)?;
            if let Some(codec) = &components.codec {
                let array =
                    Array3::from_shape_fn((1, codes.codebooks, codes.frames), |(_, k, t)| {
                        i64::from(codes.get(k, t))
                    });
                let audio = codec.decode(&Codes {
                    codes: array,
                    scales: Vec::new(),
                    last_frame_pad_length: 0,
                    samples: usize::MAX,
                })?;
                let path = out.join(format!("{name}.wav"));
                crate::codec::write_wav(&path, &audio, codec.config().sampling_rate)?;
            }
            serde_json::json!({ "audio_codes": codes_file })
        }
        Segment::Image(grid) => {
            save_codes(&[grid.height as u64, grid.width as u64], &grid.codes)?;
            write_picture(out, &format!("{name}.png"), grid, components)?;
            serde_json::json!({ "image_codes": codes_file })
        }
        Segment::Video(frames) => {
            let (h, w) = frames.first().map_or((0, 0), |f| (f.height, f.width));
            let codes: Vec<u32> = frames
                .iter()
                .flat_map(|f| f.codes.iter().copied())
                .collect();
            save_codes(&[frames.len() as u64, h as u64, w as u64], &codes)?;
            for (t, frame) in frames.iter().enumerate() {
                write_picture(out, &format!("{name}-frame-{t:04}.png"), frame, components)?;
            }
            serde_json::json!({ "video_codes": codes_file })
        }
    }])
}

/// Writes the picture of `grid` when the image quantizer decodes (a codebook).
fn write_picture(out: &Path, file: &str, grid: &ImageCodes, components: &Components) -> Result<()> {
    let Some(quantizer @ ImageQuantizer::Codebook(_)) = &components.image_quantizer else {
        return Ok(());
    };
    let patch = quantizer.patch_size();
    let codes = CodeGrid {
        indices: grid.codes.clone(),
        grid_h: grid.height,
        grid_w: grid.width,
    };
    let image = quantizer.decode(&codes, grid.width * patch, grid.height * patch)?;
    write_atomically(&out.join(file), &image.to_png()?)
}
