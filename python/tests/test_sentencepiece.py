"""SentencePiece .model files load directly and encode and decode exactly as the sentencepiece
library does, live: the whole text of every bundled locale (line by line and whole), the
pre-tokenization edge cases, and random strings over a mix of scripts, spaces and symbols. The
models are trained by `fixtures/sentencepiece/make_models.py` with sentencepiece's trainer."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pytest
import sentencepiece as spm

import omnitok

from conftest import EDGE_CASES

MODELS = Path(__file__).resolve().parents[2] / "fixtures" / "sentencepiece"
NAMES = sorted(p.stem for p in MODELS.glob("*.model"))
ALPHABET = list("abcXYZ  \t\n\r\u00a0\u3000▁<>[]0123456789éeÉ\u0301ßﬁ①ｶ한中ّع😀👍🏽\u200d") + [
    "<sep>", "[TAG]", "<s>", "</s>", "<unk>", "<start_of_turn>", "<0x41>", "▁▁",
]


@pytest.fixture(scope="module", params=NAMES)
def pair(request):
    path = MODELS / f"{request.param}.model"
    return omnitok.Tokenizer.from_file(path), spm.SentencePieceProcessor(model_file=str(path))


def test_the_models_are_all_there():
    assert len(NAMES) == 4


def test_every_locale_line_by_line_and_whole(pair, texts):
    ours, sp = pair
    for locale, text in texts.items():
        lines = text.splitlines()
        assert ours.encode_ordinary_batch(lines) == sp.encode(lines), locale
        ids = ours.encode_ordinary(text)
        assert ids == sp.encode(text), locale
        assert ours.count(text, allowed_special=set()) == len(ids)
        assert ours.decode(ids) == sp.decode(ids), locale


def test_edge_cases_and_random_strings(pair):
    ours, sp = pair
    rng = random.Random(11)
    randoms = ["".join(rng.choice(ALPHABET) for _ in range(rng.randrange(40))) for _ in range(3000)]
    for text in EDGE_CASES + randoms:
        ids = ours.encode_ordinary(text)
        assert ids == sp.encode(text), repr(text)
        assert ours.decode(ids) == sp.decode(ids), repr(text)


def test_decoding_any_ids(pair):
    ours, sp = pair
    rng = random.Random(5)
    for _ in range(2000):
        ids = [rng.randrange(sp.get_piece_size()) for _ in range(rng.randrange(1, 10))]
        assert ours.decode(ids, errors="replace") == sp.decode(ids), ids


def test_control_pieces_only_where_allowed(pair):
    ours, sp = pair
    text = f"{sp.id_to_piece(sp.bos_id())} hello"
    assert ours.encode_ordinary(text) == sp.encode(text)
    with pytest.raises(ValueError, match="special token"):
        ours.encode(text)
    assert ours.encode(text, allowed_special="all")[0] == sp.bos_id()


def test_pickles_and_saves_as_model(pair, tmp_path):
    ours, sp = pair
    again = pickle.loads(pickle.dumps(ours))
    assert again.encode_ordinary("Grüße, 世界!") == sp.encode("Grüße, 世界!")
    ours.to_file(tmp_path / "copy.model")
    assert omnitok.Tokenizer.from_file(tmp_path / "copy.model").encode_ordinary("x y") == sp.encode("x y")
    with pytest.raises(ValueError, match="tokenizer.json"):
        ours.to_json()


def test_bad_model_files_name_the_problem(tmp_path):
    truncated = tmp_path / "truncated.model"
    truncated.write_bytes((MODELS / "unigram_nfkc.model").read_bytes()[:5000])
    with pytest.raises(ValueError, match="truncated.model.*not a SentencePiece model"):
        omnitok.Tokenizer.from_file(truncated)
    empty = tmp_path / "empty.model"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty.model.*no pieces"):
        omnitok.Tokenizer.from_file(empty)
