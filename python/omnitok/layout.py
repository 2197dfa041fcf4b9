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
from ._omnitok import Encoding, Layout as _Layout, _defaults, _demux, _encode_documents, _layout_build, _mux
from ._omnitok import get_encoding, list_encoding_names
from . import _progress
from .document import ROLES, Document
from .errors import ArgumentTypeError, InputError

_DEFAULTS = _defaults()

__all__ = ["EncodedDocument", "Layout", "MODALITIES", "demux", "mux"]

MODALITIES = ("text", "audio", "image", "video")
"""The modalities, in the order of the codes ``EncodedDocument.modality`` holds (0 is text)."""

# The modality of each kind of part.
_PART_MODALITY = {"text": 0, "ids": 0, "audio": 1, "audio_codes": 1, "image": 2, "image_codes": 2,
                  "video": 3, "video_codes": 3}

class Layout:
    """Named, non-overlapping ID ranges: text, text specials, markers, one range per audio
    codebook, image codes. Pickles by value."""

    def __init__(self, inner: _Layout, encoding: Optional[Encoding] = None) -> None:
        self._inner = inner
        # The tokenizer the layout was built with, when it is not built in (a trained one):
        # what mux, demux and encode use when not given another.
        self._encoding = encoding

    @staticmethod
    def build(encoding: Union[str, Encoding] = _DEFAULTS["encoding"], codec=None,
              codebooks: Optional[int] = None, flatten: str = _DEFAULTS["flatten"], image=None,
              patch_size: int = _DEFAULTS["scalar_patch_size"],
              markers: Optional[Dict[str, Any]] = None, chat: bool = False) -> "Layout":
        """A layout of ``encoding``'s text, then the markers, then the codes of ``codec``
        (``omnitok.audio.Codec``; ``codebooks`` of them, by default all, flattened by
        ``flatten``: interleave, sequential or delay), then those of ``image`` (a
        ``"fsq:..."`` / ``"lfq:..."`` spec over ``patch_size`` patches, or an
        ``omnitok.vision.Codebook``). ``markers`` renames or places markers:
        ``{"row": "<|newline|>", "audio_start": ("<|audio|>", 250000)}``. ``chat`` adds the
        markers of chat turns (``<|system|>``, ``<|user|>``, ``<|assistant|>``, ``<|tool|>``,
        ``<|turn_end|>``; see ``omnitok.Document.from_messages``)."""
        if isinstance(encoding, str):
            encoding = get_encoding(encoding)
        spec, book = (image, None) if isinstance(image, str) or image is None else (None, image._inner)
        settings = []
        for kind, value in (markers or {}).items():
            token, id = (value if isinstance(value, tuple) else (value, None))
            settings.append((kind, token, id))
        inner = _layout_build(encoding, getattr(codec, "_inner", codec), codebooks, flatten, spec, book,
                              patch_size, settings, bool(chat))
        return Layout(inner, None if encoding.name in list_encoding_names() else encoding)

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
    def chat(self) -> bool:
        """Whether the layout has the markers of chat turns."""
        return "turn_end" in self.markers

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
        """The layout's tokenizer: the one it was built with (kept by this object and its
        pickles), or the built-in encoding or tokenizer file its text part names, checked
        against its checksum."""
        if self._encoding is not None:
            return self._encoding
        name, _ = self.text
        if name not in list_encoding_names() and os.path.isfile(name):
            encoding = Encoding.from_file(name)
        else:
            encoding = get_encoding(name)
        self._inner.check_component("text", encoding.sha256())
        return encoding

    def encode(self, document: Sequence[Dict[str, Any]], *, loss: Optional[Collection[str]] = None,
               allowed_special: Union[Literal["all"], Collection[str]] = (),
               encoding: Optional[Encoding] = None, codec=None, image_quantizer=None) -> "EncodedDocument":
        """A document's IDs (as ``mux`` gives them) with, for every token, its modality, the
        index of its part and whether it counts for the loss: an :class:`EncodedDocument`.

        ``document`` is a list of parts as ``mux`` takes them (or an ``omnitok.Document``); a
        part may also say ``"loss": False`` (or ``True``). Parts that do not say count for the
        loss when ``loss`` is None, else when ``loss`` names their modality (e.g. ``{"text"}``)
        or, in a chat, their turn's role (``{"assistant"}``: the assistant's turns, their
        ``<|turn_end|>`` included and their role marker not), or both (``{"assistant",
        "text"}``: text of the assistant's turns). Markers count with the part they surround.
        An empty ``loss`` counts only the parts that say so. The other arguments are ``mux``'s."""
        return self.encode_batch([document], loss=loss, allowed_special=allowed_special, encoding=encoding,
                                 codec=codec, image_quantizer=image_quantizer)[0]

    def encode_batch(self, documents: Sequence[Sequence[Dict[str, Any]]], *, threads: Optional[int] = None,
                     loss: Optional[Collection[str]] = None,
                     allowed_special: Union[Literal["all"], Collection[str]] = (),
                     encoding: Optional[Encoding] = None, codec=None,
                     image_quantizer=None, progress: _progress.ProgressArg = None) -> List["EncodedDocument"]:
        """``encode`` of each document, in parallel with the GIL released (on ``threads``
        threads, by default one a core). Media given as arrays or files are read and encoded in
        the threads too. An error names the document and the part. ``progress``: a bar of the
        documents encoded when the session is interactive (None), always (True), never
        (False), or a callable ``progress("encoding", done, total)``. Ctrl-C stops the batch
        with ``KeyboardInterrupt``."""
        rule = _LossRule(loss)
        parts, flags = [], []
        for index, document in enumerate(documents):
            if isinstance(document, dict):
                raise ArgumentTypeError(f"document {index} is a dict; a document is a list of parts")
            document_parts, document_flags = _parts_and_loss(document, rule, f"document {index}: ")
            parts.append(document_parts)
            flags.append(document_flags)
        encoding = encoding if encoding is not None else self._encoding
        report = _progress.reporter(progress, "encode_batch")
        try:
            encoded = _encode_documents(self._inner, parts, flags, encoding, allowed_special,
                                        codec, _codebook(image_quantizer), threads, report)
        finally:
            _progress.close(report)
        return [EncodedDocument(*arrays) for arrays in encoded]

    def decode(self, ids: Union[np.ndarray, Sequence[int]], *,
               truncated: Literal["error", "drop", "keep"] = "error", encoding: Optional[Encoding] = None,
               codec=None, image_quantizer=None) -> "Document":
        """The document of ``ids`` as an ``omnitok.Document`` (see ``demux``): strict by
        default; ``truncated="drop"`` or ``"keep"`` accepts a stream cut off inside its last
        image, video or audio, as a model's output may be."""
        return Document(demux(ids, self, encoding=encoding, codec=codec, image_quantizer=image_quantizer,
                              truncated=truncated))

    def __repr__(self) -> str:
        return repr(self._inner)

    def __reduce__(self):
        return (_unpickle_layout, (self.to_json(), self._encoding))


