#!/usr/bin/python3
"""admin_test.py — agenda-central's admin verbs as real processes, on one central folder.

Each verb runs as `agenda-central --json VERB ... --dir DIR` (and once in text) against the store
`init` made: SQLite by default; under tests/central/with_postgres.sh (AGENDA_CENTRAL_PG set) init
gets --store on that private PostgreSQL, and the same assertions run there (ctest
central.admin.postgresql). Checked: each verb's right use and its --json shape, every refusal
with its exit code and a message naming the problem, and that a verb finds the store through
DIR/store.conf alone.
Usage: admin_test.py AGENDA_CENTRAL
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

TIMEOUT = 20  # seconds for any one command
IMPORT_TIMEOUT = 120  # the 50,000-row import, also under ASan on a loaded machine
NOW = "2026-12-01T09:00:00"  # AGENDA_NOW for every command: dates are deterministic
NOW_UNIX = 1796112000  # the same instant: 09:00 in Rome is 08:00 UTC in December


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what)


class Central:
    def __init__(self, binary, folder):
        self.binary, self.folder = binary, folder

    def run(self, *args, json_out=True, env=None, timeout=TIMEOUT):
        """(exit code, parsed JSON or text, stderr) of one verb on the folder."""
        e = dict(os.environ, AGENDA_NOW=NOW, **(env or {}))
        argv = [self.binary] + (["--json"] if json_out else []) + list(args)
        if "--dir" not in args and args and args[0] not in ("help",):
            argv += ["--dir", self.folder]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=e)
        out = r.stdout
        if json_out and out.strip():
            out = json.loads(out.strip().splitlines()[-1])
        return r.returncode, out, r.stderr


def store_args():
    pg = os.environ.get("AGENDA_CENTRAL_PG")  # set by with_postgres.sh: the PostgreSQL run
    if not pg:
        return []
    host = dict(kv.split("=", 1) for kv in pg.split())["host"]
    return ["--store", "postgresql://agenda@/postgres?host=%s" % host]


def test_sites(c):
    code, out, _ = c.run("site", "add", "--code", "ROMA", "--city", "Roma", "--province", "RM",
                         "--province", "LT", "--dirigente", "dirigente.roma@interno.it")
    check(code == 0 and out["code"] == "ROMA" and out["provinces"] == ["RM", "LT"]
          and out["dirigente"] == "dirigente.roma@interno.it", "site add ROMA with two provinces")
    code, out, _ = c.run("site", "add", "--code", "MILANO", "--city", "Milano", "--province",
                         "MI", "--dirigente", "dir.mi@interno.it", json_out=False)
    check(code == 0 and "MILANO" in out and "Dirigente" in out, "site add in text, Italian")
    code, out, _ = c.run("site", "list")
    check(code == 0 and [s["code"] for s in out["sites"]] == ["MILANO", "ROMA"]
          and out["sites"][1]["provinces"] == ["LT", "RM"]
          and out["sites"][1]["created_at"] == NOW_UNIX, "site list: both, by code, provinces kept,"
          " created at AGENDA_NOW")
    refusals = [
        (["--code", "ROMA", "--city", "Roma", "--province", "RM", "--dirigente", "a@b.it"],
         4, "esiste già", "a site code twice"),
        (["--code", "roma", "--city", "Roma", "--province", "RM", "--dirigente", "a@b.it"],
         9, "Codice di sede non valido", "a lower-case site code"),
        (["--code", "X" * 17, "--city", "Roma", "--province", "RM", "--dirigente", "a@b.it"],
         9, "Codice di sede non valido", "a 17-character site code"),
        (["--code", "BO", "--city", "Bologna", "--province", "ZZ", "--dirigente", "a@b.it"],
         9, "Provincia «ZZ» sconosciuta", "an unknown province"),
        (["--code", "BO", "--city", "Bologna", "--province", "BO", "--province", "BO",
          "--dirigente", "a@b.it"], 9, "due volte", "a province twice"),
        (["--code", "BO", "--city", "Bologna", "--province", "BO", "--dirigente", "dirigente"],
         9, "Dirigente non valido", "an address without @"),
        (["--code", "BO", "--city", "Bo\nlogna", "--province", "BO", "--dirigente", "a@b.it"],
         9, "Città", "a city with a control character"),
        (["--code", "BO", "--city", "Bologna", "--dirigente", "a@b.it"],
         2, "--province", "no province"),
        (["--code", "BO", "--code", "PD", "--city", "Bologna", "--province", "BO",
          "--dirigente", "a@b.it"], 2, "più volte", "an option given twice"),
        (["--code", "BO", "--city", "Bologna", "--province", "BO", "--dirigente", "a@b.it",
          "--colour", "red"], 2, "--colour", "an unknown option"),
    ]
    for args, want, words, what in refusals:
        code, out, _ = c.run("site", "add", *args)
        check(code == want and out["exit"] == want and words in out["message"]
              and out["message_en"], "refused (exit %d): %s" % (want, what))
    code, out, _ = c.run("site", "list")
    check(len(out["sites"]) == 2, "no refused site was stored")


def test_folder(c, tmp):
    code, out, _ = c.run("site", "list", "--dir", os.path.join(tmp, "nowhere"))
    check(code == 3 and "agenda-central init" in out["message"],
          "a folder that is not a central agenda: exit 3, says to run init")
    code, out, err = c.run("help", "site", json_out=False)
    check(code == 0 and "site add" in out and "site list" in out and "init" not in out,
          "help site lists the site verbs")
    code, out, err = c.run("site", "remove", json_out=False)
    check(code == 2 and "site add" in err, "an unknown sub-verb: exit 2 and the site usage")


# ---- the admin verbs (questura, capacity, closure, practice import, operator, outbox) ----

class Store:
    """Reads central's store behind the verbs' back: sqlite3 on the file, psql on PostgreSQL."""

    def __init__(self, folder):
        self.pg = os.environ.get("AGENDA_CENTRAL_PG")
        self.path = os.path.join(folder, "central.db")

    def rows(self, sql):
        if self.pg:
            psql = "/usr/lib/postgresql/15/bin/psql"
            r = subprocess.run([psql, "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                                self.pg + " dbname=postgres", "-c", sql],
                               capture_output=True, text=True, timeout=TIMEOUT, check=True)
            return [tuple(line.split("\t")) for line in r.stdout.splitlines() if line]
        import sqlite3
        db = sqlite3.connect(self.path, timeout=20)
        try:
            return [tuple(str(v) for v in row) for row in db.execute(sql)]
        finally:
            db.close()

    def value(self, sql):
        return self.rows(sql)[0][0]

    def execute(self, sql):
        if self.pg:
            self.rows(sql)
            return
        import sqlite3
        db = sqlite3.connect(self.path, timeout=20)
        try:
            db.execute(sql)
            db.commit()
        finally:
            db.close()


def refused(c, verb, args, want, words, what):
    code, out, _ = c.run(*verb, *args)
    check(code == want and out["exit"] == want and words in out["message"]
          and out["message_en"], "%s refused (exit %d): %s" % (" ".join(verb), want, what))


def test_questure(c, store):
    code, out, _ = c.run("questura", "add", "--code", "RM", "--name", "Roma")
    check(code == 0 and out == {"code": "RM", "name": "Roma", "patron": "06-29", "email": None},
          "questura add RM: Roma's patron saint known (06-29), no address yet")
    code, out, _ = c.run("questura", "add", "--code", "PD", "--name", "Padova", "--patron",
                         "06-13", json_out=False)
    check(code == 0 and "PD" in out and "06-13" in out, "questura add in text, --patron kept")
    code, out, _ = c.run("questura", "add", "--code", "LT", "--name", "Latina")
    check(code == 0 and "patron" in out and out["patron"] is None,
          "a city without a known patron: patron null (national calendar only)")
    code, out, _ = c.run("questura", "add", "--code", "BO", "--name", "Questura di Bologna",
                         "--email", "immigrazione.bo@poliziadistato.it")
    check(code == 0 and out["patron"] == "10-04"
          and out["email"] == "immigrazione.bo@poliziadistato.it",
          "questura add 'Questura di Bologna': the city's patron found, --email kept")
    code, out, _ = c.run("questura", "set", "--code", "RM", "--email", "ufficio.rm@example.it")
    check(code == 0 and out == {"code": "RM", "email": "ufficio.rm@example.it"},
          "questura set --email: the end-of-day address changed")
    changes = store.rows("SELECT body FROM change ORDER BY seq")
    check(any('"ufficio.rm@example.it"' in row[0] for row in changes),
          "questura set --email: the devices get the address in a questura change")
    for args, want, words, what in [
            (["--code", "RM", "--email", "not an address"], 9, "Indirizzo della Questura",
             "an address that is no address"),
            (["--code", "RM", "--email", "a@" + "b" * 130 + ".it"], 9, "Indirizzo della Questura",
             "an address longer than a device can hold"),
            (["--code", "TO", "--email", "a@b.it"], 3, "sconosciuta", "an unknown Questura")]:
        refused(c, ("questura", "set"), args, want, words, what)
    code, out, _ = c.run("questura", "set", "--code", "LT", "--email", "")
    check(code == 0 and out == {"code": "LT", "email": None}, "questura set --email '': none")
    for args, want, words, what in [
            (["--code", "RM", "--name", "Roma"], 4, "già presente", "a code twice"),
            (["--code", "ZZ", "--name", "Nowhere"], 9, "sigla di una provincia",
             "a code that is no province"),
            (["--code", "MI", "--name", "Mi\x01lano"], 9, "Nome della Questura",
             "a control character in the name"),
            (["--code", "MI", "--name", "M" * 97], 9, "Nome della Questura", "a name too long"),
            (["--code", "MI", "--name", "Milano", "--patron", "giugno"], 9, "patrono",
             "a patron day that is no MM-DD"),
            (["--code", "MI", "--name", "Milano", "--patron", "02-30"], 9, "patrono",
             "a patron day that does not exist"),
            (["--code", "MI"], 2, "--name", "no name")]:
        refused(c, ("questura", "add"), args, want, words, what)
    code, out, _ = c.run("questura", "list")
    check(code == 0 and [q["code"] for q in out["questure"]] == ["BO", "LT", "PD", "RM"],
          "questura list: the four, by code, nothing refused stored")
    check([q["email"] for q in out["questure"]] ==
          ["immigrazione.bo@poliziadistato.it", None, None, "ufficio.rm@example.it"],
          "questura list: each Questura's address")


def oracle_skipped(first, last, prov):
    """{date: reason} of the days python3-holidays closes (weekends, national, patron)."""
    import holidays
    national = holidays.IT(years=[first.year])
    local = holidays.IT(prov=prov, years=[first.year])
    want, day = {}, first
    while day <= last:
        if day in national:
            want[day.isoformat()] = "holiday"
        elif day in local:
            want[day.isoformat()] = "patron"
        elif day.weekday() >= 5:
            want[day.isoformat()] = "weekend"
        day += datetime.timedelta(days=1)
    return want


def test_capacity(c, store):
    import datetime as dt
    first, last = dt.date(2026, 6, 1), dt.date(2026, 6, 30)  # 2 June and 29 June (San Pietro)
    code, out, _ = c.run("capacity", "set", "--questura", "RM", "--from", "2026-06-01", "--to",
                         "2026-06-30", "--per-day", "4", "--start", "09:00", "--every", "20")
    want = oracle_skipped(first, last, "RM")
    got = {s["date"]: s["reason"] for s in out["skipped"]}
    check(code == 0 and got == want and "2026-06-02" in got and got["2026-06-29"] == "patron",
          "capacity set skips exactly the days python3-holidays closes in Rome (%d)" % len(want))
    open_days = 30 - len(want)
    check(out["open_days"] == open_days and out["slots_added"] == 4 * open_days
          and out["slots_existing"] == 0 and out["start"] == "09:00" and out["every"] == 20,
          "capacity set: 4 slots on each of the %d open days" % open_days)
    rows = store.rows("SELECT day, minute FROM slot WHERE questura = 'RM' ORDER BY day, minute")
    days = {dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d, _ in rows}
    check(len(rows) == 4 * open_days and not {d.isoformat() for d in days} & set(want)
          and sorted({int(m) for _, m in rows}) == [540, 560, 580, 600],
          "the store holds them, none on a closed day, at 09:00, 09:20, 09:40, 10:00")
    code, out, _ = c.run("capacity", "set", "--questura", "RM", "--from", "2026-06-01", "--to",
                         "2026-06-30", "--per-day", "4", "--start", "09:00", "--every", "20")
    check(code == 0 and out["slots_added"] == 0 and out["slots_existing"] == 4 * open_days,
          "capacity set again: nothing added, existing slots kept")
    code, out, _ = c.run("capacity", "set", "--questura", "RM", "--from", "2026-06-01", "--to",
                         "2026-06-30", "--per-day", "2", json_out=False)
    check(code == 0 and "giorni aperti" in out, "capacity set in text, Italian")
    base = ["--from", "2026-06-01", "--to", "2026-06-30", "--per-day", "4"]
    for args, want_exit, words, what in [
            (["--questura", "MI"] + base, 3, "sconosciuta", "an unknown Questura"),
            (["--questura", "RM", "--from", "2026-06-31", "--to", "2026-07-01", "--per-day",
              "4"], 9, "Data non valida", "a date that does not exist"),
            (["--questura", "RM", "--from", "2026-06-30", "--to", "2026-06-01", "--per-day",
              "4"], 9, "Capacità non valida", "to before from"),
            (["--questura", "RM", "--from", "2026-01-01", "--to", "2028-12-31", "--per-day",
              "4"], 9, "due anni", "more than two years"),
            (["--questura", "RM"] + base[:4] + ["--per-day", "0"], 9, "--per-day",
             "zero slots a day"),
            (["--questura", "RM"] + base[:4] + ["--per-day", "100", "--every", "30"], 9,
             "Capacità non valida", "slots past midnight"),
            (["--questura", "RM"] + base + ["--start", "25:00"], 9, "Orario non valido",
             "a start time that does not exist"),
            (["--questura", "RM", "--from", "2026-06-01", "--to", "2026-06-30"], 2,
             "--per-day", "no --per-day")]:
        refused(c, ("capacity", "set"), args, want_exit, words, what)


def test_closures(c, store):
    # 2026-06-03: 4 pool slots (09:00..10:00, and 2 at 08:30/08:45 from the text run); a device
    # holds two of them, as allocate would leave it.
    day = (datetime.date(2026, 6, 3) - datetime.date(1970, 1, 1)).days
    total = int(store.value("SELECT count(*) FROM slot WHERE questura = 'RM' AND day = %d" % day))
    store.execute("UPDATE slot SET holder = 'ROMA-1' WHERE questura = 'RM' AND day = %d"
                  " AND minute IN (540, 560)" % day)
    code, out, _ = c.run("closure", "add", "--questura", "RM", "--date", "2026-06-03", "--note",
                         "Assemblea sindacale")
    check(code == 0 and out == {"questura": "RM", "date": "2026-06-03", "open": False,
                                "note": "Assemblea sindacale", "slots_removed": total - 2,
                                "slots_held": 2},
          "closure add: the day's free pool slots removed (%d), the 2 a device holds kept"
          % (total - 2))
    left = store.rows("SELECT holder FROM slot WHERE questura = 'RM' AND day = %d" % day)
    check(sorted(left) == [("ROMA-1",), ("ROMA-1",)], "only the device's slots remain that day")
    code, out, _ = c.run("capacity", "set", "--questura", "RM", "--from", "2026-06-03", "--to",
                         "2026-06-06", "--per-day", "4", "--start", "09:00", "--every", "20")
    reasons = {s["date"]: s["reason"] for s in out["skipped"]}
    check(code == 0 and reasons == {"2026-06-03": "closure", "2026-06-06": "weekend"}
          and int(store.value("SELECT count(*) FROM slot WHERE questura = 'RM' AND day = %d"
                              % day)) == 2,
          "capacity set skips the closed day (reason closure) and adds nothing to it")
    code, out, _ = c.run("closure", "open", "--questura", "RM", "--date", "2026-06-06")
    check(code == 0 and out["open"] is True and out["slots_removed"] == 0,
          "closure open on a Saturday")
    code, out, _ = c.run("capacity", "set", "--questura", "RM", "--from", "2026-06-06", "--to",
                         "2026-06-07", "--per-day", "4")
    check(code == 0 and out["open_days"] == 1 and out["slots_added"] == 4
          and out["skipped"] == [{"date": "2026-06-07", "reason": "weekend"}],
          "the opened Saturday gets capacity, the Sunday does not")
    code, out, _ = c.run("closure", "add", "--questura", "RM", "--date", "2026-06-04",
                         json_out=False)
    check(code == 0 and "chiusa il 2026-06-04" in out and "restano loro" in out,
          "closure add in text says the devices keep their slots")
    for args, want, words, what in [
            (["--questura", "MI", "--date", "2026-06-05"], 3, "sconosciuta", "unknown Questura"),
            (["--questura", "RM", "--date", "05/13/2026"], 9, "Data non valida", "a bad date"),
            (["--questura", "RM", "--date", "2026-06-05", "--note", "a\x07b"], 9,
             "Nota non valida", "a control character in the note"),
            (["--questura", "RM", "--date", "2026-06-05", "--note", "n" * 256], 9,
             "Nota non valida", "a note of 256 bytes")]:
        refused(c, ("closure", "add"), args, want, words, what)


CSV_HEADER = "numero_pratica,numero_visto,cognome,nome,data_nascita,nazionalita,tipo,questura\n"


def test_practice_import(c, store, tmp):
    good = [
        "RM/2026/000001,ITA000000001,ROSSI,MARIO,1990-01-01,ALBANIA,lavoro,RM",
        "RM/2026/000002,,BIANCHI,ANNA,15/03/1985,MAROCCO,ricongiungimento familiare,rm",
        'PD/2026/000003,ITA000000003,"DE LUCA, JR",LUIGI,1970-12-31,TUNISIA,Lavoro,PD',
    ]
    bad = [  # (row, words of the reason)
        ("XX/2026/1,ITA000000004,VERDI,GIO,1990-01-01,PERU,lavoro,RM", "pratica"),
        ("RM/2026/000005,ITA000000005,VERDI,GIO,2030-01-01,PERU,lavoro,RM", "Data di nascita"),
        ("MI/2026/000006,ITA000000006,NERI,ADA,1990-01-01,PERU,lavoro,MI",
         "agenda-central questura add"),
        ("RM/2026/000007,ITA000000001,GIALLI,EVA,1990-01-01,PERU,lavoro,RM", "ITA000000001"),
        ("RM/2026/000008,ITA000000008,NERO,UGO,1990-01-01,PERU,lavoro", "colonne"),
        ("RM/2026/000009,ITA000000009,,UGO,1990-01-01,PERU,lavoro,RM", "cognome"),
    ]
    rows = good[:2] + [b[0] for b in bad[:3]] + [good[2]] + [b[0] for b in bad[3:]]
    path = os.path.join(tmp, "pratiche.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(CSV_HEADER + "\n".join(rows) + "\n")
    bad_lines = [rows.index(b[0]) + 2 for b in bad]
    for run in ("first", "again"):
        code, out, err = c.run("practice", "import", "--file", path)
        lines = [r["line"] for r in out["rejected"]]
        reasons_ok = all(words in out["rejected"][i]["reason"]
                         and out["rejected"][i]["reason_en"] for i, (_, words) in enumerate(bad))
        check(code == 12 and out["exit"] == 12 and out["rows_read"] == 9
              and out["rows_imported"] == 3 and out["rows_rejected"] == 6
              and lines == bad_lines and reasons_ok
              and all("riga %d scartata" % n in err for n in bad_lines),
              "practice import (%s): 3 imported, each bad row by its line %s with its reason"
              % (run, bad_lines))
    got = store.rows("SELECT numero_pratica, coalesce(numero_visto, ''), cognome, tipo,"
                     " questura, status FROM practice ORDER BY numero_pratica")
    check(got == [("PD/2026/000003", "ITA000000003", "DE LUCA, JR", "lavoro", "PD",
                   "nulla_osta_rilasciato"),
                  ("RM/2026/000001", "ITA000000001", "ROSSI", "lavoro", "RM",
                   "nulla_osta_rilasciato"),
                  ("RM/2026/000002", "", "BIANCHI", "ricongiungimento familiare", "RM",
                   "nulla_osta_rilasciato")],
          "the store holds the 3 practices once each, kinds and Questure canonical")
    with open(path, "w", encoding="utf-8") as f:
        f.write("pratica;visto\n" + good[0] + "\n")
    code, out, _ = c.run("practice", "import", "--file", path)
    check(code == 9 and "Intestazione" in out["message"]
          and store.value("SELECT count(*) FROM practice") == "3",
          "a wrong header: exit 9, nothing imported")
    code, out, _ = c.run("practice", "import", "--file", os.path.join(tmp, "missing.csv"))
    check(code == 3 and "missing.csv" in out["message"], "a missing file: exit 3")
    with open(path, "w", encoding="utf-8") as f:
        f.write(CSV_HEADER.replace(",", ";") + good[0].replace(",", ";") + "\n")
    code, out, err = c.run("practice", "import", "--file", path, json_out=False)
    check(code == 0 and "importate: 1" in out, "semicolons, in text: imported, exit 0")


def test_import_killed(c, store, tmp):
    """kill -9 in the middle of an import: whole batches stay, a re-run completes it."""
    rows = 50000
    path = os.path.join(tmp, "grande.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(CSV_HEADER)
        for i in range(rows):
            f.write("PD/2025/%06d,ITA1%08d,COGNOME%d,NOME,1990-01-01,ALBANIA,lavoro,PD\n"
                    % (i + 1, i + 1, i))
    count = "SELECT count(*) FROM practice WHERE numero_pratica LIKE 'PD/2025/%'"
    argv = [c.binary, "--json", "practice", "import", "--file", path, "--dir", c.folder]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, AGENDA_NOW=NOW))
    deadline, seen = time.monotonic() + TIMEOUT, 0
    while time.monotonic() < deadline and proc.poll() is None:
        seen = int(store.value(count))
        if seen > 0:
            break
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    stored = int(store.value(count))
    check(0 < stored < rows and stored % 1000 == 0,
          "kill -9 during an import of %d rows: %d stored, whole batches of 1000 only"
          % (rows, stored))
    code, out, _ = c.run("practice", "import", "--file", path, timeout=IMPORT_TIMEOUT)
    check(code == 0 and out["rows_imported"] == rows and int(store.value(count)) == rows,
          "importing the same file again completes it: %d practices, each once" % rows)


def outbox_bodies(store):
    """The bodies, read as hex (a body has several lines: psql's rows have one)."""
    hexed = ("upper(encode(convert_to(body, 'UTF8'), 'hex'))" if store.pg else "hex(body)")
    return [bytes.fromhex(r[0]).decode() for r in
            store.rows("SELECT %s FROM outbox ORDER BY id" % hexed)]


def password_of(body):
    return body.split(":\n\n    ", 1)[1].split("\n", 1)[0]


def test_operators(c, store, tmp):
    outputs = []

    def run(*args, **kw):
        code, out, err = c.run(*args, **kw)
        outputs.append(json.dumps(out) if not isinstance(out, str) else out)
        outputs.append(err)
        return code, out, err

    code, out, _ = run("operator", "add", "--user", "mario.rossi", "--role", "operatore",
                       "--site", "ROMA")
    check(code == 0 and out == {"username": "mario.rossi", "role": "operatore", "site": "ROMA",
                                "password_mailed": True}, "operator add: the JSON shape")
    code, out, _ = run("operator", "add", "--user", "anna.verdi", "--role", "dirigente", "--site",
                       "MILANO", json_out=False)
    check(code == 0 and "non viene mostrata" in out, "operator add in text, Italian")
    bodies = outbox_bodies(store)
    first = password_of(bodies[0])
    check(len(bodies) == 2 and len(first) == 12 and sum(first in b for b in bodies) == 1,
          "the generated password is in the outbox exactly once")
    hashes = store.rows("SELECT password_hash FROM operator WHERE username = 'mario.rossi'")
    check(hashes[0][0].startswith("$argon2id$v=19$m=19456,t=2,p=1$") and first not in hashes[0][0],
          "the account keeps only its Argon2id hash (the device's parameters)")
    code, out, _ = run("outbox", "list")
    m = out["messages"][0]
    check(code == 0 and len(out["messages"]) == 2 and "body" not in m
          and m["recipient"] == "dirigente.roma@interno.it" and m["kind"] == "password"
          and m["topic"] == "password:mario.rossi" and m["state"] == "queued"
          and m["body_bytes"] > 0 and "mario.rossi" in m["subject"],
          "outbox list: to the site's Dirigente, never the body")
    code, out, _ = run("operator", "reset-password", "--user", "mario.rossi")
    check(code == 0 and out["username"] == "mario.rossi" and out["password_mailed"],
          "operator reset-password")
    bodies = outbox_bodies(store)
    second = password_of([b for b in bodies if "mario.rossi" in b][0])
    check(len(bodies) == 2 and second != first and sum(second in b for b in bodies) == 1
          and not any(first in b for b in bodies),
          "reset replaces the waiting message: the new password once, the old one gone")
    if not store.pg:
        data = b""
        for suffix in ("", "-wal"):
            if os.path.exists(store.path + suffix):
                with open(store.path + suffix, "rb") as f:
                    data += f.read()
        check(first.encode() not in data and second.encode() in data,
              "SQLite: the old password's bytes are in neither the file nor its WAL")
    store.execute("UPDATE operator SET failures = 5, locked_until = %d WHERE username ="
                  " 'anna.verdi'" % (NOW_UNIX + 900))
    code, out, _ = run("operator", "list", "--site", "MILANO")
    check(code == 0 and out["operators"] == [
        {"username": "anna.verdi", "role": "dirigente", "site": "MILANO", "failures": 5,
         "locked": True, "locked_until": NOW_UNIX + 900, "created_at": NOW_UNIX}],
          "operator list --site: one account, locked")
    code, out, _ = run("operator", "unlock", "--user", "anna.verdi")
    code2, listed, _ = run("operator", "list")
    check(code == 0 and out == {"username": "anna.verdi", "unlocked": True}
          and [o["username"] for o in listed["operators"]] == ["anna.verdi", "mario.rossi"]
          and not listed["operators"][0]["locked"] and listed["operators"][0]["failures"] == 0,
          "operator unlock clears the lock")
    for verb, args, want, words, what in [
            ("add", ["--user", "mario.rossi", "--role", "operatore", "--site", "ROMA"], 4,
             "esiste già", "a user name twice"),
            ("add", ["--user", "luca", "--role", "operatore", "--site", "NAPOLI"], 3,
             "Sede «NAPOLI» sconosciuta", "an unknown site"),
            ("add", ["--user", "luca", "--role", "capo", "--site", "ROMA"], 9, "Ruolo",
             "an unknown role"),
            ("add", ["--user", "Luca Bianchi", "--role", "operatore", "--site", "ROMA"], 9,
             "Nome utente non valido", "a user name with capitals and a space"),
            ("reset-password", ["--user", "nessuno"], 3, "non esiste", "reset of no user"),
            ("unlock", ["--user", "nessuno"], 3, "non esiste", "unlock of no user"),
            ("list", ["--site", "NAPOLI"], 3, "sconosciuta", "list of an unknown site")]:
        code, out, err = run("operator", verb, *args)
        check(code == want and out["exit"] == want and words in out["message"],
              "operator %s refused (exit %d): %s" % (verb, want, what))
    check(len(outbox_bodies(store)) == 2, "no refused command queued a message")
    text = "\n".join(outputs)
    check(first not in text and second not in text,
          "no password on stdout or stderr of any operator or outbox command")


def test_help(c):
    code, out, _ = c.run("help", "operator", json_out=False)
    check(code == 0 and all("operator " + v in out for v in
                            ("add", "list", "unlock", "reset-password")),
          "help operator lists the four operator verbs")
    code, out, _ = c.run("help", json_out=False)
    check(all(v in out for v in ("questura add", "capacity set", "closure open",
                                 "practice import", "outbox list")),
          "help lists the admin verbs")


# ---- issue 12 (helper C1): the verbs' change rows, practice withdraw, device clear-alert ----
def test_sync_verbs(c, store):
    kinds = dict(store.rows("SELECT type, count(*) FROM change GROUP BY type"))
    check(int(kinds.get("questura", 0)) >= 2 and int(kinds.get("capacity", 0)) >= 2
          and int(kinds.get("practice", 0)) >= 3 and int(kinds.get("operator", 0)) >= 1,
          "the admin verbs wrote their change rows (%s)" % kinds)
    before = store.value("SELECT count(*) FROM change WHERE type = 'practice'")
    store.execute("INSERT INTO device(id, site, public_key_sha256, certificate, not_after,"
                  " enrolled_at) VALUES('ROMA-0042', 'ROMA', 'x', 'PEM', 1900000000, 1)")
    store.execute("INSERT INTO appointment(id, device, numero_pratica, questura, day, minute,"
                  " slot_id, state, at, entry_id) VALUES('a-1', 'ROMA-0042', 'RM/2026/000001',"
                  " 'RM', 20577, 540, 77, 'confirmed', 1, 'e-1')")
    code, out, _ = c.run("practice", "withdraw", "--numero", "RM/2026/000001")
    check(code == 0 and out == {"numero_pratica": "RM/2026/000001", "status": "ritirata",
                                "appointment_cancelled": True},
          "practice withdraw: ritirata, its confirmed appointment cancelled")
    check(store.value("SELECT status FROM practice WHERE numero_pratica = 'RM/2026/000001'")
          == "ritirata" and store.value("SELECT state FROM appointment WHERE id = 'a-1'")
          == "cancelled" and store.value("SELECT count(*) FROM change WHERE type = 'revoke' AND"
                                         " device = 'ROMA-0042' AND body LIKE '%withdrawn%'")
          == "1" and int(store.value("SELECT count(*) FROM change WHERE type = 'practice'"))
          == int(before) + 1,
          "withdraw: a practice change for the province and a revoke 'withdrawn' to the device")
    code, out, _ = c.run("practice", "withdraw", "--numero", "RM/2026/000001", json_out=False)
    check(code == 0 and "ritirata" in out, "withdraw again, in text: nothing left to cancel")
    code, out, _ = c.run("practice", "withdraw", "--numero", "RM/2099/999999")
    check(code == 3 and "RM/2099/999999" in out["message"], "withdraw an unknown practice: exit 3")
    store.execute("INSERT INTO device_sync(device, alert, alert_at)"
                  " VALUES('ROMA-0042', 'digest_mismatch', 1)")
    code, out, _ = c.run("device", "list")
    listed = {d["device_id"]: d for d in out["devices"]}
    check(code == 0 and listed["ROMA-0042"]["alert"] == "digest_mismatch",
          "device list shows the alert")
    code, out, _ = c.run("device", "list", json_out=False)
    check(code == 0 and "ALLARME digest_mismatch" in out, "device list in text: ALLARME")
    code, out, _ = c.run("device", "clear-alert", "--device", "ROMA-0042")
    check(code == 0 and out == {"device_id": "ROMA-0042", "cleared": "digest_mismatch"},
          "device clear-alert clears it")
    code, out, _ = c.run("device", "clear-alert", "--device", "ROMA-0042")
    check(code == 0 and out["cleared"] is None, "clear-alert without an alert: nothing to clear")
    code, out, _ = c.run("device", "clear-alert", "--device", "NESSUNO-1")
    check(code == 3, "clear-alert of an unknown device: exit 3")


def main():
    binary = sys.argv[1]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "central")
        r = subprocess.run([binary, "--json", "init", "--dir", folder, "--host", "localhost",
                            *store_args()], capture_output=True, text=True, timeout=TIMEOUT)
        check(r.returncode == 0, "init (%s)" % r.stderr.strip())
        c = Central(binary, folder)
        test_sites(c)
        test_folder(c, tmp)
        store = Store(folder)
        test_questure(c, store)
        test_capacity(c, store)
        test_closures(c, store)
        test_practice_import(c, store, tmp)
        test_import_killed(c, store, tmp)
        test_operators(c, store, tmp)
        test_sync_verbs(c, store)
        test_help(c)
    print("all passed in %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
