#!/usr/bin/python3
"""mail_compose checked by an oracle that shares no code with it: Python's email package
(policy=default) parses what mail_send_tool compose writes, and subject, display name, body,
attachment (byte for byte), Message-ID and Date must come back equal; every line is ASCII, at
most 76 characters and ends in CRLF; the same row composes to the same bytes; header injection
is refused. Usage: mail_compose_test.py MAIL_SEND_TOOL
"""
import email
import email.policy
import email.utils
import os
import subprocess
import sys
import tempfile

TOOL = sys.argv[1]
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


def compose(tmp, date, message_id="<elenco.20260504.FO.v1.dev7@forli.agenda-elettronica.it>",
            subject="Elenco", from_name=None, body="ciao\n", attachment=None,
            attachment_name=None, attachment_type=None, to="questura.fo@example.it"):
    body_path = os.path.join(tmp, "body.txt")
    with open(body_path, "wb") as f:
        f.write(body.encode())
    args = [TOOL, "compose", "--message-id", message_id, "--from", "agenda@example.it",
            "--to", to, "--subject", subject, "--body-file", body_path, "--date", str(date)]
    if from_name is not None:
        args += ["--from-name", from_name]
    if attachment is not None:
        attachment_path = os.path.join(tmp, "attachment.bin")
        with open(attachment_path, "wb") as f:
            f.write(attachment)
        args += ["--attachment-name", attachment_name, "--attachment-file", attachment_path]
        if attachment_type:
            args += ["--attachment-type", attachment_type]
    run = subprocess.run(args, capture_output=True, timeout=10)
    return run.returncode, run.stdout


def check_wire_form(raw, what):
    lines = raw.split(b"\r\n")
    check(lines[-1] == b"", what + ": ends with CRLF")
    check(b"\n" not in raw.replace(b"\r\n", b""), what + ": no bare LF")
    check(b"\r" not in raw.replace(b"\r\n", b""), what + ": no bare CR")
    check(all(len(l) <= 76 for l in lines), what + ": lines <= 76 (longest %d)"
          % max(len(l) for l in lines))
    check(all(b < 0x80 for b in raw), what + ": ASCII only")
    check(not any(l.startswith(b".") for l in lines), what + ": no line starts with a dot")


SUMMER = 1777887000  # 2026-05-04 11:30 in Rome (+0200)
WINTER = 1796220000  # 2026-12-02 ... in Rome (+0100)

