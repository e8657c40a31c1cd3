#!/usr/bin/python3
"""sync_invariants_test.py — three counters book one Questura while their links come and go
(issue 12, "Tests and figures"): no slot is ever given twice and nothing confirmed is lost.

One agenda-central (SQLite, or PostgreSQL under tests/central/with_postgres.sh), two sites that
both serve the Questura RM (ROMA: RM and LT, OSTIA: RM), three agendactl devices (two of ROMA,
one of OSTIA) provisioned with help-desk codes, each behind its own fault proxy
(tests/tools/fault_proxy.py, seeded). Three threads, one per device, run a seeded script of
steps at the same time: switch the link (`up`, `down`: every connection closed at once, or
`faulty`: cut at a random byte in either direction, delay, stall, replay, duplicate), then book a
practice of RM drawn from one shared list (two counters may book the same practice), sync, cancel
or move one of their bookings. Then the links heal and every device syncs until a whole pass
changes nothing. Checked on the devices' files and on central's store (read behind the programs'
back):
  - no (questura, day, minute) confirmed twice across the devices, nor at central; no practice
    confirmed twice; no central slot held by two devices (a device's granted slots are exactly
    the ones central says it holds);
  - no confirmed booking lost: every booking a device reported done is confirmed on that device
    and at central, or was cancelled/moved by the script, or is on its device's worklist with a
    reason (the loser of a duplicate practice);
  - every device converged: its digest (computed here from its file, contract §2) equals the one
    computed from central's tables, central saw no digest mismatch and no audit alert, its
    cursor is central's last change, no journal entry waits;
  - every journal entry applied exactly once: central's journal_applied holds exactly the
    device's entry ids (replayed and duplicated requests included);
  - an online booking got the pool's earliest slot: every pool slot earlier than the one it got
    (snapshot just before) had gone to another device by the time it was booked;
  - the faults really happened.
Usage: sync_invariants_test.py AGENDACTL AGENDA_CENTRAL [--rounds N] [--seed S]
  CI: 12 steps per device (~40 s). Long run (not in CI, docs/RELIABILITY.md):
  tests/integration/sync_invariants_test.py build/firmware/agendactl build/central/agenda-central --rounds 500
"""
import argparse
import collections
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sync_harness import (Central, Device, check, explain_slot, minute_of, practice_rows, rome_today,  # noqa
                          same_digest, seeded, spawn, sync_until_quiet, text_day)

SITES = {"ROMA": ["RM", "LT"], "OSTIA": ["RM"]}
DEVICES = (("roma-a", "ROMA"), ("roma-b", "ROMA"), ("ostia", "OSTIA"))
FAULTS = dict(cut=0.55, delay=0.15, delay_ms=200, stall=0.05, replay=0.15, duplicate=0.1,
              cut_max=4096, stall_max=3.0)


class Ledger:
    """What the devices reported done, and what the script undid, for the final checks."""

    def __init__(self):
        self.lock = threading.Lock()
        self.booked = {}  # appointment id -> (device name, pratica, day, minute, online)
        self.undone = {}  # appointment id -> 'cancelled' | 'moved'
        self.not_earliest = []
        self.problems = []  # steps that ended in a way the documentation does not allow
        self.outcomes = collections.Counter()

    def problem(self, what):
        print("NOT OK - " + what, flush=True)
        with self.lock:
            self.problems.append(what)

    def count(self, what):
        with self.lock:
            self.outcomes[what] += 1


def online_book(dev, central, pratica, ledger, today):
    """A booking with the pool as it was just before: when central answered the grant request
    (`online`), the slot booked is the earliest of the whole Questura."""
    before = central.pool("RM", today)
    healthy = dev.proxy.mode == "up"
    r = dev.book(pratica)
    if r.returncode != 0 or not r.json or r.json.get("existing"):
        return r
    if not healthy and r.json.get("online") is not True:
        return r  # the link failed the grant request: booked from what the device holds
    ledger.count("earliest checked")
    got = (text_day(r.json["date"]), minute_of(r.json["time"]))
    earlier = [s for s in before if (s[1], s[2]) < got]
    for sid, day, minute in earlier:
        holder = central.slot_holder("RM", day, minute)
        if holder is None or holder[1] is None or holder[1] == dev.id:
            with ledger.lock:
                ledger.not_earliest.append((dev.name, pratica, r.json["date"], r.json["time"],
                                            sid, day, minute, holder))
    if r.json.get("online") is False:
        with ledger.lock:
            ledger.not_earliest.append((dev.name, pratica, "booked offline on a healthy link"))
    return r


