"""The shared token space from Python: layouts built, saved, loaded and pickled; documents of
text, audio, image and video codes muxed and demuxed exactly; text that cannot produce markers
or codes; corrupt streams that raise naming the position; objects that survive fork, spawn and
forkserver."""

from __future__ import annotations

import json
import multiprocessing
import pickle
from pathlib import Path

import numpy as np
import pytest

import omnitok
from omnitok import audio, vision

CODEC = Path(__file__).resolve().parents[2] / "fixtures" / "audio" / "encodec" / "causal-24k"


@pytest.fixture(scope="module")
def codec():
    return audio.Codec.from_pretrained(CODEC)


def layout_with(codec, flatten="interleave"):
    return omnitok.Layout.build("o200k_base", codec=codec, flatten=flatten, image="fsq:8,5,5,5",
                                markers={"row": "<|newline|>"})


def document(codec, rng):
    n = codec.n_codebooks
    return [
        {"text": "A photo, a clip and a sound: "},
        {"image_codes": rng.integers(0, 1000, (3, 4))},
        {"text": " then "},
        {"audio_codes": rng.integers(0, codec.codebook_size, (n, 7))},
        {"video_codes": rng.integers(0, 1000, (2, 2, 3))},
        {"text": "."},
    ]


@pytest.mark.parametrize("flatten", ["interleave", "sequential", "delay"])
def test_mux_and_demux_are_inverses(codec, flatten):
    layout = layout_with(codec, flatten)
    rng = np.random.default_rng(0)
    parts = document(codec, rng)
    ids = omnitok.mux(parts, layout)
    assert ids.dtype == np.uint32 and ids.max() < layout.n_vocab
    back = omnitok.demux(ids, layout)
    assert [list(p)[0] for p in back] == ["text", "image_codes", "text", "audio_codes", "video_codes", "text"]
    for original, decoded in zip(parts, back):
        (key, value), = original.items()
        if key == "text":
            assert decoded["text"] == value
        else:
            assert np.array_equal(decoded[key], value), key
    # Every ID falls in the range its part belongs to.
    ranges = {name: (start, end) for name, start, end in layout.ranges}
    start, end = ranges["image"]
    image_ids = ids[(ids >= start) & (ids < end)]
    assert len(image_ids) == 12 + 12  # the image and the video's two frames


def test_layout_files_pickles_and_ranges(codec, tmp_path):
    layout = layout_with(codec)
    names = [name for name, _, _ in layout.ranges]
    assert names[:3] == ["text", "text.special", "marker"] and names[-1] == "image"
    assert layout.markers["row"][0] == "<|newline|>"
    assert layout.audio == (codec.n_codebooks, codec.codebook_size, "interleave")
    layout.save(tmp_path / "layout.json")
    again = omnitok.Layout.load(tmp_path / "layout.json")
    assert again.to_json() == layout.to_json()
    assert pickle.loads(pickle.dumps(layout)).to_json() == layout.to_json()
    text = (tmp_path / "layout.json").read_text().replace("<|frame|>", "<|page|>")
    with pytest.raises(ValueError, match="checksum differs"):
        omnitok.Layout.from_json(text)
    with pytest.raises(ValueError, match="overlap"):
        omnitok.Layout.build(markers={"frame": (None, 5)})
    with pytest.raises(ValueError, match="checksum differs"):
        omnitok.mux([{"text": "hi"}], layout, encoding=omnitok.get_encoding("cl100k_base"))


def test_text_cannot_produce_markers_or_codes(codec):
    layout = layout_with(codec)
    for name, (token, _) in layout.markers.items():
        text = f"before {token} after"
        ids = omnitok.mux([{"text": text}], layout)
        assert ids.max() < 199998, name  # ordinary text tokens only
        parts = omnitok.demux(ids, layout)
        assert len(parts) == 1 and parts[0]["text"] == text, name
    # A special token of the tokenizer typed as text raises unless allowed.
    with pytest.raises(ValueError):
        omnitok.mux([{"text": "<|endoftext|>"}], layout)
    ids = omnitok.mux([{"text": "<|endoftext|>"}], layout, allowed_special="all")
    assert list(ids) == [199999]
    # Code names typed as text stay text; IDs outside the text ranges are refused.
    ids = omnitok.mux([{"text": "image_codes audio_codes <|image_start|>"}], layout)
    assert max(ids) < 199998
    marker = layout.markers["image_start"][1]
    with pytest.raises(ValueError, match="not a text token"):
        omnitok.mux([{"ids": [1, marker]}], layout)


