import os
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union, overload

import pandas

from . import audio as audio
from . import errors as errors
from . import load as load
from . import vision as vision
from .corpus import tokenize_corpus as tokenize_corpus
from .errors import ArgumentTypeError as ArgumentTypeError
from .errors import FileError as FileError
from .errors import FileMissingError as FileMissingError
from .errors import FilePermissionError as FilePermissionError
from .errors import InputError as InputError
from .errors import LimitError as LimitError
from .errors import OmnitokError as OmnitokError
from .errors import UnknownTokenError as UnknownTokenError
from .layout import Layout as Layout
from .layout import EncodedDocument as EncodedDocument
from .layout import MODALITIES as MODALITIES
from .packing import pack as pack
from .document import Document as Document
from .document import ROLES as ROLES
from .layout import demux as demux
from .layout import mux as mux
from ._omnitok import Encoding as Encoding
from ._omnitok import __version__ as __version__
from ._omnitok import encoding_name_for_model as encoding_name_for_model
from ._omnitok import get_encoding as get_encoding
from ._omnitok import list_encoding_names as list_encoding_names

Tokenizer = Encoding

def encoding_for_model(model_name: str) -> Encoding: ...
def decode_with_offsets(encoding: Encoding, tokens: Sequence[int]) -> Tuple[str, List[int]]: ...

class Chart:
    """A chart as PNG bytes; notebooks show it."""

    png: bytes
    def __init__(self, png: bytes) -> None: ...
    def _repr_png_(self) -> bytes: ...
    def save(self, path: Union[str, os.PathLike[str]]) -> None: ...

class CompressionReport(List[Dict[str, Any]]):
    """Compression per language: one dict per language, plus the report's summary."""

    encodings: List[str]
    baseline: str
    reference: Optional[str]
    summary: Dict[str, Any]
    def __init__(self, document: Dict[str, Any]) -> None: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_dataframe(self) -> pandas.DataFrame: ...
    def pivot(self, metric: str = "tokens") -> pandas.DataFrame: ...
    def plot(
        self,
        path: Union[str, os.PathLike[str], None] = None,
        *,
        metric: Literal["tokens", "ratio", "premium"] = "tokens",
        title: Optional[str] = None,
    ) -> Chart: ...
    def _repr_html_(self) -> str: ...

class TokenView:
    """Texts as each tokenizer cuts them; notebooks show them side by side."""

    def __init__(
        self, fragment: str, page: str, plain: str, coloured: str, size: Tuple[int, int]
    ) -> None: ...
    def _repr_html_(self) -> str: ...
    def print(self, color: bool = True) -> None: ...
    def to_html(self) -> str: ...
    def save(self, path: Union[str, os.PathLike[str]]) -> None: ...

def show(
    texts: Union[str, Mapping[str, str]],
    encodings: Union[str, Encoding, Sequence[Union[str, Encoding]]] = ...,
    *,
    max_chars: int = 2000,
) -> TokenView: ...

_Source = Union[str, os.PathLike[str], Mapping[str, Union[str, Sequence[str]]]]
_Encodings = Union[str, Encoding, Sequence[Union[str, Encoding]]]

@overload
def compression_report(
    source: _Source,
    encodings: _Encodings = ...,
    *,
    baseline: Optional[str] = ...,
    reference: Optional[str] = ...,
    parallel: bool = ...,
    lang_field: Optional[str] = ...,
    field: Optional[str] = ...,
    sort: Optional[Literal["lang", "tokens", "ratio", "premium"]] = ...,
    as_dataframe: Literal[False] = ...,
) -> CompressionReport: ...
@overload
def compression_report(
    source: _Source,
    encodings: _Encodings = ...,
    *,
    baseline: Optional[str] = ...,
    reference: Optional[str] = ...,
    parallel: bool = ...,
    lang_field: Optional[str] = ...,
    field: Optional[str] = ...,
    sort: Optional[Literal["lang", "tokens", "ratio", "premium"]] = ...,
    as_dataframe: Literal[True],
) -> pandas.DataFrame: ...
def train(
    source: Union[
        str,
        os.PathLike[str],
        Sequence[Union[str, os.PathLike[str]]],
        Mapping[str, Union[str, Sequence[str]]],
    ],
    vocab_size: int,
    *,
    output_dir: Optional[Union[str, os.PathLike[str]]] = ...,
    pattern: Optional[str] = ...,
    special_tokens: Sequence[str] = ...,
    min_frequency: Optional[int] = ...,
    max_token_bytes: Optional[int] = ...,
    lang_temperature: Optional[float] = ...,
    lang_from: Optional[Literal["file", "field", "none"]] = ...,
    lang_field: Optional[str] = ...,
    field: Optional[str] = ...,
    glob: Optional[str] = ...,
    parity_aware: bool = ...,
    parity_dev: Optional[Union[str, os.PathLike[str]]] = ...,
    reference: Optional[str] = ...,
    global_merges: Optional[int] = ...,
    parity_window: Optional[int] = ...,
    parity_alpha: Optional[float] = ...,
    parity_weighted: Optional[float] = ...,
    parity_budget: Optional[float] = ...,
    threads: Optional[int] = ...,
    name: Optional[str] = ...,
    progress: Union[None, bool, Callable[[str, int, int], Any]] = ...,
) -> Encoding: ...
