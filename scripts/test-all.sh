#!/usr/bin/env bash
# Runs every test of omnitok: formatting and lints, the Rust tests, then the Python extension
# built into a local virtualenv (.venv) and its pytest suite (parity with tiktoken and HF
# tokenizers included), and every fuzz target for a few seconds. Works on a fresh clone; needs
# Rust and Python 3.9+.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv"
    "$python" -m venv .venv
fi
# In CI: ffmpeg (the video tests decode mp4 and mkv through it; elsewhere they test its absence)
# and Chromium (the page of `omnitok show` is rendered headless; elsewhere that test needs it on
# PATH to run).
packages=()
command -v ffmpeg >/dev/null || packages+=(ffmpeg)
command -v chromium >/dev/null || packages+=(chromium)
if [ "${CI:-}" = true ] && [ ${#packages[@]} -gt 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${packages[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${packages[@]}" >/dev/null
fi
echo "== installing test requirements"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r python/requirements-test.txt

echo "== cargo fmt --check"
cargo fmt --all -- --check
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test"
cargo test --workspace --exclude omnitok-python

echo "== building the Python extension"
VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" \
    .venv/bin/maturin develop --quiet --release --manifest-path python/Cargo.toml
echo "== pytest"
.venv/bin/python -m pytest python/tests -q

# Every fuzz target briefly, from its seeds and past findings (FUZZ_SECONDS=0 leaves it out).
fuzz_seconds=${FUZZ_SECONDS:-5}
if [ "$fuzz_seconds" != 0 ]; then
    echo "== fuzzing, ${fuzz_seconds} s per target"
    bash fuzz/run.sh "$fuzz_seconds"
fi
