"""The Python API: tiktoken's names and behaviour, numpy output, pickling, files, errors."""

from __future__ import annotations

import pickle
import threading
from pathlib import Path

import numpy as np
import pytest

import omnitok


def test_hello_world():
    enc = omnitok.get_encoding("o200k_base")
    assert enc.encode("hello world") == [24912, 2375]
    assert enc.decode([24912, 2375]) == "hello world"
    assert enc.name == "o200k_base"


def test_model_mapping_and_names():
    assert omnitok.encoding_for_model("gpt-4o").name == "o200k_base"
    assert omnitok.encoding_for_model("gpt-4o-2024-05-13").name == "o200k_base"
    assert omnitok.encoding_for_model("gpt-4").name == "cl100k_base"
    assert omnitok.encoding_name_for_model("gpt-oss-120b") == "o200k_harmony"
    with pytest.raises(KeyError):
        omnitok.encoding_name_for_model("no-such-model")
    names = omnitok.list_encoding_names()
    for name in ["o200k_base", "o200k_harmony", "cl100k_base", "p50k_base", "r50k_base"]:
        assert name in names
    with pytest.raises(ValueError, match="unknown encoding"):
        omnitok.get_encoding("o300k")


def test_numpy_output_is_uint32_and_equal():
    enc = omnitok.get_encoding("cl100k_base")
    arr = enc.encode_to_numpy("numpy arrays of token IDs")
    assert arr.dtype == np.uint32
    assert arr.tolist() == enc.encode("numpy arrays of token IDs")


def test_special_policy():
    enc = omnitok.get_encoding("o200k_base")
    text = "end <|endoftext|>"
    with pytest.raises(ValueError, match=r"<\|endoftext\|>.*byte 4"):
        enc.encode(text)
    assert enc.encode(text, allowed_special={"<|endoftext|>"})[-1] == enc.eot_token
    assert enc.encode(text, allowed_special="all")[-1] == enc.eot_token
    assert enc.encode(text, disallowed_special=()) == enc.encode_ordinary(text)
    with pytest.raises(ValueError, match="not a special token"):
        enc.encode(text, allowed_special={"<|nope|>"})
    assert enc.count(text, allowed_special="all") == len(enc.encode(text, allowed_special="all"))


def test_decode_errors():
    enc = omnitok.get_encoding("o200k_base")
    ids = enc.encode("é")
    partial = enc.decode_tokens_bytes(ids)
    # A token sequence cut inside a UTF-8 char.
    cut = [enc.encode_single_token(bytes([b])) for b in "é".encode()][:1]
    with pytest.raises(ValueError, match="not valid UTF-8"):
        enc.decode(cut)
    assert enc.decode(cut, errors="replace") == "\ufffd"
    assert enc.decode_bytes(cut) == b"\xc3"
    assert b"".join(partial) == "é".encode()
    with pytest.raises(KeyError, match="unknown token ID 999999999"):
        enc.decode([1, 999999999])


def test_offsets():
    enc = omnitok.get_encoding("o200k_base")
    text = "héllo 😀 wörld"
    spans = enc.encode_with_offsets(text)
    assert [s[0] for s in spans] == enc.encode(text)
    data = text.encode()
    assert b"".join(data[s[1]:s[2]] for s in spans) == data
    for _, b0, b1, c0, c1 in spans:
        assert 0 <= c0 <= c1 <= len(text)


@pytest.mark.parametrize("name", ["o200k_base", "o200k_harmony", "cl100k_base"])
def test_builtin_pickles_by_name(name):
    enc = omnitok.get_encoding(name)
    data = pickle.dumps(enc)
    assert len(data) < 200
    again = pickle.loads(data)
    assert again.name == name and again.encode("pickle me") == enc.encode("pickle me")


