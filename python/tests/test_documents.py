"""Documents encoded for training: ``Layout.encode`` / ``encode_batch`` give ``mux``'s IDs with
each token's modality (checked against the layout's ID ranges), part and loss flag; batches on
any number of threads give the same arrays; ``omnitok.pack`` lays documents into sequences
without losing, reordering or cutting any that fit."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

import omnitok
from omnitok import audio

CODEC = Path(__file__).resolve().parents[2] / "fixtures" / "audio" / "encodec" / "causal-24k"


@pytest.fixture(scope="module")
def codec():
    return audio.Codec.from_pretrained(CODEC)


@pytest.fixture(scope="module")
def layout(codec):
    return omnitok.Layout.build("o200k_base", codec=codec, image="fsq:8,5,5,5")


def document(codec, seed):
    rng = np.random.default_rng(seed)
    return [
        {"text": f"Document {seed}: a photo, "},
        {"image": rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)},
        {"text": " a sound ", "loss": False},
        {"audio": rng.standard_normal(2400 + 240 * seed).astype(np.float32) * 0.1, "sr": codec.sample_rate},
        {"video_codes": rng.integers(0, 1000, (2, 2, 3))},
        {"text": "and the end."},
    ]


def modalities_by_range(layout, ids):
    """The modalities each ID can be of by the layout's ranges alone (None for markers)."""
    out = []
    for id in ids.tolist():
        name = next(name for name, start, end in layout.ranges if start <= id < end)
        if name.startswith("text"):
            out.append({0})
        elif name.startswith("audio"):
            out.append({1})
        elif name == "image":
            out.append({2, 3})
        else:
            assert name == "marker", name
            out.append(None)
    return out


def test_encode_gives_mux_ids_and_what_each_token_is(codec, layout):
    doc = document(codec, 1)
    encoded = layout.encode(doc, codec=codec)
    assert np.array_equal(encoded.ids, omnitok.mux(doc, layout, codec=codec))
    assert encoded.ids.dtype == np.uint32 and encoded.modality.dtype == np.uint8
    assert encoded.part.dtype == np.uint32 and encoded.loss_mask.dtype == np.bool_
    assert len(encoded.ids) == len(encoded.modality) == len(encoded.part) == len(encoded.loss_mask)
    # Every token but a marker has the modality its ID's range says; markers take their part's.
    by_range = modalities_by_range(layout, encoded.ids)
    for position, (possible, got) in enumerate(zip(by_range, encoded.modality.tolist())):
        assert possible is None or got in possible, position
    markers = np.array([possible is None for possible in by_range])
    assert {omnitok.MODALITIES[m] for m in encoded.modality[markers]} == {"image", "audio", "video"}
    # Parts in order, each a contiguous run; a part's modality is its kind's.
    assert np.all(np.diff(encoded.part.astype(np.int64)) >= 0)
    assert sorted(set(encoded.part.tolist())) == list(range(len(doc)))
    kinds = [omnitok.MODALITIES[encoded.modality[encoded.part == i][0]] for i in range(len(doc))]
    assert kinds == ["text", "image", "text", "audio", "video", "text"]
    # The loss: every part but the one that says otherwise.
    assert encoded.loss_mask.tolist() == (encoded.part != 2).tolist()
    counts = encoded.tokens_by_modality()
    assert sum(counts.values()) == len(encoded) and all(counts[m] > 0 for m in omnitok.MODALITIES)


def test_loss_by_modality(codec, layout):
    doc = document(codec, 2)
    text_only = layout.encode(doc, codec=codec, loss={"text"})
    assert text_only.loss_mask.tolist() == ((text_only.modality == 0) & (text_only.part != 2)).tolist()
    media = layout.encode(doc, codec=codec, loss=("audio", "image"))
    assert media.loss_mask.tolist() == np.isin(media.modality, [1, 2]).tolist()
    with pytest.raises(omnitok.InputError, match="loss names modalities"):
        layout.encode(doc, codec=codec, loss={"speech"})
    with pytest.raises(omnitok.ArgumentTypeError, match='part 0: "loss" is True or False'):
        layout.encode([{"text": "a", "loss": "yes"}])


