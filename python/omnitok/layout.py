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

from . import audio, vision
from ._files import write_atomically
from ._omnitok import (Encoding, Layout as _Layout, _demux, _layout_audio_codes, _layout_build, _mux,
                       _defaults, _vision_tokenize_named, get_encoding)

_DEFAULTS = _defaults()

__all__ = ["Layout", "demux", "mux"]

_CODE_KINDS = {"audio_codes": "audio", "image_codes": "image", "video_codes": "video"}


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
        return Layout(_Layout.from_json(text))

    def to_json(self) -> str:
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


def _image_quantizer(layout: Layout, quantizer):
    """What turns pixels into the layout's image codes: an FSQ / LFQ spec read from the layout,
    or the given codebook, checked against the layout's checksum."""
    if layout.image is None:
        raise ValueError("the layout has no image codes")
    name, _ = layout.image
    if quantizer is None:
        if name == "codebook":
            raise ValueError("the layout's images are codebook codes: pass image_quantizer=the Codebook")
        return lambda pixels: _vision_tokenize_named(np.ascontiguousarray(pixels, dtype=np.uint8)[None], name)[0]
    layout._inner.check_component("image", quantizer.checksum)
    return quantizer.encode


def _audio_codes(layout: Layout, codec, value, sr: Optional[int]) -> np.ndarray:
    if codec is None:
        raise ValueError("audio parts need the layout's codec: pass codec=")
    if layout.audio is None:
        raise ValueError("the layout has no audio codes")
    layout._inner.check_component("audio", codec.checksum)
    if isinstance(value, (str, os.PathLike)):
        # Every channel at the file's rate, as `omnitok mux` reads it: the codec resamples and
        # mixes down the same way for both.
        frames, sr = audio.load(value, mono=False)
        samples = frames.T
    elif sr is None:
        raise ValueError("audio samples need their rate: {\"audio\": samples, \"sr\": rate}")
    else:
        samples = np.asarray(value, dtype=np.float32)
    return _layout_audio_codes(layout._inner, getattr(codec, "_inner", codec), np.ascontiguousarray(samples), int(sr))


def mux(parts: Sequence[Dict[str, Any]], layout: Layout, encoding: Optional[Encoding] = None,
        allowed_special: Union[Literal["all"], Collection[str]] = (), codec=None,
        image_quantizer=None) -> np.ndarray:
    """The IDs (uint32) of a document. Parts: ``{"text": str}``; ``{"ids": text token IDs}``;
    ``{"audio": path or samples, "sr": rate}`` (encoded by ``codec``, an ``omnitok.audio.Codec``
    whose checksum the layout records); ``{"image": path or uint8 [height, width, 3]}`` and
    ``{"video": path or [frames, height, width, 3]}`` (by the layout's FSQ / LFQ, or by
    ``image_quantizer``, its ``omnitok.vision.Codebook``); or codes already made:
    ``{"audio_codes": ...}``, ``{"image_codes": ...}``, ``{"video_codes": ...}``. ``encoding``
    defaults to the layout's (checked); another encoding must have the recorded checksum."""
    if encoding is None and any("text" in part for part in parts):
        encoding = layout.encoding()
    elif encoding is not None:
        layout._inner.check_component("text", encoding.sha256())
    segments = []
    encode = None  # the image quantizer, checked once
    for index, part in enumerate(parts):
        kinds = [k for k in part if k != "sr"]
        if len(kinds) != 1 or ("sr" in part and kinds != ["audio"]):
            raise ValueError(f"part {index}: one kind a part, not {sorted(part)}")
        key = kinds[0]
        value = part[key]
        if key == "audio":
            segments.append(("audio", *_flat(_audio_codes(layout, codec, value, part.get("sr")))))
        elif key in ("image", "video"):
            pixels = vision.load(value) if isinstance(value, (str, os.PathLike)) else np.asarray(value)
            encode = encode or _image_quantizer(layout, image_quantizer)
            if key == "video" and pixels.ndim == 3:
                raise ValueError(f"part {index}: a video is [frames, height, width, 3]")
            codes = np.stack([encode(frame) for frame in pixels]) if key == "video" else encode(pixels)
            segments.append((key, *_flat(codes)))
        elif key == "text":
            ids = encoding.encode(value, allowed_special=allowed_special)
            segments.append(("text", np.asarray(ids, dtype=np.int64), []))
        elif key == "ids":
            segments.append(("text", np.asarray(value, dtype=np.int64).reshape(-1), []))
        elif key in _CODE_KINDS:
            segments.append((_CODE_KINDS[key], *_flat(value)))
        else:
            raise ValueError(f"part {index}: unknown kind {key!r}; text, ids, audio, image, video, "
                             "audio_codes, image_codes, video_codes")
    return _mux(layout._inner, segments)


def _flat(codes) -> tuple:
    codes = np.asarray(codes, dtype=np.int64)
    return np.ascontiguousarray(codes.reshape(-1)), list(codes.shape)


def demux(ids: Union[np.ndarray, Sequence[int]], layout: Layout,
          encoding: Optional[Encoding] = None, codec=None, image_quantizer=None) -> List[Dict[str, Any]]:
    """The parts of ``ids``: ``{"text": str, "ids": int64 IDs}`` (the text decoded with
    ``encoding``, by default the layout's; ``errors="replace"`` where a part ends inside a
    character), ``{"audio_codes": [codebooks, frames]}`` (and, given the ``codec``, ``"audio"``:
    float32 ``[channels, samples]`` and ``"sr"``), ``{"image_codes": [height, width]}`` and
    ``{"video_codes": [frames, height, width]}`` (and, given the layout's codebook as
    ``image_quantizer``, ``"image"`` / ``"video"`` pixels at the grid's size, whole patches: crop
them to the original size). A stream that breaks the layout's
    rules raises ``ValueError`` naming the position."""
    if codec is not None:
        layout._inner.check_component("audio", codec.checksum)
    if image_quantizer is not None:
        layout._inner.check_component("image", image_quantizer.checksum)
    segments = _demux(layout._inner, np.ascontiguousarray(np.asarray(ids).reshape(-1), dtype=np.int64))
    parts = []
    for kind, values, shape in segments:
        if kind == "text":
            if encoding is None:
                encoding = layout.encoding()
            parts.append({"text": encoding.decode(values.tolist(), errors="replace"), "ids": values})
        else:
            codes = values.reshape(shape)
            part = {f"{kind}_codes": codes}
            if kind == "audio" and codec is not None:
                part.update(audio=codec.decode(codes), sr=codec.sample_rate)
            elif kind == "image" and image_quantizer is not None:
                part["image"] = image_quantizer.decode(codes)
            elif kind == "video" and image_quantizer is not None:
                part["video"] = np.stack([image_quantizer.decode(frame) for frame in codes])
            parts.append(part)
    return parts
