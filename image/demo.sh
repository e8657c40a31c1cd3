#!/bin/sh
# demo.sh — the README's first command: installs what is missing (Debian 12, as root), builds,
# starts a local agenda-central (SQLite, its own CA, on loopback, in out/demo/central) with a
# site and a one-time code, activates the demo kiosk's database with `agendactl provision` (the
# real enrolment: device id and site printed), then starts the touch screen, agenda-kiosk --demo,
# whose sync thread syncs with that central at once and every minute in the background (issue
# 12: central grants it slots of the Questura di Roma's pool; "In linea" in the status bar):
# demo Questure, capacity, fictional applicants, demo accounts shown as buttons on the log-in
# screen, and the virtual printer, whose slips appear on screen and as PNG files. The kiosk does
# not need central to book: central is stopped when the demo ends, and the kiosk works on
# without it from the slots it holds (the scripted run below stops central half-way: the bar
# turns "Non in linea" and the next booking still succeeds). With no DISPLAY it says so and runs the kiosk under Xvfb (xvfb-run) on a short
# script, writing screenshots to out/demo/kiosk; if that is not possible either, it falls back
# to the scripted agendactl booking below.
#
# A local SMTP sink (tests/tools/smtp_server.py --sink, STARTTLS with a throw-away CA, loopback)
# receives the device's email: at the end of the run the day is closed and the outbox drained,
# so the day's list for each Questura (text + CSV) is in out/demo/mail/*.eml (issue 13).
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
# The Questura di Roma and two months of capacity: the pool central grants devices slots from
# (from today, or from the day AGENDA_NOW pins, as every program here reads it).
case "${AGENDA_NOW:-}" in
[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*) today=$(echo "$AGENDA_NOW" | cut -c1-10) ;;
*) today=$(date +%F) ;;
esac
"$central" questura add --dir "$demo/central" --code RM --name "Questura di Roma" >/dev/null
"$central" capacity set --dir "$demo/central" --questura RM --from "$today" \
	--to "$(date -d "$today +60 days" +%F)" --per-day 16 --start 08:30 --every 15 >/dev/null
enrol=$("$central" --json enrol-code --dir "$demo/central" --site ROMA --expires 1h)
code=$(echo "$enrol" | sed -n 's/.*"code": *"\([^"]*\)".*/\1/p')
fingerprint=$(echo "$enrol" | sed -n 's/.*"ca_fingerprint": *"\([^"]*\)".*/\1/p')
echo "   code $code, CA fingerprint $fingerprint (what the help desk reads out)"

# serve prints its port (0: any free one) on its first line; stopped when this script ends.
"$central" serve --dir "$demo/central" --listen 127.0.0.1:0 >"$demo/central/serve.out" 2>&1 &
central_pid=$!
mail_pid=
trap 'kill "$central_pid" $mail_pid 2>/dev/null || true; wait "$central_pid" $mail_pid 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
for _ in $(seq 100); do
	port=$(grep -m 1 -E '^[0-9]+$' "$demo/central/serve.out" 2>/dev/null || true)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { cat "$demo/central/serve.out"; echo "agenda-central did not start"; exit 1; }
echo "   serving https://localhost:$port (loopback only)"

# ---- the mail sink (issue 13): what the device sends lands in out/demo/mail, one .eml each ----
mail="$demo/mail"
echo "== mail sink on loopback (STARTTLS, a throw-away CA): messages in $mail"
rm -rf "$mail" "$demo/mail-certs"
sh "$top/tests/tools/smtp_certs.sh" "$demo/mail-certs"
/usr/bin/python3 "$top/tests/tools/smtp_server.py" --sink --cert "$demo/mail-certs/server.pem" \
	--key "$demo/mail-certs/server.key" --port 0 --maildir "$mail" >"$demo/mail-sink.out" 2>&1 &
mail_pid=$!
for _ in $(seq 100); do
	mail_port=$(grep -m 1 -E '^[0-9]+$' "$demo/mail-sink.out" 2>/dev/null || true)
	[ -n "$mail_port" ] && break
	sleep 0.1
done
[ -n "$mail_port" ] || { cat "$demo/mail-sink.out"; echo "the mail sink did not start"; exit 1; }
echo "   smtp://localhost:$mail_port (STARTTLS, loopback only)"

echo "== agendactl init --site Roma; agendactl provision (the device's activation)"
"$ctl" init --site Roma >/dev/null
"$ctl" provision --central "https://localhost:$port" --code "$code" \
	--ca-fingerprint "$fingerprint" --printer "$slips"
