import os
from typing import Any, Callable, Collection, Dict, List, Literal, Optional, Sequence, Tuple, Union

import numpy as np

from ._omnitok import Encoding
from .document import Document

class Layout:
    @staticmethod
    def build(
        encoding: Union[str, Encoding] = ...,
        codec: Any = ...,
        codebooks: Optional[int] = ...,
        flatten: str = ...,
        image: Any = ...,
        patch_size: int = ...,
        markers: Optional[Dict[str, Any]] = ...,
        chat: bool = ...,
    ) -> Layout: ...
    def save(self, path: Union[str, os.PathLike[str]]) -> None: ...
    @staticmethod
    def load(path: Union[str, os.PathLike[str]]) -> Layout: ...
    @staticmethod
    def from_json(text: str) -> Layout: ...
    def to_json(self) -> str: ...
    @property
    def ranges(self) -> List[Tuple[str, int, int]]: ...
    @property
    def markers(self) -> Dict[str, Tuple[str, int]]: ...
    @property
    def chat(self) -> bool: ...
    @property
    def n_vocab(self) -> int: ...
    @property
    def text(self) -> Tuple[str, str]: ...
    @property
    def audio(self) -> Optional[Tuple[int, int, str]]: ...
    @property
    def image(self) -> Optional[Tuple[str, int]]: ...
    def encoding(self) -> Encoding: ...
    def decode(
        self,
        ids: Union[np.ndarray, Sequence[int]],
        *,
        truncated: Literal["error", "drop", "keep"] = ...,
        encoding: Optional[Encoding] = ...,
        codec: Any = ...,
        image_quantizer: Any = ...,
    ) -> Document: ...
    def encode(
        self,
        document: Sequence[Dict[str, Any]],
        *,
        loss: Optional[Collection[str]] = ...,
        allowed_special: Union[Literal["all"], Collection[str]] = ...,
        encoding: Optional[Encoding] = ...,
        codec: Any = ...,
        image_quantizer: Any = ...,
    ) -> EncodedDocument: ...
    def encode_batch(
        self,
        documents: Sequence[Sequence[Dict[str, Any]]],
        *,
        threads: Optional[int] = ...,
        loss: Optional[Collection[str]] = ...,
        allowed_special: Union[Literal["all"], Collection[str]] = ...,
        encoding: Optional[Encoding] = ...,
        codec: Any = ...,
        image_quantizer: Any = ...,
        progress: Union[None, bool, Callable[[str, int, int], Any]] = ...,
    ) -> List[EncodedDocument]: ...

MODALITIES: Tuple[str, str, str, str]

class EncodedDocument:
    ids: np.ndarray
    modality: np.ndarray
    part: np.ndarray
    loss_mask: np.ndarray
    def __init__(self, ids: np.ndarray, modality: np.ndarray, part: np.ndarray, loss_mask: np.ndarray) -> None: ...
    def __len__(self) -> int: ...
    def tokens_by_modality(self) -> Dict[str, int]: ...
    def to_dict(self) -> Dict[str, np.ndarray]: ...

def mux(
    parts: Sequence[Dict[str, Any]],
    layout: Layout,
    encoding: Optional[Encoding] = ...,
    allowed_special: Union[Literal["all"], Collection[str]] = ...,
    codec: Any = ...,
    image_quantizer: Any = ...,
) -> np.ndarray: ...
def demux(
    ids: Union[np.ndarray, Sequence[int]],
    layout: Layout,
    encoding: Optional[Encoding] = ...,
    codec: Any = ...,
    image_quantizer: Any = ...,
    truncated: Literal["error", "drop", "keep"] = ...,
) -> List[Dict[str, Any]]: ...
