#!/bin/sh
# demo.sh — the README's first command: installs what is missing (Debian 12, as root), builds,
# and runs the kiosk demo on its embedded defaults. Until the touch screen lands, the demo is a
# scripted booking with agendactl on a fresh demo database: demo Questure, capacity, fictional
# applicants, an operator who logs in, looks a practice up, books it and lists the day.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
"$top/image/setup-debian.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target agendactl >/dev/null
ctl="$build/firmware/agendactl"

export TZ=Europe/Rome
export AGENDA_DB="${AGENDA_DB:-$top/out/demo/agenda.db}"
mkdir -p "$(dirname "$AGENDA_DB")"
rm -f "$AGENDA_DB" "$AGENDA_DB-wal" "$AGENDA_DB-shm" "$(dirname "$AGENDA_DB")"/slip-*

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
