"""The parts of tiktoken's API beyond encode/decode: the Encoding constructor and its private
attributes, batch decoding, offsets, bytes that are not UTF-8, lone surrogates, tiktoken.load's
helpers, and tiktoken Encoding objects in omnitok's reports. Each is compared with tiktoken
itself (the reference encodings of conftest, built offline from the committed rank files)."""

from __future__ import annotations

import pickle
import random

import pytest

import omnitok

from conftest import FIXTURES, reference_encoding


@pytest.fixture(scope="module")
def pair():
    return omnitok.get_encoding("cl100k_base"), reference_encoding("cl100k_base")


def test_constructor_from_private_attributes_pickles_and_encodes(pair):
    ours, theirs = pair
    r50k = omnitok.get_encoding("r50k_base")
    custom = omnitok.Encoding(
        name="custom_enc",
        pat_str=r50k._pat_str,
        mergeable_ranks=r50k._mergeable_ranks,
        special_tokens={"<|pickle|>": 100_000},
    )
    again = pickle.loads(pickle.dumps(custom))
    assert custom.encode("hello world") == again.encode("hello world") == r50k.encode("hello world")
    assert custom.encode("<|pickle|>", allowed_special="all") == [100_000]
    assert again.encode("<|pickle|>", allowed_special="all") == [100_000]
    assert ours._pat_str == theirs._pat_str
    assert ours._mergeable_ranks == theirs._mergeable_ranks


def test_explicit_n_vocab_is_checked():
    ranks = omnitok.get_encoding("r50k_base")._mergeable_ranks
    pattern = omnitok.get_encoding("r50k_base")._pat_str
    omnitok.Encoding("ok", pattern, ranks, {"<|x|>": len(ranks)}, explicit_n_vocab=len(ranks) + 1)
    with pytest.raises(ValueError, match="explicit_n_vocab"):
        omnitok.Encoding("bad", pattern, ranks, {"<|x|>": len(ranks)}, explicit_n_vocab=len(ranks) + 2)


def test_special_tokens_batches_and_offsets_equal_tiktoken(pair, texts):
    ours, theirs = pair
    assert ours.is_special_token(100257) and theirs.is_special_token(100257)
    assert not ours.is_special_token(42)
    batch = [ours.encode(text[:500]) for text in texts.values()]
    batch.append([9468, 239])  # a split emoji: not UTF-8 on its own
    assert ours.decode_batch(batch) == theirs.decode_batch(batch)
    assert ours.decode_bytes_batch(batch) == theirs.decode_bytes_batch(batch)
    for tokens in batch[:-1]:
        assert ours.decode_with_offsets(tokens) == theirs.decode_with_offsets(tokens)
        assert omnitok.decode_with_offsets(ours, tokens) == theirs.decode_with_offsets(tokens)
    # Bytes that are not UTF-8 are an error in both (tiktoken's UnicodeDecodeError is a
    # ValueError).
    for decode in (ours.decode_with_offsets, theirs.decode_with_offsets):
        with pytest.raises(ValueError):
            decode(batch[-1])


def test_bytes_that_are_not_utf8_and_lone_surrogates_equal_tiktoken(pair):
    ours, theirs = pair
    rng = random.Random(3)
    cases = [b" \xec\x8b\xa4\xed", b"\xff", b"hello \xe2\x82", b"  \n\n\x80"]
    cases += [bytes(rng.randrange(256) for _ in range(rng.randrange(30))) for _ in range(300)]
    for case in cases:
        assert ours._encode_bytes(case) == theirs._encode_bytes(case), case
        assert ours.decode_bytes(ours._encode_bytes(case)) == case
        tokens = ours._encode_bytes(case)
        for errors in ("replace", "ignore"):
            assert ours.decode(tokens, errors=errors) == theirs.decode(tokens, errors=errors)
            assert ours.decode_batch([tokens], errors=errors) == theirs.decode_batch([tokens], errors=errors)
    for text in ["a\ud800b", "\ud83d\udc4d", "\ud83d", "x\udfff\ud800y"]:
        assert ours.encode(text) == theirs.encode(text), repr(text)
        assert ours.encode_ordinary(text) == theirs.encode_ordinary(text), repr(text)
        assert ours.count(text) == len(theirs.encode(text))


