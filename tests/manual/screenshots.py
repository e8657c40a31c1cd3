#!/usr/bin/python3
"""screenshots.py — makes every picture of the Manuale utente with the real programs.

usage: screenshots.py BUILD_DIR IMG_DIR

On a fresh demo database (agendactl init + demo-seed, clock pinned with AGENDA_NOW) and a real
agenda-central on loopback (its own CA, site ROMA, the Questura di Roma's capacity, a one-time
code), agenda-kiosk runs its script mode at 1280x800 under Xvfb: attivazione.script activates the
device from the Tecnico screen; a second kiosk process runs sportello.script (book, print,
reprint, move, cancel, close the day); then central is stopped and a third runs senza_rete.script
(booking offline, the sync error on Tecnico). Each
`screenshot NAME` becomes IMG_DIR/NAME.png; the virtual printer's slips become
IMG_DIR/scontrino.png (the first convocation), IMG_DIR/scontrino-prova.png (the activation's
test slip) and IMG_DIR/scontrino-elenco.png (Giornata's "Stampa elenco"). The device's mail goes to
tests/tools/smtp_server.py on loopback, refusing at first (the pictures of a refused email),
then accepting: the delivered list's text is IMG_DIR/email-elenco.txt, and the password mailed
to the Dirigente for a new account (hidden) IMG_DIR/email-password.txt. Exit 0 done, 1 a step failed, 77 a tool is missing (Xvfb). MANUALE_SHOTS_KEEP=DIR copies the
work folder (database, scripts, slips, mail) there.
Uses tests/e2e/kiosk_e2e.py's harness (Xvfb on a free display, the demo seed, Central).
"""
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import kiosk_e2e as e2e  # noqa: E402


def fill(script_name, values):
    with open(os.path.join(HERE, script_name), encoding="utf-8") as f:
        text = f.read()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    if "@" in "".join(line for line in text.splitlines() if not line.startswith("#")):
        raise e2e.Failure(f"{script_name}: a @NAME@ left unfilled")
    return text


