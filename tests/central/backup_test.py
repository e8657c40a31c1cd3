#!/usr/bin/python3
"""backup_test.py — the SQLite online backup of docs/CENTRAL.md ("Backup"), while serve runs.

`agenda-central init` + `serve` run as real processes; a writer thread commits slots into
central.db the whole time (batches of BATCH rows, one transaction each, as admin verbs and the
server do), on top of 100,000 slots already there. While it writes:
  1. `sqlite3 central.db ".backup FILE"` with the writer pacing a transaction every 50 ms;
  2. `sqlite3 central.db "VACUUM INTO 'FILE'"` with the writer committing back to back
     (there `.backup` restarts at every foreign commit and may never finish: docs/CENTRAL.md).
Each copy: made under umask 077 (mode 0600), `PRAGMA integrity_check` ok, the same tables and
schema version as the live store, a slot count that is a whole number of batches between the
counts before and after (one consistent snapshot, no half transaction). After the writer stops,
a last `.backup` has exactly the live store's row count in every table. serve still answers.
Usage: backup_test.py AGENDA_CENTRAL
"""
import os
import signal
import sqlite3
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_test import check, context, get, run, start_server, TIMEOUT  # noqa: E402

BATCH = 500  # slots per writer transaction
PREFILL_DAYS = 200  # x BATCH slots before the first backup
BACKUP_TIMEOUT = 60  # seconds for one backup command


class Writer(threading.Thread):
    """Commits BATCH slots per transaction, one day each, until stopped."""

    def __init__(self, path, first_day, pause):
        super().__init__(daemon=True)
        self.path, self.day, self.pause = path, first_day, pause
        self.stopping = threading.Event()
        self.commits = 0
        self.error = None

    def run(self):
        try:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=20)
            while not self.stopping.is_set():
                insert_day(db, self.day)
                self.day += 1
                self.commits += 1
                time.sleep(self.pause)
            db.close()
        except sqlite3.Error as e:
            self.error = e

    def stop(self):
        self.stopping.set()
        self.join(TIMEOUT)
        check(self.error is None and not self.is_alive(),
              "the writer committed %d transactions during the backup without error (%s)"
              % (self.commits, self.error))


def insert_day(db, day):
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO slot(questura, day, minute) VALUES ('BK', ?, ?)",
                   [(day, minute) for minute in range(BATCH)])
    db.execute("COMMIT")


def counts(path):
    """{table: rows} of every table of the store at path, and its integrity check."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        result = {t: db.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0] for t in tables}
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()
    return result, integrity


def backup(store, command, copy):
    started = time.monotonic()
    r = subprocess.run(["sh", "-c", 'umask 077 && exec sqlite3 "$0" "$1"', store,
                        command.replace("FILE", copy)],
                       capture_output=True, text=True, timeout=BACKUP_TIMEOUT)
    check(r.returncode == 0 and os.path.exists(copy),
          "%s took %.2f s (%s)" % (command, time.monotonic() - started, r.stderr.strip()))
    check(stat.S_IMODE(os.stat(copy).st_mode) == 0o600, "the copy is 0600 under umask 077")


def check_copy(store, copy, before, after):
    live, _ = counts(store)
    copied, integrity = counts(copy)
    check(integrity == "ok", "the copy passes PRAGMA integrity_check")
    check(sorted(copied) == sorted(live), "the copy has the live store's tables (%s)"
          % ", ".join(sorted(copied)))
    check(copied.get("central_schema") == live.get("central_schema"),
          "the copy records the live store's migrations (schema version)")
    slots = copied["slot"]
    check(slots % BATCH == 0 and before <= slots <= after,
          "one consistent snapshot: %d slots, whole batches, between %d and %d"
          % (slots, before, after))


def live_slots(store):
    return counts(store)[0]["slot"]


def main():
    binary = sys.argv[1]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "central")
        store = os.path.join(folder, "central.db")
        r = run(binary, "init", "--dir", folder, "--host", "localhost")
        check(r.returncode == 0, "init exits 0 (%s)" % r.stderr.strip())
        db = sqlite3.connect(store, isolation_level=None, timeout=20)
        check(db.execute("PRAGMA journal_mode").fetchone()[0] == "wal", "the store is in WAL mode")
        db.execute("INSERT INTO questura(code, name) VALUES ('BK', 'Questura di prova')")
        for day in range(PREFILL_DAYS):
            insert_day(db, day)
        db.close()
        proc, port = start_server(binary, folder)
        try:
            day = PREFILL_DAYS
            for n, (command, pause) in enumerate(((".backup FILE", 0.05),
                                                  ("VACUUM INTO 'FILE'", 0.0))):
                copy = os.path.join(tmp, "copy%d.db" % n)
                writer = Writer(store, day, pause)
                writer.start()
                time.sleep(0.3)
                before = live_slots(store)
                backup(store, command, copy)
                after = live_slots(store)
                writer.stop()
                day = writer.day
                check_copy(store, copy, before, after)
            final = os.path.join(tmp, "final.db")
            backup(store, ".backup FILE", final)
            check(counts(final)[0] == counts(store)[0],
                  "with the writer stopped the copy has every table's rows (%d slots)"
                  % live_slots(store))
            status, _ = get(port, context(os.path.join(folder, "ca.pem")), "/v1/health")
            check(status == 200, "serve still answers after the backups")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = None
        check(code == 0, "SIGTERM stops the server cleanly (exit 0)")
    print("all passed in %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
