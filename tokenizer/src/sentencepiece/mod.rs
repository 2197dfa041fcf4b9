//! SentencePiece `.model` files read directly (no conversion to tokenizer.json): the protobuf
//! is decoded, and its pieces, normalizer and model become a [`Pipeline`] that encodes and
//! decodes as the sentencepiece library does: BPE merging the highest-scoring pair first
//! (leftmost among equals), Unigram's best path summed in f32, consecutive unknowns fused,
//! `byte_fallback` into `<0xAB>` pieces, and user-defined symbols kept whole.

mod decode;
mod normalize;
pub mod proto;

pub use decode::SentencePieceDecoding;
pub use normalize::{CharsMap, SentencePieceNormalizer};

use omnitok_vocab::TokenId;
use prost::Message;
use rustc_hash::FxHashMap;

use crate::error::{Result, TokenizerError};
use crate::pipeline::added::{AddedToken, AddedTokens};
use crate::pipeline::decode::Decoder;
use crate::pipeline::models::{
    byte_of_token, byte_token_name, independent_boundary, CharBpe, Model, Trie, Unigram,
};
use crate::pipeline::normalize::Normalizer;
use crate::pipeline::{Pipeline, PipelineSource};
use crate::special::{MatchOptions, SpecialTokens};
use crate::tokenizer::Tokenizer;
use proto::{ModelProto, PieceKind};

/// The sentencepiece library's penalty for an unknown char in Unigram, below the lowest score.
const UNKNOWN_PENALTY: f32 = 10.0;
/// The surface of the unknown piece when the model does not set one.
const DEFAULT_UNKNOWN_SURFACE: &str = " \u{2047} ";

/// Whether `data` looks like a `.model` file rather than a rank file (it starts with the
/// protobuf tag of `pieces` and is not plain text).
pub fn looks_like_model(data: &[u8]) -> bool {
    data.first() == Some(&0x0A) && !data.is_ascii()
}