def copy_slips(slips, img):
    """The first convocation slip, the test slip and the day's list, told apart by their text
    twins."""
    wanted = {"scontrino": "CONVOCAZIONE", "scontrino-prova": "STAMPA DI PROVA",
              "scontrino-elenco": "Appuntamenti fissati il"}
    for txt in sorted(glob.glob(os.path.join(slips, "*.txt")),
                      key=lambda p: int(p.rsplit("-", 1)[1].split(".")[0])):
        with open(txt, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for name, marker in list(wanted.items()):
            if marker in text:
                shutil.copyfile(txt[:-4] + ".png", os.path.join(img, name + ".png"))
                del wanted[name]
    e2e.check(not wanted, f"the virtual printer printed a convocation, a test slip and a day's list "
              f"(missing: {sorted(wanted)})")


def counter_with_mail(h, mail, values, img):
    """sportello.script with the device's mail going to a real SMTP server that first refuses
    everything (the pictures of a refused email), then accepts: "Riprova email" delivers the
    Questura's list, whose text becomes img/email-elenco.txt (the manual links it)."""
    p = subprocess.run([h.ctl, "mail", "configure", "--host", "localhost", "--port",
                        str(mail.port), "--mode", "starttls", "--from",
                        "agenda.roma@example.invalid", "--from-name", "Agenda Elettronica Roma",
                        "--ca-file", mail.ca], env=dict(h.env, AGENDA_USER="demo.tecnico"),
                       input=h.passwords["demo.tecnico"] + "\n", capture_output=True, text=True,
                       timeout=60)
    e2e.check(p.returncode == 0, f"agendactl mail configure ({p.stderr.strip()[:200]})")
    # The Questura's address, where the day's list goes, comes from central with the Questura
    # (`agenda-central questura add --email`) at the device's first round.
    p = subprocess.run([h.ctl, "sync", "now"], env=h.env, capture_output=True, text=True,
                       timeout=60)
    e2e.check(p.returncode == 0, f"agendactl sync now ({p.stderr.strip()[:200]})")
    accepted = os.path.join(h.work, "mail-accepted")
    script = fill("sportello.script", dict(values, WORK=h.work))
    proc = subprocess.Popen(h.command(script), env=h.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        e2e.check(e2e.wait_for_png(os.path.join(h.shots, "tecnico-email-non-inviata.png"), proc,
                                   timeout=90), "the kiosk showed the refused email on Tecnico")
        # A new account while the kiosk waits: its password is queued for the Dirigente and
        # leaves with the retried list.
        for args in (["init", "--site", "Roma", "--dirigente-email",
                      "dirigente.roma@example.invalid"],
                     ["operator", "add", "mario.rossi", "--role", "operatore"]):
            p = subprocess.run([h.ctl, *args], env=h.env, capture_output=True, text=True,
                               timeout=60)
            e2e.check(p.returncode == 0, f"agendactl {args[0]} ({p.stderr.strip()[:200]})")
        mail.set_fault("none")
        e2e.touch(accepted)
        _, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    if proc.returncode != 0:
        sys.stderr.write(err)
    e2e.check(proc.returncode == 0, f"sportello.script ran to its end (exit {proc.returncode})")
    delivered = [os.path.join(mail.maildir, n) for n in mail.messages()]
    lists = [m for m in delivered if "elenco." in os.path.basename(m)]
    others = [m for m in delivered if m not in lists]
    e2e.check(len(lists) == 1 and len(others) == 1,
              f"the Questura's list and the Dirigente's password reached the server: {delivered}")
    write_email_text(lists[0], os.path.join(img, "email-elenco.txt"))
    write_email_text(others[0], os.path.join(img, "email-password.txt"), hide_password=True)


def write_email_text(eml, out, hide_password=False):
    """The message as a person reads it: From, To, Subject, the text, the attachment's name.
    hide_password: the body's indented line (the generated password) becomes dots."""
    import email
    import email.policy
    with open(eml, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    lines = [f"Da: {msg['From']}", f"A: {msg['To']}", f"Data: {msg['Date']}",
             f"Oggetto: {msg['Subject']}", ""]
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content().rstrip("\n") if body else ""
    if hide_password:
        text = re.sub(r"(?m)^    \S+$", "    ••••••••••••", text)
    lines.append(text)
    for part in msg.iter_attachments():
        lines += ["", f"[allegato: {part.get_filename()}, {part.get_content_type()}]"]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def run(build, img):
    kiosk = os.path.join(build, "ui", "agenda-kiosk")
    ctl = os.path.join(build, "firmware", "agendactl")
    central_bin = os.path.join(build, "central", "agenda-central")
    for program in (kiosk, ctl, central_bin):
        if not os.access(program, os.X_OK):
            raise e2e.Failure(f"{program} is not built")
    os.makedirs(img, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="manuale-shots-") as work:
        h = e2e.Harness(kiosk, ctl, "xvfb", work)
        central = e2e.Central(central_bin, os.path.join(work, "central"), h.env)
        try:
            h.start_display()
            h.seed()
            central.start()
            central.json("questura", "add", "--dir", central.folder, "--code", "RM", "--name",
                         "Roma", "--email", "immigrazione.rm@demo.invalid")
            # Tomorrow has one slot only: the second applicant's date is "differita".
            central.json("capacity", "set", "--dir", central.folder, "--questura", "RM",
                         "--from", "2026-05-05", "--to", "2026-05-05", "--per-day", "1",
                         "--start", "08:30", "--every", "15")
            central.json("capacity", "set", "--dir", central.folder, "--questura", "RM",
                         "--from", "2026-05-06", "--to", "2026-06-30", "--per-day", "16",
                         "--start", "08:30", "--every", "15")
            values = {"PW_TECNICO": h.passwords["demo.tecnico"],
                      "PW_OPERATORE": h.passwords["demo.operatore"],
                      "PW_DIRIGENTE": h.passwords["demo.dirigente"],
                      "CENTRAL_URL": central.url, "CODE": central.code,
                      "FINGERPRINT": central.fingerprint.replace(":", "")}
            h.run(fill("attivazione.script", values))
            # Rounds every 2 s, not 60, so that the status bar changes within the script.
            con = sqlite3.connect(h.db)
            con.execute("INSERT OR REPLACE INTO setting(key, value) VALUES ('sync.interval_s', '2')")
            con.commit()
            con.close()
            # A new kiosk process: the sync thread of the one that activated the device keeps
            # the identity it read at start (reported in the manual's branch, not worked around
            # in the pictures of the counter).
            mail = e2e.SmtpServer(os.path.join(work, "smtp"), "permfail")
            try:
                mail.start("permfail")
                counter_with_mail(h, mail, values, img)
            finally:
                mail.stop()
            central.stop()
            h.run(fill("senza_rete.script", values))
        finally:
            central.stop()
            h.stop_display()
            # Also after a failure: the pictures made so far show where the script stopped.
            for png in glob.glob(os.path.join(h.shots, "*.png")):
                shutil.copyfile(png, os.path.join(img, os.path.basename(png)))
            if os.environ.get("MANUALE_SHOTS_KEEP"):  # the whole work folder, to debug
                shutil.copytree(work, os.environ["MANUALE_SHOTS_KEEP"], dirs_exist_ok=True)
        copy_slips(h.slips, img)


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    if not shutil.which("Xvfb"):
        print("skipped: Xvfb missing")
        return 77
    try:
        run(os.path.abspath(argv[1]), os.path.abspath(argv[2]))
    except (e2e.Failure, OSError, subprocess.SubprocessError) as e:
        print("FAIL:", e)
        return 1
    print("pictures in", argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
