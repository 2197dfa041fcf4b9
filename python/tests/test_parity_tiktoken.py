"""omnitok against PyPI tiktoken, built from the same rank files: 0 mismatches allowed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import omnitok

from conftest import EDGE_CASES, REFERENCE_ENCODINGS, reference_encoding

HYPOTHESIS = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# An alphabet that makes the patterns' alternatives meet often.
TRICKY = st.sampled_from(
    list("aAsStTlLvVeErRmMdD'’ ſK\t\n\r1234567890!?./,-_#") + [
        "\u00a0", "\u2028", "\u3000", "\u0301", "中", "の", "한", "é", "É", "ǅ", "ʰ", "Ⅻ", "½",
        "😀", "\u200d", "\U0010ffff", "\ufffd", "  ", "\n\n", "//",
    ]
)


@pytest.mark.parametrize("name", REFERENCE_ENCODINGS)
def test_metadata_matches(name):
    ours, ref = omnitok.get_encoding(name), reference_encoding(name)
    assert ours.n_vocab == ref.n_vocab
    assert ours.max_token_value == ref.max_token_value
    assert ours.eot_token == ref.eot_token
    assert ours.special_tokens_set == ref.special_tokens_set


@pytest.mark.parametrize("name", REFERENCE_ENCODINGS)
def test_fixture_files_whole_and_by_line(name, texts):
    ours, ref = omnitok.get_encoding(name), reference_encoding(name)
    for locale, text in texts.items():
        assert ours.encode_ordinary(text) == ref.encode_ordinary(text), locale
        lines = text.splitlines(keepends=True)
        assert ours.encode_ordinary_batch(lines) == ref.encode_ordinary_batch(lines), locale


@pytest.mark.parametrize("name", REFERENCE_ENCODINGS)
def test_edge_cases(name):
    ours, ref = omnitok.get_encoding(name), reference_encoding(name)
    for text in EDGE_CASES:
        assert ours.encode_ordinary(text) == ref.encode_ordinary(text), repr(text)
        assert ours.decode(ours.encode_ordinary(text)) == text


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base", "r50k_base"])
@HYPOTHESIS
@given(text=st.text())
def test_random_unicode(name, text):
    ours, ref = omnitok.get_encoding(name), reference_encoding(name)
    assert ours.encode_ordinary(text) == ref.encode_ordinary(text)


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base", "r50k_base"])
@HYPOTHESIS
@given(text=st.lists(TRICKY, max_size=40).map("".join))
def test_random_tricky_text(name, text):
    ours, ref = omnitok.get_encoding(name), reference_encoding(name)
    ids = ours.encode_ordinary(text)
    assert ids == ref.encode_ordinary(text)
    assert ours.decode_bytes(ids) == text.encode("utf-8", errors="surrogatepass")


@pytest.mark.parametrize("name", REFERENCE_ENCODINGS)
def test_every_special_token(name):
    ours, ref = omnitok.get_encoding(name), reference_encoding(name)
    for special in sorted(ref.special_tokens_set):
        for text in (special, f"a{special} b", f"{special}{special}\n"):
            assert ours.encode(text, allowed_special="all") == ref.encode(text, allowed_special="all")
            assert ours.encode(text, allowed_special={special}) == ref.encode(text, allowed_special={special})
            assert ours.encode(text, disallowed_special=()) == ref.encode(text, disallowed_special=())
            with pytest.raises(ValueError, match="special token"):
                ours.encode(text)
            with pytest.raises(ValueError):
                ref.encode(text)
        token = ref.encode_single_token(special)
        assert ours.encode_single_token(special) == token
        if not (name == "o200k_harmony" and token == 200018):
            assert ours.decode_single_token_bytes(token) == ref.decode_single_token_bytes(token)


def test_shared_harmony_id_decodes_to_one_of_its_names():
    # <|endofprompt|> and <|reserved_200018|> share ID 200018 in o200k_harmony.
    ours = omnitok.get_encoding("o200k_harmony")
    assert ours.decode_single_token_bytes(200018) in (b"<|endofprompt|>", b"<|reserved_200018|>")


@pytest.mark.parametrize("name", REFERENCE_ENCODINGS)
def test_decoding_matches(name, texts):
    ours, ref = omnitok.get_encoding(name), reference_encoding(name)
    ids = ref.encode_ordinary(texts["de"])[:2000]
    assert ours.decode_bytes(ids) == ref.decode_bytes(ids)
    assert ours.decode_tokens_bytes(ids) == ref.decode_tokens_bytes(ids)
    assert ours.decode(ids) == ref.decode(ids)
    assert omnitok.decode_with_offsets(ours, ids) == ref.decode_with_offsets(ids)


def test_token_byte_values_match():
    ours, ref = omnitok.get_encoding("cl100k_base"), reference_encoding("cl100k_base")
    assert ours.token_byte_values() == ref.token_byte_values()
