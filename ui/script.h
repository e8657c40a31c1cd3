/*
 * script.h — the test-mode script language, parsed by pure functions (no SDL, no I/O).
 *
 * One command a line; blank lines and lines starting with '#' are ignored:
 *   tap X Y             a finger tap at fractions of the window (0..1), e.g. tap 0.5 0.4
 *   tap_button ID       a tap at the centre of the widget with that id (login, key:a, row:0)
 *   type TEXT           the rest of the line as typed text (physical keyboard, scanner)
 *   key NAME            one key by SDL name: Return, Tab, Backspace, Escape
 *   wait_idle           wait until no request and no print job is in flight (as every
 *                       command does, unless print_wait is off)
 *   screenshot NAME     write DIR/NAME.png of the next frame ([A-Za-z0-9_.-], no "..")
 *   expect_screen NAME  fail unless the current screen is NAME (login, ricerca, scheda...)
 *   sleep MS            wait MS milliseconds (0..60000)
 *   printer_fault NAME  make the virtual printer fail writes with a fault (none, paper_out...)
 *   wait_for_file PATH  wait until PATH exists (up to UI_SCRIPT_FILE_WAIT_MS): the test's
 *                       signal that it changed the world outside (e.g. filled or freed a disk)
 *   check_layout        fail unless every touch target of the frame on screen is at least
 *                       UI_TOUCH_MIN px high, inside the window, not overlapping another one and
 *                       wide enough for its label (the offending ids are named)
 *   print_wait on|off   whether the next commands wait for the print job too (on, the
 *                       default) or only for the worker (off: taps while a slip is printing)
 *   quit                stop here with success
 * Issue 5 fuzzes ui_script_parse_line: it must reject every malformed line with a message and
 * never read past len.
 */
#ifndef AGENDA_UI_SCRIPT_H
#define AGENDA_UI_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#define UI_SCRIPT_TEXT_MAX     128
#define UI_SCRIPT_ERROR_MAX    160
#define UI_SCRIPT_SLEEP_MAX    60000
#define UI_SCRIPT_FILE_WAIT_MS 60000

enum ui_script_op {
	UI_SCRIPT_NOTHING = 0, /* blank line or comment */
	UI_SCRIPT_TAP,
	UI_SCRIPT_TAP_BUTTON,
	UI_SCRIPT_TYPE,
	UI_SCRIPT_KEY,
	UI_SCRIPT_WAIT_IDLE,
	UI_SCRIPT_SCREENSHOT,
	UI_SCRIPT_EXPECT_SCREEN,
	UI_SCRIPT_SLEEP,
	UI_SCRIPT_PRINTER_FAULT,
	UI_SCRIPT_WAIT_FOR_FILE,
	UI_SCRIPT_CHECK_LAYOUT,
	UI_SCRIPT_PRINT_WAIT,
	UI_SCRIPT_SCREENSHOT_NOW, /* a screenshot without waiting for idle (the busy band) */
	UI_SCRIPT_QUIT            /* stays last: the fuzz target checks op <= UI_SCRIPT_QUIT */
};

struct ui_script_cmd {
	enum ui_script_op op;
	double x, y;                   /* tap */
	int ms;                        /* sleep */
	char text[UI_SCRIPT_TEXT_MAX]; /* id, text, key, name */
	int line;                      /* 1-based, set by ui_script_parse */
};

/*
 * Parses one line of len bytes (no newline; a trailing '\r' is allowed). True and *out on
 * success; false with a message in err otherwise.
 */
bool ui_script_parse_line(const char *line, size_t len, struct ui_script_cmd *out, char *err,
                          size_t err_size);

struct ui_script {
	struct ui_script_cmd *cmds; /* malloc'd */
	size_t count;
};

/*
 * Parses a whole script; comments and blank lines are dropped. False with "line N: message"
 * in err at the first bad line (nothing is kept then). Free with ui_script_free.
 */
bool ui_script_parse(const char *text, size_t len, struct ui_script *out, char *err,
                     size_t err_size);
void ui_script_free(struct ui_script *s);

#endif
