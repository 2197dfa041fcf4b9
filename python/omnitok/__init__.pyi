from typing import List, Sequence, Tuple

from ._omnitok import Encoding as Encoding
from ._omnitok import encoding_name_for_model as encoding_name_for_model
from ._omnitok import get_encoding as get_encoding
from ._omnitok import list_encoding_names as list_encoding_names

Tokenizer = Encoding

def encoding_for_model(model_name: str) -> Encoding: ...
def decode_with_offsets(encoding: Encoding, tokens: Sequence[int]) -> Tuple[str, List[int]]: ...
