#!/usr/bin/python3
"""agendactl_audit_test.py — `agendactl audit verify` finds tampering done behind its back.

Usage: agendactl_audit_test.py PATH/TO/agendactl
A site is set up and a few appointments booked, cancelled and moved through agendactl; the
chain verifies. Then copies of the database are tampered with through the sqlite3 module, as
someone with the file would do it (dropping the append-only triggers first): a record's
content edited, a record deleted, two records swapped, the last record removed, the whole chain
recomputed without the device key, the key removed. Each time
verify exits 11 with the first broken record's number, in JSON and in plain Italian, and the
untouched original still verifies.
"""
import hashlib
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agendactl_harness as h  # noqa: E402

U = "mario.rossi"
COLUMNS = ("at", "actor", "action", "subject", "detail", "prev_hash", "hash")


class AuditTamper(h.AgendaTest):

    def setUp(self):
        super().setUp()
        ag = self.ag
        ag.standard_site()
        b1 = ag.book("RM/2026/000001").json
        b2 = ag.book("RM/2026/000002").json
        ag.book("RM/2026/000003")
        ag.ok("cancel", b2["id"], "--reason", "rinuncia", user=U)
        ag.ok("move", b1["id"], "--reason", "impedimento", user=U)
        ag.ok("close-day", user=U)
        r = ag.ok("audit", "verify")
        self.assertTrue(r.json["intact"])
        self.assertIsNone(r.json["first_bad"])
        self.records = r.json["records"]
        self.assertGreaterEqual(self.records, 10)

    def tampered_copy(self, name, *statements):
        """A copy of the database with the statements applied; returns its path."""
        path = os.path.join(self.folder, name)
        dst = h.private_copy(self.ag.db, path)
        dst.execute("DROP TRIGGER IF EXISTS audit_no_update")
        dst.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        for sql, args in statements:
            dst.execute(sql, args)
        dst.commit()
        dst.close()
        return path

    def verify(self, path):
        ag = h.Agenda(self.binary, self.folder, name=os.path.basename(path))
        r = ag.run("audit", "verify")
        self.assertExit(r, 11, "corrupt")
        self.assertFalse(r.json["intact"])
        plain = ag.run("audit", "verify", json_mode=False)
        self.assertEqual(plain.rc, 11)
        self.assertIn("numero %d" % r.json["first_bad"], plain.err)
        return r.json

    def row(self, seq):
        db = self.ag.sql()
        try:
            return db.execute("SELECT %s FROM audit WHERE seq = ?" % ", ".join(COLUMNS),
                              (seq,)).fetchone()
        finally:
            db.close()

    def test_edit_a_record(self):
        path = self.tampered_copy(
            "edit.db", ("UPDATE audit SET detail = detail || ' ' WHERE seq = 4", ()))
        rep = self.verify(path)
        self.assertEqual(rep["first_bad"], 4)
        self.assertEqual(rep["problem"], "hash_mismatch")
        # Editing the actor of a later record instead: that record is named.
        path = self.tampered_copy(
            "edit2.db", ("UPDATE audit SET actor = 'qualcuno' WHERE seq = 7", ()))
        self.assertEqual(self.verify(path)["first_bad"], 7)

    def test_edit_with_recomputed_looking_hash(self):
        # Copying the next record's hash over does not help: the link breaks.
        path = self.tampered_copy(
            "rehash.db",
            ("UPDATE audit SET hash = (SELECT hash FROM audit WHERE seq = 6) WHERE seq = 5", ()))
        self.assertEqual(self.verify(path)["first_bad"], 5)

    def test_delete_a_record(self):
        path = self.tampered_copy("delete.db", ("DELETE FROM audit WHERE seq = 5", ()))
        rep = self.verify(path)
        self.assertIn(rep["first_bad"], (5, 6))
        self.assertIn(rep["problem"], ("gap", "broken_link"))

    def test_swap_two_records(self):
        r3, r4 = self.row(3), self.row(4)
        sets = ", ".join("%s = ?" % c for c in COLUMNS)
        path = self.tampered_copy(
            "swap.db",
            ("UPDATE audit SET %s WHERE seq = 3" % sets, r4),
            ("UPDATE audit SET %s WHERE seq = 4" % sets, r3))
        rep = self.verify(path)
        self.assertEqual(rep["first_bad"], 3)
        self.assertIn(rep["problem"], ("broken_link", "hash_mismatch"))

    def test_truncated_tail(self):
        path = self.tampered_copy(
            "truncated.db", ("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)", ()))
        rep = self.verify(path)
        self.assertEqual(rep["problem"], "truncated")
        self.assertEqual(rep["first_bad"], self.records)

    def test_whole_chain_rewritten_without_the_key(self):
        # Someone with the file but not the device key edits a record and recomputes every hash
        # and the head as a plain SHA-256 chain would: the keyed chain does not verify from 1.
        path = self.tampered_copy("rewritten.db",
                                  ("UPDATE audit SET detail = 'ritoccato' WHERE seq = 3", ()))
        db = sqlite3.connect(path)
        prev = bytes(32)
        rows = db.execute("SELECT seq, at, actor, action, subject, detail FROM audit"
                          " ORDER BY seq").fetchall()
        for seq, at, *texts in rows:
            m = hashlib.sha256(prev + seq.to_bytes(8, "big") + at.to_bytes(8, "big"))
            for t in texts:
                b = t.encode()
                m.update(len(b).to_bytes(4, "big") + b)
            db.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?",
                       (prev, m.digest(), seq))
            prev = m.digest()
        db.execute("UPDATE audit_head SET seq = ?, hash = ?", (rows[-1][0], prev))
        db.commit()
        db.close()
        rep = self.verify(path)
        self.assertEqual(rep["first_bad"], 1)
        self.assertEqual(rep["problem"], "hash_mismatch")

    def test_key_removed(self):
        path = self.tampered_copy("nokey.db")
        os.unlink(path + ".key")
        r = h.Agenda(self.binary, self.folder, name="nokey.db").run("audit", "verify")
        self.assertExit(r, 11, "corrupt")
        self.assertIn("chiave del dispositivo", r.json["message"])
        self.assertFalse(os.path.exists(path + ".key"))  # never silently replaced

    def test_original_still_intact(self):
        self.tampered_copy("edit.db", ("UPDATE audit SET detail = 'x' WHERE seq = 2", ()))
        r = self.ag.ok("audit", "verify", json_mode=False)
        self.assertIn("integro", r.out)


if __name__ == "__main__":
    h.main()
