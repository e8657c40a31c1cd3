#!/usr/bin/python3
"""agendactl_commands_test.py — the provisioning and service commands of agendactl, one by one.

Usage: agendactl_commands_test.py PATH/TO/agendactl
--version and help (every command has a help text with an example, in Italian and English,
and the overview lists the exit codes and environment variables); init, questura add/list,
capacity set (report and re-planning keeps booked slots), closure add/open, operator
add/list/unlock/reset-password (passwords generated, shown only when asked, queued to the
Dirigente when an address is set), outbox list/show/retry (never a body), and demo-seed (four Questure, 90 days of capacity, a few
hundred "DEMO" applicants, accounts that log in and book).
"""
import json
import os
import select
import sqlite3
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agendactl_harness as h  # noqa: E402

COMMANDS = ["init", "device assign", "questura add", "questura list", "capacity set", "closure add",
            "closure open", "practice import", "operator add", "operator list",
            "operator unlock", "operator reset-password", "lookup", "book", "propose", "cancel",
            "move", "show", "reprint", "modello209", "day", "close-day", "audit verify",
            "demo-seed", "help", "printer list", "printer status", "printer test",
            "printer print", "printer reprint", "printer queue", "printer set", "outbox list", "outbox show",
            "outbox retry", "device show", "provision", "renew", "factory-reset",
            "worklist", "worklist done"]
COMMANDS += ["sync now", "sync status", "sync configure"]  # issue 12: the device's rounds
COMMANDS += ["outbox send", "mail configure", "mail status"]  # issue 13: the device's mail sender
COMMANDS += ["day print", "day configure"]  # issue 13: the end-of-day lists


