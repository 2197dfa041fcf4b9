"""Shared fixtures: the reference tiktoken encodings, built offline from omnitok's own committed
rank files with tiktoken's published constructors (pattern strings and special tokens), and the
multilingual text fixtures."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RANK_DATA = ROOT / "tokenizer" / "data"
FIXTURES = ROOT / "fixtures"

# Encodings whose reference tiktoken builds from a rank file (gpt2 needs GPT-2's original
# vocab.bpe/encoder.json files; its ranks equal r50k_base's, which is compared instead).
REFERENCE_ENCODINGS = ["o200k_base", "o200k_harmony", "cl100k_base", "p50k_base", "p50k_edit", "r50k_base"]


def _load_local_ranks(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
    import tiktoken.load

    name = url.rsplit("/", 1)[-1]
    data = gzip.decompress((RANK_DATA / f"{name}.gz").read_bytes())
    assert expected_hash is None or hashlib.sha256(data).hexdigest() == expected_hash
    cache = Path(os.environ.get("OMNITOK_TEST_TMP", "/tmp")) / "omnitok-reference-ranks"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / name
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    return tiktoken.load.load_tiktoken_bpe(str(path), expected_hash)


_REFERENCES: dict[str, object] = {}


def reference_encoding(name: str):
    """tiktoken.Encoding `name`, built from the same rank file with tiktoken's constructor."""
    if name not in _REFERENCES:
        os.environ["TIKTOKEN_CACHE_DIR"] = ""  # read local files directly, never the network
        import tiktoken
        import tiktoken_ext.openai_public as openai_public

        openai_public.load_tiktoken_bpe = _load_local_ranks
        spec = openai_public.ENCODING_CONSTRUCTORS[name]()
        _REFERENCES[name] = tiktoken.Encoding(**spec)
    return _REFERENCES[name]


def fixture_texts() -> dict[str, str]:
    """Every multilingual fixture file, by locale."""
    folder = FIXTURES / "multilingual"
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


@pytest.fixture(scope="session")
def texts() -> dict[str, str]:
    found = fixture_texts()
    assert len(found) >= 30, f"expected at least 30 locales under {FIXTURES / 'multilingual'}"
    return found


# Hand-picked edge cases of pre-tokenization: white space runs before letters and at the end,
# newlines of both kinds, digit runs, contractions in every case (and U+017F, which `(?i)s`
# matches), punctuation with trailing slashes and newlines, marks, mixed scripts.
EDGE_CASES = [
    "", " ", "  ", "\n", "\r\n", " \n", "\n ", "\t\t", "a", " a", "  a", "   a ", "a  ", "a\n\n",
    "hello world", "Hello World!", "HELLO world", "hello\n\nworld", "hello \n world",
    "1", "12", "123", "1234", "12345678901", "3.14159", "1,000,000", "٣٤٥", "Ⅻ½²",
    "don't", "DON'T", "I'm", "we'll", "they've", "you're", "he'd", "it's", "IT'S", "'s", "'S",
    "Iſ'ſ", "'ſ", "ſ", "K", "o'clock", "rock'n'roll", "''", "'", "’s",
    "...", "!!!", "?!", "a/b/c", "http://example.com/path/", "//\n//\n", "--\n\n", "x=1;\ny=2;\r\n",
    "\u00a0\u00a0x", "a\u2028b", "\u3000中文", "中文字符", "日本語のテキスト", "한국어 텍스트",
    "é", "e\u0301", "\u0301\u0301a", "ǅungla", "ʰʰa", "ÀÉÎ", "ÀÉÎabc", "abcÀÉÎ",
    "😀😀 emoji 👍🏽", "\u200d", "🏳️‍🌈", "<|endoftext|>", "<|endoftext", "|>", "<||>",
    "    def f(x):\n        return x\n", "\t\n\t\n", " \t \n \t ", "a \n\n b", "   \n\n\n   ",
    "A" * 300, "a" * 300, " " * 300, "\n" * 50, "9" * 100, "中" * 200, "!?" * 100,
]
