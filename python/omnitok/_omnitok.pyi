from os import PathLike
from typing import AbstractSet, Any, Collection, Dict, List, Literal, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

_Specials = Union[Literal["all"], AbstractSet[str], Collection[str]]

__version__: str

class Encoding:
    """A tokenizer with tiktoken's API: byte-level BPE, or any HF tokenizer.json family."""

    def __init__(
        self,
        name: str,
        pat_str: str,
        mergeable_ranks: Dict[bytes, int],
        special_tokens: Dict[str, int],
        explicit_n_vocab: Optional[int] = None,
    ) -> None: ...
    @property
    def _pat_str(self) -> str: ...
    @property
    def _mergeable_ranks(self) -> Dict[bytes, int]: ...
    def is_special_token(self, token: int) -> bool: ...
    def _encode_bytes(self, bytes: bytes) -> List[int]: ...
    def decode_batch(
        self, batch: Sequence[Sequence[int]], *, errors: Literal["strict", "replace", "ignore"] = "replace", num_threads: int = 8
    ) -> List[str]: ...
    def decode_bytes_batch(self, batch: Sequence[Sequence[int]], *, num_threads: int = 8) -> List[bytes]: ...
    def decode_with_offsets(self, tokens: Sequence[int]) -> Tuple[str, List[int]]: ...
    @staticmethod
    def from_file(
        path: Union[str, PathLike[str]], pattern: Optional[str] = None, name: Optional[str] = None
    ) -> Encoding: ...
    def to_file(self, path: Union[str, PathLike[str]]) -> None: ...
    def to_json(self) -> str: ...
    @property
    def name(self) -> str: ...
    def sha256(self) -> str: ...
    @property
    def pattern(self) -> str: ...
    @property
    def n_vocab(self) -> int: ...
    @property
    def max_token_value(self) -> int: ...
    @property
    def eot_token(self) -> int: ...
    @property
    def special_tokens_set(self) -> set[str]: ...
    @property
    def _special_tokens(self) -> dict[str, int]: ...
    def encode(
        self,
        text: str,
        *,
        allowed_special: _Specials = ...,
        disallowed_special: _Specials = "all",
        add_special_tokens: bool = False,
    ) -> List[int]: ...
    def encode_with_unstable(
        self,
        text: str,
        *,
        allowed_special: Union[Literal["all"], AbstractSet[str]] = ...,
        disallowed_special: Union[Literal["all"], Collection[str]] = ...,
    ) -> Tuple[List[int], List[List[int]]]: ...
    def encode_ordinary(self, text: str) -> List[int]: ...
    def encode_to_numpy(
        self,
        text: str,
        *,
        allowed_special: _Specials = ...,
        disallowed_special: _Specials = "all",
        add_special_tokens: bool = False,
    ) -> npt.NDArray[np.uint32]: ...
    def count(
        self,
        text: str,
        *,
        allowed_special: _Specials = ...,
        disallowed_special: _Specials = "all",
        add_special_tokens: bool = False,
    ) -> int: ...
    def encode_with_offsets(
        self,
        text: str,
        *,
        allowed_special: _Specials = ...,
        disallowed_special: _Specials = "all",
        add_special_tokens: bool = False,
    ) -> List[Tuple[int, int, int, int, int]]: ...
    def encode_batch(
        self,
        text: Sequence[str],
        *,
        num_threads: int = 8,
        allowed_special: _Specials = ...,
        disallowed_special: _Specials = "all",
        add_special_tokens: bool = False,
    ) -> List[List[int]]: ...
    def encode_ordinary_batch(self, text: Sequence[str], *, num_threads: int = 8) -> List[List[int]]: ...
    def encode_single_token(self, text_or_bytes: Union[str, bytes]) -> int: ...
    def decode(self, tokens: Sequence[int], errors: Literal["strict", "replace", "ignore"] = "strict") -> str: ...
    def decode_bytes(self, tokens: Sequence[int]) -> bytes: ...
    def decode_single_token_bytes(self, token: int) -> bytes: ...
    def decode_tokens_bytes(self, tokens: Sequence[int]) -> List[bytes]: ...
    def token_byte_values(self) -> List[bytes]: ...

def get_encoding(name: str) -> Encoding: ...
def encoding_name_for_model(model_name: str) -> str: ...
def list_encoding_names() -> List[str]: ...

