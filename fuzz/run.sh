#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, from the committed seeds
# (fuzz/seeds) and past findings (fuzz/regressions), and prints executions per target.
#
#   bash fuzz/run.sh [SECONDS] [TARGET...]      (default: 60 seconds each)
#
# Installs cargo-fuzz when it is missing. Works on stable Rust without a sanitizer; set
# FUZZ_SANITIZER=address on a nightly toolchain for AddressSanitizer. New inputs that widen
# coverage collect in fuzz/corpus/TARGET, crashes in fuzz/artifacts/TARGET (both ignored by
# git): a crash is kept as a test and in fuzz/regressions/TARGET once fixed. Exits non-zero
# when a target crashed.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-60}
shift || true
sanitizer=${FUZZ_SANITIZER:-none}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install --quiet --locked cargo-fuzz --version 0.13.2
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

echo "== building ${#targets[@]} fuzz targets"
cargo fuzz build --sanitizer "$sanitizer"

failed=()
summary=()
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "regressions/$target"
    log=$(mktemp)
    echo "== $target: ${seconds} s"
    # -rss_limit_mb: the parsers' own limits keep memory far below this; -timeout: one input
    # taking longer is a hang.
    if cargo fuzz run --sanitizer "$sanitizer" "$target" "corpus/$target" "seeds/$target" \
        "regressions/$target" -- -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
        -print_final_stats=1 >"$log" 2>&1; then
        status=ok
    else
        status=CRASHED
        failed+=("$target")
        grep -E "panicked at|ERROR: libFuzzer|Test unit written" "$log" | head -5 || true
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    summary+=("$(printf '%-18s %12s executions  %s' "$target" "${runs:-0}" "$status")")
    rm -f "$log"
done
rm -rf "${TMPDIR:-/tmp}"/omnitok-fuzz-*

echo "== executions in ${seconds} s per target"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "crashed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
