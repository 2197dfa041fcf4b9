"""Documents built in code, and from chat messages as HF processors and the OpenAI API write them.

A ``Document`` is a list of parts (the dicts ``mux`` and ``Layout.encode`` take), so it goes
wherever such a list goes::

    doc = Document().text("Describe this:").image("cat.png").text(" A cat.", loss=True)
    doc = Document.from_messages([
        {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                     {"type": "image", "image": pixels}]},
        {"role": "assistant", "content": "A cat."},
    ])
    encoded = layout.encode(doc, loss={"assistant"})   # a layout built with chat=True

In a chat layout each message is its role's marker (``<|user|>``), its content, and
``<|turn_end|>``: markers that only these parts emit, never text, whatever the text says.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import os
import tempfile
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

import numpy as np

from .errors import ArgumentTypeError, InputError

__all__ = ["Document", "ROLES"]

ROLES = ("system", "user", "assistant", "tool")
"""The roles of chat turns; ``developer`` messages (the OpenAI API's) are system turns."""

_ROLE_ALIASES = {"developer": "system"}


class Document(List[Dict[str, Any]]):
    """A list of parts, built by chained calls (each returns the document). ``loss`` on a part
    sets its ``"loss"`` flag (see ``Layout.encode``); left as None, the ``loss`` argument of
    ``encode`` decides."""

    def _add(self, part: Dict[str, Any], loss: Optional[bool]) -> "Document":
        if loss is not None:
            part["loss"] = bool(loss)
        self.append(part)
        return self

    def text(self, text: str, *, loss: Optional[bool] = None) -> "Document":
        """Text, encoded by the layout's tokenizer."""
        if not isinstance(text, str):
            raise ArgumentTypeError(f"text is a str, not {type(text).__name__}")
        return self._add({"text": text}, loss)

    def ids(self, ids: Any, *, loss: Optional[bool] = None) -> "Document":
        """Text as token IDs of the layout's tokenizer."""
        return self._add({"ids": ids}, loss)

    def audio(self, audio: Any, sr: Optional[int] = None, *, loss: Optional[bool] = None) -> "Document":
        """Sound: a path, or float samples (``[samples]`` or ``[channels, samples]``) at ``sr``
        Hz, encoded by the layout's codec."""
        part: Dict[str, Any] = {"audio": audio}
        if sr is not None:
            part["sr"] = int(sr)
        elif not _is_path(audio):
            raise InputError("audio samples need their rate: audio(samples, sr)")
        return self._add(part, loss)

    def audio_codes(self, codes: Any, *, loss: Optional[bool] = None) -> "Document":
        """Audio codes ``[codebooks, frames]`` (an array or a ``.npy`` path)."""
        return self._add({"audio_codes": codes}, loss)

    def image(self, image: Any, *, loss: Optional[bool] = None) -> "Document":
        """A picture: a path, uint8 ``[height, width, 3]``, or a PIL image."""
        return self._add({"image": _pixels(image)}, loss)

    def image_codes(self, codes: Any, *, loss: Optional[bool] = None) -> "Document":
        """Image codes ``[height, width]`` (an array or a ``.npy`` path)."""
        return self._add({"image_codes": codes}, loss)

    def video(self, video: Any, *, loss: Optional[bool] = None) -> "Document":
        """A video: a path, or uint8 ``[frames, height, width, 3]``."""
        return self._add({"video": video}, loss)

    def video_codes(self, codes: Any, *, loss: Optional[bool] = None) -> "Document":
        """Video codes ``[frames, height, width]`` (an array or a ``.npy`` path)."""
        return self._add({"video_codes": codes}, loss)

    def turn(self, role: str) -> "Document":
        """Starts a turn of ``role`` (one of ``ROLES``) with its marker."""
        return self._add({"turn": _role(role)}, None)

    def end_turn(self) -> "Document":
        """Ends the turn with ``<|turn_end|>``."""
        return self._add({"turn": "end"}, None)

    def message(self, role: str, content: Any, *, base_dir: Optional[Union[str, "os.PathLike[str]"]] = None) -> "Document":
        """One chat message: the role's marker, the content, the end of the turn. ``content``
        is a string, or a list of items as in :meth:`from_messages`."""
        self.turn(role)
        for index, item in enumerate(_items(content)):
            try:
                self.append(_content_part(item, base_dir))
            except (InputError, ArgumentTypeError) as e:
                raise type(e)(f"content item {index}: {e}") from None
        return self.end_turn()

    @classmethod
    def from_messages(cls, messages: Iterable[Mapping[str, Any]], *,
                      base_dir: Optional[Union[str, "os.PathLike[str]"]] = None) -> "Document":
        """A conversation: ``[{"role": ..., "content": ...}, ...]``. Content is a string or a
        list of items: ``{"type": "text", "text": ...}``; ``{"type": "image", "image": array,
        PIL image or path}`` (or ``"path"``, ``"url"``), ``{"type": "image_url", "image_url":
        {"url": ...}}``; ``{"type": "audio", "audio": path, samples with ``"sampling_rate"``, or
        a datasets ``{"array", "sampling_rate"}`` dict}`` (or ``"path"``, ``"url"``),
        ``{"type": "input_audio", "input_audio": {"data": base64, "format": "wav"}}``;
        ``{"type": "video", "video": array or path}``. URLs are ``file://`` paths or base64
        ``data:`` URLs (omnitok fetches nothing); relative paths resolve against ``base_dir``.
        A message's ``tool_calls`` are written as JSON text after its content."""
        document = cls()
        for index, message in enumerate(messages):
            if not isinstance(message, Mapping) or "role" not in message:
                raise InputError(f"message {index}: a message is a dict with \"role\" and \"content\"")
            try:
                document.message(message["role"], message.get("content"), base_dir=base_dir)
            except (InputError, ArgumentTypeError) as e:
                raise type(e)(f"message {index}: {e}") from None
            calls = message.get("tool_calls")
            if calls:
                document.insert(len(document) - 1, {"text": json.dumps(calls, ensure_ascii=False, default=str)})
        return document

    def __repr__(self) -> str:
        kinds = [next((key for key in part if key not in ("sr", "loss")), "?") for part in self]
        return f"Document({len(self)} parts: {', '.join(kinds)})"


def _role(role: Any) -> str:
    role = _ROLE_ALIASES.get(role, role)
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; one of {', '.join(ROLES)} (or developer)")
    return role


def _items(content: Any) -> List[Any]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, (list, tuple)):
        return list(content)
    raise ArgumentTypeError(f"content is a string or a list of items, not {type(content).__name__}")


