"""The shared token space: a ``Layout`` (built by ``omnitok layout build``), and documents of
text, audio, image and video codes as one array of IDs (``mux``) and back (``demux``).

    layout = omnitok.Layout.load("layout.json")
    ids = omnitok.mux([{"text": "A cat:"}, {"image_codes": grid}, {"audio_codes": codes}], layout)
    parts = omnitok.demux(ids, layout)   # [{"text": "A cat:", "ids": ...}, {"image_codes": ...}, ...]

Text is encoded with the layout's tokenizer (its checksum is checked) under tiktoken's rule for
special tokens: a special token's string in the text raises unless ``allowed_special`` names it.
Markers and codes are never special tokens of the tokenizer, so no text can produce them; a
``{"ids": [...]}`` part must hold text tokens only. Codes are int arrays: audio
``[codebooks, frames]``, image ``[height, width]``, video ``[frames, height, width]``.
"""

from __future__ import annotations

import os
from typing import Any, Collection, Dict, List, Literal, Optional, Sequence, Union

import numpy as np

from ._files import write_atomically
from ._omnitok import Encoding, Layout as _Layout, _defaults, _demux, _layout_build, _mux, get_encoding
from .errors import ArgumentTypeError

_DEFAULTS = _defaults()

__all__ = ["Layout", "demux", "mux"]

class Layout:
    """Named, non-overlapping ID ranges: text, text specials, markers, one range per audio
    codebook, image codes. Pickles by value."""

    def __init__(self, inner: _Layout) -> None:
        self._inner = inner

    @staticmethod
    def build(encoding: Union[str, Encoding] = _DEFAULTS["encoding"], codec=None,
              codebooks: Optional[int] = None, flatten: str = _DEFAULTS["flatten"], image=None,
              patch_size: int = _DEFAULTS["scalar_patch_size"],
              markers: Optional[Dict[str, Any]] = None) -> "Layout":
        """A layout of ``encoding``'s text, then the markers, then the codes of ``codec``
        (``omnitok.audio.Codec``; ``codebooks`` of them, by default all, flattened by
        ``flatten``: interleave, sequential or delay), then those of ``image`` (a
        ``"fsq:..."`` / ``"lfq:..."`` spec over ``patch_size`` patches, or an
        ``omnitok.vision.Codebook``). ``markers`` renames or places markers:
        ``{"row": "<|newline|>", "audio_start": ("<|audio|>", 250000)}``."""
        if isinstance(encoding, str):
            encoding = get_encoding(encoding)
        spec, book = (image, None) if isinstance(image, str) or image is None else (None, image._inner)
        settings = []
        for kind, value in (markers or {}).items():
            token, id = (value if isinstance(value, tuple) else (value, None))
            settings.append((kind, token, id))
        inner = _layout_build(encoding, getattr(codec, "_inner", codec), codebooks, flatten, spec, book,
                              patch_size, settings)
        return Layout(inner)

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the manifest (under a temporary name, renamed when complete)."""
        write_atomically(path, self.to_json())

    @staticmethod
    def load(path: Union[str, "os.PathLike[str]"]) -> "Layout":
        """Reads and checks a manifest (format version, checksum, ranges, names, IDs)."""
        return Layout(_Layout._read_file(os.fspath(path)))

    @staticmethod
    def from_json(text: str) -> "Layout":
        """A layout from the manifest's JSON text, checked as ``load`` checks a file."""
        return Layout(_Layout.from_json(text))

    def to_json(self) -> str:
        """The manifest as JSON text (what ``save`` writes)."""
        return self._inner.to_json()

    @property
    def ranges(self) -> List[tuple]:
        """``(name, start, end)`` of every range, in ID order."""
        return self._inner.ranges

    @property
    def markers(self) -> Dict[str, tuple]:
        """``{"audio_start": ("<|audio_start|>", id), ...}``."""
        return self._inner.markers

    @property
    def n_vocab(self) -> int:
        """One more than the largest ID of the whole space (text, markers and codes)."""
        return self._inner.n_vocab

    @property
    def text(self) -> tuple:
        """``(tokenizer name, sha256)``."""
        return self._inner.text

    @property
    def audio(self) -> Optional[tuple]:
        """``(codebooks, codebook_size, flatten)`` or None."""
        return self._inner.audio

    @property
    def image(self) -> Optional[tuple]:
        """``(quantizer name, codes)`` or None."""
        return self._inner.image

    def encoding(self) -> Encoding:
        """The built-in encoding the layout's text part names, checked against its checksum."""
        name, _ = self.text
        encoding = get_encoding(name)
        self._inner.check_component("text", encoding.sha256())
        return encoding

    def __repr__(self) -> str:
        return repr(self._inner)

    def __reduce__(self):
        return (Layout.from_json, (self.to_json(),))


def mux(parts: Sequence[Dict[str, Any]], layout: Layout, encoding: Optional[Encoding] = None,
        allowed_special: Union[Literal["all"], Collection[str]] = (), codec=None,
        image_quantizer=None) -> np.ndarray:
    """The IDs (uint32) of a document. Parts: ``{"text": str}``; ``{"ids": text token IDs}``;
    ``{"audio": path or samples, "sr": rate}`` (encoded by ``codec``, an ``omnitok.audio.Codec``
    whose checksum the layout records); ``{"image": path or uint8 [height, width, 3]}`` and
    ``{"video": path or [frames, height, width, 3]}`` (by the layout's FSQ / LFQ, or by
    ``image_quantizer``, its ``omnitok.vision.Codebook``); or codes already made:
    ``{"audio_codes": ...}``, ``{"image_codes": ...}``, ``{"video_codes": ...}`` (arrays, or
    paths of ``.npy`` files). ``encoding`` defaults to the layout's (checked); another encoding
    must have the recorded checksum. The parts are encoded as ``omnitok mux`` encodes a
    document's, so both give the same IDs."""
    return _mux(layout._inner, list(parts), encoding, allowed_special, codec, _codebook(image_quantizer))


def demux(ids: Union[np.ndarray, Sequence[int]], layout: Layout,
          encoding: Optional[Encoding] = None, codec=None, image_quantizer=None) -> List[Dict[str, Any]]:
    """The parts of ``ids``, in the form ``mux`` takes, so that ``mux`` of them gives ``ids``
    again. Text is ``{"text": str}`` where the string encodes back to the same IDs (with
    ``encoding``, by default the layout's), else ``{"ids": int64 IDs}`` (special tokens, text cut
    inside a character). Codes are ``{"audio_codes": [codebooks, frames]}`` (and, given the
    ``codec``, ``"audio"``: float32 ``[channels, samples]`` and ``"sr"``),
    ``{"image_codes": [height, width]}`` and ``{"video_codes": [frames, height, width]}`` (and,
    given the layout's codebook as ``image_quantizer``, ``"image"`` / ``"video"`` pixels at the
    grid's size, whole patches: crop them to the original size). A stream that breaks the
    layout's rules raises ``ValueError`` naming the position."""
    return _demux(layout._inner, ids, encoding, codec, _codebook(image_quantizer))


def _codebook(image_quantizer):
    """The codebook a caller gives for a layout of codebook codes (FSQ and LFQ layouts name
    their quantizer, which needs no object)."""
    if image_quantizer is None:
        return None
    inner = getattr(image_quantizer, "_inner", None)
    if inner is None or type(image_quantizer).__name__ != "Codebook":
        raise ArgumentTypeError(f"image_quantizer is the layout's omnitok.vision.Codebook, not "
                        f"{type(image_quantizer).__name__}; FSQ and LFQ layouts name their quantizer")
    return inner
