"""`omnitok.train`: a tokenizer trained on the multilingual fixtures encodes identically in
omnitok, tiktoken (from the written rank file) and HF tokenizers (from the written
tokenizer.json); the output directory holds what `omnitok train` promises; bad settings fail
clearly."""

from __future__ import annotations

import json
import random

import pytest
import tiktoken
import tiktoken.load
import tokenizers

import omnitok
from conftest import FIXTURES

LANGUAGES = sorted(p.stem for p in (FIXTURES / "multilingual").glob("*.txt"))


def _texts() -> dict[str, str]:
    return {lang: (FIXTURES / "multilingual" / f"{lang}.txt").read_text("utf-8") for lang in LANGUAGES}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("train") / "out"
    encoding = omnitok.train(
        FIXTURES / "multilingual",
        2000,
        output_dir=out,
        lang_from="file",
        glob="*.txt",
        special_tokens=["<|endoftext|>", "<|pad|>"],
        parity_dev=FIXTURES / "parallel" / "aligned_sample.jsonl",
        name="fixture-bpe",
        threads=2,
    )
    return encoding, out


def _samples() -> list[str]:
    rng = random.Random(7)
    samples = []
    for text in _texts().values():
        lines = [line for line in text.splitlines() if line]
        samples.extend(rng.sample(lines, min(5, len(lines))))
    # Text the tokenizer never saw: other scripts, digits, whitespace runs, emoji.
    samples += ["Ünïcödé  \t\n\n 12345678 🙂🙃 ∑x² — ʃ", "  leading and trailing  ", "日本語のテキスト"]
    return samples


def test_output_directory_holds_every_file(trained):
    encoding, out = trained
    names = sorted(p.name for p in out.iterdir())
    # The same files as `omnitok train`, the chart of the development report included.
    assert names == [
        "report.json",
        "report.png",
        "tokenizer.json",
        "tokenizer.tiktoken",
        "tokenizer.tiktoken.json",
        "training.json",
    ]
    summary = json.loads((out / "training.json").read_text())
    assert summary["vocab_size"] == 2000 == encoding.n_vocab
    assert summary["stopped_by"] == "vocab_size"
    assert [lang["lang"] for lang in summary["languages"]] == LANGUAGES
    report = json.loads((out / "report.json").read_text())
    assert {row["lang"] for row in report["languages"]} >= {"de", "fr", "ja", "ru", "ta", "zh_CN"}


def test_trained_tokenizer_encodes_identically_in_tiktoken_and_hf(trained):
    encoding, out = trained
    meta = json.loads((out / "tokenizer.tiktoken.json").read_text())
    reference = tiktoken.Encoding(
        "fixture-bpe",
        pat_str=meta["pattern"],
        mergeable_ranks=tiktoken.load.load_tiktoken_bpe(str(out / "tokenizer.tiktoken")),
        special_tokens=dict(meta["special_tokens"]),
    )
    hf = tokenizers.Tokenizer.from_file(str(out / "tokenizer.json"))
    assert reference.n_vocab == encoding.n_vocab == hf.get_vocab_size()
    for text in _samples():
        ids = encoding.encode_ordinary(text)
        assert reference.encode_ordinary(text) == ids, text
        assert hf.encode(text, add_special_tokens=False).ids == ids, text
        assert encoding.decode(ids) == text
    assert encoding.encode("a<|endoftext|>", allowed_special="all")[-1] == 1998
    assert reference.encode("a<|endoftext|>", allowed_special="all")[-1] == 1998


def test_files_and_memory_give_the_same_merges(trained):
    encoding, _ = trained
    from_memory = omnitok.train(
        _texts(),
        2000,
        special_tokens=["<|endoftext|>", "<|pad|>"],
        threads=1,
    )
    assert from_memory.token_byte_values() == encoding.token_byte_values()


def test_parity_aware_training_lowers_the_worst_premium():
    dev = FIXTURES / "parallel" / "aligned_sample.jsonl"
    classical = omnitok.train(_texts(), 1500, name="classical")
    parity = omnitok.train(_texts(), 1500, parity_aware=True, parity_dev=dev, name="parity")
    report = omnitok.compression_report(dev, [classical, parity], reference="en")
    premiums = {
        name: max(row["premium"][name] for row in report)
        for name in ("classical", "parity")
    }
    assert premiums["parity"] < premiums["classical"]


def test_weighted_parity_spans_classical_to_parity_aware():
    dev = FIXTURES / "parallel" / "aligned_sample.jsonl"
    classical = omnitok.train(_texts(), 1500, name="classical")
    flat = omnitok.train(_texts(), 1500, parity_aware=True, parity_dev=dev, parity_weighted=0.0)
    assert flat.token_byte_values() == classical.token_byte_values()
    leaning = omnitok.train(
        _texts(), 1500, parity_aware=True, parity_dev=dev, parity_weighted=12.0, name="leaning"
    )
    report = omnitok.compression_report(dev, [classical, leaning], reference="en")
    worst = {name: max(row["premium"][name] for row in report) for name in ("classical", "leaning")}
    assert worst["leaning"] < worst["classical"]


def test_parity_budget_chooses_the_exponent(tmp_path):
    dev = FIXTURES / "parallel" / "aligned_sample.jsonl"
    out = tmp_path / "budget"
    chosen = omnitok.train(
        _texts(), 1500, parity_aware=True, parity_dev=dev, parity_budget=2.0, output_dir=out
    )
    summary = json.loads((out / "training.json").read_text())
    search = summary["parity"]["exponent_search"]
    exponent = summary["parity"]["weighted"]
    assert search["chosen"] == exponent
    assert [t["exponent"] for t in search["trials"][:2]] == [0.0, 2.0]
    again = omnitok.train(_texts(), 1500, parity_aware=True, parity_dev=dev, parity_weighted=exponent)
    assert again.token_byte_values() == chosen.token_byte_values()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vocab_size": 257, "special_tokens": ["<a>", "<b>"]}, "below the 258 tokens"),
        ({"vocab_size": 300, "special_tokens": ["<a>", "<a>"]}, "given twice"),
        ({"vocab_size": 300, "pattern": "(unclosed"}, "does not compile"),
        ({"vocab_size": 300, "parity_aware": True}, "development set"),
        ({"vocab_size": 300, "parity_aware": True, "parity_weighted": -1.0}, "exponent"),
        ({"vocab_size": 300, "parity_budget": 1.0}, "needs parity-aware training"),
    ],
)
def test_bad_settings_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        omnitok.train({"en": "some text to learn from"}, **kwargs)


def test_empty_corpus_is_an_error():
    with pytest.raises(ValueError, match="no text to train on"):
        omnitok.train({"en": ["", ""]}, 300)


def test_a_vocabulary_short_of_the_size_asked_for_is_warned_about():
    with pytest.warns(UserWarning, match="has 256 tokens, not the 1000 asked for"):
        encoding = omnitok.train({"": "the cat sat on the mat\n" * 20}, 1000, min_frequency=1000)
    assert encoding.n_vocab == 256
