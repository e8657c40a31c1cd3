#!/bin/sh
# demo.sh — the README's first command: installs what is missing (Debian 12, as root), builds,
# starts a local agenda-central (SQLite, its own CA, on loopback, in out/demo/central) with a
# site and a one-time code, activates the demo kiosk's database with `agendactl provision` (the
# real enrolment: device id and site printed), then starts the touch screen, agenda-kiosk --demo:
# demo Questure, capacity, fictional applicants, demo accounts shown as buttons on the log-in
# screen, and the virtual printer, whose slips appear on screen and as PNG files. The kiosk does
# not need central to book: central is stopped when the demo ends, and the kiosk works on
# without it. With no DISPLAY it says so and runs the kiosk under Xvfb (xvfb-run) on a short
# script, writing screenshots to out/demo/kiosk; if that is not possible either, it falls back
# to the scripted agendactl booking below.
#
# For tests: AGENDA_DEMO_BUILD=DIR uses the programs already built in DIR (no install, no
# build), AGENDA_DEMO_DIR=DIR puts the demo's files there (default out/demo), and
# AGENDA_DEMO_NO_KIOSK=1 stops after the activation.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="${AGENDA_DEMO_BUILD:-$top/build}"
if [ -z "${AGENDA_DEMO_BUILD:-}" ]; then
	"$top/image/setup-debian.sh"
	cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$build" -j"$(nproc)" --target agendactl agenda-kiosk agenda-central >/dev/null
fi
kiosk="$build/ui/agenda-kiosk"
ctl="$build/firmware/agendactl"
central="$build/central/agenda-central"
export TZ=Europe/Rome

# ---- a local agenda-central and the device's activation -----------------------------------
demo="${AGENDA_DEMO_DIR:-$top/out/demo}"
device="$demo/device" # the kiosk's database, device.key, device.pem, ca.pem, slips
rm -rf "$demo/central" "$device"
mkdir -p "$demo" "$device"
chmod 700 "$device"
export AGENDA_DB="$device/agenda.db"
slips="virtual:$device/slip"

echo "== agenda-central: its own CA and store in $demo/central, site ROMA, one enrolment code"
"$central" init --dir "$demo/central" --host localhost >/dev/null
"$central" site add --dir "$demo/central" --code ROMA --city Roma --province RM \
	--dirigente dirigente.roma@example.invalid >/dev/null
enrol=$("$central" --json enrol-code --dir "$demo/central" --site ROMA --expires 1h)
code=$(echo "$enrol" | sed -n 's/.*"code": *"\([^"]*\)".*/\1/p')
fingerprint=$(echo "$enrol" | sed -n 's/.*"ca_fingerprint": *"\([^"]*\)".*/\1/p')
echo "   code $code, CA fingerprint $fingerprint (what the help desk reads out)"

# serve prints its port (0: any free one) on its first line; stopped when this script ends.
"$central" serve --dir "$demo/central" --listen 127.0.0.1:0 >"$demo/central/serve.out" 2>&1 &
central_pid=$!
trap 'kill "$central_pid" 2>/dev/null; wait "$central_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
for _ in $(seq 100); do
	port=$(grep -m 1 -E '^[0-9]+$' "$demo/central/serve.out" 2>/dev/null || true)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { cat "$demo/central/serve.out"; echo "agenda-central did not start"; exit 1; }
echo "   serving https://localhost:$port (loopback only)"

echo "== agendactl init --site Roma; agendactl provision (the device's activation)"
"$ctl" init --site Roma >/dev/null
"$ctl" provision --central "https://localhost:$port" --code "$code" \
	--ca-fingerprint "$fingerprint" --printer "$slips"
if [ "${AGENDA_DEMO_NO_KIOSK:-}" = 1 ]; then
	exit 0
fi

# ---- the kiosk (central keeps running until the kiosk closes; the kiosk does not need it) ---
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${AGENDA_DEMO_CLI:-}" != 1 ]; then
	echo "== agenda-kiosk --demo (close the window to end; Tecnico shows the activation)"
	"$kiosk" --demo --db "$AGENDA_DB" --printer "$slips" --size 1280x800
	exit 0
fi
shots="$demo/kiosk"
if command -v xvfb-run >/dev/null && [ "${AGENDA_DEMO_CLI:-}" != 1 ]; then
	echo "== no DISPLAY: running agenda-kiosk --demo under Xvfb, screenshots in $shots"
	mkdir -p "$shots"
	script="$shots/demo-script.txt"
	cat >"$script" <<'EOS'
screenshot 1-login
tap_button demo:0
tap_button login
expect_screen ricerca
type RM/2026/900002
screenshot 2-ricerca
key Return
expect_screen scheda
tap_button propose
expect_screen proposta
tap_button modello209
screenshot 3-proposta
tap_button confirm
expect_screen stampa
screenshot 4-stampa
tap_button day
screenshot 5-giornata
tap_button logout
tap_button demo:2
tap_button login
expect_screen tecnico
screenshot 6-tecnico
EOS
	if xvfb-run -a -s "-screen 0 1280x800x24" "$kiosk" --demo --db "$AGENDA_DB" \
		--printer "$slips" --size 1280x800 --script "$script" --screenshots "$shots"; then
		ls "$shots"/*.png
		echo "Screenshots of the kiosk demo: $shots (database and slips: $device)"
		exit 0
	fi
	echo "agenda-kiosk under Xvfb failed: falling back to the agendactl demo"
fi

# Fallback: the same booking scripted with agendactl, on the activated database.
echo "== agendactl demo-seed"
seed=$("$ctl" demo-seed)
echo "$seed"
password=$(echo "$seed" | awk '$1 == "demo.operatore" { print $NF }')

echo "== lookup RM/2026/900002 (operatore demo.operatore; password from stdin)"
echo "$password" | "$ctl" --user demo.operatore lookup --pratica "rm 2026 900002"
echo "== book"
booking=$(echo "$password" | "$ctl" --user demo.operatore --json book --pratica RM/2026/900002 --modello209)
echo "$booking"
id=$(echo "$booking" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
echo "== print the convocation slip on the virtual printer"
echo "$password" | "$ctl" --user demo.operatore printer print "$id" --printer "$slips"
echo "== book again: the practice keeps its one appointment"
echo "$password" | "$ctl" --user demo.operatore book --visto ITA900000002
echo "== a practice of a kind the Agenda does not book"
echo "$password" | "$ctl" --user demo.operatore book --pratica RM/2026/900020 || true
echo "== today's appointments"
echo "$password" | "$ctl" --user demo.operatore day
echo "== audit verify"
"$ctl" audit verify
echo
echo "Demo database: $AGENDA_DB  (agendactl help lists every command)"
echo "Slips: $device/slip-*.png (and .txt): the first is the activation's test slip"
