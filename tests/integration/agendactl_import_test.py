"""agendactl_import_test.py — practice import under load and with hostile files (issue 9).

- A long import does not block bookings: one process imports a generated CSV of IMPORT_ROWS
  rows while this process books and cancels, over and over, on the same database; every booking
  and cancellation succeeds (none gets "database is locked"), and the import completes.
- An import killed (kill -9) after its first batches leaves a progress record; agendactl says so
  on the next import of the same file, which completes it with nothing twice.
- Every line of a file with a stray quote is accounted for; the reasons name what is wrong
  (unclosed quote and its line, column count, NUL and C1 characters with the field); a UTF-8
  byte-order mark is accepted.
Run: /usr/bin/python3 agendactl_import_test.py PATH/TO/agendactl
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agendactl_harness as h  # noqa: E402

U = "mario.rossi"
IMPORT_ROWS = int(os.environ.get("AGENDA_IMPORT_ROWS", "2000000"))


def write_big_csv(path, rows):
    """Rows RM/2030+/...: none of them clashes with the harness's PRACTICES."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(h.HEADER)
        chunk = []
        for i in range(rows):
            chunk.append("RM/%04d/%06d,ITA8%08d,COGNOME%d,NOME,1990-01-%02d,MAROCCO,lavoro,RM\n"
                         % (2030 + i // 999999, i % 999999 + 1, i, i, i % 28 + 1))
            if len(chunk) == 100000:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))


