"""mail_harness.py — the device's mail tests: agendactl and the real SMTP server on loopback.

Shared by tests/integration/mail_*_test.py (stdlib only, /usr/bin/python3). Each test gets a
fresh folder with a database (agendactl_harness.Agenda), its own tests/tools/smtp_server.py
(STARTTLS or SMTPS, AUTH, a control file to change its fault while it runs) and certificates
from tests/tools/smtp_certs.sh made once per module. Every wait is bounded.
"""
import email
import email.header
import email.policy
import glob
import json
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

import agendactl_harness as h

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVER = os.path.join(ROOT, "tests", "tools", "smtp_server.py")
CERTS = os.path.join(ROOT, "tests", "tools", "smtp_certs.sh")
SMTP_USER, SMTP_PASSWORD = "agenda", "pàss-wörd 42"
FROM = "sportello.roma@example.it"
FROM_NAME = "Sportello Unico per l'Immigrazione di Roma – Città"
DIRIGENTE = "dirigente.roma@example.it"


def make_certs(folder):
    subprocess.run(["sh", CERTS, folder], check=True, timeout=60)
    return folder


def decoded_header(raw, name):
    """A header of the raw message decoded as RFC 2047 says (adjacent encoded-words joined):
    Python's structured-header parser keeps the fold between two encoded-words as a space."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", msg[name])  # RFC 5322 2.2.3: drop the CRLF only
    return str(email.header.make_header(email.header.decode_header(unfolded)))


class SmtpServer:
    """tests/tools/smtp_server.py in a child process; faults through its control file."""

    def __init__(self, folder, certs, mode):
        self.folder = folder
        self.maildir = os.path.join(folder, "mail")
        self.control = os.path.join(folder, "smtp-control.json")
        self.set_fault("none")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", SERVER, "--mode", mode, "--cert",
             os.path.join(certs, "server.pem"), "--key", os.path.join(certs, "server.key"),
             "--port", "0", "--maildir", self.maildir, "--user", SMTP_USER, "--password",
             SMTP_PASSWORD, "--control", self.control],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 20)
        line = self.proc.stdout.readline() if ready else ""
        if not line.strip().isdigit():
            self.stop()
            raise AssertionError("smtp_server.py did not start: %r" % line)
        self.port = int(line)

    def set_fault(self, fault, count=0):
        """The fault for the next sessions; the server re-reads the file per session and
        polls it (for "down") every 0.1 s: wait a little after changing it."""
        with open(self.control + ".tmp", "w") as f:
            f.write(json.dumps({"fault": fault, "fault_count": count}) + "\n")
        os.replace(self.control + ".tmp", self.control)
        time.sleep(0.4)

    def messages(self):
        """The accepted messages, parsed, in the order the server took them."""
        out = []
        for path in sorted(glob.glob(os.path.join(self.maildir, "*.eml")),
                           key=lambda p: int(os.path.basename(p).split("-")[0])):
            with open(path, "rb") as f:
                raw = f.read()
            with open(path[:-4] + ".json") as f:
                envelope = json.load(f)
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            out.append((msg, raw, envelope))
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc.stdout.close()
        self.proc.stderr.close()


class MailTest(h.AgendaTest):
    """A database with the standard site, the Dirigente's address and mail configured to a
    fresh server in MODE (the subclass says which)."""

    MODE = "starttls"
    certs_dir = None
    TIMEOUT_S = 3

    @classmethod
    def setUpClass(cls):
        cls.certs_dir = make_certs(tempfile.mkdtemp(prefix="mail-certs-"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certs_dir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.server = SmtpServer(self.folder, self.certs_dir, self.MODE)
        self.addCleanup(self.server.stop)
        self.ag.ok("init", "--site", "Roma", "--dirigente-email", DIRIGENTE)
        self.configure_mail()

    def configure_mail(self, **extra):
        password_file = os.path.join(self.folder, "smtp-password.txt")
        with open(password_file, "w", encoding="utf-8") as f:
            f.write(SMTP_PASSWORD + "\n")
        args = ["mail", "configure", "--host", "localhost", "--port", str(self.server.port),
                "--mode", self.MODE, "--user", SMTP_USER, "--password-file", password_file,
                "--from", FROM, "--from-name", FROM_NAME, "--ca-file",
                os.path.join(self.certs_dir, "ca.pem"), "--timeout-s", str(self.TIMEOUT_S)]
        for key, value in extra.items():
            args += ["--" + key.replace("_", "-"), value]
        r = self.ag.ok(*args)
        os.unlink(password_file)
        return r

    def send(self, *args, now=None, **kw):
        env = {"AGENDA_NOW": now} if now else None
        return self.ag.run("outbox", "send", *args, env=env, **kw)

    def outbox(self, state=None):
        args = ["outbox", "list"] + (["--state", state] if state else [])
        return self.ag.ok(*args).objs

    def row(self, message_id):
        db = self.ag.sql()
        try:
            return db.execute("SELECT state, attempts, body, reply, last_error FROM outbox"
                              " WHERE message_id = ?", (message_id,)).fetchone()
        finally:
            db.close()
