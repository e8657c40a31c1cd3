"""pki_openssl_test.py — the agenda's certificates checked by OpenSSL, an oracle sharing no code
with mbedTLS (issue 11, first part).

pki_issue_tool (argv[1]) writes a CA, a server certificate, a device CSR and certificate, a
foreign CA's device certificate and an expired one, all through agenda_pki, under umask 0. Then:
`openssl verify -x509_strict -CAfile` accepts the chain for its purpose only; the foreign and
the expired certificates are refused (the expired one verifies when time is not checked, so
expiry is the only fault); `openssl x509 -text` shows CA:TRUE, keyCertSign/cRLSign, the SAN
dNSNames and the EKUs; `openssl x509 -fingerprint -sha256` equals our grouped fingerprint;
notAfter and the device id read back equal OpenSSL's; key files are 0600 and valid P-256 keys;
the CSR's signature verifies; and a real mutual-TLS handshake between `openssl s_server`
(requiring a client certificate) and `openssl s_client` succeeds with our server and device
certificates and fails with the foreign device's.
"""
import calendar
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

OPENSSL = "/usr/bin/openssl"
TOOL = None


def openssl(*args, check=True, stdin=None):
    r = subprocess.run([OPENSSL, *args], capture_output=True, text=True, timeout=60, input=stdin)
    if check and r.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} failed: {r.stdout}{r.stderr}")
    return r


def digits(fingerprint):
    return re.sub(r"[\s:\-]", "", fingerprint).upper()


