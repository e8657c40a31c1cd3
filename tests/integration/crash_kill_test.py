"""crash_kill_test.py — kill -9 at random moments of a booking loop, then restart and check.

Two programs are killed: crash_booker (the kiosk's path: the C API, booking_confirm and
booking_cancel in a loop, each confirmed id written to stdout only after the call returned) and
agendactl (one `book` or `cancel` per process, confirmed when it exited 0 with its JSON). After
every kill, `crash_booker check` reopens the file and checks every invariant (crash_check.h):
integrity, no slot or practice with two live appointments, one 'book' journal entry and audit
record per booking, no leaked slot, the audit chain, and every confirmed id in the ledger present
in its confirmed state. At most one effect per kill may be in the file without having been
confirmed (the call in flight), never the other way round.

usage: crash_kill_test.py CRASH_BOOKER AGENDACTL [--iterations N] [--seed S] [--only api|ctl]
CTest runs 20 iterations of each; docs/RELIABILITY.md has the long command (1,000).
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agendactl_harness as h  # noqa: E402

STEPS = 100  # workload steps in the calibration run
ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("AGENDA_")},
       "TZ": "Europe/Rome", "LC_ALL": "C.UTF-8", "AGENDA_NOW": h.NOW}


def check(booker, db, ledger, kills):
    r = subprocess.run([booker, "check", db, ledger], capture_output=True, text=True,
                       timeout=120, env=ENV)
    try:
        res = json.loads(r.stdout)
    except ValueError:
        raise AssertionError("check printed no result: %r %r" % (r.stdout, r.stderr))
    if r.returncode != 0 or not res["ok"]:
        raise AssertionError("invariant broken after kill %d: %s" % (kills, res["message"]))
    if res["unconfirmed"] > kills:
        raise AssertionError("%d unconfirmed effects after %d kills" % (res["unconfirmed"], kills))
    return res


def complete_lines(data):
    """Only whole lines count: a kill may cut the last one (it was never 'shown')."""
    text = data.decode("utf-8", "replace")
    return text[: text.rfind("\n") + 1] if "\n" in text else ""


def run_killed(cmd, stdin, delay):
    """Starts cmd, kills it with SIGKILL after delay seconds (if still running)."""
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=ENV)
    p.stdin.write(stdin.encode())
    p.stdin.close()
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and p.poll() is None:
        time.sleep(min(0.002, max(0.0, deadline - time.monotonic())))
    killed = p.poll() is None
    if killed:
        os.kill(p.pid, signal.SIGKILL)
    out = p.stdout.read()
    err = p.stderr.read()
    p.wait()
    return killed, p.returncode, out, err


def api_loop(booker, folder, iterations, rnd):
    db = os.path.join(folder, "api.db")
    ledger = os.path.join(folder, "api.ledger")
    password = subprocess.run([booker, "setup", db], capture_output=True, text=True,
                              check=True, env=ENV).stdout.strip()
    # One uninterrupted run of STEPS steps (start-up, WAL recovery, log-in, bookings) sets the
    # window the kills are spread over; each killed run may do at most twice as many.
    t0 = time.monotonic()
    first = subprocess.run([booker, "book", db, "0", str(STEPS)], input=password + "\n",
                           text=True, check=True, capture_output=True, env=ENV)
    span = time.monotonic() - t0
    with open(ledger, "w") as f:
        f.write(first.stdout)
    killed_count = killed_mid_loop = 0
    for i in range(iterations):
        killed, rc, out, err = run_killed(
            [booker, "book", db, str(rnd.getrandbits(32)), str(2 * STEPS)], password + "\n",
            rnd.uniform(0.0, span))
        if not killed and rc != 0:
            raise AssertionError("crash_booker failed (rc %d): %r" % (rc, err))
        killed_count += killed
        lines = complete_lines(out)
        if killed and lines:
            killed_mid_loop += 1
        with open(ledger, "a") as f:
            f.write(lines)
        res = check(booker, db, ledger, i + 1)
    res["kills"] = killed_count
    res["kills_after_first_confirmation"] = killed_mid_loop
    res["window_s"] = round(span, 3)
    return res


def ctl_loop(booker, agendactl, folder, iterations, rnd):
    ag = h.Agenda(agendactl, folder, name="ctl.db")
    ag.standard_site(slots=16, to="2026-07-31")
    ledger = os.path.join(folder, "ctl.ledger")
    bookable = [p[0] for p in h.PRACTICES if p[6] != "studio" and p[7] == "RM"]
    live = {}  # practice -> appointment id, as far as confirmed output tells
    password = ag.passwords["mario.rossi"]
    # How long one uninterrupted command takes, to spread the kills over its whole life.
    t0 = time.monotonic()
    ag.ok("propose", "--pratica", bookable[0], user="mario.rossi")
    span = max(0.05, (time.monotonic() - t0) * 1.1)
    killed_count = 0
    for i in range(iterations):
        pratica = rnd.choice(bookable)
        if pratica in live:
            args = ["cancel", live[pratica], "--reason", "prova di interruzione"]
        else:
            args = ["book", "--pratica", pratica]
        cmd = [agendactl, "--db", ag.db, "--json", "--user", "mario.rossi"] + args
        killed, rc, out, err = run_killed(cmd, password + "\n", rnd.uniform(0.0, span))
        killed_count += killed
        if not killed and rc == 0:
            obj = json.loads(out.decode().strip().splitlines()[-1])
            with open(ledger, "a") as f:
                if args[0] == "book":
                    live[pratica] = obj["id"]
                    if not obj["existing"]:
                        f.write("book %s\n" % obj["id"])
                else:
                    f.write("cancel %s\n" % live.pop(pratica))
        elif not killed:
            # refused (e.g. the cancel of an appointment whose book was killed unconfirmed)
            live.pop(pratica, None)
        res = check(booker, ag.db, ledger, i + 1)
    res["kills"] = killed_count
    res["completed"] = iterations - killed_count
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("booker")
    ap.add_argument("agendactl")
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("CRASH_SEED", "1")))
    ap.add_argument("--only", choices=["api", "ctl"])
    a = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="crash-kill-")
    try:
        t0 = time.monotonic()
        if a.only != "ctl":
            res = api_loop(a.booker, folder, a.iterations, random.Random(a.seed))
            print("kill -9, C API (seed %d): %s" % (a.seed, json.dumps(res)))
        if a.only != "api":
            res = ctl_loop(a.booker, a.agendactl, folder, a.iterations,
                           random.Random(a.seed + 1))
            print("kill -9, agendactl (seed %d): %s" % (a.seed, json.dumps(res)))
        print("%.1f s" % (time.monotonic() - t0))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
