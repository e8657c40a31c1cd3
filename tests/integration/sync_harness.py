"""sync_harness.py — one agenda-central and several agendactl devices, each behind its own fault
proxy, for the sync tests of issue 12 (sync_invariants_test, sync_worklist_test,
sync_dead_device_test). Python 3 standard library only.

Everything is a real process on loopback, as the help desk and the counters run them: central
(`init`, `site add`, `questura add`, `capacity set`, `practice import`, `operator add`,
`enrol-code`, `serve`), each device `init` + `provision` through its proxy, then `sync now`,
`book`, `cancel`, `move`, `worklist`. Operators are made at central: their password is read
back from central's outbox (the mail the Dirigente would get), their hash reaches the devices in
the rounds. Both clocks are the real clock (a device refuses to book on a clock that disagrees
with central's). The files are read behind the programs' back (sqlite3 on the devices and on a
SQLite central, psql on PostgreSQL) so that the checks do not trust the code under test.
"""
import datetime
import hashlib
import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
sys.path.insert(0, os.path.join(HERE, "..", "central"))
from fault_proxy import Proxy  # noqa: E402

TIMEOUT = 30
PSQL = "/usr/lib/postgresql/15/bin/psql"
CSV_HEADER = "numero_pratica,numero_visto,cognome,nome,data_nascita,nazionalita,tipo,questura\n"
EPOCH = datetime.date(1970, 1, 1)


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what, flush=True)


def rome_today():
    """Today in Europe/Rome as agenda_day (days since 1970-01-01), as both programs count."""
    os.environ["TZ"] = "Europe/Rome"
    time.tzset()
    return (datetime.date.fromtimestamp(time.time()) - EPOCH).days


def day_text(day):
    return (EPOCH + datetime.timedelta(days=int(day))).isoformat()


def text_day(text):
    return (datetime.date.fromisoformat(text) - EPOCH).days


def minute_of(hhmm):
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def practice_rows(n, first=1, province="RM"):
    names = ("ROSSI", "BIANCHI", "VERDI", "NERI", "GALLO", "CONTI", "RICCI", "COSTA")
    rows = []
    for i in range(first, first + n):
        rows.append("%s/2026/%06d,,%s,AMIR,1990-01-%02d,MAROCCO,lavoro,%s"
                    % (province, i, names[i % len(names)], 1 + i % 28, province))
    return rows


# ---------------------------------------------------------------- central ----

