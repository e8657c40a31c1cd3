#!/bin/sh
# layers_test.sh PROBE CONTROL — the printer layer stands on agenda_core, not on libagenda.
# PROBE links agenda_printer + agenda_core only (layers_probe.c, linked --no-as-needed so every
# shared library on its link line stays a NEEDED entry): it must print a slip, and its binary
# must hold no trace of the store layer — no NEEDED libsqlite3/libjansson/libargon2/libmbedtls/
# libmbedx509 and no sqlite3_, json_, argon2 or store_ symbol, defined or wanted.
# CONTROL is the same program linked with libagenda too: the same reading must find SQLite
# there, which shows it would catch agenda_printer pulling libagenda back in.
set -eu
probe=$1
control=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}

# What the binary needs (dynamic section) and names (symbols, static and dynamic).
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
symbols() { { nm "$1" 2>/dev/null || true; nm -D "$1"; } | awk '{print $NF}' | sort -u; }
STORE_LIBS='^lib(sqlite3|jansson|argon2|mbedtls|mbedx509)\.so'
# pki_: the certificate library (firmware/pki) is the device's and central's, never the printer's.
STORE_SYMBOLS='^(sqlite3_|json_|argon2|store_|pki_)'

"$probe" "$work/slip.bin" || fail "$probe did not print a slip"
[ -s "$work/slip.bin" ] || fail "the slip file is empty"

needed "$probe" >"$work/probe.needed"
symbols "$probe" >"$work/probe.symbols"
if grep -E "$STORE_LIBS" "$work/probe.needed"; then
	fail "$probe needs a library of the store layer (above)"
fi
if grep -E "$STORE_SYMBOLS" "$work/probe.symbols"; then
	fail "$probe carries symbols of the store layer (above)"
fi
for sym in slip_build rng_uuid escpos_render_slip printer_open mbedtls_ctr_drbg_seed; do
	grep -qx "$sym" "$work/probe.symbols" || fail "$probe lacks $sym: it is not the program we meant"
done

needed "$control" >"$work/control.needed"
grep -Eq '^libsqlite3\.so' "$work/control.needed" || fail "control $control shows no libsqlite3"

echo "layers: $(basename "$probe") prints a slip with $(wc -l <"$work/probe.needed") libraries, none of the store's"
