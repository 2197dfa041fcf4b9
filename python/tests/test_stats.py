"""omnitok.compression_report: counts, ratios, premiums, Gini and the worst language, checked
against tiktoken and a direct computation; the GPT-4o table; the DataFrame; errors."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest

import omnitok

from conftest import FIXTURES, reference_encoding

ENCODINGS = ["cl100k_base", "o200k_base"]


def tiktoken_count(name: str, text: str) -> int:
    # Special tokens' strings count as ordinary text, as in compression_report.
    return len(reference_encoding(name).encode(text, disallowed_special=()))


def gini(values: list[float]) -> float:
    """Half the mean absolute difference over all ordered pairs, over the mean."""
    n = len(values)
    mean = sum(values) / n
    return sum(abs(a - b) for a in values for b in values) / (2 * n * n * mean)


def test_multilingual_folder_matches_tiktoken(texts):
    report = omnitok.compression_report(FIXTURES / "multilingual", ENCODINGS, baseline="o200k_base", reference="en")
    assert isinstance(report, list) and len(report) == len(texts)
    assert report.encodings == ENCODINGS and report.baseline == "o200k_base" and report.reference == "en"
    assert [row["lang"] for row in report] == sorted(texts)
    counts = {lang: {name: tiktoken_count(name, text) for name in ENCODINGS} for lang, text in texts.items()}
    for row in report:
        lang, text = row["lang"], texts[row["lang"]]
        assert row["bytes"] == len(text.encode("utf-8"))
        assert row["chars"] == len(text)
        for name in ENCODINGS:
            n = counts[lang][name]
            assert row["tokens"][name] == n, (lang, name)
            assert row["bytes_per_token"][name] == len(text.encode("utf-8")) / n
            assert row["chars_per_token"][name] == len(text) / n
            assert row["ratio_vs_baseline"][name] == n / counts[lang]["o200k_base"]
            assert row["premium"][name] == n / counts["en"][name]
            assert row["reference_tokens"][name] == counts["en"][name]

    summary = report.summary
    assert summary["languages"] == len(texts)
    assert summary["bytes"] == sum(len(t.encode("utf-8")) for t in texts.values())
    assert summary["chars"] == sum(len(t) for t in texts.values())
    for name in ENCODINGS:
        total = sum(c[name] for c in counts.values())
        assert summary["tokens"][name] == total
        assert summary["ratio_vs_baseline"][name] == total / sum(c["o200k_base"] for c in counts.values())
        premiums = {lang: c[name] / counts["en"][name] for lang, c in counts.items()}
        assert summary["premium_gini"][name] == pytest.approx(gini(list(premiums.values())), rel=1e-12)
        worst = max(premiums, key=premiums.get)
        assert summary["worst"][name] == {"lang": worst, "premium": premiums[worst]}


def test_mapping_input_equals_folder(texts):
    from_folder = omnitok.compression_report(FIXTURES / "multilingual", ENCODINGS)
    from_mapping = omnitok.compression_report(dict(sorted(texts.items())), ENCODINGS)
    assert from_mapping.to_dict() == from_folder.to_dict()
    # A list of texts per language counts each text on its own.
    parts = omnitok.compression_report({"en": ["hello world", "<|endoftext|> bye"]}, "o200k_base")
    assert parts[0]["tokens"]["o200k_base"] == tiktoken_count("o200k_base", "hello world") + tiktoken_count(
        "o200k_base", "<|endoftext|> bye"
    )
    # Without a reference there are no premiums; the worst language has the fewest bytes per token.
    assert from_folder[0]["premium"] is None and from_folder.summary["premium_gini"] is None
    bpt = {row["lang"]: row["bytes_per_token"]["cl100k_base"] for row in from_folder}
    assert from_folder.summary["worst"]["cl100k_base"]["lang"] == min(bpt, key=bpt.get)


def test_gpt4o_published_figures():
    published = json.loads((FIXTURES / "gpt4o-languages" / "published.json").read_text(encoding="utf-8"))
    report = omnitok.compression_report(FIXTURES / "gpt4o-languages", ENCODINGS, baseline="o200k_base")
    rows = {row["lang"]: row for row in report}
    reproduced = []
    for entry in published["languages"]:
        row = rows[entry["lang"]]
        text = (FIXTURES / "gpt4o-languages" / f"{entry['lang']}.txt").read_text(encoding="utf-8")
        before, after = row["tokens"]["cl100k_base"], row["tokens"]["o200k_base"]
        assert (before, after) == (tiktoken_count("cl100k_base", text), tiktoken_count("o200k_base", text))
        if (before, after) == (entry["cl100k_base"], entry["o200k_base"]):
            assert f"{row['ratio_vs_baseline']['cl100k_base']:.1f}x" == entry["fewer_tokens"]
            reproduced.append(entry["lang"])
    assert len(reproduced) == 18
    assert sorted(set(rows) - set(reproduced)) == sorted(published["not_reproduced"])


def test_parallel_json_lines_premiums():
    path = FIXTURES / "parallel" / "aligned_sample.jsonl"
    report = omnitok.compression_report(path, ENCODINGS, parallel=True)
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [row["lang"] for row in report] == ["en"] + list(dict.fromkeys(p["lang"] for p in pairs))
    english = list(dict.fromkeys(p["en"] for p in pairs))
    for name in ENCODINGS:
        assert report[0]["tokens"][name] == sum(tiktoken_count(name, t) for t in english)
        assert report[0]["premium"][name] == 1.0
    for row in report[1:]:
        mine = [p for p in pairs if p["lang"] == row["lang"]]
        for name in ENCODINGS:
            tr = sum(tiktoken_count(name, p["tr"]) for p in mine)
            en = sum(tiktoken_count(name, p["en"]) for p in mine)
            assert (row["tokens"][name], row["reference_tokens"][name]) == (tr, en)
            assert row["premium"][name] == tr / en


def test_dataframe_has_a_row_per_language_and_tokenizer():
    report = omnitok.compression_report(FIXTURES / "gpt4o-languages", ENCODINGS, baseline="o200k_base", sort="ratio")
    assert report[0]["lang"] == "gu"
    frame = report.to_dataframe()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [
        "lang", "tokenizer", "bytes", "chars", "tokens", "bytes_per_token", "chars_per_token",
        "ratio_vs_baseline", "premium",
    ]
    assert len(frame) == 40
    gu = frame[(frame.lang == "gu") & (frame.tokenizer == "cl100k_base")].iloc[0]
    assert (gu.tokens, gu.ratio_vs_baseline) == (145, 145 / 33)
    assert frame.premium.isna().all()
    assert frame.attrs["summary"] == report.summary
    direct = omnitok.compression_report(
        FIXTURES / "gpt4o-languages", ENCODINGS, baseline="o200k_base", sort="ratio", as_dataframe=True
    )
    pd.testing.assert_frame_equal(direct, frame)
    wide = frame.pivot(index="lang", columns="tokenizer", values="tokens")
    assert wide.loc["hi", "cl100k_base"] == 90


def test_dataframe_without_pandas_says_so(monkeypatch):
    report = omnitok.compression_report({"en": "hi"})
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="needs pandas"):
        report.to_dataframe()


def test_encoding_objects_and_pickling(tmp_path):
    import pickle

    enc = omnitok.get_encoding("cl100k_base")
    report = omnitok.compression_report({"en": "hello", "de": "hallo"}, [enc, "o200k_base"], reference="en")
    assert report.encodings == ["cl100k_base", "o200k_base"]
    assert report[1]["premium"]["cl100k_base"] == tiktoken_count("cl100k_base", "hallo") / tiktoken_count(
        "cl100k_base", "hello"
    )
    again = pickle.loads(pickle.dumps(report))
    assert again == report and again.summary == report.summary


def test_errors_name_the_input(tmp_path):
    with pytest.raises(OSError, match="missing"):
        omnitok.compression_report(tmp_path / "missing")
    with pytest.raises(ValueError, match="no <language>.txt files"):
        omnitok.compression_report(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"lang": "en", "text": "ok"}\n{"lang": "en", "text": \n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: malformed JSON"):
        omnitok.compression_report(bad)
    missing_field = tmp_path / "field.jsonl"
    missing_field.write_text('{"lang": "en", "body": "ok"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r'field\.jsonl:1: no field "text"'):
        omnitok.compression_report(missing_field)
    assert omnitok.compression_report(missing_field, field="body")[0]["lang"] == "en"
    with pytest.raises(ValueError, match='unknown baseline "gpt2"'):
        omnitok.compression_report({"en": "hi"}, "o200k_base", baseline="gpt2")
    with pytest.raises(ValueError, match='unknown reference language "fr"'):
        omnitok.compression_report({"en": "hi"}, reference="fr")
    with pytest.raises(ValueError, match="unknown encoding"):
        omnitok.compression_report({"en": "hi"}, "o300k")
    with pytest.raises(ValueError, match="sort is one of"):
        omnitok.compression_report({"en": "hi"}, sort="size")
    with pytest.raises(TypeError, match="encoding names, omnitok Encoding objects or tiktoken"):
        omnitok.compression_report({"en": "hi"}, [3])
