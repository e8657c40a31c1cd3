#!/bin/sh
# run.sh [SECONDS [TARGET...]] — builds the libFuzzer targets with clang in build-fuzz (the
# library too is instrumented: -fsanitize=fuzzer-no-link,address,undefined) and runs each one
# (or the named ones) for SECONDS (default 10: the brief run tests/run.sh does). Each target
# starts from its committed seed corpus (tests/fuzz/corpus/<target>/) and keeps what it finds in
# build-fuzz/corpus/<target>/; a crash leaves its input in build-fuzz/artifacts/ and fails the
# script. Long run, as in docs/RELIABILITY.md: sh tests/fuzz/run.sh 3600 (FUZZ_JOBS=2 runs two
# targets at once; FUZZ_WORKERS=2 runs one target in two processes, libFuzzer's -jobs=2).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-10}
[ $# -gt 0 ] && shift
jobs=${FUZZ_JOBS:-1}
workers=${FUZZ_WORKERS:-1}
out="$top/build-fuzz"
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

CC=clang cmake -S "$top" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_C_FLAGS="$san" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$out" --target fuzz -j"$(nproc)" >/dev/null
mkdir -p "$out/artifacts"

run_one() {
	name=$1
	mkdir -p "$out/corpus/$name"
	log="$out/$name.log"
	# FUZZ_WORKERS=N: N independent processes sharing the corpus directory (-jobs, -workers),
	# each logging to fuzz-K.log in $dir; -fork=N did half the execs per core (every job starts
	# a new ASan process and replays its seeds).
	dir="$out/$name.workers"
	rm -rf "$dir"
	mkdir -p "$dir"
	parallel=""
	[ "$workers" -gt 1 ] && parallel="-jobs=$workers -workers=$workers"
	# -rss_limit_mb: the ESC/POS decoder may legitimately draw a large page; 2 GB is the cap.
	# shellcheck disable=SC2086 # $parallel is two words or none
	if (cd "$dir" && TZ=Europe/Rome "$out/tests/fuzz/$name" $parallel \
		-max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$name-" \
		"$out/corpus/$name" "$top/tests/fuzz/corpus/$name") >"$log" 2>&1; then
		# With workers the parent's log repeats theirs at the end: count the workers' logs.
		logs=$log
		[ "$workers" -gt 1 ] && logs=$(ls "$dir"/fuzz-*.log)
		# shellcheck disable=SC2086 # file names without spaces (build-fuzz/...)
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' $logs |
			awk '{n += $1} END {print n}')
		echo "fuzz $name: ${execs:-?} execs in ${seconds}s ($workers process(es)), no crash"
	else
		echo "fuzz $name: FAILED (see $log, $dir/ and $out/artifacts/)"
		tail -n 30 "$log" "$dir"/fuzz-*.log 2>/dev/null
		return 1
	fi
}

targets=${*:-$(cd "$out/tests/fuzz" && ls fuzz_* | grep -v '\.' || true)}
status=0
if [ "$jobs" -gt 1 ]; then
	pids=""
	for t in $targets; do
		run_one "$t" &
		pids="$pids $!"
		while [ "$(jobs -p | wc -l)" -ge "$jobs" ]; do sleep 1; done
	done
	for p in $pids; do wait "$p" || status=1; done
else
	for t in $targets; do run_one "$t" || status=1; done
fi
exit $status