/// A tokenizer from the bytes of a `.model` file; `path` names it in errors and `name` is the
/// tokenizer's name. Control pieces and the unknown piece become special tokens (typed text
/// yields them only where the caller's policy allows, as `allowed_special`).
pub fn parse_model(data: &[u8], path: &str, name: &str) -> Result<Tokenizer> {
    let bad =
        |location: String, message: String| TokenizerError::bad_vocab(path, location, message);
    let unsupported = |message: String| TokenizerError::Unsupported {
        path: path.to_string(),
        message,
    };
    let proto = ModelProto::decode(data)
        .map_err(|e| bad("protobuf".into(), format!("not a SentencePiece model: {e}")))?;
    if proto.pieces.is_empty() {
        return Err(bad("pieces".into(), "the model has no pieces".into()));
    }
    let trainer = proto.trainer_spec.clone().unwrap_or_default();
    if trainer.treat_whitespace_as_suffix.unwrap_or(false) {
        return Err(unsupported(
            "trainer_spec.treat_whitespace_as_suffix is not supported".into(),
        ));
    }
    if let Some(rules) = proto
        .denormalizer_spec
        .as_ref()
        .and_then(|d| d.precompiled_charsmap.as_ref())
        .filter(|map| !map.is_empty())
    {
        return Err(unsupported(format!(
            "denormalizer_spec rules ({} bytes) are not supported",
            rules.len()
        )));
    }
    let byte_fallback = trainer.byte_fallback.unwrap_or(false);

    // Pieces: unique text, a known kind, one unknown piece, byte pieces only with byte_fallback.
    let mut tokens: Vec<Option<String>> = Vec::with_capacity(proto.pieces.len());
    let mut kinds: Vec<PieceKind> = Vec::with_capacity(proto.pieces.len());
    let mut ids: FxHashMap<String, TokenId> = FxHashMap::default();
    let mut unk: Option<TokenId> = None;
    let mut byte_ids: [Option<TokenId>; 256] = [None; 256];
    for (index, piece) in proto.pieces.iter().enumerate() {
        let at = format!("pieces[{index}]");
        let id = index as TokenId;
        let text = piece.piece.clone().unwrap_or_default();
        if text.is_empty() {
            return Err(bad(at, "empty piece".into()));
        }
        let kind = piece
            .piece_kind()
            .ok_or_else(|| bad(at.clone(), format!("unknown piece type {:?}", piece.kind)))?;
        if ids.insert(text.clone(), id).is_some() {
            return Err(bad(at, format!("piece {text:?} is defined twice")));
        }
        match kind {
            PieceKind::Unknown if unk.is_some() => {
                return Err(bad(at, "a second unknown piece".into()));
            }
            PieceKind::Unknown => unk = Some(id),
            PieceKind::Byte => {
                let byte = byte_of_token(&text)
                    .ok_or_else(|| bad(at.clone(), format!("byte piece {text:?} is not <0xAB>")))?;
                if !byte_fallback {
                    return Err(bad(
                        at,
                        format!("byte piece {text:?} without byte_fallback"),
                    ));
                }
                byte_ids[byte as usize] = Some(id);
            }
            _ => {}
        }
        tokens.push(Some(text));
        kinds.push(kind);
    }
    let unk = unk.ok_or_else(|| bad("pieces".into(), "no unknown piece".into()))?;
    let byte_table = match byte_fallback {
        false => None,
        true => match byte_ids.iter().position(Option::is_none) {
            Some(missing) => {
                return Err(bad(
                    "pieces".into(),
                    format!(
                        "byte_fallback is on but {} is missing",
                        byte_token_name(missing as u8)
                    ),
                ))
            }
            None => Some(Box::new(byte_ids)),
        },
    };
    let pieces_of = |wanted: PieceKind| {
        proto
            .pieces
            .iter()
            .zip(&kinds)
            .enumerate()
            .filter(move |(_, (_, kind))| **kind == wanted)
            .map(|(id, (piece, _))| (id as TokenId, piece))
    };

    let model = match trainer.model_type.unwrap_or(1) {
        1 => {
            let mut trie = Trie::default();
            let mut min_score = f32::MAX;
            for (id, piece) in pieces_of(PieceKind::Normal) {
                trie.insert(piece.piece().as_bytes(), id);
                min_score = min_score.min(piece.score());
            }
            Model::Unigram(Unigram {
                pieces: proto
                    .pieces
                    .iter()
                    .map(|p| (p.piece().to_string(), f64::from(p.score())))
                    .collect(),
                // Unknown stretches stay unknown, whatever they spell.
                ids: FxHashMap::default(),
                trie,
                unk: Some(unk),
                unk_score: f64::from(min_score - UNKNOWN_PENALTY),
                byte_fallback: byte_table,
                score_in_f32: true,
                independent_before: independent_boundary(
                    pieces_of(PieceKind::Normal).map(|(_, p)| p.piece()),
                ),
            })
        }
        2 => {
            if let Some((id, piece)) = pieces_of(PieceKind::Unused).next() {
                return Err(unsupported(format!(
                    "pieces[{id}] ({:?}) is UNUSED; BPE models with unused pieces are not \
                     supported",
                    piece.piece()
                )));
            }
            Model::Bpe(bpe_model(&proto, &kinds, unk, byte_table))
        }
        3 => {
            return Err(unsupported(
                "word models (model_type WORD) are not supported".into(),
            ))
        }
        4 => {
            return Err(unsupported(
                "char models (model_type CHAR) are not supported".into(),
            ))
        }
        other => {
            return Err(bad(
                "trainer_spec.model_type".into(),
                format!("unknown type {other}"),
            ))
        }
    };

    let spec = proto.normalizer_spec.clone().unwrap_or_default();
    let charsmap = match spec.precompiled_charsmap.as_deref() {
        None | Some([]) => None,
        Some(blob) => Some(
            CharsMap::parse(blob)
                .map_err(|e| bad("normalizer_spec.precompiled_charsmap".into(), e))?,
        ),
    };
    let user_defined: Vec<(TokenId, String)> = pieces_of(PieceKind::UserDefined)
        .map(|(id, p)| (id, p.piece().to_string()))
        .collect();
    let symbols: Vec<String> = user_defined.iter().map(|(_, s)| s.clone()).collect();
    let add_dummy_prefix = spec.add_dummy_prefix.unwrap_or(true);
    let remove_extra_whitespaces = spec.remove_extra_whitespaces.unwrap_or(true);
    let normalizer = SentencePieceNormalizer::new(
        charsmap,
        &symbols,
        add_dummy_prefix,
        remove_extra_whitespaces,
        spec.escape_whitespaces.unwrap_or(true),
    )
    .map_err(|e| bad("pieces".into(), e))?;
    let added_normalized = AddedTokens::new(
        user_defined
            .into_iter()
            .map(|(id, content)| AddedToken {
                content,
                id,
                options: MatchOptions::default(),
            })
            .collect(),
    )
    .map_err(|e| bad("pieces".into(), e))?;

    let special_kinds = tokens
        .iter()
        .zip(&kinds)
        .filter(|(_, kind)| {
            matches!(
                kind,
                PieceKind::Control | PieceKind::Unknown | PieceKind::Byte
            )
        })
        .filter_map(|(text, kind)| Some((text.clone()?, *kind)))
        .collect();
    let decoding = SentencePieceDecoding {
        special_kinds,
        unk_surface: trainer
            .unk_surface
            .clone()
            .unwrap_or_else(|| DEFAULT_UNKNOWN_SURFACE.to_string()),
        strip_leading_space: add_dummy_prefix || remove_extra_whitespaces,
        strip_all_leading_spaces: remove_extra_whitespaces,
    };
    let specials: Vec<(String, TokenId)> = tokens
        .iter()
        .zip(&kinds)
        .enumerate()
        .filter(|(_, (_, kind))| matches!(kind, PieceKind::Control | PieceKind::Unknown))
        .filter_map(|(id, (text, _))| Some((text.clone()?, id as TokenId)))
        .collect();
    let pipeline = Pipeline {
        added_raw: AddedTokens::new(Vec::new()).map_err(|e| bad("pieces".into(), e))?,
        added_normalized,
        normalizer: Some(Normalizer::SentencePiece(Box::new(normalizer))),
        pre_tokenizer: None,
        model,
        decoder: Some(Decoder::SentencePiece(Box::new(decoding))),
        tokens,
        ids,
        byte_level: None,
        source: PipelineSource::SentencePieceModel(data.to_vec()),
        cache_owner: crate::pipeline::next_cache_owner(),
    };
    let specials = SpecialTokens::new(specials).map_err(|e| e.in_file(path))?;
    Tokenizer::from_pipeline(name, pipeline, specials).map_err(|e| e.in_file(path))
}

