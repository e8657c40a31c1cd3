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
import json
import os
import subprocess
import sys
import tempfile
import time

TIMEOUT = 20  # seconds for any one command
NOW = "2026-12-01T09:00:00"  # AGENDA_NOW for every command: dates are deterministic
NOW_UNIX = 1796112000  # the same instant: 09:00 in Rome is 08:00 UTC in December


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what)


class Central:
    def __init__(self, binary, folder):
        self.binary, self.folder = binary, folder

    def run(self, *args, json_out=True, env=None):
        """(exit code, parsed JSON or text, stderr) of one verb on the folder."""
        e = dict(os.environ, AGENDA_NOW=NOW, **(env or {}))
        argv = [self.binary] + (["--json"] if json_out else []) + list(args)
        if "--dir" not in args and args and args[0] not in ("help",):
            argv += ["--dir", self.folder]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, env=e)
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
    print("all passed in %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
