#!/usr/bin/python3
"""kiosk_e2e.py — agenda-kiosk driven end to end by its test-mode scripts, on a real X server
(Xvfb) or on SDL's offscreen driver.

usage: kiosk_e2e.py KIOSK AGENDACTL SCENARIO xvfb|offscreen

Each scenario makes a fresh demo database with agendactl (fixed clock AGENDA_NOW), writes a
script of taps and keys, runs the kiosk on it, then checks the result twice: through the core
(the same SQLite file read with python's sqlite3, and agendactl) and on the screen (tesseract
OCR of screenshots, in Italian). Scenarios: booking, logout_while_printing (the print outcome
is recorded under the operator who booked though another logged in meanwhile), lockout,
paper_out, technician,
reprint_queue, accents, disk_full (root: a small tmpfs in a private mount namespace), busy
(another program holds the write lock past the busy timeout),
layout_800x480, layout_1024x600, layout_1280x800, names, names_800x480 (Arabic and Chinese
names read back from Scheda by tesseract's ara and chi_sim models, 127-byte surnames wrapped),
and enrolment (the Tecnico screen activates the device with a real agenda-central on loopback:
AGENDA_CENTRAL names its binary), sync (issue 12), and mail (issue 13: the device's email refused
by a real SMTP server on loopback, on the status bar and Tecnico, then delivered by "Riprova
email"; Giornata's "Stampa elenco" and the close's queued email).
Exit 0 = pass, 1 = fail, 77 = skipped (a tool is missing, or disk_full without root).
KIOSK_E2E_KEEP=DIR copies the work folder (script, screenshots) there on a failure, and also on
success with KIOSK_E2E_KEEP_ALL=1.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

NOW = "2026-05-04T09:00:00"
WEEKDAYS = ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"]
MONTHS = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
          "settembre", "ottobre", "novembre", "dicembre"]


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print("ok:", what)


def italian_long(iso):
    """'2026-05-05' -> 'martedì 5 maggio 2026', computed here, independently of the C code."""
    import datetime
    d = datetime.date.fromisoformat(iso)
    return f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}"


class Harness:
    def __init__(self, kiosk, ctl, driver, work):
        self.kiosk, self.ctl, self.driver, self.work = kiosk, ctl, driver, work
        self.db = os.path.join(work, "agenda.db")
        self.slips = os.path.join(work, "slips")
        self.shots = os.path.join(work, "shots")
        os.makedirs(self.slips)
        os.makedirs(self.shots)
        self.env = dict(os.environ, TZ="Europe/Rome", AGENDA_NOW=NOW, AGENDA_DB=self.db)
        self.env.pop("AGENDA_USER", None)
        self.xvfb = None
        self.passwords = {}
        self.runs = 0

    # ---- set-up -------------------------------------------------------------------------
    def start_display(self):
        if self.driver == "offscreen":
            self.env["SDL_VIDEODRIVER"] = "offscreen"
            self.env.pop("DISPLAY", None)
            return
        # -displayfd: Xvfb picks a free display number itself and writes it to the pipe.
        rfd, wfd = os.pipe()
        self.xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(wfd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=(wfd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(wfd)
        with os.fdopen(rfd) as r:
            number = r.readline().strip()
        check(number.isdigit(), f"Xvfb started on display :{number}")
        self.env["DISPLAY"] = ":" + number
        self.env["SDL_VIDEODRIVER"] = "x11"

    def stop_display(self):
        if self.xvfb:
            self.xvfb.terminate()
            self.xvfb.wait(timeout=10)

    def seed(self):
        subprocess.run([self.ctl, "init", "--site", "Roma"], env=self.env, check=True,
                       stdout=subprocess.DEVNULL)
        out = subprocess.run([self.ctl, "demo-seed"], env=self.env, check=True,
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = re.match(r"\s+(demo\.\w+)\s+\w+\s+password: (\S+)", line)
            if m:
                self.passwords[m.group(1)] = m.group(2)
        check(len(self.passwords) == 3, "demo-seed made three accounts")

    def ctl_json(self, user, *args):
        out = subprocess.run([self.ctl, "--json", "--user", user, *args], env=self.env,
                             input=self.passwords[user] + "\n", capture_output=True, text=True)
        return json.loads(out.stdout) if out.stdout.strip() else None

    # ---- running the kiosk --------------------------------------------------------------
    def command(self, script, printer=None, extra=(), size="1280x800"):
        self.runs += 1
        path = os.path.join(self.work, f"script-{self.runs}.txt")
        with open(path, "w") as f:
            f.write(script)
        # printer "": no --printer at all (the kiosk chooses: environment, settings, usb)
        chosen = [] if printer == "" else ["--printer", printer or f"virtual:{self.slips}/slip"]
        return [self.kiosk, "--db", self.db, *chosen, "--size", size,
                "--script", path, "--screenshots", self.shots, *extra]

    def run(self, script, printer=None, extra=(), expect_status=0, size="1280x800", env=None):
        cmd = self.command(script, printer, extra, size)
        p = subprocess.run(cmd, env=env or self.env, capture_output=True, text=True,
                           timeout=120)
        if p.returncode != expect_status:
            sys.stderr.write(p.stderr)
        check(p.returncode == expect_status,
              f"kiosk script {self.runs} exits {expect_status} (got {p.returncode})")
        check(f"video driver {self.env['SDL_VIDEODRIVER']}" in p.stderr,
              f"kiosk used the {self.env['SDL_VIDEODRIVER']} video driver")
        return p

    def ocr(self, name, *options):
        png = os.path.join(self.shots, name + ".png")
        out = subprocess.run(["tesseract", png, "-", "-l", "ita", *options], capture_output=True,
                             text=True, env=dict(self.env, OMP_THREAD_LIMIT="1"), timeout=60)
        return " ".join(out.stdout.split())

    def sql(self, query, *args):
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            return con.execute(query, args).fetchall()
        finally:
            con.close()

    def login(self, user, password=None):
        return (f"expect_screen login\ntap_button field:user\ntype {user}\n"
                f"tap_button field:password\ntype {password or self.passwords[user]}\n"
                "tap_button login\n")


def wait_for_png(path, proc, timeout=60):
    """Waits until the kiosk has written the whole PNG (its IEND chunk) or has exited."""
    import time
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.exists(path):
            with open(path, "rb") as f:
                if f.read().endswith(b"IEND\xaeB`\x82"):
                    return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def touch(path):
    with open(path, "w"):
        pass


def png_rows(png_path, last_row):
    """Rows 0..last_row of an 8-bit RGB(A) PNG as bytearrays, decoded with zlib only (no PIL
    here); returns (rows, channels)."""
    import struct
    import zlib
    data = open(png_path, "rb").read()
    pos, idat, width, height, channels = 8, b"", 0, 0, 3
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            channels = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    rows = []
    for row in range(last_row + 1):
        f = raw[row * (stride + 1)]
        line = bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return rows, channels


def pixel_at(png_path, x, y):
    """RGB of one pixel."""
    rows, channels = png_rows(png_path, y)
    return tuple(rows[y][x * channels:x * channels + 3])


def crop_png(src, dst, x, y, w, h, invert=False, scale=1):
    """Writes the w x h rectangle at (x, y) of src as an RGB PNG (for OCR of one widget);
    invert: light text on dark becomes dark on light; scale: each pixel repeated."""
    import struct
    import zlib
    rows, channels = png_rows(src, y + h - 1)
    out = bytearray()
    for r in rows[y:y + h]:
        line = bytearray()
        for i in range(x, x + w):
            px = r[i * channels:i * channels + 3]
            if invert:
                px = bytes(255 - b for b in px)
            line += px * scale
        for _ in range(scale):
            out.append(0)
            out += line
    w, h = w * scale, h * scale

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    with open(dst, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(bytes(out))) + chunk(b"IEND", b""))


# ---- scenarios ---------------------------------------------------------------------------
def scenario_booking(h):
    """Log in, look up, propose (OCR of the date), book and print, reprint, move, cancel, close."""
    expected = h.ctl_json("demo.operatore", "propose", "--pratica", "RM/2026/900002")
    when = italian_long(expected["date"])
    h.run(h.login("demo.operatore") + """expect_screen ricerca
