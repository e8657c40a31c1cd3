/*
 * args.c — parsing of agenda-kiosk's options (args.h). Values are checked here (size within
 * 320x240..7680x4320, idle time 0..86400 s, language it|en, printer URI syntax); files and the
 * printer are opened later.
 */
#include "args.h"
#include "printer/printer_uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return false;
	v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

static bool parse_size(const char *s, int *w, int *h)
{
	char width[16];
	const char *x = s ? strchr(s, 'x') : NULL;

	if (!x || x - s >= (long)sizeof width)
		return false;
	snprintf(width, sizeof width, "%.*s", (int)(x - s), s);
	return parse_int(width, 320, 7680, w) && parse_int(x + 1, 240, 4320, h);
}

bool ui_args_parse(int argc, char **argv, struct ui_config *out, const char **bad)
{
	memset(out, 0, sizeof *out);
	out->width = UI_DEFAULT_WIDTH;
	out->height = UI_DEFAULT_HEIGHT;
	out->idle_logout_s = UI_DEFAULT_IDLE_LOGOUT;
	out->lang = LANG_IT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = true, takes = true;

		*bad = a;
		if (strcmp(a, "--demo") == 0) {
			out->demo = true;
			takes = false;
		} else if (strcmp(a, "--fullscreen") == 0) {
			out->fullscreen = true;
			takes = false;
		} else if (strcmp(a, "--db") == 0) {
			out->db_path = v;
		} else if (strcmp(a, "--printer") == 0) {
			out->printer_uri = v;
			ok = v && printer_uri_check(v, NULL) == AG_OK;
		} else if (strcmp(a, "--script") == 0) {
			out->script_path = v;
		} else if (strcmp(a, "--screenshots") == 0) {
			out->screenshot_dir = v;
		} else if (strcmp(a, "--lang") == 0) {
			ok = v && (strcmp(v, "it") == 0 || strcmp(v, "en") == 0);
			out->lang = msg_lang_from_code(v);
		} else if (strcmp(a, "--size") == 0) {
			ok = parse_size(v, &out->width, &out->height);
		} else if (strcmp(a, "--idle-logout") == 0) {
			ok = parse_int(v, 0, 86400, &out->idle_logout_s);
		} else {
			return false;
		}
		if (takes && (!v || !ok))
			return false;
		if (takes)
			i++;
	}
	if (out->screenshot_dir && !out->script_path) {
		*bad = "--screenshots";
		return false;
	}
	*bad = NULL;
	return true;
}