class Store:
    """Central's store read behind the program's back: sqlite3 on the file, psql on PostgreSQL."""

    def __init__(self, folder):
        self.pg = os.environ.get("AGENDA_CENTRAL_PG")
        self.path = os.path.join(folder, "central.db")

    def rows(self, sql, params=()):
        if self.pg:
            for p in params:  # psql -c has no parameters: the tests pass only their own values
                sql = sql.replace("?", "'%s'" % str(p).replace("'", "''"), 1)
            r = subprocess.run([PSQL, "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                                self.pg + " dbname=postgres", "-c", sql],
                               capture_output=True, text=True, timeout=TIMEOUT)
            if r.returncode != 0:
                raise AssertionError("psql: %s (%s)" % (r.stderr.strip(), sql))
            return [tuple(None if v == "" else v for v in line.split("\t"))
                    for line in r.stdout.splitlines() if line]
        db = sqlite3.connect("file:%s?mode=ro" % self.path, uri=True, timeout=20)
        try:
            return [tuple(None if v is None else str(v) for v in row)
                    for row in db.execute(sql, params)]
        finally:
            db.close()

    def value(self, sql, params=()):
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None


class Central:
    """agenda-central in a folder of its own, on SQLite or (AGENDA_CENTRAL_PG) PostgreSQL."""

    def __init__(self, binary, folder):
        self.binary, self.folder = binary, folder
        self.proc = None
        self.store = Store(folder)

    def run(self, *args, env=None):
        e = dict(os.environ, TZ="Europe/Rome", **(env or {}))
        e.pop("AGENDA_NOW", None)
        r = subprocess.run([self.binary, "--json"] + list(args), capture_output=True,
                           text=True, timeout=TIMEOUT * 4, env=e)
        lines = r.stdout.strip().splitlines()
        r.json = json.loads(lines[-1]) if lines else None
        return r

    def verb(self, *args, **kw):
        return self.run(*(list(args) + ["--dir", self.folder]), **kw)

    def must(self, *args, what=None):
        r = self.verb(*args)
        check(r.returncode == 0, "%s (%s)" % (what or "agenda-central " + " ".join(args[:2]),
                                              r.stderr.strip()[:300]))
        return r.json

    def init(self, sites, practices, days=60, per_day=16):
        """sites: {code: [provinces]}; the Questura RM with per_day slots a day over `days`
        days from today; `practices` CSV rows imported; one operatore per site."""
        pg = self.store.pg
        store = ["--store", "postgresql://agenda@/postgres?host=%s"
                 % dict(kv.split("=", 1) for kv in pg.split())["host"]] if pg else []
        r = self.run("init", "--dir", self.folder, "--host", "localhost", *store)
        check(r.returncode == 0, "agenda-central init%s (%s)"
              % (" on PostgreSQL" if pg else " on SQLite", r.stderr.strip()))
        self.fingerprint = r.json["ca_fingerprint"]
        for code, provinces in sites.items():
            args = ["site", "add", "--code", code, "--city", code.title(),
                    "--dirigente", "dirigente.%s@example.invalid" % code.lower()]
            for p in provinces:
                args += ["--province", p]
            self.must(*args)
        self.must("questura", "add", "--code", "RM", "--name", "Roma")
        today = rome_today()
        self.must("capacity", "set", "--questura", "RM", "--from", day_text(today),
                  "--to", day_text(today + days), "--per-day", str(per_day), "--start",
                  "08:30", "--every", "15")
        path = os.path.join(self.folder, "practices.csv")
        with open(path, "w") as f:
            f.write(CSV_HEADER + "".join(row + "\n" for row in practices))
        self.must("practice", "import", "--file", path)
        self.operators = {}
        for code in sites:
            user = "op.%s" % code.lower()
            self.must("operator", "add", "--user", user, "--role", "operatore", "--site", code)
            self.operators[code] = (user, self.password_of(user))

    def password_of(self, user):
        """The generated password, from the message queued to the Dirigente."""
        hexed = ("upper(encode(convert_to(body, 'UTF8'), 'hex'))" if self.store.pg
                 else "hex(body)")
        body = self.store.value("SELECT %s FROM outbox WHERE topic = ? ORDER BY id DESC"
                                % hexed, ("password:" + user,))
        check(body is not None, "central queued %s's password to the Dirigente" % user)
        return bytes.fromhex(body).decode().split(":\n\n    ", 1)[1].split("\n", 1)[0]

    def code(self, site):
        return self.must("enrol-code", "--site", site, "--expires", "24h")["code"]

    def serve(self, *extra):
        e = dict(os.environ, TZ="Europe/Rome")
        e.pop("AGENDA_NOW", None)
        self.proc = subprocess.Popen([self.binary, "serve", "--dir", self.folder, "--listen",
                                      "127.0.0.1:0"] + list(extra), stdout=subprocess.PIPE,
                                     text=True, env=e)
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
        if not ready:
            self.proc.kill()
            raise AssertionError("agenda-central serve printed no port")
        self.port = int(self.proc.stdout.readline())
        check(0 < self.port < 65536, "agenda-central serve %s on port %d"
              % (" ".join(extra), self.port))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    # -- what central's store says (migration 4, contract §1) --
    def max_change_seq(self):
        return int(self.store.value("SELECT COALESCE(MAX(seq), 0) FROM change"))

    def confirmed(self):
        """[(id, device, numero_pratica, questura, day, minute, slot_id)] confirmed at central."""
        return [(r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), int(r[6])) for r in
                self.store.rows("SELECT id, device, numero_pratica, questura, day, minute, "
                                "slot_id FROM appointment WHERE state = 'confirmed'")]

    def appointment_state(self, appointment_id):
        return self.store.value("SELECT state FROM appointment WHERE id = ?",
                                (appointment_id,))

    def held_by(self, device):
        return {int(r[0]): (r[1], int(r[2]), int(r[3])) for r in self.store.rows(
            "SELECT id, questura, day, minute FROM slot WHERE holder = ?", (device,))}

    def slot_holder(self, questura, day, minute):
        rows = self.store.rows("SELECT id, holder FROM slot WHERE questura = ? AND day = ? "
                               "AND minute = ?", (questura, day, minute))
        return rows[0] if rows else None

    def pool(self, questura, after_day):
        """Pool slots (no holder) of questura from the day after after_day, (day, minute)."""
        return [(int(r[0]), int(r[1]), int(r[2])) for r in self.store.rows(
            "SELECT id, day, minute FROM slot WHERE holder IS NULL AND questura = ? "
            "AND day > %d ORDER BY day, minute" % int(after_day), (questura,))]

    def applied(self, device):
        """{entry_id: (outcome, reason, action)} of journal_applied for device."""
        return {r[0]: (r[1], r[2], r[3]) for r in self.store.rows(
            "SELECT entry_id, outcome, reason, action FROM journal_applied WHERE device = ?",
            (device,))}

    def device_sync(self, device):
        rows = self.store.rows("SELECT cursor_sent, digest_ok, alert FROM device_sync "
                               "WHERE device = ?", (device,))
        return rows[0] if rows else None

    def digest_of(self, device):
        """The digest of contract §2, computed here from central's tables for device."""
        return hashlib.sha256("".join(self.digest_lines(device)).encode()).hexdigest()

    def digest_lines(self, device):
        lines = []
        for r in sorted(self.store.rows("SELECT id, questura, day, minute FROM appointment "
                                        "WHERE state = 'confirmed' AND device = ?",
                                        (device,)), key=lambda r: r[0].encode()):
            lines.append("a %s %s %s %d\n" % (r[0], r[1], day_text(r[2]), int(r[3])))
        for sid in sorted(int(r[0]) for r in self.store.rows(
                "SELECT id FROM slot WHERE holder = ?", (device,))):
            lines.append("s %d\n" % sid)
        return lines


