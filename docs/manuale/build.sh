#!/bin/sh
# build.sh — builds the Manuale utente (Italian user manual) as HTML: one page with a table of
# contents, its pictures and its generated messages chapter, in BUILD_DIR/manuale/index.html.
#
#   sh docs/manuale/build.sh [BUILD_DIR]        (default: build; also `cmake --build build --target manuale`)
#
# Steps: (1) the chapter "Messaggi" is generated from firmware/core/messages.def by
# gen_messaggi.py (at every build, never checked in: it cannot go stale); (2) the screenshots are
# made by the kiosk's own script mode on demo data (tests/manual/screenshots.py, ~30-60 s, Xvfb)
# when a picture the manual names is missing, or always with MANUALE_SHOTS=1 (never with
# MANUALE_SHOTS=0); (3) Debian's pandoc (2.17) joins the chapters into BUILD_DIR/manuale/index.html.
# (markdown-smart: "--dir" in the catalogue's help texts stays two hyphens, not a dash).
# No PDF: pandoc's PDF needs LaTeX, too big for CI; the browser prints the HTML page well.
set -eu
src=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$src/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
out="$build/manuale"
mkdir -p "$out/img"

command -v pandoc >/dev/null || { echo "build.sh: pandoc is missing (apt-get install pandoc)" >&2; exit 1; }
python3 "$src/gen_messaggi.py" "$root/firmware/core/messages.def" "$src/cosa-fare.tsv" \
	"$out/messaggi.md"

chapters="$src/00-introduzione.md $src/01-operatore.md $src/02-dirigente.md $src/03-tecnico.md"
missing=$(python3 "$root/tests/manual/pictures.py" missing "$out/img" $chapters)
shots=${MANUALE_SHOTS:-auto}
if [ "$shots" = 1 ] || { [ "$shots" = auto ] && [ -n "$missing" ]; }; then
	echo "== screenshots (kiosk script mode, 1280x800, demo data) into $out/img"
	python3 "$root/tests/manual/screenshots.py" "$build" "$out/img"
fi

cp "$src/manuale.css" "$out/manuale.css"
pandoc --standalone --toc --toc-depth=2 --number-sections --from markdown-smart \
	--metadata-file="$src/metadata.yaml" --css manuale.css \
	--resource-path="$out" -o "$out/index.html" $chapters "$out/messaggi.md"
echo "Manuale: $out/index.html"
