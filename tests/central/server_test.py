#!/usr/bin/python3
"""server_test.py — agenda-central init and serve, as real processes on loopback.

Runs `agenda-central init` into a temporary folder, checks the files and the fingerprint, then
starts `agenda-central serve --listen 127.0.0.1:0` (the port is read from its first line, so no
test ever races for one) and talks to it with Python's ssl module (OpenSSL, an implementation
that shares no code with the server's GnuTLS):
  health without a certificate; whoami with a device certificate from the CA but unknown to
  the store is 403 "revoked" (enrol_test.py logs in with an enrolled one); no certificate, a foreign CA's device, an expired certificate and a server certificate
  offered as a client one are refused; TLS 1.1 and a non-AEAD suite fail the handshake;
  /metrics counts the refusals; SIGTERM stops the server with exit 0.
Under tests/central/with_postgres.sh (AGENDA_CENTRAL_PG set) init gets --store on that server.
Usage: server_test.py AGENDA_CENTRAL DEVICE_CERT_TOOL
"""
import hashlib
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
import time
import warnings

warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0/1.1 are asked for on purpose

TIMEOUT = 10  # seconds for any one step


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what)


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT)


def start_server(binary, folder):
    proc = subprocess.Popen([binary, "serve", "--dir", folder, "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
    if not ready:
        proc.kill()
        raise AssertionError("serve printed no port")
    port = int(proc.stdout.readline())
    check(0 < port < 65536, "serve prints the port it picked (%d)" % port)
    return proc, port


def context(ca, cert=None, key=None, version=None, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    if cert:
        ctx.load_cert_chain(cert, key)
    if ciphers:
        ctx.set_ciphers(ciphers)
    if version:
        ctx.minimum_version = version
        ctx.maximum_version = version
    return ctx


def get(port, ctx, path):
    """(status, body) of one GET over a new TLS connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                         % path).encode())
            data = b""
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


def refused(port, ctx, path):
    """'handshake' when TLS refuses, else the HTTP status."""
    try:
        return get(port, ctx, path)[0]
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
        return "handshake"


def metric(text, name, label):
    m = re.search(r'^%s\{%s\} ([0-9.]+)$' % (re.escape(name), re.escape(label)), text, re.M)
    return (float(m.group(1)) if "." in m.group(1) else int(m.group(1))) if m else None


def schema_version():
    """CENTRAL_SCHEMA_VERSION as central/store.h says."""
    header = os.path.join(os.path.dirname(__file__), "..", "..", "central", "store.h")
    with open(header) as f:
        return int(re.search(r"#define CENTRAL_SCHEMA_VERSION (\d+)", f.read()).group(1))


def test_init(binary, folder):
    pg = os.environ.get("AGENDA_CENTRAL_PG")  # set by with_postgres.sh: the PostgreSQL run
    # the libpq URI form, as an administrator would type it
    store = ["--store", "postgresql://agenda@/postgres?host=%s"
             % dict(kv.split("=", 1) for kv in pg.split())["host"]] if pg else []
    r = run(binary, "--json", "init", "--dir", folder, "--host", "localhost",
            "--host", "agenda.interno.it", *store)
    check(r.returncode == 0, "init exits 0 (%s)" % r.stderr.strip())
    if pg:
        version = run("psql", pg + " dbname=postgres", "-tAc",
                      "SELECT max(version) FROM central_schema")
        check(version.returncode == 0 and version.stdout.strip() == str(schema_version()),
              "init made the central schema in PostgreSQL")
    fingerprint = re.search(r'"ca_fingerprint":"([0-9A-F ]+)"', r.stdout).group(1)
    with open(os.path.join(folder, "ca.pem")) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    digest = hashlib.sha256(der).hexdigest().upper()
    check(fingerprint.replace(" ", "") == digest and len(fingerprint) == 79,
          "the printed fingerprint is the CA's SHA-256 in groups of four")
    check(stat.S_IMODE(os.stat(folder).st_mode) == 0o700, "the folder is 0700")
    for key in ("ca.key", "server.key", "store.conf"):
        check(stat.S_IMODE(os.stat(os.path.join(folder, key)).st_mode) == 0o600,
              key + " is 0600")
    check(os.path.exists(os.path.join(folder, "central.db")) != bool(pg),
          "the SQLite store is made unless --store names another")
    with open(os.path.join(folder, "ca.key"), "rb") as f:
        before = f.read()
    again = run(binary, "init", "--dir", folder, "--host", "localhost")
    with open(os.path.join(folder, "ca.key"), "rb") as f:
        check(again.returncode == 4 and f.read() == before,
              "init on a folder with a CA is refused (exit 4) and the key is untouched")


def test_serve(binary, folder, certs):
    ca = os.path.join(folder, "ca.pem")
    proc, port = start_server(binary, folder)
    try:
        status, body = get(port, context(ca), "/v1/health")
        check(status == 200 and '"status":"ok"' in body, "health answers without a certificate")
        device = context(ca, os.path.join(certs, "device.pem"), os.path.join(certs, "device.key"))
        status, body = get(port, device, "/v1/device/whoami")
        # a good certificate is not enough: the device must be in the store (enrol_test.py
        # enrols one and logs in with it)
        check(status == 403 and '"error":"revoked"' in body,
              "whoami with a good certificate of a device unknown to the store: 403 revoked")
        status, body = get(port, context(ca), "/v1/device/whoami")
        check(status == 403 and "Accesso negato" in body, "no client certificate: 403")
        refusals = 0
        for name, key in (("foreign.pem", "foreign.key"), ("expired.pem", "device.key"),
                          ("server-as-client.pem", "server.key")):
            ctx = context(ca, os.path.join(certs, name), os.path.join(certs, key))
            outcome = refused(port, ctx, "/v1/device/whoami")
            check(outcome in (403, "handshake"), "%s refused (%s)" % (name, outcome))
            refusals += outcome == 403
        for version, label in ((ssl.TLSVersion.TLSv1_1, "TLS 1.1"),
                               (ssl.TLSVersion.TLSv1, "TLS 1.0")):
            ctx = context(ca, version=version, ciphers="DEFAULT:@SECLEVEL=0")
            try:
                get(port, ctx, "/v1/health")
                outcome = "accepted"
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError, ConnectionResetError):
                outcome = "closed by the server"
            except ssl.SSLError as e:
                # an alert from the server, not OpenSSL declining to offer the version itself
                outcome = e.reason if "ALERT" in str(e).upper() else "local: %s" % e.reason
            check(outcome == "closed by the server" or "ALERT" in str(outcome).upper(),
                  "%s handshake refused by the server (%s)" % (label, outcome))
        legacy_ok = context(ca, version=ssl.TLSVersion.TLSv1_2, ciphers="DEFAULT:@SECLEVEL=0")
        check(get(port, legacy_ok, "/v1/health")[0] == 200,
              "the same permissive client settings work with TLS 1.2 (control)")
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            check(get(port, context(ca, version=version), "/v1/health")[0] == 200,
                  "%s is accepted" % version.name)
        cbc = context(ca, version=ssl.TLSVersion.TLSv1_2,
                      ciphers="ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384")
        check(refused(port, cbc, "/v1/health") == "handshake",
              "a TLS 1.2 CBC (non-AEAD) suite is refused")
        status, text = get(port, context(ca), "/metrics")
        check(status == 200, "metrics answer without a certificate")
        check(metric(text, "agenda_central_device_refused_total", 'reason="no_certificate"') == 1,
              "metrics count the refusal without a certificate")
        check(metric(text, "agenda_central_device_refused_total", 'reason="untrusted"') ==
              refusals, "metrics count the %d untrusted certificates" % refusals)
        check(metric(text, "agenda_central_device_refused_total", 'reason="revoked"') == 1,
              "metrics count the device unknown to the store")
        check(metric(text, "agenda_central_requests_total", 'route="/v1/device/whoami"') ==
              2 + refusals and metric(text, "agenda_central_errors_total",
                                      'route="/v1/device/whoami"') == 2 + refusals,
              "requests and errors by route")
        whoami = 'route="/v1/device/whoami"'
        count = metric(text, "agenda_central_request_duration_seconds_count", whoami)
        buckets = [metric(text, "agenda_central_request_duration_seconds_bucket",
                          '%s,le="%s"' % (whoami, le)) for le in ("0.001", "0.1", "5", "+Inf")]
        check(count == 2 + refusals and buckets[-1] == count
              and buckets == sorted(buckets) and buckets[2] == count
              and metric(text, "agenda_central_request_duration_seconds_sum", whoami) < 5 * count,
              "answer times: a cumulative histogram by route, every answer counted once")
        check("dev-test-0001" not in text, "metrics name no device")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
    check(code == 0, "SIGTERM stops the server cleanly (exit 0)")


def main():
    binary, tool = sys.argv[1], sys.argv[2]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        folder, certs = os.path.join(tmp, "central"), os.path.join(tmp, "certs")
        os.mkdir(certs)
        test_init(binary, folder)
        r = run(tool, folder, certs)
        check(r.returncode == 0, "device certificates made (%s)" % r.stderr.strip())
        test_serve(binary, folder, certs)
    print("all passed in %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
