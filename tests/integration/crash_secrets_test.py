"""crash_secrets_test.py — personal data and password hashes do not leak (invariant I7).

An end-to-end agendactl run with applicants whose names are distinctive (import, lookup, book,
show, move, cancel, print to the virtual printer, reprint, day list, close-day, audit verify, and a
few failing commands) with TMPDIR pointing into the test folder and core dumps allowed. Then every
file the run left behind — logs, temporary files, core files, anything but the database (and its
-wal/-shm) and the slips the printer produced, which legitimately hold the names — and every
command's stderr are searched for the names: zero hits. Password hashes ("$argon2" and the
stored hashes themselves) must appear in no output at all, stdout included.

usage: crash_secrets_test.py AGENDACTL
"""
import glob
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agendactl_harness as h  # noqa: E402

NAMES = ["ZYXWVUTSURNAME", "QWERTYGIVEN", "Öğrencıqzx", "Шевчукзщ", "محمدزظ"]
ROWS = [
    ("RM/2026/000501", "ITA000000501", NAMES[0], NAMES[1], "1990-01-02", "MAROCCO", "lavoro",
     "RM"),
    ("RM/2026/000502", "ITA000000502", NAMES[2], NAMES[3], "1985-03-04", "TURCHIA", "lavoro",
     "RM"),
    ("RM/2026/000503", "", NAMES[4], NAMES[1], "1979-05-06", "EGITTO",
     "ricongiungimento familiare", "RM"),
]


class Recorded(h.Agenda):
    """agendactl with TMPDIR in the test folder; every command's output is kept."""

    def __init__(self, binary, folder, outputs, env):
        super().__init__(binary, folder)
        self.outputs, self.extra = outputs, env

    def run(self, *args, env=None, **kw):
        r = super().run(*args, env={**self.extra, **(env or {})}, **kw)
        self.outputs.append((" ".join(args), r.out, r.err))
        return r


def main():
    binary = os.path.abspath(sys.argv[1])
    folder = tempfile.mkdtemp(prefix="secrets-")
    tmp = os.path.join(folder, "tmp")
    os.mkdir(tmp)
    outputs = []  # (command, stdout, stderr)
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY,
                                                  resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass
    try:
        ag = Recorded(binary, folder, outputs, {"TMPDIR": tmp})
        ag.standard_site(slots=16, to="2026-06-30")
        csv = os.path.join(tmp, "secret.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write(h.csv_text(ROWS))
        ag.ok("practice", "import", csv)
        os.remove(csv)  # the input file itself is the operator's, not ours
        slips = os.path.join(folder, "slips")
        os.mkdir(slips)
        ids = []
        for json_mode in (True, False):
            for p in ("RM/2026/000501", "RM/2026/000502", "RM/2026/000503"):
                ag.run("lookup", "--pratica", p, user="mario.rossi", json_mode=json_mode)
        for p in ("RM/2026/000501", "RM/2026/000502", "RM/2026/000503"):
            r = ag.ok("book", "--pratica", p, user="mario.rossi")
            ids.append(r.json["id"])
            ag.run("printer", "print", r.json["id"], "--printer",
                   "virtual:%s/slip-%s" % (slips, p[-3:]), user="mario.rossi")
            ag.run("show", r.json["id"], user="mario.rossi", json_mode=False)
        ag.run("reprint", ids[0], user="mario.rossi")
        ag.run("move", ids[1], "--reason", "richiesta", user="mario.rossi")
        ag.run("cancel", ids[2], "--reason", "rinuncia", user="mario.rossi")
        ag.run("day", "2026-05-04", user="mario.rossi", json_mode=False)
        ag.run("close-day", "2026-05-04", user="mario.rossi")
        ag.run("audit", "verify")
        ag.run("lookup", "--pratica", "RM/2026/000501", user="mario.rossi", password="wrong")
        ag.run("printer", "print", ids[0], "--printer", "file:/nonexistent/dir/x",
               user="mario.rossi")
        ag.run("book", "--pratica", "RM/2026/000501", user="mario.rossi",
               env={"AGENDA_NOW": "garbage"})

        con = sqlite3.connect("file:%s?mode=ro" % ag.db, uri=True)
        hashes = [r[0] for r in con.execute("SELECT password_hash FROM operator")]
        con.close()
        hits = []
        for cmd, out, err in outputs:
            for n in NAMES:
                if n in err:
                    hits.append("stderr of %r holds %s" % (cmd, n))
            for secret in ["$argon2"] + hashes:
                if secret and (secret in out or secret in err):
                    hits.append("output of %r holds a password hash" % cmd)
        files = 0
        legit = {ag.db, ag.db + "-wal", ag.db + "-shm"}
        for path in glob.glob(os.path.join(folder, "**"), recursive=True) + \
                glob.glob(os.path.join(os.getcwd(), "core*")):
            if os.path.isdir(path) or path in legit or path.startswith(slips + "/"):
                continue
            files += 1
            with open(path, "rb") as f:
                data = f.read()
            for n in NAMES:
                if n.encode() in data:
                    hits.append("%s holds %s" % (path, n))
        printed = len(os.listdir(slips))
        slip_has_name = any(NAMES[0].encode().upper() in open(os.path.join(slips, s), "rb").read()
                            for s in os.listdir(slips) if s.endswith(".txt"))
        print("secrets: %d commands, %d files searched (logs, temporary, core), %d slip files "
              "(names on the slip: %s); hits: %d" % (len(outputs), files, printed,
                                                     slip_has_name, len(hits)))
        for x in hits:
            print("FAIL", x)
        sys.exit(1 if hits or not slip_has_name else 0)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