def test_corrupt_streams_name_the_position(codec):
    layout = layout_with(codec)
    ids = omnitok.mux([{"text": "hi"}, {"audio_codes": np.zeros((codec.n_codebooks, 3), int)}], layout)
    with pytest.raises(ValueError, match="never closed"):
        omnitok.demux(ids[:-1], layout)
    with pytest.raises(ValueError, match="inside a frame"):
        omnitok.demux(np.delete(ids, 3), layout)
    with pytest.raises(ValueError, match="position 0"):
        omnitok.demux([layout.n_vocab + 1], layout)
    with pytest.raises(ValueError, match="negative"):
        omnitok.demux([-1], layout)
    with pytest.raises(ValueError, match="shape"):
        omnitok.mux([{"image_codes": np.zeros((2, 0), int)}], layout)


def test_demux_gives_parts_that_mux_to_the_same_ids(codec, tmp_path):
    """demux's parts are mux's: special tokens and text cut inside a character come back as
    IDs, so that mux of them is the stream again; codes may be .npy files, as `omnitok demux`
    writes them."""
    layout = layout_with(codec)
    encoding = layout.encoding()
    cut = encoding.encode_single_token(b"\xc3")  # the first byte of "é"
    ids = np.concatenate([
        omnitok.mux([{"text": "one"}], layout, allowed_special="all"),
        omnitok.mux([{"text": "<|endoftext|>"}], layout, allowed_special="all"),
        omnitok.mux([{"ids": [cut]}, {"audio_codes": np.zeros((codec.n_codebooks, 2), int)}], layout),
    ])
    parts = omnitok.demux(ids, layout)
    assert [list(p) for p in parts] == [["text"], ["ids"], ["ids"], ["audio_codes"]]
    assert parts[0] == {"text": "one"} and parts[1]["ids"].tolist() == [199999]
    assert np.array_equal(omnitok.mux(parts, layout), ids)
    np.save(tmp_path / "codes.npy", parts[3]["audio_codes"])
    again = omnitok.mux(parts[:3] + [{"audio_codes": tmp_path / "codes.npy"}], layout)
    assert np.array_equal(again, ids)
    with pytest.raises(ValueError, match="codes.npy"):
        np.save(tmp_path / "codes.npy", np.zeros((2, 2, 2), int))
        omnitok.mux([{"audio_codes": str(tmp_path / "codes.npy")}], layout)


def roundtrip_in_child(layout_bytes, ids):
    layout = pickle.loads(layout_bytes)
    return [list(p) for p in omnitok.demux(ids, layout)]


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_layouts_work_in_other_processes(codec, method):
    layout = layout_with(codec)
    ids = omnitok.mux([{"text": "x"}, {"image_codes": np.ones((2, 2), int)}], layout)
    context = multiprocessing.get_context(method)
    with context.Pool(1) as pool:
        result = pool.apply(roundtrip_in_child, (pickle.dumps(layout), ids))
    assert result == [["text"], ["image_codes"]]


def test_codebook_layouts(tmp_path):
    rng = np.random.default_rng(1)
    images = [rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)]
    book = vision.Codebook.train(images, size=16, patch_size=8, epochs=1)
    layout = omnitok.Layout.build(image=book)
    assert layout.image == ("codebook", 16)
    grid = book.encode(images[0])
    ids = omnitok.mux([{"image_codes": grid}], layout)
    assert np.array_equal(omnitok.demux(ids, layout)[0]["image_codes"], grid)


