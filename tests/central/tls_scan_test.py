#!/usr/bin/python3
"""tls_scan_test.py — agenda-central's TLS versions and suites, as Debian's sslscan sees them.

Starts `agenda-central init --host localhost` and `serve --listen 127.0.0.1:0` as real
processes, runs `sslscan --no-colour 127.0.0.1:PORT` (a scanner built on OpenSSL that tries every
protocol and suite it knows, one handshake each) and asserts from its report: SSLv2, SSLv3,
TLS 1.0 and 1.1 disabled; TLS 1.2 and 1.3 enabled; every accepted suite AEAD (GCM or
CHACHA20-POLY1305) with ECDHE (TLS 1.2) or TLS 1.3's own key exchange; nothing NULL, RC4,
3DES, CBC, EXPORT or anonymous; no heartbleed; no insecure renegotiation. Debian's sslscan is
built without zlib and cannot test compression, so this test offers DEFLATE itself in a raw
TLS 1.2 ClientHello and checks that the server picks the null method.
Exits 77 (skip) only when sslscan is missing (image/setup-debian.sh installs it).
Usage: tls_scan_test.py AGENDA_CENTRAL
"""
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_test import check, run, start_server, TIMEOUT  # noqa: E402

SCAN_TIMEOUT = 60  # seconds; sslscan takes ~0.5 s on loopback, more on a busy machine
AEAD = re.compile(r"GCM|CHACHA20-POLY1305|CHACHA20_POLY1305")
FORBIDDEN = re.compile(r"NULL|RC4|3DES|DES-CBC|CBC|EXP|ADH|AECDH|anon|MD5|IDEA|SEED|CAMELLIA")


def scan(port):
    r = subprocess.run(["sslscan", "--no-colour", "127.0.0.1:%d" % port],
                       capture_output=True, text=True, timeout=SCAN_TIMEOUT)
    check(r.returncode == 0 and "ERROR" not in r.stdout and len(protocols(r.stdout)) == 6,
          "sslscan connected and probed six protocol versions (%s)"
          % (r.stderr.strip() or r.stdout.strip().splitlines()[-1]))
    return r.stdout


def protocols(report):
    """{'TLSv1.2': 'enabled', ...} from the 'SSL/TLS Protocols' block."""
    return dict(re.findall(r"^(SSLv2|SSLv3|TLSv1\.[0-3])\s+(enabled|disabled)\s*$", report, re.M))


def ciphers(report):
    """[(protocol, name, key exchange)] for every Preferred/Accepted line."""
    return re.findall(r"^(?:Preferred|Accepted)\s+(\S+)\s+\d+ bits\s+(\S+)\s*(.*)$", report, re.M)


def check_report(report):
    found = protocols(report)
    for version in ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1"):
        check(found.get(version) == "disabled", "%s disabled" % version)
    for version in ("TLSv1.2", "TLSv1.3"):
        check(found.get(version) == "enabled", "%s enabled" % version)
    suites = ciphers(report)
    check(len(suites) >= 2, "sslscan lists the accepted suites (%d)" % len(suites))
    for version in ("TLSv1.2", "TLSv1.3"):
        check(any(p == version for p, _, _ in suites), "at least one %s suite" % version)
    for protocol, name, exchange in suites:
        check(protocol in ("TLSv1.2", "TLSv1.3"), "%s offered only with TLS 1.2+" % name)
        check(AEAD.search(name) is not None, "%s %s is AEAD" % (protocol, name))
        check(FORBIDDEN.search(name) is None, "%s has no NULL/RC4/3DES/CBC/EXPORT/anon" % name)
        check(protocol == "TLSv1.3" or name.startswith("ECDHE-"),
              "%s %s: ECDHE or TLS 1.3 key exchange (%s)" % (protocol, name, exchange.strip()))
    check(re.search(r"^TLSv1\.2 not vulnerable to heartbleed", report, re.M) is not None and
          re.search(r"^TLSv1\.3 not vulnerable to heartbleed", report, re.M) is not None and
          not re.search(r"^\S+ vulnerable to heartbleed", report, re.M),
          "no heartbleed (TLS 1.2 and 1.3 probed)")
    check("Insecure session renegotiation" not in report, "no insecure renegotiation")
    compression = re.search(r"TLS Compression:\s*\n(.*)", report).group(1).strip()
    check(compression in ("Compression disabled",
                          "OpenSSL version does not support compression"),
          "sslscan's compression probe: %s" % compression)
    return compression == "Compression disabled"


def client_hello_with_deflate():
    """A TLS 1.2 ClientHello offering compression methods DEFLATE (1) and null (0)."""
    def extension(kind, body):
        return struct.pack("!HH", kind, len(body)) + body

    host = b"localhost"
    sni = struct.pack("!HBH", len(host) + 3, 0, len(host)) + host
    groups = struct.pack("!HH", 2, 0x0017)  # secp256r1
    point_formats = bytes([1, 0])  # uncompressed
    signatures = struct.pack("!HHH", 4, 0x0403, 0x0804)  # ecdsa_secp256r1_sha256, rsa_pss
    extensions = (extension(0x0000, sni) + extension(0x000a, groups) +
                  extension(0x000b, point_formats) + extension(0x000d, signatures) +
                  extension(0xff01, b"\x00"))  # renegotiation_info: an initial handshake
    suites = struct.pack("!HHH", 4, 0xC02B, 0xC02C)  # ECDHE-ECDSA-AES128/256-GCM
    body = (b"\x03\x03" + os.urandom(32) + b"\x00" + suites + bytes([2, 1, 0]) +
            struct.pack("!H", len(extensions)) + extensions)
    handshake = bytes([1]) + len(body).to_bytes(3, "big") + body
    return bytes([22, 3, 1]) + struct.pack("!H", len(handshake)) + handshake


def read_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise AssertionError("the server closed the connection after the ClientHello")
        data += chunk
    return data


def compression_chosen(port):
    """The compression method of the server's ServerHello to a hello offering DEFLATE."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(client_hello_with_deflate())
        kind, _, length = struct.unpack("!BHH", read_exactly(sock, 5))
        record = read_exactly(sock, length)
    check(kind == 22 and record[0] == 2, "the server answers with a ServerHello (record %d)"
          % kind)
    session_id_length = record[4 + 2 + 32]
    offset = 4 + 2 + 32 + 1 + session_id_length + 2
    return record[offset]


def main():
    binary = sys.argv[1]
    if shutil.which("sslscan") is None:
        print("SKIP: sslscan not installed (sh image/setup-debian.sh installs it)")
        sys.exit(77)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "central")
        r = run(binary, "init", "--dir", folder, "--host", "localhost")
        check(r.returncode == 0, "init exits 0 (%s)" % r.stderr.strip())
        proc, port = start_server(binary, folder)
        try:
            scan_started = time.monotonic()
            report = scan(port)
            print("sslscan took %.2f s" % (time.monotonic() - scan_started))
            print(report)
            probed = check_report(report)
            method = compression_chosen(port)
            check(method == 0, "DEFLATE offered in a TLS 1.2 ClientHello: the server picks "
                  "the null method (%d)%s" % (method, "" if probed else
                                               ", the probe sslscan could not make"))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = None
        check(code == 0, "SIGTERM stops the server cleanly (exit 0)")
    print("all passed in %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