class ImportTest(h.AgendaTest):

    def start_import(self, path):
        ag = self.ag
        cmd = [ag.binary, "--db", ag.db, "--json", "practice", "import", path]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=ag.env())

    def progress(self):
        with self.ag.sql() as db:
            row = db.execute("SELECT value FROM setting WHERE key = 'practice_import'").fetchone()
        return row[0] if row else ""

    def test_import_does_not_block_bookings(self):
        ag = self.ag
        ag.standard_site(slots=4)
        path = os.path.join(self.folder, "big.csv")
        write_big_csv(path, IMPORT_ROWS)
        bookable = ["RM/2026/%06d" % i for i in (1, 2, 3, 4, 5, 6, 7, 10)]
        booked = {}
        done_during_import = 0
        importer = self.start_import(path)
        try:
            i = 0
            while importer.poll() is None:
                pratica = bookable[i % len(bookable)]
                i += 1
                if pratica in booked:
                    r = ag.run("cancel", booked.pop(pratica), "--reason", "prova di carico",
                               user=U)
                else:
                    r = ag.book(pratica)
                    if r.rc == 0:
                        booked[pratica] = r.json["id"]
                # Every write at a counter succeeds while the import runs.
                self.assertEqual(r.rc, 0, r)
                if importer.poll() is None:
                    done_during_import += 1
            out, err = importer.communicate(timeout=h.TIMEOUT)
        finally:
            if importer.poll() is None:
                importer.kill()
                importer.wait()
        self.assertEqual(importer.returncode, 0, err)
        rep = h.Result(subprocess.CompletedProcess([], 0, out, err)).json
        self.assertEqual((rep["rows_read"], rep["rows_imported"]), (IMPORT_ROWS, IMPORT_ROWS))
        self.assertGreaterEqual(done_during_import, 2, "the import ended before any booking")
        with ag.sql() as db:
            self.assertEqual(db.execute("SELECT count(*) FROM practice").fetchone()[0],
                             IMPORT_ROWS + len(h.PRACTICES))
        print("  %d bookings/cancellations during an import of %d rows"
              % (done_during_import, IMPORT_ROWS), file=sys.stderr)

    def test_killed_import_completed_by_rerun(self):
        ag = self.ag
        ag.standard_site()
        rows = 200000
        path = os.path.join(self.folder, "big.csv")
        write_big_csv(path, rows)
        importer = self.start_import(path)
        deadline = time.monotonic() + 120
        while not self.progress() and importer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        importer.send_signal(signal.SIGKILL)
        importer.communicate()
        self.assertTrue(self.progress(), "no progress record while the import ran")
        with ag.sql() as db:
            kept = db.execute("SELECT count(*) FROM practice").fetchone()[0] - len(h.PRACTICES)
        self.assertTrue(0 < kept < rows, kept)
        r = ag.run("practice", "import", path)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("si è interrotta dopo la riga", r.err)
        self.assertIn("importare di nuovo lo stesso file la completa", r.err)
        self.assertTrue(r.json["interrupted_before"])
        self.assertEqual(r.json["rows_imported"], rows)
        self.assertEqual(self.progress(), "")
        with ag.sql() as db:
            self.assertEqual(db.execute("SELECT count(*) FROM practice").fetchone()[0],
                             rows + len(h.PRACTICES))
        # Finished: the next import says nothing about an interruption.
        r = ag.run("practice", "import", path)
        self.assertNotIn("interrotta", r.err)
        self.assertFalse(r.json["interrupted_before"])

    def test_every_line_accounted_for(self):
        ag = self.ag
        ag.standard_site()
        good = "RM/2026/%06d,ITA7000%05d,ROSSI%d,MARIO,1990-01-01,MAROCCO,lavoro,RM\n"
        text = (h.HEADER                                                           # line 1
                + good % (101, 101, 1)                                             # 2
                + "RM/2026/000102,ITA700000102,\"ROSSI2,MARIO,1990-01-01,MAROCCO,lavoro,RM\n"
                + good % (103, 103, 3)                                             # 4
                + good % (104, 104, 4)                                             # 5
                + good % (105, 105, 5)                                             # 6
                + good % (106, 106, 6)                                             # 7
                + "RM/2026/000107,,RO\0SSI,MARIO,1990-01-01,MAROCCO,lavoro,RM\n"   # 8
                + "RM/2026/000108,,ROSSI,MA\u0085RIO,1990-01-01,MAROCCO,lavoro,RM\n"  # 9
                + good.rstrip("\n") % (109, 109, 9) + ",extra\n"                   # 10
                + good % (110, 110, 10))                                           # 11
        path = os.path.join(self.folder, "stray.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        r = ag.run("practice", "import", path)
        self.assertExit(r, 12, "partial")
        rep = r.json
        self.assertEqual((rep["rows_read"], rep["rows_imported"], rep["rows_rejected"]),
                         (10, 6, 4))
        reasons = {x["line"]: x["reason"] for x in rep["rejected"]}
        self.assertEqual(sorted(reasons), [3, 8, 9, 10])
        self.assertIn("Virgolette non chiuse dalla riga 3", reasons[3])
        self.assertEqual(reasons[8], "Il campo cognome contiene caratteri di controllo.")
        self.assertEqual(reasons[9], "Il campo nome contiene caratteri di controllo.")
        self.assertEqual(reasons[10], "9 colonne invece di 8.")
        for n in (101, 103, 104, 105, 106, 110):
            ag.ok("lookup", "--pratica", "RM/2026/%06d" % n, user=U)
        for n in (102, 107, 108, 109):
            self.assertExit(ag.run("lookup", "--pratica", "RM/2026/%06d" % n, user=U), 3)

    def test_byte_order_mark_accepted(self):
        ag = self.ag
        ag.standard_site()
        path = os.path.join(self.folder, "excel.csv")
        with open(path, "w", encoding="utf-8-sig", newline="") as f:  # what spreadsheets write
            f.write(h.HEADER.replace(",", ";").replace("\n", "\r\n"))
            f.write("RM/2026/000201;;Rossi;Aïcha;01/03/1990;Marocco;lavoro;RM\r\n")
        with open(path, "rb") as f:
            self.assertEqual(f.read(3), b"\xef\xbb\xbf")
        r = ag.ok("practice", "import", path)
        self.assertEqual((r.json["rows_read"], r.json["rows_imported"]), (1, 1))
        ag.ok("lookup", "--pratica", "RM/2026/000201", user=U)


if __name__ == "__main__":
    h.main()
