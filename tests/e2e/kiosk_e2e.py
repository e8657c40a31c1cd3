#!/usr/bin/python3
"""kiosk_e2e.py — agenda-kiosk driven end to end by its test-mode scripts, on a real X server
(Xvfb) or on SDL's offscreen driver.

usage: kiosk_e2e.py KIOSK AGENDACTL SCENARIO xvfb|offscreen

Each scenario makes a fresh demo database with agendactl (fixed clock AGENDA_NOW), writes a
script of taps and keys, runs the kiosk on it, then checks the result twice: through the core
(the same SQLite file read with python's sqlite3, and agendactl) and on the screen (tesseract
OCR of screenshots, in Italian). Scenarios: booking, lockout, paper_out, technician.
Exit 0 = pass, 1 = fail, 77 = skipped (a tool is missing).
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
    def run(self, script, printer=None, extra=(), expect_status=0):
        self.runs += 1
        path = os.path.join(self.work, f"script-{self.runs}.txt")
        with open(path, "w") as f:
            f.write(script)
        cmd = [self.kiosk, "--db", self.db, "--printer",
               printer or f"virtual:{self.slips}/slip", "--size", "1280x800",
               "--script", path, "--screenshots", self.shots, *extra]
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=120)
        if p.returncode != expect_status:
            sys.stderr.write(p.stderr)
        check(p.returncode == expect_status,
              f"kiosk script {self.runs} exits {expect_status} (got {p.returncode})")
        check(f"video driver {self.env['SDL_VIDEODRIVER']}" in p.stderr,
              f"kiosk used the {self.env['SDL_VIDEODRIVER']} video driver")
        return p

    def ocr(self, name):
        png = os.path.join(self.shots, name + ".png")
        out = subprocess.run(["tesseract", png, "-", "-l", "ita"], capture_output=True,
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


def pixel_at(png_path, x, y):
    """RGB of one pixel of an 8-bit RGB(A) PNG, decoded with zlib only (no PIL here)."""
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
    for row in range(y + 1):
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
        prev = line
    return tuple(prev[x * channels:x * channels + 3])


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
    """Five wrong passwords lock the account; the right one is then refused too."""
    wrong = h.login("demo.operatore", "Sbagliata23")
    script = wrong + "screenshot wrong1\n" + (
        "tap_button field:password\ntype Sbagliata23\ntap_button login\n" * 4) + \
        "screenshot locked\n" + "tap_button field:password\ntype " + \
        h.passwords["demo.operatore"] + "\ntap_button login\nexpect_screen login\n"
    h.run(script)
    text = h.ocr("wrong1")
    check("Tentativi rimasti prima del blocco: 4" in text, f"attempts left shown: {text[:160]!r}")
    check("bloccato" in h.ocr("locked"), "the lock is shown")
    rows = h.sql("SELECT failures, locked_until FROM operator WHERE username = 'demo.operatore'")
    check(rows and rows[0][1] > 0, f"the account is locked in the store: {rows}")


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
    h.run(h.login("demo.tecnico") + """expect_screen tecnico
tap_button test_print
sleep 300
wait_idle
screenshot tecnico
sleep 2500
expect_screen login
""", extra=("--idle-logout", "2"))
    text = h.ocr("tecnico")
    check("Tecnico" in text and "DEMO" not in text, "technician screen, no applicant names")
    check(os.path.exists(os.path.join(h.slips, "slip-1.png")), "the test slip was printed")
    # The English toggle: the same screen in English.
    h.run(h.login("demo.operatore") + "tap_button lang\nscreenshot english\n")
    check("Find a practice" in h.ocr("english"), "English toggle")


SCENARIOS = {"booking": scenario_booking, "lockout": scenario_lockout,
             "paper_out": scenario_paper_out, "technician": scenario_technician}


def main():
    if len(sys.argv) != 5 or sys.argv[3] not in SCENARIOS or sys.argv[4] not in (
            "xvfb", "offscreen"):
        print(__doc__)
        return 2
    kiosk, ctl, scenario, driver = sys.argv[1:]
    needed = ["tesseract"] + (["Xvfb"] if driver == "xvfb" else [])
    missing = [t for t in needed if not shutil.which(t)]
    if missing:
        print("skipped: missing", " ".join(missing))
        return 77
    with tempfile.TemporaryDirectory(prefix=f"kiosk-e2e-{scenario}-") as work:
        h = Harness(os.path.abspath(kiosk), os.path.abspath(ctl), driver, work)
        try:
            h.start_display()
            h.seed()
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
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
