#!/bin/sh
# Fuzz the recipe parser with libFuzzer (clang) for SECONDS seconds, with
# ASan and UBSan. New inputs go to a scratch corpus, not the repository.
set -eu
secs=${1:-60}
cd "$(dirname "$0")/.."
CC=clang cmake -S . -B build-fuzz -DHW_FUZZ=ON -DHW_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=Debug >/dev/null
# Every target: this is also the clang -Werror build of the whole tree.
cmake --build build-fuzz -j "$(nproc)" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp tests/fuzz/corpus/* "$work/"
echo "fuzz: recipe parser for ${secs}s"
build-fuzz/fuzz_recipe -max_total_time="$secs" -max_len=4096 \
    -print_final_stats=1 "$work" 2>"$work/log" || {
	tail -50 "$work/log" >&2
	exit 1
}
grep -E '^stat::(number_of_executed_units|new_units_added)' "$work/log"
