"""agendactl_concurrent_booking_test.py — many agendactl processes booking on one file at once.

Eight counters (eight operators, eight agendactl processes at a time) book 40 practices on one
demo database, each practice asked for by two counters at the same moment for eight of them.
Every booking must either succeed or fail with exit 14 and the store's busy message (never a
generic store error), and the file must hold no slot with two live appointments, no practice
with two, and every confirmed appointment's slot 'booked'. Then a lock held longer than the
store's busy timeout (5 s) shows the busy failure itself: exit 14, the message, nothing written,
and the same bookings succeed once the lock is gone.
"""
import os
import re
import sqlite3
import subprocess
import threading

import agendactl_harness as h

COUNTERS = 8
OWN_PER_COUNTER = 4
EXIT_BUSY = 14
MESSAGES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "firmware",
                        "core", "messages.def")


def busy_message():
    """The Italian and English busy texts, read from the one catalogue."""
    with open(MESSAGES, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r'MSG\(MSG_STORE_BUSY,\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"\)', text)
    assert m, "MSG_STORE_BUSY not found in messages.def"
    return m.group(1), m.group(2)


def pratica(n):
    return "RM/2026/%06d" % n


class ConcurrentBookingTest(h.AgendaTest):

    def setUp(self):
        super().setUp()
        ag = self.ag
        ag.ok("init", "--site", "Roma")
        ag.ok("questura", "add", "RM", "--name", "Questura di Roma", "--city", "Roma")
        # Four slots a day: the counters fight over the same earliest slots, day after day.
        ag.ok("capacity", "set", "RM", "--from", "2026-05-04", "--to", "2026-07-31",
              "--weekdays", "1-5", "--first", "08:30", "--minutes", "15", "--slots", "4")
        rows = [(pratica(n), "ITA%09d" % n, "COGNOME", "NOME", "1990-01-02", "MAROCCO",
                 "lavoro", "RM") for n in range(1, 61)]
        csv = os.path.join(self.folder, "practices.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write(h.csv_text(rows))
        ag.ok("practice", "import", csv)
        self.users = ["sportello.%d" % i for i in range(COUNTERS)]
        for user in self.users:
            ag.add_operator(user)
        self.busy_it, self.busy_en = busy_message()

    def assertBookedOrBusy(self, result, what):
        if result.rc == 0:
            b = result.json
            self.assertEqual(b["state"], "confirmed", result)
            self.assertEqual(len(b["id"]), 36, result)
            return b
        self.assertEqual(result.rc, EXIT_BUSY, "%s: %r" % (what, result))
        obj = result.objs[-1]
        self.assertEqual((obj["exit"], obj["message"], obj["message_en"]),
                         (EXIT_BUSY, self.busy_it, self.busy_en), result)
        self.assertIn(self.busy_it, result.err)
        return None

    def assertFileConsistent(self):
        db = self.ag.sql()
        try:
            live = "state = 'confirmed'"
            self.assertEqual(db.execute(
                "SELECT count(*) FROM (SELECT slot_id FROM appointment WHERE %s"
                " GROUP BY slot_id HAVING count(*) > 1)" % live).fetchone()[0], 0,
                "a slot with two live appointments")
            self.assertEqual(db.execute(
                "SELECT count(*) FROM (SELECT practice_id FROM appointment WHERE %s"
                " GROUP BY practice_id HAVING count(*) > 1)" % live).fetchone()[0], 0,
                "a practice with two live appointments")
            self.assertEqual(db.execute(
                "SELECT count(*) FROM appointment a JOIN slot s ON s.id = a.slot_id"
                " WHERE a.%s AND s.state <> 'booked'" % live).fetchone()[0], 0,
                "a confirmed appointment on a slot not 'booked'")
            self.assertEqual(
                db.execute("SELECT count(*) FROM slot WHERE state = 'booked'").fetchone()[0],
                db.execute("SELECT count(*) FROM appointment WHERE %s" % live).fetchone()[0],
                "booked slots without their appointment")
            self.assertRecordsExact(db)
            return dict(db.execute(
                "SELECT p.numero_pratica, a.id FROM appointment a"
                " JOIN practice p ON p.id = a.practice_id WHERE a.%s" % live).fetchall())
        finally:
            db.close()

    def test_eight_counters_at_once(self):
        shared = [pratica(n) for n in range(1, COUNTERS + 1)]
        own = [[pratica(COUNTERS + 1 + w * OWN_PER_COUNTER + i) for i in range(OWN_PER_COUNTER)]
               for w in range(COUNTERS)]
        # Counters w and w-1 both start with shared[w]: the same practice at the same moment.
        plans = [[shared[w], shared[(w + 1) % COUNTERS]] + own[w] for w in range(COUNTERS)]
        results = [[] for _ in range(COUNTERS)]
        start = threading.Barrier(COUNTERS)

        def counter(w):
            start.wait()
            for p in plans[w]:
                results[w].append((p, self.ag.book(p, user=self.users[w])))

        threads = [threading.Thread(target=counter, args=(w,)) for w in range(COUNTERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        booked = {}  # practice -> the ids counters were given
        busy = 0
        for w in range(COUNTERS):
            self.assertEqual(len(results[w]), len(plans[w]))
            for p, r in results[w]:
                b = self.assertBookedOrBusy(r, "%s by %s" % (p, self.users[w]))
                if b is None:
                    busy += 1
                    continue
                self.assertEqual(b["numero_pratica"], p)
                booked.setdefault(p, set()).add(b["id"])
        live = self.assertFileConsistent()
        for p, ids in booked.items():
            # Both counters asking for one practice were shown the same appointment.
            self.assertEqual(ids, {live[p]}, p)
        self.assertEqual(set(live), set(booked), "an appointment nobody was shown")
        self.ag.ok("audit", "verify", user=self.users[0])
        print("  %d bookings by %d processes: %d booked, %d busy (exit 14)"
              % (sum(len(x) for x in plans), COUNTERS, len(live), busy))

    def test_lock_held_past_the_timeout_is_the_busy_message(self):
        practices = [pratica(50 + i) for i in range(4)]
        holder = sqlite3.connect(self.ag.db, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another program's write, longer than 5 s
            procs = [subprocess.Popen(
                [self.ag.binary, "--db", self.ag.db, "--json", "--user", self.users[i], "book",
                 "--pratica", p], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, env=self.ag.env())
                for i, p in enumerate(practices)]
            outcomes = []
            for i, proc in enumerate(procs):
                out, err = proc.communicate(self.ag.passwords[self.users[i]] + "\n",
                                            timeout=h.TIMEOUT)
                outcomes.append(h.Result(subprocess.CompletedProcess(
                    proc.args, proc.returncode, out, err)))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        for p, r in zip(practices, outcomes):
            self.assertEqual(r.rc, EXIT_BUSY, "%s: %r" % (p, r))
            self.assertIsNone(self.assertBookedOrBusy(r, p))
        self.assertEqual(self.assertFileConsistent(), {}, "a busy booking left something")
        # The lock gone, the same counters book the same practices.
        for i, p in enumerate(practices):
            self.assertEqual(self.ag.book(p, user=self.users[i]).json["numero_pratica"], p)
        self.assertEqual(set(self.assertFileConsistent()), set(practices))


if __name__ == "__main__":
    h.main()