def _content_part(item: Any, base_dir: Any) -> Dict[str, Any]:
    """The part of one content item."""
    if isinstance(item, str):
        return {"text": item}
    if not isinstance(item, Mapping):
        raise ArgumentTypeError(f"an item is a dict with \"type\", not {type(item).__name__}")
    kind = item.get("type")
    if kind == "text":
        text = item.get("text")
        if not isinstance(text, str):
            raise InputError("a text item has \"text\", a string")
        return {"text": text}
    if kind in ("image", "image_url"):
        source = _source(item, kind, ("image", "path", "url", "image_url"))
        return {"image": _pixels(_local(source, base_dir, "image"))}
    if kind in ("audio", "input_audio"):
        source = _source(item, kind, ("audio", "path", "url", "input_audio"))
        return _audio_part(source, item, base_dir)
    if kind == "video":
        source = _source(item, kind, ("video", "path", "url"))
        return {"video": _local(source, base_dir, "video")}
    raise InputError(f"unknown item type {kind!r}; one of text, image, image_url, audio, input_audio, video")


def _source(item: Mapping[str, Any], kind: str, keys: tuple) -> Any:
    for key in keys:
        if item.get(key) is not None:
            value = item[key]
            # {"image_url": {"url": ...}} and {"input_audio": {"data": ..., "format": ...}}
            if key in ("image_url",) and isinstance(value, Mapping):
                return value.get("url")
            return value
    raise InputError(f"a {kind} item has one of {', '.join(repr(k) for k in keys)}")


def _local(source: Any, base_dir: Any, what: str) -> Any:
    """A path for a path or URL (``file://``, base64 ``data:`` written to a temporary file and
    decoded), else ``source`` as it is (an array)."""
    if not isinstance(source, str):
        return source
    if source.startswith("data:"):
        return _data_url(source, what)
    if source.startswith("file://"):
        return source[len("file://"):]
    if "://" in source:
        raise InputError(f"{source}: omnitok reads local files only; download it first")
    return os.path.join(os.fspath(base_dir), source) if base_dir is not None else source


def _data_url(url: str, what: str) -> Any:
    header, _, payload = url.partition(",")
    if not header.endswith(";base64"):
        raise InputError(f"a data: URL of a {what} is base64 (data:...;base64,...)")
    data = _base64(payload)
    if what == "audio":
        from . import audio

        samples, rate = audio.load(io.BytesIO(data), mono=False)
        return {"array": samples, "sampling_rate": rate}
    from . import vision

    suffix = "." + header[len("data:"):].split(";")[0].split("/")[-1]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "item" + suffix)
        with open(path, "wb") as f:
            f.write(data)
        return vision.load(path)


def _base64(payload: str) -> bytes:
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as e:
        raise InputError(f"not base64: {e}") from None


def _audio_part(source: Any, item: Mapping[str, Any], base_dir: Any) -> Dict[str, Any]:
    if isinstance(source, Mapping) and "data" in source:
        from . import audio

        samples, rate = audio.load(io.BytesIO(_base64(source["data"])), mono=False)
        return {"audio": samples, "sr": rate}
    source = _local(source, base_dir, "audio")
    if isinstance(source, Mapping):
        # A datasets Audio value: {"array": samples, "sampling_rate": rate, "path": ...}.
        if source.get("array") is None:
            if source.get("path"):
                return {"audio": _local(source["path"], base_dir, "audio")}
            raise InputError("an audio dict has \"array\" and \"sampling_rate\"")
        return {"audio": source["array"], "sr": int(source["sampling_rate"])}
    if _is_path(source):
        return {"audio": source}
    rate = item.get("sampling_rate", item.get("sr"))
    if rate is None:
        raise InputError("audio samples need their rate: \"sampling_rate\"")
    return {"audio": source, "sr": int(rate)}


def _is_path(value: Any) -> bool:
    return isinstance(value, str) or hasattr(value, "__fspath__")


def _pixels(image: Any) -> Any:
    """A PIL image as uint8 ``[height, width, 3]``; paths and arrays as they are."""
    if hasattr(image, "convert") and hasattr(image, "size") and not isinstance(image, np.ndarray):
        return np.asarray(image.convert("RGB"))
    return image
