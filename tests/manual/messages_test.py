#!/usr/bin/python3
"""messages_test.py — the manual's chapter "Messaggi" matches the one message catalogue.

usage: messages_test.py ROOT WORK_DIR

Generates the chapter as docs/manuale/build.sh does, then checks, with its own reading of
firmware/core/messages.def (a plain regex, not the generator's parser): every id of the
catalogue has its entry in the chapter, with its Italian text; and no id named by the manual
(chapters, cosa-fare.tsv, the generated chapter) is missing from the catalogue. Then proves the
check bites: a catalogue with one id more, or the chapter with one entry less, must fail it.
"""
import os
import re
import subprocess
import sys

ID = re.compile(r"^MSG\((MSG_\w+),", re.M)
NAMED = re.compile(r"\bMSG_[A-Z0-9_]+\b")


def catalogue_ids(text):
    return ID.findall(text)


def problems(catalogue, chapter, manual_texts):
    ids = catalogue_ids(catalogue)
    out = []
    entries = set(re.findall(r"^\[`(MSG_\w+)`\]\{#", chapter, re.M))
    out += [f"{i} is in the catalogue but not in the chapter" for i in ids if i not in entries]
    known = set(ids)
    for name, text in manual_texts.items():
        out += [f"{name} names {i}, which the catalogue does not have"
                for i in sorted(set(NAMED.findall(text)) - known)]
    return out


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    root, work = argv[1], argv[2]
    os.makedirs(work, exist_ok=True)
    src = os.path.join(root, "docs", "manuale")
    catalogue_path = os.path.join(root, "firmware", "core", "messages.def")
    chapter_path = os.path.join(work, "messaggi.md")
    subprocess.run([sys.executable, os.path.join(src, "gen_messaggi.py"), catalogue_path,
                    os.path.join(src, "cosa-fare.tsv"), chapter_path], check=True, timeout=60)
    catalogue = open(catalogue_path, encoding="utf-8").read()
    chapter = open(chapter_path, encoding="utf-8").read()
    texts = {"messaggi.md (generated)": chapter}
    for name in sorted(os.listdir(src)):
        if name.endswith((".md", ".tsv")):
            texts[name] = open(os.path.join(src, name), encoding="utf-8").read()
    found = problems(catalogue, chapter, texts)
    for line in found:
        print("FAIL:", line)
    if found:
        return 1
    ids = catalogue_ids(catalogue)
    print(f"ok: all {len(ids)} ids of the catalogue are in the chapter; the manual names no "
          "stale id")
    # Texts as the chapter shows them: the Italian sentence of a plain message is there.
    if "Carta esaurita: inserire un rotolo nuovo e ristampare." not in chapter:
        print("FAIL: the Italian text of MSG_PRINTER_PAPER_OUT is not in the chapter")
        return 1
    # The check bites both ways.
    extra = catalogue + '\nMSG(MSG_MANUALE_NUOVO, "nuovo", "new")\n'
    if not any("MSG_MANUALE_NUOVO" in p for p in problems(extra, chapter, {})):
        print("FAIL: a new catalogue id missing from the chapter went unnoticed")
        return 1
    gone = ids[len(ids) // 2]
    if not any(gone in p for p in problems(catalogue.replace(f"MSG({gone},", "MSG(X,"),
                                           chapter, texts)):
        print(f"FAIL: the chapter naming a removed id ({gone}) went unnoticed")
        return 1
    print("ok: a new id missing from the chapter, and a removed id still named, both fail")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
