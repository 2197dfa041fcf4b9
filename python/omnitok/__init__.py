"""omnitok: token IDs of one shared vocabulary for text (and, in time, audio, images and video).

The text side mirrors tiktoken's API, so code written for tiktoken runs by changing the import::

    import omnitok
    enc = omnitok.get_encoding("o200k_base")
    enc.encode("hello world")          # [24912, 2375]

Differences from tiktoken, all on the side of safety:

- ``decode`` raises on token sequences whose bytes are not valid UTF-8 (tiktoken replaces them
  silently); pass ``errors="replace"`` for tiktoken's behaviour.
- ``allowed_special`` / ``disallowed_special`` naming a string that is not a special token of the
  encoding is an error rather than ignored.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

from ._omnitok import (
    Encoding,
    encoding_name_for_model,
    get_encoding,
    list_encoding_names,
)

Tokenizer = Encoding
"""``Tokenizer.from_file(path)`` loads tokenizer.json or a tiktoken rank file; ``to_file`` saves."""

__all__ = [
    "Encoding",
    "Tokenizer",
    "decode_with_offsets",
    "encoding_for_model",
    "encoding_name_for_model",
    "get_encoding",
    "list_encoding_names",
]


def encoding_for_model(model_name: str) -> Encoding:
    """The encoding a model uses (``KeyError`` for an unknown model)."""
    return get_encoding(encoding_name_for_model(model_name))


def decode_with_offsets(encoding: Encoding, tokens: Sequence[int]) -> Tuple[str, List[int]]:
    """Decoded text and, per token, the char index where it starts (as tiktoken computes it:
    a token starting inside a multi-byte char is given that char's index)."""
    token_bytes = encoding.decode_tokens_bytes(list(tokens))
    offsets: List[int] = []
    text_len = 0
    for token in token_bytes:
        starts_inside = bool(token) and 0x80 <= token[0] < 0xC0
        offsets.append(max(0, text_len - starts_inside))
        text_len += sum(1 for c in token if not 0x80 <= c < 0xC0)
    return b"".join(token_bytes).decode("utf-8", errors="replace"), offsets