type rm 2026 900
tap_button key:0
tap_button key:0
tap_button key:2
screenshot search
key Return
expect_screen scheda
tap_button propose
expect_screen proposta
tap_button modello209
screenshot proposta
tap_button confirm
expect_screen stampa
screenshot stampa
""")
    text = h.ocr("proposta")
    check(when in text and "ore " + expected["time"] in text,
          f"Proposta shows '{when} ore {expected['time']}' (OCR: {text[:120]!r})")
    rows = h.sql("SELECT a.id, a.state, a.prints, a.modello209, a.print_state FROM appointment a"
                 " JOIN practice p ON p.id = a.practice_id"
                 " WHERE p.numero_pratica = 'RM/2026/900002'")
    check(len(rows) == 1 and rows[0][1:] == ("confirmed", 1, 1, "printed"),
          f"one confirmed appointment, printed once, Modello 209 recorded: {rows}")
    appointment = rows[0][0]
    booked = h.ctl_json("demo.operatore", "show", appointment)
    check(booked["date"] == expected["date"] and booked["time"] == expected["time"],
          "the booked slot is the proposed one")
    check(os.path.exists(os.path.join(h.slips, "slip-1.png")), "the virtual printer drew the slip")
    check("Appuntamento confermato" in h.ocr("stampa"), "Stampa says the booking is confirmed")
    # Pixel checks at 1280x800 (touch unit 66): the status bar is near-black, and "Ristampa"
    # (bottom right button) is enabled — white, not the disabled grey — once the job ended.
    shot = os.path.join(h.shots, "stampa.png")
    check(pixel_at(shot, 5, 5) == (0x12, 0x12, 0x12), "status bar drawn")
    check(pixel_at(shot, 860, 725) == (255, 255, 255), "Ristampa enabled after printing")

    h.run(h.login("demo.operatore") + """tap_button day
expect_screen giornata
tap_button row:0
tap_button reprint
expect_screen stampa
tap_button day
tap_button row:0
tap_button move
type cambio di data richiesto
key Return
expect_screen giornata
screenshot moved
tap_button cancel
type rinuncia del richiedente
key Return
screenshot cancelled
tap_button close_day
screenshot closed
""")
    rows = h.sql("SELECT state, prints, cancel_reason, replaced_by IS NOT NULL FROM appointment"
                 " WHERE id = ?", appointment)
    check(rows == [("moved", 2, "cambio di data richiesto", 1)],
          f"reprinted (prints 2) then moved with the typed reason: {rows}")
    rows = h.sql("SELECT state, cancel_reason FROM appointment WHERE id != ?", appointment)
    check(rows == [("cancelled", "rinuncia del richiedente")],
          f"the new appointment was cancelled with its reason: {rows}")
    rows = h.sql("SELECT version, appointments, cancellations FROM day_close")
    check(len(rows) == 1 and rows[0][0] == 1, f"the day is closed once: {rows}")
    check("Giornata chiusa" in h.ocr("closed"), "Giornata says the day is closed")
    check("annullato" in h.ocr("cancelled"), "Giornata lists the appointment as annullato")


def scenario_lockout(h):
    """Five wrong passwords lock the account; the right one is then refused too. A wrong
    password, an unknown user and a locked account get the same words: the screen never tells
    which user names exist."""
    h.run(h.login("nessuno.qui", "Sbagliata23") + "screenshot unknown\n")
    wrong = h.login("demo.operatore", "Sbagliata23")
    script = wrong + "screenshot wrong1\n" + (
        "tap_button field:password\ntype Sbagliata23\ntap_button login\n" * 4) + \
        "tap_button field:password\ntype " + h.passwords["demo.operatore"] + \
        "\ntap_button login\nexpect_screen login\nscreenshot locked\n"
    h.run(script)
    first = h.ocr("wrong1")
    check("Accesso non riuscito" in first, f"the refusal is shown: {first[:160]!r}")
    check("rimasti" not in first, "no count of attempts left (it would name real users)")

    def message_band(name):  # the rows between the fields and the keyboard: the message only
        rows, _ = png_rows(os.path.join(h.shots, name + ".png"), 400)
        return b"".join(bytes(r) for r in rows[200:401])
    check(message_band("wrong1") == message_band("unknown"),
          "unknown user: the same message, pixel for pixel")
    check(message_band("wrong1") == message_band("locked"),
          "locked account: the same message, pixel for pixel")
    ops = subprocess.run([h.ctl, "--json", "operator", "list"], env=h.env, capture_output=True,
                         text=True).stdout
    op = [json.loads(line) for line in ops.splitlines() if '"demo.operatore"' in line]
    check(op and op[0]["locked"], f"the account is locked in the store: {op}")


def scenario_paper_out(h):
    """Out of paper: the booking stays confirmed, the words say what to do, Ristampa prints."""
    h.run(h.login("demo.operatore") + """printer_fault paper_out
type MI/2026/901001
key Return
tap_button propose
tap_button confirm
expect_screen stampa
screenshot paper_out
printer_fault none
tap_button reprint
expect_screen stampa
screenshot reprinted
""")
    check(pixel_at(os.path.join(h.shots, "paper_out.png"), 860, 725) == (0x00, 0x3c, 0x8f),
          "Ristampa is the highlighted (blue) button after the failure")
    text = h.ocr("paper_out")
    check("Carta esaurita" in text and "resta confermato" in text,
          f"paper out explained, booking kept: {text[:200]!r}")
    rows = h.sql("SELECT a.state, a.prints, a.print_state FROM appointment a JOIN practice p"
                 " ON p.id = a.practice_id WHERE p.numero_pratica = 'MI/2026/901001'")
    check(rows == [("confirmed", 1, "printed")], f"confirmed, printed after the reprint: {rows}")
    journal = h.sql("SELECT count(*) FROM journal")[0][0]
    check(journal >= 2, f"booking and print outcomes are journalled ({journal} entries)")
    # A printer that is not there at all: a file in a folder that does not exist.
    h.run(h.login("demo.operatore") + """type BO/2026/902002
key Return
tap_button propose
tap_button confirm
expect_screen stampa
screenshot no_printer
""", printer="file:" + os.path.join(h.work, "missing", "lp0"))
    rows = h.sql("SELECT a.state, a.print_state FROM appointment a JOIN practice p"
                 " ON p.id = a.practice_id WHERE p.numero_pratica = 'BO/2026/902002'")
    check(rows == [("confirmed", "failed")], f"booking kept, print failure recorded: {rows}")
    check("Stampa non riuscita" in h.ocr("no_printer"), "the failure is on screen")


def scenario_technician(h):
    """The technician sees the device, prints a test slip, no personal data; idle logout."""
    # A device not activated with central opens on the activation form; "Stato" shows the rest.
    h.run(h.login("demo.tecnico") + """expect_screen tecnico
screenshot tecnico-form
tap_button tech_status
tap_button test_print
sleep 300
wait_idle
screenshot tecnico
sleep 2500
expect_screen login
""", extra=("--idle-logout", "2"))
    check("Attivazione del dispositivo" in h.ocr("tecnico-form"),
          "a device not activated: Tecnico opens on the activation form")
    text = h.ocr("tecnico")
    check("Tecnico" in text and "DEMO" not in text, "technician screen, no applicant names")
    check("Non attivato presso" in text, "the status says the device is not activated")
    check(os.path.exists(os.path.join(h.slips, "slip-1.png")), "the test slip was printed")
    # The English toggle: the same screen in English.
    h.run(h.login("demo.operatore") + "tap_button lang\nscreenshot english\n")
    check("Find a practice" in h.ocr("english"), "English toggle")
    # Without --printer the kiosk prints where agendactl would: the device's printer_uri
    # setting, unless $AGENDA_PRINTER says otherwise (print/printer_choice.h).
    db = sqlite3.connect(h.db)
    with db:
        db.execute("INSERT OR REPLACE INTO setting(key, value) VALUES ('printer_uri', ?)",
                   ("virtual:" + os.path.join(h.slips, "setting"),))
    db.close()
    h.run(h.login("demo.tecnico") + "tap_button tech_status\ntap_button test_print\nwait_idle\n",
          printer="")
    check(os.path.exists(os.path.join(h.slips, "setting-1.png")),
          "no --printer: the test slip went to the printer_uri setting")
    h.run(h.login("demo.tecnico") + "tap_button tech_status\ntap_button test_print\nwait_idle\n",
          printer="", env=dict(h.env, AGENDA_PRINTER="virtual:" + os.path.join(h.slips, "env")))
    check(os.path.exists(os.path.join(h.slips, "env-1.png")),
          "$AGENDA_PRINTER comes before the setting")
    # A mistyped printer is refused at start, naming the option, before any window opens.
    for uri in ("usb:04b8:0e28x", "tcp:10.0.0.5:99999", "lpt1"):
        p = subprocess.run([h.kiosk, "--printer", uri, "--db", h.db], capture_output=True,
                           text=True, timeout=30, env=h.env)
        check(p.returncode == 2 and "--printer" in p.stderr,
              f"--printer {uri} refused with exit 2 (got {p.returncode}, {p.stderr[:120]!r})")


def ctl_queue(h, env):
    """Ids in `agendactl --json printer queue` (one JSON object a line)."""
    out = subprocess.run([h.ctl, "--json", "--user", "demo.operatore", "printer", "queue"],
                         env=env, input=h.passwords["demo.operatore"] + "\n",
                         capture_output=True, text=True, timeout=60).stdout
    return [json.loads(line)["id"] for line in out.splitlines() if line.strip()]


def scenario_reprint_queue(h):
    """A print fails, another booking never gets a print outcome (agendactl books without
    printing, as a crash would leave it); the kiosk is restarted the next day: Giornata lists
    both slips to reprint."""
    h.run(h.login("demo.operatore") + """type BO/2026/902002
