#!/usr/bin/python3
"""sync_dead_device_test.py — a device that dies holding slots does not strand them (issue 12).

agenda-central serves with short leases (`serve --lease-seconds 8 --lease-margin-seconds 2`),
on SQLite or (under tests/central/with_postgres.sh) PostgreSQL; two devices of ROMA, A and B,
each behind its own proxy. A syncs first and holds the earliest slots; B holds the next ones.
A books P1 and syncs it, then books P2 with its link down, and dies (never runs again) before
its lease ends. B keeps syncing (its leases renew). Checked:
  - before lease + margin nothing of A's moves;
  - after it, at B's next round, central has given A's free slots back to the pool, and P2's
    slot too (central never heard of P2); P1's slot stays A's (a confirmed central appointment);
  - B's online booking then gets the pool's earliest slot, which is P2's slot: the slot went
    from the dead device to another one;
  - A comes back, link still down: its booking is refused (its leases ended: it books nothing
    on a slot central may have given away) and nothing is written;
  - A's next round: it learns by `revoke` (lease_expired) that its free slots are gone (deleted
    on A), P2 reaches central and loses to B's booking (`slot_taken`): it stays confirmed on A,
    on A's worklist with reason slot_taken; A books again from a new grant; the counter moves P2
    as the worklist asks; both devices converge (digests equal central's, no alert).
Usage: sync_dead_device_test.py AGENDACTL AGENDA_CENTRAL
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sync_harness import (Central, Device, check, minute_of, practice_rows,  # noqa: E402
                          same_digest, sync_until_quiet, text_day)

LEASE, MARGIN = 8, 2
SITES = {"ROMA": ["RM"]}


def booked(dev, pratica, what, *extra):
    r = dev.book(pratica, *extra)
    check(r.returncode == 0 and r.json and not r.json.get("existing"),
          "%s: %s books %s (%s)" % (what, dev.name, pratica, r.stderr.strip()[:300]))
    return r.json


def main():
    agendactl, binary = sys.argv[1], sys.argv[2]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="agenda-sync-dead-") as root:
        log = open(os.path.join(root, "proxies.log"), "w")
        central = Central(binary, os.path.join(root, "central"))
        central.init(SITES, practice_rows(20), days=30)
        central.serve("--lease-seconds", str(LEASE), "--lease-margin-seconds", str(MARGIN))
        devices = []
        try:
            a = Device(agendactl, root, "a", "ROMA", central, log)
            b = Device(agendactl, root, "b", "ROMA", central, log)
            devices = [a, b]
            for d in devices:
                d.provision()
            a.must_sync()
            b.must_sync()
            p1 = booked(a, "RM/2026/000001", "alive")
            a.must_sync()
            a.proxy.mode = "down"
            p2 = booked(a, "RM/2026/000002", "link down, lease running", "--offline")
            died = time.time()
            a_free = set(a.granted(("free",)))
            check(len(a_free) > 0, "A dies holding %d free slots, P2 booked offline (%s %s)"
                  % (len(a_free), p2["date"], p2["time"]))
            p2_at = (text_day(p2["date"]), minute_of(p2["time"]))
            p2_slot = central.slot_holder("RM", *p2_at)
            check(p2_slot is not None and p2_slot[1] == a.id,
                  "P2's slot is A's at central (%s)" % (p2_slot,))

            b.must_sync()
            check(set(central.held_by(a.id)) >= a_free,
                  "before lease + margin, central still gives A its slots")
            while time.time() < died + LEASE + MARGIN + 1.5:
                time.sleep(0.5)
            b.must_sync("B's round after A's lease + margin")
            left = central.held_by(a.id)
            p1_slot = central.slot_holder("RM", text_day(p1["date"]), minute_of(p1["time"]))
            check(set(left) == {int(p1_slot[0])},
                  "central took back every slot of A but P1's (confirmed at central): A now "
                  "holds %s" % sorted(left))
            holder = central.slot_holder("RM", *p2_at)[1]
            check(holder in (None, b.id), "P2's slot (central never heard of P2) is no longer "
                  "A's: back in the pool or already granted to B (%s)" % holder)
            p3 = booked(b, "RM/2026/000003", "online after A died")
            check((text_day(p3["date"]), minute_of(p3["time"])) == p2_at,
                  "B's online booking got the pool's earliest slot, the one A held for P2 "
                  "(%s %s)" % (p3["date"], p3["time"]))
            b.must_sync()
            check(central.appointment_state(p3["id"]) == "confirmed",
                  "B's booking of A's old slot is confirmed at central")

            # A comes back; its link is still down
            r = a.book("RM/2026/000004", "--offline")
            check(r.returncode != 0 and not any(v[0] == "RM/2026/000004"
                                                for v in a.confirmed().values()),
                  "A back with expired leases: its offline booking is refused, nothing "
                  "written (exit %d: %s)" % (r.returncode, r.stderr.strip()[:200]))
            a.proxy.mode = "up"
            a.must_sync()
            now_free = a.granted(("free",))
            regranted = set(central.held_by(a.id))
            check(not ((set(now_free) & a_free) - regranted) and set(now_free) <= regranted,
                  "A's round: of the slots it held when it died, A keeps only those central "
                  "granted it again (%d of %d); its free slots are exactly central's"
                  % (len(set(now_free) & a_free), len(a_free)))
            check(all(v[4] and v[4] > time.time() for v in now_free.values()),
                  "A's round: every free slot A holds now has a running lease")
            check(a.appointment_state(p2["id"]) == "confirmed" and
                  central.appointment_state(p2["id"]) != "confirmed",
                  "P2 stays confirmed on A, not at central (B has that slot)")
            items = [w for w in a.worklist() if w.get("appointment_id") == p2["id"]]
            check(items and "slot_taken" in " ".join(str(v) for v in items[0].values()),
                  "P2 is on A's worklist with reason slot_taken (%s)" % items)
            p4 = booked(a, "RM/2026/000004", "A after its round")
            check(p4["id"] in a.confirmed(), "A books again from new grants (%s %s)"
                  % (p4["date"], p4["time"]))
            r = a.run("move", p2["id"], "--reason", "Posto assegnato ad altra postazione",
                      user=True)
            check(r.returncode == 0 and a.appointment_state(p2["id"]) == "moved",
                  "the counter moves P2 as the worklist asks (%s)" % r.stderr.strip()[:200])
            sync_until_quiet(central, devices)
            check(central.appointment_state(r.json["id"]) == "confirmed",
                  "P2's new appointment is confirmed at central")
            for d in devices:
                same, diff = same_digest(central, d)
                check(same, "%s: its digest equals central's %s" % (d.name, diff))
                row = central.device_sync(d.id)
                check(row is not None and row[2] is None,
                      "%s: no alert at central (%s)" % (d.name, row))
        finally:
            for d in devices:
                d.stop()
            central.stop()
            log.close()
    print("dead device checks passed in %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
