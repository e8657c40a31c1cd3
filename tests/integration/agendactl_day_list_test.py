"""agendactl_day_list_test.py — the end-of-day lists from the shell (issue 13), on a real
database file with the clock pinned (AGENDA_NOW): close-day reports the lists and emails it
queued (text and --json) and names a Questura without an address; the queued CSV holds exactly
the day's appointments as `day` lists them; a late cancel queues exactly one RETTIFICA and a
second close queues nothing; close-day --due (no user, actor "sistema") before and after the
close time; day configure; day print to the virtual printer, one Questura or each of the day.

Run: /usr/bin/python3 agendactl_day_list_test.py PATH/TO/agendactl
"""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agendactl_harness as h  # noqa: E402

U = "mario.rossi"


class DayLists(h.AgendaTest):

    def site(self):
        ag = self.ag
        ag.standard_site()
        ag.ok("questura", "add", "RM", "--name", "Questura di Roma", "--city", "Roma",
              "--address", "Via di San Vitale 15, Roma", "--email", "immigrazione.rm@example.test")
        ag.ok("capacity", "set", "MI", "--from", "2026-05-04", "--to", "2026-05-15",
              "--weekdays", "1-5", "--first", "08:30", "--minutes", "15", "--slots", "2")
        for pratica in ("RM/2026/000001", "RM/2026/000002", "MI/2026/000001"):
            self.assertEqual(ag.book(pratica).rc, 0)

    def outbox(self):
        with self.ag.sql() as db:
            return db.execute("SELECT message_id, topic, recipient, subject, body, attachment_name,"
                              " attachment FROM outbox WHERE kind = 'day_list' ORDER BY id"
                              ).fetchall()

    def test_close_reports_lists_and_csv_equals_the_day(self):
        ag = self.ag
        self.site()
        c = ag.ok("close-day", user=U).json
        self.assertEqual((c["version"], c["lists"], c["messages"]), (1, 2, 1))
        self.assertEqual(c["without_email"], ["MI"])
        mails = self.outbox()
        self.assertEqual(len(mails), 1)
        mid, topic, to, subject, body, name, attachment = mails[0]
        self.assertRegex(mid, r"^<elenco\.20260504\.RM\.v1\.[^@]+@roma\.agenda-elettronica\.it>$")
        self.assertIsNone(topic)
        self.assertEqual(to, "immigrazione.rm@example.test")
        self.assertEqual(subject, "Agenda Elettronica - Sportello Unico per l'Immigrazione di Roma"
                         " - Questura di Roma - appuntamenti fissati il 04/05/2026")
        self.assertEqual(name, "appuntamenti_RM_2026-05-04_v1.csv")
        lines = body.split("\n")
        self.assertLessEqual(len(lines), 60)
        self.assertTrue(all(len(line) <= 80 for line in lines))
        # The CSV's rows are the day's RM appointments as `day` lists them.
        self.assertTrue(attachment.startswith("\ufeff"))
        self.assertNotIn("\n", attachment.replace("\r\n", ""))
        rows = list(csv.reader(io.StringIO(attachment[1:], newline=""), delimiter=";"))
        self.assertEqual(rows[0], ["data_appuntamento", "ora", "questura", "numero_pratica",
                                   "numero_visto", "cognome", "nome", "data_nascita",
                                   "nazionalita", "tipo", "stato", "id_prenotazione",
                                   "fissato_il"])
        day = [o for o in ag.ok("day", user=U).objs if o["questura"] == "RM"]
        self.assertEqual(sorted((r[11], r[3], r[0], r[1]) for r in rows[1:]),
                         sorted((o["id"], o["numero_pratica"], o["date"], o["time"])
                                for o in day))
        self.assertEqual({r[10] for r in rows[1:]}, {"confermato"})
        # Text mode says the same, and the Questura without address by code.
        text = ag.ok("close-day", "2026-05-04", user=U, json_mode=False).out
        self.assertIn("Elenchi alle Questure: 0 nuovi o rettificati, 0 email in coda.", text)
        self.assertEqual(len(self.outbox()), 1)

    def test_late_cancel_one_rettifica(self):
        ag = self.ag
        self.site()
        ag.ok("close-day", user=U)
        first = ag.ok("day", user=U).objs[0]
        ag.ok("cancel", first["id"], "--reason", "rinuncia", user=U)
        mails = self.outbox()
        self.assertEqual(len(mails), 2)
        self.assertEqual(mails[1][1], "rettifica:2026-05-04:RM")
        self.assertTrue(mails[1][3].startswith("RETTIFICA n. 1 - Agenda Elettronica"))
        self.assertIn(";annullato;", mails[1][6])
        again = ag.ok("close-day", user=U).json
        self.assertEqual((again["lists"], again["messages"]), (0, 0))
        self.assertEqual(len(self.outbox()), 2)

    def test_close_due_and_configure(self):
        ag = self.ag
        self.site()
        before = ag.run("close-day", "--due", json_mode=False,
                        env={"AGENDA_NOW": "2026-05-04T17:59:00"})
        self.assertEqual(before.rc, 0, before)
        self.assertIn("Nessuna giornata da chiudere.", before.out)
        after = ag.ok("close-day", "--due", env={"AGENDA_NOW": "2026-05-04T18:00:00"}).json
        self.assertEqual((after["date"], after["messages"]), ("2026-05-04", 1))
        self.assertEqual(ag.ok("close-day", "--due",
                               env={"AGENDA_NOW": "2026-05-04T18:01:00"}).objs, [])
        with ag.sql() as db:
            self.assertEqual(db.execute("SELECT count(*) FROM day_close WHERE operator_id IS NULL"
                                        ).fetchone()[0], 1)
            self.assertEqual(db.execute("SELECT count(*) FROM audit WHERE actor = 'sistema'"
                                        " AND action = 'close_day'").fetchone()[0], 1)
        self.assertExit(ag.run("close-day", "--due", "2026-05-04"), 2, "usage")
        # day configure: shows, sets, refuses nonsense.
        self.assertEqual(ag.ok("day", "configure").json,
                         {"close_time": "18:00", "send_empty": False})
        self.assertEqual(ag.ok("day", "configure", "--close-time", "17:30", "--send-empty",
                               "yes").json, {"close_time": "17:30", "send_empty": True})
        self.assertIn("17:30", ag.ok("day", "configure", json_mode=False).out)
        self.assertExit(ag.run("day", "configure", "--send-empty", "maybe"), 2, "usage")
        self.assertNotEqual(ag.run("day", "configure", "--close-time", "25:00").rc, 0)
        # Next day: 17:30 now closes it, and Firenze/Padova get "nessun appuntamento" lists.
        env = {"AGENDA_NOW": "2026-05-05T10:00:00"}
        self.assertEqual(ag.run("book", "--pratica", "RM/2026/000003", user=U, env=env).rc, 0)
        due = ag.ok("close-day", "--due", env={"AGENDA_NOW": "2026-05-05T17:30:00"}).json
        self.assertEqual(due["date"], "2026-05-05")
        self.assertEqual(due["lists"], 4)  # RM with its appointment, MI, FI, PD empty
        self.assertEqual(sorted(due["without_email"]), ["FI", "MI", "PD"])

    def test_day_print_virtual(self):
        ag = self.ag
        self.site()
        out = os.path.join(self.folder, "print")
        os.mkdir(out)
        one = ag.ok("day", "print", "--questura", "RM", "--printer",
                    "virtual:" + os.path.join(out, "rm"), user=U).json
        self.assertEqual((one["questura"], one["date"]), ("RM", "2026-05-04"))
        with open(os.path.join(out, "rm-1.txt"), encoding="utf-8") as f:
            page = f.read()
        self.assertIn("Questura di Roma (RM)", page)
        self.assertIn("RM/2026/000001", page)
        self.assertIn("ROSSI MARIO", page)
        self.assertNotIn("MI/2026/000001", page)
        both = ag.ok("day", "print", "--printer", "virtual:" + os.path.join(out, "all"), user=U)
        self.assertEqual([o["questura"] for o in both.objs], ["MI", "RM"])
        # Personal data: a log-in is needed.
        self.assertNotEqual(ag.run("day", "print", "--printer", "virtual:" + out).rc, 0)
        empty = ag.ok("day", "print", "--date", "2026-05-06", "--printer",
                      "virtual:" + os.path.join(out, "none"), user=U, json_mode=False)
        self.assertIn("niente da stampare", empty.out)


if __name__ == "__main__":
    h.main()
