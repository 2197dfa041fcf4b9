"""The ``datasets`` recipe of the README: chat rows with text, images (a ``datasets.Image``
column, so PIL images) and audio files, tokenized by ``Dataset.map(batched=True, num_proc=2)``
in worker processes, give the IDs and loss masks of encoding the same documents here. The
parent has used rayon's pool before the workers are forked, which is what used to hang them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import omnitok

datasets = pytest.importorskip("datasets")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[2]
SPEECH = str(ROOT / "fixtures" / "audio" / "speech_16k.wav")


def chat_dataset():
    from datasets import Dataset, Features, Image, List, Value
    from PIL import Image as PILImage

    rng = np.random.default_rng(0)
    rows = []
    for i in range(12):
        picture = PILImage.fromarray(rng.integers(0, 256, (24 + 8 * (i % 3), 40, 3), dtype=np.uint8))
        user = [{"type": "text", "text": f"Question {i}: what do you see and hear?", "image": None, "audio": None},
                {"type": "image", "text": None, "image": picture, "audio": None}]
        if i % 2:
            user.append({"type": "audio", "text": None, "image": None, "audio": SPEECH})
        rows.append({"messages": [
            {"role": "user", "content": user},
            {"role": "assistant", "content": [{"type": "text", "text": f"Answer {i}.", "image": None, "audio": None}]},
        ]})
    item = {"type": Value("string"), "text": Value("string"), "image": Image(), "audio": Value("string")}
    features = Features({"messages": List({"role": Value("string"), "content": List(item)})})
    return Dataset.from_list(rows, features=features)


def test_dataset_map_with_worker_processes(tmp_path):
    codec = omnitok.audio.Codec.default()
    layout = omnitok.Layout.build("o200k_base", codec=codec, image="fsq:8,5,5,5", chat=True)
    # Start rayon's pool in the parent, as a notebook that encoded anything before has.
    omnitok.get_encoding("o200k_base").encode_batch(["warm up " * 1000] * 64)

    def tokenize(batch):
        docs = [omnitok.Document.from_messages(messages) for messages in batch["messages"]]
        encoded = layout.encode_batch(docs, codec=codec, loss={"assistant"})
        return {"input_ids": [e.ids for e in encoded], "loss_mask": [e.loss_mask for e in encoded],
                "modality": [e.modality for e in encoded]}

    dataset = chat_dataset()
    mapped = dataset.map(tokenize, batched=True, batch_size=3, num_proc=2, remove_columns=dataset.column_names,
                         cache_file_name=str(tmp_path / "mapped.arrow"))
    expected = tokenize(dataset[:])
    assert len(mapped) == len(dataset)
    for i, row in enumerate(mapped):
        assert row["input_ids"] == expected["input_ids"][i].tolist(), i
        assert row["loss_mask"] == expected["loss_mask"][i].tolist(), i
    answer = omnitok.get_encoding("o200k_base").encode("Answer 5.")
    ids = np.array(mapped[5]["input_ids"])
    assert ids[np.array(mapped[5]["loss_mask"])].tolist() == answer + [layout.markers["turn_end"][1]]
    # Audio turns have audio tokens; the others none.
    assert [bool(np.any(np.array(row["modality"]) == 1)) for row in mapped] == [bool(i % 2) for i in range(12)]
