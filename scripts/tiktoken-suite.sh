#!/usr/bin/env bash
# Runs tiktoken's own test suite against omnitok: the tests of the tiktoken sdist (downloaded
# from PyPI into a temporary folder), with a `tiktoken` module that is omnitok under tiktoken's
# names. Needs .venv with omnitok built (scripts/test-all.sh makes it). Extra arguments go to
# pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${TIKTOKEN_VERSION:-0.14.0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/python -m pip download --quiet --no-deps --no-binary :all: "tiktoken==$version" -d "$work"
tar -xzf "$work/tiktoken-$version.tar.gz" -C "$work"
mkdir -p "$work/shim/tiktoken"
cat >"$work/shim/tiktoken/__init__.py" <<'PY'
"""tiktoken's names, served by omnitok."""
from omnitok import (  # noqa: F401
    Encoding,
    __version__,
    encoding_for_model,
    encoding_name_for_model,
    get_encoding,
    list_encoding_names,
)
from omnitok import load  # noqa: F401
PY
cat >"$work/shim/tiktoken/load.py" <<'PY'
from omnitok.load import *  # noqa: F401,F403
from omnitok.load import check_hash, dump_tiktoken_bpe, load_tiktoken_bpe, read_file  # noqa: F401
PY
# Only the tests: the sdist's own tiktoken package must not shadow the one above.
mkdir -p "$work/suite"
cp -r "$work/tiktoken-$version/tests" "$work/suite/tests"
cd "$work/suite"
PYTHONPATH="$work/shim" "$OLDPWD/.venv/bin/python" -m pytest tests -q -p no:cacheprovider "$@"
