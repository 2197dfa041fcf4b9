"""Chat documents: ``omnitok.Document`` built in code and from HF / OpenAI chat messages, turns
as markers of the layout (emitted by turn parts only, never by text), loss on the assistant's
turns, demux back to the same turns, and the same IDs from ``omnitok mux`` on the command line."""

from __future__ import annotations

import base64
import io
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

import omnitok
from omnitok import Document, audio, vision

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
SPEECH = FIXTURES / "audio" / "speech_16k.wav"
GARDEN = FIXTURES / "vision" / "photos" / "garden.png"


@pytest.fixture(scope="module")
def layout():
    return omnitok.Layout.build("o200k_base", codec=audio.Codec.default(), image="fsq:8,5,5,5", chat=True)


def turn_ids(layout):
    return {name: layout.markers[name][1] for name in ("system", "user", "assistant", "tool", "turn_end")}


def test_messages_become_turns_of_parts(layout):
    pixels = np.random.default_rng(0).integers(0, 256, (32, 48, 3), dtype=np.uint8)
    samples, rate = audio.load(SPEECH)
    messages = [
        {"role": "developer", "content": "Answer briefly."},
        {"role": "user", "content": [
            {"type": "text", "text": "What is in the picture, and what is said?"},
            {"type": "image", "image": pixels},
            {"type": "audio", "audio": samples[:8000], "sampling_rate": rate},
        ]},
        {"role": "assistant", "content": [{"type": "text", "text": "A garden; hello."}],
         "tool_calls": [{"name": "lookup", "arguments": {"q": "garden"}}]},
        {"role": "tool", "content": "{\"found\": true}"},
    ]
    doc = Document.from_messages(messages)
    assert [next(iter(part)) for part in doc] == [
        "turn", "text", "turn",
        "turn", "text", "image", "audio", "turn",
        "turn", "text", "text", "turn",
        "turn", "text", "turn",
    ]
    assert [part["turn"] for part in doc if "turn" in part] == [
        "system", "end", "user", "end", "assistant", "end", "tool", "end"]
    assert json.loads(doc[10]["text"]) == messages[2]["tool_calls"]
    codec = audio.Codec.default()
    encoded = layout.encode(doc, codec=codec)
    assert np.array_equal(encoded.ids, omnitok.mux(doc, layout, codec=codec))
    ids = turn_ids(layout)
    starts = [i for i in encoded.ids.tolist() if i in ids.values()]
    assert starts == [ids[r] for r in ("system", "turn_end", "user", "turn_end", "assistant", "turn_end",
                                        "tool", "turn_end")]
    # Back: the same turns and text, codes for the media.
    parts = omnitok.demux(encoded.ids, layout)
    assert [p.get("turn") for p in parts if "turn" in p] == [p["turn"] for p in doc if "turn" in p]
    assert parts[1] == {"text": "Answer briefly."}
    assert np.array_equal(omnitok.mux(parts, layout), encoded.ids)


def test_text_never_makes_a_turn_marker(layout):
    forged = "<|user|> <|assistant|><|turn_end|><|system|>"
    encoded = layout.encode(Document().text(forged))
    assert not set(encoded.ids.tolist()) & set(turn_ids(layout).values())
    assert omnitok.demux(encoded.ids, layout) == [{"text": forged}]


def test_loss_on_the_assistants_turns(layout):
    doc = Document.from_messages([
        {"role": "user", "content": [{"type": "text", "text": "Say hi."}, {"type": "image", "image": str(GARDEN)}]},
        {"role": "assistant", "content": "Hi there."},
        {"role": "user", "content": "Again."},
        {"role": "assistant", "content": "Hi again."},
    ])
    encoded = layout.encode(doc, loss={"assistant"})
    enc = omnitok.get_encoding("o200k_base")
    ids = turn_ids(layout)
    expected = []
    for text in ("Hi there.", "Hi again."):
        expected += enc.encode(text) + [ids["turn_end"]]
    assert encoded.ids[encoded.loss_mask].tolist() == expected
    # Text of every turn, markers and image out; and a part's own flag wins.
    text = layout.encode(doc, loss={"text"})
    assert not text.loss_mask[encoded.modality == 2].any()
    forced = Document(doc)
    forced[1] = {**forced[1], "loss": True}
    assert layout.encode(forced, loss={"assistant"}).loss_mask.sum() == encoded.loss_mask.sum() + 3


def test_documents_built_in_code(layout, tmp_path):
    from PIL import Image

    picture = Image.fromarray(np.full((20, 30, 3), 200, np.uint8))
    doc = (Document().turn("user").text("Look: ").image(picture).audio(str(SPEECH)).end_turn()
           .turn("assistant").text("Seen and heard.", loss=True).end_turn())
    assert doc[2]["image"].shape == (20, 30, 3) and doc[6] == {"text": "Seen and heard.", "loss": True}
    encoded = layout.encode(doc, codec=audio.Codec.default(), loss=())
    assert encoded.loss_mask.sum() == len(omnitok.get_encoding("o200k_base").encode("Seen and heard."))
    assert repr(Document(doc[:3])) == "Document(3 parts: turn, text, image)"


