#!/usr/bin/python3
"""mail_demo_test.py — the README's first command ends with the day's list in out/demo/mail.

Runs image/demo.sh with the programs already built (AGENDA_DEMO_BUILD), into a fresh folder
(AGENDA_DEMO_DIR), on its agendactl path (AGENDA_DEMO_CLI=1: no screen needed): central, the
activation, the mail sink, a booking, the day closed and the outbox drained. Checks: one .eml
per message in DIR/mail, the Questura di Roma's list among them (parsed with Python's email:
text and CSV naming the booked practice), nothing left in the outbox, the sink stopped with the
script (its port refuses connections).

Usage: mail_demo_test.py SOURCE_DIR BUILD_DIR
"""
import email
import email.policy
import glob
import json
import os
import socket
import subprocess
import sys
import tempfile
import shutil
import unittest

SOURCE = BUILD = None


class DemoMail(unittest.TestCase):
    def test_demo_delivers_the_days_list(self):
        work = tempfile.mkdtemp(prefix="demo-mail-")
        self.addCleanup(shutil.rmtree, work, True)
        env = dict(os.environ, TZ="Europe/Rome", AGENDA_NOW="2026-05-04T09:00:00",
                   AGENDA_DEMO_BUILD=BUILD, AGENDA_DEMO_DIR=work, AGENDA_DEMO_CLI="1")
        env.pop("AGENDA_DB", None)
        env.pop("DISPLAY", None)
        p = subprocess.run(["sh", os.path.join(SOURCE, "image", "demo.sh")], env=env,
                           capture_output=True, text=True, timeout=240)
        self.assertEqual(p.returncode, 0, p.stdout[-3000:] + p.stderr[-3000:])
        emls = sorted(glob.glob(os.path.join(work, "mail", "*.eml")))
        self.assertTrue(emls, p.stdout[-3000:])
        lists = []
        for path in emls:
            with open(path, "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=email.policy.default)
            if ".RM.v1." in msg["Message-ID"]:
                lists.append(msg)
        self.assertEqual(len(lists), 1, emls)
        msg = lists[0]
        self.assertEqual(msg["To"].addresses[0].addr_spec, "immigrazione.rm@demo.invalid")
        self.assertIn("Questura di Roma", str(msg["Subject"]))
        self.assertIn("RM/2026/900002", msg.get_body(("plain",)).get_content())
        [csv_part] = list(msg.iter_attachments())
        self.assertIn(b"RM/2026/900002", csv_part.get_payload(decode=True))
        db = os.path.join(work, "device", "agenda.db")
        ctl = os.path.join(BUILD, "firmware", "agendactl")
        out = subprocess.run([ctl, "--db", db, "--json", "mail", "status"], env=env,
                             capture_output=True, text=True, timeout=30)
        status = json.loads(out.stdout)
        self.assertEqual((status["queued"], status["failed"]), (0, 0), status)
        self.assertEqual(status["sent"], len(emls))
        with open(os.path.join(work, "mail-sink.out")) as f:
            port = int(next(line for line in f if line.strip().isdigit()))
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    SOURCE, BUILD = os.path.abspath(sys.argv.pop(1)), os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
