from typing import Any, Dict, List, Sequence

from .corpus import PathLike

def part_name(path: PathLike) -> str: ...
def tokenize(
    inputs: Sequence[PathLike],
    output_dir: PathLike,
    encoding: str = ...,
    *,
    client: Any = ...,
    threads_per_task: int = ...,
    resume: bool = ...,
    **options: Any,
) -> List[Dict[str, Any]]: ...