/// SentencePiece BPE as merges over pieces: a pair of pieces merges into the piece they spell,
/// ranked by that piece's score (highest first; equal scores share a rank, so the leftmost
/// pair goes first, as in the library).
fn bpe_model(
    proto: &ModelProto,
    kinds: &[PieceKind],
    unk: TokenId,
    byte_fallback: Option<Box<[Option<TokenId>; 256]>>,
) -> CharBpe {
    let mergeable = |kind: &PieceKind| matches!(kind, PieceKind::Normal | PieceKind::UserDefined);
    let vocab: FxHashMap<String, TokenId> = proto
        .pieces
        .iter()
        .zip(kinds)
        .enumerate()
        .filter(|(_, (_, kind))| mergeable(kind))
        .map(|(id, (piece, _))| (piece.piece().to_string(), id as TokenId))
        .collect();
    let mut scores: Vec<f32> = proto
        .pieces
        .iter()
        .zip(kinds)
        .filter(|(_, kind)| mergeable(kind))
        .map(|(p, _)| p.score())
        .collect();
    scores.sort_unstable_by(|a, b| b.total_cmp(a));
    scores.dedup_by(|a, b| a.total_cmp(b).is_eq());
    let rank_of = |score: f32| {
        scores
            .binary_search_by(|probe| score.total_cmp(probe))
            .unwrap_or_else(|at| at) as u32
    };
    let mut merges = FxHashMap::default();
    for (text, &id) in &vocab {
        let rank = rank_of(proto.pieces[id as usize].score());
        for (at, _) in text.char_indices().skip(1) {
            if let (Some(&left), Some(&right)) = (vocab.get(&text[..at]), vocab.get(&text[at..])) {
                merges.insert((left, right), (rank, id));
            }
        }
    }
    let mut bpe = CharBpe {
        vocab,
        merges,
        unk: Some(unk),
        fuse_unk: true,
        byte_fallback,
        continuing_subword_prefix: None,
        end_of_word_suffix: None,
        ignore_merges: false,
        independent_before: None,
    };
    bpe.independent_before = bpe.find_independent_boundary();
    bpe
}
