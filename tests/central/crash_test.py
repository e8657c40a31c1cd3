#!/usr/bin/python3
"""crash_test.py — agenda-central killed with SIGKILL in the middle of its work.

enrol: N_CODES one-time codes, two keys (openssl, P-256) racing for each, every request in
flight at once against `serve`; SIGKILL the server once a quarter of them have their answer,
restart it on the same folder, then check in the store (sqlite3 / psql) and over the API:
  - every code is either unused (no device) or used by exactly one device, every device by
    exactly one code;
  - each key that got a certificate before the kill gets the very same certificate when it
    retries with its code (the contract), the other key of that code gets 410 code_used;
  - for every code exactly one of its two keys ends up enrolled, and that certificate logs in.
import: a CSV of 200,000 practices of every shape (no visa, quoted commas, accents, both date
forms, lower-case Questure, synonyms of the kinds); `agenda-central practice import` SIGKILLed
at a random point, then its re-run SIGKILLed again, then run to the end: after each kill the
store opens (integrity_check), holds whole batches only, and every practice in it is the file's
row field by field; the last run stores every row exactly once.
Under tests/central/with_postgres.sh (AGENDA_CENTRAL_PG set) the store is that PostgreSQL.
Usage: crash_test.py AGENDA_CENTRAL [enrol|import]...
"""
import collections
import datetime
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from enrol_test import Central, Device, Server, check, store_args, TIMEOUT  # noqa: E402

N_CODES = 24
KILL_AFTER = N_CODES * 2 // 4  # answers received before SIGKILL


class Store:
    """Read-only SQL on the folder's store, whichever backend it is."""

    def __init__(self, folder):
        self.pg = os.environ.get("AGENDA_CENTRAL_PG")
        self.path = os.path.join(folder, "central.db")

    def rows(self, query):
        if self.pg:
            r = subprocess.run(["psql", self.pg + " dbname=postgres", "-tAF", "\t", "-c", query],
                               capture_output=True, text=True, timeout=TIMEOUT)
            check(r.returncode == 0, "psql: %s (%s)" % (query[:40], r.stderr.strip()))
            return [tuple(None if v == "" else v for v in line.split("\t"))
                    for line in r.stdout.splitlines()]
        db = sqlite3.connect("file:%s?mode=ro" % self.path, uri=True, timeout=20)
        try:
            return [tuple(None if v is None else str(v) for v in row)
                    for row in db.execute(query)]
        finally:
            db.close()

    def integrity(self):
        if self.pg:
            return "ok"  # PostgreSQL's own recovery; the rows below are the check
        return self.rows("PRAGMA integrity_check")[0][0]


def code_hash(code):
    return hashlib.sha256(code.encode()).hexdigest().lower()


def make_devices(tmp, n):
    devices = [None] * n
    threads = [threading.Thread(target=lambda i=i: devices.__setitem__(
        i, Device(tmp, "k%03d" % i))) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 3)
    check(all(devices), "openssl made %d keys and requests" % n)
    return devices


def enrol_storm(server, codes, devices):
    """Every (code, key) request at once; SIGKILL serve after KILL_AFTER answers."""
    answers, lock, enough = {}, threading.Lock(), threading.Event()
    start = threading.Barrier(len(devices) + 1)

    def one(i):
        start.wait()
        try:
            status, _, body = server.enrol(codes[i // 2], devices[i].csr)
        except Exception as e:  # noqa: B902 — whatever a cut connection raises
            status, body = "lost (%s)" % type(e).__name__, None
        with lock:
            answers[i] = (status, body)
            if sum(1 for s, _ in answers.values() if isinstance(s, int)) >= KILL_AFTER:
                enough.set()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(devices))]
    for t in threads:
        t.start()
    start.wait()
    enough.wait(TIMEOUT * 3)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(TIMEOUT)
    for t in threads:
        t.join(TIMEOUT)
    print("after the kill:", dict(collections.Counter(str(s) for s, _ in answers.values())))
    lost = sum(1 for s, _ in answers.values() if not isinstance(s, int))
    ok = sum(1 for s, _ in answers.values() if s == 200)
    check(lost > 0, "SIGKILL with requests in flight: %d answered (%d certificates), %d cut"
          % (len(answers) - lost, ok, lost))
    return answers


