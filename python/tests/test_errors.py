"""One exception hierarchy: every error omnitok raises is an ``omnitok.OmnitokError`` and also the
built-in exception it stands for, from the native module and from the Python modules alike."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
import pytest

import omnitok
from omnitok import errors

ROOT = Path(__file__).resolve().parents[2]
SPEECH = ROOT / "fixtures" / "audio" / "speech_16k.wav"


def raised(call) -> BaseException:
    with pytest.raises(omnitok.OmnitokError) as info:
        call()
    return info.value


def test_every_class_is_an_omnitok_error_and_its_builtin():
    builtins = {
        errors.InputError: ValueError,
        errors.LimitError: ValueError,
        errors.UnknownTokenError: KeyError,
        errors.ArgumentTypeError: TypeError,
        errors.FileError: OSError,
        errors.FileMissingError: FileNotFoundError,
        errors.FilePermissionError: PermissionError,
    }
    assert set(builtins) | {errors.OmnitokError} == {getattr(errors, name) for name in errors.__all__}
    for cls, builtin in builtins.items():
        assert issubclass(cls, omnitok.OmnitokError) and issubclass(cls, builtin), cls
        assert getattr(omnitok, cls.__name__) is cls
    assert issubclass(errors.LimitError, errors.InputError)
    assert issubclass(errors.UnknownTokenError, errors.InputError)


def test_native_errors_are_of_their_class():
    enc = omnitok.get_encoding("o200k_base")
    special = raised(lambda: enc.encode("a <|endoftext|>"))
    assert type(special) is errors.InputError and "<|endoftext|>" in str(special)
    unknown = raised(lambda: enc.decode([enc.n_vocab + 5]))
    assert type(unknown) is errors.UnknownTokenError and isinstance(unknown, KeyError)
    assert str(unknown) == unknown.args[0] and str(enc.n_vocab + 5) in str(unknown)
    missing = raised(lambda: omnitok.Tokenizer.from_file(ROOT / "no-such-tokenizer.json"))
    assert type(missing) is errors.FileMissingError and "no-such-tokenizer.json" in str(missing)
    too_big = raised(lambda: omnitok.audio.load(SPEECH, max_file_bytes=1000))
    assert type(too_big) is errors.LimitError and "speech_16k.wav" in str(too_big)
    corpus = raised(lambda: omnitok.tokenize_corpus([ROOT / "no-such-corpus.txt"], ROOT / "target" / "x"))
    assert isinstance(corpus, FileNotFoundError) and "no-such-corpus.txt" in str(corpus)
    layout = omnitok.Layout.build("o200k_base")
    bad_part = raised(lambda: omnitok.mux([{"text": "a"}, {"colour": "red"}], layout))
    assert isinstance(bad_part, ValueError) and "part 1" in str(bad_part)


def test_python_side_errors_are_of_their_class():
    floats = np.zeros((4, 4, 3), dtype=np.float32)
    dtype = raised(lambda: omnitok.vision.resize(floats, (2, 2)))
    assert type(dtype) is errors.ArgumentTypeError and "uint8" in str(dtype)
    shape = raised(lambda: omnitok.audio.features(np.zeros((2, 100), np.float32), 16000))
    assert type(shape) is errors.InputError


def test_errors_pickle_with_their_class_and_message():
    enc = omnitok.get_encoding("o200k_base")
    error = raised(lambda: enc.decode([enc.n_vocab + 5]))
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is errors.UnknownTokenError and str(again) == str(error)


def test_no_module_raises_a_bare_builtin_of_its_own():
    """omnitok's own raises name a class of the hierarchy (the binding layer's checks of Python
    types, such as an int given for a str, stay plain TypeErrors)."""
    bare = re.compile(r"raise (ValueError|TypeError|KeyError|OSError|FileNotFoundError)\(")
    native = re.compile(r"Py(Value|Type|Key|OS|FileNotFound|Permission)Error::new_err")
    found = []
    for path in sorted((ROOT / "python" / "omnitok").glob("*.py")):
        found += [f"{path.name}: {m.group(0)}" for m in bare.finditer(path.read_text())]
    for path in sorted((ROOT / "python" / "src").glob("*.rs")):
        if path.name != "errors.rs":
            found += [f"{path.name}: {m.group(0)}" for m in native.finditer(path.read_text())]
    assert found == []
