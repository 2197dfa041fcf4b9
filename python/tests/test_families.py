"""Every tokenizer family omnitok loads from tokenizer.json encodes and decodes exactly as HF
`tokenizers` does, live, on the whole text of every bundled locale and on edge cases. The files
are trained by `fixtures/tokenizers/make_families.py` with the reference trainers."""

from __future__ import annotations

from pathlib import Path

import pytest
import tokenizers

import omnitok

from conftest import EDGE_CASES

FAMILIES = Path(__file__).resolve().parents[2] / "fixtures" / "tokenizers"
NAMES = sorted(p.stem for p in FAMILIES.glob("*.json") if p.stem != "goldens")


@pytest.fixture(scope="module", params=NAMES)
def pair(request):
    path = FAMILIES / f"{request.param}.json"
    return omnitok.Tokenizer.from_file(path), tokenizers.Tokenizer.from_file(str(path))


def test_the_families_are_all_there():
    assert {"wordpiece", "unigram", "byte_level_nfc", "llama_bpe", "llama_bpe_metaspace", "t5_unigram", "xlmr_unigram"} <= set(NAMES)


def test_every_locale_line_by_line(pair, texts):
    ours, hf = pair
    for locale, text in texts.items():
        lines = text.splitlines(keepends=True)
        expected = [e.ids for e in hf.encode_batch(lines, add_special_tokens=False)]
        assert ours.encode_batch(lines, allowed_special="all") == expected, locale


def test_whole_texts_and_their_counts(pair, texts):
    ours, hf = pair
    for locale, text in texts.items():
        expected = hf.encode(text, add_special_tokens=False).ids
        assert ours.encode(text, allowed_special="all") == expected, locale
        assert ours.count(text, allowed_special="all") == len(expected), locale


def test_special_tokens_added_as_hf_encode_adds_them(pair, texts):
    ours, hf = pair
    for locale, text in list(texts.items())[:8]:
        line = text.splitlines()[0]
        expected = hf.encode(line).ids
        assert ours.encode(line, allowed_special="all", add_special_tokens=True) == expected, locale
        assert ours.count(line, allowed_special="all", add_special_tokens=True) == len(expected)
        batch = ours.encode_batch([line, line], allowed_special="all", add_special_tokens=True)
        assert batch == [expected, expected]


def test_edge_cases(pair):
    ours, hf = pair
    for text in EDGE_CASES + ["<unk> [CLS] <s> </s> <mask>", "x<mask> y", "  <mask>  "]:
        assert ours.encode(text, allowed_special="all") == hf.encode(text, add_special_tokens=False).ids, repr(text)


def test_decoding(pair, texts):
    ours, hf = pair
    for locale, text in texts.items():
        ids = hf.encode(text[:2000], add_special_tokens=False).ids
        assert ours.decode(ids) == hf.decode(ids, skip_special_tokens=False), locale


def test_typed_special_tokens_stay_text_unless_allowed(pair):
    ours, hf = pair
    specials = sorted(ours.special_tokens_set)
    assert specials, "every family has special tokens"
    text = f"a {specials[0]} b"
    with pytest.raises(ValueError, match="special token"):
        ours.encode(text)
    assert specials[0] not in ours.decode(ours.encode_ordinary(text)) or ours.encode_ordinary(text) != ours.encode(
        text, allowed_special="all"
    )


def test_pickles_and_fingerprints(pair):
    import pickle

    ours, _ = pair
    again = pickle.loads(pickle.dumps(ours))
    assert again.encode("hello world") == ours.encode("hello world")
    assert again.sha256() == ours.sha256()
