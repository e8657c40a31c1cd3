#!/usr/bin/python3
"""sync_round_test.py — agendactl devices syncing with a real agenda-central (issue 12).

Real processes on loopback: agenda-central (init, site ROMA for RM, questura, capacity from
Tuesday 5 May 2026, 4 a day from 09:00 every 30 minutes, practices, an operator) serving on a
fixed port; two devices enrolled with `agendactl provision` on the real clock (certificates are
checked on it), then every round and booking on a pinned clock (AGENDA_NOW, Monday 4 May 2026
08:00 in Rome) for central and devices alike, so the device's clock agrees with central's.
Checked:
  the first `sync now` brings Questure, practices and central's operator and then, in the same
  round, the grants its demand asked for (sync configure --low-water 4: the 4 earliest pool
  slots); a second device gets the next 4; a booking's journal entry is acknowledged by the next
  round; a repeated round changes nothing; an online booking on a device whose best slot is
  later than one the pool holds (the other device handed its slots back) gets the pool's slot
  from central; with central stopped, booking goes on from what the device holds within the
  grant bound, `sync now` exits 16 and `sync status` says offline, the entries waiting and the
  last error in Italian; with central back, the waiting entries go and the status says so; an
  answer that is not a round response changes nothing (exit 9) and a silent central holds a
  booking only for the grant bound; the same practice booked offline on both devices ends with
  the later copy cancelled and on its device's worklist; at the end central raises no tamper
  alert (audit anchors and digests agree) and counts the slots each device holds. Prints the
  time of a quiet `sync now` (whole process) and of an online vs an offline booking.
Under tests/central/with_postgres.sh (AGENDA_CENTRAL_PG set) central's store is PostgreSQL.
Usage: sync_round_test.py AGENDACTL AGENDA_CENTRAL
"""
import json
import os
import select
import socket
import subprocess
import sys
import ssl
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import provision_test  # noqa: E402  (its Central: run, stop)

TIMEOUT = 30
PINNED = "2026-05-04T08:00:00"  # a Monday, Rome time
PRACTICES = [("RM/2026/%06d" % i, "ITA%09d" % i, "ROSSI", "MARIO", "1990-01-02", "MAROCCO",
              "lavoro", "RM") for i in range(1, 9)]


def check(cond, what, detail=None):
    if not cond:
        raise AssertionError(what if detail is None else "%s: %r" % (what, detail))
    print("ok -", what)


def store_args():
    pg = os.environ.get("AGENDA_CENTRAL_PG")  # set by with_postgres.sh
    if not pg:
        return []
    host = dict(kv.split("=", 1) for kv in pg.split())["host"]
    return ["--store", "postgresql://agenda@/postgres?host=%s" % host]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Central(provision_test.Central):
    """provision_test's central (run, stop) on a fixed port, so it can stop and come back at the
    address the devices were enrolled with, and on a pinned clock."""

    def __init__(self, binary, folder):
        super().__init__(binary, folder)
        self.port = free_port()

    def verb(self, *args):
        status, out, err = self.run(*args, "--dir", self.folder)
        check(status == 0, "agenda-central " + " ".join(args[:2]), (out, err))
        return out

    def serve(self, pinned):
        env = dict(os.environ)
        env.pop("AGENDA_NOW", None)
        if pinned:
            env["AGENDA_NOW"] = pinned
        self.proc = subprocess.Popen([self.binary, "serve", "--dir", self.folder, "--listen",
                                      "127.0.0.1:%d" % self.port], stdout=subprocess.PIPE,
                                     text=True, env=env)
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
        if not ready:
            self.proc.kill()
            raise AssertionError("serve printed no port")
        check(int(self.proc.stdout.readline()) == self.port,
              "agenda-central serve on port %d%s" % (self.port, " (clock %s)" % pinned
                                                     if pinned else ""))
        self.url = "https://localhost:%d" % self.port