def test_load_helpers_round_trip_as_tiktoken_load(tmp_path):
    import tiktoken.load

    ranks = omnitok.get_encoding("r50k_base")._mergeable_ranks
    path = tmp_path / "r50k.tiktoken"
    omnitok.load.dump_tiktoken_bpe(ranks, path)
    assert tiktoken.load.load_tiktoken_bpe(str(path)) == ranks
    assert omnitok.load.load_tiktoken_bpe(path) == ranks
    digest = __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    assert omnitok.load.load_tiktoken_bpe(path, expected_hash=digest) == ranks
    with pytest.raises(ValueError, match="SHA-256"):
        omnitok.load.load_tiktoken_bpe(path, expected_hash="0" * 64)
    path.write_bytes(b"aGk= 0\nnot base64 1\n")
    with pytest.raises(ValueError, match="line 2"):
        omnitok.load.load_tiktoken_bpe(path)
    assert isinstance(omnitok.__version__, str) and omnitok.__version__


def test_reports_take_tiktoken_encodings_and_named_files():
    texts = {"en": "Hello world, this is a test.", "fr": "Bonjour le monde, ceci est un essai."}
    report = omnitok.compression_report(texts, [reference_encoding("cl100k_base"), "o200k_base"])
    ours = omnitok.compression_report(texts, ["cl100k_base", "o200k_base"])
    assert report.to_dict() == ours.to_dict()
    families = FIXTURES / "tokenizers"
    a = omnitok.Tokenizer.from_file(families / "unigram.json", name="unigram")
    b = omnitok.Tokenizer.from_file(families / "wordpiece.json", name="wordpiece")
    assert (a.name, b.name) == ("unigram", "wordpiece")
    named = omnitok.compression_report(texts, [a, b])
    assert named.encodings == ["unigram", "wordpiece"]
    with pytest.raises(TypeError, match="tiktoken Encoding"):
        omnitok.compression_report(texts, [3.5])


def test_report_pivots_and_shows_as_html():
    texts = {"en": "Hello world, this is a test.", "fr": "Bonjour le monde, ceci est un essai."}
    report = omnitok.compression_report(texts, ["o200k_base", "cl100k_base"])
    wide = report.pivot("tokens")
    assert list(wide.index) == ["en", "fr"] and list(wide.columns) == ["o200k_base", "cl100k_base"]
    assert wide.loc["fr", "cl100k_base"] == report[1]["tokens"]["cl100k_base"]
    html = report._repr_html_()
    assert html.startswith("<table>") and "<th>fr</th>" in html and "cl100k_base" in html
    with pytest.raises(ValueError, match="metric"):
        report.pivot("nonsense")


def test_report_plots_as_png_and_svg(tmp_path):
    from io import BytesIO

    from PIL import Image

    texts = {"en": "Hello world, this is a test.", "fr": "Bonjour le monde, ceci est un essai."}
    report = omnitok.compression_report(texts, ["o200k_base", "cl100k_base"])
    chart = report.plot(tmp_path / "report.svg", metric="ratio", title="two encodings")
    assert chart._repr_png_() == chart.png
    image = Image.open(BytesIO(chart.png))
    assert image.format == "PNG" and image.width > 300 and image.height > 100
    # Two languages, two bars each, in different colours: the picture is not blank.
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or []) > 4
    svg = (tmp_path / "report.svg").read_text()
    assert "two encodings" in svg and "cl100k_base" in svg
    with pytest.raises(ValueError, match="premium"):
        report.plot(metric="premium")
    with pytest.raises(ValueError, match="metric is one of"):
        report.plot(metric="size")


def test_encode_with_unstable_equals_tiktoken(pair):
    ours, theirs = pair
    cases = ["hello fanta", "hello wor", "hello world ", "hello world  ", "x = 'ab", "1234", "naïve caf",
             "def f(x):\n    ", "<|endoftext|>", "hi<|endoftext|>", "日本", "   ", ""]
    for text in cases:
        allowed = {"<|endoftext|>"}
        stable, completions = ours.encode_with_unstable(text, allowed_special=allowed)
        their_stable, their_completions = theirs.encode_with_unstable(text, allowed_special=allowed)
        assert stable == their_stable, text
        assert sorted(map(tuple, completions)) == sorted(map(tuple, their_completions)), text
    with pytest.raises(ValueError, match="special token"):
        ours.encode_with_unstable("<|endoftext|>")