@pytest.mark.parametrize("threads", [None, 1, 2])
def test_batches_equal_one_document_at_a_time(codec, layout, threads):
    docs = [document(codec, seed) for seed in range(6)]
    batch = layout.encode_batch(docs, codec=codec, threads=threads)
    for doc, encoded in zip(docs, batch):
        alone = layout.encode(doc, codec=codec)
        for name in ("ids", "modality", "part", "loss_mask"):
            assert np.array_equal(getattr(encoded, name), getattr(alone, name)), name


def test_batch_errors_name_the_document_and_part(codec, layout):
    docs = [document(codec, 0), [{"text": "fine"}, {"image_codes": np.full((2, 2), 5000)}]]
    with pytest.raises(omnitok.InputError, match=r"^document 1: part 1: .*5000") as info:
        layout.encode_batch(docs, codec=codec)
    assert isinstance(info.value, ValueError)
    with pytest.raises(omnitok.InputError, match=r"^document 1: part 0: unknown kind"):
        layout.encode_batch([[{"text": "a"}], [{"sound": 1}]])
    with pytest.raises(omnitok.ArgumentTypeError, match="document 0 is a dict"):
        layout.encode_batch([{"text": "a"}])
    with pytest.raises(omnitok.InputError, match="threads is at least 1"):
        layout.encode_batch([[{"text": "a"}]], threads=0)


def test_encoded_documents_pickle(codec, layout):
    encoded = layout.encode(document(codec, 3), codec=codec)
    again = pickle.loads(pickle.dumps(encoded))
    assert np.array_equal(again.ids, encoded.ids) and np.array_equal(again.loss_mask, encoded.loss_mask)
    assert "tokens" in repr(encoded) and set(encoded.to_dict()) == {"input_ids", "modality", "part", "loss_mask"}


def fake(lengths):
    """Encoded documents of the given lengths, document d's IDs 1000 d + position."""
    return [omnitok.EncodedDocument(np.arange(n, dtype=np.uint32) + 1000 * d, np.full(n, d % 4, np.uint8),
                                    np.zeros(n, np.uint32), np.arange(n) % 2 == 0)
            for d, n in enumerate(lengths)]


@pytest.mark.parametrize("long", ["split", "drop"])
def test_packing_keeps_every_document_whole_where_it_fits(long):
    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 40, 200).tolist() + [95, 3, 250, 7]
    docs = fake(lengths)
    batch = omnitok.pack(docs, 64, pad_id=7, long=long)
    assert all(batch[name].shape == batch["input_ids"].shape for name in batch)
    assert batch["input_ids"].shape[1] == 64 and batch["input_ids"].dtype == np.int64
    real = batch["document_ids"] >= 0
    # Every document's tokens, in order, and nothing else but padding.
    kept = [d for d, n in enumerate(lengths) if long == "split" or n <= 64]
    assert batch["document_ids"][real].tolist() == [d for d in kept for _ in range(lengths[d])]
    assert batch["input_ids"][real].tolist() == [i for d in kept for i in docs[d].ids.tolist()]
    assert batch["loss_mask"][real].tolist() == [v for d in kept for v in docs[d].loss_mask.tolist()]
    assert batch["modality"][real].tolist() == [d % 4 for d in kept for _ in range(lengths[d])]
    assert np.all(batch["input_ids"][~real] == 7) and not batch["loss_mask"][~real].any()
    # A document that fits lies in one sequence, its positions counting from 0.
    for d in kept:
        rows = np.nonzero((batch["document_ids"] == d).any(axis=1))[0]
        if lengths[d] <= 64:
            assert len(rows) <= 1, d
            if len(rows):
                assert batch["position_ids"][rows[0]][batch["document_ids"][rows[0]] == d].tolist() == list(range(lengths[d]))
    # Padding only where the next document did not fit.
    for row in range(batch["input_ids"].shape[0] - 1):
        free = int((~real[row]).sum())
        following = batch["document_ids"][row + 1][0]
        assert free == 0 or lengths[following] > free or following < 0


def test_packing_refuses_what_it_cannot_do():
    with pytest.raises(omnitok.InputError, match="document 1 has 70 tokens, more than seq_len 64"):
        omnitok.pack(fake([3, 70]), 64, pad_id=0, long="error")
    with pytest.raises(omnitok.InputError, match="seq_len"):
        omnitok.pack(fake([3]), 0, pad_id=0)
    assert omnitok.pack([], 8, pad_id=0)["input_ids"].shape == (0, 8)


def test_torch_tensors_need_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match='return_tensors="pt" needs torch'):
        omnitok.pack(fake([3]), 8, pad_id=0, return_tensors="pt")
