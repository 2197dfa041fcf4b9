"""Encoded documents packed into sequences of one length, for training:

    encoded = layout.encode_batch(documents)
    batch = omnitok.pack(encoded, seq_len=4096, pad_id=0)
    batch["input_ids"]       # int64 [sequences, 4096]
    batch["document_ids"]    # int32: which document each token is of (-1: padding)

``document_ids`` is what document-masked attention takes (a token attends only to tokens of its
own document), ``position_ids`` restart at 0 where each document starts in a sequence, and
``loss_mask`` is the documents' own mask, False on padding.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Sequence, Tuple

import numpy as np

from .errors import InputError
from .layout import EncodedDocument

__all__ = ["pack"]

_COLUMNS = ("input_ids", "document_ids", "position_ids", "loss_mask", "modality")


def pack(documents: Sequence[EncodedDocument], seq_len: int, *, pad_id: int,
         long: Literal["split", "drop", "error"] = "split",
         return_tensors: Literal["np", "pt"] = "np") -> Dict[str, Any]:
    """``documents`` laid one after another into sequences of ``seq_len`` tokens, in order.

    A document that does not fit in what is left of a sequence starts the next one (the rest
    is padding with ``pad_id``), so no document is cut unless it is longer than ``seq_len``;
    such a document is, by ``long``: ``"split"`` into pieces that fill sequences, ``"drop"``
    (left out), or ``"error"``. ``document_ids`` are the documents' indices in ``documents``.

    Returns ``{"input_ids": int64, "document_ids": int32, "position_ids": int64,
    "loss_mask": bool, "modality": uint8}``, each ``[sequences, seq_len]``: numpy arrays, or
    torch tensors with ``return_tensors="pt"`` (torch is imported only then)."""
    if isinstance(seq_len, bool) or not isinstance(seq_len, (int, np.integer)) or seq_len < 1:
        raise InputError(f"seq_len is a positive number of tokens, not {seq_len!r}")
    if long not in ("split", "drop", "error"):
        raise InputError(f'long is "split", "drop" or "error", not {long!r}')
    if return_tensors not in ("np", "pt"):
        raise InputError(f'return_tensors is "np" or "pt", not {return_tensors!r}')
    placements = _placements([len(document) for document in documents], int(seq_len), long)
    count = max((sequence for sequence, *_ in placements), default=-1) + 1
    out = {
        "input_ids": np.full((count, seq_len), pad_id, dtype=np.int64),
        "document_ids": np.full((count, seq_len), -1, dtype=np.int32),
        "position_ids": np.zeros((count, seq_len), dtype=np.int64),
        "loss_mask": np.zeros((count, seq_len), dtype=bool),
        "modality": np.zeros((count, seq_len), dtype=np.uint8),
    }
    positions = np.arange(seq_len, dtype=np.int64)
    for sequence, at, index, start, end in placements:
        document = documents[index]
        span = slice(at, at + end - start)
        out["input_ids"][sequence, span] = document.ids[start:end]
        out["document_ids"][sequence, span] = index
        out["position_ids"][sequence, span] = positions[: end - start]
        out["loss_mask"][sequence, span] = document.loss_mask[start:end]
        out["modality"][sequence, span] = document.modality[start:end]
    if return_tensors == "pt":
        try:
            import torch
        except ImportError as e:
            raise ImportError('return_tensors="pt" needs torch; install it, or take numpy arrays') from e
        return {name: torch.from_numpy(out[name]) for name in _COLUMNS}
    return out


def _placements(lengths: List[int], seq_len: int, long: str) -> List[Tuple[int, int, int, int, int]]:
    """``(sequence, offset, document, start, end)``: document tokens ``start..end`` at
    ``offset`` of ``sequence``."""
    placements = []
    sequence, used = 0, 0
    for index, length in enumerate(lengths):
        if length > seq_len:
            if long == "error":
                raise InputError(f"document {index} has {length} tokens, more than seq_len {seq_len}")
            if long == "drop":
                continue
        elif used + length > seq_len:
            sequence, used = sequence + 1, 0
        start = 0
        while start < length:
            if used == seq_len:
                sequence, used = sequence + 1, 0
            end = min(length, start + seq_len - used)
            placements.append((sequence, used, index, start, end))
            used += end - start
            start = end
    return placements