# ------------------------------------------------------------------ proxy ----

class SwitchProxy(Proxy):
    """The fault proxy with a switch: `up` forwards cleanly, `faulty` draws the seeded faults
    of fault_proxy.py per connection, `down` closes every new connection at once (the link is
    gone). The port stays the same, so the device keeps the URL it was provisioned with."""

    def __init__(self, target, **kw):
        super().__init__(target, **kw)
        self.mode = "up"
        self.refused = 0

    def draw(self, index):
        if self.mode == "down":
            return "down", "c2s", 0
        if self.mode == "up":
            return None, "c2s", 0
        return super().draw(index)

    def _serve(self, index, client, fault, direction, limit):
        if fault == "down":
            with self.lock:
                self.refused += 1
            client.close()
            return
        super()._serve(index, client, fault, direction, limit)


# ----------------------------------------------------------------- device ----

class Device:
    """One device: its folder, database, proxy and operator; agendactl through --json."""

    def __init__(self, agendactl, root, name, site, central, log, proxy_seed=0, faults=None):
        self.agendactl, self.name, self.site, self.central = agendactl, name, site, central
        self.dir = os.path.join(root, name)
        os.mkdir(self.dir, 0o700)
        self.db = os.path.join(self.dir, "agenda.db")
        self.proxy = SwitchProxy(("127.0.0.1", central.port), seed=proxy_seed, log=log,
                                 **(faults or {})).start()
        self.user, self.password = central.operators[site]
        r = self.run("init", "--site", site.title())
        check(r.returncode == 0, "%s: agendactl init (%s)" % (name, r.stderr.strip()))

    def run(self, *args, user=False, timeout=TIMEOUT):
        e = dict(os.environ, TZ="Europe/Rome")
        e.pop("AGENDA_NOW", None)
        argv = [self.agendactl, "--db", self.db, "--json"]
        if user:
            argv += ["--user", self.user]
        r = subprocess.run(argv + list(args), capture_output=True, text=True, timeout=timeout,
                           env=e, input=(self.password + "\n") if user else "")
        r.lines = []
        for line in r.stdout.strip().splitlines():
            try:
                r.lines.append(json.loads(line))
            except ValueError:
                pass
        r.json = r.lines[-1] if r.lines else None
        return r

    def provision(self):
        url = "https://localhost:%d" % self.proxy.port
        r = self.run("provision", "--central", url, "--code", self.central.code(self.site),
                     "--ca-fingerprint", self.central.fingerprint, "--printer",
                     "virtual:" + os.path.join(self.dir, "test"), "--timeout", "10")
        check(r.returncode == 0, "%s provisioned through its proxy (%s)"
              % (self.name, r.stderr.strip()[:300]))
        self.id = r.json["device_id"]
        return self.id

    def sync(self):
        return self.run("sync", "now", timeout=TIMEOUT * 2)

    def must_sync(self, what=None):
        r = self.sync()
        check(r.returncode == 0, what or "%s: sync now (%s)" % (self.name,
                                                               r.stderr.strip()[:300]))
        return r

    def status(self):
        r = self.run("sync", "status")
        check(r.returncode == 0, "%s: sync status (%s)" % (self.name, r.stderr.strip()[:200]))
        return r.json

    def book(self, pratica, *extra):
        return self.run("book", "--pratica", pratica, *extra, user=True)

    def worklist_cli(self):
        """`agendactl worklist` as the counter sees it (one JSON object per item)."""
        r = self.run("worklist", user=True)
        check(r.returncode == 0, "%s: agendactl worklist (%s)" % (self.name,
                                                                  r.stderr.strip()[:200]))
        items = []
        for obj in r.lines:
            items.extend(obj["items"] if isinstance(obj.get("items"), list) else [obj])
        return items

    # -- the device's file, read behind agendactl's back --
    def sql(self, query, params=()):
        db = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=20)
        try:
            return db.execute(query, params).fetchall()
        finally:
            db.close()

    def confirmed(self):
        """{appointment id: (numero_pratica, questura, day, minute)} confirmed on the device."""
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in self.sql(
            "SELECT a.id, p.numero_pratica, s.questura, s.day, s.minute FROM appointment a "
            "JOIN slot s ON s.id = a.slot_id JOIN practice p ON p.id = a.practice_id "
            "WHERE a.state = 'confirmed'")}

    def worklist(self):
        """The worklist items in the device's file: [{id, kind, appointment_id, ...}]."""
        cols = ("id", "kind", "appointment_id", "numero_pratica", "detail", "done_at", "done_by")
        return [dict(zip(cols, r)) for r in self.sql(
            "SELECT %s FROM worklist ORDER BY id" % ", ".join(cols))]

    def appointment_state(self, appointment_id):
        rows = self.sql("SELECT state FROM appointment WHERE id = ?", (appointment_id,))
        return rows[0][0] if rows else None

    def sync_key(self, key):
        rows = self.sql("SELECT value FROM sync_state WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def unacked(self):
        return self.sql("SELECT COUNT(*) FROM journal WHERE acked = 0")[0][0]

    def entry_ids(self):
        return {r[0] for r in self.sql("SELECT entry_id FROM journal")}

    def granted(self, states=("free", "booked")):
        """{central slot id: (questura, day, minute, state, lease_end)} of granted slots."""
        marks = ",".join("?" * len(states))
        return {int(r[0]): (r[1], r[2], r[3], r[4], r[5]) for r in self.sql(
            "SELECT grant_id, questura, day, minute, state, lease_end FROM slot "
            "WHERE grant_id IS NOT NULL AND state IN (%s)" % marks, states)}

    def digest(self):
        """The digest of contract §2 computed here from the device's file."""
        return hashlib.sha256("".join(self.digest_lines()).encode()).hexdigest()

    def digest_lines(self):
        lines = []
        confirmed = self.confirmed()
        for aid in sorted(confirmed, key=lambda a: a.encode()):
            _, questura, day, minute = confirmed[aid]
            lines.append("a %s %s %s %d\n" % (aid, questura, day_text(day), minute))
        for sid in sorted(self.granted()):
            lines.append("s %d\n" % sid)
        return lines

    def stop(self):
        self.proxy.stop()


def explain_slot(central, d, questura, day, minute):
    """Both sides' rows for one time, for a failure message."""
    return {"device slot": d.sql("SELECT id, state, grant_id, lease_end FROM slot WHERE "
                                 "questura = ? AND day = ? AND minute = ?",
                                 (questura, day, minute)),
            "device appointments": d.sql(
                "SELECT a.id, a.state FROM appointment a JOIN slot s ON s.id = a.slot_id "
                "WHERE s.questura = ? AND s.day = ? AND s.minute = ?", (questura, day, minute)),
            "device journal": d.sql(
                "SELECT j.kind, j.acked FROM journal j JOIN appointment a ON a.id = "
                "j.appointment_id JOIN slot s ON s.id = a.slot_id WHERE s.questura = ? AND "
                "s.day = ? AND s.minute = ?", (questura, day, minute)),
            "central slot": central.store.rows(
                "SELECT id, holder, lease_end FROM slot WHERE questura = ? AND day = ? AND "
                "minute = ?", (questura, day, minute)),
            "central appointments": central.store.rows(
                "SELECT id, device, state FROM appointment WHERE questura = ? AND day = ? AND "
                "minute = ?", (questura, day, minute))}


def same_digest(central, d):
    """The device's digest equals central's for it; the differing lines when not."""
    mine, theirs = d.digest_lines(), central.digest_lines(d.id)
    if mine == theirs:
        return True, ""
    return False, "only on the device: %s; only at central: %s" % (
        sorted(set(mine) - set(theirs))[:6], sorted(set(theirs) - set(mine))[:6])


def sync_until_quiet(central, devices, passes=8):
    """Every device syncs (links healed) until a whole pass changes nothing on any device and
    every cursor is at central's last change: the end state the checks compare."""
    for d in devices:
        d.proxy.mode = "up"
    before = None
    for n in range(1, passes + 1):
        for d in devices:
            r = d.sync()
            check(r.returncode == 0, "pass %d: %s syncs through the healed link (%s)"
                  % (n, d.name, r.stderr.strip()[:300]))
        state = [(d.sync_key("cursor"), d.unacked(), d.digest(), len(d.worklist()))
                 for d in devices]
        top = central.max_change_seq()
        if state == before and all(int(s[0] or 0) == top and s[1] == 0 for s in state):
            print("quiet after %d passes (cursor %d)" % (n, top), flush=True)
            return n
        before = state
    raise AssertionError("the devices did not converge within %d passes: %s" % (passes, before))


def seeded(seed):
    return random.Random("sync:%s" % seed)


def spawn(fn, *args):
    t = threading.Thread(target=fn, args=args, daemon=True)
    t.start()
    return t
