#!/usr/bin/python3
"""sync_worklist_test.py — what central decides after the fact ends on the right device's
worklist (issue 12): a late closure, the same practice booked by two offline counters, a
practice withdrawn at central.

One agenda-central (SQLite, or PostgreSQL under tests/central/with_postgres.sh), two devices of
two sites serving RM (A of ROMA, B of OSTIA), each behind its own proxy (tests/tools/
fault_proxy.py, used here as a switch: up or down). Checked, on the devices' files and on
central's store:
  - late closure: A books the pool's earliest slot and syncs; central closes that day; at A's
    next round the appointment stays confirmed (the office calls the applicant) and is on A's
    worklist with reason `closure`; A's free slots of that day are gone, on A and at central;
    `worklist done ID` closes the item with the operator's name;
  - duplicate practice, both orders: A and B, offline, book the same practice, A first. When B
    syncs first, central confirms B's, then A's earlier booking wins: B's copy is cancelled by
    a `revoke` at B's next round. When A syncs first, B's push loses at once (`cancel_copy`).
    Either way A's stays confirmed on A and at central, B's is cancelled on B and not confirmed
    at central, and B's worklist names it with reason `duplicate_practice`;
  - withdrawn practice: A books and syncs; `agenda-central practice withdraw` cancels it at
    central; at A's next round it is cancelled on A, on A's worklist with reason `withdrawn`,
    and the practice can no longer be booked on A;
  - then both devices sync until quiet: digests equal central's, no alert, every entry applied
    once.
Usage: sync_worklist_test.py AGENDACTL AGENDA_CENTRAL
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sync_harness import (Central, Device, check, day_text, practice_rows,  # noqa
                          same_digest, sync_until_quiet, text_day)

SITES = {"ROMA": ["RM", "LT"], "OSTIA": ["RM"]}


def item_for(dev, appointment_id):
    for item in dev.worklist():
        if item.get("appointment_id") == appointment_id:
            return item
    return None


def says(item, reason):
    """The reason is the item's kind or is named in its detail."""
    text = " ".join(str(v) for v in item.values() if isinstance(v, str))
    return reason in text


def booked(dev, pratica, what, *extra):
    r = dev.book(pratica, *extra)
    check(r.returncode == 0 and r.json and not r.json.get("existing"),
          "%s: %s books %s (%s)" % (what, dev.name, pratica, r.stderr.strip()[:300]))
    return r.json


def late_closure(central, a, b):
    first = booked(a, "RM/2026/000001", "late closure")
    day = text_day(first["date"])
    check(first["time"] == "08:30", "late closure: A got the day's first slot (%s %s)"
          % (first["date"], first["time"]))
    a.must_sync()
    check(central.appointment_state(first["id"]) == "confirmed",
          "late closure: the booking is confirmed at central")
    free_before = [s for s, v in a.granted(("free",)).items() if v[1] == day]
    central.must("closure", "add", "--questura", "RM", "--date", day_text(day), "--note",
                 "Chiusura straordinaria", what="closure add on %s, after A booked there"
                 % day_text(day))
    a.must_sync()
    b.must_sync()
    check(a.appointment_state(first["id"]) == "confirmed" and
          central.appointment_state(first["id"]) == "confirmed",
          "late closure: the appointment stays confirmed on A and at central")
    item = item_for(a, first["id"])
    check(item is not None and says(item, "closure"),
          "late closure: on A's worklist with reason closure (%s)" % item)
    check(item.get("numero_pratica") in (None, "RM/2026/000001"),
          "late closure: the item names the practice")
    left = [s for s, v in a.granted(("free",)).items() if v[1] == day]
    check(free_before and not left, "late closure: A's %d free slots of that day are gone "
          "from A" % len(free_before))
    at_central = central.store.value("SELECT COUNT(*) FROM slot WHERE questura = 'RM' AND "
                                     "day = %d" % day)
    check(int(at_central) == 1, "late closure: central keeps only the booked slot of that day "
          "(%s)" % at_central)
    again = a.book("RM/2026/000002")
    check(again.returncode != 0 or text_day(again.json["date"]) != day,
          "late closure: nothing more is booked on the closed day")
    return item, first


