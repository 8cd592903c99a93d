#!/bin/sh
# Fuzz every harness in tests/fuzz/ with libFuzzer (clang) for SECONDS
# seconds each, with ASan and UBSan, the library built with coverage
# instrumentation (HW_FUZZ) so that the fuzzer steers into the code under
# test. New inputs go to a scratch corpus, not the repository.
set -eu
secs=${1:-60}
cd "$(dirname "$0")/.."
CC=clang cmake -S . -B build-fuzz -DHW_FUZZ=ON -DHW_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=Debug >/dev/null
# Every target: this is also the clang -Werror build of the whole tree.
cmake --build build-fuzz -j "$(nproc)" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in recipe queue diff sshkey firewall dnsrecords maillog; do
	mkdir "$work/$target"
	cp tests/fuzz/corpus-$target/* "$work/$target/"
	echo "fuzz: $target for ${secs}s"
	build-fuzz/fuzz_$target -max_total_time="$secs" -max_len=4096 \
	    -artifact_prefix="$work/" -print_final_stats=1 "$work/$target" \
	    2>"$work/log" || {
		tail -50 "$work/log" >&2
		exit 1
	}
	grep -E '^stat::(number_of_executed_units|new_units_added)|cov: ' \
	    "$work/log" | tail -n 3
done
