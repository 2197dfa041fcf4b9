"""omnitok: token IDs of one shared vocabulary for text, audio, images and video.

The text side mirrors tiktoken's API, so code written for tiktoken runs by changing the import::

    import omnitok
    enc = omnitok.get_encoding("o200k_base")
    enc.encode("hello world")          # [24912, 2375]

Differences from tiktoken, all on the side of safety:

- ``decode`` raises on token sequences whose bytes are not valid UTF-8 (tiktoken replaces them
  silently); pass ``errors="replace"`` for tiktoken's behaviour.
- ``allowed_special`` / ``disallowed_special`` naming a string that is not a special token of the
  encoding is an error rather than ignored.

Beyond tiktoken, ``Tokenizer.from_file`` loads any HF tokenizer.json (byte-level BPE,
SentencePiece-style BPE with byte fallback, Unigram, WordPiece, with their normalizers and
pre-tokenizers), and ``add_special_tokens=True`` on ``encode``, ``count``, ``encode_batch``,
``encode_to_numpy`` and ``encode_with_offsets`` puts the tokenizer's post-processor tokens
(``[CLS] … [SEP]``, ``<s>``) around the IDs as HF's ``encode`` does by default.
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ._omnitok import (
    __version__,
    Encoding,
    _compression_report_path,
    _compression_report_texts,
    _defaults,
    _plot_report,
    _show,
    _train,
    encoding_name_for_model,
    get_encoding,
    list_encoding_names,
)

from . import _progress, errors
from .errors import (
    ArgumentTypeError,
    FileError,
    FileMissingError,
    FilePermissionError,
    InputError,
    LimitError,
    OmnitokError,
    UnknownTokenError,
)

_DEFAULTS = _defaults()

from . import audio  # noqa: E402  (omnitok.audio: decoding, spectral features, codec)
from . import load  # noqa: E402  (omnitok.load: tiktoken's rank-file helpers)
from . import vision  # noqa: E402  (omnitok.vision: Pillow-exact resizing)
from .layout import MODALITIES, EncodedDocument, Layout, demux, mux  # noqa: E402  (the shared token space)
from .packing import pack  # noqa: E402  (encoded documents into fixed-length sequences)
from .document import ROLES, Document  # noqa: E402  (documents built in code, chat messages)
from .corpus import tokenize_corpus  # noqa: E402  (omnitok tokenize as a function)

Tokenizer = Encoding
"""``Tokenizer.from_file(path)`` loads tokenizer.json, a SentencePiece .model or a tiktoken rank file;
``to_file`` saves."""

__all__ = errors.__all__ + [
    "Chart",
    "CompressionReport",
    "Document",
    "EncodedDocument",
    "ROLES",
    "Layout",
    "MODALITIES",
    "pack",
    "demux",
    "mux",
    "audio",
    "vision",
    "Encoding",
    "Tokenizer",
    "compression_report",
    "show",
    "TokenView",
    "decode_with_offsets",
    "encoding_for_model",
    "encoding_name_for_model",
    "get_encoding",
    "list_encoding_names",
    "tokenize_corpus",
    "train",
]


def encoding_for_model(model_name: str) -> Encoding:
    """The encoding a model uses (``KeyError`` for an unknown model)."""
    return get_encoding(encoding_name_for_model(model_name))


def decode_with_offsets(encoding: Encoding, tokens: Sequence[int]) -> Tuple[str, List[int]]:
    """Decoded text and, per token, the char index where it starts (as tiktoken computes it:
    a token starting inside a multi-byte char is given that char's index). Same as the
    method ``encoding.decode_with_offsets(tokens)``."""
    return encoding.decode_with_offsets(list(tokens))


# The columns of CompressionReport.to_dataframe(), as in `omnitok stats --format csv`.
_FRAME_COLUMNS = [
    "lang",
    "tokenizer",
    "bytes",
    "chars",
    "tokens",
    "bytes_per_token",
    "chars_per_token",
    "ratio_vs_baseline",
    "premium",
]


class Chart:
    """A chart as PNG bytes (``.png``); notebooks show it, ``save(path)`` writes it."""

    def __init__(self, png: bytes):
        self.png = png

    def _repr_png_(self) -> bytes:
        return self.png

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the PNG to ``path``."""
        with open(path, "wb") as file:
            file.write(self.png)


class CompressionReport(list):
    """Compression per language: a list with one dict per language, as in the ``languages`` of
    ``omnitok stats --format json``, plus the report's ``encodings``, ``baseline``,
    ``reference`` and ``summary``."""

    encodings: List[str]
    baseline: str
    reference: Optional[str]
    summary: Dict[str, Any]

    def __init__(self, document: Dict[str, Any]):
        super().__init__(document["languages"])
        self.encodings = document["encodings"]
        self.baseline = document["baseline"]
        self.reference = document["reference"]
        self.summary = document["summary"]

    def to_dict(self) -> Dict[str, Any]:
        """The whole report, as ``omnitok stats --format json`` prints it."""
        return {
            "encodings": self.encodings,
            "baseline": self.baseline,
            "reference": self.reference,
            "languages": list(self),
            "summary": self.summary,
        }

    def pivot(self, metric: str = "tokens"):
        """A wide pandas DataFrame: one row per language, one column per tokenizer, holding
        ``metric`` (a column of :meth:`to_dataframe`: ``tokens``, ``bytes_per_token``,
        ``chars_per_token``, ``ratio_vs_baseline`` or ``premium``). Needs pandas."""
        if metric not in _FRAME_COLUMNS[4:]:
            raise InputError(f"metric is one of {_FRAME_COLUMNS[4:]}, not {metric!r}")
        frame = self.to_dataframe()
        wide = frame.pivot(index="lang", columns="tokenizer", values=metric)
        wide = wide.reindex(index=[language["lang"] for language in self], columns=self.encodings)
        wide.columns.name = metric
        return wide

    def plot(
        self,
        path: Union[str, "os.PathLike[str]", None] = None,
        *,
        metric: str = "tokens",
        title: Optional[str] = None,
    ) -> "Chart":
        """The report as a chart, drawn as ``omnitok stats --plot`` draws it: one group of bars
        per language, one bar per tokenizer, showing ``metric`` (``"tokens"``, ``"ratio"``
        against the baseline, or ``"premium"`` over the reference language). Returns a
        :class:`Chart` (PNG; notebooks show it); with ``path`` (``.png`` or ``.svg``) the chart is
        also written there."""
        import tempfile

        languages = [
            (
                language["lang"],
                language["bytes"],
                language["chars"],
                [language["tokens"][name] for name in self.encodings],
                None
                if language.get("reference_tokens") is None
                else [language["reference_tokens"][name] for name in self.encodings],
            )
            for language in self
        ]
        draw = lambda target: _plot_report(  # noqa: E731
            self.encodings, self.baseline, self.reference, languages, target, metric, title
        )
        if path is not None:
            draw(os.fspath(path))
        with tempfile.TemporaryDirectory() as folder:
            png = os.path.join(folder, "report.png")
            draw(png)
            with open(png, "rb") as file:
                return Chart(file.read())

    def _repr_html_(self) -> str:
        """The report as an HTML table (how notebooks show it): tokens per language and
        tokenizer, with the ratio to the baseline."""
        from html import escape

        head = "".join(f"<th>{escape(name)}</th>" for name in self.encodings)
        rows = []
        for language in self:
            cells = []
            for name in self.encodings:
                ratio = language["ratio_vs_baseline"][name]
                shown = "" if ratio is None else f" <small>({ratio:.2f}x)</small>"
                cells.append(f"<td>{language['tokens'][name]:,}{shown}</td>")
            rows.append(f"<tr><th>{escape(language['lang'])}</th>{''.join(cells)}</tr>")
        caption = f"tokens per language (x: against {escape(self.baseline)})"
        return (
            f"<table><caption>{caption}</caption><thead><tr><th>lang</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def to_dataframe(self):
        """A pandas DataFrame with one row per language and tokenizer (the columns of
        ``omnitok stats --format csv``); the summary is in ``.attrs``. Needs pandas."""
        try:
            import pandas as pd
        except ImportError as e:
            message = "CompressionReport.to_dataframe needs pandas: pip install pandas"
            raise ImportError(message) from e
        rows = []
        for language in self:
            premium = language["premium"] or {}
            for name in self.encodings:
                rows.append(
                    {
                        "lang": language["lang"],
                        "tokenizer": name,
                        "bytes": language["bytes"],
                        "chars": language["chars"],
                        "tokens": language["tokens"][name],
                        "bytes_per_token": language["bytes_per_token"][name],
                        "chars_per_token": language["chars_per_token"][name],
                        "ratio_vs_baseline": language["ratio_vs_baseline"][name],
                        "premium": premium.get(name),
                    }
                )
        frame = pd.DataFrame(rows, columns=_FRAME_COLUMNS)
        frame.attrs.update(
            encodings=self.encodings,
            baseline=self.baseline,
            reference=self.reference,
            summary=self.summary,
        )
        return frame


class TokenView:
    """Texts as each tokenizer cuts them (:func:`show`): a notebook shows the tokenizers side by
    side, each token on its own colour with its IDs and pieces on hover; ``print(view)`` prints
    ``|`` between tokens, ``view.print()`` colours them in a terminal, ``view.save(path)``
    writes the page of ``omnitok show --html``."""

    def __init__(self, fragment: str, page: str, plain: str, coloured: str, size: Tuple[int, int]):
        self._fragment = fragment
        self._page = page
        self._plain = plain
        self._coloured = coloured
        self._size = size

    def _repr_html_(self) -> str:
        return self._fragment

    def __str__(self) -> str:
        return self._plain

    def __repr__(self) -> str:
        texts, tokenizers = self._size
        return f"<TokenView of {texts} texts under {tokenizers} tokenizers>"

    def print(self, color: bool = True) -> None:
        """Prints the texts with each token on its own background colour (ANSI codes), or with
        ``|`` between tokens when ``color`` is false."""
        print(self._coloured if color else self._plain, end="")

    def to_html(self) -> str:
        """The whole self-contained page (what :meth:`save` writes)."""
        return self._page

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the page to ``path``, whole or not at all."""
        from ._files import write_atomically

        write_atomically(path, self._page)


def show(
    texts: Union[str, Mapping[str, str]],
    encodings: Union[str, Encoding, Sequence[Union[str, Encoding]]] = (_DEFAULTS["encoding"],),
    *,
    max_chars: int = 2000,
) -> TokenView:
    """How each of ``encodings`` cuts ``texts``: a text, or a mapping of names (languages) to
    texts, each shortened to ``max_chars`` chars and encoded as ordinary text. ``encodings``
    are built-in names, ``Encoding`` objects (any family, ``Tokenizer.from_file(path,
    name=...)``) or tiktoken ``Encoding`` objects. Byte-level tokenizers show the text itself; a
    tokenizer whose normalizer rewrites the text shows it as it decodes, and says so. Same as
    ``omnitok show``."""
    if isinstance(encodings, (str, Encoding)) or hasattr(encodings, "_mergeable_ranks"):
        encodings = [encodings]
    named = [("text", texts)] if isinstance(texts, str) else list(texts.items())
    if max_chars < 0:
        raise InputError(f"max_chars is a number of chars, not {max_chars}")
    encodings = list(encodings)
    fragment, page, plain, coloured = _show(named, encodings, max_chars)
    return TokenView(fragment, page, plain, coloured, (len(named), len(encodings)))


def compression_report(
    source: Union[str, "os.PathLike[str]", Mapping[str, Union[str, Sequence[str]]]],
    encodings: Union[str, Encoding, Sequence[Union[str, Encoding]]] = (_DEFAULTS["encoding"],),
    *,
    baseline: Optional[str] = None,
    reference: Optional[str] = None,
    parallel: bool = False,
    lang_field: Optional[str] = None,
    field: Optional[str] = None,
    sort: Optional[str] = None,
    as_dataframe: bool = False,
):
    """Compression per language: bytes, chars and tokens of each language under each encoding,
    bytes and chars per token, tokens against the ``baseline`` encoding and, on parallel text,
    the premium of each language over the ``reference`` language. Same data as
    ``omnitok stats --format json``.

    ``source`` is a folder of ``<language>.txt`` files, a JSON Lines file (language in
    ``lang_field``, default ``lang``; text in ``field``, default ``text``), or a mapping of language to a text or
    a list of texts. With ``reference`` (or ``parallel=True``, reference ``en``) the texts are
    translations of each other: a folder's files or the mapping's values say the same thing, and
    a JSON Lines file holds one pair a line, ``{"lang", "en", "tr"}`` (translation in ``field``,
    default ``tr``). ``encodings`` are built-in names or ``Encoding`` objects; ``baseline``
    defaults to the first. ``sort`` is ``"lang"``, ``"tokens"``, ``"ratio"`` or ``"premium"``.

    Returns a :class:`CompressionReport` (a list of one dict per language, with ``summary``),
    or its pandas DataFrame with ``as_dataframe=True``.
    """
    if isinstance(encodings, (str, Encoding)):
        encodings = [encodings]
    if reference is None and parallel:
        reference = _DEFAULTS["reference"]
    if isinstance(source, Mapping):
        texts = [
            (lang, [value] if isinstance(value, str) else list(value))
            for lang, value in source.items()
        ]
        document = _compression_report_texts(texts, list(encodings), baseline, reference, sort)
    else:
        document = _compression_report_path(
            os.fspath(source), list(encodings), baseline, reference, lang_field, field, sort
        )
    report = CompressionReport(json.loads(document))
    return report.to_dataframe() if as_dataframe else report


def train(
    source: Union[
        str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]], Mapping[str, Union[str, Sequence[str]]]
    ],
    vocab_size: int,
    *,
    output_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
    pattern: Optional[str] = None,
    special_tokens: Sequence[str] = (),
    min_frequency: Optional[int] = None,
    max_token_bytes: Optional[int] = None,
    lang_temperature: Optional[float] = None,
    lang_from: Optional[str] = None,
    lang_field: Optional[str] = None,
    field: Optional[str] = None,
    glob: Optional[str] = None,
    parity_aware: bool = False,
    parity_dev: Optional[Union[str, "os.PathLike[str]"]] = None,
    reference: Optional[str] = None,
    global_merges: Optional[int] = None,
    parity_window: Optional[int] = None,
    parity_alpha: Optional[float] = None,
    parity_weighted: Optional[float] = None,
    parity_budget: Optional[float] = None,
    threads: Optional[int] = None,
    name: Optional[str] = None,
    progress: _progress.ProgressArg = None,
) -> Encoding:
    """Trains a byte-level BPE tokenizer, as ``omnitok train`` does, and returns it.

    ``source`` is a path or a list of paths (files or folders of text, JSON Lines with the text
    in ``field``, or Parquet with the text in column ``field``; plain, gzip or zstd), or a
    mapping of language to a text or a list of texts held in memory (use the key ``""`` for
    unlabelled text). ``glob`` keeps only the files under folders whose relative path matches
    it (``"*.txt"``). For files, ``lang_from="file"`` takes each file's language from its name
    (``de.txt``), and ``lang_field`` from a JSON Lines field.

    ``vocab_size`` counts the 256 byte tokens and the ``special_tokens``; training that stops
    short of it (no pair left occurs ``min_frequency`` times) gives a ``UserWarning``. ``pattern`` is
    ``"o200k"``, ``"cl100k"`` or a regex. ``lang_temperature`` re-weights languages by
    ``n(l) ** T``. ``parity_aware=True`` merges for the language worst compressed on the
    parallel development set ``parity_dev`` (as ``compression_report`` reads it, ``reference``
    being its reference language); ``global_merges`` chooses the first merges classically
    (hybrid variant), ``parity_window`` / ``parity_alpha`` select the moving-window variant, and
    ``parity_weighted=B`` the weighted variant (each merge is the pair with the highest count
    summed over languages, a language's count weighted by ``max(1, premium / mean) ** B``);
    ``parity_budget=P`` chooses ``B`` itself on the development set: the lowest Gini there among
    the exponents whose development-set tokens are at most ``P`` percent above classical BPE's
    (several trainings; each is listed in training.json).
    With ``output_dir``, the files of ``omnitok train`` are
    written there (tokenizer.json, tokenizer.tiktoken, training.json, a report).

    A setting left as None takes the default of ``omnitok train`` (``omnitok train --help``
    shows them: ``pattern="o200k"``, ``min_frequency=2``, ``lang_temperature=1.0``,
    ``field="text"``, ``reference="en"``, ``global_merges=0``, ``parity_alpha=2.0``), and the
    tokenizer is named ``"trained"`` unless ``name`` says otherwise.

    ``progress``: a bar when the session is interactive (None), always (True), never (False),
    or a callable ``progress(stage, done, total)`` (stages ``"reading"`` bytes or ``"counting"``
    documents, then ``"merging"``). Ctrl-C stops training with ``KeyboardInterrupt``.
    """
    if isinstance(source, Mapping):
        texts = [
            (lang, [value] if isinstance(value, str) else list(value))
            for lang, value in source.items()
        ]
        inputs: List[str] = []
    else:
        texts = None
        paths = [source] if isinstance(source, (str, os.PathLike)) else list(source)
        inputs = [os.fspath(path) for path in paths]
    report = _progress.reporter(progress, "train")
    try:
        encoding = _train(
            inputs,
            texts,
            vocab_size,
            None if output_dir is None else os.fspath(output_dir),
            pattern,
            list(special_tokens),
            min_frequency,
            max_token_bytes,
            lang_temperature,
            lang_from,
            lang_field,
            field,
            glob,
            parity_aware,
            None if parity_dev is None else os.fspath(parity_dev),
            reference,
            global_merges,
            parity_window,
            parity_alpha,
            parity_weighted,
            parity_budget,
            threads,
            name,
            report,
        )
    finally:
        _progress.close(report)
    if encoding.n_vocab < vocab_size:
        warnings.warn(
            f"the vocabulary has {encoding.n_vocab} tokens, not the {vocab_size} asked for: no "
            f"pair left occurs at least {min_frequency} times (min_frequency)",
            stacklevel=2,
        )
    return encoding
