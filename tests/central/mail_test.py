#!/usr/bin/python3
"""mail_test.py — agenda-central's outbox leaving over SMTP (issue 13), as real processes.

A central folder (SQLite; under tests/central/with_postgres.sh, AGENDA_CENTRAL_PG set, init puts
the store on that private PostgreSQL: ctest central.mail.postgresql) sends through the real test
server tests/tools/smtp_server.py (aiosmtpd, STARTTLS required, AUTH, a throw-away CA from
tests/tools/smtp_certs.sh), driven as an administrator would:
  - `mail configure` writes 0600 files and never prints the password; `mail status` says only
    whether one is set;
  - `operator add` and `operator reset-password` -> `outbox send` -> the Dirigente's mailbox
    gets the password; the message parses with Python's email (From, To, Subject, Message-ID,
    Date, UTF-8 body) and the envelope carried the login; once sent, the body is gone from the
    store (SQLite: from the database file and its WAL too; PostgreSQL: the row's body is empty)
    and no command or server log ever printed the password;
  - server down: exit 16, nothing counted, delivered when it is back;
  - 4xx: exit 12, one attempt counted, retried after the back-off (AGENDA_NOW moved on);
  - 5xx: exit 12, given up with the server's reply (shown by `outbox show`, `mail status`),
    `outbox retry` then delivers; a retry of a sent message is refused (exit 4);
  - `serve --mail-interval-s 1` delivers with no command, /metrics counts it, SIGTERM stops
    server and sender with exit 0;
  - kill -9 of `outbox send` while the server sits on DATA: still queued, nothing counted, the
    next send delivers it with the same Message-ID.
Usage: mail_test.py AGENDA_CENTRAL SMTP_SERVER_PY SMTP_CERTS_SH
"""
import datetime
import email
import email.policy
import glob
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
import time
import zoneinfo

TIMEOUT = 30  # seconds for any one command
NOW = datetime.datetime(2026, 12, 1, 9, 0, 0)  # AGENDA_NOW, local time (Europe/Rome)
DIRIGENTE = "dirigente.roma@interno.it"
SMTP_USER, SMTP_PASSWORD = "agenda-centrale", "Smtp-Segreta-42!"
OUTPUTS = []  # every stdout and stderr of every command: none may hold a password


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what)


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


class Central:
    def __init__(self, binary, folder):
        self.binary, self.folder = binary, folder
        self.now = NOW

    def run(self, *args, json_out=True):
        """(exit code, parsed JSON or text, stderr) of one verb on the folder."""
        env = dict(os.environ, AGENDA_NOW=stamp(self.now))
        argv = [self.binary] + (["--json"] if json_out else []) + list(args)
        argv += ["--dir", self.folder]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, env=env)
        OUTPUTS.extend([r.stdout, r.stderr])
        out = r.stdout
        if json_out and out.strip():
            out = json.loads(out.strip().splitlines()[-1])
        return r.returncode, out, r.stderr


class Store:
    """Reads central's store behind the verbs' back: sqlite3 on the file, psql on PostgreSQL."""

    def __init__(self, folder):
        self.pg = os.environ.get("AGENDA_CENTRAL_PG")
        self.path = os.path.join(folder, "central.db")

    def rows(self, sql):
        if self.pg:
            r = subprocess.run(["/usr/lib/postgresql/15/bin/psql", "-X", "-A", "-t", "-F", "\t",
                                "-v", "ON_ERROR_STOP=1", self.pg + " dbname=postgres", "-c", sql],
                               capture_output=True, text=True, timeout=TIMEOUT, check=True)
            return [tuple(line.split("\t")) for line in r.stdout.splitlines() if line]
        import sqlite3
        db = sqlite3.connect(self.path, timeout=20)
        try:
            return [tuple("" if v is None else str(v) for v in row) for row in db.execute(sql)]
        finally:
            db.close()

    def message(self, topic):
        """(id, state, attempts, next_try, body length, reply, last_error) of the newest
        message of a topic."""
        return self.rows("SELECT id, state, attempts, next_try, length(body), coalesce(reply, ''),"
                         " coalesce(last_error, '') FROM outbox WHERE topic = '%s'"
                         " ORDER BY id DESC LIMIT 1" % topic)[0]

    def holds(self, secret):
        """Whether the SQLite database file or its WAL holds these bytes (PostgreSQL: the
        table's live rows)."""
        if self.pg:
            return int(self.rows("SELECT count(*) FROM outbox WHERE position('%s' in body) > 0"
                                 % secret)[0][0]) > 0
        for path in (self.path, self.path + "-wal"):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    if secret.encode() in f.read():
                        return True
        return False


