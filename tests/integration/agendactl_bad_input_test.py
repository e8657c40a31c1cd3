#!/usr/bin/python3
"""agendactl_bad_input_test.py — every bad input of issue 2, through agendactl, with its exit code.

Usage: agendactl_bad_input_test.py PATH/TO/agendactl
Unknown practice (3), numbers naming different practices (4), ineligible kind (4), malformed
practice and visa numbers (9, the message names the wrong part), no capacity (5), wrong
password (7) and the lock after 5 failures (8, still locked with the right password, then
`operator unlock`), a tecnico asking for personal data (4), a corrupt or foreign database file
and one of a newer schema (11, the file byte-identical afterwards), a CSV with broken rows (12,
line numbers reported, good rows imported), and usage errors (2). Each error is checked in its
JSON shape {"error", "message", "message_en", "exit"} with the Italian message on stderr.
"""
import os
import shutil
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agendactl_harness as h  # noqa: E402

U = "mario.rossi"


class BadInput(h.AgendaTest):

    def setUp(self):
        super().setUp()
        self.ag.standard_site()

    def test_unknown_and_mismatched_practice(self):
        ag = self.ag
        r = ag.run("lookup", "--pratica", "RM/2026/999999", user=U)
        self.assertExit(r, 3, "not_found")
        self.assertIn("RM/2026/999999", r.json["message"])
        self.assertExit(ag.run("book", "--visto", "ITA999999999", user=U), 3, "not_found")
        # Both numbers given, naming two different practices.
        r = ag.run("lookup", "--pratica", "RM/2026/000001", "--visto", "ITA000000002", user=U)
        self.assertExit(r, 4, "refused")
        r = ag.run("book", "--pratica", "RM/2026/000001", "--visto", "ITA000000002", user=U)
        self.assertExit(r, 4, "refused")
        self.assertEqual(ag.ok("day", user=U).objs, [])

    def test_ineligible_kind(self):
        r = self.ag.book("RM/2026/000009")
        self.assertExit(r, 4, "refused")
        self.assertIn("studio", r.json["message"])
        self.assertIn("studio", r.json["message_en"])

    def test_malformed_numbers_name_the_part(self):
        ag = self.ag
        cases = [
            (["--pratica", "ZZ/2026/1"], "Provincia"),
            (["--pratica", "RM/1999/1"], "Anno"),
            (["--pratica", "RM/2026/1234567"], "Progressivo"),
            (["--pratica", "RM/2026/12*4"], "Carattere"),
            (["--visto", "XYZ012345678"], "Prefisso"),
            (["--visto", "ITA12345"], "9 cifre"),
        ]
        for args, word in cases:
            for command in ("lookup", "book"):
                r = ag.run(command, *args, user=U)
                self.assertExit(r, 9, "invalid")
                self.assertIn(word, r.json["message"], (args, r))
        # Plain mode, English: the message on stderr, nothing on stdout.
        r = ag.run("--lang", "en", "lookup", "--pratica", "RM/1999/1", user=U, json_mode=False)
        self.assertEqual(r.rc, 9)
        self.assertIn("year", r.err)
        self.assertEqual(r.out, "")

    def test_no_capacity(self):
        r = self.ag.book("PD/2026/000001")
        self.assertExit(r, 5, "no_capacity")

    def test_wrong_password_and_lockout(self):
        ag = self.ag
        right = ag.passwords[U]
        for attempt in range(1, 5):
            r = ag.run("lookup", "--pratica", "RM/2026/000001", user=U, password="sbagliata")
            self.assertExit(r, 7, "auth")
        # An unknown user gets the same answer as a wrong password.
        self.assertExit(ag.run("lookup", "--pratica", "RM/2026/000001", user="nessuno",
                               password=right), 7, "auth")
        wrong = ag.run("lookup", "--pratica", "RM/2026/000001", user=U, password="sbagliata")
        self.assertExit(wrong, 7, "auth")  # the fifth failure locks, and says nothing more
        r = ag.run("lookup", "--pratica", "RM/2026/000001", user=U, password=right)
        self.assertExit(r, 7, "auth")
        # Locked, unknown, wrong: one answer, so nobody learns which user names exist.
        unknown = ag.run("lookup", "--pratica", "RM/2026/000001", user="nessuno",
                         password="sbagliata")
        self.assertEqual(r.json, unknown.json)
        self.assertEqual(wrong.json, unknown.json)
        plain = [ag.run("lookup", "--pratica", "RM/2026/000001", user=u, password="x",
                        json_mode=False) for u in (U, "nessuno")]
        self.assertEqual((plain[0].rc, plain[0].out, plain[0].err),
                         (plain[1].rc, plain[1].out, plain[1].err))
        ops = {o["username"]: o for o in ag.ok("operator", "list").objs}
        self.assertTrue(ops[U]["locked"])
        ag.ok("operator", "unlock", U)
        ag.ok("lookup", "--pratica", "RM/2026/000001", user=U, password=right)
        # No password at all (empty stdin) is refused too, without asking anything.
        self.assertExit(ag.run("lookup", "--pratica", "RM/2026/000001", user=U, stdin=""), 7)
        # A user is required for personal data.
        self.assertExit(ag.run("lookup", "--pratica", "RM/2026/000001"), 2, "usage")

    def test_reset_password_clears_lock(self):
        ag = self.ag
        for _ in range(5):
            ag.run("lookup", "--pratica", "RM/2026/000001", user=U, password="x")
        self.assertExit(ag.run("lookup", "--pratica", "RM/2026/000001", user=U), 7)
        r = ag.ok("operator", "reset-password", U, "--print-password")
        self.assertNotEqual(r.json["password"], ag.passwords[U])
        self.assertExit(ag.run("lookup", "--pratica", "RM/2026/000001", user=U), 7)
        ag.passwords[U] = r.json["password"]
        ag.ok("lookup", "--pratica", "RM/2026/000001", user=U)

    def test_tecnico_cannot_read_personal_data(self):
        ag = self.ag
        ag.add_operator("tecnico.uno", "tecnico")
        b = ag.book("RM/2026/000001").json
        for args in (["lookup", "--pratica", "RM/2026/000001"],
                     ["book", "--pratica", "RM/2026/000002"],
                     ["propose", "--pratica", "RM/2026/000002"],
                     ["show", b["id"]],
                     ["day"]):
            r = ag.run(*args, user="tecnico.uno")
            self.assertExit(r, 4, "refused")
            self.assertNotIn("ROSSI", r.out + r.err)

    def test_corrupt_and_foreign_files_untouched(self):
        ag = self.ag
        ag.book("RM/2026/000001")
        good = ag.db
        samples = {}
        # A file that is not SQLite at all.
        samples["garbage"] = os.path.join(self.folder, "garbage.db")
        with open(samples["garbage"], "wb") as f:
            f.write(b"questo non e' un database\n" * 500)
        # Another program's SQLite database.
        samples["foreign"] = os.path.join(self.folder, "foreign.db")
        other = sqlite3.connect(samples["foreign"])
        other.execute("CREATE TABLE ricette(nome TEXT)")
        other.execute("INSERT INTO ricette VALUES('carbonara')")
        other.commit()
        other.close()
        # Ours, with pages of the practice table overwritten.
        samples["corrupt"] = os.path.join(self.folder, "corrupt.db")
        src = sqlite3.connect(good)
        dst = sqlite3.connect(samples["corrupt"])
        src.backup(dst)
        page_size = dst.execute("PRAGMA page_size").fetchone()[0]
        root = dst.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'practice'"
                           ).fetchone()[0]
        src.close()
        dst.close()
        with open(samples["corrupt"], "r+b") as f:
            f.seek((root - 1) * page_size + 8)
            f.write(b"\xa5" * (page_size - 16))
        for kind, path in samples.items():
            os.chmod(path, 0o600)  # private, so what is refused is the content
            before = h.sha256(path)
            ag.db = path
            for args, user in ((["questura", "list"], None),
                               (["audit", "verify"], None),
                               (["lookup", "--pratica", "RM/2026/000001"], U),
                               (["book", "--pratica", "RM/2026/000002"], U),
                               (["init", "--site", "Roma"], None),
                               (["demo-seed"], None)):
                r = ag.run(*args, user=user)
                self.assertExit(r, 11, "corrupt")
                self.assertEqual(h.sha256(path), before, (kind, args))
        ag.db = good

    def test_newer_schema_untouched(self):
        ag = self.ag
        ag.book("RM/2026/000001")
        db = sqlite3.connect(ag.db)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute("PRAGMA user_version = %d" % (version + 1))
        db.commit()
        db.close()
        self.assertFalse(os.path.exists(ag.db + "-wal") and os.path.getsize(ag.db + "-wal"))
        before = h.sha256(ag.db)
        for args, user in ((["questura", "list"], None), (["day"], U),
                           (["book", "--pratica", "RM/2026/000002"], U),
                           (["init", "--site", "Roma"], None)):
            r = ag.run(*args, user=user)
            self.assertExit(r, 11, "schema_newer")
            self.assertIn(str(version + 1), r.json["message"])
        self.assertEqual(h.sha256(ag.db), before)

    def test_missing_database(self):
        ag = h.Agenda(self.binary, self.folder, name="missing.db")
        r = ag.run("questura", "list")
        self.assertExit(r, 3, "not_found")
        self.assertIn("init", r.json["message"])
        self.assertFalse(os.path.exists(ag.db))
        # $AGENDA_DB is the default database.
        r = self.ag.run("questura", "list", db=False, env={"AGENDA_DB": self.ag.db})
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len(r.objs), 4)

    def test_csv_with_broken_rows(self):
        ag = self.ag
        rows = [
            ("RM/2026/000101", "ITA000000101", "BIANCO", "ELENA", "1990-01-01", "ALBANIA",
             "lavoro", "RM"),                                                        # line 2
            ("RM/20X6/000102", "", "ROSSO", "LUZ", "1990-01-01", "PERÙ", "lavoro", "RM"),  # 3
            ("RM/2026/000103", "ITA000000103", "VERDE", "YUSUF", "1990-02-30", "EGITTO",
             "lavoro", "RM"),                                                        # line 4
            ("RM/2026/000104", "ITA000000104", "NERO"),                             # line 5
            ("RM/2026/000105", "ITA000000105", "GIALLO", "ROSA", "1990-01-01", "PERÙ",
             "ricongiungimento familiare", "RM"),                                    # line 6
        ]
        path = os.path.join(self.folder, "broken.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(h.csv_text(rows))
        r = ag.run("practice", "import", path)
        self.assertExit(r, 12, "partial")
        rep = r.json
        self.assertEqual((rep["rows_read"], rep["rows_imported"], rep["rows_rejected"]),
                         (5, 2, 3))
        self.assertEqual([x["line"] for x in rep["rejected"]], [3, 4, 5])
        for line in (3, 4, 5):
            self.assertIn("riga %d" % line, r.err)
        ag.ok("lookup", "--pratica", "RM/2026/000101", user=U)
        ag.ok("lookup", "--pratica", "RM/2026/000105", user=U)
        self.assertExit(ag.run("lookup", "--pratica", "RM/2026/000103", user=U), 3)
        plain = ag.run("practice", "import", path, json_mode=False)
        self.assertEqual(plain.rc, 12)
        self.assertIn("riga 3", plain.err)
        # A wrong header imports nothing.
        with open(path, "w", encoding="utf-8") as f:
            f.write("pratica,visto\nRM/2026/000200,ITA000000200\n")
        self.assertExit(ag.run("practice", "import", path), 9, "invalid")
        self.assertExit(ag.run("practice", "import", os.path.join(self.folder, "nope.csv")), 3)

    def test_usage_errors(self):
        ag = self.ag
        for args in (["frobnicate"], ["questura"], ["questura", "remove", "RM"],
                     ["capacity", "set", "RM", "--from", "2026-05-04"],
                     ["book", "--pratica"], ["book", "--colour", "red"],
                     ["operator", "add", "x.y", "--role", "capo"],
                     ["init"], ["cancel", "id-1", "--reason", "x", "extra"],
                     ["--lang", "fr", "questura", "list"], ["--db"]):
            r = ag.run(*args, user=U)
            self.assertExit(r, 2, "usage")
        # The password option does not exist: it is never taken from argv.
        self.assertExit(ag.run("lookup", "--pratica", "RM/2026/000001", "--password", "x",
                               user=U), 2)

    def test_invalid_values(self):
        ag = self.ag
        for args in (["capacity", "set", "RM", "--from", "2026-02-30", "--to", "2026-03-01",
                      "--first", "08:30", "--minutes", "15", "--slots", "4"],
                     ["capacity", "set", "RM", "--from", "2026-05-04", "--to", "2026-05-05",
                      "--first", "25:00", "--minutes", "15", "--slots", "4"],
                     ["capacity", "set", "RM", "--from", "2026-05-04", "--to", "2026-05-05",
                      "--first", "08:30", "--minutes", "quindici", "--slots", "4"],
                     ["capacity", "set", "RM", "--from", "2026-05-04", "--to", "2026-05-05",
                      "--weekdays", "1-9", "--first", "08:30", "--minutes", "15", "--slots",
                      "4"],
                     ["closure", "add", "RM", "domani"],
                     ["questura", "add", "RM", "--name", "x", "--city", "y", "--patron", "13-45"]):
            self.assertExit(ag.run(*args), 9, "invalid")
        self.assertExit(ag.run("day", "31/04/2026", user=U), 9)
        r = ag.run("questura", "list", env={"AGENDA_NOW": "lunedi mattina"})
        self.assertExit(r, 9, "invalid")
        self.assertIn("AGENDA_NOW", r.json["message"])


if __name__ == "__main__":
    h.main()