with tempfile.TemporaryDirectory() as tmp:
    subjects = [
        "Elenco",
        "Agenda Elettronica - Sportello Unico per l'Immigrazione di Forlì-Cesena - Questura di "
        "Forlì-Cesena - appuntamenti fissati il 04/05/2026",
        "Agenda Elettronica - Sportello Unico per l'Immigrazione di Roma - Questura di Roma - "
        "appuntamenti fissati il 04/05/2026",
        "RETTIFICA n. 1 - Città di Castello: Nguyễn Văn Anh, إدارة الهجرة 😀 " * 2,
    ]
    body = ("Agenda Elettronica — Forlì\n\nappuntamenti: 3, annullati/spostati: 1\n"
            ".riga che inizia con un punto\nriga con spazio finale \nriga con tab\t\n"
            "uguale = e tabella\tcon tab\n" + "lunga " * 40 + "\n"
            "NGUYỄN Văn Anh · Città · محمد عبد الله\n" + "è" * 60 + "\n\n")
    csv = ("\ufeffdata_appuntamento;ora;questura;numero_pratica;cognome;nome\r\n"
           "2026-05-05;09:30;FO;FO-1234;NGUYỄN;\"Văn\r\nAnh\";\r\n"
           "2026-05-05;10:00;FO;FO-99;\"O\"\"Brien\";\"a;b\nc\"\r\n"
           + "2026-05-06;11:00;FO;FO-7;محمد;عبد الله\r\n" * 30).encode()

    for n, subject in enumerate(subjects):
        for date, offset in ((SUMMER, "+0200"), (WINTER, "+0100")):
            what = "subject %d at %d" % (n, date)
            rc, raw = compose(tmp, date, subject=subject, from_name="Sportello Unico di Forlì",
                              body=body, attachment=csv,
                              attachment_name="appuntamenti_FO_2026-05-04_v1.csv",
                              attachment_type="text/csv")
            check(rc == 0, what + ": composed")
            check_wire_form(raw, what)
            m = email.message_from_bytes(raw, policy=email.policy.default)
            check(not m.defects, what + ": no defects %r" % m.defects)
            check(str(m["Subject"]) == subject, what + ": subject %r" % str(m["Subject"]))
            check(m["From"].addresses[0].display_name == "Sportello Unico di Forlì",
                  what + ": display name")
            check(m["From"].addresses[0].addr_spec == "agenda@example.it", what + ": from")
            check(m["To"].addresses[0].addr_spec == "questura.fo@example.it", what + ": to")
            check(m["Message-ID"] ==
                  "<elenco.20260504.FO.v1.dev7@forli.agenda-elettronica.it>", what + ": id")
            check(m["Date"].endswith(offset), what + ": date %s" % m["Date"])
            check(int(email.utils.parsedate_to_datetime(m["Date"]).timestamp()) == date,
                  what + ": date is the epoch given")
            check(m.get_content_type() == "multipart/mixed", what + ": multipart")
            parts = list(m.iter_parts())
            check(len(parts) == 2, what + ": two parts")
            text = parts[0].get_content().replace("\r\n", "\n")
            check(text == body, what + ": body equal")
            check(parts[1].get_filename() == "appuntamenti_FO_2026-05-04_v1.csv",
                  what + ": file name")
            check(parts[1].get_content_type() == "text/csv", what + ": text/csv")
            check(parts[1].get_payload(decode=True) == csv, what + ": attachment byte for byte")
            check(all(not p.defects for p in parts), what + ": parts without defects")

    # a single text part, a non-ASCII attachment name, no display name
    rc, raw = compose(tmp, SUMMER, subject="Password", body="La password è: Xy7=é\n")
    m = email.message_from_bytes(raw, policy=email.policy.default)
    check(rc == 0 and m.get_content_type() == "text/plain", "single part")
    check(m.get_content().replace("\r\n", "\n") == "La password è: Xy7=é\n", "single part body")
    check_wire_form(raw, "single part")
    rc, raw = compose(tmp, SUMMER, body="x\n", attachment=b"a,b\r\n",
                      attachment_name="elenco Città.csv")
    m = email.message_from_bytes(raw, policy=email.policy.default)
    parts = list(m.iter_parts())
    check(parts[1].get_filename() == "elenco Città.csv", "RFC 2231 file name")
    check(parts[1].get_content_type() == "application/octet-stream", "default type")

    # deterministic: same row, same bytes; the boundary follows the Message-ID
    a = compose(tmp, SUMMER, body="x\n", attachment=b"1\r\n", attachment_name="a.csv")[1]
    b = compose(tmp, SUMMER, body="x\n", attachment=b"1\r\n", attachment_name="a.csv")[1]
    c = compose(tmp, SUMMER, body="x\n", attachment=b"1\r\n", attachment_name="a.csv",
                message_id="<other@example.it>")[1]
    check(a == b, "same row composes to the same bytes")
    boundary = lambda raw: email.message_from_bytes(raw).get_boundary()
    check(boundary(a) == boundary(b) != boundary(c), "boundary from the Message-ID")

    # refused: header injection, bad addresses, bad Message-ID, invalid UTF-8
    for bad in ({"subject": "Elenco\r\nBcc: x@example.it"}, {"to": "a@b.it>, <c@d.it"},
                {"message_id": "no-brackets@example.it"}, {"to": "nobody"},
                {"subject": "tab\there"}, {"from_name": "Forlì\nBcc: x@example.it"}):
        rc, _ = compose(tmp, SUMMER, **bad)
        check(rc == 2, "refused: %r" % bad)

print("mail_compose_test: %s" % ("FAILED (%d)" % len(failures) if failures else "ok"))
sys.exit(1 if failures else 0)
