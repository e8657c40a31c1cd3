#!/usr/bin/python3
"""html_test.py — the built Manuale utente's HTML holds together.

usage: html_test.py MANUALE_DIR

Reads MANUALE_DIR/index.html (docs/manuale/build.sh): every <img src> and every local <a href>
names a file that exists in MANUALE_DIR (and an image is a PNG), every "#anchor" names an id of
the page; the table of contents lists the four parts. Links to other sites are not followed.
"""
import html.parser
import os
import sys
import urllib.parse


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links, self.images, self.toc = set(), [], [], 0
        self.in_toc = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "nav" and a.get("id") == "TOC":
            self.in_toc = True
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
            self.toc += self.in_toc
        if tag == "img":
            self.images.append(a.get("src", ""))

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_toc = False


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    folder = argv[1]
    page = Page()
    with open(os.path.join(folder, "index.html"), encoding="utf-8") as f:
        page.feed(f.read())
    bad = []
    for src in page.images:
        path = os.path.join(folder, urllib.parse.unquote(src))
        if not src or "://" in src or not os.path.isfile(path):
            bad.append(f"image {src!r} does not resolve")
        elif open(path, "rb").read(8) != b"\x89PNG\r\n\x1a\n":
            bad.append(f"image {src!r} is not a PNG")
    for href in page.links:
        if href.startswith(("http://", "https://", "mailto:")):
            continue
        target, _, anchor = href.partition("#")
        if target and not os.path.exists(os.path.join(folder, urllib.parse.unquote(target))):
            bad.append(f"link {href!r}: no file {target}")
        if anchor and not target and anchor not in page.ids:
            bad.append(f"link {href!r}: no id {anchor} in the page")
    for part in ("operatore", "dirigente", "tecnico", "messaggi"):
        if f"#{part}" not in page.links:
            bad.append(f"the table of contents does not list #{part}")
    for line in bad:
        print("FAIL:", line)
    if bad:
        return 1
    print(f"ok: {len(page.images)} images and {len(page.links)} links resolve "
          f"({page.toc} in the table of contents)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
