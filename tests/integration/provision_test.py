#!/usr/bin/python3
"""provision_test.py — a device enrolled by `agendactl provision` against a real agenda-central.

Real processes on loopback, as the help desk and the technician run them: `agenda-central init
--host localhost`, `site add`, `enrol-code`, `serve --listen 127.0.0.1:0` (port on its first
line); then agendactl (libcurl on mbedTLS) on device databases in a temporary folder. Checked:
  enrolment end to end (device id = the certificate's CN, files 0600, the CA is central's,
  `device list` shows it, /v1/device/whoami with the device's key answers its id, test slip
  printed, `device show`); a repeated run with the same central changes nothing; a wrong
  fingerprint and a man in the middle (central's genuine CA on /v1/ca, its own certificate) are
  refused before the code is spent — the same code then works; a mistyped code is caught with
  nothing sent; unknown, reused and expired codes are refused with central's token; a run cut
  after central answered (device.pem cannot be written) is finished by running it again with
  the same code and the same key, and gets the certificate issued the first time; renew (and --if-due), then revoke makes renew refused;
  a printer fault does not undo the enrolment; central unreachable is exit 16; factory-reset
  wants the exact device id and then removes every file; 5 wrong codes throttle the address.
Under tests/central/with_postgres.sh (AGENDA_CENTRAL_PG set) central's store is that PostgreSQL.
Usage: provision_test.py AGENDACTL AGENDA_CENTRAL
"""
import calendar
import hashlib
import http.server
import json
import os
import re
import select
import signal
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 30  # seconds for any one step
ALPHABET = "2346789ABCDEFGHJKMNPQRTUVWXYZ"  # core/enrol_code.h


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what)


def with_check_character(fifteen):
    """A well-formed code: the check character makes sum((i+1) * value) = 0 mod 29."""
    total = sum((i + 1) * ALPHABET.index(ch) for i, ch in enumerate(fifteen))
    check_value = next(v for v in range(29) if (total + 16 * v) % 29 == 0)
    code = fifteen + ALPHABET[check_value]
    return "-".join(code[i:i + 4] for i in range(0, 16, 4))


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def cert_subject_cn(pem_path):
    r = subprocess.run(["openssl", "x509", "-in", pem_path, "-noout", "-subject", "-nameopt",
                        "multiline"], capture_output=True, text=True, timeout=TIMEOUT)
    m = re.search(r"commonName\s*=\s*(\S+)", r.stdout)
    return m.group(1) if m else None


def cert_serial(pem_path):
    r = subprocess.run(["openssl", "x509", "-in", pem_path, "-noout", "-serial"],
                       capture_output=True, text=True, timeout=TIMEOUT)
    return r.stdout.strip()


def cert_not_after(pem_path):
    """notAfter as epoch seconds."""
    r = subprocess.run(["openssl", "x509", "-in", pem_path, "-noout", "-enddate"],
                       capture_output=True, text=True, timeout=TIMEOUT)
    return int(ssl.cert_time_to_seconds(r.stdout.strip().split("=", 1)[1]))