def _parse_ranks(data: bytes, source: str) -> Dict[bytes, int]: ...
def _format_ranks(ranks: Dict[bytes, int]) -> str: ...
def _compression_report_path(
    path: str,
    encodings: Sequence[Union[str, Encoding]],
    baseline: Optional[str] = None,
    reference: Optional[str] = None,
    lang_field: Optional[str] = None,
    field: Optional[str] = None,
    sort: Optional[str] = None,
) -> str: ...
def _compression_report_texts(
    texts: Sequence[Tuple[str, Sequence[str]]],
    encodings: Sequence[Union[str, Encoding]],
    baseline: Optional[str] = None,
    reference: Optional[str] = None,
    sort: Optional[str] = None,
) -> str: ...
def _plot_report(
    encodings: Sequence[str],
    baseline: str,
    reference: Optional[str],
    languages: Sequence[Tuple[str, int, int, Sequence[int], Optional[Sequence[int]]]],
    path: str,
    metric: str = "tokens",
    title: Optional[str] = None,
) -> None: ...
def _show(
    texts: Sequence[Tuple[str, str]],
    encodings: Sequence[Union[str, Encoding]],
    max_chars: int,
) -> Tuple[str, str, str, str]: ...
def _train(
    inputs: Sequence[str],
    texts: Optional[Sequence[Tuple[str, Sequence[str]]]],
    vocab_size: int,
    output_dir: Optional[str] = None,
    pattern: Optional[str] = None,
    special_tokens: Sequence[str] = ...,
    min_frequency: Optional[int] = None,
    max_token_bytes: Optional[int] = None,
    lang_temperature: Optional[float] = None,
    lang_from: Optional[str] = None,
    lang_field: Optional[str] = None,
    field: Optional[str] = None,
    glob: Optional[str] = None,
    parity_aware: bool = False,
    parity_dev: Optional[str] = None,
    reference: Optional[str] = None,
    global_merges: Optional[int] = None,
    parity_window: Optional[int] = None,
    parity_alpha: Optional[float] = None,
    parity_weighted: Optional[float] = None,
    parity_budget: Optional[float] = None,
    threads: Optional[int] = None,
    name: Optional[str] = None,
) -> Encoding: ...
def _write_atomically(path: str, data: bytes) -> None: ...
def _defaults() -> Dict[str, Union[str, int, float]]: ...
def _audio_presets() -> List[str]: ...
def _audio_load(
    path: str,
    sr: Optional[int] = None,
    mono: bool = True,
    max_file_bytes: Optional[int] = None,
    max_seconds: Optional[float] = None,
    max_channels: Optional[int] = None,
) -> Tuple[Any, int]: ...
def _audio_features(samples: Any, sr: float, preset: str = "librosa-mel", **overrides: object) -> Any: ...

class StreamingFeatures:
    """Features of audio that arrives in chunks: each frame as soon as its samples are in,
    equal to the offline frame without the floor that depends on the whole signal (top_db,
    Whisper's maximum minus 8)."""

    def __init__(self, preset: str, sr: float, **overrides: object) -> None: ...
    def push(self, chunk: np.ndarray) -> np.ndarray: ...
    def flush(self) -> np.ndarray: ...
    @property
    def latency_samples(self) -> int: ...

class CodecEncoderStream:
    def push(self, samples: np.ndarray) -> np.ndarray: ...
    def flush(self) -> np.ndarray: ...
    @property
    def latency_samples(self) -> int: ...

class CodecDecoderStream:
    def push(self, codes: np.ndarray) -> np.ndarray: ...
    def flush(self) -> np.ndarray: ...

class Codec:
    @staticmethod
    def from_pretrained(path: Union[str, PathLike[str]]) -> Codec: ...
    @staticmethod
    def default() -> Codec: ...
    @overload
    def encode(
        self,
        samples: np.ndarray,
        sr: int,
        bandwidth: Optional[float] = ...,
        return_info: Literal[False] = ...,
        *,
        codebooks: Optional[int] = ...,
    ) -> Union[np.ndarray, List[np.ndarray]]: ...
    @overload
    def encode(
        self,
        samples: np.ndarray,
        sr: int,
        bandwidth: Optional[float] = ...,
        *,
        return_info: Literal[True],
        codebooks: Optional[int] = ...,
    ) -> Tuple[Union[np.ndarray, List[np.ndarray]], Dict[str, Any]]: ...
    @overload
    def encode(
        self,
        samples: np.ndarray,
        sr: int,
        bandwidth: Optional[float],
        return_info: Literal[True],
        *,
        codebooks: Optional[int] = ...,
    ) -> Tuple[Union[np.ndarray, List[np.ndarray]], Dict[str, Any]]: ...
    def decode(
        self,
        codes: Union[np.ndarray, Sequence[np.ndarray]],
        scales: Optional[Sequence[float]] = ...,
        length: Optional[int] = ...,
        last_frame_pad_length: int = ...,
    ) -> np.ndarray: ...
    def streaming_encoder(
        self, bandwidth: Optional[float] = ..., *, codebooks: Optional[int] = ...
    ) -> CodecEncoderStream: ...
    def streaming_decoder(self) -> CodecDecoderStream: ...
    @property
    def family(self) -> str: ...
    @property
    def can_stream(self) -> bool: ...
    @property
    def n_codebooks(self) -> int: ...
    @property
    def level_strides(self) -> Optional[List[int]]: ...
    @property
    def codebook_size(self) -> int: ...
    @property
    def frame_rate(self) -> float: ...
    @property
    def sample_rate(self) -> int: ...
    @property
    def channels(self) -> int: ...
    @property
    def bandwidths(self) -> List[float]: ...
    @property
    def checksum(self) -> str: ...