class PkiOpenSsl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pki_openssl.")
        subprocess.run([TOOL, cls.dir, "42"], check=True, timeout=60,
                       preexec_fn=lambda: os.umask(0))
        with open(os.path.join(cls.dir, "info.json")) as f:
            cls.info = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def verify(self, cert, ca="ca.pem", *extra):
        return openssl("verify", "-x509_strict", "-CAfile", self.path(ca), *extra,
                       self.path(cert), check=False)

    def text(self, cert):
        return openssl("x509", "-in", self.path(cert), "-noout", "-text").stdout

    def test_chain_verifies_for_its_purpose_only(self):
        for cert, purpose in (("server.pem", "sslserver"), ("device.pem", "sslclient")):
            r = self.verify(cert, "ca.pem", "-purpose", purpose)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn(": OK", r.stdout)
        r = self.verify("server.pem", "ca.pem", "-purpose", "sslclient")
        self.assertNotEqual(r.returncode, 0)
        r = self.verify("device.pem", "ca.pem", "-purpose", "sslserver")
        self.assertNotEqual(r.returncode, 0)
        r = self.verify("server.pem", "ca.pem", "-verify_hostname", "localhost")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.verify("server.pem", "ca.pem", "-verify_hostname", "evil.example")
        self.assertNotEqual(r.returncode, 0)

    def test_foreign_ca_is_refused(self):
        r = self.verify("foreign-device.pem")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("unable to get local issuer certificate", r.stdout + r.stderr)
        # the foreign chain is itself well formed: only the CA differs
        r = self.verify("foreign-device.pem", "foreign-ca.pem")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_expired_is_refused_and_only_for_expiry(self):
        r = self.verify("expired-device.pem")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("certificate has expired", r.stdout + r.stderr)
        # (the CA was made "now": no single instant fits both, so check the leaf's dates alone)
        end = openssl("x509", "-in", self.path("expired-device.pem"), "-noout", "-enddate").stdout
        self.assertIn("Jan 31 00:00:00 2020 GMT", end)
        r = openssl("x509", "-in", self.path("expired-device.pem"), "-noout", "-checkend", "0",
                    check=False)
        self.assertNotEqual(r.returncode, 0)
        r = self.verify("expired-device.pem", "ca.pem", "-no_check_time")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_ca_extensions(self):
        t = self.text("ca.pem")
        self.assertRegex(t, r"Basic Constraints: critical\s+CA:TRUE, pathlen:0")
        self.assertRegex(t, r"Key Usage: critical\s+Certificate Sign, CRL Sign")
        self.assertIn("ASN1 OID: prime256v1", t)
        self.assertIn("Signature Algorithm: ecdsa-with-SHA256", t)
        self.assertIn("Subject: CN = Agenda Elettronica CA, O = Agenda Elettronica", t)
        self.assertIn("X509v3 Subject Key Identifier", t)

    def test_server_extensions(self):
        t = self.text("server.pem")
        self.assertRegex(t, r"Subject Alternative Name:\s+DNS:agenda.interno.it, DNS:localhost")
        self.assertRegex(t, r"Extended Key Usage:\s+TLS Web Server Authentication\n")
        self.assertRegex(t, r"Basic Constraints: \s+CA:FALSE")
        self.assertRegex(t, r"Key Usage: critical\s+Digital Signature")
        self.assertIn("Issuer: CN = Agenda Elettronica CA, O = Agenda Elettronica", t)

    def test_device_certificate(self):
        t = self.text("device.pem")
        self.assertRegex(t, r"Extended Key Usage:\s+TLS Web Client Authentication\n")
        self.assertNotIn("Subject Alternative Name", t)
        subject = openssl("x509", "-in", self.path("device.pem"), "-noout", "-subject",
                          "-nameopt", "RFC2253").stdout.strip()
        self.assertEqual(subject, "subject=O=Agenda Elettronica,CN=dev-roma-0001")
        self.assertEqual(self.info["device_id"], "dev-roma-0001")
        end = openssl("x509", "-in", self.path("device.pem"), "-noout", "-enddate").stdout
        not_after = calendar.timegm(time.strptime(end.strip().split("=", 1)[1],
                                                  "%b %d %H:%M:%S %Y %Z"))
        self.assertEqual(not_after, self.info["device_not_after"])
        self.assertEqual(not_after, self.info["now"] + 397 * 86400)
        # the certificate's public key is the device's own
        pub_cert = openssl("x509", "-in", self.path("device.pem"), "-noout", "-pubkey").stdout
        pub_key = openssl("pkey", "-in", self.path("device.key"), "-pubout").stdout
        self.assertEqual(pub_cert, pub_key)

    def test_serials_are_16_random_bytes(self):
        serials = set()
        for cert in ("ca.pem", "server.pem", "device.pem", "expired-device.pem"):
            s = openssl("x509", "-in", self.path(cert), "-noout", "-serial").stdout.strip()
            hexpart = s.split("=", 1)[1]
            self.assertEqual(len(hexpart), 32, s)
            self.assertLess(int(hexpart[0], 16), 8)  # positive
            serials.add(hexpart)
        self.assertEqual(len(serials), 4)

    def test_fingerprints_match_openssl(self):
        for cert, key in (("ca.pem", "ca_fingerprint"), ("server.pem", "server_fingerprint"),
                          ("device.pem", "device_fingerprint")):
            out = openssl("x509", "-in", self.path(cert), "-noout", "-fingerprint",
                          "-sha256").stdout
            theirs = out.strip().split("=", 1)[1]
            ours = self.info[key]
            self.assertRegex(ours, r"^([0-9A-F]{4} ){15}[0-9A-F]{4}$")
            self.assertEqual(digits(theirs), digits(ours))

    def test_keys_are_private_p256(self):
        for key in ("ca.key", "server.key", "device.key", "foreign-ca.key"):
            mode = stat.S_IMODE(os.stat(self.path(key)).st_mode)
            self.assertEqual(mode, 0o600, f"{key} is {mode:o} under umask 0")
            r = openssl("ec", "-in", self.path(key), "-noout", "-check", "-text")
            self.assertIn("EC Key valid", r.stdout + r.stderr)
            self.assertIn("prime256v1", r.stdout)

    def test_csr_signature_and_name(self):
        r = openssl("req", "-in", self.path("device.csr"), "-noout", "-verify", "-subject")
        self.assertIn("verify OK", r.stdout + r.stderr)
        self.assertIn("CN = kiosk", r.stdout)

    def start_server(self):
        """openssl s_server requiring a client certificate, listening; (process, port, output).

        The port is picked free and released, so another test may take it first: then s_server
        exits without saying ACCEPT and another port is tried. A watchdog bounds the wait.
        """
        for _ in range(5):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
            server = subprocess.Popen(
                [OPENSSL, "s_server", "-accept", f"127.0.0.1:{port}", "-naccept", "1",
                 "-cert", self.path("server.pem"), "-key", self.path("server.key"),
                 "-CAfile", self.path("ca.pem"), "-Verify", "1", "-verify_return_error",
                 "-tls1_2"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True)
            watchdog = threading.Timer(30, server.kill)
            watchdog.start()
            lines = []
            for line in server.stdout:
                lines.append(line)
                if line.startswith("ACCEPT"):
                    watchdog.cancel()
                    return server, port, lines
            watchdog.cancel()
            server.wait()
        raise AssertionError("openssl s_server never listened: " + "".join(lines))

    def handshake(self, client_cert, client_key):
        """One mutual-TLS handshake; (s_client's result, s_server's whole output)."""
        server, port, lines = self.start_server()
        try:
            client = openssl("s_client", "-connect", f"127.0.0.1:{port}",
                             "-servername", "localhost", "-verify_hostname", "localhost",
                             "-CAfile", self.path("ca.pem"), "-verify_return_error",
                             "-cert", self.path(client_cert), "-key", self.path(client_key),
                             "-tls1_2", check=False, stdin="")
            try:
                rest, _ = server.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                rest, _ = server.communicate()
            return client, "".join(lines) + rest
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()

    def test_mutual_tls_handshake(self):
        client, server_out = self.handshake("device.pem", "device.key")
        both = client.stdout + client.stderr + server_out
        self.assertIn("Verify return code: 0 (ok)", client.stdout, both)
        self.assertIn("CN = dev-roma-0001", server_out, both)
        self.assertIn("CIPHER is", server_out, both)
        client, server_out = self.handshake("foreign-device.pem", "foreign-device.key")
        self.assertIn("unable to get local issuer certificate", server_out)
        self.assertIn("certificate verify failed", server_out)
        self.assertNotIn("CIPHER is", server_out)


if __name__ == "__main__":
    if not os.access(OPENSSL, os.X_OK):
        print("openssl not installed: skipped")
        sys.exit(77)
    TOOL = sys.argv.pop(1)
    unittest.main(verbosity=2)