def check_store(store, codes):
    check(store.integrity() == "ok", "the store opens after SIGKILL (integrity_check ok)")
    rows = {h.lower(): (used, device) for h, used, device in
            store.rows("SELECT code_sha256, used_at, device FROM enrol_code")}
    ours = [rows.get(code_hash(c)) for c in codes]
    check(all(r is not None for r in ours), "every code is in the store (hashed)")
    check(all((used is None) == (device is None) for used, device in ours),
          "every code is either unused or used with its device (never half)")
    devices = [d for (d,) in store.rows("SELECT id FROM device")]
    used = [device for _, device in ours if device is not None]
    check(sorted(used) == sorted(devices) and len(set(used)) == len(used),
          "%d codes used, %d devices: each device made by exactly one code"
          % (len(used), len(devices)))
    return len(used)


def test_enrol(binary, tmp):
    folder = os.path.join(tmp, "central")
    central = Central(binary, folder)
    status, _ = central.run("init", "--dir", folder, "--host", "localhost", *store_args())
    check(status == 0, "init")
    status, _ = central.verb("site", "add", "--code", "ROMA", "--city", "Roma",
                             "--province", "RM", "--dirigente", "dirigente@interno.it")
    check(status == 0, "site add ROMA")
    codes = [central.code()["code"] for _ in range(N_CODES)]
    devices = make_devices(tmp, 2 * N_CODES)
    answers = enrol_storm(Server(central), codes, devices)
    store = Store(folder)
    used_before = check_store(store, codes)
    server = Server(central)
    try:
        for c, code in enumerate(codes):
            pair = (2 * c, 2 * c + 1)
            # the key that was told it won goes first; else either
            first = [i for i in pair if answers.get(i, (None,))[0] == 200]
            order = first + [i for i in pair if i not in first]
            results = {i: server.enrol(code, devices[i].csr) for i in order}
            winners = [i for i in pair if results[i][0] == 200]
            check(len(winners) == 1 and all(results[i][0] == 410 and
                                            results[i][2]["error"] == "code_used"
                                            for i in pair if i not in winners),
                  "code %d: exactly one key enrolled, the other gets 410 code_used" % c)
            w = winners[0]
            if first:
                check(w == first[0] and results[w][2] == answers[w][1],
                      "code %d: the key answered before the kill gets the same certificate"
                      % c)
            with open(devices[w].cert, "w") as f:
                f.write(results[w][2]["certificate"])
            status, _, text = server.request("GET", "/v1/device/whoami",
                                             cert=(devices[w].cert, devices[w].key))
            check(status == 200 and results[w][2]["device_id"] in text,
                  "code %d: its certificate logs in as %s" % (c, results[w][2]["device_id"]))
        check(check_store(store, codes) == N_CODES,
              "after the retries every code is used once (%d were before them)" % used_before)
    finally:
        code = server.stop()
    check(code == 0, "the restarted server stops cleanly (exit 0)")


def main():
    binary = sys.argv[1]
    parts = sys.argv[2:] or ["enrol", "import"]
    started = time.monotonic()
    for part in parts:
        with tempfile.TemporaryDirectory() as tmp:
            {"enrol": test_enrol, "import": test_import}[part](binary, tmp)
    print("all passed in %.1f s" % (time.monotonic() - started))


CSV_HEADER = "numero_pratica,numero_visto,cognome,nome,data_nascita,nazionalita,tipo,questura\n"
IMPORT_ROWS = 200000
BATCH = 1000  # practice import commits every 1,000 rows (docs/CENTRAL.md)
IMPORT_TIMEOUT = 400  # seconds for the whole import: ~6 s on SQLite, ~20 s on PostgreSQL,
#                       much more under ASan on a loaded machine
NATIONS = ("ALBANIA", "MAROCCO", "TUNISIA", "PERÙ", "CINA", "INDIA", "UCRAINA")