class EncodedDocument:
    """A document's IDs with what each token is, arrays of one value a token:

    - ``ids``: uint32, the layout's IDs (what ``mux`` gives);
    - ``modality``: uint8, an index into ``omnitok.MODALITIES`` (0 text, 1 audio, 2 image, 3 video);
    - ``part``: uint32, the index of the part the token comes from (markers included);
    - ``loss_mask``: bool, whether the token counts for the loss.
    """

    __slots__ = {
        "ids": "uint32: the layout's IDs, what ``mux`` gives.",
        "modality": "uint8: each token's index into ``omnitok.MODALITIES``.",
        "part": "uint32: the index of the part each token comes from.",
        "loss_mask": "bool: whether each token counts for the loss.",
    }

    def __init__(self, ids: np.ndarray, modality: np.ndarray, part: np.ndarray, loss_mask: np.ndarray) -> None:
        self.ids = ids
        self.modality = modality
        self.part = part
        self.loss_mask = loss_mask

    def __len__(self) -> int:
        return len(self.ids)

    def tokens_by_modality(self) -> Dict[str, int]:
        """How many tokens each modality has, e.g. ``{"text": 12, "audio": 602, ...}``."""
        counts = np.bincount(self.modality, minlength=len(MODALITIES))
        return {name: int(count) for name, count in zip(MODALITIES, counts)}

    def to_dict(self) -> Dict[str, np.ndarray]:
        """``{"input_ids", "modality", "part", "loss_mask"}``: the columns a ``datasets.map``
        function returns."""
        return {"input_ids": self.ids, "modality": self.modality, "part": self.part, "loss_mask": self.loss_mask}

    def __repr__(self) -> str:
        counts = ", ".join(f"{name} {count}" for name, count in self.tokens_by_modality().items() if count)
        return f"EncodedDocument({len(self)} tokens: {counts or 'none'}; {int(self.loss_mask.sum())} in the loss)"

    def __reduce__(self):
        return (EncodedDocument, (self.ids, self.modality, self.part, self.loss_mask))


