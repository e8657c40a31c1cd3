/*
 * fuzz_script.c — libFuzzer target for the kiosk's test-script reader (ui/script.h,
 * ui_script_parse_line).
 *
 * Every line is parsed from an exact-size copy (reading past len is caught by ASan). Checks what
 * the header promises: a malformed line is refused with a message; an accepted one has a known
 * op, taps inside 0..1, sleeps inside 0..UI_SCRIPT_SLEEP_MAX, a NUL-terminated text, and a
 * screenshot name without "..".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ui_script_cmd cmd;
	char err[UI_SCRIPT_ERROR_MAX];
	char *line = malloc(size ? size : 1);

	if (!line)
		return 0;
	memcpy(line, data, size);
	memset(&cmd, 0, sizeof cmd);
	err[0] = 0;
	if (!ui_script_parse_line(line, size, &cmd, err, sizeof err)) {
		if (!err[0] || !memchr(err, 0, sizeof err))
			abort(); /* refused without a message */
	} else {
		if (cmd.op > UI_SCRIPT_QUIT || !memchr(cmd.text, 0, sizeof cmd.text))
			abort();
		if (cmd.op == UI_SCRIPT_TAP &&
		    !(cmd.x >= 0 && cmd.x <= 1 && cmd.y >= 0 && cmd.y <= 1))
			abort();
		if (cmd.op == UI_SCRIPT_SLEEP && (cmd.ms < 0 || cmd.ms > UI_SCRIPT_SLEEP_MAX))
			abort();
		if (cmd.op == UI_SCRIPT_SCREENSHOT && strstr(cmd.text, ".."))
			abort();
	}
	free(line);
	return 0;
}