echo "== agendactl mail configure (the device's mail goes to the sink)"
"$ctl" mail configure --host localhost --port "$mail_port" --mode starttls \
	--from sportello.roma@demo.invalid --from-name "Sportello Unico per l'Immigrazione di Roma" \
	--ca-file "$demo/mail-certs/ca.pem" --timeout-s 10 >/dev/null

# The end of every run: the day closed (one list per Questura, CSV attached, queued in the same
# transaction) and the outbox drained to the sink. $1: demo.operatore's password.
close_day_and_send() {
	# Central's `questura add` takes no address yet and its sync blanks the device's: the
	# demo gives the Questura di Roma its (fictional) address here, where the device keeps it.
	"$ctl" questura add RM --name "Questura di Roma" --city Roma \
		--email immigrazione.rm@demo.invalid >/dev/null
	echo "== close-day: the day's list for each Questura goes to the outbox"
	echo "$1" | "$ctl" --user demo.operatore close-day
	echo "== outbox send: to the mail sink"
	"$ctl" outbox send || echo "   (not everything left: agendactl outbox list)"
	"$ctl" outbox list
	ls "$mail"/*.eml 2>/dev/null || true
	echo "Email received by the sink: $mail (one .eml per message; open it with any mail reader)"
}
if [ "${AGENDA_DEMO_NO_KIOSK:-}" = 1 ]; then
	exit 0
fi

# ---- the kiosk (central keeps running until the kiosk closes; the kiosk does not need it) ---
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${AGENDA_DEMO_CLI:-}" != 1 ]; then
	echo "== agenda-kiosk --demo (close the window to end; Tecnico shows the activation)"
	"$kiosk" --demo --db "$AGENDA_DB" --printer "$slips" --size 1280x800
	seed=$("$ctl" demo-seed) # the demo accounts' passwords again, to close the day
	close_day_and_send "$(echo "$seed" | awk '$1 == "demo.operatore" { print $NF }')"
	exit 0
fi
shots="$demo/kiosk"
if command -v xvfb-run >/dev/null && [ "${AGENDA_DEMO_CLI:-}" != 1 ]; then
	echo "== no DISPLAY: running agenda-kiosk --demo under Xvfb, screenshots in $shots"
	mkdir -p "$shots"
	script="$shots/demo-script.txt"
	cat >"$script" <<'EOS'
sleep 2000
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
EOS
	# Central stops once the first slip is on screen: the kiosk goes on offline.
	cat >>"$script" <<EOS
wait_for_file $shots/central-stopped
EOS
	cat >>"$script" <<'EOS'
tap_button search
expect_screen ricerca
type RM/2026/900003
key Return
expect_screen scheda
tap_button propose
expect_screen proposta
tap_button confirm
expect_screen stampa
sleep 1500
screenshot 5-stampa-non-in-linea
tap_button day
screenshot 6-giornata
tap_button logout
tap_button demo:2
tap_button login
expect_screen tecnico
screenshot 7-tecnico
EOS
	rm -f "$shots/central-stopped" "$shots/4-stampa.png"
	(
		for _ in $(seq 600); do
			[ -f "$shots/4-stampa.png" ] && break
			sleep 0.1
		done
		kill "$central_pid" 2>/dev/null || true
		echo "== agenda-central stopped: the kiosk books on from the slots it holds"
		touch "$shots/central-stopped"
	) &
	if xvfb-run -a -s "-screen 0 1280x800x24" "$kiosk" --demo --db "$AGENDA_DB" \
		--printer "$slips" --size 1280x800 --script "$script" --screenshots "$shots"; then
		ls "$shots"/*.png
		echo "Screenshots of the kiosk demo: $shots (database and slips: $device)"
		seed=$("$ctl" demo-seed) # the demo accounts' passwords again, to close the day
		close_day_and_send "$(echo "$seed" | awk '$1 == "demo.operatore" { print $NF }')"
		exit 0
	fi
	echo "agenda-kiosk under Xvfb failed: falling back to the agendactl demo"
fi

# Fallback: the same booking scripted with agendactl, on the activated database.
echo "== agendactl demo-seed"
seed=$("$ctl" demo-seed)
echo "$seed"
password=$(echo "$seed" | awk '$1 == "demo.operatore" { print $NF }')
echo "== agendactl sync now (central grants the device slots of the Questura di Roma to book)"
"$ctl" sync now
"$ctl" sync status

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
close_day_and_send "$password"
echo "== audit verify"
"$ctl" audit verify
echo
echo "Demo database: $AGENDA_DB  (agendactl help lists every command)"
echo "Slips: $device/slip-*.png (and .txt): the first is the activation's test slip"
