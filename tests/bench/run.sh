#!/bin/sh
# run.sh — runs every built benchmark (BUILD/tests/bench/*_bench) and prints its report.
# Usage: tests/bench/run.sh [BUILD_DIR]   (default: build)
# Benchmarks report and never fail on a missed target; this script fails only when none is
# built or one of them crashes.
build=${1:-build}
dir="$build/tests/bench"
found=0
status=0
for bench in "$dir"/*_bench; do
	[ -f "$bench" ] && [ -x "$bench" ] || continue
	found=1
	echo "== $(basename "$bench")"
	case $(basename "$bench") in
	central_*|sync_*)
		# Central's and the sync benchmarks measure PostgreSQL too: on a private server for the run
		# (77: PostgreSQL 15 not installed, then SQLite alone).
		sh "$(dirname "$0")/../central/with_postgres.sh" "$bench"
		rc=$?
		if [ "$rc" -eq 77 ]; then
			"$bench"
			rc=$?
		fi
		;;
	*)
		"$bench"
		rc=$?
		;;
	esac
	if [ "$rc" -ne 0 ]; then
		echo "!! $(basename "$bench") exited with status $rc" >&2
		status=1
	fi
	echo
done
if [ "$found" -eq 0 ]; then
	echo "run.sh: no benchmark binaries in $dir (build first: make -C $build)" >&2
	exit 1
fi
exit $status
