#!/bin/sh
# ui_structure_test.sh LIBAGENDA_UI — the kiosk's files call downward only, read from the
# archive's own symbol tables (nm), whatever the sources look like:
#   app.c (what screens share, and the routing) names nothing that a screen, the screen table,
#   the status bar, the frame, the loop or the script runner defines: it reaches screens only
#   through the ops table it is handed (screens.h);
#   a screen names nothing that the screen table, the frame, the loop or the script runner
#   defines.
# Control: screen_login.c does name ui_go (app.c), so the reading sees what it looks for.
set -eu
lib=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# "member symbol" lines: what each object defines (globally) and what it names from elsewhere.
nm -A --defined-only --extern-only "$lib" | awk -F: '{n = split($3, f, " "); print $2, f[n]}' >"$work/defined"
nm -A --undefined-only "$lib" | awk -F: '{n = split($3, f, " "); print $2, f[n]}' >"$work/named"

# names_from MEMBER_REGEX DEFINER_REGEX: symbols MEMBER names that DEFINER defines, with both.
names_from() {
	awk -v user="$1" -v definer="$2" '
		NR == FNR { if ($1 ~ definer) where[$2] = $1; next }
		$1 ~ user && ($2 in where) { print $1 " names " $2 " of " where[$2] }
	' "$work/defined" "$work/named"
}

status=0
upper='^(screen_[a-z_]+|statusbar|frame|loop|script_run)\.c\.o$'
found=$(names_from '^app\.c\.o$' "$upper")
if [ -n "$found" ]; then
	echo "FAIL: app.c calls up into the screens:"
	echo "$found"
	status=1
fi
found=$(names_from '^screen_[a-z_]+\.c\.o$' '^(screen_table|frame|loop|script_run)\.c\.o$')
if [ -n "$found" ]; then
	echo "FAIL: a screen calls up into the loop:"
	echo "$found"
	status=1
fi
if ! names_from '^screen_login\.c\.o$' '^app\.c\.o$' | grep -q ' names ui_go of '; then
	echo "FAIL: control: screen_login.c should name ui_go of app.c; the reading is broken"
	status=1
fi
[ $status -eq 0 ] && echo "ui: app.c names no screen, no screen names the loop ($(wc -l <"$work/named") references read)"
exit $status