def test_documents_of_pixels_and_samples(codec):
    layout = layout_with(codec)
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    video = rng.integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    samples = rng.standard_normal(2400).astype(np.float32) * 0.1
    ids = omnitok.mux([{"image": pixels}, {"video": video}, {"audio": samples, "sr": codec.sample_rate}],
                      layout, codec=codec)
    image, clip, sound = omnitok.demux(ids, layout, codec=codec)
    # The layout names its quantizer (fsq:8,5,5,5 over 16-pixel patches): the same codes.
    assert np.array_equal(image["image_codes"], vision.tokenize(pixels, "fsq:8,5,5,5", patch_size=16))
    assert np.array_equal(clip["video_codes"], vision.tokenize(video, "fsq:8,5,5,5", patch_size=16))
    expected = codec.encode(samples, codec.sample_rate, bandwidth=max(codec.bandwidths))
    assert np.array_equal(sound["audio_codes"], expected[: codec.n_codebooks])
    assert sound["sr"] == codec.sample_rate and sound["audio"].shape[0] == 1
    with pytest.raises(ValueError, match="need the layout's codec"):
        omnitok.mux([{"audio": samples, "sr": 16000}], layout)
    with pytest.raises(ValueError, match="their rate"):
        omnitok.mux([{"audio": samples}], layout, codec=codec)


def test_a_codebook_must_be_the_layouts():
    rng = np.random.default_rng(4)
    images = [rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)]
    book = vision.Codebook.train(images, size=16, patch_size=8, epochs=1, seed=0)
    other = vision.Codebook.train(images, size=16, patch_size=8, epochs=1, seed=1)
    layout = omnitok.Layout.build(image=book)
    ids = omnitok.mux([{"image": images[0]}], layout, image_quantizer=book)
    (part,) = omnitok.demux(ids, layout, image_quantizer=book)
    assert np.array_equal(part["image"], book.decode(book.encode(images[0])))
    with pytest.raises(ValueError, match="image checksum differs"):
        omnitok.mux([{"image": images[0]}], layout, image_quantizer=other)
    with pytest.raises(ValueError, match="pass image_quantizer"):
        omnitok.mux([{"image": images[0]}], layout)


def test_parts_have_one_kind(codec):
    layout = layout_with(codec)
    for bad in ({}, {"text": "a", "ids": [1]}, {"image_codes": [[1]], "sr": 16000}):
        with pytest.raises(ValueError, match="one kind a part"):
            omnitok.mux([bad], layout, codec=codec)
    # The rate may come first.
    samples = np.zeros(2400, np.float32)
    ids = omnitok.mux([{"sr": codec.sample_rate, "audio": samples}], layout, codec=codec)
    assert list(omnitok.demux(ids, layout)[0]) == ["audio_codes"]


def test_mux_of_files_equals_the_cli(codec, tmp_path):
    """omnitok.mux of files gives the IDs `omnitok mux` writes for the same document."""
    import json
    import subprocess

    from test_dask import cli

    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    layout_file = tmp_path / "layout.json"
    subprocess.run([str(cli()), "layout", "build", "--codec", str(CODEC), "--image-quantizer", "fsq:8,5,5,5",
                    "-o", str(layout_file)], check=True)
    parts = [
        {"text": "A garden, "},
        {"image": str(fixtures / "vision" / "photos" / "garden.png")},
        {"text": " a voice, "},
        {"audio": str(fixtures / "audio" / "speech_16k.wav")},
        {"video": str(fixtures / "vision" / "formats" / "anim.gif")},
    ]
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"parts": parts}) + "\n")
    out = tmp_path / "out"
    subprocess.run([str(cli()), "mux", "-q", "--layout", str(layout_file), "--format", "jsonl", "-o", str(out),
                    "--allow-any-media-path", str(docs)], check=True)
    written = json.loads((out / "shard-00000.jsonl").read_text())["tokens"]
    ids = omnitok.mux(parts, omnitok.Layout.load(layout_file), codec=codec)
    assert ids.tolist() == written