key Return
tap_button propose
tap_button confirm
expect_screen stampa
""", printer="file:" + os.path.join(h.work, "missing", "lp0"))
    rows = h.sql("SELECT a.id, a.state, a.prints, a.print_state FROM appointment a JOIN practice p"
                 " ON p.id = a.practice_id WHERE p.numero_pratica = 'BO/2026/902002'")
    check(len(rows) == 1 and rows[0][1:] == ("confirmed", 0, "failed"),
          f"booked, print failed, nothing printed: {rows}")
    appointment = rows[0][0]
    check(ctl_queue(h, h.env) == [appointment], "agendactl lists it in the reprint queue")
    # Booked, and then the process died before any print outcome (agendactl books without
    # printing): the slip is "none", and it belongs in the queue as much as the failed one.
    never = h.ctl_json("demo.operatore", "book", "--pratica", "MI/2026/901001")["id"]
    check(h.sql("SELECT print_state FROM appointment WHERE id = ?", never) == [("none",)],
          "a second booking, never printed")
    check(sorted(ctl_queue(h, h.env)) == sorted([appointment, never]),
          "agendactl lists the never-printed slip too")
    # A new process on the next day (before the appointment's time): today's list is empty,
    # the queue holds yesterday's failed and never-printed slips.
    next_day = dict(h.env, AGENDA_NOW="2026-05-05T07:00:00")
    h.run(h.login("demo.operatore") + """tap_button day
expect_screen giornata
screenshot queue
tap_button requeue:0
expect_screen stampa
screenshot requeued
tap_button day
expect_screen giornata
tap_button requeue:0
expect_screen stampa
tap_button day
expect_screen giornata
screenshot queue_empty
""", env=next_day)
    text = h.ocr("queue")
    check("Da ristampare" in text and "BO/2026/902002" in text and "MI/2026/901001" in text,
          f"Giornata lists both appointments to reprint: {text[:300]!r}")
    check("Nessun appuntamento creato oggi" in text, "today's list is empty (another day)")
    check("Stampato" in h.ocr("requeued"), "Ristampa printed the slip")
    text = h.ocr("queue_empty")
    check("Da ristampare" not in text and "BO/2026/902002" not in text
          and "MI/2026/901001" not in text,
          f"the queue on screen is empty after the reprints: {text[:200]!r}")
    for a in (appointment, never):
        rows = h.sql("SELECT state, prints, print_state FROM appointment WHERE id = ?", a)
        check(rows == [("confirmed", 1, "printed")],
              f"prints = 1, printed, still confirmed: {rows}")
    check(os.path.exists(os.path.join(h.slips, "slip-1.png")), "the virtual printer drew it")
    check(ctl_queue(h, next_day) == [], "agendactl's reprint queue is empty")


REASON = "È partito: è già in città, perché sì, può, più"
KEY_NAMES = {"à": "agrave", "è": "egrave", "é": "eacute", "ì": "igrave", "ò": "ograve",
             "ù": "ugrave", ":": "colon", "?": "qmark", "!": "excl", "(": "lparen",
             ")": "rparen"}
DIRECT = {" ": "space", ",": "comma", "'": "apos"}


def taps_for(text):
    """The on-screen key taps that type text on the text keyboard (shift, accent layer)."""
    out = []
    for ch in text:
        lower = ch.lower()
        if ch != lower:
            out.append("tap_button key:shift")
        if lower in KEY_NAMES:
            out.append("tap_button key:accent")
            out.append("tap_button key:" + KEY_NAMES[lower])
        elif ch in DIRECT:
            out.append("tap_button key:" + DIRECT[ch])
        else:
            out.append("tap_button key:" + lower)
    return "\n".join(out) + "\n"


def scenario_accents(h):
    """The reason keyboard types à è é ì ò ù (and È): the reason is stored verbatim."""
    h.run(h.login("demo.operatore") + """type RM/2026/900002
key Return
tap_button propose
tap_button confirm
expect_screen stampa
tap_button day
tap_button row:0
tap_button cancel
""" + taps_for(REASON) + """screenshot reason
key Return
expect_screen giornata
screenshot cancelled
""")
    rows = h.sql("SELECT a.state, a.cancel_reason FROM appointment a JOIN practice p"
                 " ON p.id = a.practice_id WHERE p.numero_pratica = 'RM/2026/900002'")
    check(rows == [("cancelled", REASON)], f"cancelled, the reason stored verbatim: {rows}")
    # Inside the reason field's border at 1280x800 (touch unit 66: content from y 57, the
    # title row 66 + 8): OCR of the whole page skips the field, of the field alone reads it.
    crop_png(os.path.join(h.shots, "reason.png"), os.path.join(h.shots, "reason_field.png"),
             22, 137, 1236, 56)
    text = h.ocr("reason_field", "--psm", "6")
    check(REASON in text, f"the accented reason on screen, as typed: {text[:220]!r}")
    check("annullato" in h.ocr("cancelled"), "Giornata lists it as annullato")


def scenario_disk_full(h):
    """The disk fills up under a booking: clear words, nothing partial, the kiosk books later."""
    import time
    disk = os.path.join(h.work, "disk")
    os.makedirs(disk)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", disk], check=True,
                   timeout=30)
    try:
        h.db = os.path.join(disk, "agenda.db")
        h.env["AGENDA_DB"] = h.db
        h.seed()
        filled, freed = os.path.join(h.work, "filled"), os.path.join(h.work, "freed")
        cmd = h.command(h.login("demo.operatore") + f"""type RM/2026/900002
