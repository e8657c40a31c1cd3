#!/usr/bin/python3
"""The mail library against a real SMTP server on loopback (tests/tools/smtp_server.py,
aiosmtpd): mail_send_tool drains a JSON outbox through mail_drain -> mail_compose -> smtp_send
(libcurl on mbedTLS). Checks: delivered over STARTTLS and SMTPS with AUTH, the bytes parse back
with the same Message-ID, subject and attachment; every fault classified (tempfail/4xx and
stall and drop -> temporary with back-off, permfail/5xx -> given up with the server's words,
wrong CA -> temporary "TLS", wrong password -> temporary "AUTH", down -> link down and nothing
marked); a stall is bounded by the attempt's timeout; the 30th failure gives up; a message
replaced meanwhile is not an error; --max. Usage: smtp_transport_test.py MAIL_SEND_TOOL
"""
import atexit
import email
import email.policy
import glob
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

TOOL = sys.argv[1]
SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "smtp_server.py")
CERTS = os.path.join(os.path.dirname(SERVER), "smtp_certs.sh")
NOW = 1777887000  # 2026-05-04 11:30 Rome
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


class Server:
    def __init__(self, tmp, name, mode="starttls", fault="none", fault_count=0, control=None,
                 auth=True):
        self.maildir = os.path.join(tmp, name)
        args = ["/usr/bin/python3", SERVER, "--mode", mode, "--cert", PKI + "/server.pem",
                "--key", PKI + "/server.key", "--port", "0", "--maildir", self.maildir,
                "--fault", fault, "--fault-count", str(fault_count)]
        if auth:
            args += ["--user", "agenda", "--password", "s3gret-è"]
        if control:
            args += ["--control", control]
        self.mode = mode
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        atexit.register(self.stop)  # also when a check raises: no server outlives the test
        self.port = int(self.process.stdout.readline())  # printed once listening

    def wait_for(self, line):
        check(self.process.stdout.readline().strip() == line, "server says " + line)

    def messages(self):
        out = []
        for path in sorted(glob.glob(self.maildir + "/*.eml"),
                           key=lambda p: int(os.path.basename(p).split("-")[0])):
            with open(path, "rb") as f:
                raw = f.read()
            with open(path[:-4] + ".json") as f:
                envelope = json.load(f)
            out.append((email.message_from_bytes(raw, policy=email.policy.default), envelope))
        return out

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def message(n, **extra):
    m = {"id": n, "message_id": "<elenco.20260504.FO.v%d.dev7@forli.agenda-elettronica.it>" % n,
         "kind": "day_list", "recipient": "questura.fo%d@example.it" % n,
         "subject": "Elenco %d - Questura di Forlì-Cesena - Città" % n,
         "body": "Nguyễn Văn Anh\nappuntamenti: %d\n" % n,
         "attachment_name": "appuntamenti_FO_2026-05-04_v%d.csv" % n,
         "attachment": "\ufeffdata;ora\r\n2026-05-05;09:30\r\n", "state": "queued",
         "attempts": 0, "next_try": 0, "reply": ""}
    m.update(extra)
    return m


