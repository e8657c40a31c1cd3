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
IMG_DIR/scontrino.png (the first convocation) and IMG_DIR/scontrino-prova.png (the activation's
test slip). Exit 0 done, 1 a step failed, 77 a tool is missing (Xvfb).
Uses tests/e2e/kiosk_e2e.py's harness (Xvfb on a free display, the demo seed, Central).
"""
import glob
import os
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
    """The first convocation slip and the test slip, told apart by their text twins."""
    wanted = {"scontrino": "CONVOCAZIONE", "scontrino-prova": "STAMPA DI PROVA"}
    for txt in sorted(glob.glob(os.path.join(slips, "*.txt")),
                      key=lambda p: int(p.rsplit("-", 1)[1].split(".")[0])):
        with open(txt, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for name, marker in list(wanted.items()):
            if marker in text:
                shutil.copyfile(txt[:-4] + ".png", os.path.join(img, name + ".png"))
                del wanted[name]
    e2e.check(not wanted, f"the virtual printer printed a convocation and a test slip "
              f"(missing: {sorted(wanted)})")


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
                         "Roma")
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
            h.run(fill("sportello.script", values))
            central.stop()
            h.run(fill("senza_rete.script", values))
        finally:
            central.stop()
            h.stop_display()
            # Also after a failure: the pictures made so far show where the script stopped.
            for png in glob.glob(os.path.join(h.shots, "*.png")):
                shutil.copyfile(png, os.path.join(img, os.path.basename(png)))
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
