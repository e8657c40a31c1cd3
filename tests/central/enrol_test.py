#!/usr/bin/python3
"""enrol_test.py — enrolment against agenda-central as real processes on loopback.

`agenda-central init --host localhost`, `site add`, `enrol-code` and `serve` run as the help desk
runs them; the device is Python's ssl module (OpenSSL) with keys and requests made by the
`openssl` command line (`req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes`), so
nothing on the client side shares code with central. Checked, against the contract of
docs/CENTRAL.md ("API"): GET /v1/ca and its fingerprint; POST /v1/enrol gives a certificate
with CN = the device id central chose, that then logs in to /v1/device/whoami; the same key
with the same code gets the same certificate; every refusal (bad_request, code_malformed,
code_unknown, code_used, code_expired, throttled with Retry-After after 5 wrong codes, also by
a second server on the same store, another address not throttled); two clients racing for one code make exactly one device; revoke makes
whoami and renew answer 403 "revoked" at the next request; renew gives a new certificate (new
serial, same CN) that works; device list; /metrics counts outcomes and devices, naming none.
Under tests/central/with_postgres.sh (AGENDA_CENTRAL_PG set) the store is that PostgreSQL.
Usage: enrol_test.py AGENDA_CENTRAL
"""
import hashlib
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

TIMEOUT = 20  # seconds for any one step


def check(cond, what, detail=None):
    """detail (shown only on failure) says what was seen instead."""
    if not cond:
        raise AssertionError(what if detail is None else "%s: %r" % (what, detail))
    print("ok -", what)


class Central:
    """The central folder and its verbs (every one with --json)."""

    def __init__(self, binary, folder):
        self.binary, self.folder = binary, folder

    def run(self, *args, env=None):
        e = dict(os.environ, **(env or {}))
        r = subprocess.run([self.binary, "--json"] + list(args), capture_output=True, text=True,
                           timeout=TIMEOUT, env=e)
        out = r.stdout.strip().splitlines()
        return r.returncode, json.loads(out[-1]) if out else None

    def verb(self, *args, env=None):
        return self.run(*args, "--dir", self.folder, env=env)

    def code(self, site="ROMA", expires="24h", env=None):
        status, out = self.verb("enrol-code", "--site", site, "--expires", expires, env=env)
        check(status == 0 and re.fullmatch(r"([A-Z0-9]{4}-){3}[A-Z0-9]{4}", out["code"]),
              "enrol-code gives a grouped code")
        return out


