#!/usr/bin/python3
"""sync_test.py — POST /v1/device/sync and /v1/device/grant against agenda-central as real
processes on loopback, over mutual TLS, on SQLite or (under with_postgres.sh) PostgreSQL.

The devices are enrolled as the help desk does it (`enrol-code`, POST /v1/enrol with a key and a
request from the openssl command line) on a server on the real clock; the rounds then go to a
server whose clock is pinned (AGENDA_NOW, Monday 4 May 2026 08:00 in Rome) with
`--lease-seconds 3600 --lease-margin-seconds 60`. Rounds are built by the small encoder below
(compact JSON, sorted keys: docs/SYNC.md), nothing shared with central's C code. Checked: the
first round with demand gets the earliest pool slots as grants with central's `now` and the
lease end; an entry pushed twice is acknowledged twice and applied once; a body of 300 entries
(past 16 KiB) is read whole; a round naming another device is 403 device_mismatch; a revoked
device 403 revoked; malformed JSON, a missing field (named), another version: 400; oversize
(declared, and chunked without a length): 413; a slot another device holds: conflict
slot_taken; the same practice booked later elsewhere: duplicate_practice / cancel_copy; a slot handed back goes to the pool and the grant route gives it, the earliest;
nothing earlier: granted false; the digest of docs/SYNC.md computed here matches central's and
a wrong one raises digest_mismatch in `device list` and /metrics until `device clear-alert`;
the lease settings of `serve`: inside the margin nothing expires, past it the free slots come
back as `revoke lease_expired` and a booked one stays; six devices demanding at the same moment
get 5 slots each, none twice, and hand them back; /metrics counts all this and names no
device. Prints the time of a no-change round, of the 300-entry round, of the six at once, and
the time central spent inside /v1/device/sync (its histogram).
Usage: sync_test.py AGENDA_CENTRAL
"""
import datetime
import hashlib
import http.client
import json
import os
import re
import select
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from enrol_test import Central, Device, Server, TIMEOUT, check, store_args  # noqa: E402

ROME = zoneinfo.ZoneInfo("Europe/Rome")
PINNED = "2026-05-04T08:00:00"  # a Monday, Rome time
LEASE, MARGIN = 3600, 60
SLOT_MINUTES = (540, 570, 600, 630)  # capacity: 4 a day from 09:00, every 30 minutes
ZERO64 = "0" * 64


def epoch(text):
    return int(datetime.datetime.fromisoformat(text).replace(tzinfo=ROME).timestamp())


def encode(obj):
    """The protocol's text: compact JSON with sorted keys."""
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


