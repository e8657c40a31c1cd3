#!/usr/bin/python3
"""agendactl_hardening_test.py — what a hostile but realistic user tried, through agendactl.

Usage: agendactl_hardening_test.py PATH/TO/agendactl
- Under umask 022 every file the programs make (database, -wal, -shm, device key, slips from the
  file and virtual printers) is 0600; a database others can read is refused (exit 4) with the
  chmod that fixes it, and works again once fixed.
- `--db ""` is refused (exit 2) instead of seeding a throw-away database.
- Several `init` and `demo-seed` racing on a missing file (as provisioning scripts do) leave one
  complete database whose slots all belong to its device: bookable right after.
- `reprint` and `modello209` refuse a cancelled appointment (exit 4).
- `lookup --json` on a name that is not UTF-8 (an edited file) fails with a message, exit 11,
  instead of printing nothing and exiting 0.
- A booking that waits past the busy timeout on another program's write lock says to wait
  (exit 14), not "database error".
- A password reset leaves one waiting message for the account, with the new password only.
"""
import os
import sqlite3
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agendactl_harness as h  # noqa: E402

U = "mario.rossi"


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class Hardening(h.AgendaTest):

    def test_files_private_under_umask_022(self):
        old = os.umask(0o022)
        try:
            ag = self.ag
            ag.standard_site()
            b = ag.book("RM/2026/000001").json
            slips = os.path.join(self.folder, "slips")
            os.mkdir(slips, 0o755)
            ag.ok("printer", "print", b["id"], "--printer", "virtual:" + slips + "/s", user=U)
            ag.ok("printer", "reprint", b["id"], "--printer", "file:" + slips + "/lp", user=U)
            # (-wal and -shm go when the last connection closes; unit.private_files_test
            # checks them while open)
            made = [p for p in (ag.db, ag.db + "-wal", ag.db + "-shm") if os.path.exists(p)]
            made += [ag.db + ".key"] + [os.path.join(slips, n) for n in os.listdir(slips)]
            self.assertGreaterEqual(len(made), 5, made)
            for path in made:
                self.assertEqual(mode(path), 0o600, path)
        finally:
            os.umask(old)

    def test_readable_database_refused(self):
        ag = self.ag
        ag.standard_site()
        os.chmod(ag.db, 0o644)
        r = ag.run("lookup", "--pratica", "RM/2026/000001", user=U)
        self.assertExit(r, 4, "refused")
        self.assertIn("chmod 600 " + ag.db, r.json["message"])
        self.assertIn("chmod 600 " + ag.db, r.json["message_en"])
        os.chmod(ag.db, 0o600)
        ag.ok("lookup", "--pratica", "RM/2026/000001", user=U)

    def test_empty_database_path_refused(self):
        for args in (["init", "--site", "Roma"], ["demo-seed"], ["questura", "list"]):
            r = self.ag.run("--db", "", *args, db=False)
            self.assertExit(r, 2, "usage")
            self.assertNotIn("password", r.out)
        self.assertEqual(os.listdir(self.folder), [])

    def test_racing_set_ups_leave_one_bookable_database(self):
        ag = self.ag
        for verb in (["init", "--site", "Roma"], ["demo-seed"]):
            path = os.path.join(self.folder, verb[0] + ".db")
            procs = [subprocess.Popen([self.binary, "--db", path, "--json", *verb],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=ag.env()) for _ in range(6)]
            for p in procs:
                out, err = p.communicate(timeout=120)
                self.assertEqual(p.returncode, 0, (verb, out, err))
            db = sqlite3.connect(path)
            device = db.execute("SELECT value FROM setting WHERE key = 'device_id'").fetchall()
            self.assertEqual(len(device), 1)
            foreign = db.execute("SELECT count(*) FROM slot WHERE held_by <> ?",
                                 device[0]).fetchone()[0]
            self.assertEqual(foreign, 0)
            db.close()
            left = sorted(n for n in os.listdir(self.folder) if n.startswith(verb[0] + ".db"))
            self.assertEqual([n for n in left if ".new-" in n or ".key." in n], [])
            self.assertIn(verb[0] + ".db.key", left)
        # the seeded one books at once, with the accounts of its last seeding
        seeded = h.Agenda(self.binary, self.folder, name="demo-seed.db")
        seeded.add_operator("anna.verdi")
        pratica = sqlite3.connect(seeded.db).execute(
            "SELECT numero_pratica FROM practice WHERE tipo = 'lavoro' LIMIT 1").fetchone()[0]
        r = seeded.book(pratica, user="anna.verdi")
        self.assertExit(r, 0)

    def test_cancelled_appointment_not_recorded(self):
        ag = self.ag
        ag.standard_site()
        b = ag.book("RM/2026/000001").json
        ag.ok("cancel", b["id"], "--reason", "rinuncia", user=U)
        for verb in ("reprint", "modello209"):
            r = ag.run(verb, b["id"], user=U)
            self.assertExit(r, 4, "refused")
            self.assertIn("non è confermato", r.json["message"])
        db = ag.sql()
        prints, m209 = db.execute("SELECT prints, modello209 FROM appointment WHERE id = ?",
                                  (b["id"],)).fetchone()
        db.close()
        self.assertEqual((prints, m209), (0, 0))

    def test_lookup_json_with_non_utf8_name_fails_loudly(self):
        ag = self.ag
        ag.standard_site()
        db = sqlite3.connect(ag.db)
        db.execute("UPDATE practice SET cognome = CAST(X'524f5353c3' AS TEXT)"
                   " WHERE numero_pratica = 'RM/2026/000001'")
        db.commit()
        db.close()
        r = ag.run("lookup", "--pratica", "RM/2026/000001", user=U)
        self.assertExit(r, 11, "corrupt")
        self.assertIn("UTF-8", r.json["message"])

    def test_busy_database_says_wait(self):
        ag = self.ag
        ag.standard_site()
        holder = sqlite3.connect(ag.db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # as a long import or another counter would
        try:
            r = ag.book("RM/2026/000001")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        self.assertExit(r, 14, "busy")
        self.assertIn("attendere", r.json["message"])
        self.assertExit(ag.book("RM/2026/000001"), 0)

    def test_reset_keeps_one_waiting_password(self):
        ag = self.ag
        ag.ok("init", "--site", "Roma", "--dirigente-email", "dirigente@example.test")
        first = ag.add_operator(U)
        second = ag.ok("operator", "reset-password", U, "--print-password").json["password"]
        third = ag.ok("operator", "reset-password", U, "--print-password").json["password"]
        db = ag.sql()
        bodies = [r[0] for r in db.execute("SELECT body FROM outbox WHERE kind = 'password'")]
        db.close()
        self.assertEqual(len(bodies), 1)
        self.assertIn(third, bodies[0])
        with open(ag.db, "rb") as f:
            data = f.read()
        for old in (first, second):
            self.assertNotIn(old.encode(), data)


if __name__ == "__main__":
    h.main()
