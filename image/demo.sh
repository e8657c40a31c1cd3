#!/bin/sh
# demo.sh — the README's first command: installs what is missing (Debian 12, as root), builds,
# and starts the touch screen, agenda-kiosk --demo: a fresh demo database (demo Questure,
# capacity, fictional applicants, demo accounts shown as buttons on the log-in screen) and the
# virtual printer, whose slips appear on screen and as PNG files. With no DISPLAY it says so and
# runs the kiosk under Xvfb (xvfb-run) on a short script, writing screenshots to out/demo/; if
# that is not possible either, it falls back to the scripted agendactl booking below.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
"$top/image/setup-debian.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target agendactl agenda-kiosk >/dev/null
kiosk="$build/ui/agenda-kiosk"
export TZ=Europe/Rome

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${AGENDA_DEMO_CLI:-}" != 1 ]; then
	echo "== agenda-kiosk --demo (close the window to end)"
	exec "$kiosk" --demo --size 1280x800
fi
shots="$top/out/demo/kiosk"
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
EOS
	if TMPDIR="$top/out/demo" xvfb-run -a -s "-screen 0 1280x800x24" \
		"$kiosk" --demo --size 1280x800 --script "$script" --screenshots "$shots"; then
		ls "$shots"/*.png
		echo "Screenshots of the kiosk demo: $shots (database and slips: out/demo/agenda-kiosk-demo-*)"
		exit 0
	fi
	echo "agenda-kiosk under Xvfb failed: falling back to the agendactl demo"
fi

# Fallback: the same booking scripted with agendactl.
ctl="$build/firmware/agendactl"

export TZ=Europe/Rome
export AGENDA_DB="${AGENDA_DB:-$top/out/demo/agenda.db}"
mkdir -p "$(dirname "$AGENDA_DB")"
rm -f "$AGENDA_DB" "$AGENDA_DB-wal" "$AGENDA_DB-shm" "$AGENDA_DB.key" "$(dirname "$AGENDA_DB")"/slip-*

echo "== agendactl init --site Roma"
"$ctl" init --site Roma
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
slips="$(dirname "$AGENDA_DB")/slip"
echo "== print the convocation slip on the virtual printer"
echo "$password" | "$ctl" --user demo.operatore printer print "$id" --printer "virtual:$slips"
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
echo "Convocation slip: $slips-1.png (and $slips-1.txt)"
