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
Under tests/central/with_postgres.sh (AGENDA_CENTRAL_PG set) the PostgreSQL procedure instead:
`pg_dump -Fc` while serve runs and enrol-code commits, `createdb` + `pg_restore --no-owner`,
the same tables and schema version, counts between before and after, and agenda-central works
on the restored database (a folder whose store.conf names it lists the site and the codes).
Usage: backup_test.py AGENDA_CENTRAL
"""
import json
import os
import shutil
import signal
import sqlite3
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


def psql(pg, database, query):
    r = subprocess.run(["psql", "%s dbname=%s" % (pg, database), "-tAc", query],
                       capture_output=True, text=True, timeout=TIMEOUT)
    if r.returncode != 0:
        raise AssertionError("psql on %s: %s (%s)" % (database, query, r.stderr.strip()))
    return r.stdout.split()


def pg_counts(pg, database):
    tables = psql(pg, database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {t: int(psql(pg, database, 'SELECT count(*) FROM "%s"' % t)[0]) for t in tables}


class CodeWriter(threading.Thread):
    """`enrol-code` again and again: one committed transaction each, as the help desk makes."""

    def __init__(self, binary, folder):
        super().__init__(daemon=True)
        self.argv = [binary, "--json", "enrol-code", "--dir", folder, "--site", "ROMA"]
        self.stopping = threading.Event()
        self.commits = 0
        self.error = None

    def run(self):
        while not self.stopping.is_set() and self.error is None:
            r = subprocess.run(self.argv, capture_output=True, text=True, timeout=TIMEOUT)
            if r.returncode != 0:
                self.error = r.stderr.strip()
            self.commits += 1

    def stop(self):
        self.stopping.set()
        self.join(TIMEOUT)
        check(self.error is None, "enrol-code committed %d times during the dump (%s)"
              % (self.commits, self.error))


def test_postgresql(binary, tmp, pg):
    host = dict(kv.split("=", 1) for kv in pg.split())["host"]
    folder = os.path.join(tmp, "central")
    r = run(binary, "init", "--dir", folder, "--host", "localhost", "--store",
            "postgresql://agenda@/postgres?host=%s" % host)
    check(r.returncode == 0, "init on PostgreSQL (%s)" % r.stderr.strip())
    r = run(binary, "site", "add", "--dir", folder, "--code", "ROMA", "--city", "Roma",
            "--province", "RM", "--dirigente", "dirigente@interno.it")
    check(r.returncode == 0, "site add ROMA (%s)" % r.stderr.strip())
    dump = os.path.join(tmp, "central.dump")
    proc, port = start_server(binary, folder)
    try:
        writer = CodeWriter(binary, folder)
        writer.start()
        time.sleep(0.5)
        before = pg_counts(pg, "postgres")
        started = time.monotonic()
        r = subprocess.run(["sh", "-c", 'umask 077 && exec pg_dump -Fc -d "$0" -f "$1"',
                            "postgresql://agenda@/postgres?host=%s" % host, dump],
                           capture_output=True, text=True, timeout=BACKUP_TIMEOUT)
        check(r.returncode == 0, "pg_dump -Fc while serve runs took %.2f s (%s)"
              % (time.monotonic() - started, r.stderr.strip()))
        after = pg_counts(pg, "postgres")
        writer.stop()
        check(stat.S_IMODE(os.stat(dump).st_mode) == 0o600, "the dump is 0600 under umask 077")
        status, _ = get(port, context(os.path.join(folder, "ca.pem")), "/v1/health")
        check(status == 200, "serve answers during and after the dump")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
    check(code == 0, "SIGTERM stops the server cleanly (exit 0)")
    r = run("createdb", "-h", host, "-U", "agenda", "agenda_restored")
    check(r.returncode == 0, "createdb agenda_restored (%s)" % r.stderr.strip())
    r = run("pg_restore", "-d", "postgresql://agenda@/agenda_restored?host=%s" % host,
            "--no-owner", dump)
    check(r.returncode == 0, "pg_restore --no-owner (%s)" % r.stderr.strip())
    restored = pg_counts(pg, "agenda_restored")
    check(sorted(restored) == sorted(after), "the restored database has the live store's "
          "tables (%s)" % ", ".join(sorted(restored)))
    check(psql(pg, "agenda_restored", "SELECT max(version) FROM central_schema") ==
          psql(pg, "postgres", "SELECT max(version) FROM central_schema"),
          "the restored database is at the live store's schema version")
    check(before["enrol_code"] <= restored["enrol_code"] <= after["enrol_code"],
          "one snapshot: %d codes, between %d and %d" % (restored["enrol_code"],
                                                         before["enrol_code"],
                                                         after["enrol_code"]))
    copy = os.path.join(tmp, "restored")
    os.mkdir(copy, 0o700)
    for name in ("ca.key", "ca.pem", "server.key", "server.pem"):
        shutil.copy2(os.path.join(folder, name), copy)
    with open(os.path.join(copy, "store.conf"), "w") as f:
        f.write("postgresql://agenda@/agenda_restored?host=%s\n" % host)
    os.chmod(os.path.join(copy, "store.conf"), 0o600)
    r = run(binary, "--json", "site", "list", "--dir", copy)
    sites = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else {}
    check(r.returncode == 0 and [s["code"] for s in sites.get("sites", [])] == ["ROMA"],
          "agenda-central works on the restored database (site list: ROMA)")


def main():
    binary = sys.argv[1]
    started = time.monotonic()
    pg = os.environ.get("AGENDA_CENTRAL_PG")  # set by with_postgres.sh: the PostgreSQL run
    if pg:
        with tempfile.TemporaryDirectory() as tmp:
            test_postgresql(binary, tmp, pg)
        print("all passed in %.1f s" % (time.monotonic() - started))
        return
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
        print("the store: %.1f MB" % (os.path.getsize(store) / 1e6))
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
