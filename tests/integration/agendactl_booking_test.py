#!/usr/bin/python3
"""agendactl_booking_test.py — the whole booking path through agendactl on a real database.

Usage: agendactl_booking_test.py PATH/TO/agendactl
One site (Roma, 2 slots a day from Tuesday 5 May 2026; "today" is Monday 4 May) is set up with
init, questura add, capacity set, practice import and operator add, then: lookup, propose,
book (JSON fields), book again (existing), book exactly a proposal or get a new one (exit 15), a full day deferring to the next open day with
deferred_from, a closure and a national holiday and a patron day skipped, an extra opening
day used, cancel freeing the slot, move, show, reprint, Modello 209, day, close-day, and
audit verify. Finally the database itself is read to check that every appointment came with
its journal entry and audit record (one transaction each) and no slot is given twice.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agendactl_harness as h  # noqa: E402


class BookingPath(h.AgendaTest):

    def setUp(self):
        super().setUp()
        self.ag.standard_site()

    def test_lookup_by_either_number(self):
        ag = self.ag
        r = ag.ok("lookup", "--pratica", "RM/2026/000001", user="mario.rossi")
        p = r.json
        self.assertEqual(p["numero_pratica"], "RM/2026/000001")
        self.assertEqual(p["numero_visto"], "ITA000000001")
        self.assertEqual(p["cognome"], "ROSSI")
        self.assertEqual(p["questura"], "RM")
        self.assertTrue(p["bookable"])
        # What operators type: lower case, spaces, no zero padding.
        r = ag.ok("lookup", "--pratica", "rm 2026 1", user="mario.rossi")
        self.assertEqual(r.json["id"], p["id"])
        r = ag.ok("lookup", "--visto", "ita 000 000 001", user="mario.rossi")
        self.assertEqual(r.json["id"], p["id"])
        r = ag.ok("lookup", "--pratica", "RM-2026-000001", "--visto", "ITA000000001",
                  user="mario.rossi")
        self.assertEqual(r.json["id"], p["id"])
        # An ineligible kind is found, and says why it cannot be booked.
        r = ag.ok("lookup", "--pratica", "RM/2026/000009", user="mario.rossi")
        self.assertFalse(r.json["bookable"])
        self.assertIn("studio", r.json["refusal"])
        # Plain text is Italian by default, English with --lang en.
        r = ag.ok("lookup", "--pratica", "RM/2026/000001", user="mario.rossi", json_mode=False)
        self.assertIn("Prenotabile: sì", r.out)
        r = ag.ok("--lang", "en", "lookup", "--pratica", "RM/2026/000001", user="mario.rossi",
                  json_mode=False)
        self.assertIn("Can be booked: yes", r.out)

    def test_full_path(self):
        ag = self.ag
        u = "mario.rossi"

        # propose shows the slot without taking it.
        r = ag.ok("propose", "--pratica", "RM/2026/000001", user=u)
        self.assertEqual((r.json["date"], r.json["time"], r.json["state"]),
                         ("2026-05-05", "08:30", "proposed"))
        self.assertEqual(ag.ok("day", user=u).objs, [])

        # book: the first open day after today (lead of one open day), earliest slot.
        b1 = ag.book("RM/2026/000001").json
        for key in ("id", "numero_pratica", "questura", "date", "time", "deferred_from",
                    "state", "existing", "days_full", "days_closed"):
            self.assertIn(key, b1)
        self.assertEqual(b1["numero_pratica"], "RM/2026/000001")
        self.assertEqual(b1["questura"], "RM")
        self.assertEqual((b1["date"], b1["time"]), ("2026-05-05", "08:30"))
        self.assertIsNone(b1["deferred_from"])
        self.assertEqual((b1["state"], b1["existing"]), ("confirmed", False))
        self.assertEqual(len(b1["id"]), 36)

        # Booking the same practice again (even by visa number) returns the live appointment.
        again = ag.run("book", "--visto", "ITA000000001", user=u).json
        self.assertEqual(again["id"], b1["id"])
        self.assertTrue(again["existing"])
        self.assertEqual((again["date"], again["time"]), ("2026-05-05", "08:30"))

        b2 = ag.book("RM/2026/000002").json
        self.assertEqual((b2["date"], b2["time"]), ("2026-05-05", "08:45"))

        # Tuesday is full: Wednesday, deferred from Tuesday.
        b3 = ag.book("RM/2026/000003").json
        self.assertEqual((b3["date"], b3["time"]), ("2026-05-06", "08:30"))
        self.assertEqual(b3["deferred_from"], "2026-05-05")
        self.assertEqual(b3["days_full"], 1)

        # A closure on a day with appointments is refused; on a free day it is accepted.
        r = ag.run("closure", "add", "RM", "2026-05-05", "--note", "sciopero")
        self.assertExit(r, 4, "refused")
        ag.ok("closure", "add", "RM", "2026-05-07", "--note", "assemblea")

        b4 = ag.book("RM/2026/000004").json
        self.assertEqual((b4["date"], b4["time"]), ("2026-05-06", "08:45"))
        # Wednesday full, Thursday closed: Friday, with both reasons counted.
        b5 = ag.book("RM/2026/000005").json
        self.assertEqual((b5["date"], b5["time"]), ("2026-05-08", "08:30"))
        self.assertEqual(b5["deferred_from"], "2026-05-05")
        self.assertEqual(b5["days_full"], 2)
        self.assertEqual(b5["days_closed"], 1)

        # Saturday slots exist but Saturday is closed ... until an extra opening.
        ag.ok("capacity", "set", "RM", "--from", "2026-05-09", "--to", "2026-05-09",
              "--weekdays", "6", "--first", "09:00", "--minutes", "15", "--slots", "1")
        ag.book("RM/2026/000006")  # takes Friday 08:45
        r = ag.ok("propose", "--pratica", "RM/2026/000007", user=u)
        self.assertEqual(r.json["date"], "2026-05-11")
        ag.ok("closure", "open", "RM", "2026-05-09", "--note", "apertura straordinaria")
        b7 = ag.book("RM/2026/000007").json
        self.assertEqual((b7["date"], b7["time"]), ("2026-05-09", "09:00"))

        # cancel frees the slot: the next booking takes it.
        r = ag.run("cancel", b2["id"], user=u)
        self.assertExit(r, 2, "usage")  # the reason is required
        c2 = ag.ok("cancel", b2["id"], "--reason", "richiesta del richiedente", user=u).json
        self.assertEqual((c2["id"], c2["state"]), (b2["id"], "cancelled"))
        b8 = ag.book("RM/2026/000008", "--modello209").json
        self.assertEqual((b8["date"], b8["time"]), ("2026-05-05", "08:45"))
        self.assertTrue(b8["modello209"])

        # move: the earliest *other* free slot; the old appointment points to the new one.
        m1 = ag.ok("move", b1["id"], "--reason", "impedimento", user=u).json
        self.assertNotEqual(m1["id"], b1["id"])
        self.assertEqual(m1["moved_from"], b1["id"])
        self.assertEqual(m1["state"], "confirmed")
        self.assertEqual(m1["numero_pratica"], "RM/2026/000001")
        self.assertNotEqual((m1["date"], m1["time"]), ("2026-05-05", "08:30"))
        self.assertEqual((m1["date"], m1["time"]), ("2026-05-11", "08:30"))
        old = ag.ok("show", b1["id"], user=u).json
        self.assertEqual(old["state"], "moved")
        # The moved-from slot is free again.
        self.assertEqual(ag.book("RM/2026/000010").json["time"], "08:30")

        # reprint is recorded and counted; Modello 209 too.
        self.assertEqual(ag.ok("reprint", m1["id"], user=u).json["prints"], 1)
        self.assertEqual(ag.ok("reprint", m1["id"], user=u).json["prints"], 2)
        self.assertTrue(ag.ok("modello209", m1["id"], user=u).json["modello209"])
        shown = ag.ok("show", m1["id"], user=u).json
        self.assertEqual((shown["prints"], shown["modello209"]), (2, True))
        self.assertExit(ag.run("show", "00000000-0000-4000-8000-000000000000", user=u), 3,
                        "not_found")

        # day: every appointment created today, in any state, one JSON object per line.
        day = ag.ok("day", user=u).objs
        ids = {o["id"] for o in day}
        for b in (b1, b2, b3, b4, b5, b7, b8, m1):
            self.assertIn(b["id"], ids)
        self.assertEqual(len(day), 10)
        states = sorted(o["state"] for o in day)
        self.assertEqual(states.count("cancelled"), 1)
        self.assertEqual(states.count("moved"), 1)
        self.assertEqual(ag.ok("day", "2026-05-03", user=u).objs, [])
        plain = ag.ok("day", "04/05/2026", user=u, json_mode=False)
        self.assertIn("Totale: 10.", plain.out)

        # close-day: a record per close, versioned.
        c = ag.ok("close-day", user=u).json
        self.assertEqual((c["date"], c["version"]), ("2026-05-04", 1))
        self.assertEqual(c["appointments"], 8)
        self.assertEqual(c["cancellations"], 2)
        self.assertEqual(ag.ok("close-day", "2026-05-04", user=u).json["version"], 2)

        # The audit chain is intact.
        a = ag.ok("audit", "verify").json
        self.assertTrue(a["intact"])
        self.assertGreater(a["records"], 10)

        # In the file: each appointment has exactly its journal entries and audit records; one live
        # appointment per slot and per practice; booked slots are exactly the live ones.
        db = ag.sql()
        try:
            appts = db.execute("SELECT id, slot_id, state FROM appointment").fetchall()
            self.assertEqual(len(appts), 10)
            self.assertRecordsExact(db)
            live = [a for a in appts if a[2] == "confirmed"]
            self.assertEqual(len({a[1] for a in live}), len(live))
            booked = db.execute("SELECT count(*) FROM slot WHERE state = 'booked'").fetchone()[0]
            self.assertEqual(booked, len(live))
        finally:
            db.close()

    def test_book_exactly_the_proposal(self):
        """propose, then book --slot/--date/--time books that slot or nothing (exit 15)."""
        ag = self.ag
        u = "mario.rossi"
        p1 = ag.ok("propose", "--pratica", "RM/2026/000001", user=u).json
        p2 = ag.ok("propose", "--pratica", "RM/2026/000002", user=u).json
        self.assertEqual(p1["slot"], p2["slot"])  # both read out the same earliest slot
        exact = ["--slot", str(p1["slot"]), "--date", p1["date"], "--time", p1["time"]]
        b1 = ag.ok("book", "--pratica", "RM/2026/000001", *exact, user=u).json
        self.assertEqual((b1["slot"], b1["date"], b1["time"], b1["state"]),
                         (p1["slot"], "2026-05-05", "08:30", "confirmed"))
        # The second counter confirms what it read out: gone, nothing booked, a new proposal.
        r = ag.run("book", "--pratica", "RM/2026/000002", "--slot", str(p2["slot"]), "--date",
                   p2["date"], "--time", p2["time"], user=u)
        self.assertExit(r, 15, "proposal_changed")
        fresh = r.json["new_proposal"]
        self.assertEqual((fresh["date"], fresh["time"], fresh["state"]),
                         ("2026-05-05", "08:45", "proposed"))
        self.assertIn("05/05/2026 alle 08:45", r.json["message"])
        self.assertEqual(len(ag.ok("day", user=u).objs), 1)
        # Plain text names the new proposal on stdout and the reason on stderr.
        r = ag.run("book", "--pratica", "RM/2026/000002", "--slot", str(p2["slot"]), "--date",
                   p2["date"], "--time", p2["time"], user=u, json_mode=False)
        self.assertEqual(r.rc, 15)
        self.assertIn("08:45", r.out)
        self.assertIn("confermare di nuovo", r.err)
        b2 = ag.ok("book", "--pratica", "RM/2026/000002", "--slot", str(fresh["slot"]),
                   "--date", fresh["date"], "--time", fresh["time"], user=u).json
        self.assertEqual(b2["slot"], fresh["slot"])
        # A date or time other than the slot's is not that proposal either.
        p3 = ag.ok("propose", "--pratica", "RM/2026/000003", user=u).json
        r = ag.run("book", "--pratica", "RM/2026/000003", "--slot", str(p3["slot"]), "--date",
                   p3["date"], "--time", "17:00", user=u)
        self.assertExit(r, 15, "proposal_changed")
        # Half a proposal, or a malformed one, is a usage error before any log-in.
        self.assertExit(ag.run("book", "--pratica", "RM/2026/000003", "--slot", "1", user=u),
                        2, "usage")
        self.assertExit(ag.run("book", "--pratica", "RM/2026/000003", "--slot", "x", "--date",
                               "2026-05-05", "--time", "08:30", user=u), 2, "usage")
        self.assertEqual(len(ag.ok("day", user=u).objs), 2)

    def test_holiday_and_patron_skipped(self):
        ag = self.ag
        # Milano: slots only on Tuesday 2 June 2026 (Festa della Repubblica) and the day after.
        ag.ok("capacity", "set", "MI", "--from", "2026-06-02", "--to", "2026-06-03",
              "--first", "09:00", "--minutes", "20", "--slots", "1")
        b = ag.book("MI/2026/000001").json
        self.assertEqual((b["date"], b["time"]), ("2026-06-03", "09:00"))
        self.assertEqual(b["deferred_from"], "2026-05-05")
        self.assertGreaterEqual(b["days_closed"], 1)
        # Firenze: patron day given with --patron 06-24 (a Wednesday in 2026).
        ag.ok("capacity", "set", "FI", "--from", "2026-06-24", "--to", "2026-06-25",
              "--first", "09:00", "--minutes", "20", "--slots", "1")
        b = ag.book("FI/2026/000001").json
        self.assertEqual(b["date"], "2026-06-25")
        # Roma's patron comes from the city: listed as 06-29.
        qs = {q["code"]: q for q in ag.ok("questura", "list").objs}
        self.assertEqual(qs["RM"]["patron"], "06-29")
        self.assertEqual(qs["FI"]["patron"], "06-24")
        self.assertEqual(qs["RM"]["address"], "Via di San Vitale 15, Roma")

    def test_no_capacity_in_horizon(self):
        ag = self.ag
        # Padova has no slots at all; Milano's are beyond the 90-day horizon.
        r = ag.book("PD/2026/000001")
        self.assertExit(r, 5, "no_capacity")
        ag.ok("capacity", "set", "MI", "--from", "2026-09-01", "--to", "2026-09-30",
              "--first", "09:00", "--minutes", "20", "--slots", "4")
        self.assertExit(ag.book("MI/2026/000001"), 5, "no_capacity")
        self.assertExit(ag.run("propose", "--pratica", "MI/2026/000001", user="mario.rossi"), 5)
        plain = ag.run("book", "--pratica", "MI/2026/000001", user="mario.rossi",
                       json_mode=False)
        self.assertEqual(plain.rc, 5)
        self.assertIn("Nessun posto libero", plain.err)


if __name__ == "__main__":
    h.main()