def iso_seconds(text):
    """'2028-01-02T09:00:00Z' as epoch seconds."""
    return int(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Central:
    def __init__(self, binary, folder):
        self.binary, self.folder = binary, folder
        self.proc = None

    def run(self, *args, env=None):
        e = dict(os.environ, **(env or {}))
        r = subprocess.run([self.binary, "--json"] + list(args), capture_output=True, text=True,
                           timeout=TIMEOUT, env=e)
        lines = r.stdout.strip().splitlines()
        return r.returncode, json.loads(lines[-1]) if lines else None, r.stderr

    def verb(self, *args, env=None):
        return self.run(*args, "--dir", self.folder, env=env)

    def init(self):
        pg = os.environ.get("AGENDA_CENTRAL_PG")  # set by with_postgres.sh
        store = ["--store", "postgresql://agenda@/postgres?host=%s"
                 % dict(kv.split("=", 1) for kv in pg.split())["host"]] if pg else []
        status, out, err = self.run("init", "--dir", self.folder, "--host", "localhost", *store)
        check(status == 0, "agenda-central init --host localhost%s (%s)"
              % (" on PostgreSQL" if pg else "", err.strip()))
        self.fingerprint = out["ca_fingerprint"]
        status, _, err = self.verb("site", "add", "--code", "ROMA", "--city", "Roma",
                                   "--province", "RM", "--province", "LT", "--dirigente",
                                   "dirigente.roma@example.invalid")
        check(status == 0, "site add ROMA (%s)" % err.strip())

    def code(self, env=None):
        status, out, err = self.verb("enrol-code", "--site", "ROMA", "--expires", "24h", env=env)
        check(status == 0 and out["ca_fingerprint"] == self.fingerprint,
              "enrol-code gives a code and the CA fingerprint (%s)" % err.strip())
        return out["code"]

    def devices(self):
        status, out, _ = self.verb("device", "list")
        check(status == 0, "agenda-central device list")
        return {d["device_id"]: d for d in out["devices"]}

    def serve(self):
        self.proc = subprocess.Popen([self.binary, "serve", "--dir", self.folder, "--listen",
                                      "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
        if not ready:
            self.proc.kill()
            raise AssertionError("serve printed no port")
        self.port = int(self.proc.stdout.readline())
        self.url = "https://localhost:%d" % self.port
        check(0 < self.port < 65536, "agenda-central serve on port %d" % self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def whoami(self, cert, key):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(os.path.join(self.folder, "ca.pem"))
        ctx.load_cert_chain(cert, key)
        with socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"GET /v1/device/whoami HTTP/1.1\r\nHost: localhost\r\n"
                            b"Connection: close\r\n\r\n")
                data = b""
                while True:
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]), json.loads(body)


class Device:
    """One device: its own folder and database, driven through agendactl --json."""

    def __init__(self, agendactl, root, name):
        self.agendactl = agendactl
        self.dir = os.path.join(root, name)
        os.mkdir(self.dir, 0o700)
        self.db = os.path.join(self.dir, "agenda.db")
        self.slips = os.path.join(self.dir, "slips")
        os.mkdir(self.slips)
        r = self.run("init", "--site", "Roma")
        check(r.returncode == 0, "%s: agendactl init" % name)
        self.name = name

    def run(self, *args, env=None):
        e = dict(os.environ, TZ="Europe/Rome", **(env or {}))
        e.pop("AGENDA_NOW", None)
        r = subprocess.run([self.agendactl, "--db", self.db, "--json"] + list(args),
                           capture_output=True, text=True, timeout=TIMEOUT + 15, env=e)
        lines = r.stdout.strip().splitlines()
        r.json = json.loads(lines[-1]) if lines else None
        return r

    def provision(self, url, code, fingerprint, printer=None, *extra):
        return self.run("provision", "--central", url, "--code", code, "--ca-fingerprint",
                        fingerprint, "--printer", printer or "virtual:" +
                        os.path.join(self.slips, "test"), "--timeout", "10", *extra)

    def path(self, name):
        return os.path.join(self.dir, name)

    def exists(self, name):
        return os.path.exists(self.path(name))


class ManInTheMiddle:
    """A TLS server with its own certificate for localhost that hands out central's genuine CA
    on GET /v1/ca (so the fingerprint matches) and records every request that reaches it."""

    def __init__(self, folder, genuine_ca):
        key, cert = os.path.join(folder, "mitm.key"), os.path.join(folder, "mitm.pem")
        r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                            "-days", "2", "-subj", "/CN=localhost", "-addext",
                            "subjectAltName=DNS:localhost"], capture_output=True, text=True,
                           timeout=TIMEOUT)
        check(r.returncode == 0, "openssl made the man in the middle's certificate")
        with open(genuine_ca, "rb") as f:
            ca = f.read()
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append(("GET", self.path))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-pem-file")
                self.send_header("Content-Length", str(len(ca)))
                self.end_headers()
                self.wfile.write(ca)

            def do_POST(self):
                seen.append(("POST", self.path))
                self.send_response(500)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.url = "https://localhost:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_local_refusals(central, root, agendactl):
    dev = Device(agendactl, root, "typo")
    code = central.code()
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    # Nothing listens at that address: a refusal here proves nothing was sent.
    nowhere = "https://localhost:%d" % closed_port()
    r = dev.provision(nowhere, typo, central.fingerprint)
    check(r.returncode == 9 and "nessun tentativo" in r.stderr + json.dumps(r.json),
          "a mistyped code is caught on the device (exit 9), nothing sent")
    r = dev.provision(nowhere, code, central.fingerprint[:20])
    check(r.returncode == 9, "a fingerprint cut short is refused on the device (exit 9)")
    r = dev.provision("https://127.0.0.1:%d" % central.port, code, central.fingerprint)
    check(r.returncode == 9, "an IP address for central is refused (mbedTLS matches names only)")
    r = dev.provision(nowhere, code, central.fingerprint)
    check(r.returncode == 16 and r.json["error"] == "network",
          "central unreachable: exit 16, error network")
    check(not dev.exists("device.key") and not dev.exists("device.pem"),
          "none of these refusals made a key or wrote a certificate")
    return code  # never sent: still good