def drain(tmp, server, messages, ca=None, password="s3gret-è", timeout_ms=5000, now=NOW,
          extra=()):
    outbox = os.path.join(tmp, "outbox.json")
    with open(outbox, "w") as f:
        json.dump({"messages": messages}, f)
    password_file = os.path.join(tmp, "password")
    with open(password_file, "w") as f:
        f.write(password + "\n")
    args = [TOOL, "drain", "--outbox", outbox, "--host", "localhost", "--port", str(server.port),
            "--mode", server.mode, "--from", "agenda@forli.example.it", "--from-name",
            "Sportello Unico di Forlì", "--ca-file", ca or PKI + "/ca.pem", "--user", "agenda",
            "--password-file", password_file, "--timeout-ms", str(timeout_ms), "--now",
            str(now)] + list(extra)
    started = time.monotonic()
    run = subprocess.run(args, capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    if run.returncode != 0 or run.stderr:
        print("tool:", run.returncode, run.stderr)
    check("s3gret" not in run.stdout + run.stderr, "the password never printed")
    with open(outbox) as f:
        rows = json.load(f)["messages"]
    return json.loads(run.stdout), rows, elapsed


def delivered_ok(server, rows, what):
    got = server.messages()
    check(len(got) == len(rows), what + ": %d delivered" % len(rows))
    for (m, envelope), row in zip(got, rows):
        check(m["Message-ID"] == row["message_id"], what + ": same Message-ID")
        check(str(m["Subject"]) == row["subject"], what + ": subject with accents")
        check(m["From"].addresses[0].display_name == "Sportello Unico di Forlì",
              what + ": display name")
        parts = list(m.iter_parts())
        check(parts[0].get_content().replace("\r\n", "\n") == row["body"], what + ": body")
        check(parts[1].get_payload(decode=True) == row["attachment"].encode(),
              what + ": attachment byte for byte")
        check(envelope["rcpt_tos"] == [row["recipient"]], what + ": envelope recipient")
        check(envelope["mail_from"] == "agenda@forli.example.it", what + ": envelope sender")
        check(envelope["login"] == "agenda", what + ": authenticated")


with tempfile.TemporaryDirectory() as tmp:
    PKI = os.path.join(tmp, "pki")
    OTHER = os.path.join(tmp, "other")
    subprocess.run(["sh", CERTS, PKI], check=True)
    subprocess.run(["sh", CERTS, OTHER], check=True)

    # delivered: STARTTLS and SMTPS, with AUTH, three messages over one session
    for mode in ("starttls", "smtps"):
        s = Server(tmp, "ok-" + mode, mode=mode)
        report, rows, _ = drain(tmp, s, [message(1), message(2), message(3)])
        check(report["result"] == "ok" and report["sent"] == 3, mode + ": 3 sent %r" % report)
        check(all(r["state"] == "sent" for r in rows), mode + ": all marked sent")
        check(all(r["reply"].startswith("250 ") for r in rows),
              mode + ": server's 250 reply kept (%s)" % rows[0]["reply"])
        check(report["last"]["code"] == 250, mode + ": code 250")
        delivered_ok(s, rows, mode)
        check(len({envelope["session"] for _, envelope in s.messages()}) == 1,
              mode + ": one SMTP session for the whole drain")
        s.stop()

    s = Server(tmp, "auth")
    report, rows, _ = drain(tmp, s, [message(1)], password="wrong")
    check(report["last"]["outcome"] == "temporary" and "AUTH" in report["last"]["reply"],
          "wrong password: temporary, AUTH (%s)" % report["last"]["reply"])
    check(rows[0]["attempts"] == 1 and rows[0]["next_try"] == NOW + 60 and
          rows[0]["state"] == "queued", "wrong password: retried in 1 min")
    report, rows, _ = drain(tmp, s, [message(1)], ca=OTHER + "/ca.pem")
    check(report["last"]["outcome"] == "temporary" and "TLS" in report["last"]["reply"],
          "wrong CA: temporary, TLS (%s)" % report["last"]["reply"])
    check(rows[0]["attempts"] == 1 and not s.messages(), "wrong CA: counted, nothing sent")
    # the 30th failure gives up (BACKOFF_MAIL)
    report, rows, _ = drain(tmp, s, [message(1, attempts=29)], password="wrong")
    check(report["given_up"] == 1 and rows[0]["state"] == "failed", "30th failure: given up")
    # replaced while being sent: not an error; --max
    report, rows, _ = drain(tmp, s, [message(1, replaced=True), message(2)])
    check(report["result"] == "ok" and report["sent"] == 2 and rows[0]["state"] == "superseded",
          "a message replaced meanwhile: not an error")
    report, rows, _ = drain(tmp, s, [message(4), message(5), message(6)], extra=["--max", "2"])
    check(report["sent"] == 2 and [r["state"] for r in rows] == ["sent", "sent", "queued"],
          "--max 2")
    s.stop()

    # 4xx at the end of DATA, first session only: retried, then delivered, same Message-ID
    s = Server(tmp, "tempfail", fault="tempfail", fault_count=1)
    socket.create_connection(("127.0.0.1", s.port), timeout=5).close()  # a probe is no session
    report, rows, _ = drain(tmp, s, [message(1)])
    check(report["last"]["outcome"] == "temporary" and report["last"]["code"] == 451 and
          report["last"]["reply"].startswith("451 "), "4xx: temporary, server's words %r"
          % report["last"]["reply"])
    check(report["retried"] == 1 and rows[0]["state"] == "queued" and
          rows[0]["next_try"] == NOW + 60, "4xx: retried in 1 min")
    report2, rows2, _ = drain(tmp, s, [message(1)], now=NOW + 60)
    check(report2["sent"] == 1 and len(s.messages()) == 1, "4xx: delivered on the retry")
    check(s.messages()[0][0]["Message-ID"] == message(1)["message_id"], "4xx: same Message-ID")
    s.stop()

    s = Server(tmp, "tempfail-rcpt", fault="tempfail-rcpt")
    report, rows, _ = drain(tmp, s, [message(1)])
    check(report["last"]["outcome"] == "temporary" and report["last"]["code"] == 451,
          "4xx to RCPT: temporary")
    s.stop()

    # 5xx to RCPT: given up at once, the server's reply kept
    s = Server(tmp, "permfail", fault="permfail")
    report, rows, _ = drain(tmp, s, [message(1), message(2)])
    check(report["given_up"] == 2 and all(r["state"] == "failed" for r in rows),
          "5xx: given up at once")
    check(report["last"]["outcome"] == "permanent" and report["last"]["code"] == 550 and
          "550" in rows[0]["reply"] and "user unknown" in rows[0]["reply"],
          "5xx: the server's reply kept (%s)" % rows[0]["reply"])
    s.stop()

    # a stall after the final dot: bounded by the attempt's timeout
    s = Server(tmp, "stall", fault="stall-data")
    report, rows, elapsed = drain(tmp, s, [message(1)], timeout_ms=2000)
    check(report["last"]["outcome"] == "temporary" and rows[0]["attempts"] == 1,
          "stall: temporary (%s)" % report["last"]["reply"])
    check(elapsed < 6, "stall: bounded by the 2 s timeout (%.1f s)" % elapsed)
    s.stop()

    # the connection cut mid-DATA
    s = Server(tmp, "drop", fault="drop-data")
    report, rows, elapsed = drain(tmp, s, [message(1)])
    check(report["last"]["outcome"] == "temporary" and rows[0]["attempts"] == 1 and
          not s.messages(), "cut mid-DATA: temporary (%s)" % report["last"]["reply"])
    s.stop()

    # down: link down, nothing marked; back up (control file): delivered
    control = os.path.join(tmp, "control.json")
    with open(control, "w") as f:
        f.write(json.dumps({"fault": "down"}) + "\n")
    s = Server(tmp, "down", fault="down", control=control)
    report, rows, elapsed = drain(tmp, s, [message(1), message(2)])
    check(report["link_down"] and report["last"]["outcome"] == "link_down" and
          report["sent"] + report["retried"] + report["given_up"] == 0, "down: link down")
    check(all(r["attempts"] == 0 and r["next_try"] == 0 and r["state"] == "queued" and
              r["reply"] == "" for r in rows), "down: nothing marked")
    with open(control, "w") as f:
        f.write(json.dumps({"fault": "none"}) + "\n")
    s.wait_for("up")
    report, rows, _ = drain(tmp, s, [message(1), message(2)])
    check(report["sent"] == 2 and len(s.messages()) == 2, "down then up: delivered")
    s.stop()

print("smtp_transport_test: %s" % ("FAILED (%d)" % len(failures) if failures else "ok"))
sys.exit(1 if failures else 0)