def duplicate_practice(central, a, b, pratica, b_first):
    order = "B pushes first" if b_first else "A pushes first"
    a.proxy.mode = b.proxy.mode = "down"
    mine = booked(a, pratica, "duplicate (%s), offline" % order, "--offline")
    time.sleep(1.1)  # B's booking is strictly later by the device clocks
    theirs = booked(b, pratica, "duplicate (%s), offline" % order, "--offline")
    a.proxy.mode = b.proxy.mode = "up"
    for dev in ((b, a, b) if b_first else (a, b)):
        dev.must_sync()
    check(a.appointment_state(mine["id"]) == "confirmed" and
          central.appointment_state(mine["id"]) == "confirmed",
          "duplicate (%s): A's earlier booking is confirmed on A and at central" % order)
    check(b.appointment_state(theirs["id"]) == "cancelled" and
          central.appointment_state(theirs["id"]) != "confirmed",
          "duplicate (%s): B's copy is cancelled on B (%s) and not confirmed at central (%s)"
          % (order, b.appointment_state(theirs["id"]), central.appointment_state(theirs["id"])))
    item = item_for(b, theirs["id"])
    check(item is not None and says(item, "duplicate_practice"),
          "duplicate (%s): on B's worklist with reason duplicate_practice (%s)" % (order, item))
    check(item_for(a, mine["id"]) is None, "duplicate (%s): nothing on A's worklist" % order)


def withdrawn(central, a):
    mine = booked(a, "RM/2026/000030", "withdrawn")
    a.must_sync()
    central.must("practice", "withdraw", "--numero", "RM/2026/000030", what="practice withdraw --numero RM/2026/000030")
    check(central.appointment_state(mine["id"]) == "cancelled",
          "withdrawn: central cancelled the appointment")
    a.must_sync()
    check(a.appointment_state(mine["id"]) == "cancelled",
          "withdrawn: A cancelled it at its next round")
    item = item_for(a, mine["id"])
    check(item is not None and says(item, "withdrawn"),
          "withdrawn: on A's worklist with reason withdrawn (%s)" % item)
    r = a.book("RM/2026/000030")
    check(r.returncode == 4, "withdrawn: the practice can no longer be booked on A (exit %d: "
          "%s)" % (r.returncode, r.stderr.strip()[:200]))


def worklist_on_the_counter(a, item, first):
    """The same item through agendactl, as the counter sees it, then marked done."""
    shown = {w.get("id"): w for w in a.worklist_cli()}
    check(item["id"] in shown and shown[item["id"]].get("appointment_id") == first["id"],
          "worklist: `agendactl worklist` shows the item (%s)" % shown.get(item["id"]))
    r = a.run("worklist", "done", str(item["id"]), user=True)
    check(r.returncode == 0, "worklist: worklist done %s (%s)" % (item["id"],
                                                                     r.stderr.strip()[:200]))
    done = item_for(a, first["id"])
    check(done is not None and done.get("done_at") and done.get("done_by") == a.user,
          "worklist: the item is done, by %s (%s)" % (a.user, done))


def converged(central, devices):
    sync_until_quiet(central, devices)
    for d in devices:
        same, diff = same_digest(central, d)
        check(same, "%s: its digest equals central's %s" % (d.name, diff))
        row = central.device_sync(d.id)
        check(row is not None and row[2] is None, "%s: no alert at central (%s)" % (d.name, row))
        check(set(central.applied(d.id)) == d.entry_ids(),
              "%s: every journal entry applied exactly once" % d.name)


def main():
    agendactl, binary = sys.argv[1], sys.argv[2]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="agenda-sync-worklist-") as root:
        log = open(os.path.join(root, "proxies.log"), "w")
        central = Central(binary, os.path.join(root, "central"))
        central.init(SITES, practice_rows(40), days=40)
        central.serve()
        devices = []
        try:
            a = Device(agendactl, root, "a", "ROMA", central, log)
            b = Device(agendactl, root, "b", "OSTIA", central, log)
            devices = [a, b]
            for d in devices:
                d.provision()
                d.must_sync()
            closure_item, closure_booking = late_closure(central, a, b)
            duplicate_practice(central, a, b, "RM/2026/000010", b_first=True)
            duplicate_practice(central, a, b, "RM/2026/000011", b_first=False)
            withdrawn(central, a)
            converged(central, devices)
            worklist_on_the_counter(a, closure_item, closure_booking)
        finally:
            for d in devices:
                d.stop()
            central.stop()
            log.close()
    print("worklist checks passed in %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