def test_wrong_ca_keeps_the_code(central, root, agendactl, code):
    dev = Device(agendactl, root, "wrongca")
    fp = central.fingerprint
    wrong = ("0" if fp[0] != "0" else "1") + fp[1:]
    r = dev.provision(central.url, code, wrong)
    check(r.returncode == 4 and "impronta" in r.json["message"],
          "a wrong CA fingerprint is refused (exit 4), the message names the fingerprint")
    check(not dev.exists("device.key") and not dev.exists("ca.pem"),
          "after a fingerprint mismatch no key is made and no CA stored")
    mitm = ManInTheMiddle(root, os.path.join(central.folder, "ca.pem"))
    try:
        r = dev.provision(mitm.url, code, central.fingerprint)
        check(r.returncode == 4 and "Nulla è stato inviato" in r.json["message"],
              "a man in the middle with central's genuine CA on /v1/ca but its own certificate "
              "fails the pinned TLS handshake (exit 4)")
        check(mitm.seen == [("GET", "/v1/ca")],
              "the man in the middle got GET /v1/ca only: the code never reached it")
    finally:
        mitm.stop()
    check(not dev.exists("device.pem") and dev.run("device", "show").json["provisioned"] is False,
          "the device is still not enrolled")
    return dev


def test_enrolment(central, dev, code):
    before = set(central.devices())
    r = dev.provision(central.url, code.lower().replace("-", " "), central.fingerprint.lower())
    check(r.returncode == 0 and r.json["provisioned"] and r.json["printed"],
          "provision with the code kept from the refused runs (typed in lower case, spaces): "
          "exit 0 (%s)" % r.stderr.strip())
    device_id = r.json["device_id"]
    check(re.fullmatch(r"ROMA-\d{4}", device_id) and r.json["site"] == "ROMA",
          "central chose the device id %s for site ROMA" % device_id)
    check(cert_subject_cn(dev.path("device.pem")) == device_id,
          "the device id is the certificate's CN")
    for name in ("device.key", "device.pem", "ca.pem"):
        check(mode(dev.path(name)) == 0o600, name + " is 0600")
    check(sha256_file(dev.path("ca.pem")) == sha256_file(os.path.join(central.folder, "ca.pem")),
          "ca.pem is central's CA")
    with open(dev.path("device.key")) as f:
        check("PRIVATE KEY" in f.read(), "device.key holds the private key (never sent)")
    listed = central.devices()
    check(set(listed) - before == {device_id} and listed[device_id]["site"] == "ROMA"
          and listed[device_id]["revoked_at"] is None,
          "agenda-central device list shows %s" % device_id)
    status, answer = central.whoami(dev.path("device.pem"), dev.path("device.key"))
    check(status == 200 and answer["device_id"] == device_id,
          "GET /v1/device/whoami with the device's key and certificate answers its id")
    check(os.path.getsize(os.path.join(dev.slips, "test-1.png")) > 0,
          "the test slip was printed (virtual printer)")
    show = dev.run("device", "show").json
    check(show["device_id"] == device_id and show["provisioned"] and
          show["central"] == central.url and show["site"] == "ROMA" and show["not_after"],
          "device show: the id, the central, the site and the certificate's expiry")
    again = dev.provision(central.url, code, central.fingerprint)
    check(again.returncode == 0 and again.json["resumed"] and
          again.json["device_id"] == device_id and set(central.devices()) == set(listed),
          "provision run again with the same central: nothing changes (resumed)")
    return device_id