class Device:
    def __init__(self, agendactl, root, name):
        self.agendactl, self.name = agendactl, name
        self.dir = os.path.join(root, name)
        os.mkdir(self.dir, 0o700)
        self.db = os.path.join(self.dir, "agenda.db")
        self.password = None
        r = self.run("init", "--site", "Roma", pinned=False)
        check(r.returncode == 0, "%s: agendactl init" % name, r.stderr)

    def run(self, *args, pinned=True, stdin=None):
        env = dict(os.environ, TZ="Europe/Rome")
        env.pop("AGENDA_NOW", None)
        if pinned:
            env["AGENDA_NOW"] = pinned if isinstance(pinned, str) else PINNED
        r = subprocess.run([self.agendactl, "--db", self.db, "--json"] + list(args),
                           capture_output=True, text=True, timeout=TIMEOUT + 15, env=env,
                           input=stdin)
        lines = r.stdout.strip().splitlines()
        r.json = json.loads(lines[-1]) if lines else None
        return r

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        check(r.returncode == 0, "%s: agendactl %s" % (self.name, " ".join(args[:2])),
              (r.returncode, r.stdout, r.stderr))
        return r

    def provision(self, central):
        code = central.verb("enrol-code", "--site", "ROMA", "--expires", "24h")["code"]
        printer = "virtual:" + os.path.join(self.dir, "test-slip")
        r = self.ok("provision", "--central", central.url, "--code", code, "--ca-fingerprint",
                    central.fingerprint, "--printer", printer, "--timeout", "10", pinned=False)
        self.id = r.json["device_id"]

    def add_operator(self):
        """A counter account of the device's own (central's passwords go to the Dirigente)."""
        r = self.ok("operator", "add", "luca.bianchi", "--role", "operatore", "--print-password")
        self.password = r.json["password"]

    def book(self, pratica, *extra, pinned=True):
        return self.run("--user", "luca.bianchi", "book", "--pratica", pratica, *extra,
                        stdin=self.password + "\n", pinned=pinned)

    def as_operator(self, *args, pinned=True):
        """An operator's command; every JSON line of its output."""
        r = self.run("--user", "luca.bianchi", *args, stdin=self.password + "\n",
                     pinned=pinned)
        check(r.returncode == 0, "%s: agendactl %s" % (self.name, args[0]), r.stderr)
        return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]

    def sync(self, pinned=True):
        return self.run("sync", "now", pinned=pinned)

    def status(self):
        return self.ok("sync", "status").json


