#!/usr/bin/python3
"""pictures.py — what the Manuale utente's chapters name: pictures and the kiosk's screens.

usage: pictures.py missing IMG_DIR CHAPTER.md...     prints the pictures not in IMG_DIR (one a line)
       pictures.py check ROOT IMG_DIR CHAPTER.md...   exit 1 naming every picture missing and every
                                                     screen of the kiosk without its section

A picture is named as ![caption](img/NAME.png). The kiosk's screens are read from ui/: each
screen file's ops table has `.name = "NAME"` (the script mode's names, enum ui_screen); each
needs a section headed `{#schermata-NAME}` in the chapters, with at least one picture in it.
Every screenshot is 1280x800 (the slips, scontrino*.png, are as wide as the paper).
"""
import glob
import os
import re
import sys

PICTURE = re.compile(r"!\[[^\]]*\]\((img/[^)\s]+)\)")
HEADING = re.compile(r"^(#+) .*\{#([\w-]+)[^}]*\}\s*$")


def pictures(chapters):
    names = []
    for path in chapters:
        with open(path, encoding="utf-8") as f:
            names += [m.group(1)[len("img/"):] for m in PICTURE.finditer(f.read())]
    return sorted(set(names))


def missing(img, chapters):
    return [n for n in pictures(chapters) if not os.path.isfile(os.path.join(img, n))]


def png_size(path):
    """(width, height) from a PNG's IHDR, or None when the file is not a PNG."""
    import struct
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def kiosk_screens(root):
    names = []
    for path in sorted(glob.glob(os.path.join(root, "ui", "screen_*.c"))):
        with open(path, encoding="utf-8") as f:
            names += re.findall(r'\.name\s*=\s*"(\w+)"', f.read())
    return names


def sections(chapters):
    """{heading id: the text under it up to the next heading of the same or a higher level}."""
    found = {}
    for path in chapters:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        for i, line in enumerate(lines):
            m = HEADING.match(line)
            if not m:
                continue
            level, body = len(m.group(1)), []
            for later in lines[i + 1:]:
                n = re.match(r"^(#+) ", later)
                if n and len(n.group(1)) <= level:
                    break
                body.append(later)
            found[m.group(2)] = "\n".join(body)
    return found


def problems(root, img, chapters):
    out = [f"picture img/{n} is named by the manual but was not made" for n in
           missing(img, chapters)]
    for name in pictures(chapters):
        path = os.path.join(img, name)
        # Screenshots are the kiosk's window; the slips (scontrino*) are the printer's width.
        if os.path.isfile(path) and not name.startswith("scontrino"):
            if png_size(path) != (1280, 800):
                out.append(f"picture img/{name} is {png_size(path)}, not 1280x800")
    screens = kiosk_screens(root)
    if len(screens) < 7:
        out.append(f"only {len(screens)} screens found in ui/screen_*.c: {screens}")
    found = sections(chapters)
    for screen in screens:
        body = found.get(f"schermata-{screen}")
        if body is None:
            out.append(f"screen {screen!r} has no section {{#schermata-{screen}}} in the manual")
        elif not PICTURE.search(body):
            out.append(f"section #schermata-{screen} has no picture")
    return out


def bites(root, img, chapters):
    """The check fails on a chapter that drops a screen's section or names a picture never
    made (copies in a temporary folder): [] when it does, else what went unnoticed."""
    import tempfile
    text = "".join(open(p, encoding="utf-8").read() for p in chapters)
    with tempfile.TemporaryDirectory() as tmp:
        cut = os.path.join(tmp, "senza-login.md")
        with open(cut, "w", encoding="utf-8") as f:
            f.write(text.replace("{#schermata-login}", "{#altro}"))
        extra = os.path.join(tmp, "immagine-in-piu.md")
        with open(extra, "w", encoding="utf-8") as f:
            f.write(text + "\n![mai fatta](img/mai-fatta.png)\n")
        out = []
        if not any("'login'" in p for p in problems(root, img, [cut])):
            out.append("FAIL: a manual without the Login section passed the check")
        if not any("mai-fatta.png" in p for p in problems(root, img, [extra])):
            out.append("FAIL: a picture never made passed the check")
    print("\n".join(out) or "ok: a missing screen section and a missing picture both fail")
    return out


def main(argv):
    if len(argv) >= 3 and argv[1] == "missing":
        print("\n".join(missing(argv[2], argv[3:])))
        return 0
    if len(argv) >= 4 and argv[1] == "check":
        found = problems(argv[2], argv[3], argv[4:])
        for line in found:
            print("FAIL:", line)
        if not found:
            print(f"ok: {len(pictures(argv[4:]))} pictures made, "
                  f"every screen of the kiosk {kiosk_screens(argv[2])} has its section")
            found = bites(argv[2], argv[3], argv[4:])
        return 1 if found else 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