def test_code_refusals(central, root, agendactl, used_code):
    dev = Device(agendactl, root, "second")
    r = dev.provision(central.url, used_code, central.fingerprint)
    check(r.returncode == 4 and r.json["server_error"] == "code_used" and
          "già usato" in r.json["message"],
          "a code used by another device is refused (exit 4, code_used)")
    expired = central.code(env={"AGENDA_NOW": "@%d" % (time.time() - 2 * 86400)})
    r = dev.provision(central.url, expired, central.fingerprint)
    check(r.returncode == 4 and r.json["server_error"] == "code_expired" and
          "scaduto" in r.json["message"],
          "an expired code is refused (exit 4, code_expired)")
    unknown = with_check_character("2346789ABCDEFGH")
    r = dev.provision(central.url, unknown, central.fingerprint)
    check(r.returncode == 3 and r.json["server_error"] == "code_unknown",
          "a well-formed code central never issued is refused (exit 3, code_unknown)")
    check(dev.run("device", "show").json["provisioned"] is False,
          "after these refusals the device is still not enrolled")
    return dev


def test_cut_run_is_finished_by_running_again(central, dev):
    code = central.code()
    before = set(central.devices())
    os.mkdir(dev.path("device.pem"))  # the certificate cannot be written: a cut after the answer
    r = dev.provision(central.url, code, central.fingerprint)
    check(r.returncode != 0 and dev.run("device", "show").json["provisioned"] is False,
          "a run that cannot store the certificate fails and the device is not enrolled")
    added = set(central.devices()) - before
    check(len(added) == 1, "central consumed the code and recorded the device")
    key_hash = sha256_file(dev.path("device.key"))
    device_id = added.pop()
    issued_until = iso_seconds(central.devices()[device_id]["not_after"])
    os.rmdir(dev.path("device.pem"))
    time.sleep(1.1)  # a certificate issued now would end at least a second later
    r = dev.provision(central.url, code, central.fingerprint)
    check(r.returncode == 0 and r.json["device_id"] == device_id,
          "the same command again (same code, same key) finishes the enrolment, same device id")
    check(cert_not_after(dev.path("device.pem")) == issued_until,
          "and the certificate is the one central issued on the cut run (same notAfter)")
    check(sha256_file(dev.path("device.key")) == key_hash, "the key was reused, not remade")
    check(set(central.devices()) - before == {r.json["device_id"]},
          "still exactly one device for that code")


