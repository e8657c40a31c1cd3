"""agendactl_harness.py — drives the built agendactl on a real database file, as a user would.

Shared by the integration tests (stdlib only, run with /usr/bin/python3). Each test gets a fresh
temporary folder and database; every command runs as a subprocess with a timeout, the clock
pinned through AGENDA_NOW (a Monday in 2026) and TZ=Europe/Rome, so results are deterministic.
The operator's password goes in on stdin, as the real program expects (never in argv).
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

NOW = "2026-05-04T09:00:00"  # Monday 4 May 2026
TIMEOUT = 60

HEADER = "numero_pratica,numero_visto,cognome,nome,data_nascita,nazionalita,tipo,questura\n"

# The practices every scenario starts from (RM unless said otherwise).
PRACTICES = [
    ("RM/2026/000001", "ITA000000001", "ROSSI", "MARIO", "1990-01-02", "MAROCCO", "lavoro", "RM"),
    ("RM/2026/000002", "ITA000000002", "VERDI", "ANNA", "1985-03-04", "ALBANIA",
     "ricongiungimento familiare", "RM"),
    ("RM/2026/000003", "ITA000000003", "NERI", "LUCA", "1979-05-06", "INDIA", "lavoro", "RM"),
    ("RM/2026/000004", "ITA000000004", "BRUNO", "SARA", "1995-07-08", "PERÙ", "lavoro", "RM"),
    ("RM/2026/000005", "ITA000000005", "GALLO", "OMAR", "1988-09-10", "EGITTO", "lavoro", "RM"),
    ("RM/2026/000006", "ITA000000006", "CONTI", "WEI", "1992-11-12", "CINA", "lavoro", "RM"),
    ("RM/2026/000007", "ITA000000007", "RICCI", "OLENA", "1991-02-13", "UCRAINA", "lavoro", "RM"),
    ("RM/2026/000008", "", "COSTA", "PRIYA", "1993-04-14", "INDIA", "lavoro", "RM"),
    ("RM/2026/000009", "ITA000000009", "MARINO", "KOFI", "1990-06-15", "GHANA", "studio", "RM"),
    ("RM/2026/000010", "ITA000000010", "GRECO", "AMINA", "1994-08-16", "SENEGAL", "lavoro", "RM"),
    ("MI/2026/000001", "ITA100000001", "RUSSO", "JOSE", "1980-10-17", "PERÙ", "lavoro", "MI"),
    ("FI/2026/000001", "ITA200000001", "BIANCHI", "IVAN", "1982-12-18", "MOLDOVA", "lavoro", "FI"),
    ("PD/2026/000001", "ITA300000001", "FERRARI", "ANA", "1983-01-19", "ECUADOR", "lavoro", "PD"),
]


def private_copy(src, dst):
    """A consistent copy of the database at src (SQLite backup) at dst, 0600 like the original,
    with the device key beside it (the audit chain is keyed by it). Returns an open connection
    to the copy: the caller edits it, commits and closes it."""
    os.close(os.open(dst, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
    s = sqlite3.connect(src)
    d = sqlite3.connect(dst)
    s.backup(d)
    s.close()
    if os.path.exists(src + ".key"):
        shutil.copyfile(src + ".key", dst + ".key")
        os.chmod(dst + ".key", 0o600)
    return d


def csv_text(rows):
    return HEADER + "".join(",".join(r) + "\n" for r in rows)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.objs = []
        for line in self.out.splitlines():
            line = line.strip()
            if line.startswith("{"):
                self.objs.append(json.loads(line))

    @property
    def json(self):
        if len(self.objs) != 1:
            raise AssertionError("expected exactly one JSON object, got %d: %r / %r"
                                 % (len(self.objs), self.out, self.err))
        return self.objs[0]

    def __repr__(self):
        return "rc=%d out=%r err=%r" % (self.rc, self.out, self.err)


class Agenda:
    """One database file and the agendactl binary that works on it."""

    def __init__(self, binary, folder, name="agenda.db", now=NOW):
        self.binary = binary
        self.folder = folder
        self.db = os.path.join(folder, name)
        self.now = now
        self.passwords = {}

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGENDA_")}
        env["TZ"] = "Europe/Rome"
        env["LC_ALL"] = "C.UTF-8"
        if self.now:
            env["AGENDA_NOW"] = self.now
        for key, value in (extra or {}).items():  # None removes the variable
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def run(self, *args, json_mode=True, user=None, password=None, stdin=None, env=None,
            db=True, timeout=TIMEOUT):
        cmd = [self.binary]
        if db:
            cmd += ["--db", self.db]
        if json_mode:
            cmd.append("--json")
        if user:
            cmd += ["--user", user]
            if password is None:
                password = self.passwords.get(user, "")
        cmd += list(args)
        if password is not None and stdin is None:
            stdin = password + "\n"
        proc = subprocess.run(cmd, input=stdin if stdin is not None else "",
                              capture_output=True, text=True, timeout=timeout,
                              env=self.env(env))
        return Result(proc)

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        if r.rc != 0:
            raise AssertionError("agendactl %s failed: %r" % (" ".join(args), r))
        return r

    # ---- common set-up -------------------------------------------------------------------

    def add_operator(self, user, role="operatore"):
        r = self.ok("operator", "add", user, "--role", role, "--print-password")
        self.passwords[user] = r.json["password"]
        return r.json["password"]

    def standard_site(self, slots=2, to="2026-05-15"):
        """Roma and Milano, capacity at Roma only, the PRACTICES imported, one operator."""
        self.ok("init", "--site", "Roma")
        self.ok("questura", "add", "RM", "--name", "Questura di Roma", "--city", "Roma",
                "--address", "Via di San Vitale 15, Roma")
        self.ok("questura", "add", "MI", "--name", "Questura di Milano", "--city", "Milano",
                "--address", "Via Montebello 26, Milano")
        self.ok("questura", "add", "FI", "--name", "Questura di Firenze", "--city", "Firenze",
                "--patron", "06-24")
        self.ok("questura", "add", "PD", "--name", "Questura di Padova", "--city", "Padova")
        self.ok("capacity", "set", "RM", "--from", "2026-05-04", "--to", to, "--weekdays",
                "1-5", "--first", "08:30", "--minutes", "15", "--slots", str(slots))
        csv = os.path.join(self.folder, "practices.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write(csv_text(PRACTICES))
        r = self.ok("practice", "import", csv)
        assert r.json["rows_imported"] == len(PRACTICES), r
        self.add_operator("mario.rossi")

    def book(self, pratica, *extra, user="mario.rossi"):
        return self.run("book", "--pratica", pratica, *extra, user=user)

    def sql(self):
        """A read-only connection to the database (closed by the caller)."""
        return sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)


class AgendaTest(unittest.TestCase):
    """Base: a fresh temporary folder per test and the agendactl path from the command line."""

    binary = None

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="agendactl-test-")
        self.ag = Agenda(self.binary, self.folder)

    def tearDown(self):
        shutil.rmtree(self.folder, ignore_errors=True)

    def assertExit(self, result, code, error=None):
        self.assertEqual(result.rc, code, result)
        if code != 0 and result.objs:
            obj = result.objs[-1]
            self.assertEqual(obj["exit"], code, result)
            self.assertTrue(obj["message"] and obj["message_en"], result)
            if error:
                self.assertEqual(obj["error"], error, result)
            # The Italian message is also on stderr, for whoever watches the script.
            self.assertIn(obj["message"], result.err, result)

    def assertRecordsExact(self, db):
        """Each appointment in the file has exactly the journal entries and audit records its
        history calls for — one creating it (book, or move on the appointment it replaced), one
        cancel when cancelled, one per print — never none, never two."""
        appts = db.execute("SELECT id, state, prints FROM appointment").fetchall()
        for aid, state, prints in appts:
            def journal(kinds):
                return db.execute(
                    "SELECT count(*) FROM journal WHERE appointment_id = ? AND kind IN (%s)"
                    % ",".join("?" * len(kinds)), (aid, *kinds)).fetchone()[0]

            def audit(action, subject):
                return db.execute("SELECT count(*) FROM audit WHERE action = ? AND subject = ?",
                                  (action, subject)).fetchone()[0]
            replaced = db.execute("SELECT id FROM appointment WHERE replaced_by = ?",
                                  (aid,)).fetchall()
            cancelled = 1 if state == "cancelled" else 0
            self.assertEqual(journal(["book", "move"]), 1, "journal book/move of %s" % aid)
            self.assertEqual(journal(["cancel"]), cancelled, "journal cancel of %s" % aid)
            self.assertEqual(journal(["print"]), prints, "journal prints of %s" % aid)
            created = audit("book", aid) + sum(audit("move", old) for (old,) in replaced)
            self.assertEqual(created, 1, "audit book/move of %s" % aid)
            self.assertEqual(audit("cancel", aid), cancelled, "audit cancel of %s" % aid)
            self.assertEqual(audit("print", aid) + audit("reprint", aid), prints,
                             "audit prints of %s" % aid)
        return appts


def main():
    """Runs the tests of the calling module: argv[1] (or $AGENDACTL) is the agendactl binary."""
    binary = os.environ.get("AGENDACTL")
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        binary = sys.argv.pop(1)
    if not binary or not os.access(binary, os.X_OK):
        print("usage: %s PATH/TO/agendactl [unittest options]" % sys.argv[0], file=sys.stderr)
        sys.exit(2)
    AgendaTest.binary = os.path.abspath(binary)
    unittest.main(module="__main__", verbosity=2)
