#!/bin/sh
# no_mutable_globals.sh LIBRARY — the library keeps no mutable global state: no named symbol in
# .data or .bss (constant tables live in .rodata/.data.rel.ro). Several threads (the kiosk's
# worker, later the sync worker) call the services at once; a global they write is a data race.
# (__odr_asan.* are AddressSanitizer's one-definition markers, not ours.)
set -eu
found=$(objdump -t "$1" | awk '$0 ~ /[ \t]\.(data|bss)[ \t]/ && $NF != ".data" && $NF != ".bss" && $NF !~ /^__odr_asan\./ {print $NF}')
if [ -n "$found" ]; then
	echo "mutable globals in $1:" $found
	exit 1
fi
echo "no mutable globals in $(basename "$1")"