def test_renew_and_revoke(central, dev, device_id):
    serial = cert_serial(dev.path("device.pem"))
    r = dev.run("renew", "--if-due")
    check(r.returncode == 0 and r.json["renewed"] is False,
          "renew --if-due with a year left: nothing sent")
    r = dev.run("renew", "--timeout", "10")
    check(r.returncode == 0 and r.json["renewed"] and r.json["device_id"] == device_id,
          "renew: a new certificate (%s)" % r.stderr.strip())
    check(cert_serial(dev.path("device.pem")) != serial and
          cert_subject_cn(dev.path("device.pem")) == device_id and
          mode(dev.path("device.pem")) == 0o600,
          "device.pem replaced: new serial, same CN, still 0600")
    status, answer = central.whoami(dev.path("device.pem"), dev.path("device.key"))
    check(status == 200 and answer["device_id"] == device_id, "the renewed certificate works")
    status, out, _ = central.verb("device", "revoke", "--device", device_id)
    check(status == 0, "agenda-central device revoke %s" % device_id)
    renewed = sha256_file(dev.path("device.pem"))
    r = dev.run("renew", "--timeout", "10")
    check(r.returncode == 4 and r.json["server_error"] == "revoked" and
          "Dispositivo revocato" in r.json["message"],
          "a revoked device is refused on renew (exit 4, revoked)")
    check(sha256_file(dev.path("device.pem")) == renewed, "device.pem is left as it was")


def test_printer_fault_keeps_enrolment(central, root, agendactl):
    dev = Device(agendactl, root, "nopaper")
    code = central.code()
    r = dev.provision(central.url, code, central.fingerprint,
                      "tcp:127.0.0.1:%d" % closed_port())
    check(r.returncode == 13 and r.json["provisioned"] and r.json["printed"] is False and
          "resta valida" in r.json["message"],
          "a printer fault after enrolment: exit 13, the enrolment stands and the message says so")
    check(dev.run("device", "show").json["provisioned"], "the device is enrolled")
    return dev


def test_factory_reset(dev):
    device_id = dev.run("device", "show").json["device_id"]
    r = dev.run("factory-reset", "--confirm", device_id.lower())
    check(r.returncode == 4 and dev.exists("device.key") and dev.exists("agenda.db"),
          "factory-reset with a confirmation that is not the id: exit 4, nothing deleted")
    check(device_id not in r.stdout + r.stderr, "the refusal does not give the id away")
    r = dev.run("factory-reset", "--confirm", device_id)
    check(r.returncode == 0 and r.json["factory_reset"], "factory-reset --confirm %s" % device_id)
    left = [n for n in os.listdir(dev.dir) if n != "slips"]
    check(left == [], "factory-reset removed the key, certificates, database and its files "
          "(left: %s)" % left)


def test_throttling(central, root, agendactl):
    """One unknown code was already tried from 127.0.0.1 (test_code_refusals): four more make
    five within 15 minutes, and the address is blocked."""
    dev = Device(agendactl, root, "guesser")
    statuses = []
    for i in range(4):
        r = dev.provision(central.url, with_check_character("ZYXWVUTRQPNMKH" + ALPHABET[i]),
                          central.fingerprint)
        statuses.append((r.returncode, (r.json or {}).get("server_error")))
    check(statuses == [(3, "code_unknown")] * 4,
          "four more wrong codes: each refused as unknown (exit 3)")
    r = dev.provision(central.url, central.code(), central.fingerprint)
    check(r.returncode == 4 and r.json["server_error"] == "throttled" and
          r.json["retry_after"] > 0 and str(r.json["retry_after"]) in r.json["message"],
          "then even a good code is throttled: exit 4, retry_after %s s in the message"
          % r.json.get("retry_after"))
    check(dev.run("device", "show").json["provisioned"] is False, "and nothing was enrolled")


def main():
    agendactl, binary = sys.argv[1], sys.argv[2]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="agenda-provision-") as root:
        central = Central(binary, os.path.join(root, "central"))
        central.init()
        central.serve()
        try:
            code = test_local_refusals(central, root, agendactl)
            dev = test_wrong_ca_keeps_the_code(central, root, agendactl, code)
            device_id = test_enrolment(central, dev, code)
            second = test_code_refusals(central, root, agendactl, code)
            test_cut_run_is_finished_by_running_again(central, second)
            test_renew_and_revoke(central, dev, device_id)
            nopaper = test_printer_fault_keeps_enrolment(central, root, agendactl)
            test_factory_reset(nopaper)
            test_throttling(central, root, agendactl)  # last: it blocks 127.0.0.1
        finally:
            central.stop()
    print("all provisioning checks passed in %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