class SmtpServer:
    def __init__(self, script, certs, tmp):
        self.maildir = os.path.join(tmp, "maildir")
        self.control = os.path.join(tmp, "smtp-control.json")
        os.makedirs(self.maildir)
        self.fault("none")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", script, "--mode", "starttls", "--cert",
             os.path.join(certs, "server.pem"), "--key", os.path.join(certs, "server.key"),
             "--port", "0", "--maildir", self.maildir, "--user", SMTP_USER, "--password",
             SMTP_PASSWORD, "--control", self.control],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
        if not ready:
            self.proc.kill()
            raise AssertionError("the SMTP server printed no port")
        self.port = int(self.proc.stdout.readline())
        self.wait_listening(True)

    def fault(self, name, count=0):
        with open(self.control + ".tmp", "w", encoding="utf-8") as f:
            f.write(json.dumps({"fault": name, "fault_count": count, "at": time.time()}) + "\n")
        os.replace(self.control + ".tmp", self.control)

    def wait_listening(self, up):
        """The server polls its control file: wait until its port is open (or closed)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                if up:
                    return
            except OSError:
                if not up:
                    return
            time.sleep(0.05)
        raise AssertionError("the SMTP server did not go %s" % ("up" if up else "down"))

    def messages(self):
        """[(email.message.EmailMessage, envelope dict)] in arrival order."""
        found = []
        for path in sorted(glob.glob(os.path.join(self.maildir, "*.eml")),
                           key=lambda p: int(os.path.basename(p).split("-")[0])):
            with open(path, "rb") as f:
                parsed = email.message_from_bytes(f.read(), policy=email.policy.default)
            with open(path[:-4] + ".json", encoding="utf-8") as f:
                found.append((parsed, json.load(f)))
        return found

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        OUTPUTS.append(err)


def password_of(message, user):
    """The password a delivered message carries, after checking the message is well formed."""
    check(message["To"].addresses[0].addr_spec == DIRIGENTE, "%s: To is the Dirigente" % user)
    check(message["From"].addresses[0].addr_spec == "agenda@centrale.interno.it"
          and message["From"].addresses[0].display_name == "Agenda Elettronica – Centrale",
          "%s: From is the configured sender with its UTF-8 display name" % user)
    check(message["Subject"] == "Agenda Elettronica: password per l'utente %s" % user,
          "%s: Subject in Italian" % user)
    check(re.fullmatch(r"<password\.[0-9a-f-]{36}@agenda-central>", message["Message-ID"]),
          "%s: the Message-ID stored in the outbox" % user)
    check(message["Date"].datetime is not None and message["MIME-Version"] == "1.0",
          "%s: Date and MIME-Version headers parse" % user)
    body = message.get_body(("plain",)).get_content()
    check("Sportello Unico per l'Immigrazione di Roma" in body and "È stata generata" in body,
          "%s: the body decodes as UTF-8 text (accents kept)" % user)
    found = re.search(r"\r?\n\r?\n    (\S+)\r?\n", body)
    check(found and len(found.group(1)) >= 12, "%s: the body carries the password" % user)
    return found.group(1)


def no_copy_left(store, topic, secret, what):
    msg = store.message(topic)
    check(msg[1] == "sent" and msg[4] == "0", "%s: sent, its body wiped in the store" % what)
    check(not store.holds(secret),
          "%s: the password is nowhere in the store%s" % (
              what, "" if store.pg else " (database file and WAL)"))


def configure(c, tmp, certs, smtp):
    secret_file = os.path.join(tmp, "smtp-password.txt")
    with open(secret_file, "w", encoding="utf-8") as f:
        f.write(SMTP_PASSWORD + "\n")
    code, out, _ = c.run("mail", "status")
    check(code == 0 and out["configured"] is False, "mail status before configure: not configured")
    code, out, _ = c.run("outbox", "send")
    check(code == 3 and "mail configure" in out["message"],
          "outbox send before configure: exit 3, says how to configure")
    code, out, _ = c.run("mail", "configure", "--host", "localhost", "--mode", "plain",
                         "--from", "a@b.it")
    check(code == 9 and "starttls" in out["message"], "a plain-text mode is refused (exit 9)")
    code, out, _ = c.run("mail", "configure", "--host", "localhost", "--user", SMTP_USER,
                         "--from", "a@b.it")
    check(code == 2, "--user without --password-file is refused (exit 2)")
    code, out, _ = c.run("mail", "configure", "--host", "localhost", "--port", str(smtp.port),
                         "--mode", "starttls", "--user", SMTP_USER, "--password-file",
                         secret_file, "--from", "agenda@centrale.interno.it", "--from-name",
                         "Agenda Elettronica – Centrale", "--ca-file",
                         os.path.join(certs, "ca.pem"), "--timeout-ms", "10000")
    check(code == 0 and out["password"] is True and out["ca_file"] is True
          and out["port"] == smtp.port and out["user"] == SMTP_USER,
          "mail configure: server, user, sender, CA, password set")
    for name in ("mail.json", "smtp-password", "smtp-ca.pem"):
        mode = stat.S_IMODE(os.stat(os.path.join(c.folder, name)).st_mode)
        check(mode == 0o600, "%s is 0600" % name)
    code, out, _ = c.run("mail", "configure", "--from-name", "Agenda Elettronica – Centrale",
                         json_out=False)
    check(code == 0 and "impostata" in out, "mail configure again keeps the password (text)")
    code, out, _ = c.run("mail", "status", json_out=False)
    check(code == 0 and "password: impostata" in out and "localhost" in out,
          "mail status (text): the password only as «impostata»")


def test_delivery(c, store, smtp):
    code, out, _ = c.run("operator", "add", "--user", "mario.rossi", "--role", "operatore",
                         "--site", "ROMA")
    check(code == 0 and out["password_mailed"] is True, "operator add queues the password")
    code, out, _ = c.run("outbox", "send")
    check(code == 0 and out["sent"] == 1 and out["retried"] == 0,
          "outbox send: one message sent (exit 0)")
    got = smtp.messages()
    check(len(got) == 1, "the server received one message")
    message, envelope = got[0]
    # the server runs with auth_required: it accepts nothing before AUTH as SMTP_USER (its
    # envelope file names the login only when aiosmtpd hands it over as bytes)
    check(envelope["rcpt_tos"] == [DIRIGENTE] and envelope["mail_from"] ==
          "agenda@centrale.interno.it" and envelope["login"] in (None, SMTP_USER),
          "envelope: to the Dirigente, from the sender, accepted after AUTH")
    first = password_of(message, "mario.rossi")
    no_copy_left(store, "password:mario.rossi", first, "operator add")
    code, out, _ = c.run("outbox", "list")
    sent = [m for m in out["messages"] if m["topic"] == "password:mario.rossi"][0]
    check(sent["state"] == "sent" and sent["body_bytes"] == 0 and sent["sent_at"],
          "outbox list: sent, no body left")
    code, out, _ = c.run("outbox", "show", "--id", str(sent["id"]))
    check(code == 0 and out["reply"].startswith("250") and out["body_bytes"] == 0,
          "outbox show: the server's 250 reply kept")
    code, out, _ = c.run("outbox", "retry", "--id", str(sent["id"]))
    check(code == 4, "outbox retry of a sent message: refused (exit 4)")
    code, out, _ = c.run("operator", "reset-password", "--user", "mario.rossi")
    check(code == 0, "operator reset-password queues a new password")
    code, out, _ = c.run("outbox", "send", json_out=False)
    check(code == 0 and "Inviati: 1" in out, "outbox send (text, Italian): one sent")
    message, _ = smtp.messages()[1]
    second = password_of(message, "mario.rossi")
    check(second != first, "the reset's password is a new one")
    no_copy_left(store, "password:mario.rossi", second, "reset-password")
    return [first, second]


def test_server_down(c, store, smtp):
    smtp.fault("down")
    smtp.wait_listening(False)
    c.run("operator", "add", "--user", "anna.bianchi", "--role", "dirigente", "--site", "ROMA")
    before = store.message("password:anna.bianchi")
    code, out, err = c.run("outbox", "send")
    check(code == 16 and out["link_down"] is True and out["sent"] == 0,
          "server down: outbox send exits 16, link down")
    after = store.message("password:anna.bianchi")
    check(after[1] == "queued" and after[2] == "0" and after[3] == before[3],
          "server down: the message untouched (no attempt counted, same next try)")
    code, out, err = c.run("outbox", "send", json_out=False)
    check(code == 16 and "non raggiungibile" in err, "server down (text): says so in Italian")
    smtp.fault("none")
    smtp.wait_listening(True)
    code, out, _ = c.run("outbox", "send")
    check(code == 0 and out["sent"] == 1, "server back: delivered")
    message, _ = smtp.messages()[-1]
    secret = password_of(message, "anna.bianchi")
    no_copy_left(store, "password:anna.bianchi", secret, "after the server came back")
    return [secret]


def test_tempfail(c, store, smtp):
    smtp.fault("tempfail", 1)
    c.run("operator", "reset-password", "--user", "anna.bianchi")
    count = len(smtp.messages())
    code, out, _ = c.run("outbox", "send")
    check(code == 12 and out["retried"] == 1 and out["last_code"] == 451,
          "4xx: outbox send exits 12, the message to be retried")
    msg = store.message("password:anna.bianchi")
    now_unix = int(c.now.replace(tzinfo=zoneinfo.ZoneInfo("Europe/Rome")).timestamp())
    check(msg[1] == "queued" and msg[2] == "1" and int(msg[3]) == now_unix + 60
          and msg[6].startswith("451"),
          "4xx: one attempt counted, next try in 1 minute, the 451 reply kept")
    code, out, _ = c.run("outbox", "send")
    check(code == 0 and out["sent"] == 0 and len(smtp.messages()) == count,
          "4xx: not due again before its next try")
    c.now += datetime.timedelta(minutes=2)
    code, out, _ = c.run("outbox", "send")
    check(code == 0 and out["sent"] == 1, "4xx: delivered at the next try")
    secret = password_of(smtp.messages()[-1][0], "anna.bianchi")
    no_copy_left(store, "password:anna.bianchi", secret, "after a 4xx")
    return [secret]


def test_permfail(c, store, smtp):
    smtp.fault("permfail")
    c.run("operator", "reset-password", "--user", "mario.rossi")
    code, out, err = c.run("outbox", "send", json_out=False)
    check(code == 12 and "550" in err, "5xx: outbox send exits 12 naming the server's reply")
    msg = store.message("password:mario.rossi")
    check(msg[1] == "failed" and msg[2] == "1" and "550" in msg[6],
          "5xx: given up at once with the reply")
    code, out, _ = c.run("outbox", "show", "--id", msg[0])
    check(code == 0 and out["state"] == "failed" and "550" in out["last_error"],
          "outbox show: the 550 reply")
    code, out, _ = c.run("mail", "status")
    check(out["failed"] == 1 and "550" in out["last_failure"], "mail status: one failed, its reply")
    smtp.fault("none")
    code, out, _ = c.run("outbox", "send")
    check(code == 0 and out["sent"] == 0, "a given-up message is not sent by itself")
    code, out, _ = c.run("outbox", "retry", "--id", msg[0], json_out=False)
    check(code == 0 and "rimesso in coda" in out, "outbox retry (text, Italian)")
    code, out, _ = c.run("outbox", "send")
    check(code == 0 and out["sent"] == 1, "5xx: delivered after outbox retry")
    secret = password_of(smtp.messages()[-1][0], "mario.rossi")
    no_copy_left(store, "password:mario.rossi", secret, "after a 5xx and a retry")
    return [secret]


def https_get(port, ca, path):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
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
    return data.partition(b"\r\n\r\n")[2].decode()


def test_serve_thread(c, store, smtp):
    c.run("operator", "add", "--user", "luca.verdi", "--role", "operatore", "--site", "ROMA")
    count = len(smtp.messages())
    env = dict(os.environ, AGENDA_NOW=stamp(c.now))
    proc = subprocess.Popen([c.binary, "serve", "--dir", c.folder, "--listen", "127.0.0.1:0",
                             "--mail-interval-s", "1"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
    check(ready, "serve started")
    port = int(proc.stdout.readline())
    deadline = time.monotonic() + 20
    while len(smtp.messages()) == count and time.monotonic() < deadline:
        time.sleep(0.1)
    check(len(smtp.messages()) == count + 1, "serve's sender delivered without a command")
    secret = password_of(smtp.messages()[-1][0], "luca.verdi")
    deadline = time.monotonic() + 10
    while store.message("password:luca.verdi")[1] != "sent" and time.monotonic() < deadline:
        time.sleep(0.1)
    no_copy_left(store, "password:luca.verdi", secret, "serve's sender")
    metrics = https_get(port, os.path.join(c.folder, "ca.pem"), "/metrics")
    sent = int(store.rows("SELECT count(*) FROM outbox WHERE state = 'sent'")[0][0])
    check('agenda_central_outbox_messages{state="sent"} %d' % sent in metrics
          and 'agenda_central_outbox_messages{state="queued"} 0' in metrics
          and 'agenda_central_outbox_messages{state="failed"} 0' in metrics,
          "/metrics: outbox messages by state")
    check('agenda_central_mail_attempts_total{outcome="sent"} 1' in metrics,
          "/metrics: the sender thread's delivery counted")
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=TIMEOUT)
    OUTPUTS.append(err)
    check(DIRIGENTE not in err and "Sportello" not in err,
          "serve's log names no recipient and no message text")
    check(proc.returncode == 0 and time.monotonic() - started < 5,
          "SIGTERM stops serve and its sender thread (exit 0, %.1f s)"
          % (time.monotonic() - started))
    return [secret]


def test_killed_mid_data(c, store, smtp):
    """kill -9 of `outbox send` while the server holds the message's DATA: the row stays queued
    with no attempt counted, and the next send delivers it with the same Message-ID (I5)."""
    smtp.fault("stall-data")
    c.run("operator", "reset-password", "--user", "luca.verdi")
    message_id = store.rows("SELECT message_id FROM outbox WHERE topic = 'password:luca.verdi'"
                            " AND state = 'queued'")[0][0]
    count = len(smtp.messages())
    env = dict(os.environ, AGENDA_NOW=stamp(c.now))
    proc = subprocess.Popen([c.binary, "outbox", "send", "--dir", c.folder],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    time.sleep(1.5)  # connected, authenticated, DATA sent: the server is sitting on it
    check(proc.poll() is None, "outbox send is waiting for the stalled server's reply")
    proc.kill()
    out, err = proc.communicate(timeout=TIMEOUT)
    OUTPUTS.extend([out.decode(), err.decode()])
    msg = store.message("password:luca.verdi")
    check(msg[1] == "queued" and msg[2] == "0" and msg[4] != "0",
          "killed mid-DATA: still queued, no attempt counted, body kept")
    smtp.fault("none")
    code, out, _ = c.run("outbox", "send")
    check(code == 0 and out["sent"] == 1 and len(smtp.messages()) == count + 1,
          "after the kill: the next send delivers it")
    delivered = smtp.messages()[-1][0]
    check(delivered["Message-ID"] == message_id,
          "after the kill: the same Message-ID as stored (a resend is recognisable)")
    secret = password_of(delivered, "luca.verdi")
    no_copy_left(store, "password:luca.verdi", secret, "after the kill")
    return [secret]


def store_args():
    pg = os.environ.get("AGENDA_CENTRAL_PG")
    if not pg:
        return []
    host = dict(kv.split("=", 1) for kv in pg.split())["host"]
    return ["--store", "postgresql://agenda@/postgres?host=%s" % host]


def main():
    binary, server_script, certs_script = sys.argv[1:4]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        certs = os.path.join(tmp, "certs")
        subprocess.run(["sh", certs_script, certs], check=True, timeout=TIMEOUT)
        folder = os.path.join(tmp, "central")
        r = subprocess.run([binary, "--json", "init", "--dir", folder, "--host", "localhost",
                            *store_args()], capture_output=True, text=True, timeout=TIMEOUT)
        check(r.returncode == 0, "init (%s)" % r.stderr.strip())
        c = Central(binary, folder)
        code, _, _ = c.run("site", "add", "--code", "ROMA", "--city", "Roma", "--province", "RM",
                           "--dirigente", DIRIGENTE)
        check(code == 0, "site ROMA with its Dirigente")
        smtp = SmtpServer(server_script, certs, tmp)
        store = Store(folder)
        secrets = []
        try:
            configure(c, tmp, certs, smtp)
            secrets += test_delivery(c, store, smtp)
            secrets += test_server_down(c, store, smtp)
            secrets += test_tempfail(c, store, smtp)
            secrets += test_permfail(c, store, smtp)
            secrets += test_serve_thread(c, store, smtp)
            secrets += test_killed_mid_data(c, store, smtp)
        finally:
            smtp.stop()
        printed = [s for s in secrets + [SMTP_PASSWORD] if any(s in text for text in OUTPUTS)]
        check(not printed, "no command, log or server output printed a password (%d checked)"
              % len(secrets))
    print("all passed in %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    main()