key Return
tap_button propose
expect_screen proposta
tap_button modello209
screenshot ready
wait_for_file {filled}
tap_button confirm
expect_screen proposta
screenshot full
wait_for_file {freed}
tap_button confirm
expect_screen stampa
screenshot booked
""")
        proc = subprocess.Popen(cmd, env=h.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        try:
            check(wait_for_png(os.path.join(h.shots, "ready.png"), proc),
                  "the kiosk shows the proposal")

            def state():
                return (h.sql("SELECT count(*) FROM appointment")[0][0],
                        h.sql("SELECT count(*) FROM slot WHERE state = 'free'")[0][0],
                        h.sql("SELECT count(*) FROM journal")[0][0],
                        h.sql("SELECT count(*) FROM audit")[0][0])
            before = state()
            filler = os.path.join(disk, "filler")
            with open(filler, "wb", buffering=0) as f:  # unbuffered: close has nothing to flush
                try:
                    while True:
                        f.write(b"\0" * 65536)
                except OSError:
                    pass
            st = os.statvfs(disk)
            check(st.f_bavail == 0, "the disk is full")
            touch(filled)
            check(wait_for_png(os.path.join(h.shots, "full.png"), proc),
                  "the kiosk tried to book on the full disk and kept running")
            os.unlink(filler)
            after = state()
            check(after == before, f"no partial booking: appointments, free slots, journal,"
                  f" audit unchanged {before} -> {after}")
            check(h.sql("PRAGMA integrity_check") == [("ok",)], "integrity check ok")
            verify = h.ctl_json("demo.dirigente", "audit", "verify")
            check(verify and verify.get("intact"), f"audit chain intact: {verify}")
            touch(freed)
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        if proc.returncode != 0:
            sys.stderr.write(err)
        check(proc.returncode == 0, f"the same kiosk process booked after the space was freed"
              f" (exit {proc.returncode})")
        text = h.ocr("full")
        check("Disco pieno" in text, f"'Disco pieno' on screen: {text[:200]!r}")
        rows = h.sql("SELECT a.state, a.prints, a.modello209 FROM appointment a JOIN practice p"
                     " ON p.id = a.practice_id WHERE p.numero_pratica = 'RM/2026/900002'")
        check(rows == [("confirmed", 1, 1)], f"booked once, printed, Modello 209: {rows}")
        final = h.sql("SELECT count(*) FROM slot WHERE state = 'free'")[0][0]
        check(final == before[1] - 1, "exactly one slot taken")
        check("Appuntamento confermato" in h.ocr("booked"), "Stampa says confirmed")
        verify = h.ctl_json("demo.dirigente", "audit", "verify")
        check(verify and verify.get("intact"), f"audit chain intact after: {verify}")
        time.sleep(0)
    finally:
        subprocess.run(["umount", "-l", disk], timeout=30)


# Applicants whose names CP858 and DejaVu alone cannot show (issue 9): imported with agendactl.
ARABIC = ("الحسيني", "محمد عبد الله")
CHINESE = ("王", "小明")
LONG_SURNAME = "DE LOS SANTOS " * 7 + "MARTINEZ FERNANDEZ GIL SANTOZ"  # 127 bytes
SOLID_SURNAME = "B" * 127  # 127 bytes, no space to wrap at
DEVANAGARI = ("शर्मा", "देवी")  # no font of the kiosk or the printer has Devanagari


def import_names(h):
    """Five practices at Roma: Arabic, Chinese, two 127-byte surnames, Devanagari."""
    rows = [("RM/2026/800001", ARABIC[0], ARABIC[1], "Egitto"),
            ("RM/2026/800002", CHINESE[0], CHINESE[1], "Cina"),
            ("RM/2026/800003", LONG_SURNAME, "Mario", "Spagna"),
            ("RM/2026/800004", SOLID_SURNAME, "Mario", "Spagna"),
            ("RM/2026/800005", DEVANAGARI[0], DEVANAGARI[1], "India")]
    check(all(len(r[1].encode()) <= 127 for r in rows) and len(LONG_SURNAME.encode()) == 127,
          "the surnames are at most 127 bytes, the longest the import takes")
    path = os.path.join(h.work, "names.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("numero_pratica,numero_visto,cognome,nome,data_nascita,nazionalita,tipo,questura\n")
        for number, surname, name, country in rows:
            f.write(f"{number},,{surname},{name},1990-03-01,{country},lavoro,RM\n")
    p = subprocess.run([h.ctl, "practice", "import", path], env=h.env, capture_output=True,
                       text=True, timeout=60)
    check(p.returncode == 0, f"agendactl imported the practices ({p.stderr[:200]!r})")


def ocr_langs(h, name, langs, *options):
    png = os.path.join(h.shots, name + ".png")
    out = subprocess.run(["tesseract", png, "-", "-l", langs, *options], capture_output=True,
                         text=True, env=dict(h.env, OMP_THREAD_LIMIT="1"), timeout=60)
    return " ".join(out.stdout.replace("\u200e", "").replace("\u200f", "").split())


def scenario_names(h, size="1280x800"):
    """Scheda shows Arabic (right to left, joined) and Chinese names, and wraps long ones."""
    import_names(h)
    script = h.login("demo.operatore")
    for i, shot in enumerate(("name_arabic", "name_chinese", "name_long", "name_solid")):
        script += f"""expect_screen ricerca
type RM/2026/80000{i + 1}
key Return
expect_screen scheda
check_layout
screenshot {shot}
tap_button search
"""
    # Book and print the Arabic one and the Devanagari one (whose letters no font has).
    for number, shot in (("RM/2026/800001", "print_arabic"), ("RM/2026/800005", "print_deva")):
        script += f"""type {number}
key Return
expect_screen scheda
tap_button propose
expect_screen proposta
tap_button confirm
expect_screen stampa
screenshot {shot}
tap_button search
"""
    h.run(script, size=size)
    rows = h.sql("SELECT p.numero_pratica, a.print_state FROM appointment a JOIN practice p"
                 " ON p.id = a.practice_id ORDER BY p.numero_pratica")
    check(rows == [("RM/2026/800001", "printed"), ("RM/2026/800005", "printed")],
          f"both slips printed: {rows}")
    out = subprocess.run(["zbarimg", "--quiet", "--raw", os.path.join(h.slips, "slip-1.png")],
                         capture_output=True, text=True, timeout=60).stdout.strip() \
        if shutil.which("zbarimg") else "skipped"
    check(out != "", f"the Arabic applicant's slip carries its QR ({out})")
    text = h.ocr("print_arabic")
    check("riquadri vuoti" not in text, "no warning for the Arabic slip: every letter drawn")
    text = h.ocr("print_deva")
    check("riquadri vuoti" in text and "Scrivere a mano" in text.replace("\n", " "),
          f"Stampa warns that the Devanagari name printed as boxes: {text[:300]!r}")
    text = ocr_langs(h, "name_arabic", "ara")
    check(ARABIC[0] + " " + ARABIC[1] in text,
          f"the Arabic name read back from Scheda, right to left: {text[:200]!r}")
    text = ocr_langs(h, "name_chinese", "chi_sim")
    check(CHINESE[0] + " " + CHINESE[1] in text or CHINESE[0] + CHINESE[1] in text,
          f"the Chinese name read back from Scheda: {text[:200]!r}")
    text = h.ocr("name_long")
    check("Mario" in text and "SANTOZ" in text.replace(" ", ""),
          f"a 127-byte surname wraps and the first name stays on screen: {text[:300]!r}")
    text = h.ocr("name_solid")
    check("Mario" in text, f"127 letters without a space wrap too: {text[:300]!r}")


def scenario_layout(h, size):
    """Every screen, in both languages: touch targets >= 56 px, inside, apart, labels fit."""
    both = "check_layout\ntap_button lang\ncheck_layout\ntap_button lang\n"
    script = "expect_screen login\n" + both + h.login("demo.operatore") + """expect_screen ricerca