class FakeCentral:
    """Central's address and certificate, wrong behaviour: answers every request with a body
    that is not a round response ("garbage"), or accepts connections and never speaks
    ("stall"). Runs while the real central is stopped."""

    def __init__(self, central, mode):
        self.mode, self.conns = mode, []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", central.port))
        self.sock.listen(8)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(os.path.join(central.folder, "server.pem"),
                                 os.path.join(central.folder, "server.key"))
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.mode == "stall":
                continue
            try:
                with self.ctx.wrap_socket(conn, server_side=True) as tls:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        data += tls.recv(65536)
                    head, _, body = data.partition(b"\r\n\r\n")
                    length = int([h.split(b":")[1] for h in head.split(b"\r\n")
                                  if h.lower().startswith(b"content-length")][0])
                    while len(body) < length:
                        body += tls.recv(65536)
                    answer = b'{"version":1,"acks":[]}'
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                b"Connection: close\r\nContent-Length: %d\r\n\r\n%s"
                                % (len(answer), answer))
            except (OSError, ssl.SSLError, IndexError, ValueError):
                pass

    def stop(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the thread
        except OSError:
            pass
        self.sock.close()
        self.thread.join(TIMEOUT)
        for c in self.conns:
            c.close()


def setup_central(central, tmp):
    status, out, err = central.run("init", "--dir", central.folder, "--host", "localhost",
                                   *store_args())
    check(status == 0, "agenda-central init%s" % (" on PostgreSQL" if store_args() else ""),
          err)
    central.fingerprint = out["ca_fingerprint"]
    central.verb("site", "add", "--code", "ROMA", "--city", "Roma", "--province", "RM",
                 "--dirigente", "dirigente.roma@example.invalid")
    central.verb("questura", "add", "--code", "RM", "--name", "Questura di Roma", "--email",
                 "immigrazione.rm@example.invalid")
    central.verb("capacity", "set", "--questura", "RM", "--from", "2026-05-05", "--to",
                 "2026-05-15", "--per-day", "4", "--start", "09:00", "--every", "30")
    csv = os.path.join(tmp, "practices.csv")
    with open(csv, "w") as f:
        f.write("numero_pratica,numero_visto,cognome,nome,data_nascita,nazionalita,tipo,"
                "questura\n")
        f.writelines(",".join(p) + "\n" for p in PRACTICES)
    central.verb("practice", "import", "--file", csv)
    central.verb("operator", "add", "--user", "mario.rossi", "--role", "operatore", "--site",
                 "ROMA")


def test_first_rounds(a, b):
    r = b.sync()
    check(r.returncode == 0 and r.json["synced"], "B: the first sync now succeeds", r.stderr)
    check(r.json["grants"] == 4 and r.json["requests"] >= 2,
          "B: the same round asks again once it knows its Questura and gets 4 grants",
          r.json)
    ops = b.ok("operator", "list")
    check("mario.rossi" in ops.stdout, "B: central's operator arrived with the round",
          ops.stdout)
    listed = b.ok("questura", "list").stdout
    check("RM" in listed and "immigrazione.rm@example.invalid" in listed,
          "B: central's Questura arrived with the address its day lists go to", listed)
    s = b.status()
    check(s["central_managed"] and s["online"] and s["clock_trusted"] and s["cursor"] > 0
          and s["last_error"] is None and s["lease_end"],
          "B: sync status says managed, online, clock trusted, cursor and lease end", s)
    r = a.sync()
    check(r.returncode == 0 and r.json["grants"] == 4, "A: its first round gets 4 grants",
          r.json)


def test_booking_acknowledged(a):
    r = a.book("RM/2026/000001")
    check(r.returncode == 0 and r.json["online"] and not r.json["from_central"]
          and r.json["source"] == "device",
          "A: online booking, nothing earlier in the pool: from the device's own slots", r.json)
    first = (r.json.get("date"), r.json.get("time"))
    check(a.status()["entries_waiting"] >= 1, "A: the booking's entry waits for central")
    r = a.sync()
    check(r.returncode == 0 and r.json["acked"] >= 1 and r.json["entries_waiting"] == 0,
          "A: the next round sends the entry and central acknowledges it", r.json)
    r = a.sync()
    check(r.returncode == 0 and r.json["acked"] == 0 and r.json["entries_sent"] == 0
          and r.json["grants"] == 0 and r.json["revokes"] == 0 and r.json["requests"] == 1,
          "A: a repeated round sends nothing and changes nothing", r.json)
    return first


def test_online_grant(a, b, first):
    b.ok("sync", "configure", "--low-water", "1", "--hand-back-days", "0")
    r = b.sync()
    check(r.returncode == 0 and r.json["released"] == 4 and r.json["grants"] == 1,
          "B: hands its 4 free slots back to central's pool and keeps the 1 it now wants",
          r.json)
    r = a.book("RM/2026/000002")
    check(r.returncode == 0 and r.json["online"] and r.json["from_central"]
          and r.json["source"] == "central_pool",
          "A: the online booking takes central's earlier pool slot", r.json)
    check((r.json.get("date"), r.json.get("time")) < first,
          "A: that slot (%s %s) is earlier than the device's own best (%s %s)"
          % (r.json.get("date"), r.json.get("time"), first[0], first[1]))


def test_offline_and_back(central, a):
    central.stop()
    started = time.monotonic()
    r = a.book("RM/2026/000003")
    elapsed = time.monotonic() - started
    check(r.returncode == 0 and not r.json["online"] and not r.json["from_central"],
          "A: central stopped, booking goes on from what the device holds (%.2f s)" % elapsed,
          r.json)
    r = a.sync()
    check(r.returncode == 16 and r.json and r.json.get("network"),
          "A: sync now with central stopped exits 16", (r.returncode, r.stdout, r.stderr))
    s = a.status()
    check(not s["online"] and s["entries_waiting"] >= 2 and s["last_error"] ==
          "MSG_SYNC_ROUND_UNREACHABLE" and "raggiungibile" in s["last_error_it"],
          "A: sync status says offline, %d entries waiting, the last error in Italian"
          % s["entries_waiting"], s)
    central.serve(PINNED)
    r = a.sync()
    check(r.returncode == 0 and r.json["acked"] >= 2 and r.json["entries_waiting"] == 0,
          "A: central back, the waiting entries go and are acknowledged", r.json)
    s = a.status()
    check(s["online"] and s["entries_waiting"] == 0 and s["last_error"] is None,
          "A: sync status says online, nothing waiting, no error", s)
    r = a.sync()  # nothing to send: central compares the digest
    check(r.returncode == 0 and r.json["entries_sent"] == 0, "A: a quiet round", r.json)


def test_bad_central(central, a):
    """An answer that does not decode changes nothing; a central that never answers does not
    hold a booking up beyond the grant bound."""
    before = a.status()
    central.stop()
    fake = FakeCentral(central, "garbage")
    try:
        r = a.sync()
        after = a.status()
        check(r.returncode == 9 and "acks" not in r.stdout and r.json["error"] == "invalid",
              "A: an answer that is not a round response is refused (exit 9)",
              (r.returncode, r.stdout))
        check(after["cursor"] == before["cursor"] and after["slots_held"] ==
              before["slots_held"] and after["last_error"] == "MSG_SYNC_ROUND_BAD_ANSWER"
              and not after["online"],
              "A: nothing applied; the status names the bad answer", after)
    finally:
        fake.stop()
    fake = FakeCentral(central, "stall")
    try:
        a.ok("sync", "configure", "--grant-timeout-ms", "1000")
        started = time.monotonic()
        r = a.book("RM/2026/000004")
        elapsed = time.monotonic() - started
        check(r.returncode == 0 and not r.json["online"] and 900 <= r.json["grant_ms"] < 1500
              and elapsed < 5,
              "A: central silent, booked offline after the 1 s grant bound (asked %d ms, "
              "command %.2f s)" % (r.json["grant_ms"], elapsed), r.json)
    finally:
        fake.stop()
        a.ok("sync", "configure", "--grant-timeout-ms", "2000")
        r = a.ok("sync", "configure", "--interval-s", "30")
        check(r.json["sync.interval_s"] == 30 and
              a.ok("sync", "configure").json["sync.interval_s"] == 30,
              "A: the kiosk's sync interval set by sync configure", r.json)
    central.serve(PINNED)


def test_duplicate_practice(a, b):
    """The same practice booked offline on both devices, B thirty seconds later: central keeps
    A's, B cancels its copy, frees the slot and gets a worklist item."""
    later = "2026-05-04T08:00:30"
    ra = a.book("RM/2026/000006", "--offline")
    rb = b.book("RM/2026/000006", "--offline", pinned=later)
    check(ra.returncode == 0 and rb.returncode == 0 and not ra.json.get("online")
          and not rb.json.get("online"),
          "A and B both book RM/2026/000006 offline (B at 08:00:30)", (ra.json, rb.json))
    check(a.sync().returncode == 0, "A: its booking reaches central first")
    r = b.sync(pinned=later)
    check(r.returncode == 0 and r.json["conflicts"] == 1 and r.json["worklist_items"] >= 1,
          "B: central answers a conflict for its copy", r.json)
    shown = b.as_operator("show", rb.json["id"], pinned=later)[-1]
    items = [i for i in b.as_operator("worklist", pinned=later)
             if i.get("numero_pratica") == "RM/2026/000006"]
    check(shown["state"] == "cancelled" and len(items) == 1
          and items[0]["kind"] == "duplicate_practice",
          "B: its copy is cancelled and one worklist item names the practice", (shown, items))
    check(a.as_operator("show", ra.json["id"])[-1]["state"] == "confirmed",
          "A: the first booking stays confirmed")


def measure(a):
    """Quiet rounds and online vs offline bookings, whole agendactl processes."""
    times = []
    for _ in range(5):
        started = time.monotonic()
        a.ok("sync", "now")
        times.append(time.monotonic() - started)
    online, offline = [], []
    for i, extra in ((7, ()), (8, ("--offline",))):
        started = time.monotonic()
        r = a.book("RM/2026/%06d" % i, *extra)
        (offline if extra else online).append(time.monotonic() - started)
        check(r.returncode == 0, "A: booking %d (%s)" % (i, "offline" if extra else "online"))
    print("timing: quiet sync now %.3f s (median of 5, process included); booking online "
          "%.3f s vs offline %.3f s" % (sorted(times)[2], online[0], offline[0]))


def test_central_agrees(central, devices):
    """Central's view: no tamper alert (audit anchors and digests agree), same slots held."""
    listed = {d["device_id"]: d for d in central.verb("device", "list")["devices"]}
    for d in devices:
        s = d.status()
        check(listed[d.id]["alert"] is None and listed[d.id]["held"] == s["slots_held"],
              "%s: central raises no alert and counts the %d slots the device holds"
              % (d.name, s["slots_held"]), (listed[d.id], s))


def test_questura_address(central, a):
    """Issue 13: a Questura's new address reaches the device at its next round."""
    central.verb("questura", "set", "--code", "RM", "--email", "nuovo.rm@example.invalid")
    a.ok("sync", "now")
    listed = a.ok("questura", "list").stdout
    check("nuovo.rm@example.invalid" in listed,
          "A: questura set --email at central reaches the device at the next round", listed)


def main():
    agendactl, binary = sys.argv[1], sys.argv[2]
    started = time.monotonic()
    keep = os.environ.get("SYNC_TEST_KEEP")  # a folder to keep everything in, for debugging
    with (tempfile.TemporaryDirectory() if not keep else open(os.devnull)) as tmp:
        tmp = keep or tmp
        central = Central(binary, os.path.join(tmp, "central"))
        setup_central(central, tmp)
        a, b = Device(agendactl, tmp, "a"), Device(agendactl, tmp, "b")
        central.serve(None)  # enrolment on the real clock: certificates are checked on it
        try:
            a.provision(central)
            b.provision(central)
            central.stop()
            central.serve(PINNED)
            a.add_operator()
            b.add_operator()
            for d in (a, b):
                d.ok("sync", "configure", "--low-water", "4")
            test_first_rounds(a, b)
            first = test_booking_acknowledged(a)
            test_online_grant(a, b, first)
            test_offline_and_back(central, a)
            test_bad_central(central, a)
            test_duplicate_practice(a, b)
            test_questura_address(central, a)
            measure(a)
            for d in (a, b):
                d.ok("sync", "now")
            test_central_agrees(central, (a, b))
        finally:
            central.stop()
    print("all passed in %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
