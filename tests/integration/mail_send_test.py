#!/usr/bin/python3
"""mail_send_test.py — the device's sender against a real SMTP server (issue 13, contract §3).

agendactl `mail configure|status` and `outbox send` drive tests/tools/smtp_server.py on loopback,
over STARTTLS and over SMTPS (each test runs in both): the Dirigente's password message is
delivered and its body wiped; server down (exit 16, no attempt counted, delivered when it is
back), 4xx (retried after the back-off, delivered), 5xx (failed with the server's reply,
`outbox retry`, delivered), a stall in DATA (bounded by the timeout, retried, same Message-ID),
kill -9 of `outbox send` while the server holds DATA (that message once more with the same
Message-ID, none lost, the outbox consistent). The password never appears in any output.

Usage: mail_send_test.py PATH/TO/agendactl
"""
import os
import signal
import stat
import subprocess
import time

import agendactl_harness as h
import mail_harness as mh

LATER = "2026-05-04T09:05:00"  # past the first back-off (1 min) of a 09:00 failure
MUCH_LATER = "2026-05-04T10:00:00"


class SendStarttls(mh.MailTest):
    MODE = "starttls"

    def add_operator(self, user="anna.verdi"):
        """An operator: its generated password is queued to the Dirigente."""
        password = self.ag.add_operator(user)
        queued = [m for m in self.outbox("queued") if m["kind"] == "password"]
        self.assertTrue(queued, "no password message queued")
        return password, queued[-1]

    def assertNoSecret(self, result, secret):
        self.assertNotIn(secret, result.out + result.err)

    # ---- settings ---------------------------------------------------------------------

    def test_configure_keeps_secrets_private(self):
        status = self.ag.ok("mail", "status").json
        self.assertEqual(status["password"], "set")
        self.assertEqual(status["user"], mh.SMTP_USER)
        self.assertEqual(status["mode"], self.MODE)
        self.assertEqual(status["port"], self.server.port)
        self.assertEqual(status["from_name"], mh.FROM_NAME)
        for name in ("smtp-password", "smtp-ca.pem"):
            mode = stat.S_IMODE(os.stat(os.path.join(self.folder, name)).st_mode)
            self.assertEqual(mode, 0o600, name)
        text = self.ag.run("mail", "status", json_mode=False)
        self.assertEqual(text.rc, 0, text)
        self.assertIn("password: impostata", text.out)
        for r in (text, self.ag.run("mail", "status")):
            self.assertNoSecret(r, mh.SMTP_PASSWORD)
        db = self.ag.sql()
        audit = db.execute("SELECT detail FROM audit WHERE action = 'mail_configure'").fetchall()
        settings = db.execute("SELECT value FROM setting WHERE key LIKE 'mail.%'").fetchall()
        db.close()
        self.assertTrue(audit)
        for (value,) in audit + settings:
            self.assertNotIn(mh.SMTP_PASSWORD, value)

    def test_not_configured_is_a_usage_error(self):
        other = h.Agenda(self.binary, self.folder, name="other.db")
        other.ok("init", "--site", "Roma")
        os.unlink(os.path.join(self.folder, "smtp-password"))  # same folder: not configured
        r = other.run("outbox", "send")
        self.assertExit(r, 2, "usage")
        self.assertIn("mail configure", r.json["message"])

    def test_password_file_readable_by_others_is_refused(self):
        self.add_operator()
        os.chmod(os.path.join(self.folder, "smtp-password"), 0o644)
        r = self.send()
        self.assertExit(r, 4, "refused")
        self.assertIn("smtp-password", r.json["message"])
        self.assertEqual(self.server.messages(), [])
        self.assertNoSecret(r, mh.SMTP_PASSWORD)

    # ---- delivery -----------------------------------------------------------------------

    def test_password_delivered_then_wiped(self):
        password, queued = self.add_operator()
        r = self.send()
        self.assertEqual(r.rc, 0, r)
        self.assertEqual((r.json["sent"], r.json["retried"], r.json["given_up"]), (1, 0, 0))
        self.assertNoSecret(r, password)
        [(msg, raw, envelope)] = self.server.messages()
        self.assertEqual(msg["Message-ID"], queued["message_id"])
        self.assertEqual(envelope["rcpt_tos"], [mh.DIRIGENTE])
        self.assertEqual(envelope["mail_from"], mh.FROM)
        self.assertEqual(envelope["login"], mh.SMTP_USER)
        self.assertEqual(msg["From"].addresses[0].addr_spec, mh.FROM)
        self.assertEqual(mh.decoded_header(raw, "From"), "%s <%s>" % (mh.FROM_NAME, mh.FROM))
        self.assertIn(password, msg.get_content())
        # Delivered: the body is gone from the row, the server's reply kept.
        state, attempts, body, reply, _ = self.row(queued["message_id"])
        self.assertEqual((state, attempts), ("sent", 0))
        self.assertNotIn(password, body or "")
        self.assertTrue(reply.startswith("250"), reply)
        shown = self.ag.run("outbox", "show", str(queued["id"]), json_mode=False)
        self.assertIn(reply, shown.out)
        for r in (shown, self.ag.run("outbox", "list"), self.ag.run("mail", "status")):
            self.assertNoSecret(r, password)
        with open(self.ag.db, "rb") as f:
            self.assertNotIn(password.encode(), f.read())
        # Nothing left: a second send sends nothing.
        r = self.send()
        self.assertEqual((r.rc, r.json["sent"]), (0, 0), r)

    def test_server_down_then_back(self):
        _, queued = self.add_operator()
        self.server.set_fault("down")
        r = self.send()
        self.assertExit(r, 16, "network")
        self.assertTrue(r.json["link_down"])
        self.assertEqual(self.row(queued["message_id"])[:2], ("queued", 0))  # not an attempt
        self.server.set_fault("none")
        r = self.send()
        self.assertEqual((r.rc, r.json["sent"]), (0, 1), r)
        [(msg, _, _)] = self.server.messages()
        self.assertEqual(msg["Message-ID"], queued["message_id"])

    def test_temporary_failure_retried(self):
        _, queued = self.add_operator()
        self.server.set_fault("tempfail", 1)
        r = self.send()
        self.assertExit(r, 17, "mail")
        self.assertEqual(r.json["retried"], 1)
        self.assertIn("451", r.json["message"])  # the Italian message names the reply
        state, attempts, _, _, last_error = self.row(queued["message_id"])
        self.assertEqual((state, attempts), ("queued", 1))
        self.assertTrue(last_error.startswith("451"), last_error)
        # Not due yet (back-off: one minute): nothing sent.
        r = self.send()
        self.assertEqual((r.rc, r.json["sent"]), (0, 0), r)
        self.assertEqual(self.server.messages(), [])
        r = self.send(now=LATER)
        self.assertEqual((r.rc, r.json["sent"]), (0, 1), r)
        [(msg, _, _)] = self.server.messages()
        self.assertEqual(msg["Message-ID"], queued["message_id"])
        status = self.ag.ok("mail", "status").json
        self.assertEqual((status["queued"], status["failed"]), (0, 0))

    def test_permanent_failure_then_retry(self):
        _, queued = self.add_operator()
        self.server.set_fault("permfail")
        r = self.send()
        self.assertExit(r, 17, "mail")
        self.assertEqual(r.json["given_up"], 1)
        state, attempts, _, _, last_error = self.row(queued["message_id"])
        self.assertEqual((state, attempts), ("failed", 1))
        self.assertTrue(last_error.startswith("550"), last_error)
        status = self.ag.ok("mail", "status").json
        self.assertEqual(status["failed"], 1)
        self.assertTrue(status["last_failure"].startswith("550"), status)
        # Given up: later sends leave it alone until a person retries it.
        self.server.set_fault("none")
        r = self.send(now=MUCH_LATER)
        self.assertEqual((r.rc, r.json["sent"]), (0, 0), r)
        self.ag.ok("outbox", "retry", str(queued["id"]))
        r = self.send()
        self.assertEqual((r.rc, r.json["sent"]), (0, 1), r)
        [(msg, _, _)] = self.server.messages()
        self.assertEqual(msg["Message-ID"], queued["message_id"])
        self.assertEqual(self.row(queued["message_id"])[0], "sent")

    def test_stall_in_data_times_out_and_resends_same_id(self):
        _, queued = self.add_operator()
        self.server.set_fault("stall-data", 1)
        started = time.monotonic()
        r = self.send(timeout=30)
        elapsed = time.monotonic() - started
        self.assertExit(r, 17, "mail")
        self.assertLess(elapsed, self.TIMEOUT_S + 8, "the stall was not bounded")
        self.assertEqual(self.row(queued["message_id"])[:2], ("queued", 1))
        r = self.send(now=LATER)
        self.assertEqual((r.rc, r.json["sent"]), (0, 1), r)
        [(msg, _, _)] = self.server.messages()
        self.assertEqual(msg["Message-ID"], queued["message_id"])

    def test_kill_during_data_loses_nothing(self):
        self.configure_mail(timeout_s="60")
        ids = [self.add_operator(user)[1]["message_id"]
               for user in ("anna.verdi", "luca.neri", "sara.bruno")]
        self.server.set_fault("stall-data", 1)
        proc = subprocess.Popen(
            [self.binary, "--db", self.ag.db, "--json", "outbox", "send"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.ag.env())
        try:
            self.wait_for_session(proc)
            time.sleep(1.0)  # the message is small: the server holds it after its dot
            self.assertIsNone(proc.poll(), "agendactl did not wait for the server")
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
            proc.stdout.close()
            proc.stderr.close()
        self.assertEqual(self.server.messages(), [])
        # Killed before the reply: nothing was marked, every message still queued.
        for mid in ids:
            self.assertEqual(self.row(mid)[:2], ("queued", 0))
        self.server.set_fault("none")
        r = self.send()
        self.assertEqual((r.rc, r.json["sent"]), (0, 3), r)
        got = [msg["Message-ID"] for msg, _, _ in self.server.messages()]
        self.assertEqual(sorted(got), sorted(ids))  # each once, the same Message-IDs
        for mid in ids:
            self.assertEqual(self.row(mid)[0], "sent")
        self.assertEqual(self.ag.ok("audit", "verify").json["intact"], True)
        db = self.ag.sql()
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        db.close()

    def wait_for_session(self, proc, limit=15):
        """Until agendactl holds a connection to the server (bounded)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            out = subprocess.run(["ss", "-Htn", "state", "established", "dport", "=",
                                  ":%d" % self.server.port], capture_output=True, text=True,
                                 timeout=10).stdout
            if out.strip():
                return
            if proc.poll() is not None:
                self.fail("agendactl ended before reaching the server: rc=%s" % proc.returncode)
            time.sleep(0.05)
        self.fail("agendactl never connected to the server")


class SendSmtps(SendStarttls):
    MODE = "smtps"



if __name__ == "__main__":
    h.main()
