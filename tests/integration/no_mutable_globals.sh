#!/bin/sh
# no_mutable_globals.sh LIBRARY... — each library keeps no mutable global state: no named symbol
# in .data or .bss (constant tables live in .rodata/.data.rel.ro). Several threads (the kiosk's
# worker, later the sync worker) call the services at once; a global they write is a data race.
# (__odr_asan.* are AddressSanitizer's one-definition markers, not ours.)
set -eu
status=0
for lib in "$@"; do
	found=$(objdump -t "$lib" | awk '$0 ~ /[ \t]\.(data|bss)[ \t]/ && $NF != ".data" && $NF != ".bss" && $NF !~ /^__odr_asan\./ {print $NF}')
	if [ -n "$found" ]; then
		echo "mutable globals in $lib:" $found
		status=1
	else
		echo "no mutable globals in $(basename "$lib")"
	fi
done
exit $status
