#!/usr/bin/python3
"""mail_day_close_test.py — the day close's lists, as a Questura receives them (issue 13).

A day of bookings at two Questure (one cancelled), `close-day`, `outbox send` to the real SMTP
server (tests/tools/smtp_server.py, STARTTLS and SMTPS): each Questura gets one message, parsed
with Python's email package — headers valid, Subject and From decode with their accents, the
text fits one printed page (≤ 60 lines of ≤ 80 columns), the CSV attachment equals the day's
appointments as `agendactl --json day` lists them for that Questura (names from the imported
practices). A cancel after the close produces exactly one RETTIFICA with the corrected list.

Usage: mail_day_close_test.py PATH/TO/agendactl
"""
import csv
import io

import agendactl_harness as h
import mail_harness as mh

COLUMNS = ["data_appuntamento", "ora", "questura", "numero_pratica", "numero_visto", "cognome",
           "nome", "data_nascita", "nazionalita", "tipo", "stato", "id_prenotazione",
           "fissato_il"]
STATO = {"confirmed": "confermato", "cancelled": "annullato", "moved": "spostato"}
EMAIL = {"RM": "immigrazione.rm@example.it", "MI": "immigrazione.mi@example.it"}
MI_NAME = "Questura di Milano – Città Studi"
PRACTICE = {p[0]: p for p in h.PRACTICES}
USER = "mario.rossi"


class DayCloseStarttls(mh.MailTest):
    MODE = "starttls"

    def setUp(self):
        super().setUp()
        self.ag.standard_site()
        self.ag.ok("questura", "add", "RM", "--name", "Questura di Roma", "--city", "Roma",
                   "--email", EMAIL["RM"])
        self.ag.ok("questura", "add", "MI", "--name", MI_NAME, "--city", "Milano", "--email",
                   EMAIL["MI"])
        self.ag.ok("capacity", "set", "MI", "--from", "2026-05-04", "--to", "2026-05-15",
                   "--weekdays", "1-5", "--first", "09:00", "--minutes", "20", "--slots", "1")
        self.booked = {}
        for pratica in ("RM/2026/000004", "RM/2026/000001", "RM/2026/000002",
                        "RM/2026/000003", "MI/2026/000001"):
            r = self.ag.book(pratica)
            self.assertEqual(r.rc, 0, r)
            self.booked[pratica] = r.json["id"]
        self.cancel("RM/2026/000002")
        self.assertEqual(self.deliver(), 1)  # the operator's password, to the Dirigente

    def cancel(self, pratica):
        self.ag.ok("cancel", self.booked[pratica], "--reason", "Richiesta del richiedente",
                   user=USER)

    def expected_rows(self, questura):
        """The day's appointments for questura as agendactl lists them, in the CSV's form."""
        rows = []
        for b in self.ag.ok("day", "2026-05-04", user=USER).objs:
            if b["questura"] != questura:
                continue
            p = PRACTICE[b["numero_pratica"]]
            rows.append([b["date"], b["time"], b["questura"], b["numero_pratica"], p[1], p[2],
                         p[3], p[4], p[5], p[6], STATO[b["state"]], b["id"],
                         b["created_at"]])
        return sorted(rows, key=lambda r: (r[0], r[1], r[3]))

    def deliver(self):
        r = self.send()
        self.assertEqual(r.rc, 0, r)
        return r.json["sent"]

    def check_message(self, msg, raw, envelope, stored, questura):
        self.assertEqual(msg["Message-ID"], stored["message_id"])
        self.assertEqual(envelope["rcpt_tos"], [EMAIL[questura]])
        self.assertEqual(msg["To"].addresses[0].addr_spec, EMAIL[questura])
        self.assertIsNotNone(msg["Date"].datetime)
        self.assertEqual(msg["MIME-Version"], "1.0")
        self.assertEqual(str(msg["Subject"]), stored["subject"])
        self.assertEqual(mh.decoded_header(raw, "Subject"), stored["subject"])
        self.assertEqual(mh.decoded_header(raw, "From"), "%s <%s>" % (mh.FROM_NAME, mh.FROM))
        self.assertEqual(msg.get_content_type(), "multipart/mixed")
        text = msg.get_body(("plain",)).get_content()
        lines = text.rstrip("\n").split("\n")
        self.assertLessEqual(len(lines), 60, text)
        for line in lines:
            self.assertLessEqual(len(line), 80, line)
        [part] = list(msg.iter_attachments())
        self.assertEqual(part.get_content_type(), "text/csv")
        self.assertEqual(part.get_filename(), stored["attachment_name"])
        data = part.get_payload(decode=True)
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"), data[:10])  # UTF-8 with BOM
        self.assertIn(b"\r\n", data)
        table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""),
                                delimiter=";"))
        self.assertEqual(table[0], COLUMNS)
        self.assertEqual(table[1:], self.expected_rows(questura))
        return text, table[1:]

    def test_close_delivers_one_list_per_questura(self):
        self.ag.ok("close-day", user=USER)
        queued = {m["recipient"]: m for m in self.outbox("queued") if m["kind"] == "day_list"}
        self.assertEqual(set(queued), set(EMAIL.values()))
        self.assertEqual(self.deliver(), 2)
        got = {env["rcpt_tos"][0]: (msg, raw, env) for msg, raw, env in self.server.messages()
               if "elenco." in msg["Message-ID"]}
        self.assertEqual(set(got), set(EMAIL.values()))
        for questura, address in EMAIL.items():
            text, rows = self.check_message(*got[address], queued[address], questura)
            self.assertIn(MI_NAME if questura == "MI" else "Questura di Roma",
                          mh.decoded_header(got[address][1], "Subject"))
            confirmed = sum(r[10] == "confermato" for r in rows)
            self.assertIn("appuntamenti: %d, annullati/spostati: %d"
                          % (confirmed, len(rows) - confirmed), text)
        rm_rows = self.check_message(*got[EMAIL["RM"]], queued[EMAIL["RM"]], "RM")[1]
        self.assertEqual([r[10] for r in rm_rows].count("annullato"), 1)
        self.assertIn("PERÙ", [r[8] for r in rm_rows])  # accents survive in the CSV
        for m in self.outbox():
            self.assertEqual(m["state"], "sent", m)

    def test_late_cancel_makes_exactly_one_rettifica(self):
        self.ag.ok("close-day", user=USER)
        self.assertEqual(self.deliver(), 2)
        self.cancel("RM/2026/000003")
        waiting = [m for m in self.outbox("queued") if m["kind"] == "day_list"]
        self.assertEqual(len(waiting), 1, waiting)
        rettifica = waiting[0]
        self.assertEqual(rettifica["recipient"], EMAIL["RM"])
        self.assertTrue(rettifica["subject"].startswith("RETTIFICA n. 1 - "), rettifica)
        self.assertIn(".RM.v2.", rettifica["message_id"])
        self.assertEqual(self.deliver(), 1)
        lists = [(m, raw, env) for m, raw, env in self.server.messages()
                 if "elenco." in m["Message-ID"]]
        self.assertEqual(len(lists), 3)
        rettifiche = [x for x in lists if str(x[0]["Subject"]).startswith("RETTIFICA")]
        self.assertEqual(len(rettifiche), 1)
        text, rows = self.check_message(*rettifiche[0], rettifica, "RM")
        self.assertEqual([r[10] for r in rows].count("annullato"), 2)
        # Nothing more to send: one late cancel, one RETTIFICA.
        self.assertEqual(self.deliver(), 0)


class DayCloseSmtps(DayCloseStarttls):
    MODE = "smtps"


if __name__ == "__main__":
    h.main()