def script(dev, central, steps, seed, practices, ledger, today, errors):
    rng = seeded("%s:%s" % (seed, dev.name))
    mine = []  # appointment ids this device booked and the script has not undone
    try:
        for step in range(steps):
            if step == 0:  # each device starts on another kind of link
                dev.proxy.mode = ("faulty", "down", "up")[DEVICES.index((dev.name, dev.site))]
            elif rng.random() < 0.4:
                dev.proxy.mode = rng.choice(("up", "down", "faulty"))
            roll = rng.random()
            if roll < 0.5:
                pratica = rng.choice(practices)
                online = dev.proxy.mode == "up"
                r = online_book(dev, central, pratica, ledger, today) \
                    if dev.proxy.mode != "down" else dev.book(pratica)
                if r.returncode == 0 and r.json and not r.json.get("existing"):
                    with ledger.lock:
                        ledger.booked[r.json["id"]] = (dev.name, pratica,
                                                       text_day(r.json["date"]),
                                                       minute_of(r.json["time"]), online)
                    mine.append(r.json["id"])
                    ledger.count("book %s" % ("online" if online else dev.proxy.mode))
                else:
                    ledger.count("book exit %d%s" % (r.returncode, " existing" if r.json and
                                                     r.json.get("existing") else ""))
                    if r.returncode not in (0, 3, 4, 5, 15, 16):
                        ledger.problem("%s step %d: book %s ended with exit %d: %s"
                                       % (dev.name, step, pratica, r.returncode,
                                          r.stderr.strip()[:200]))
            elif roll < 0.85 or not mine:
                r = dev.sync()
                ledger.count("sync %s exit %d" % (dev.proxy.mode, r.returncode))
                if r.returncode not in (0, 16) or (dev.proxy.mode == "up" and r.returncode):
                    ledger.problem("%s step %d: sync now through a %s link ended with exit %d, "
                                   "not 0 or 16 (network): %s" % (dev.name, step, dev.proxy.mode,
                                                                  r.returncode,
                                                                  r.stderr.strip()[:200]))
            else:
                victim = mine.pop(rng.randrange(len(mine)))
                verb = "cancel" if roll < 0.93 else "move"
                r = dev.run(verb, victim, "--reason", "Richiesta del richiedente", user=True)
                ledger.count("%s exit %d" % (verb, r.returncode))
                if r.returncode == 0:
                    with ledger.lock:
                        ledger.undone[victim] = "cancelled" if verb == "cancel" else "moved"
                        if verb == "move":
                            ledger.booked[r.json["id"]] = (
                                dev.name, ledger.booked[victim][1], text_day(r.json["date"]),
                                minute_of(r.json["time"]), False)
                    if verb == "move":
                        mine.append(r.json["id"])
    except BaseException as e:  # noqa: B902 — reported by the main thread
        errors.append("%s: %r" % (dev.name, e))


