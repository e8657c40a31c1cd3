#!/usr/bin/python3
"""crash_kiosk_test.py — kill -9 of agenda-kiosk at random moments of a booking made on its
touch screen, then restart and check.

Each run is the kiosk itself (SDL offscreen driver, test-mode script): log in, look up a demo
practice, propose, confirm, and — once the Stampa screen is up, that is once the operator has
seen the booking — a screenshot named after the run. The kiosk is killed with SIGKILL at a
random moment of a window as long as one uninterrupted run. After every kill:
  - a booking whose Stampa screen was captured must be in the file, confirmed (I1: durable
    before visible); its id goes into the ledger;
  - `crash_booker check` reopens the file and checks every invariant (crash_check.h): integrity,
    no slot or practice with two live appointments, journal and audit per booking, no leaked
    slot, the audit chain, every ledger id present; at most one effect per kill may be in the file
    without having been shown (the confirmation in flight).
The next run starts the kiosk again on the same file (WAL recovery) with the next practice.

usage: crash_kiosk_test.py KIOSK AGENDACTL CRASH_BOOKER [--iterations N] [--seed S]
CTest runs 10 iterations; docs/RELIABILITY.md has the long command.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import kiosk_e2e as k  # noqa: E402

# Bookable demo practices of Roma (every 20th is of a kind that is not booked here).
PRACTICES = ["RM/2026/%06d" % (900000 + i) for i in range(1, 81) if i % 20]


def booking_script(h, run, pratica):
    return h.login("demo.operatore") + f"""expect_screen ricerca
type {pratica}
key Return
expect_screen scheda
tap_button propose
expect_screen proposta
tap_button confirm
expect_screen stampa
screenshot shown-{run}
"""


def live_appointment(h, pratica):
    rows = h.sql("SELECT a.id FROM appointment a JOIN practice p ON p.id = a.practice_id"
                 " WHERE p.numero_pratica = ? AND a.state = 'confirmed'", pratica)
    return rows[0][0] if len(rows) == 1 else None


def check_invariants(booker, h, ledger, kills):
    r = subprocess.run([booker, "check", h.db, ledger], capture_output=True, text=True,
                       timeout=120, env=h.env)
    res = json.loads(r.stdout)
    if r.returncode != 0 or not res["ok"]:
        raise k.Failure("invariant broken after kill %d: %s" % (kills, res["message"]))
    if res["unconfirmed"] > kills:
        raise k.Failure("%d bookings never shown after %d kills" % (res["unconfirmed"], kills))
    return res


def run_killed(h, run, pratica, delay):
    """Starts the kiosk on the booking script; SIGKILL after delay s. True when it was killed."""
    p = subprocess.Popen(h.command(booking_script(h, run, pratica)), env=h.env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        p.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        return True
    err = p.stderr.read().decode(errors="replace")
    if p.returncode != 0:
        raise k.Failure("kiosk run %d exited %d unkilled: %s" % (run, p.returncode, err[-500:]))
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kiosk")
    ap.add_argument("agendactl")
    ap.add_argument("booker")
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("CRASH_SEED", "1")))
    a = ap.parse_args()
    if a.iterations >= len(PRACTICES):
        print("at most %d iterations (one demo practice each)" % (len(PRACTICES) - 1))
        return 2
    rnd = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="crash-kiosk-")
    h = k.Harness(os.path.abspath(a.kiosk), os.path.abspath(a.agendactl), "offscreen", work)
    ledger = os.path.join(work, "kiosk.ledger")
    try:
        h.start_display()
        h.seed()
        # One uninterrupted run sets the window: start-up, log-in, look-up, booking, slip.
        t0 = time.monotonic()
        h.run(booking_script(h, 0, PRACTICES[0]))
        span = time.monotonic() - t0
        with open(ledger, "w") as f:
            f.write("book %s\n" % live_appointment(h, PRACTICES[0]))
        kills = shown_then_killed = 0
        for run in range(1, a.iterations + 1):
            pratica = PRACTICES[run]
            # A kill between counting a log-in and settling it counts as a failed attempt (by
            # design: docs/ARCHITECTURE.md, Operators); five in a row would lock the account.
            # Clear the count as the Dirigente would; the test is about bookings.
            subprocess.run([h.ctl, "operator", "unlock", "demo.operatore"], env=h.env,
                           check=True, capture_output=True, timeout=60)
            killed = run_killed(h, run, pratica, rnd.uniform(0.0, span))
            kills += killed
            shown = os.path.exists(os.path.join(h.shots, "shown-%d.png" % run))
            appointment = live_appointment(h, pratica)
            if shown and not appointment:
                raise k.Failure("run %d: %s was shown booked but is not in the file"
                                % (run, pratica))
            if shown:
                shown_then_killed += killed
                with open(ledger, "a") as f:
                    f.write("book %s\n" % appointment)
            res = check_invariants(a.booker, h, ledger, kills)
        res.update(kills=kills, shown_then_killed=shown_then_killed, window_s=round(span, 3))
        print("kill -9, kiosk (seed %d, %d runs): %s" % (a.seed, a.iterations, json.dumps(res)))
    except (k.Failure, subprocess.SubprocessError, ValueError) as e:
        print("FAIL:", e)
        return 1
    finally:
        h.stop_display()
        shutil.rmtree(work, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
