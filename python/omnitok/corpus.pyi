import os
from typing import Any, Dict, Optional, Sequence, Union

from ._omnitok import Encoding

PathLike = Union[str, os.PathLike[str]]

def tokenize_corpus(
    inputs: Sequence[PathLike],
    output_dir: PathLike,
    encoding: Union[str, Encoding] = ...,
    *,
    tokenizer_name: Optional[str] = ...,
    glob: Optional[str] = ...,
    input_format: str = ...,
    field: str = ...,
    column: str = ...,
    split: str = ...,
    max_document_bytes: int = ...,
    on_error: str = ...,
    append_eot: Optional[str] = ...,
    allow_special: bool = ...,
    format: str = ...,
    shard_tokens: int = ...,
    threads: Optional[int] = ...,
    resume: bool = ...,
) -> Dict[str, Any]: ...