class Server:
    def __init__(self, central):
        self.proc = subprocess.Popen([central.binary, "serve", "--dir", central.folder,
                                      "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                                     text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
        if not ready:
            self.proc.kill()
            raise AssertionError("serve printed no port")
        self.port = int(self.proc.stdout.readline())
        self.ca = os.path.join(central.folder, "ca.pem")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None

    def request(self, method, path, body=None, cert=None, verify=True, source="127.0.0.1"):
        """(status, headers dict, body text) of one request over a new TLS connection."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if verify:
            ctx.load_verify_locations(self.ca)
        else:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if cert:
            ctx.load_cert_chain(*cert)
        data = json.dumps(body).encode() if isinstance(body, dict) else (body or b"")
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT,
                                       source_address=(source, 0))
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            head = "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" % (method, path)
            if method == "POST":
                head += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(data)
            tls.sendall(head.encode() + b"\r\n" + data)
            reply = b""
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                reply += chunk
        head, _, text = reply.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = {k.strip().lower(): v.strip()
                   for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
        return int(lines[0].split()[1]), headers, text.decode()

    def enrol(self, code, csr, source="127.0.0.1"):
        status, headers, text = self.request("POST", "/v1/enrol", {"code": code, "csr": csr},
                                             source=source)
        return status, headers, json.loads(text) if text.startswith("{") else text


class Device:
    """A key and its request, made by the openssl command line."""

    def __init__(self, folder, name):
        self.key = os.path.join(folder, name + ".key")
        self.cert = os.path.join(folder, name + ".pem")
        self.csr_path = os.path.join(folder, name + ".csr")
        r = subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-keyout", self.key,
                            "-subj", "/CN=%s/O=Agenda Elettronica" % name, "-out", self.csr_path],
                           capture_output=True, text=True, timeout=TIMEOUT)
        check(r.returncode == 0, "openssl made the key and request of %s" % name)
        with open(self.csr_path) as f:
            self.csr = f.read()

    def new_csr(self):
        """Another request signed by the same key."""
        r = subprocess.run(["openssl", "req", "-new", "-key", self.key, "-subj",
                            "/CN=renew/O=Agenda Elettronica"], capture_output=True, text=True,
                           timeout=TIMEOUT)
        return r.stdout

    def store(self, certificate):
        with open(self.cert, "w") as f:
            f.write(certificate)

    def pair(self):
        return (self.cert, self.key)


def x509(pem, *fields):
    r = subprocess.run(["openssl", "x509", "-noout"] + list(fields), input=pem,
                       capture_output=True, text=True, timeout=TIMEOUT)
    return r.stdout.strip()


def store_args():
    pg = os.environ.get("AGENDA_CENTRAL_PG")  # set by with_postgres.sh: the PostgreSQL run
    if not pg:
        return []
    host = dict(kv.split("=", 1) for kv in pg.split())["host"]
    return ["--store", "postgresql://agenda@/postgres?host=%s" % host]


def test_first_enrolment(central, server, tmp):
    status, headers, pem = server.request("GET", "/v1/ca", verify=False)
    check(status == 200 and headers.get("content-type") == "application/x-pem-file"
          and pem == open(server.ca).read(), "GET /v1/ca gives ca.pem without verifying")
    code = central.code()
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
    check(code["ca_fingerprint"].replace(" ", "") == digest,
          "the fingerprint enrol-code prints is the SHA-256 of the CA /v1/ca gives")
    dev = Device(tmp, "first")
    typed = code["code"].lower().replace("-", " ")  # as a technician may type it
    status, _, body = server.enrol(typed, dev.csr)
    check(status == 200 and body["device_id"] == "ROMA-0001" and body["site"] == "ROMA",
          "enrol answers 200 with device id ROMA-0001 (%s)" % status)
    check(body["ca"] == pem and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                                             body["not_after"]), "the answer carries ca and not_after")
    check("CN = ROMA-0001" in x509(body["certificate"], "-subject"),
          "the certificate's CN is the device id central chose, not the CSR's")
    dev.store(body["certificate"])
    status, _, text = server.request("GET", "/v1/device/whoami", cert=dev.pair())
    check(status == 200 and json.loads(text)["device_id"] == "ROMA-0001",
          "whoami with the new certificate answers ROMA-0001")
    again = server.enrol(code["code"], dev.csr)
    check(again[0] == 200 and again[2] == body,
          "the same key with the same code again gets the same answer (same certificate)")
    return dev, code


def test_refusals(central, server, tmp):
    dev = Device(tmp, "refused")
    good = central.code()["code"]
    for body, what in ((b"not json", "a body that is not JSON"),
                       ({"code": good}, "no csr"),
                       ({"csr": dev.csr}, "no code"),
                       ({"code": good, "csr": "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
                                          "-----END CERTIFICATE REQUEST-----\n"},
                        "an unreadable CSR")):
        status, _, text = server.request("POST", "/v1/enrol", body)
        answer = json.loads(text)
        check(status == 400 and answer["error"] == "bad_request" and answer["message"]
              and answer["message_en"], "400 bad_request for %s" % what)
    # a request whose signature does not match its key: one byte of the signature changed
    der = ssl.PEM_cert_to_DER_cert(dev.csr.replace("CERTIFICATE REQUEST", "CERTIFICATE"))
    forged = ssl.DER_cert_to_PEM_cert(der[:-3] + bytes([der[-3] ^ 1]) + der[-2:]).replace(
        "CERTIFICATE", "CERTIFICATE REQUEST")
    status, _, answer = server.enrol(good, forged)
    check(status == 400 and answer["error"] == "bad_request",
          "400 bad_request for a CSR whose signature is wrong")
    wrong = good[:-1] + ("2" if good[-1] != "2" else "3")
    status, _, answer = server.enrol(wrong, dev.csr)
    check(status == 400 and answer["error"] == "code_malformed",
          "400 code_malformed for a wrong check character")
    expired = central.code(env={"AGENDA_NOW": "@%d" % (time.time() - 2 * 86400)})
    status, _, answer = server.enrol(expired["code"], dev.csr)
    check(status == 410 and answer["error"] == "code_expired",
          "410 code_expired for a code made two days ago valid for 24 h")
    other = Device(tmp, "other")
    status, _, first = server.enrol(good, other.csr)
    check(status == 200, "the good code enrols another key (%s)" % status)
    status, _, answer = server.enrol(good, dev.csr)
    check(status == 410 and answer["error"] == "code_used",
          "410 code_used for the same code with a different key", (status, answer))
    return first["device_id"]


def unknown_code(n):
    """A well-formed code (right check character) that central never made."""
    alphabet = "2346789ABCDEFGHJKMNPQRTUVWXYZ"
    body = [alphabet[(n * 7 + i * 3) % 29] for i in range(15)]
    total = sum((i + 1) * alphabet.index(ch) for i, ch in enumerate(body))
    check_value = next(v for v in range(29) if (total + 16 * v) % 29 == 0)
    text = "".join(body) + alphabet[check_value]
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


def test_throttle(central, server, tmp):
    dev = Device(tmp, "guesser")
    good = central.code()["code"]
    answers = [server.enrol(unknown_code(n), dev.csr, source="127.0.0.3") for n in range(4)]
    answers.append(server.enrol(good[:-1] + ("2" if good[-1] != "2" else "3"), dev.csr,
                                source="127.0.0.3"))
    check([a[0] for a in answers] == [403] * 4 + [400]
          and all(a[2]["error"] == "code_unknown" for a in answers[:4]),
          "4 unknown codes (403 code_unknown) and a malformed one (400) from 127.0.0.3",
          [(a[0], a[2]) for a in answers])
    status, headers, answer = server.enrol(good, dev.csr, source="127.0.0.3")
    retry = int(headers.get("retry-after", "0"))
    check(status == 429 and answer["error"] == "throttled" and 850 <= retry <= 900,
          "the 6th attempt, even with a good code, is 429 throttled, Retry-After %d s" % retry,
          (status, answer))
    second = Server(central)  # another server on the same store: the block is the store's
    try:
        status, headers, _ = second.enrol(good, dev.csr, source="127.0.0.3")
        check(status == 429 and int(headers.get("retry-after", "0")) > 0,
              "a second server on the same store refuses the address too (429)")
    finally:
        second.stop()
    status, _, answer = server.enrol(good, dev.csr, source="127.0.0.4")
    check(status == 200, "another address (127.0.0.4) is not throttled and enrols",
          (status, answer))
    return answer["device_id"]


def test_race(central, server, tmp):
    code = central.code()["code"]
    devices = [Device(tmp, "racer%d" % i) for i in range(8)]
    results = [None] * len(devices)
    barrier = threading.Barrier(len(devices))

    def run(i):
        barrier.wait()
        results[i] = server.enrol(code, devices[i].csr)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(devices))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    statuses = sorted(r[0] for r in results)
    check(statuses == [200] + [410] * 7 and
          all(r[2]["error"] == "code_used" for r in results if r[0] == 410),
          "8 keys racing for one code: exactly one 200, seven 410 code_used (%s)" % statuses)
    status, listing = central.verb("device", "list")
    winner = next(r[2]["device_id"] for r in results if r[0] == 200)
    check(status == 0 and sum(d["device_id"] == winner for d in listing["devices"]) == 1,
          "the store holds exactly one device for the code")
    return len(listing["devices"])


def test_renew_and_revoke(central, server, dev, tmp):
    old_serial = x509(open(dev.cert).read(), "-serial")
    status, _, text = server.request("POST", "/v1/device/renew", {"csr": dev.new_csr()},
                                     cert=dev.pair())
    answer = json.loads(text)
    check(status == 200 and answer["device_id"] == "ROMA-0001",
          "renew answers 200 for the device (%s)" % status)
    check(x509(answer["certificate"], "-serial") != old_serial and
          "CN = ROMA-0001" in x509(answer["certificate"], "-subject"),
          "the new certificate has a new serial and the same CN")
    dev.store(answer["certificate"])
    status, _, text = server.request("GET", "/v1/device/whoami", cert=dev.pair())
    check(status == 200 and "ROMA-0001" in text, "the renewed certificate logs in")
    stranger = Device(tmp, "stranger")
    status, _, text = server.request("POST", "/v1/device/renew", {"csr": stranger.csr},
                                     cert=dev.pair())
    check(status == 400 and json.loads(text)["error"] == "bad_request",
          "renew with a request of another key: 400 bad_request")
    status, _, text = server.request("POST", "/v1/device/renew", b"{", cert=dev.pair())
    check(status == 400 and json.loads(text)["error"] == "bad_request",
          "renew with a body that is not JSON: 400 bad_request")
    status, out = central.verb("device", "revoke", "--device", "ROMA-0001")
    check(status == 0 and out["device_id"] == "ROMA-0001" and out["revoked_at"],
          "device revoke ROMA-0001")
    for method, path, body in (("GET", "/v1/device/whoami", None),
                               ("POST", "/v1/device/renew", {"csr": dev.new_csr()})):
        status, _, text = server.request(method, path, body, cert=dev.pair())
        answer = json.loads(text)
        check(status == 403 and answer["error"] == "revoked" and
              answer["message"] == "Dispositivo revocato: rivolgersi all'help desk",
              "%s after revocation: 403 revoked" % path)
    status, out = central.verb("device", "revoke", "--device", "ROMA-0001")
    check(status == 0, "revoking twice is no error")
    status, out = central.verb("device", "revoke", "--device", "ROMA-9999")
    check(status == 3 and out["error"] == "not_found", "revoking an unknown device: exit 3")


def test_listing_and_metrics(central, server, devices):
    status, out = central.verb("device", "list")
    listed = {d["device_id"]: d for d in out["devices"]}
    check(status == 0 and len(listed) == devices and listed["ROMA-0001"]["revoked_at"]
          and listed["ROMA-0002"]["revoked_at"] is None and listed["ROMA-0001"]["site"] == "ROMA",
          "device list: %d devices, ROMA-0001 revoked, ROMA-0002 not" % devices)
    status, _, big = server.request("POST", "/v1/enrol", b"x" * 20000)
    check(status == 413, "a body over 16 KiB: 413")
    status, _, text = server.request("GET", "/metrics")

    def metric(name, label):
        m = re.search(r'^%s\{%s\} (\d+)$' % (re.escape(name), re.escape(label)), text, re.M)
        return int(m.group(1)) if m else None

    check(metric("agenda_central_devices", 'state="active"') == devices - 1 and
          metric("agenda_central_devices", 'state="revoked"') == 1,
          "metrics: enrolled devices by state")
    check(metric("agenda_central_enrol_total", 'outcome="throttled"') == 1 and
          metric("agenda_central_enrol_total", 'outcome="code_unknown"') == 4 and
          metric("agenda_central_enrol_total", 'outcome="repeated"') == 1 and
          metric("agenda_central_enrol_total", 'outcome="too_large"') == 1 and
          metric("agenda_central_device_refused_total", 'reason="revoked"') == 2,
          "metrics: enrolment outcomes and revoked refusals counted")
    check("ROMA-0001" not in text and "127.0.0." not in text,
          "metrics name no device and no address")


def main():
    binary = sys.argv[1]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "central")
        central = Central(binary, folder)
        status, _ = central.run("init", "--dir", folder, "--host", "localhost", *store_args())
        check(status == 0, "init")
        status, _ = central.verb("site", "add", "--code", "ROMA", "--city", "Roma",
                                 "--province", "RM", "--dirigente", "dirigente@interno.it")
        check(status == 0, "site add ROMA")
        server = Server(central)
        try:
            dev, _ = test_first_enrolment(central, server, tmp)
            test_refusals(central, server, tmp)
            test_throttle(central, server, tmp)
            devices = test_race(central, server, tmp)
            test_renew_and_revoke(central, server, dev, tmp)
            test_listing_and_metrics(central, server, devices)
        finally:
            code = server.stop()
        check(code == 0, "SIGTERM stops the server cleanly (exit 0)")
    print("all passed in %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