class _LossRule:
    """Which parts count for the loss by default: those of the modalities and in the turns of
    the roles that ``loss`` names (None: every modality, every role)."""

    def __init__(self, loss: Optional[Collection[str]]) -> None:
        self.modalities: Optional[set] = None
        self.roles: Optional[set] = None
        self.nothing = False
        if loss is None:
            return
        names = [loss] if isinstance(loss, str) else list(loss)
        # An empty collection: no part counts unless it says so.
        self.nothing = not names
        unknown = [name for name in names if name not in MODALITIES and name not in ROLES]
        if unknown:
            raise InputError(f"loss names modalities ({', '.join(MODALITIES)}) or roles "
                             f"({', '.join(ROLES)}); not {unknown}")
        modalities = {MODALITIES.index(name) for name in names if name in MODALITIES}
        roles = {name for name in names if name in ROLES}
        self.modalities = modalities or None
        self.roles = roles or None

    def counts(self, modality: Optional[int], role: Optional[str]) -> bool:
        return not self.nothing and ((self.modalities is None or modality in self.modalities)
                and (self.roles is None or role in self.roles))


def _parts_and_loss(parts: Sequence[Dict[str, Any]], rule: Optional[_LossRule],
                    where: str = "") -> tuple:
    """The parts without their ``"loss"`` keys, and each part's loss flag."""
    rule = rule or _LossRule(None)
    stripped, flags = [], []
    role = None
    for index, part in enumerate(parts):
        if not isinstance(part, dict):
            raise ArgumentTypeError(f"{where}part {index}: a part is a dict, not {type(part).__name__}")
        flag = part.get("loss")
        if flag is not None:
            if not isinstance(flag, (bool, np.bool_)):
                raise ArgumentTypeError(f"{where}part {index}: \"loss\" is True or False, not {flag!r}")
            part = {key: value for key, value in part.items() if key != "loss"}
        turn = part.get("turn")
        if turn is not None and turn != "end":
            # A turn's role marker is the template's, not the role's own output.
            role = turn
            default = rule.counts(0, None if rule.roles else role)
        else:
            kind = next((key for key in part if key in _PART_MODALITY), "turn")
            default = rule.counts(_PART_MODALITY.get(kind, 0), role)
            if turn == "end":
                role = None
        if flag is None:
            flag = default
        stripped.append(part)
        flags.append(bool(flag))
    return stripped, flags


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
    parts, _ = _parts_and_loss(parts, None)
    encoding = encoding if encoding is not None else layout._encoding
    return _mux(layout._inner, parts, encoding, allowed_special, codec, _codebook(image_quantizer))


def demux(ids: Union[np.ndarray, Sequence[int]], layout: Layout,
          encoding: Optional[Encoding] = None, codec=None, image_quantizer=None,
          truncated: Literal["error", "drop", "keep"] = "error") -> List[Dict[str, Any]]:
    """The parts of ``ids``, in the form ``mux`` takes, so that ``mux`` of them gives ``ids``
    again. Text is ``{"text": str}`` where the string encodes back to the same IDs (with
    ``encoding``, by default the layout's), else ``{"ids": int64 IDs}`` (special tokens, text cut
    inside a character). Codes are ``{"audio_codes": [codebooks, frames]}`` (and, given the
    ``codec``, ``"audio"``: float32 ``[channels, samples]`` and ``"sr"``),
    ``{"image_codes": [height, width]}`` and ``{"video_codes": [frames, height, width]}`` (and,
    given the layout's codebook as ``image_quantizer``, ``"image"`` / ``"video"`` pixels at the
    grid's size, whole patches: crop them to the original size). A stream that breaks the
    layout's rules raises ``ValueError`` naming the position; so does one that ends inside a
    media segment (model output cut off mid-image or mid-audio) unless ``truncated`` is
    ``"drop"`` (the cut segment is left out) or ``"keep"`` (kept up to its last whole row,
    frame or audio frame)."""
    encoding = encoding if encoding is not None else layout._encoding
    return _demux(layout._inner, ids, encoding, codec, _codebook(image_quantizer), truncated)


def _unpickle_layout(manifest: str, encoding: Optional[Encoding]) -> Layout:
    return Layout(_Layout.from_json(manifest), encoding)


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