def final_checks(central, devices, ledger):
    """Every invariant is checked and reported, then the test fails if any did not hold."""
    failed = []

    def check(cond, what):
        print("%s - %s" % ("ok" if cond else "NOT OK", what), flush=True)
        if not cond:
            failed.append(what)

    by_name = {d.name: d for d in devices}
    times = collections.Counter()
    pratiche = collections.Counter()
    central_confirmed = central.confirmed()
    for d in devices:
        mine = d.confirmed()
        for aid, (pratica, questura, day, minute) in mine.items():
            times[(questura, day, minute)] += 1
            pratiche[pratica] += 1
        at_central = {c[0]: (c[2], c[3], c[4], c[5]) for c in central_confirmed if c[1] == d.id}
        check(mine == at_central, "%s: its %d confirmed appointments are central's for %s "
              "(id, practice and time)" % (d.name, len(mine), d.id))
    twice = [k for k, n in times.items() if n > 1]
    check(not twice, "no (questura, day, minute) confirmed twice across the devices (%d "
          "confirmed): %s" % (sum(times.values()), twice[:5]))
    check(not [p for p, n in pratiche.items() if n > 1],
          "no practice confirmed on two devices")
    at_central = collections.Counter((c[3], c[4], c[5]) for c in central_confirmed)
    check(max(at_central.values() or [0]) <= 1, "no (questura, day, minute) confirmed twice "
          "at central")
    held = collections.Counter()
    for d in devices:
        granted = d.granted()
        held.update(granted.keys())
        at_central = central.held_by(d.id)
        check(set(granted) == set(at_central),
              "%s: the slots it holds are exactly those central gives to %s (%d; only on the "
              "device: %s; only at central: %s)"
              % (d.name, d.id, len(granted),
                 {k: granted[k] for k in sorted(set(granted) - set(at_central))[:5]},
                 [(k, at_central[k], explain_slot(central, d, *at_central[k]))
                  for k in sorted(set(at_central) - set(granted))[:3]]))
    check(max(held.values() or [0]) <= 1, "no central slot held by two devices")

    worklists = {d.name: {w.get("appointment_id"): w for w in d.worklist()} for d in devices}
    lost = []
    kept = listed = undone = 0
    for aid, (name, pratica, day, minute, _) in sorted(ledger.booked.items()):
        d = by_name[name]
        if aid in ledger.undone:
            undone += 1
            want = ledger.undone[aid]
            # central may have cancelled it first (a duplicate practice resolved for another
            # device): what matters is that it is not confirmed anywhere any more
            if d.appointment_state(aid) != want or central.appointment_state(aid) not in (
                    want, "cancelled"):
                lost.append((name, aid, pratica, "should be %s" % want,
                             d.appointment_state(aid), central.appointment_state(aid)))
            continue
        if d.appointment_state(aid) == "confirmed" and central.appointment_state(aid) == \
                "confirmed":
            kept += 1
            continue
        item = worklists[name].get(aid)
        if item and (item.get("kind") or item.get("detail")):
            listed += 1
            continue
        lost.append((name, aid, pratica, d.appointment_state(aid),
                     central.appointment_state(aid)))
    check(not lost, "no confirmed booking lost: of %d reported done, %d confirmed on the device "
          "and at central, %d on their device's worklist with a reason, %d undone by the "
          "script as asked: %s" % (len(ledger.booked), kept, listed, undone, lost[:5]))

    top = central.max_change_seq()
    for d in devices:
        check(int(d.sync_key("cursor") or 0) == top and d.unacked() == 0,
              "%s: cursor at central's last change (%d), no journal entry waiting" % (d.name,
                                                                                     top))
        same, diff = same_digest(central, d)
        check(same, "%s: the digest of its file equals the digest of central's tables for %s %s"
              % (d.name, d.id, diff))
        row = central.device_sync(d.id)
        check(row is not None and str(row[1]) in ("1", "t", "true") and row[2] is None,
              "%s: central's device_sync says digest ok, no alert (%s)" % (d.name, row))
        applied = central.applied(d.id)
        entries = d.entry_ids()
        check(set(applied) == entries, "%s: every journal entry applied at central exactly "
              "once (%d entries, %d applied)" % (d.name, len(entries), len(applied)))
    check(not ledger.problems, "every step ended in a documented way: a sync in 0 or 16 "
          "(network), 0 on a healthy link; a booking in 0, 3, 4, 5, 15 or 16 (%s)"
          % ledger.problems[:3])
    check(not ledger.not_earliest, "every online booking got the pool's earliest slot "
          "(%s)" % ledger.not_earliest[:5])
    if failed:
        raise AssertionError("%d invariant(s) did not hold:\n  %s" % (len(failed), "\n  ".join(failed)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agendactl")
    ap.add_argument("central")
    ap.add_argument("--rounds", type=int, default=12, help="steps per device")
    ap.add_argument("--seed", type=int, default=12)
    a = ap.parse_args()
    started = time.monotonic()
    today = rome_today()
    n_practices = max(40, a.rounds * 2)
    practices = ["RM/2026/%06d" % i for i in range(1, n_practices + 1)]
    days = max(40, a.rounds // 4 + 30)
    with tempfile.TemporaryDirectory(prefix="agenda-sync-invariants-") as root:
        log = open(os.path.join(root, "proxies.log"), "w")
        central = Central(a.central, os.path.join(root, "central"))
        central.init(SITES, practice_rows(n_practices), days=days)
        central.serve()
        devices = []
        try:
            for i, (name, site) in enumerate(DEVICES):
                d = Device(a.agendactl, root, name, site, central, log,
                           proxy_seed=a.seed * 10 + i, faults=FAULTS)
                devices.append(d)
                d.provision()
                d.must_sync()
            ledger, errors = Ledger(), []
            threads = [spawn(script, d, central, a.rounds, a.seed, practices, ledger, today,
                             errors) for d in devices]
            for t in threads:
                t.join()
            check(not errors, "the three scripts ran to the end (%s)" % errors)
            print("outcomes: %s" % dict(sorted(ledger.outcomes.items())), flush=True)
            sync_until_quiet(central, devices)
            final_checks(central, devices, ledger)
            faults = collections.Counter()
            for d in devices:
                faults.update(d.proxy.summary())
                faults["down"] += d.proxy.refused
            print("faults: %s" % dict(faults))
            check(faults["cut"] > 0 and faults["down"] > 0,
                  "the faults really happened: %d cuts, %d connections refused (link down), "
                  "%d replays, %d duplicates, %d delays, %d stalls over %d connections"
                  % (faults["cut"], faults["down"], faults["replay"], faults["duplicate"],
                     faults["delay"], faults["stall"], faults["connections"]))
        finally:
            for d in devices:
                d.stop()
            central.stop()
            log.close()
    print("all sync invariants held: %d steps per device, seed %d, %.1f s"
          % (a.rounds, a.seed, time.monotonic() - started))


if __name__ == "__main__":
    main()
