#!/bin/sh
# run.sh — the README's second command: installs what is missing (Debian 12, as root), builds,
# and runs every test through CTest: first a normal build, then the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer; the normal build's CTest includes the valgrind
# subset (label "valgrind"). Last, each libFuzzer target runs briefly (tests/fuzz/run.sh, clang).
# .ci/run calls exactly this. Long runs: docs/RELIABILITY.md.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$top/image/setup-debian.sh"

run_suite() {
	dir=$1
	shift
	echo "== build $dir $*"
	cmake -S "$top" -B "$top/$dir" "$@" >/dev/null
	cmake --build "$top/$dir" -j"$jobs" >/dev/null
	echo "== ctest $dir"
	(cd "$top/$dir" && ctest --output-on-failure -j"$jobs" --timeout 600)
}

run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DAGENDA_SANITIZE=ON
echo "== fuzz (brief)"
sh "$top/tests/fuzz/run.sh" 5
