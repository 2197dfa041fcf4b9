import os
from typing import Any, Callable, Dict, Optional, Sequence, Union

from ._omnitok import Encoding

PathLike = Union[str, os.PathLike[str]]

def tokenize_corpus(
    inputs: Sequence[PathLike],
    output_dir: PathLike,
    encoding: Union[str, Encoding] = ...,
    *,
    tokenizer_name: Optional[str] = ...,
    glob: Optional[str] = ...,
    input_format: Optional[str] = ...,
    field: Optional[str] = ...,
    column: Optional[str] = ...,
    split: Optional[str] = ...,
    max_document_bytes: Optional[int] = ...,
    on_error: Optional[str] = ...,
    append_eot: Optional[str] = ...,
    allow_special: bool = ...,
    format: Optional[str] = ...,
    shard_tokens: Optional[int] = ...,
    threads: Optional[int] = ...,
    resume: bool = ...,
    progress: Union[None, bool, Callable[[str, int, int], Any]] = ...,
) -> Dict[str, Any]: ...