class PinnedServer(Server):
    """serve with AGENDA_NOW and extra options; requests as enrol_test's Server."""

    def __init__(self, central, now, *options):
        env = dict(os.environ, AGENDA_NOW=now)
        self.proc = subprocess.Popen([central.binary, "serve", "--dir", central.folder,
                                      "--listen", "127.0.0.1:0"] + list(options),
                                     stdout=subprocess.PIPE, text=True, env=env)
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
        if not ready:
            self.proc.kill()
            raise AssertionError("serve printed no port")
        self.port = int(self.proc.stdout.readline())
        self.ca = os.path.join(central.folder, "ca.pem")

    def post(self, path, body, cert):
        """(status, parsed answer) of one POST with a body given as bytes."""
        status, _, text = self.request("POST", path, body, cert=cert)
        return status, json.loads(text) if text.startswith("{") else text

    def raw_post(self, path, cert, length=None, chunked_size=0):
        """Status of a POST whose headers declare length (no body follows: the server must
        answer on the headers alone), or of chunked_size bytes sent in chunks without a
        Content-Length (the limit is checked as the body arrives)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(self.ca)
        ctx.load_cert_chain(*cert)
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT)
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            head = "POST %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" % path
            head += ("Content-Length: %d\r\n" % length if length is not None
                     else "Transfer-Encoding: chunked\r\n")
            tls.sendall(head.encode() + b"Content-Type: application/json\r\n\r\n")
            piece = b"x" * 65536
            sent = 0
            while sent < chunked_size:
                n = min(len(piece), chunked_size - sent)
                tls.sendall(b"%x\r\n" % n + piece[:n] + b"\r\n")
                sent += n
            if length is None:
                tls.sendall(b"0\r\n\r\n")
            reply = b""
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                reply += chunk
        return int(reply.split(b" ", 2)[1])


def reused_rounds(server, kiosk, n):
    """n no-change rounds on ONE kept-alive TLS connection (as the device's session does):
    seconds per round."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(server.ca)
    ctx.load_cert_chain(*kiosk.dev.pair())
    conn = http.client.HTTPSConnection("localhost", server.port, context=ctx, timeout=TIMEOUT)
    statuses, sockets = [], set()
    try:
        conn.connect()
        started = time.monotonic()
        for _ in range(n):
            conn.request("POST", "/v1/device/sync", encode(kiosk.request()),
                         {"Content-Type": "application/json"})
            reply = conn.getresponse()
            reply.read()
            statuses.append(reply.status)
            sockets.add(id(conn.sock) if conn.sock else None)  # None: the server closed it
        took = (time.monotonic() - started) / n
    finally:
        conn.close()
    check(statuses == [200] * n and len(sockets) == 1 and None not in sockets,
          "%d rounds on one kept-alive connection all answer 200" % n, statuses)
    return took


class Kiosk:
    """One enrolled device as the sync client sees itself: cursor, slots held, appointments."""

    def __init__(self, device_id, dev):
        self.id, self.dev, self.cursor = device_id, dev, 0
        self.held = {}  # central slot id -> (day, minute)
        self.appointments = {}  # id -> (questura, day, minute)
        self.seq = 0

    def request(self, entries=(), demand=(), releasing=(), digest=None, device_id=None,
                cursor=None):
        return {"version": 1, "device_id": device_id or self.id,
                "cursor": self.cursor if cursor is None else cursor,
                "entries": list(entries), "audit": {"seq": 0, "hash": ZERO64,
                                                    "anchor_seq": 0, "anchor_hash": ZERO64},
                "digest": digest or self.digest(), "releasing": list(releasing),
                "demand": list(demand)}

    def digest(self):
        """docs/SYNC.md / contract: confirmed appointments by id, then held slots by id."""
        text = "".join("a %s %s %s %d\n" % (a, q, d, m)
                       for a, (q, d, m) in sorted(self.appointments.items()))
        text += "".join("s %d\n" % i for i in sorted(self.held))
        return hashlib.sha256(text.encode()).hexdigest()

    def apply(self, answer):
        """What the device does with a response: grants and revokes, then the cursor."""
        for c in answer["changes"]:
            if c["type"] == "grant":
                self.held[c["slot_id"]] = (c["day"], c["minute"])
            elif c["type"] == "revoke" and c["slot_id"] in self.held and not any(
                    (d, m) == self.held[c["slot_id"]] for _, d, m in self.appointments.values()):
                del self.held[c["slot_id"]]
        self.cursor = answer["cursor"]

    def book(self, day, minute, practice, at):
        self.seq += 1
        appointment = str(uuid.uuid4())
        entry = str(uuid.uuid4())
        payload = {"appointment_id": appointment, "at": at, "date": day, "device": self.id,
                   "entry_id": entry, "kind": "book", "modello209": False,
                   "numero_pratica": practice, "operator": "mario.rossi", "questura": "RM",
                   "time": "%02d:%02d" % divmod(minute, 60)}
        return appointment, {"entry_id": entry, "seq": self.seq, "kind": "book",
                             "payload": payload}

    def printed(self, appointment):
        self.seq += 1
        entry = str(uuid.uuid4())
        payload = {"appointment_id": appointment, "at": epoch(PINNED), "device": self.id,
                   "entry_id": entry, "kind": "print", "operator": "mario.rossi", "prints": 1}
        return {"entry_id": entry, "seq": self.seq, "kind": "print", "payload": payload}


def metrics(server):
    status, _, text = server.request("GET", "/metrics")
    check(status == 200, "GET /metrics answers")
    return text


def metric(text, name, label=None):
    pattern = r"^%s%s (\d+)$" % (re.escape(name), r"\{%s\}" % re.escape(label) if label else "")
    m = re.search(pattern, text, re.M)
    return int(m.group(1)) if m else None


def enrol(central, server, tmp, n):
    devices = []
    for i in range(n):
        dev = Device(tmp, "kiosk%d" % i)
        status, _, body = server.enrol(central.code()["code"], dev.csr)
        check(status == 200, "device %d enrolled as %s" % (i, body.get("device_id")))
        dev.store(body["certificate"])
        devices.append(Kiosk(body["device_id"], dev))
    return devices


def test_first_round(server, k1):
    started = time.monotonic()
    status, answer = server.post("/v1/device/sync",
                                 encode(k1.request(demand=[{"questura": "RM", "days": 10,
                                                            "slots": 6}])), k1.dev.pair())
    check(status == 200, "first round answers 200", answer)
    grants = [c for c in answer["changes"] if c["type"] == "grant"]
    wanted = [("2026-05-04", m) for m in SLOT_MINUTES] + [("2026-05-05", 540), ("2026-05-05", 570)]
    check(sorted((g["day"], g["minute"]) for g in grants) == wanted,
          "demand of 6 slots: grants of the 6 earliest pool slots from central's today",
          [(g["day"], g["minute"]) for g in grants])
    now = epoch(PINNED)
    check(answer["now"] == now and answer["lease_end"] == now + LEASE and
          all(g["lease_end"] == now + LEASE for g in grants),
          "the answer carries central's pinned clock and lease end = now + --lease-seconds")
    check(answer["cursor"] >= max(c["seq"] for c in answer["changes"]) and not answer["more"],
          "the cursor covers every change sent")
    k1.apply(answer)
    status, answer = server.post("/v1/device/sync", encode(k1.request()), k1.dev.pair())
    took = time.monotonic() - started
    check(status == 200 and answer["changes"] == [] and answer["acks"] == [],
          "a round with nothing to say gets nothing new")
    return took


def test_exactly_once(server, k1):
    day, minute = next(iter(sorted(k1.held.values())))
    appointment, entry = k1.book(day, minute, "RM/2026/000001", epoch(PINNED) + 60)
    answers = []
    for _ in range(2):
        status, answer = server.post("/v1/device/sync", encode(k1.request(entries=[entry])),
                                     k1.dev.pair())
        answers.append((status, answer))
    check(all(s == 200 and a["acks"] == [entry["entry_id"]] and a["conflicts"] == []
              for s, a in answers), "an entry pushed twice is acknowledged both times")
    k1.appointments[appointment] = ("RM", day, minute)
    k1.apply(answers[-1][1])
    return entry


def test_large_body(server, k1):
    appointment = next(iter(k1.appointments))
    entries = [k1.printed(appointment) for _ in range(300)]
    body = encode(k1.request(entries=entries))
    check(len(body) > 16384 * 4, "300 entries make a body of %d bytes" % len(body))
    started = time.monotonic()
    status, answer = server.post("/v1/device/sync", body, k1.dev.pair())
    took = time.monotonic() - started
    check(status == 200 and sorted(answer["acks"]) == sorted(e["entry_id"] for e in entries),
          "a round of 300 entries is read whole and every entry acknowledged", status)
    k1.apply(answer)
    return took


def test_refusals(central, server, k1, k3):
    good = k1.request()
    status, answer = server.post("/v1/device/sync", encode(k1.request(device_id=k3.id)),
                                 k1.dev.pair())
    check(status == 403 and answer["error"] == "device_mismatch" and k3.id in answer["message"],
          "a body naming another device: 403 device_mismatch", (status, answer))
    status, answer = server.post("/v1/device/sync", b'{"version":1,', k1.dev.pair())
    check(status == 400 and answer["error"] == "bad_request" and answer["message_en"],
          "malformed JSON: 400 bad_request", (status, answer))
    missing = dict(good)
    del missing["digest"]
    status, answer = server.post("/v1/device/sync", encode(missing), k1.dev.pair())
    check(status == 400 and answer["error"] == "bad_request" and "digest" in answer["message"]
          and "digest" in answer["message_en"], "a missing field: 400 naming it", answer)
    wrong = dict(good, entries=[{"entry_id": "not-a-uuid", "seq": 1, "kind": "book",
                                 "payload": {}}])
    status, answer = server.post("/v1/device/sync", encode(wrong), k1.dev.pair())
    check(status == 400 and "entries[0].entry_id" in answer["message_en"],
          "a malformed entry id: 400 naming entries[0].entry_id", answer)
    status, answer = server.post("/v1/device/sync", encode(dict(good, version=2)), k1.dev.pair())
    check(status == 400 and answer["error"] == "unsupported_version",
          "another protocol version: 400 unsupported_version", answer)
    status, answer = server.post("/v1/device/grant", encode({"version": 1, "questura": "RM"}),
                                 k1.dev.pair())
    check(status == 400 and "from_day" in answer["message_en"],
          "a grant ask without from_day: 400 naming it", answer)
    check(server.raw_post("/v1/device/sync", k1.dev.pair(), length=8 * 1024 * 1024 + 1) == 413,
          "a round body declared over 8 MiB: 413 on the headers alone")
    check(server.raw_post("/v1/device/sync", k1.dev.pair(),
                          chunked_size=8 * 1024 * 1024 + 70000) == 413,
          "a round body over 8 MiB sent in chunks without a length: 413")
    status, answer = server.post("/v1/device/grant", b"x" * 20000, k1.dev.pair())
    check(status == 413, "a grant body over 16 KiB: 413")
    status, answer = server.post("/v1/device/sync", encode(good), None)
    check(status == 403 and answer["error"] == "forbidden", "no client certificate: 403")
    status, out = central.verb("device", "revoke", "--device", k3.id)
    check(status == 0, "device revoke %s" % k3.id)
    for path, body in (("/v1/device/sync", k3.request()),
                       ("/v1/device/grant", {"version": 1, "questura": "RM",
                                             "from_day": "2026-05-04", "before_day": "2026-05-20",
                                             "before_minute": 0})):
        status, answer = server.post(path, encode(body), k3.dev.pair())
        check(status == 403 and answer["error"] == "revoked", "%s by a revoked device: 403 "
              "revoked" % path, (status, answer))


def grant_ask(server, kiosk, from_day, before_day, before_minute):
    return server.post("/v1/device/grant",
                       encode({"version": 1, "questura": "RM", "from_day": from_day,
                               "before_day": before_day, "before_minute": before_minute}),
                       kiosk.dev.pair())


def test_grants_and_conflicts(server, k1, k2):
    # k2 books a slot k1 holds (and k2 never had): slot_taken, to its worklist
    held_by_k1 = sorted(set(k1.held.values()) - {(d, m) for _, d, m in k1.appointments.values()})
    taken_day, taken_minute = held_by_k1[0]
    _, entry = k2.book(taken_day, taken_minute, "RM/2026/000002", epoch(PINNED))
    status, answer = server.post("/v1/device/sync", encode(k2.request(entries=[entry])),
                                 k2.dev.pair())
    check(status == 200 and answer["conflicts"] == [
        {"entry_id": entry["entry_id"], "reason": "slot_taken", "action": "worklist"}],
          "a slot another device holds: conflict slot_taken / worklist", answer)
    k2.apply(answer)
    # the pool's earliest: the slot right after k1's six
    status, answer = grant_ask(server, k2, "2026-05-04", "2026-05-15", 1440)
    check(status == 200 and answer["granted"] and
          (answer["grant"]["day"], answer["grant"]["minute"]) == ("2026-05-05", 600) and
          answer["grant"]["type"] == "grant" and answer["grant"]["seq"] > 0 and
          answer["lease_end"] == epoch(PINNED) + LEASE and answer["now"] == epoch(PINNED),
          "the grant route gives the pool's earliest slot (5 May 10:00)", answer)
    k2.held[answer["grant"]["slot_id"]] = ("2026-05-05", 600)
    # k1 hands back its earliest free slot: back in the pool, so the earliest there
    slot_id = next(i for i, v in sorted(k1.held.items(), key=lambda kv: kv[1])
                   if v == held_by_k1[0])
    del k1.held[slot_id]  # releasing on the device: out of its digest from now on
    status, answer = server.post("/v1/device/sync", encode(k1.request(releasing=[slot_id])),
                                 k1.dev.pair())
    check(status == 200, "a round handing back slot %d" % slot_id)
    k1.apply(answer)
    status, answer = grant_ask(server, k2, "2026-05-04", "2026-05-05", 600)
    check(status == 200 and answer["granted"] and answer["grant"]["slot_id"] == slot_id,
          "the slot handed back is in the pool: the grant route gives it to the other device",
          answer)
    k2.held[slot_id] = held_by_k1[0]
    status, answer = grant_ask(server, k2, "2026-05-04", "2026-05-04", 540)
    check(status == 200 and answer["granted"] is False and "grant" not in answer,
          "nothing in the pool before 4 May 09:00: granted false", answer)
    # k2's round brings the grants it got online again (seq after its cursor): harmless
    status, answer = server.post("/v1/device/sync", encode(k2.request()), k2.dev.pair())
    check(status == 200 and {c["slot_id"] for c in answer["changes"] if c["type"] == "grant"}
          == set(k2.held), "the next round repeats the online grants", answer)
    k2.apply(answer)
    # k2 books k1's practice later (by its clock) on a slot of its own: central keeps k1's
    _, entry = k2.book("2026-05-05", 600, "RM/2026/000001", epoch(PINNED) + 120)
    status, answer = server.post("/v1/device/sync", encode(k2.request(entries=[entry])),
                                 k2.dev.pair())
    check(status == 200 and answer["conflicts"] == [
        {"entry_id": entry["entry_id"], "reason": "duplicate_practice",
         "action": "cancel_copy"}],
          "the same practice booked later on another device: duplicate_practice / cancel_copy",
          answer)
    k2.apply(answer)


def device_row(central, device_id):
    status, out = central.verb("device", "list")
    check(status == 0, "device list")
    return next(d for d in out["devices"] if d["device_id"] == device_id)


def test_digest_and_alert(central, server, k1):
    status, answer = server.post("/v1/device/sync", encode(k1.request()), k1.dev.pair())
    check(status == 200 and device_row(central, k1.id)["alert"] is None,
          "the digest computed by the device's rule matches central's: no alert")
    k1.apply(answer)
    status, answer = server.post("/v1/device/sync", encode(k1.request(digest="ab" * 32)),
                                 k1.dev.pair())
    check(status == 200, "a round with a wrong digest still succeeds")
    row = device_row(central, k1.id)
    check(row["alert"] == "digest_mismatch" and row["alert_at"] and row["last_round_at"] and
          row["cursor"] == answer["cursor"] and row["held"] == len(k1.held),
          "device list: alert digest_mismatch, last round, cursor and slots held", row)
    r = subprocess.run([central.binary, "device", "list", "--dir", central.folder],
                       capture_output=True, text=True, timeout=TIMEOUT)
    line = next(l for l in r.stdout.splitlines() if l.startswith(k1.id))
    check("ALLARME digest_mismatch" in line and "cursore %d" % answer["cursor"] in line,
          "the text listing shows the alert and the cursor", line)
    text = metrics(server)
    check(metric(text, "agenda_central_device_alerts", 'reason="digest_mismatch"') == 1,
          "/metrics: agenda_central_device_alerts{reason=digest_mismatch} 1")
    status, out = central.verb("device", "clear-alert", k1.id)
    check(status == 0 and out == {"device_id": k1.id, "cleared": "digest_mismatch"},
          "device clear-alert ID clears it (and says which)", out)
    status, out = central.verb("device", "clear-alert", "--device", k1.id)
    check(status == 0 and out["cleared"] is None, "clearing again: nothing to clear", out)
    status, out = central.verb("device", "clear-alert", "ROMA-9999")
    check(status == 3 and out["error"] == "not_found", "clear-alert of an unknown device: exit 3")
    check(device_row(central, k1.id)["alert"] is None and
          metric(metrics(server), "agenda_central_device_alerts",
                 'reason="digest_mismatch"') == 0, "the alert is gone from list and metrics")


def test_metrics(server, devices):
    text = metrics(server)
    expected = {
        ("agenda_central_sync_entries_total", 'outcome="applied"'): 1 + 300 + 1 + 1,
        ("agenda_central_sync_entries_total", 'outcome="repeated"'): 1,
        ("agenda_central_sync_conflicts_total", 'reason="slot_taken"'): 1,
        ("agenda_central_sync_conflicts_total", 'reason="duplicate_practice"'): 1,
        ("agenda_central_sync_grants_total", 'via="round"'): 6,
        ("agenda_central_sync_grants_total", 'via="online"'): 2,
        ("agenda_central_sync_online_grant_none_total", None): 1,
        ("agenda_central_sync_released_total", None): 1,
        ("agenda_central_sync_leases_expired_total", None): 0,
        ("agenda_central_requests_total", 'route="/v1/device/grant"'): 6,
    }
    seen = {k: metric(text, *k) for k in expected}
    check(seen == expected, "/metrics counts entries, conflicts, grants, releases", seen)
    check(metric(text, "agenda_central_sync_rounds_total") >= 8 and
          metric(text, "agenda_central_errors_total", 'route="/v1/device/sync"') >= 8,
          "/metrics counts rounds and refused sync requests")
    check(not any(d.id in text for d in devices) and "RM/2026" not in text,
          "/metrics names no device and no practice")


def test_leases(central, k1, k2):
    """--lease-seconds 3600 --lease-margin-seconds 60: k1's leases end at 09:00 (its last round
    was at 08:00); a round of another device at 09:00:30 expires nothing, at 09:01:30 k1's free
    slots go back to the pool and k1 learns it by revokes; its booked slot stays."""
    options = ["--lease-seconds", str(LEASE), "--lease-margin-seconds", str(MARGIN)]
    server = PinnedServer(central, "2026-05-04T09:00:30", *options)
    try:
        status, answer = server.post("/v1/device/sync", encode(k2.request()), k2.dev.pair())
        check(status == 200 and metric(metrics(server),
                                       "agenda_central_sync_leases_expired_total") == 0,
              "within the margin nothing expires")
    finally:
        server.stop()
    server = PinnedServer(central, "2026-05-04T09:01:30", *options)
    try:
        free = {i for i, v in k1.held.items()
                if v not in {(d, m) for _, d, m in k1.appointments.values()}}
        status, answer = server.post("/v1/device/sync", encode(k2.request()), k2.dev.pair())
        check(status == 200 and metric(metrics(server),
                                       "agenda_central_sync_leases_expired_total") == len(free),
              "past lease + margin, another device's round returns k1's %d free slots"
              % len(free))
        status, answer = server.post("/v1/device/sync", encode(k1.request()), k1.dev.pair())
        revoked = {c["slot_id"] for c in answer["changes"]
                   if c["type"] == "revoke" and c["reason"] == "lease_expired"}
        check(status == 200 and revoked == free,
              "k1's next round brings revoke lease_expired for exactly its free slots", answer)
        k1.apply(answer)
        check(len(k1.held) == 1, "the booked slot stays k1's")
    finally:
        server.stop()


def test_concurrent(server, kiosks, others):
    """Every device asks for 5 slots at the same moment (the server's threads, one store
    connection each): no slot granted twice, none of another device's, each gets its 5; then
    each hands all of them back."""
    results = [None] * len(kiosks)
    barrier = threading.Barrier(len(kiosks))

    def run(i):
        barrier.wait()
        results[i] = server.post("/v1/device/sync",
                                 encode(kiosks[i].request(demand=[{"questura": "RM", "days": 10,
                                                                   "slots": 5}])),
                                 kiosks[i].dev.pair())

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(kiosks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    took = time.monotonic() - started
    check(all(r and r[0] == 200 for r in results), "%d devices' rounds at once all answer 200"
          % len(kiosks), [r[0] if r else None for r in results])
    granted = [[c["slot_id"] for c in r[1]["changes"] if c["type"] == "grant"] for r in results]
    every = [i for g in granted for i in g]
    held_elsewhere = {i for k in others for i in k.held}
    check(all(len(g) == 5 for g in granted) and len(set(every)) == len(every) and
          not set(every) & held_elsewhere,
          "each got 5 slots, none given twice, none another device holds", granted)
    for k, r in zip(kiosks, results):
        k.apply(r[1])
    for k in kiosks:
        ids = sorted(k.held)
        k.held.clear()
        status, answer = server.post("/v1/device/sync", encode(k.request(releasing=ids)),
                                     k.dev.pair())
        check(status == 200, "%d slots handed back" % len(ids))
        k.apply(answer)
    released = metric(metrics(server), "agenda_central_sync_released_total")
    check(released == 1 + len(every), "/metrics: %d slots handed back in all" % released)
    return took


def main():
    binary = sys.argv[1]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "central")
        central = Central(binary, folder)
        status, _ = central.run("init", "--dir", folder, "--host", "localhost", *store_args())
        check(status == 0, "init")
        for args in (("site", "add", "--code", "ROMA", "--city", "Roma", "--province", "RM",
                      "--dirigente", "dirigente@interno.it"),
                     ("questura", "add", "--code", "RM", "--name", "Roma"),
                     ("capacity", "set", "--questura", "RM", "--from", "2026-05-04", "--to",
                      "2026-05-15", "--per-day", "4", "--start", "09:00", "--every", "30")):
            status, out = central.verb(*args)
            check(status == 0, " ".join(args[:2]), out)
        server = Server(central)  # the real clock: certificates valid now
        try:
            k1, k2, k3, *crowd = enrol(central, server, tmp, 9)
        finally:
            server.stop()
        server = PinnedServer(central, PINNED, "--lease-seconds", str(LEASE),
                              "--lease-margin-seconds", str(MARGIN))
        try:
            first = test_first_round(server, k1)
            test_exactly_once(server, k1)
            large = test_large_body(server, k1)
            test_refusals(central, server, k1, k3)
            test_grants_and_conflicts(server, k1, k2)
            test_metrics(server, (k1, k2, k3))
            test_digest_and_alert(central, server, k1)
            together = test_concurrent(server, crowd, (k1, k2))
            text = metrics(server)
            inside = (metric(text, "agenda_central_request_duration_seconds_count",
                             'route="/v1/device/sync"'),
                      re.search(r'^agenda_central_request_duration_seconds_sum\{route='
                                r'"/v1/device/sync"\} ([0-9.]+)$', text, re.M).group(1))
            started_empty = time.monotonic()
            for _ in range(10):
                server.post("/v1/device/sync", encode(k1.request()), k1.dev.pair())
            empty = (time.monotonic() - started_empty) / 10
            kept = reused_rounds(server, k1, 20)
        finally:
            code = server.stop()
        check(code == 0, "SIGTERM stops the server cleanly (exit 0)")
        test_leases(central, k1, k2)
    print("timing: first two rounds %.3f s; a 300-entry round %.3f s; a no-change round %.4f s "
          "(new TLS connection each), %.4f s on a kept-alive connection; %d rounds at once %.3f s; inside central %s requests to "
          "/v1/device/sync took %s s in all" % (first, large, empty, kept, len(crowd), together,
                                                 inside[0], inside[1]))
    print("all passed in %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