def practice_csv(path):
    """IMPORT_ROWS valid rows of every shape the format allows; {numero_pratica: stored row}."""
    expected = {}
    epoch = datetime.date(1970, 1, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(CSV_HEADER)
        for i in range(IMPORT_ROWS):
            questura = ("RM", "PD")[i % 2]
            pratica = "%s/2025/%06d" % (questura, i + 1)
            visto = "" if i % 3 == 0 else "ITA2%08d" % (i + 1)
            cognome = "DE LUCA, %d" % i if i % 7 == 0 else "COGNOME%d" % i
            nome = ("NICOLÒ", "ANNA MARIA", "LI")[i % 3]
            born = datetime.date(1950, 1, 1) + datetime.timedelta(days=i % 20000)
            written = born.isoformat() if i % 2 else born.strftime("%d/%m/%Y")
            tipo = ("lavoro", "ricongiungimento familiare")[i % 2]
            f.write('%s,%s,%s,%s,%s,%s,%s,%s\n'
                    % (pratica, visto, '"%s"' % cognome if "," in cognome else cognome, nome,
                       written, NATIONS[i % len(NATIONS)],
                       ("Lavoro subordinato", "ricongiungimento")[i % 2],
                       questura.lower() if i % 5 == 0 else questura))
            expected[pratica] = (visto or None, cognome, nome, str((born - epoch).days),
                                 NATIONS[i % len(NATIONS)], tipo, questura)
    return expected


PRACTICES = ("SELECT numero_pratica, numero_visto, cognome, nome, data_nascita, nazionalita,"
             " tipo, questura FROM practice")


def check_practices(store, expected, what):
    """Every stored practice is one of the file's, whole; returns how many are stored."""
    stored = store.rows(PRACTICES)
    wrong = [r for r in stored if expected.get(r[0]) != tuple(r[1:])]
    check(not wrong, "%s: each of the %d stored practices is whole, field by field (%s)"
          % (what, len(stored), wrong[:1]))
    check(len({r[0] for r in stored}) == len(stored), "%s: none stored twice" % what)
    return len(stored)


def import_killed(binary, folder, store, path, threshold, what):
    """Starts the import, SIGKILLs it once at least threshold practices are stored."""
    proc = subprocess.Popen([binary, "--json", "practice", "import", "--dir", folder, "--file",
                             path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, seen = time.monotonic() + IMPORT_TIMEOUT, 0
    while time.monotonic() < deadline and proc.poll() is None:
        seen = int(store.rows("SELECT count(*) FROM practice")[0][0])
        if seen >= threshold:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    code = proc.wait(TIMEOUT)
    check(code == -signal.SIGKILL, "%s: SIGKILL with %d practices stored (asked >= %d)"
          % (what, seen, threshold))


def test_import(binary, tmp):
    folder = os.path.join(tmp, "central")
    central = Central(binary, folder)
    status, _ = central.run("init", "--dir", folder, "--host", "localhost", *store_args())
    check(status == 0, "init")
    for code, name in (("RM", "Roma"), ("PD", "Padova")):
        status, _ = central.verb("questura", "add", "--code", code, "--name", name)
        check(status == 0, "questura add %s" % code)
    path = os.path.join(tmp, "pratiche.csv")
    expected = practice_csv(path)
    check(len(expected) == IMPORT_ROWS, "a CSV of %d practices (%.1f MB)"
          % (IMPORT_ROWS, os.path.getsize(path) / 1e6))
    store = Store(folder)
    rng = random.Random(int(time.time()))
    first = rng.randrange(1, IMPORT_ROWS // 2)
    import_killed(binary, folder, store, path, first, "first import")
    check(store.integrity() == "ok", "the store opens after SIGKILL (integrity_check ok)")
    stored = check_practices(store, expected, "after the first SIGKILL")
    check(0 < stored < IMPORT_ROWS and stored % BATCH == 0,
          "whole batches of %d only: %d stored" % (BATCH, stored))
    import_killed(binary, folder, store, path, stored + rng.randrange(1, 50000),
                  "the re-run")
    check(store.integrity() == "ok", "the store opens after the second SIGKILL")
    again = check_practices(store, expected, "after the second SIGKILL")
    check(stored <= again < IMPORT_ROWS and again % BATCH == 0,
          "the killed re-run kept what was there and added whole batches: %d" % again)
    started = time.monotonic()
    r = subprocess.run([binary, "--json", "practice", "import", "--dir", folder, "--file", path],
                       capture_output=True, text=True, timeout=IMPORT_TIMEOUT)
    out = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else {}
    status = r.returncode
    check(status == 0 and out["rows_read"] == IMPORT_ROWS and
          out["rows_imported"] == IMPORT_ROWS and out["rows_rejected"] == 0,
          "importing the same file again completes it (exit 0, %d rows, %.1f s)"
          % (IMPORT_ROWS, time.monotonic() - started))
    check(check_practices(store, expected, "after the complete run") == IMPORT_ROWS,
          "every row of the file is stored exactly once")


if __name__ == "__main__":
    main()