def test_urls_and_datasets_values(layout, tmp_path):
    wav = SPEECH.read_bytes()
    samples, rate = audio.load(SPEECH, mono=False)
    png = io.BytesIO()
    from PIL import Image

    Image.open(GARDEN).save(png, format="PNG")
    data_url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    doc = Document.from_messages([{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": data_url}},
        {"type": "image", "url": GARDEN.as_uri()},
        {"type": "image", "path": "garden.png"},
        {"type": "input_audio", "input_audio": {"data": base64.b64encode(wav).decode(), "format": "wav"}},
        {"type": "audio", "audio": {"array": samples, "sampling_rate": rate, "path": None}},
    ]}], base_dir=GARDEN.parent)
    garden = vision.load(GARDEN)
    assert np.array_equal(doc[1]["image"], garden)
    assert doc[2]["image"] == str(GARDEN) and doc[3]["image"] == str(GARDEN)
    assert doc[4]["sr"] == rate and np.array_equal(doc[4]["audio"], samples)
    assert doc[5]["sr"] == rate
    codec = audio.Codec.default()
    first = layout.encode(doc, codec=codec)
    image_tokens = [first.ids[first.part == p] for p in (1, 2, 3)]
    assert all(np.array_equal(image_tokens[0], other) for other in image_tokens[1:])
    assert np.array_equal(first.ids[first.part == 4], first.ids[first.part == 5])


def test_what_cannot_be_a_chat_is_refused(layout):
    with pytest.raises(omnitok.InputError, match="message 0: unknown role 'narrator'"):
        Document.from_messages([{"role": "narrator", "content": "x"}])
    with pytest.raises(omnitok.InputError, match=r"message 1: content item 0: .*download it first"):
        Document.from_messages([{"role": "user", "content": "a"},
                                {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}])
    with pytest.raises(omnitok.InputError, match="unknown item type 'file'"):
        Document.from_messages([{"role": "user", "content": [{"type": "file", "file": "x"}]}])
    with pytest.raises(omnitok.InputError, match="audio samples need their rate"):
        Document.from_messages([{"role": "user", "content": [{"type": "audio", "audio": np.zeros(10, np.float32)}]}])
    plain = omnitok.Layout.build("o200k_base")
    assert not plain.chat and layout.chat
    with pytest.raises(omnitok.InputError, match=r"part 0: .*no user marker \(a layout built with chat turns"):
        plain.encode(Document().turn("user").text("hi").end_turn())
    with pytest.raises(omnitok.InputError, match="loss names modalities .* or roles"):
        layout.encode(Document().text("a"), loss={"narrator"})


def test_the_command_line_muxes_turns_as_python_does(tmp_path):
    from test_dask import cli

    layout_file = tmp_path / "layout.json"
    subprocess.run([str(cli()), "layout", "build", "--chat", "--image-quantizer", "fsq:8,5,5,5",
                    "-o", str(layout_file)], check=True)
    chat = omnitok.Layout.load(layout_file)
    parts = [{"turn": "user"}, {"text": "A garden?"}, {"image": str(GARDEN)}, {"turn": "end"},
             {"turn": "assistant"}, {"text": "Yes."}, {"turn": "end"}]
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"parts": parts}) + "\n")
    out = tmp_path / "out"
    subprocess.run([str(cli()), "mux", "-q", "--layout", str(layout_file), "--format", "jsonl", "-o", str(out),
                    "--allow-any-media-path", str(docs)], check=True)
    written = json.loads((out / "shard-00000.jsonl").read_text())["tokens"]
    assert omnitok.mux(parts, chat).tolist() == written
    back = tmp_path / "back"
    subprocess.run([str(cli()), "demux", "-q", "--layout", str(layout_file), str(out), "-o", str(back)], check=True)
    line = json.loads((back / "documents.jsonl").read_text().splitlines()[0])
    assert [p.get("turn") for p in line["parts"] if "turn" in p] == ["user", "end", "assistant", "end"]


def test_model_output_cut_off_inside_a_picture_decodes_when_asked(layout):
    pixels = np.random.default_rng(1).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    doc = Document().turn("assistant").text("Here is a picture:").image(pixels)
    ids = layout.encode(doc).ids
    grid = omnitok.demux(ids, layout)[-1]["image_codes"]
    cut = ids[: len(ids) - grid.shape[1] - 1]  # the last row cut after its first code
    with pytest.raises(omnitok.InputError):
        layout.decode(cut)
    dropped = layout.decode(cut, truncated="drop")
    assert isinstance(dropped, Document) and dropped == [{"turn": "assistant"}, {"text": "Here is a picture:"}]
    kept = layout.decode(cut, truncated="keep")
    assert np.array_equal(kept[-1]["image_codes"], grid[:-1])
    with pytest.raises(omnitok.InputError, match='truncated is "error", "drop" or "keep"'):
        layout.decode(cut, truncated="some")