type RM/2026/90
""" + both + """screenshot ricerca
type 0002
key Return
expect_screen scheda
""" + both + """screenshot scheda
tap_button propose
expect_screen proposta
tap_button modello209
""" + both + """screenshot proposta
printer_fault paper_out
tap_button confirm
expect_screen stampa
""" + both + """screenshot stampa-carta-esaurita
printer_fault none
tap_button reprint
expect_screen stampa
""" + both + """screenshot stampa
tap_button search
printer_fault paper_out
type MI/2026/901001
key Return
tap_button propose
tap_button confirm
expect_screen stampa
printer_fault none
tap_button day
expect_screen giornata
tap_button row:0
""" + both + """screenshot giornata
tap_button move
""" + both + """tap_button key:accent
""" + both + """screenshot motivo
tap_button back
tap_button logout
""" + h.login("demo.tecnico") + """expect_screen tecnico
""" + both + """screenshot activation
tap_button field:fingerprint
type ab12 cd34
""" + both + """tap_button tech_status
expect_screen tecnico
""" + both + """screenshot tecnico
"""
    h.run(script, size=size)
    rows = h.sql("SELECT p.numero_pratica, a.print_state FROM appointment a JOIN practice p"
                 " ON p.id = a.practice_id ORDER BY p.numero_pratica")
    check(rows == [("MI/2026/901001", "failed"), ("RM/2026/900002", "printed")],
          f"one slip printed, one waiting in the reprint queue: {rows}")
    text = h.ocr("giornata")
    check(re.search(r"MI/2026/901001 .*ore 08:30", text) is not None,
          f"the queue's line (only it says 'ore') on Giornata: {text[:200]!r}")
    text = h.ocr("motivo")
    check("Motivo dello spostamento di RM/2026/900002" in text,
          f"the reason's title is whole, not cut: {text[:120]!r}")
    # The accent key is on (the primary blue) in the reason keyboard's second row, last key.
    w, hh = (int(v) for v in size.split("x"))
    unit = max(hh // 12, 56)
    gap, margin = unit // 8, unit // 4
    key_w = (w - 2 * margin - 11 * gap) // 12
    bottom = hh - margin
    kb_top = bottom - (4 * unit + 3 * gap)
    x = margin + 11 * (key_w + gap) + 3
    y = kb_top + unit + gap + 3
    check(pixel_at(os.path.join(h.shots, "motivo.png"), x, y) == (0x00, 0x3c, 0x8f),
          f"the accent key is lit at ({x},{y})")


def scenario_busy(h):
    """Another program holds the database's write lock (a long import, another counter) longer
    than the busy timeout while the operator confirms: the kiosk says to wait, not "database
    error", books nothing, and books once the lock is gone."""
    import threading
    locked, released = os.path.join(h.work, "locked"), os.path.join(h.work, "released")
    cmd = h.command(h.login("demo.operatore") + f"""type RM/2026/900002
key Return
tap_button propose
expect_screen proposta
screenshot ready
wait_for_file {locked}
tap_button confirm
expect_screen proposta
screenshot busy
wait_for_file {released}
tap_button confirm
expect_screen stampa
screenshot booked
""")
    proc = subprocess.Popen(cmd, env=h.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    holder = sqlite3.connect(h.db, timeout=30, isolation_level=None)
    try:
        check(wait_for_png(os.path.join(h.shots, "ready.png"), proc),
              "the kiosk shows the proposal")
        before = h.sql("SELECT count(*) FROM appointment")[0][0]
        holder.execute("BEGIN IMMEDIATE")
        touch(locked)
        check(wait_for_png(os.path.join(h.shots, "busy.png"), proc),
              "the confirmation gave up waiting and the kiosk kept running")
        check(h.sql("SELECT count(*) FROM appointment")[0][0] == before, "nothing booked")
        holder.execute("COMMIT")
        touch(released)
        _, err = proc.communicate(timeout=60)
    finally:
        holder.close()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    check(proc.returncode == 0, f"the kiosk booked once the lock was gone (exit {proc.returncode})")
    text = h.ocr("busy")
    check("attendere" in text and "Errore del database" not in text,
          f"'attendere' on screen, not a database error: {text[:240]!r}")
    check("Appuntamento confermato" in h.ocr("booked"), "Stampa says confirmed")


def scenario_proposal_changed(h):
    """Another counter confirms the very slot the kiosk proposed while its operator reads it out:
    Conferma books nothing, the screen shows the new date and says so; confirming again books
    exactly the new date (invariant I8)."""
    first = h.ctl_json("demo.operatore", "propose", "--pratica", "RM/2026/900002")
    other = h.sql("SELECT numero_pratica FROM practice WHERE questura = 'RM' AND tipo = 'lavoro'"
                  " AND status = 'nulla_osta_rilasciato' AND numero_pratica <> 'RM/2026/900002'"
                  " AND id NOT IN (SELECT practice_id FROM appointment) LIMIT 1")[0][0]
    taken = os.path.join(h.work, "taken")
    cmd = h.command(h.login("demo.operatore") + f"""type RM/2026/900002
key Return
tap_button propose
expect_screen proposta
screenshot ready
wait_for_file {taken}
tap_button confirm
expect_screen proposta
screenshot changed
tap_button confirm
expect_screen stampa
screenshot booked
""")
    proc = subprocess.Popen(cmd, env=h.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        check(wait_for_png(os.path.join(h.shots, "ready.png"), proc),
              "the kiosk shows the proposal")
        got = h.ctl_json("demo.operatore", "book", "--pratica", other, "--slot",
                         str(first["slot"]), "--date", first["date"], "--time", first["time"])
        check(got and got["slot"] == first["slot"], f"the other counter took the slot: {got}")
        touch(taken)
        _, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    check(proc.returncode == 0, f"the kiosk booked the new proposal (exit {proc.returncode})")
    text = h.ocr("changed")
    check("non è più disponibile" in text and "confermare di nuovo" in text,
          f"the kiosk says the date changed: {text[:300]!r}")
    rows = h.sql("SELECT a.slot_id, s.day, s.minute FROM appointment a JOIN practice p"
                 " ON p.id = a.practice_id JOIN slot s ON s.id = a.slot_id"
                 " WHERE p.numero_pratica = 'RM/2026/900002' AND a.state = 'confirmed'")
    check(len(rows) == 1 and rows[0][0] != first["slot"],
          f"one appointment, not on the slot the other counter took: {rows}")
    booked = h.ctl_json("demo.operatore", "show", h.sql(
        "SELECT a.id FROM appointment a JOIN practice p ON p.id = a.practice_id"
        " WHERE p.numero_pratica = 'RM/2026/900002'")[0][0])
    shown = h.ocr("changed")
    check("ore " + booked["time"] in shown,
          f"the new proposal on screen ({booked['time']}) is the one booked: {shown[:200]!r}")


def scenario_logout_while_printing(h):
    """The slip is still printing (a stalled printer: a FIFO nobody reads yet) when the operator
    logs out and the next one logs in. When the paper comes out, the print is recorded under the
    operator who booked — not under the wiped session, not under the next operator — and the
    slip was in the reprint queue until then."""
    fifo = os.path.join(h.work, "lp0")
    os.mkfifo(fifo, 0o600)
    cmd = h.command(h.login("demo.operatore") + """type BO/2026/902002
key Return
tap_button propose
expect_screen proposta
print_wait off
tap_button confirm
expect_screen stampa
screenshot printing
tap_button logout
expect_screen login
""" + h.login("demo.dirigente") + """expect_screen ricerca
screenshot next_operator
print_wait on
wait_idle
screenshot printed
""", printer="file:" + fifo)
    proc = subprocess.Popen(cmd, env=h.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    received = b""
    try:
        check(wait_for_png(os.path.join(h.shots, "next_operator.png"), proc),
              "logged out and in again while the slip was printing")
        rows = h.sql("SELECT a.id, a.state, a.print_state FROM appointment a JOIN practice p"
                     " ON p.id = a.practice_id WHERE p.numero_pratica = 'BO/2026/902002'")
        check(len(rows) == 1 and rows[0][1:] == ("confirmed", "none"),
              f"booked, outcome not known yet: {rows}")
        appointment = rows[0][0]
        check(ctl_queue(h, h.env) == [appointment], "meanwhile it is in the reprint queue")
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the paper comes out
        try:
            import time
            while proc.poll() is None:
                try:
                    received += os.read(reader, 65536)
                except BlockingIOError:
                    time.sleep(0.05)
            _, err = proc.communicate(timeout=60)
        finally:
            os.close(reader)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    check(proc.returncode == 0, f"the kiosk script ran to the end (exit {proc.returncode}): "
          f"{err[-400:]!r}")
    check(b"BO/2026/902002" in received, f"the slip reached the printer ({len(received)} bytes)")
    rows = h.sql("SELECT state, prints, print_state FROM appointment WHERE id = ?", appointment)
    check(rows == [("confirmed", 1, "printed")], f"printed once, still confirmed: {rows}")
    actors = h.sql("SELECT actor, action FROM audit WHERE subject = ? ORDER BY seq", appointment)
    check(actors == [("demo.operatore", "book"), ("demo.operatore", "print")],
          f"booked and printed by demo.operatore, by nobody else: {actors}")
    check(ctl_queue(h, h.env) == [], "the reprint queue is empty")


# ---- activation with agenda-central (issue 11) ---------------------------------------------
class Central:
    """A real agenda-central on loopback: its own CA, one site, one code; serve on a free port."""

    def __init__(self, binary, folder, env):
        self.binary, self.folder, self.env, self.proc = binary, folder, env, None

    def json(self, *args):
        p = subprocess.run([self.binary, "--json", *args], capture_output=True, text=True,
                           timeout=60, env=self.env)
        check(p.returncode == 0, f"agenda-central {args[0]} {args[1] if len(args) > 1 else ''}"
              f" ({p.stderr.strip()[:200]})")
        return json.loads(p.stdout.strip().splitlines()[-1])

    def start(self):
        import select
        self.fingerprint = self.json("init", "--dir", self.folder, "--host", "localhost")[
            "ca_fingerprint"]
        self.json("site", "add", "--dir", self.folder, "--code", "ROMA", "--city", "Roma",
                  "--province", "RM", "--dirigente", "dirigente.roma@example.invalid")
        self.code = self.json("enrol-code", "--dir", self.folder, "--site", "ROMA",
                              "--expires", "24h")["code"]
        self.proc = subprocess.Popen([self.binary, "serve", "--dir", self.folder, "--listen",
                                      "127.0.0.1:0"], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, env=self.env)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        check(bool(ready), "agenda-central serve printed its port")
        self.url = "https://localhost:%d" % int(self.proc.stdout.readline())

    def devices(self):
        return self.json("device", "list", "--dir", self.folder)["devices"]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def identity(h):
    """The device id and whether it came from central, as the store has them."""
    rows = dict(h.sql("SELECT key, value FROM setting WHERE key IN"
                      " ('device_id', 'device_id_origin', 'central_url')"))
    return rows.get("device_id"), rows.get("device_id_origin"), rows.get("central_url")


def scenario_enrolment(h):
    """The Tecnico screen activates a fresh device with a real agenda-central: a wrong CA
    fingerprint is refused with nothing sent and nothing changed, the fields are kept, the
    corrected one activates the device with the id central chose, the test slip prints, and the
    next log-in shows the device's identity instead of the form."""
    binary = os.environ.get("AGENDA_CENTRAL")
    if not binary or not os.access(binary, os.X_OK):
        raise Failure("AGENDA_CENTRAL must name the agenda-central binary")
    central = Central(binary, os.path.join(h.work, "central"), h.env)
    try:
        central.start()
        enrolment_run(h, central)
    finally:
        central.stop()


def enrolment_run(h, central):
    before = identity(h)
    check(before[1] != "provisioned" and before[2] is None, f"a fresh device: {before}")
    # As central prints it ("AB:CD:..." or grouped): the 64 hex digits the help desk reads out.
    right = re.sub(r"[^0-9A-Fa-f]", "", central.fingerprint).upper()
    check(len(right) == 64, f"central's CA fingerprint has 64 hex digits: {central.fingerprint}")
    # One digit changed: what a misheard fingerprint looks like.
    wrong = right[:10] + ("0" if right[10] != "0" else "1") + right[11:]
    grouped = " ".join(right[i:i + 4] for i in range(0, 64, 4))
    # Caught before anything is sent: a code with a wrong check character (its last one
    # changed); then central unreachable (nothing listens on port 1): the words, the fields kept.
    code = central.code
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    h.run(h.login("demo.tecnico") + f"""expect_screen tecnico
type {central.url}
key Tab
type {typo}
key Tab
type {right}
key Return
screenshot mistyped
tap_button field:central
tap_button key:clear
type https://localhost:1
tap_button field:code
tap_button key:clear
type {code}
key Return
screenshot unreachable
""")
    text = h.ocr("mistyped")
    check("scritto male" in text, f"a mistyped code is caught on the device: {text[-300:]!r}")
    text = h.ocr("unreachable")
    # (That the fields are kept is proven below: only the fingerprint is retyped there.)
    check("Impossibile collegarsi alla centrale https://localhost:1" in text,
          f"central unreachable, said so: {text!r}")
    check(identity(h) == before and central.devices() == [],
          "nothing changed on the device or at central")
    checked = os.path.join(h.work, "refusal-checked")
    # The code is tapped on the on-screen keyboard, key by key; the address and the
    # fingerprints come from the physical keyboard (SDL text input).
    code_taps = "".join(f"tap_button key:{c.lower()}\n" for c in central.code)
    script = h.login("demo.tecnico") + f"""expect_screen tecnico
screenshot form
check_layout
tap_button field:central
type {central.url}
tap_button key:next
{code_taps}tap_button field:fingerprint
type {wrong}
tap_button key:enter
expect_screen tecnico
screenshot refused
wait_for_file {checked}
tap_button field:fingerprint
tap_button key:clear
type {grouped}
screenshot corrected
tap_button key:enter
expect_screen tecnico
screenshot activated
"""
    proc = subprocess.Popen(h.command(script), env=h.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        check(wait_for_png(os.path.join(h.shots, "refused.png"), proc, timeout=90),
              "the kiosk answered the wrong fingerprint")
        text = h.ocr("refused")
        check("diversa da quella dettata" in text and "non è stato inviato" in text,
              f"the refusal on screen: {text[:300]!r}")
        check(identity(h) == before, f"nothing changed in the store: {identity(h)}")
        check(not any(os.path.exists(os.path.join(h.work, f))
                      for f in ("device.key", "device.pem", "ca.pem")),
              "no key, certificate or CA written")
        check(central.devices() == [], "central enrolled nobody (the code was not sent)")
        touch(checked)
        _, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    if proc.returncode != 0:
        sys.stderr.write(err)
    check(proc.returncode == 0, f"the kiosk script ran to its end (exit {proc.returncode})")
    devices = central.devices()
    check(len(devices) == 1 and devices[0]["site"] == "ROMA", f"central enrolled one device:"
          f" {devices}")
    device_id = devices[0]["device_id"]
    check(re.fullmatch(r"ROMA-\d{4}", device_id) is not None, f"central chose {device_id}")
    text = h.ocr("activated")
    check(f"Dispositivo attivato: {device_id}, sede ROMA" in text,
          f"the screen says the device is activated as {device_id}: {text[:300]!r}")
    check(identity(h) == (device_id, "provisioned", central.url),
          f"the store's device id is central's: {identity(h)}")
    key = os.path.join(h.work, "device.key")
    check(os.stat(key).st_mode & 0o777 == 0o600, "device.key is 0600")
    check(os.stat(os.path.join(h.work, "device.pem")).st_mode & 0o777 == 0o600,
          "device.pem is 0600")
    check(os.path.exists(os.path.join(h.slips, "slip-1.png")), "the test slip was printed")
    with open(os.path.join(h.slips, "slip-1.txt"), encoding="utf-8") as f:
        check(device_id in f.read(), "the test slip names the new device id")
    # A new session: Tecnico shows the identity, not the form.
    h.run(h.login("demo.tecnico") + "expect_screen tecnico\nscreenshot enrolled\ncheck_layout\n")
    text = h.ocr("enrolled")
    check(f"Dispositivo {device_id}" in text and central.url.split("//")[1] in text and
          "Certificato valido fino" in text and "Attivazione del dispositivo" not in text,
          f"Tecnico shows device id, site, central and expiry: {text[:300]!r}")


def book_script(pratica_digits):
    """From Ricerca: the practice typed, proposed, confirmed; ends on Stampa."""
    return f"""expect_screen ricerca
type rm 2026 {pratica_digits}
key Return
expect_screen scheda
tap_button propose
expect_screen proposta
tap_button confirm
expect_screen stampa
"""


def scenario_sync(h):
    """Issue 12 on the kiosk, with a real agenda-central on loopback (same fixed clock): the
    device is provisioned with agendactl; the kiosk's sync thread makes it "In linea" with no
    tap; a booking asks central first and goes to central at once (kick); a closure at central
    on the booked day becomes a worklist item on Giornata at the next round, "Fatto" closes it
    in the store with the operator's name; central stopped: the bar says "Non in linea", a
    booking still succeeds from the slots held and Stampa says so; Tecnico's "Sincronizza ora"
    shows the last error in plain Italian."""
    binary = os.environ.get("AGENDA_CENTRAL")
    if not binary or not os.access(binary, os.X_OK):
        raise Failure("AGENDA_CENTRAL must name the agenda-central binary")
    central = Central(binary, os.path.join(h.work, "central"), h.env)
    try:
        central.start()
        sync_run(h, central)
    finally:
        central.stop()


def sync_run(h, central):
    folder = central.folder
    central.json("questura", "add", "--dir", folder, "--code", "RM", "--name", "Roma")
    central.json("capacity", "set", "--dir", folder, "--questura", "RM", "--from",
                 "2026-05-04", "--to", "2026-06-30", "--per-day", "16", "--start", "08:30",
                 "--every", "15")
    p = subprocess.run([h.ctl, "--json", "provision", "--central", central.url, "--code",
                        central.code, "--ca-fingerprint", central.fingerprint, "--printer",
                        f"virtual:{h.slips}/provision"], env=h.env, capture_output=True,
                       text=True, timeout=120)
    check(p.returncode == 0, f"agendactl provision with central ({p.stderr.strip()[:200]})")
    # Rounds every 2 s instead of 60 (the setting the kiosk reads), so the test is short.
    con = sqlite3.connect(h.db)
    con.execute("INSERT OR REPLACE INTO setting(key, value) VALUES ('sync.interval_s', '2')")
    con.commit()
    con.close()
    closed, stopped = os.path.join(h.work, "closed"), os.path.join(h.work, "stopped")
    stalled = os.path.join(h.work, "stalled")
    script = h.login("demo.operatore") + "sleep 3000\nscreenshot online\n" + \
        book_script("900002") + f"""screenshot booked_online
sleep 3000
wait_for_file {closed}
tap_button day
expect_screen giornata
sleep 5000
screenshot worklist
check_layout
tap_button work_done:0
expect_screen giornata
screenshot worklist_done
wait_for_file {stopped}
sleep 5000
screenshot offline
tap_button search
""" + book_script("900003") + f"""screenshot booked_offline
wait_for_file {stalled}
tap_button search
expect_screen ricerca
type rm 2026 900004
key Return
expect_screen scheda
tap_button propose
expect_screen proposta
tap_button confirm
sleep 800
screenshot_now grant_search
expect_screen stampa
screenshot booked_stalled
"""
    proc = subprocess.Popen(h.command(script), env=h.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        check(wait_for_png(os.path.join(h.shots, "booked_online.png"), proc, timeout=90),
              "the kiosk booked with central up")
        text = ocr_bar(h, "online")
        check("In linea" in text and "sincronizzato alle 09:00" in text,
              f"the status bar says In linea, synced at 09:00: {text[:200]!r}")
        first = h.sql("SELECT a.id, s.day, a.state FROM appointment a JOIN practice p ON"
                      " p.id = a.practice_id JOIN slot s ON s.id = a.slot_id"
                      " WHERE p.numero_pratica = 'RM/2026/900002'")
        check(len(first) == 1 and first[0][2] == "confirmed", f"booked on the device: {first}")
        granted = h.sql("SELECT grant_id FROM slot s JOIN appointment a ON a.slot_id = s.id"
                        " WHERE a.id = ?", first[0][0])
        check(granted and granted[0][0], f"on a slot central granted (grant_id {granted})")
        import time
        end = time.monotonic() + 30
        rows = []
        while time.monotonic() < end:  # the booking's kick sends it at once
            rows = central_rows(central, "SELECT state FROM appointment WHERE id = ?",
                                first[0][0])
            if rows:
                break
            time.sleep(0.2)
        check(rows == [("confirmed",)], f"central has the booking (a round at once): {rows}")
        import datetime
        day = (datetime.date(1970, 1, 1) + datetime.timedelta(days=first[0][1])).isoformat()
        central.json("closure", "add", "--dir", folder, "--questura", "RM", "--date", day,
                     "--note", "Chiusura straordinaria")
        touch(closed)
        check(wait_for_png(os.path.join(h.shots, "worklist_done.png"), proc, timeout=90),
              "the kiosk showed the worklist")
        central.stop()
        touch(stopped)
        check(wait_for_png(os.path.join(h.shots, "booked_offline.png"), proc, timeout=90),
              "the kiosk booked with central stopped")
        # A central that accepts connections and never answers, on central's port: the grant
        # is bounded (2 s) and the screen keeps drawing meanwhile.
        staller = Staller(int(central.url.rsplit(":", 1)[1]))
        touch(stalled)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        if "staller" in locals():
            staller.stop()
    if proc.returncode != 0:
        sys.stderr.write(err)
    check(proc.returncode == 0, f"the kiosk script ran to its end (exit {proc.returncode})")
    text = h.ocr("worklist")
    check("Giornata chiusa" in text and "RM/2026/900002" in text,
          f"Giornata lists the worklist item (kind in words, practice): {text[:300]!r}")
    items = h.sql("SELECT kind, numero_pratica, done_at IS NOT NULL, done_by FROM worklist")
    check(items == [("closure", "RM/2026/900002", 1, "demo.operatore")],
          f"the closure's item, marked done by the operator: {items}")
    check("Voce segnata come fatta" in h.ocr("worklist_done"), "Fatto said so")
    text = ocr_bar(h, "offline")
    check("Non in linea" in text, f"central stopped: the bar says Non in linea: {text[:200]!r}")
    second = h.sql("SELECT a.state FROM appointment a JOIN practice p ON p.id = a.practice_id"
                   " WHERE p.numero_pratica = 'RM/2026/900003'")
    check(second == [("confirmed",)], f"the offline booking is confirmed: {second}")
    text = h.ocr("booked_offline")
    check("Appuntamento confermato" in text and "Centrale non raggiungibile" in text,
          f"Stampa: booked, from the slots the kiosk holds: {text[:300]!r}")
    band = os.path.join(h.shots, "grant_search-band.png")  # the bottom touch unit (66 px)
    crop_png(os.path.join(h.shots, "grant_search.png"), band, 0, 800 - 66, 1280, 66, scale=2)
    text = " ".join(subprocess.run(["tesseract", band, "-", "-l", "ita", "--psm", "7"],
                                   capture_output=True, text=True, timeout=60,
                                   env=dict(h.env, OMP_THREAD_LIMIT="1")).stdout.split())
    check("Ricerca della prima data libera" in text,
          f"while central is asked, the busy band says so: {text[-200:]!r}")
    asked = re.findall(r"booking with central: (\w+), held slot, (\d+) ms", err)
    check(len(asked) == 3 and asked[1][0] == "offline" and int(asked[1][1]) < 500,
          f"central stopped: the grant failed at once ({asked})")
    check(asked[2][0] == "offline" and 1800 <= int(asked[2][1]) <= 3500,
          f"central hung: the grant gave up within its bound ({asked[2][1]} ms, bound 2000)")
    third = h.sql("SELECT a.state FROM appointment a JOIN practice p ON p.id = a.practice_id"
                  " WHERE p.numero_pratica = 'RM/2026/900004'")
    check(third == [("confirmed",)], f"then booked from what the kiosk holds: {third}")
    check("Centrale non raggiungibile" in h.ocr("booked_stalled"), "and Stampa says so")
    check("sync: a round still in flight ends with the process" in err,
          "at exit the sync thread's stalled round was left within its bound")
    # Tecnico: "Sincronizza ora" with central gone, the last error in plain Italian.
    h.run(h.login("demo.tecnico") + "expect_screen tecnico\ntap_button sync_now\nsleep 1500\n"
          "screenshot tecnico\ncheck_layout\n")
    text = h.ocr("tecnico")
    check("non in linea" in text and "Ultimo errore" in text and
          "Centrale non raggiungibile" in text,
          f"Tecnico: offline and the last error in Italian: {text[:400]!r}")
    # The smallest panel: the sync line, the error and four buttons still fit (layout check).
    h.run(h.login("demo.tecnico") + "expect_screen tecnico\ntap_button sync_now\nsleep 1500\n"
          "screenshot tecnico_800\ncheck_layout\n", size="800x480")
    text = ocr_bar(h, "tecnico_800", 480)
    check("Non in linea" in text, f"800x480: the bar says Non in linea: {text[:200]!r}")


def ocr_bar(h, name, height=800):
    """The status bar of a screenshot of the given height, read by OCR: cropped (layout.c: a
    touch unit h/12, at least 56 px; the bar 5/8 of it), inverted (dark text on light reads
    best) and doubled in size."""
    src = os.path.join(h.shots, name + ".png")
    rows, channels = png_rows(src, 0)
    width = len(rows[0]) // channels
    bar = os.path.join(h.shots, name + "-bar.png")
    crop_png(src, bar, 0, 0, width, max(height // 12, 56) * 5 // 8, invert=True, scale=2)
    out = subprocess.run(["tesseract", bar, "-", "-l", "ita", "--psm", "6"], capture_output=True,
                         text=True, env=dict(h.env, OMP_THREAD_LIMIT="1"), timeout=60)
    return " ".join(out.stdout.split())


class Staller:
    """Accepts TCP connections on a port and never answers (a hung central)."""

    def __init__(self, port):
        import socket
        import threading
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        try:
            while True:
                self.held.append(self.sock.accept()[0])
        except OSError:
            pass

    def stop(self):
        import socket
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        for c in self.held:
            c.close()


def central_rows(central, query, *args):
    con = sqlite3.connect(f"file:{os.path.join(central.folder, 'central.db')}?mode=ro",
                          uri=True, timeout=20)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


# ---- email from the device (issue 13) ----------------------------------------------------------
class SmtpServer:
    """tests/tools/smtp_server.py (STARTTLS) on loopback with a throw-away CA and a `localhost`
    certificate made here with openssl; its fault is changed while it runs through --control."""

    def __init__(self, folder, fault):
        self.folder, self.proc = folder, None
        self.maildir = os.path.join(folder, "maildir")
        self.control = os.path.join(folder, "control.json")
        self.ca = os.path.join(folder, "ca.pem")
        os.makedirs(self.maildir)
        self._certificates()
        self.set_fault(fault)

    def _certificates(self):
        f = self.folder

        def ssl(*args):
            subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)
        ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f + "/ca.key", "-out", self.ca, "-days", "2", "-subj", "/CN=Prova CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
            "keyUsage=critical,keyCertSign")
        ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            f + "/server.key", "-out", f + "/server.csr", "-subj", "/CN=localhost")
        ext = os.path.join(f, "ext.cnf")
        with open(ext, "w") as e:
            e.write("subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n")
        ssl("x509", "-req", "-in", f + "/server.csr", "-CA", self.ca, "-CAkey", f + "/ca.key",
            "-CAcreateserial", "-out", f + "/server.pem", "-days", "2", "-extfile", ext)

    def set_fault(self, fault):
        with open(self.control + ".tmp", "w") as c:
            c.write(json.dumps({"fault": fault}) + "\n")
        os.replace(self.control + ".tmp", self.control)

    def start(self, fault):
        import select
        tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools",
                            "smtp_server.py")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", tool, "--mode", "starttls", "--cert",
             os.path.join(self.folder, "server.pem"), "--key",
             os.path.join(self.folder, "server.key"), "--port", "0", "--maildir", self.maildir,
             "--fault", fault, "--control", self.control],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        check(bool(ready), "the SMTP test server printed its port")
        self.port = int(self.proc.stdout.readline())

    def messages(self):
        return sorted(n for n in os.listdir(self.maildir) if n.endswith(".eml"))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def scenario_mail(h):
    """Issue 13 on the kiosk with a real SMTP server on loopback that refuses every message
    (5xx): a booking, "Stampa elenco" (the day's list on the virtual printer), "Chiudi giornata"
    says the Questura's email is queued; the sync thread sends it at once and the server refuses
    it: the status bar says "1 email non inviata" (in English too) and Tecnico shows the server
    and its reply; the fault cleared, "Riprova email" delivers it (the .eml appears, the row is
    sent, the retry audited under the technician's name)."""
    if not shutil.which("openssl"):
        raise Failure("openssl is needed for the SMTP server's certificate")
    server = SmtpServer(os.path.join(h.work, "smtp"), "permfail")
    try:
        server.start("permfail")
        mail_run(h, server)
    finally:
        server.stop()


def mail_run(h, server):
    # The technician through $AGENDA_USER: --user after "mail configure" is the server's user.
    p = subprocess.run([h.ctl, "mail", "configure", "--host", "localhost", "--port",
                        str(server.port), "--mode", "starttls", "--from",
                        "agenda.roma@example.invalid", "--from-name", "Agenda Elettronica Roma",
                        "--ca-file", server.ca], env=dict(h.env, AGENDA_USER="demo.tecnico"),
                       input=h.passwords["demo.tecnico"] + "\n", capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 0, f"agendactl mail configure ({p.stderr.strip()[:200]})")
    cleared = os.path.join(h.work, "cleared")
    script = h.login("demo.operatore") + book_script("900002") + """tap_button day
expect_screen giornata
tap_button print_list
wait_idle
sleep 500
screenshot list_printed
tap_button close_day
wait_idle
screenshot closed
sleep 2500
screenshot failed_bar
tap_button logout
""" + h.login("demo.tecnico") + f"""expect_screen tecnico
tap_button tech_status
sleep 500
screenshot tecnico_failed
check_layout
tap_button lang
sleep 300
screenshot tecnico_failed_en
tap_button lang
wait_for_file {cleared}
tap_button mail_retry
sleep 2500
screenshot tecnico_sent
"""
    proc = subprocess.Popen(h.command(script), env=h.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        check(wait_for_png(os.path.join(h.shots, "tecnico_failed_en.png"), proc, timeout=90),
              "the kiosk reached Tecnico with the message refused")
        check(server.messages() == [], "the refusing server kept nothing")
        rows = h.sql("SELECT kind, state, attempts FROM outbox")
        check(rows == [("day_list", "failed", 1)],
              f"the Questura's list was tried once and given up on the 5xx: {rows}")
        server.set_fault("none")
        touch(cleared)
        _, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    if proc.returncode != 0:
        sys.stderr.write(err)
    check(proc.returncode == 0, f"the kiosk script ran to its end (exit {proc.returncode})")
    # Giornata: the list printed, the close's words.
    slips = sorted(n for n in os.listdir(h.slips) if n.endswith(".png"))
    check(slips == ["slip-1.png", "slip-2.png"],
          f"the virtual printer drew the slip, then the day's list: {slips}")
    with open(os.path.join(h.slips, "slip-2.txt"), encoding="utf-8") as f:
        printed = f.read()
    check("Questura di Roma" in printed and "appuntamenti: 1" in printed and
          "RM/2026/900002" in printed and "confermato" in printed,
          f"the printed list is Roma's, with the booking: {printed[:300]!r}")
    text = h.ocr("list_printed")
    check("Elenco di oggi in stampa" in text, f"Stampa elenco said so: {text[-200:]!r}")
    text = h.ocr("closed")
    check("Giornata chiusa" in text and "1 email in coda" in text,
          f"the close said one email is queued: {text[-300:]!r}")
    # The refused message: the status bar, then Tecnico in both languages.
    text = ocr_bar(h, "failed_bar")
    check("1 email non inviata" in text, f"the status bar says 1 email non inviata: {text!r}")
    text = h.ocr("tecnico_failed")
    check(f"localhost:{server.port}" in text and "non inviate 1" in text and "550" in text,
          f"Tecnico: the server, one not sent, the server's 5xx reply: {text[:500]!r}")
    text = ocr_bar(h, "tecnico_failed_en")
    check("1 email not sent" in text, f"in English the bar says 1 email not sent: {text!r}")
    # Riprova email: delivered, recorded, audited.
    eml = server.messages()
    check(len(eml) == 1 and "elenco.20260504.RM.v1" in eml[0],
          f"after Riprova email the server has the list's message: {eml}")
    rows = h.sql("SELECT state, reply LIKE '2%' FROM outbox")
    check(rows == [("sent", 1)], f"the row is sent with the server's 2xx: {rows}")
    rows = h.sql("SELECT actor FROM audit WHERE action = 'mail_retry'")
    check(rows == [("demo.tecnico",)], f"the retry is audited under the technician: {rows}")
    text = h.ocr("tecnico_sent")
    check("non inviate 0" in text, f"Tecnico after the retry: none left unsent: {text[:400]!r}")
    text = ocr_bar(h, "tecnico_sent")
    check("non inviat" not in text, f"the bar no longer warns: {text!r}")


SCENARIOS = {"booking": scenario_booking, "logout_while_printing": scenario_logout_while_printing, "lockout": scenario_lockout,
             "paper_out": scenario_paper_out, "technician": scenario_technician,
             "reprint_queue": scenario_reprint_queue, "accents": scenario_accents,
             "disk_full": scenario_disk_full, "busy": scenario_busy,
             "proposal_changed": scenario_proposal_changed,
             "names": scenario_names,
             "names_800x480": lambda h: scenario_names(h, "800x480"),
             "layout_800x480": lambda h: scenario_layout(h, "800x480"),
             "layout_1024x600": lambda h: scenario_layout(h, "1024x600"),
             "layout_1280x800": lambda h: scenario_layout(h, "1280x800"),
             "enrolment": scenario_enrolment, "sync": scenario_sync, "mail": scenario_mail}
INNER = "KIOSK_E2E_IN_NAMESPACE"


def main():
    if len(sys.argv) != 5 or sys.argv[3] not in SCENARIOS or sys.argv[4] not in (
            "xvfb", "offscreen"):
        print(__doc__)
        return 2
    kiosk, ctl, scenario, driver = sys.argv[1:]
    needed = ["tesseract"] + (["Xvfb"] if driver == "xvfb" else [])
    if scenario.startswith("names"):
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                               timeout=30).stdout.split() if shutil.which("tesseract") else []
        needed += [f"tesseract-ocr-{m.replace('_', '-')}" for m in ("ara", "chi_sim")
                   if m not in langs]
    missing = [t for t in needed if not shutil.which(t)]
    if missing:
        print("skipped: missing", " ".join(missing))
        return 77
    if scenario == "disk_full" and not os.environ.get(INNER):
        # The tmpfs is mounted inside a private mount namespace: nothing leaks to the host.
        if os.geteuid() != 0 or subprocess.run(
                ["unshare", "-m", "--propagation", "private", "true"],
                capture_output=True, timeout=30).returncode != 0:
            print("skipped: a private mount namespace needs root (CI runs as root)")
            return 77
        return subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable]
                              + sys.argv, env=dict(os.environ, **{INNER: "1"}),
                              timeout=280).returncode
    with tempfile.TemporaryDirectory(prefix=f"kiosk-e2e-{scenario}-") as work:
        h = Harness(os.path.abspath(kiosk), os.path.abspath(ctl), driver, work)
        try:
            h.start_display()
            if scenario != "disk_full":
                h.seed()  # disk_full seeds on its own tmpfs
            SCENARIOS[scenario](h)
        except (Failure, subprocess.SubprocessError) as e:
            print("FAIL:", e)
            keep = os.environ.get("KIOSK_E2E_KEEP")
            if keep:
                shutil.copytree(work, os.path.join(keep, f"{scenario}-{driver}"),
                                dirs_exist_ok=True)
            return 1
        finally:
            h.stop_display()
        keep = os.environ.get("KIOSK_E2E_KEEP")
        if keep and os.environ.get("KIOSK_E2E_KEEP_ALL"):
            shutil.copytree(work, os.path.join(keep, f"{scenario}-{driver}"), dirs_exist_ok=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