class Commands(h.AgendaTest):

    def test_version_and_help(self):
        ag = self.ag
        r = ag.ok("--version", json_mode=False, db=False)
        # the link to central runs on libcurl built over mbedTLS (image/build-curl-mbedtls.sh)
        self.assertRegex(r.out, r"^agendactl \d+\.\d+\.\d+ \(schema \d+, TLS mbedTLS/\d")
        version = ag.ok("--version", db=False).json
        self.assertEqual(version["program"], "agendactl")
        self.assertTrue(version["tls"].startswith("mbedTLS/"))
        overview = ag.ok("help", json_mode=False, db=False).out
        for code in [c for c in range(0, 17) if c != 8]:  # 8 is retired (see docs/CLI.md)
            self.assertRegex(overview, r"\b%d\b" % code)
        for var in ("AGENDA_DB", "AGENDA_NOW", "AGENDA_USER"):
            self.assertIn(var, overview)
        listed = {o["command"] for o in ag.ok("help", db=False).objs}
        self.assertEqual(listed, set(COMMANDS))
        for cmd in COMMANDS:
            it = ag.ok("help", *cmd.split(), json_mode=False, db=False).out
            self.assertIn("Uso: agendactl", it, cmd)
            self.assertIn("Esempio: agendactl", it, cmd)
            en = ag.ok("--lang", "en", "help", *cmd.split(), json_mode=False, db=False).out
            self.assertIn("Example: agendactl", en, cmd)
        # No command: the overview, as a usage error.
        self.assertEqual(ag.run(json_mode=False, db=False).rc, 2)
        self.assertExit(ag.run("help", "frobnicate", db=False), 2, "usage")

    def test_setup_commands(self):
        ag = self.ag
        r = ag.ok("init", "--site", "Bologna")
        self.assertEqual(r.json["site"], "Bologna")
        self.assertEqual(len(r.json["device_id"]), 36)
        # init again keeps the device id.
        self.assertEqual(ag.ok("init", "--site", "Bologna").json["device_id"], r.json["device_id"])
        r = ag.ok("questura", "add", "BO", "--name", "Questura di Bologna", "--city", "Bologna",
                  "--address", "Via Bovi Campeggi 13, Bologna", "--email", "bo@example.invalid")
        self.assertEqual(r.json["code"], "BO")
        self.assertExit(ag.run("questura", "add", "XX", "--name", "n", "--city", "c"), 9)
        # Adding again updates.
        ag.ok("questura", "add", "BO", "--name", "Questura di Bologna - Immigrazione", "--city",
              "Bologna")
        qs = ag.ok("questura", "list").objs
        self.assertEqual(len(qs), 1)
        self.assertEqual(qs[0]["name"], "Questura di Bologna - Immigrazione")
        self.assertEqual(qs[0]["patron"], "10-04")
        plain = ag.ok("questura", "list", json_mode=False).out
        self.assertIn("BO  Questura di Bologna", plain)

        r = ag.ok("capacity", "set", "BO", "--from", "2026-05-04", "--to", "2026-05-10",
                  "--weekdays", "1,3,5-6", "--first", "8:30", "--minutes", "30", "--slots", "3")
        self.assertEqual((r.json["days"], r.json["slots_created"]), (4, 12))
        self.assertExit(ag.run("capacity", "set", "ZZ", "--from", "2026-05-04", "--to",
                               "2026-05-10", "--first", "8:30", "--minutes", "30", "--slots",
                               "3"), 3, "not_found")
        r = ag.ok("closure", "add", "BO", "2026-05-06", "--note", "inventario")
        self.assertEqual((r.json["date"], r.json["open"]), ("2026-05-06", False))
        r = ag.ok("closure", "open", "BO", "09/05/2026")
        self.assertEqual((r.json["date"], r.json["open"]), ("2026-05-09", True))
        plain = ag.ok("closure", "add", "BO", "2026-05-08", json_mode=False).out
        self.assertIn("chiusa", plain)

        # A booked slot survives re-planning the capacity to zero.
        with open(os.path.join(self.folder, "p.csv"), "w", encoding="utf-8") as f:
            f.write(h.csv_text([("BO/2026/000001", "ITA500000001", "BIANCO", "ELENA",
                                 "1990-01-01", "ALBANIA", "lavoro", "BO")]))
        ag.ok("practice", "import", os.path.join(self.folder, "p.csv"))
        ag.add_operator("anna.verdi")
        b = ag.book("BO/2026/000001", user="anna.verdi").json
        # Monday is today, Wednesday and Friday closed, Saturday's slots usable once opened.
        self.assertEqual(b["date"], "2026-05-09")
        r = ag.ok("capacity", "set", "BO", "--from", "2026-05-04", "--to", "2026-05-10",
                  "--weekdays", "1-7", "--first", "8:30", "--minutes", "30", "--slots", "0")
        self.assertEqual(r.json["slots_kept_booked"], 1)
        shown = ag.ok("show", b["id"], user="anna.verdi").json
        self.assertEqual((shown["state"], shown["date"]), ("confirmed", "2026-05-09"))

    def test_device_id_assigned_once(self):
        """Provisioning's device id replaces the random one once; racing assignments: one wins."""
        ag = self.ag
        random_id = ag.ok("init", "--site", "Roma").json["device_id"]
        ag.ok("questura", "add", "RM", "--name", "Questura di Roma", "--city", "Roma")
        ag.ok("capacity", "set", "RM", "--from", "2026-05-05", "--to", "2026-05-08",
              "--first", "9:00", "--minutes", "20", "--slots", "2")
        self.assertExit(ag.run("device", "assign", "con spazi"), 9, "invalid")
        procs = [subprocess.Popen([ag.binary, "--db", ag.db, "--json", "device", "assign",
                                   "RM-SUI-%04d" % k], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=ag.env(None))
                 for k in range(6)]
        results = [(p.wait(timeout=60), p.stdout.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        winners = [out for rc, out in results if rc == 0]
        self.assertEqual(len(winners), 1, results)
        self.assertEqual(sorted(rc for rc, _ in results), [0, 4, 4, 4, 4, 4])
        won = json.loads(winners[0])["device_id"]
        self.assertEqual(ag.ok("init", "--site", "Roma").json["device_id"], won)
        db = ag.sql()
        holders = db.execute("SELECT held_by, count(*) FROM slot GROUP BY held_by").fetchall()
        db.close()
        self.assertEqual(holders, [(won, 8)])
        self.assertNotEqual(won, random_id)
        # The same id again is harmless; another is refused naming the one assigned.
        ag.ok("device", "assign", won)
        r = ag.run("device", "assign", "RM-SUI-9999")
        self.assertExit(r, 4, "refused")
        self.assertIn(won, r.json["message"])

    def test_operator_commands(self):
        ag = self.ag
        ag.ok("init", "--site", "Roma")
        r = ag.ok("operator", "add", "mario.rossi", "--role", "operatore")
        self.assertNotIn("password", r.json)  # not shown unless asked
        self.assertFalse(r.json["password_mailed"])
        plain = ag.run("operator", "add", "luca.neri", "--role", "dirigente", json_mode=False)
        self.assertEqual(plain.rc, 0, plain)
        self.assertIn("reset-password luca.neri --print-password", plain.err)
        r = ag.ok("operator", "add", "sara.bruno", "--role", "tecnico", "--print-password")
        self.assertEqual(len(r.json["password"]), 12)
        self.assertExit(ag.run("operator", "add", "sara.bruno", "--role", "tecnico"), 4, "exists")
        self.assertExit(ag.run("operator", "add", "9bad", "--role", "tecnico"), 9)
        self.assertExit(ag.run("operator", "unlock", "nessuno"), 3, "not_found")
        self.assertExit(ag.run("operator", "reset-password", "nessuno"), 3, "not_found")
        ops = {o["username"]: o for o in ag.ok("operator", "list").objs}
        self.assertEqual({u: o["role"] for u, o in ops.items()},
                         {"mario.rossi": "operatore", "luca.neri": "dirigente",
                          "sara.bruno": "tecnico"})
        self.assertFalse(any(o["locked"] for o in ops.values()))
        r = ag.ok("operator", "reset-password", "mario.rossi", "--print-password")
        self.assertEqual(r.json["role"], "operatore")
        ag.passwords["mario.rossi"] = r.json["password"]
        ag.ok("operator", "unlock", "mario.rossi")
        # With the Dirigente's address set, the password is queued to it.
        ag.ok("init", "--site", "Roma", "--dirigente-email", "dirigente@example.invalid")
        r = ag.ok("operator", "add", "olena.ricci", "--role", "operatore")
        self.assertTrue(r.json["password_mailed"])
        db = ag.sql()
        try:
            n = db.execute("SELECT count(*) FROM outbox WHERE recipient = ?",
                           ("dirigente@example.invalid",)).fetchone()[0]
        finally:
            db.close()
        self.assertEqual(n, 1)

    def test_worklist_commands(self):
        """What a sync round leaves for the counter (issue 12), listed and marked done."""
        ag = self.ag
        ag.standard_site()
        ag.add_operator("sara.bruno", role="tecnico")
        db = sqlite3.connect(ag.db)
        db.executescript(
            "INSERT INTO worklist(created_at, kind, appointment_id, numero_pratica)"
            " VALUES(1777878000, 'closure', '11111111-1111-4111-8111-111111111111',"
            " 'RM/2026/000001');"
            "INSERT INTO worklist(created_at, kind, numero_pratica)"
            " VALUES(1777878060, 'withdrawn', 'RM/2026/000002');")
        db.close()
        items = ag.ok("worklist", user="mario.rossi").objs
        self.assertEqual([i["kind"] for i in items], ["closure", "withdrawn"])
        self.assertEqual(items[0]["numero_pratica"], "RM/2026/000001")
        self.assertIn("Questura", items[0]["what"])
        self.assertIsNone(items[1]["appointment_id"])
        plain = ag.run("worklist", user="mario.rossi", json_mode=False)
        self.assertEqual(plain.rc, 0, plain)
        self.assertIn("2 attività", plain.out)
        done = ag.ok("worklist", "done", str(items[0]["id"]), user="mario.rossi").json
        self.assertTrue(done["done"])
        self.assertExit(ag.run("worklist", "done", str(items[0]["id"]), user="mario.rossi"), 4,
                        "exists")
        self.assertExit(ag.run("worklist", "done", "99", user="mario.rossi"), 3, "not_found")
        self.assertExit(ag.run("worklist", "done", "tre", user="mario.rossi"), 2, "usage")
        self.assertEqual(len(ag.ok("worklist", user="mario.rossi").objs), 1)
        every = ag.ok("worklist", "--all", user="mario.rossi").objs
        self.assertEqual(len(every), 2)
        self.assertEqual(every[1]["done_by"], "mario.rossi")
        # Practice numbers are personal data: a tecnico is refused, and no log-in no list.
        self.assertExit(ag.run("worklist", user="sara.bruno"), 4)
        self.assertEqual(ag.run("worklist").rc, 2)

    def test_outbox_commands(self):
        """The outbox seen by a technician: states, the server's replies, never a body; a
        message the sender gave up on goes back in the queue, a sent one does not."""
        ag = self.ag
        ag.ok("init", "--site", "Roma", "--dirigente-email", "dirigente@example.invalid")
        self.assertEqual(ag.ok("outbox", "list").objs, [])
        password = ag.ok("operator", "add", "olena.ricci", "--role", "operatore",
                         "--print-password").json["password"]
        ag.ok("operator", "add", "kofi.marino", "--role", "operatore")
        listed = ag.ok("outbox", "list").objs
        self.assertEqual([(o["id"], o["state"], o["kind"]) for o in listed],
                         [(1, "queued", "password"), (2, "queued", "password")])
        self.assertEqual(listed[0]["recipient"], "dirigente@example.invalid")
        self.assertGreater(listed[0]["body_bytes"], 0)
        for args in (("outbox", "list"), ("outbox", "show", "1")):
            for lang in ("it", "en"):
                r = ag.ok("--lang", lang, *args, json_mode=False)
                self.assertNotIn(password, r.out + r.err)
            self.assertNotIn(password, ag.ok(*args).out)
        # What the mail sender (a later issue) leaves: one given up, one sent.
        db = sqlite3.connect(ag.db)
        try:
            db.execute("UPDATE outbox SET state = 'failed', attempts = 30, reply = '550 5.1.1 no',"
                       " last_error = '550 5.1.1 no' WHERE id = 1")
            db.execute("UPDATE outbox SET state = 'sent', sent_at = 1777878000,"
                       " reply = '250 2.0.0 Ok' WHERE id = 2")
            db.commit()
        finally:
            db.close()
        shown = ag.ok("outbox", "show", "1").json
        self.assertEqual((shown["state"], shown["attempts"], shown["reply"]),
                         ("failed", 30, "550 5.1.1 no"))
        self.assertIn("550 5.1.1 no", ag.ok("outbox", "show", "1", json_mode=False).out)
        self.assertEqual([o["id"] for o in ag.ok("outbox", "list", "--state", "failed").objs],
                         [1])
        self.assertEqual(ag.ok("outbox", "show", "2").json["body_bytes"], 0)  # wiped when sent
        r = ag.ok("outbox", "retry", "1").json
        self.assertEqual((r["state"], r["attempts"], r["next_try"]), ("queued", 0,
                                                                      "2026-05-04T09:00:00"))
        self.assertIn("1", ag.ok("outbox", "retry", "1", json_mode=False).out)
        self.assertExit(ag.run("outbox", "retry", "2"), 4, "refused")
        self.assertExit(ag.run("outbox", "retry", "99"), 3, "not_found")
        self.assertExit(ag.run("outbox", "show", "99"), 3, "not_found")
        self.assertExit(ag.run("outbox", "show", "uno"), 9, "invalid")
        self.assertExit(ag.run("outbox", "list", "--state", "lost"), 2, "usage")
        db = ag.sql()
        try:
            retries = db.execute("SELECT count(*) FROM audit WHERE action = 'mail_retry'"
                                 " AND actor = 'agendactl'").fetchone()[0]
        finally:
            db.close()
        self.assertEqual(retries, 2)
        ag.ok("audit", "verify")

    def test_password_prompt_on_terminal(self):
        """On a terminal the password is asked for with echo off, and echo comes back after."""
        ag = self.ag
        ag.ok("init", "--site", "Roma")
        password = ag.add_operator("mario.rossi")
        master, slave = os.openpty()
        try:
            proc = subprocess.Popen([ag.binary, "--db", ag.db, "--json", "--user", "mario.rossi",
                                     "day"], stdin=slave, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=ag.env(), text=True)
            deadline = time.monotonic() + 20
            while termios.tcgetattr(master)[3] & termios.ECHO:
                self.assertLess(time.monotonic(), deadline, "echo never switched off")
                time.sleep(0.01)
            os.write(master, (password + "\n").encode())
            out, err = proc.communicate(timeout=h.TIMEOUT)
            echoed = b""
            while select.select([master], [], [], 0.2)[0]:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                echoed += chunk
            self.assertEqual(proc.returncode, 0, (out, err))
            self.assertIn("Password dell'operatore mario.rossi", err)
            self.assertNotIn(password.encode(), echoed)
            self.assertTrue(termios.tcgetattr(master)[3] & termios.ECHO, "echo not restored")
        finally:
            os.close(master)
            os.close(slave)

    def test_demo_seed(self):
        ag = self.ag
        r = ag.ok("demo-seed")  # creates the database as a Roma site
        rep = r.json
        self.assertEqual(rep["questure"], 4)
        self.assertEqual(rep["capacity_days"], 90)
        self.assertGreaterEqual(rep["practices"], 200)
        self.assertGreater(rep["practices_not_bookable"], 0)
        self.assertLess(rep["practices_not_bookable"], rep["practices"] // 5)
        # 90 days from Monday 4 May 2026: 65 working days (Mon-Fri) x 16 slots x 4 Questure.
        self.assertEqual(rep["slots_created"], 65 * 16 * 4)
        codes = {q["code"]: q for q in ag.ok("questura", "list").objs}
        self.assertEqual(set(codes), {"RM", "MI", "BO", "PD"})
        self.assertIn("San Vitale", codes["RM"]["address"])
        accounts = {a["username"]: a for a in rep["accounts"]}
        self.assertEqual({a["role"] for a in accounts.values()},
                         {"operatore", "dirigente", "tecnico"})
        db = ag.sql()
        try:
            total, demo, named = db.execute(
                "SELECT count(*), sum(demo), sum(cognome LIKE 'DEMO %') FROM practice").fetchone()
            kinds = dict(db.execute("SELECT tipo, count(*) FROM practice GROUP BY tipo"))
        finally:
            db.close()
        self.assertEqual(total, rep["practices"])
        self.assertEqual((demo, named), (total, total))
        self.assertGreater(kinds["lavoro"], total / 2)  # stored in its one spelling
        self.assertGreater(kinds["ricongiungimento familiare"], 0)
        # The printed accounts log in and book the printed samples; ineligible ones are refused.
        op = next(a for a in rep["accounts"] if a["role"] == "operatore")
        ag.passwords[op["username"]] = op["password"]
        for s in rep["samples"]:
            r = ag.book(s["numero_pratica"], user=op["username"])
            if s["bookable"]:
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(r.json["date"], "2026-05-05")
            else:
                self.assertExit(r, 4, "refused")
        tec = next(a for a in rep["accounts"] if a["role"] == "tecnico")
        ag.passwords[tec["username"]] = tec["password"]
        self.assertExit(ag.book(rep["samples"][0]["numero_pratica"], user=tec["username"]), 4)
        # Plain output names the accounts and passwords; running again refreshes them.
        plain = ag.ok("demo-seed", json_mode=False).out
        for user in accounts:
            self.assertIn(user, plain)
        self.assertIn("password:", plain)
        self.assertIn(rep["samples"][0]["numero_pratica"], plain)
        self.assertEqual(ag.ok("audit", "verify").json["intact"], True)


if __name__ == "__main__":
    h.main()
