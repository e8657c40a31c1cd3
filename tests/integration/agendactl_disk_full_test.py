#!/usr/bin/python3
"""agendactl_disk_full_test.py — a full disk during a booking leaves no partial booking.

Usage: agendactl_disk_full_test.py PATH/TO/agendactl
The database lives on a small tmpfs mounted inside a private mount namespace (`unshare -m`,
so nothing leaks to the host; needs root, as in CI — otherwise the test is skipped, exit 77).
After a few good bookings, the file system is filled until only N KiB are free, for N from 0
upwards in 4 KiB steps, and a booking is tried each time. Every try must either succeed or
exit 10 with the Italian "Disco pieno" message; after every failure, with the space freed
again, the database is read with the sqlite3 module: integrity ok, no appointment for the
practice, no appointment without its journal entry and audit record, booked slots exactly the
live appointments, the earlier bookings unchanged, and `audit verify` intact. Sooner or later
(enough space) the booking goes through, and is then complete.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agendactl_harness as h  # noqa: E402

INNER = "AGENDA_DISK_FULL_TEST_INNER"
TMPFS_SIZE = "6m"
STEP_KIB = 4
MAX_FREE_KIB = 512
SHM_KIB = 32  # the size of SQLite's wal-index (-shm) file
U = "mario.rossi"


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(folder, leave):
    """Fills the file system of folder until `leave` bytes are free; returns the filler path."""
    filler = os.path.join(folder, "filler")
    todo = free_bytes(folder) - leave
    chunk = b"\0" * 65536
    with open(filler, "wb") as f:
        while todo > 0:
            try:
                todo -= f.write(chunk[:min(len(chunk), todo)])
            except OSError:
                break
    return filler


class DiskFull(h.AgendaTest):

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="agendactl-diskfull-")
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", self.root],
                       check=True, timeout=30)
        self.folder = self.root
        self.ag = h.Agenda(self.binary, self.folder)

    def tearDown(self):
        subprocess.run(["umount", self.root], timeout=30)
        os.rmdir(self.root)

    def snapshot(self):
        db = self.ag.sql()
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            appts = db.execute(
                "SELECT a.id, p.numero_pratica, a.slot_id, a.state, a.created_at"
                " FROM appointment a JOIN practice p ON p.id = a.practice_id ORDER BY a.id"
            ).fetchall()
            self.assertRecordsExact(db)
            live = [a for a in appts if a[3] == "confirmed"]
            booked = db.execute("SELECT id FROM slot WHERE state = 'booked' ORDER BY id"
                                ).fetchall()
            self.assertEqual(sorted(a[2] for a in live), [b[0] for b in booked])
            free = db.execute("SELECT count(*) FROM slot WHERE state = 'free'").fetchone()[0]
            return appts, free
        finally:
            db.close()

    def test_full_disk_during_booking(self):
        ag = self.ag
        ag.standard_site(slots=16, to="2026-06-30")
        earlier = [ag.book("RM/2026/00000%d" % i).json for i in (1, 2, 3)]
        for b in earlier:
            self.assertEqual(b["state"], "confirmed")
        appts_before, free_before = self.snapshot()
        target = "RM/2026/000004"
        failures = 0
        booked = None
        for free_kib in range(0, MAX_FREE_KIB + 1, STEP_KIB):
            filler = fill(self.folder, free_kib * 1024)
            r = ag.book(target)
            os.unlink(filler)
            if r.rc == 0:
                booked = r.json
                break
            failures += 1
            # Also when not even SQLite's 32 KiB -shm file fits: SQLite says
            # SQLITE_IOERR_SHMSIZE, the store reads errno ENOSPC and says disk full.
            self.assertExit(r, 10, "disk_full")
            self.assertIn("Disco pieno", r.err)
            appts, free = self.snapshot()
            self.assertEqual(appts, appts_before, "free=%d KiB" % free_kib)
            self.assertEqual(free, free_before, "free=%d KiB" % free_kib)
            self.assertNotIn(target, [a[1] for a in appts])
            verify = ag.run("audit", "verify")
            self.assertEqual(verify.rc, 0, verify)
        self.assertGreater(failures, SHM_KIB // STEP_KIB, "the booking never hit the full disk")
        self.assertIsNotNone(booked, "no booking even with %d KiB free" % MAX_FREE_KIB)
        # The booking that finally went through is whole, and nothing earlier was lost.
        appts, free = self.snapshot()
        self.assertEqual(len(appts), len(appts_before) + 1)
        self.assertEqual(free, free_before - 1)
        for a in appts_before:
            self.assertIn(a, appts)
        self.assertEqual(ag.ok("show", booked["id"], user=U).json["state"], "confirmed")
        for b in earlier:
            self.assertEqual(ag.ok("show", b["id"], user=U).json["date"], b["date"])
        self.assertTrue(ag.ok("audit", "verify").json["intact"])


def reexec_in_private_namespace():
    """Runs this script again inside `unshare -m` so the tmpfs mount never reaches the host."""
    if os.geteuid() != 0:
        print("SKIP: needs root to mount a tmpfs (CI runs as root)")
        sys.exit(77)
    env = dict(os.environ, **{INNER: "1"})
    try:
        proc = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable]
                              + sys.argv, env=env, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        print("FAIL: %s" % e)
        sys.exit(1)
    if proc.returncode == 77 or proc.returncode < 0:
        sys.exit(proc.returncode if proc.returncode == 77 else 1)
    sys.exit(proc.returncode)


if __name__ == "__main__":
    if not os.environ.get(INNER):
        probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                               capture_output=True, timeout=30) if os.geteuid() == 0 else None
        if probe is None or probe.returncode != 0:
            print("SKIP: cannot make a private mount namespace here (unshare -m needs root)")
            sys.exit(77)
        reexec_in_private_namespace()
    h.main()
