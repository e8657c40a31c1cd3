#!/bin/sh
# run.sh — a small, repeatable mutation run: each mutant of a list is one realistic change to the
# source (file, a snippet that occurs exactly once, its replacement). For each: patch the file in
# place, rebuild incrementally, run the fast tests (unit, then the quick integration ones, with a
# timeout, stopping at the first failure), restore the file byte for byte. A mutant is "caught"
# when some test fails, "missed" when all pass, "invalid" when it does not apply or build.
# Not part of ctest (it takes ~20-40 min for the default list): see tests/mutation/README.md.
#
# Usage: sh tests/mutation/run.sh [-l LIST] [-b BUILD_DIR] [-k ID]...
#   -l LIST  mutant list (default tests/mutation/mutants.txt)
#   -b DIR   build directory, configured on first use (default build-mutation)
#   -k ID    run only these mutants (repeatable)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIST=$ROOT/tests/mutation/mutants.txt
BUILD=$ROOT/build-mutation
ONLY=""
while getopts l:b:k: opt; do
	case $opt in
	l) LIST=$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG") ;;
	b) BUILD=$OPTARG ;;
	k) ONLY="$ONLY $OPTARG " ;;
	*) echo "usage: $0 [-l LIST] [-b BUILD_DIR] [-k ID]..." >&2; exit 2 ;;
	esac
done
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

# The fast tests: every unit test, then the integration tests that take seconds, not minutes
# (no valgrind, e2e, kill -9 / power-cut loops or the tmpfs disk-full test).
UNIT='^unit\.'
INTEGRATION='^integration\.(calendar_oracle|agendactl_(commands|booking|bad_input|audit|printer)|usb_printer|virtual_printer|crash_printer)$'
TIMEOUT=${MUTATION_TIMEOUT:-120}
PATCH=$ROOT/tests/mutation/patch.py
WORK=$(mktemp -d /tmp/agenda-mutation-XXXXXX)
LOG=$WORK/log
SAVED=""

restore() {
	if [ -n "$SAVED" ]; then
		cat "$WORK/original" >"$ROOT/$SAVED" # a new mtime: make rebuilds it
		SAVED=""
	fi
}
trap 'restore; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

build() {
	nice cmake --build "$BUILD" -j2 >"$LOG" 2>&1
}

fast_tests() {
	(cd "$BUILD" && ctest -j2 --timeout "$TIMEOUT" --stop-on-failure -R "$UNIT" >"$LOG" 2>&1 &&
		ctest -j2 --timeout "$TIMEOUT" --stop-on-failure -R "$INTEGRATION" >"$LOG" 2>&1)
}

first_failure() {
	grep -E '\*\*\*Failed|\*\*\*Timeout|Exception|Not Run' "$LOG" | head -1 |
		sed -E 's/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: ([^ ]+).*(\*\*\*[A-Za-z]+|Exception[^ ]*|Not Run).*/\1 (\2)/'
}

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
	cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
echo "baseline: building and running the fast tests on the unmutated tree"
if ! build || ! fast_tests; then
	echo "baseline FAILED: fix the tree first" >&2
	tail -20 "$LOG" >&2
	exit 1
fi

caught=0 missed=0 invalid=0 survivors="" start=$(date +%s)
while IFS= read -r line; do
	case $line in '' | '#'*) continue ;; esac
	id=$(printf '%s\n' "$line" | awk -F ' ~~ ' '{print $1}')
	file=$(printf '%s\n' "$line" | awk -F ' ~~ ' '{print $2}')
	if [ -n "$ONLY" ]; then
		case $ONLY in *" $id "*) ;; *) continue ;; esac
	fi
	cp -p "$ROOT/$file" "$WORK/original"
	SAVED=$file
	if ! printf '%s\n' "$line" | /usr/bin/python3 "$PATCH" "$ROOT" >"$LOG" 2>&1; then
		result="INVALID (does not apply: $(cat "$LOG"))"
		invalid=$((invalid + 1))
	elif ! build; then
		result="INVALID (does not build: $(grep -m1 "error:" "$LOG" | cut -c1-80))"
		invalid=$((invalid + 1))
	elif fast_tests; then
		result="MISSED"
		missed=$((missed + 1))
		survivors="$survivors $id"
	else
		result="caught by $(first_failure)"
		caught=$((caught + 1))
	fi
	restore
	printf '%-4s %-34s %s\n' "$id" "$file" "$result"
done <"$LIST"
build || true # leave the build directory matching the restored tree

total=$((caught + missed))
echo "----"
echo "mutants: $total valid ($invalid invalid), caught $caught, missed $missed," \
	"score $((total ? caught * 100 / total : 0))% ($(($(date +%s) - start)) s)"
echo "survivors:${survivors:- none}"
[ "$missed" -eq 0 ]