def test_files_round_trip_and_pickle_by_value(tmp_path: Path, texts):
    enc = omnitok.get_encoding("cl100k_base")
    sample = texts["ru"]
    for filename in ["cl100k.json", "cl100k.tiktoken"]:
        enc.to_file(tmp_path / filename)
        loaded = omnitok.Tokenizer.from_file(tmp_path / filename)
        assert loaded.encode_ordinary(sample) == enc.encode_ordinary(sample)
        assert loaded.special_tokens_set == enc.special_tokens_set
        again = pickle.loads(pickle.dumps(loaded))
        assert again.encode_ordinary(sample) == enc.encode_ordinary(sample)
    # A rank file without its side file needs a pattern.
    (tmp_path / "cl100k.tiktoken.json").unlink()
    with pytest.raises(ValueError, match="give the pattern"):
        omnitok.Tokenizer.from_file(tmp_path / "cl100k.tiktoken")
    loaded = omnitok.Tokenizer.from_file(tmp_path / "cl100k.tiktoken", pattern=enc.pattern)
    assert loaded.encode_ordinary(sample) == enc.encode_ordinary(sample)


def test_bad_files_name_the_problem(tmp_path: Path):
    bad = tmp_path / "bad.tiktoken"
    bad.write_text("YQ== 0\nnot-a-line\n")
    with pytest.raises(ValueError, match=r"bad.tiktoken: line 2"):
        omnitok.Tokenizer.from_file(bad, pattern=r"\S+")
    with pytest.raises(OSError, match="missing.json"):
        omnitok.Tokenizer.from_file(tmp_path / "missing.json")


def test_batch_equals_single_and_threads_share_an_encoding(texts):
    enc = omnitok.get_encoding("o200k_base")
    docs = list(texts.values())
    expected = [enc.encode_ordinary(d) for d in docs]
    assert enc.encode_ordinary_batch(docs) == expected
    assert enc.encode_batch(docs, disallowed_special=()) == expected
    results = {}

    def work(i):
        results[i] = enc.encode_ordinary(docs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(docs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [results[i] for i in range(len(docs))] == expected


def test_package_ships_type_information():
    package = Path(omnitok.__file__).parent
    assert (package / "py.typed").exists()
    assert (package / "_omnitok.pyi").exists()


def test_batches_leave_the_cycle_collector_as_they_found_it():
    import gc

    enc = omnitok.get_encoding("o200k_base")
    texts = ["hello world"] * 2000
    assert gc.isenabled()
    ids = enc.encode_batch(texts)
    assert gc.isenabled() and ids == [[24912, 2375]] * 2000
    gc.disable()
    try:
        assert enc.encode_ordinary_batch(texts)[0] == [24912, 2375]
        assert not gc.isenabled()
    finally:
        gc.enable()
    # IDs are shared int objects: lists of them compare and pickle as plain ints.
    assert enc.encode("hello world") == [24912, 2375] and type(ids[0][0]) is int


def test_get_encoding_gives_one_object_per_name_as_tiktoken_does():
    first = omnitok.get_encoding("cl100k_base")
    assert omnitok.get_encoding("cl100k_base") is first
    assert omnitok.encoding_for_model("gpt-4") is first
    assert pickle.loads(pickle.dumps(first)) is first
    with pytest.raises(ValueError):
        omnitok.get_encoding("no_such_encoding")


def test_every_public_method_has_a_docstring():
    import inspect

    classes = [
        omnitok.Encoding, omnitok.Layout, omnitok.TokenView, omnitok.CompressionReport,
        omnitok.Chart, omnitok.audio.Codec, omnitok.audio.StreamingFeatures,
        omnitok.audio.CodecEncoderStream, omnitok.audio.CodecDecoderStream,
        omnitok.vision.Quantizer, omnitok.vision.Codebook, omnitok.Document, omnitok.EncodedDocument,
    ]
    missing = [
        f"{cls.__name__}.{name}"
        for cls in classes
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and not (inspect.getdoc(member) or "").strip()
    ]
    assert missing == []