def test_layouts_of_trained_tokenizers_need_no_extra_arguments(tmp_path, monkeypatch):
    import json
    import subprocess

    from test_dask import cli

    texts = {"en": ["the cat sat on the mat, the dog sat on the log. " * 20]}
    trained = omnitok.train(texts, 270, min_frequency=1)
    layout = omnitok.Layout.build(trained, image="fsq:8,5,5,5")
    parts = [{"text": "the cat sat"}, {"image_codes": np.zeros((2, 2), np.int64)}]
    ids = omnitok.mux(parts, layout)
    assert ids[:3].tolist() == trained.encode("the cat sat")[:3]
    assert omnitok.demux(ids, layout)[0] == {"text": "the cat sat"}
    assert np.array_equal(layout.encode(parts).ids, ids)
    assert layout.encoding() is trained
    again = pickle.loads(pickle.dumps(layout))
    assert np.array_equal(omnitok.mux(parts, again), ids)
    # A layout read from its manifest alone does not know the tokenizer: it says what to pass.
    with pytest.raises(ValueError, match="pass encoding="):
        omnitok.mux(parts, omnitok.Layout.from_json(layout.to_json()))
    # Saved to a file, the tokenizer is found by the path the layout records, on the command
    # line and from Python.
    trained.to_file(tmp_path / "tok.tiktoken")
    layout_file = tmp_path / "layout.json"
    subprocess.run([str(cli()), "layout", "build", "--tokenizer", "tok.tiktoken", "--image-quantizer", "fsq:8,5,5,5",
                    "-o", str(layout_file)], check=True, cwd=tmp_path)
    (tmp_path / "docs.jsonl").write_text(json.dumps({"parts": [{"text": "the cat sat"}]}) + "\n")
    subprocess.run([str(cli()), "mux", "-q", "--layout", "layout.json", "--format", "jsonl", "-o", "out",
                    "docs.jsonl"], check=True, cwd=tmp_path)
    written = json.loads((tmp_path / "out" / "shard-00000.jsonl").read_text())["tokens"]
    assert written == trained.encode("the cat sat")
    monkeypatch.chdir(tmp_path)
    assert omnitok.Layout.load(layout_file).encoding().encode("the cat sat") == written


@pytest.mark.parametrize("flatten", ["interleave", "sequential"])
def test_snac_levels_cross_a_layout_both_ways(flatten):
    """SNAC's codes at three rates (1, 2 and 4 codes a coarse frame): muxed from the audio or from
    the levels encode returns, demuxed back to the levels and the decoded audio."""
    snac = CODEC.parents[1] / "snac" / "snac-24k"
    codec = audio.Codec.from_pretrained(snac)
    layout = omnitok.Layout.build("o200k_base", codec=codec, flatten=flatten)
    assert json.loads(layout.to_json())["audio"]["rates"] == [1, 2, 4]
    samples = np.load(snac / "input.npy")[0]
    levels = codec.encode(samples, codec.sample_rate)
    from_audio = omnitok.mux([{"text": "A voice: "}, {"audio": samples, "sr": codec.sample_rate}], layout,
                             codec=codec)
    from_levels = omnitok.mux([{"text": "A voice: "}, {"audio_codes": levels}], layout)
    assert np.array_equal(from_audio, from_levels)
    # Every coarse frame is 7 codes, between the two markers.
    assert len(from_levels) - len(omnitok.mux([{"text": "A voice: "}], layout)) == 7 * len(levels[0]) + 2
    text, sound = omnitok.demux(from_levels, layout, codec=codec)
    assert text == {"text": "A voice: "}
    assert [level.tolist() for level in sound["audio_codes"]] == [level.tolist() for level in levels]
    np.testing.assert_array_equal(sound["audio"], codec.decode(levels))
    with pytest.raises(ValueError, match="not a whole multiple"):
        omnitok.mux([{"audio_codes": [levels[0], levels[1][:-1], levels[2]]}], layout)
    with pytest.raises(ValueError, match="delay scheme"):
        omnitok.Layout.build("o200k_base", codec=codec, flatten="delay")
