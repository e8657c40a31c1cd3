"""crash_hostile_input_test.py — hostile text in every field an operator types or a CSV holds.

Each value of HOSTILE (SQL-injection-shaped, overlong, not UTF-8, control characters, plus
legitimate non-Latin names that must pass) goes through agendactl into every free-text field
(site, Dirigente's address, Questura name/city/address/email, closure note, cancel reason),
every identifier (practice and visa numbers, user names, passwords) and every CSV column.
The rule checked for each: either the command succeeds and the database holds the value byte
for byte (after the documented trim of surrounding spaces for CSV fields), or it fails with a
non-zero exit and a message in both languages and the database is unchanged. After everything:
every table is still there, integrity_check is ok and the audit chain verifies.

Known bugs found by this test are listed in KNOWN (reported to the owners, see
docs/RELIABILITY.md): they are printed as KNOWN lines and do not fail the run unless --strict is
given; anything else fails it.

usage: crash_hostile_input_test.py AGENDACTL [--strict]
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agendactl_harness as h  # noqa: E402

HOSTILE = [
    b"x'); DROP TABLE appointment;--",
    b"' OR '1'='1",
    b'"; DELETE FROM audit; --',
    b"Robert'); DROP TABLE practice;--",
    b"1; UPDATE operator SET role='dirigente'",
    b"%s%s%n%x",
    b"A" * 5000,
    "\u00e0".encode() * 200,                      # 400 bytes of valid UTF-8
    b"\xff\xfe\xfd",                              # not UTF-8
    b"\xc3\x28",                                  # broken sequence
    b"\xc0\xaf",                                  # overlong '/'
    b"\xed\xa0\x80",                              # surrogate
    b"a\nb",
    b"a\rb",
    b"a\tb",
    b"a\x1b[31mb",
    b"a\x7fb",
    b"a\x01b",
    "Nguy\u1ec5n Th\u1ecb \u0645\u062d\u0645\u062f O'Brien".encode(),   # legitimate
    "\u20ac \u00c8 \u00f1 \u4e2d\u6587".encode(),                         # legitimate
]

# (label prefix, text in the failure) of bugs already reported; remove an entry once fixed.
KNOWN = []

TABLES = ["setting", "questura", "calendar_exception", "slot", "practice", "operator",
          "appointment", "journal", "audit", "audit_head", "outbox", "day_close", "sync_state"]


class Ctl:
    def __init__(self, binary, db):
        self.binary, self.db = binary, db

    def run(self, args, user=None, stdin=b""):
        cmd = [self.binary.encode(), b"--db", self.db.encode(), b"--json"]
        if user:
            cmd += [b"--user", user if isinstance(user, bytes) else user.encode()]
        cmd += [a if isinstance(a, bytes) else a.encode() for a in args]
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGENDA_")}
        env.update(TZ="Europe/Rome", LC_ALL="C.UTF-8", AGENDA_NOW=h.NOW)
        return subprocess.run(cmd, input=stdin, capture_output=True, timeout=60, env=env)


def snapshot(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    con.text_factory = bytes
    out = {t: con.execute("SELECT * FROM %s ORDER BY 1" % t).fetchall() for t in TABLES
           if t not in ("audit", "audit_head")}
    con.close()
    return out


def value(db, sql, *args):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    con.text_factory = bytes
    row = con.execute(sql, args).fetchone()
    con.close()
    return row[0] if row else None


class Checker:
    def __init__(self, ctl, db):
        self.ctl, self.db = ctl, db
        self.accepted = self.refused = 0
        self.failures = []

    def field(self, label, args, sql, sqlargs, v, user=None, stdin=b"", expect_stored=None):
        """Runs args; accepted -> the column holds expect_stored (default v) exactly."""
        before = snapshot(self.db)
        r = self.ctl.run(args, user=user, stdin=stdin)
        want = v if expect_stored is None else expect_stored
        if r.returncode == 0:
            got = value(self.db, sql, *sqlargs)
            if isinstance(got, str):
                got = got.encode()
            if got != want:
                self.failures.append("%s %r: accepted but stored %r" % (label, v[:40], got))
            self.accepted += 1
        else:
            self.refused += 1
            msg = r.stdout.decode("utf-8", "replace").strip().splitlines()
            obj = json.loads(msg[-1]) if msg and msg[-1].startswith("{") else {}
            if not r.stderr.strip() or not obj.get("error"):
                self.failures.append("%s %r: refused without a message (rc %d)"
                                     % (label, v[:40], r.returncode))
            elif not (obj.get("message") and obj.get("message_en")):
                self.failures.append("%s %r: refused, JSON without a message (rc %d)"
                                     % (label, v[:40], r.returncode))
            after = snapshot(self.db)
            changed = [t for t in TABLES if t in before and before[t] != after[t]
                       and t not in ("operator",)]  # failed log-ins count failures
            if changed:
                self.failures.append("%s %r: refused but changed %s" % (label, v[:40], changed))
        return r


def main():
    binary = os.path.abspath(sys.argv[1])
    folder = tempfile.mkdtemp(prefix="hostile-")
    try:
        ag = h.Agenda(binary, folder)
        ag.standard_site(slots=16, to="2026-06-30")
        ctl = Ctl(binary, ag.db)
        c = Checker(ctl, ag.db)
        pw = (ag.passwords["mario.rossi"] + "\n").encode()
        for v in HOSTILE:
            c.field("site", ["init", "--site", v], "SELECT value FROM setting WHERE key='site'",
                    (), v)
            c.field("dirigente email", ["init", "--site", "Roma", "--dirigente-email", v],
                    "SELECT value FROM setting WHERE key='dirigente_email'", (), v)
            for opt, col in (("--name", "name"), ("--city", "city"), ("--address", "address"),
                             ("--email", "email")):
                args = ["questura", "add", "BO", "--name", "Questura di Bologna", "--city",
                        "Bologna"]
                args[args.index(opt) + 1 if opt in args else len(args):] = []
                if opt in ("--name", "--city"):
                    args = ["questura", "add", "BO", "--name", "Questura di Bologna",
                            "--city", "Bologna"]
                    args[args.index(opt) + 1] = v
                else:
                    args += [opt, v]
                c.field("questura " + col, args,
                        "SELECT %s FROM questura WHERE code='BO'" % col, (), v)
            c.field("questura code", ["questura", "add", v, "--name", "X", "--city", "Y"],
                    "SELECT count(*) FROM questura WHERE code=?", (v,), v, expect_stored=1)
            c.field("closure note", ["closure", "add", "RM", "2026-06-29", "--note", v],
                    "SELECT note FROM calendar_exception WHERE day=20633", (), v)
            ctl.run(["closure", "open", "RM", "2026-06-29"])  # (may fail: that is fine)
            c.field("user name", ["operator", "add", v, "--role", "operatore"],
                    "SELECT count(*) FROM operator WHERE username=?", (v,), v, expect_stored=1)
            c.field("log-in user", ["lookup", "--pratica", "RM/2026/000001"],
                    "SELECT 1", (), v, user=v, stdin=pw, expect_stored=1)
            c.field("password", ["lookup", "--pratica", "RM/2026/000001"],
                    "SELECT 1", (), v, user="mario.rossi", stdin=v + b"\n", expect_stored=1)
            ctl.run(["operator", "unlock", "mario.rossi"])
            for opt in ("--pratica", "--visto"):
                c.field("book " + opt, ["book", opt, v], "SELECT 1", (), v, user="mario.rossi",
                        stdin=pw, expect_stored=1)
            # a reason on a fresh booking
            r = ctl.run(["book", "--pratica", "RM/2026/000003"], user="mario.rossi", stdin=pw)
            aid = json.loads(r.stdout.decode().strip().splitlines()[-1])["id"]
            c.field("cancel reason", ["cancel", aid, "--reason", v],
                    "SELECT cancel_reason FROM appointment WHERE id=?", (aid,), v,
                    user="mario.rossi", stdin=pw)
            if value(ag.db, "SELECT state FROM appointment WHERE id=?", aid) == b"confirmed":
                ctl.run(["cancel", aid, "--reason", "pulizia"], user="mario.rossi", stdin=pw)
            # every CSV column
            for col in range(8):
                row = [b"RM/2026/000777", b"ITA000000777", b"ROSSI", b"MARIO", b"1990-01-02",
                       b"MAROCCO", b"lavoro", b"RM"]
                if b"," in v or b'"' in v or b"\n" in v or b"\r" in v:
                    cell = b'"' + v.replace(b'"', b'""') + b'"'
                else:
                    cell = v
                row[col] = cell
                path = os.path.join(folder, "hostile.csv")
                with open(path, "wb") as f:
                    f.write(h.HEADER.encode() + b",".join(row) + b"\n")
                names = ["numero_pratica", "numero_visto", "cognome", "nome", "data_nascita",
                         "nazionalita", "tipo", "questura"]
                before = value(ag.db, "SELECT count(*) FROM practice")
                r = ctl.run(["practice", "import", path])
                imported = json.loads(r.stdout.decode().strip().splitlines()[-1]).get(
                    "rows_imported", 0) if r.stdout.strip() else 0
                if imported and col in (2, 3, 5):
                    got = value(ag.db, "SELECT %s FROM practice WHERE numero_pratica="
                                "'RM/2026/000777'" % names[col])
                    if got != v.strip(b" "):
                        c.failures.append("csv %s %r: stored %r" % (names[col], v[:40], got))
                    c.accepted += 1
                elif not imported:
                    if r.returncode == 0 or not r.stderr.strip():
                        c.failures.append("csv %s %r: row dropped without a message"
                                          % (names[col], v[:40]))
                    if value(ag.db, "SELECT count(*) FROM practice") != before:
                        c.failures.append("csv %s %r: refused but changed" % (names[col], v))
                    c.refused += 1
                else:
                    c.accepted += 1
                con = sqlite3.connect(ag.db)
                con.execute("DELETE FROM practice WHERE numero_pratica='RM/2026/000777'")
                con.commit()
                con.close()
        con = sqlite3.connect("file:%s?mode=ro" % ag.db, uri=True)
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        con.close()
        missing = [t for t in TABLES if t not in names]
        audit = ctl.run(["audit", "verify"])
        print("hostile input: %d values x every field: %d accepted verbatim, %d refused with a "
              "message; tables missing: %s; integrity: %s; audit verify exit %d"
              % (len(HOSTILE), c.accepted, c.refused, missing or "none", integrity,
                 audit.returncode))
        strict = "--strict" in sys.argv
        new = []
        for f in c.failures:
            known = any(f.startswith(label) and text in f for label, text in KNOWN)
            print("KNOWN" if known and not strict else "FAIL", f)
            if strict or not known:
                new.append(f)
        ok = not new and not missing and integrity == "ok" and audit.returncode == 0
        sys.exit(0 if ok else 1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
