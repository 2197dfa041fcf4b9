"""omnitok's exported tokenizer.json, loaded by HF `tokenizers`, encodes exactly as omnitok does;
and omnitok loads it back to the same encoder."""

from __future__ import annotations

import pytest
import tokenizers

import omnitok

from conftest import EDGE_CASES


@pytest.fixture(scope="module", params=["o200k_base", "cl100k_base", "p50k_base", "r50k_base"])
def exported(request, tmp_path_factory):
    name = request.param
    path = tmp_path_factory.mktemp(name) / "tokenizer.json"
    encoding = omnitok.get_encoding(name)
    encoding.to_file(path)
    return encoding, tokenizers.Tokenizer.from_file(str(path)), path


def test_fixture_lines_match_hf(exported, texts):
    ours, hf, _ = exported
    for locale, text in texts.items():
        lines = text.splitlines(keepends=True)
        expected = [e.ids for e in hf.encode_batch(lines, add_special_tokens=False)]
        assert ours.encode_ordinary_batch(lines) == expected, locale


def test_edge_cases_match_hf(exported):
    ours, hf, _ = exported
    for text in EDGE_CASES:
        if "<|" in text:
            continue  # HF matches added tokens anywhere; covered by the special-token test
        assert ours.encode_ordinary(text) == hf.encode(text, add_special_tokens=False).ids, repr(text)


def test_special_tokens_match_hf(exported):
    ours, hf, _ = exported
    for special in sorted(ours.special_tokens_set):
        text = f"say {special} twice {special}"
        assert ours.encode(text, allowed_special="all") == hf.encode(text, add_special_tokens=False).ids


def test_hf_decodes_our_ids(exported, texts):
    ours, hf, _ = exported
    ids = ours.encode_ordinary(texts["fr"])
    assert hf.decode(ids, skip_special_tokens=False) == texts["fr"]


def test_exported_json_loads_back_identically(exported, texts):
    ours, _, path = exported
    loaded = omnitok.Tokenizer.from_file(path)
    assert loaded.special_tokens_set == ours.special_tokens_set
    for locale, text in texts.items():
        assert loaded.encode_ordinary(text) == ours.encode_ordinary(text), locale
