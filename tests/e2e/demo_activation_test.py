#!/usr/bin/python3
"""demo_activation_test.py — the README's first command, its activation part, run for real.

usage: demo_activation_test.py SOURCE_DIR BUILD_DIR

Runs image/demo.sh with the programs of BUILD_DIR (AGENDA_DEMO_BUILD: no install, no build),
into a fresh folder (AGENDA_DEMO_DIR), stopping after the activation (AGENDA_DEMO_NO_KIOSK=1):
a local agenda-central is started, a site and a code made, the demo database activated with
`agendactl provision`. Checks: the activation printed with central's device id and site, the
database provisioned as that id (agendactl device show), device.key 0600, central stopped when
the script ended (its port refuses connections); then, with central gone, agenda-kiosk --demo on
that database (offscreen) still seeds the demo accounts, books and prints a slip.
Exit 0 = pass, 1 = fail.
"""
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile

NOW = "2026-05-04T09:00:00"


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print("ok:", what)


def run(source, build, work):
    env = dict(os.environ, TZ="Europe/Rome", AGENDA_NOW=NOW, AGENDA_DEMO_BUILD=build,
               AGENDA_DEMO_DIR=work, AGENDA_DEMO_NO_KIOSK="1")
    env.pop("AGENDA_DB", None)
    p = subprocess.run(["sh", os.path.join(source, "image", "demo.sh")], env=env,
                       capture_output=True, text=True, timeout=120)
    sys.stdout.write(p.stdout)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
    check(p.returncode == 0, f"demo.sh's activation ran (exit {p.returncode})")
    m = re.search(r"Dispositivo attivato: identificativo (ROMA-\d{4}), sede ROMA", p.stdout)
    check(m is not None, "the activation is printed: device id and site")
    device_id = m.group(1)
    device = os.path.join(work, "device")
    db = os.path.join(device, "agenda.db")
    ctl = os.path.join(build, "firmware", "agendactl")
    show = subprocess.run([ctl, "--json", "--db", db, "device", "show"], capture_output=True,
                          text=True, timeout=30, env=dict(env, AGENDA_DB=db))
    info = json.loads(show.stdout)
    check(info["device_id"] == device_id and info["provisioned"] and info["site"] == "ROMA",
          f"the database is activated as {device_id}: {info}")
    check(os.stat(os.path.join(device, "device.key")).st_mode & 0o777 == 0o600,
          "device.key is 0600")
    # Central is stopped with the script: its port refuses connections.
    with open(os.path.join(work, "central", "serve.out")) as f:
        port = int(next(line for line in f if line.strip().isdigit()))
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        stopped = False
    except OSError:
        stopped = True
    check(stopped, f"agenda-central stopped when demo.sh ended (port {port} closed)")
    # The kiosk works without central: the demo accounts are seeded on the activated
    # database (it has none yet), and a booking is made and printed.
    shots = os.path.join(work, "shots")
    os.makedirs(shots)
    script = os.path.join(work, "script.txt")
    with open(script, "w") as f:
        f.write("""expect_screen login
tap_button demo:0
tap_button login
expect_screen ricerca
type RM/2026/900002
key Return
expect_screen scheda
tap_button propose
expect_screen proposta
tap_button modello209
tap_button confirm
expect_screen stampa
screenshot stampa
""")
    kiosk = os.path.join(build, "ui", "agenda-kiosk")
    p = subprocess.run([kiosk, "--demo", "--db", db, "--printer",
                        "virtual:" + os.path.join(device, "slip"), "--script", script,
                        "--screenshots", shots], capture_output=True, text=True, timeout=120,
                       env=dict(env, SDL_VIDEODRIVER="offscreen"))
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
    check(p.returncode == 0, "agenda-kiosk --demo booked on the activated database, central"
          " stopped")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT state, print_state FROM appointment").fetchall()
        holder = con.execute("SELECT value FROM setting WHERE key = 'device_id'").fetchone()
    finally:
        con.close()
    check(rows == [("confirmed", "printed")], f"one appointment, printed: {rows}")
    check(holder == (device_id,), f"the device id stays central's: {holder}")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    source, build = (os.path.abspath(a) for a in sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="demo-activation-") as work:
        try:
            run(source, build, work)
        except (Failure, subprocess.SubprocessError, OSError, ValueError, KeyError) as e:
            print("FAIL:", e)
            return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
