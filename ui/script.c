/*
 * script.c — parser of the test-mode scripts (script.h). Pure and bounded: every read is
 * checked against len, numbers are parsed from a bounded copy, nothing is allocated per line.
 */
#include "script.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_MAX 32

static const struct {
	const char *name;
	enum ui_script_op op;
	int args; /* 0 none, 1 one word, 2 two numbers, 3 rest of line */
} COMMANDS[] = {
        {"tap", UI_SCRIPT_TAP, 2},
        {"tap_button", UI_SCRIPT_TAP_BUTTON, 1},
        {"type", UI_SCRIPT_TYPE, 3},
        {"key", UI_SCRIPT_KEY, 1},
        {"wait_idle", UI_SCRIPT_WAIT_IDLE, 0},
        {"screenshot", UI_SCRIPT_SCREENSHOT, 1},
        {"expect_screen", UI_SCRIPT_EXPECT_SCREEN, 1},
        {"sleep", UI_SCRIPT_SLEEP, 1},
        {"printer_fault", UI_SCRIPT_PRINTER_FAULT, 1},
        {"wait_for_file", UI_SCRIPT_WAIT_FOR_FILE, 1},
        {"check_layout", UI_SCRIPT_CHECK_LAYOUT, 0},
        {"print_wait", UI_SCRIPT_PRINT_WAIT, 1},
        {"screenshot_now", UI_SCRIPT_SCREENSHOT_NOW, 1},
        {"quit", UI_SCRIPT_QUIT, 0},
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Bytes allowed in a word argument: ids like "key:a", "row:3", names like "paper_out". */
static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ':' || c == '/';
}

/* Copies the next whitespace-separated token of [*p, end) into out; false when too long. */
static bool next_token(const char **p, const char *end, char *out, size_t size)
{
	size_t n = 0;

	while (*p < end && is_space(**p))
		(*p)++;
	while (*p < end && !is_space(**p)) {
		if (n + 1 >= size)
			return false;
		out[n++] = **p;
		(*p)++;
	}
	out[n] = '\0';
	return true;
}

static bool parse_fraction(const char *word, double *out)
{
	char *end;

	if (!word[0])
		return false;
	errno = 0;
	*out = strtod(word, &end);
	return errno == 0 && *end == '\0' && isfinite(*out) && *out >= 0.0 && *out <= 1.0;
}

static bool fail(char *err, size_t size, const char *what, const char *word)
{
	snprintf(err, size, "%s%s%s%s", what, word ? " '" : "", word ? word : "", word ? "'" : "");
	return false;
}

static bool parse_word_arg(struct ui_script_cmd *out, const char *word, char *err, size_t size)
{
	for (const char *c = word; *c; c++)
		if (!word_char(*c))
			return fail(err, size, "character not allowed in", word);
	if (!word[0])
		return fail(err, size, "missing argument", NULL);
	if ((out->op == UI_SCRIPT_SCREENSHOT || out->op == UI_SCRIPT_SCREENSHOT_NOW) &&
	    (strchr(word, '/') || strstr(word, "..")))
		return fail(err, size, "screenshot names have no '/' or '..':", word);
	if (out->op == UI_SCRIPT_SLEEP) {
		char *end;
		long ms;

		errno = 0;
		ms = strtol(word, &end, 10);
		if (errno || *end || ms < 0 || ms > UI_SCRIPT_SLEEP_MAX)
			return fail(err, size, "sleep wants milliseconds 0..60000, not", word);
		out->ms = (int)ms;
	}
	if (out->op == UI_SCRIPT_PRINT_WAIT && strcmp(word, "on") != 0 && strcmp(word, "off") != 0)
		return fail(err, size, "print_wait wants on or off, not", word);
	snprintf(out->text, sizeof out->text, "%s", word);
	return true;
}

bool ui_script_parse_line(const char *line, size_t len, struct ui_script_cmd *out, char *err,
                          size_t err_size)
{
	const char *p = line, *end = line + len;
	char name[WORD_MAX], word[UI_SCRIPT_TEXT_MAX], extra[4];
	size_t i;

	memset(out, 0, sizeof *out);
	if (len > 0 && line[len - 1] == '\r')
		end--;
	if (memchr(line, '\0', (size_t)(end - line)))
		return fail(err, err_size, "NUL byte in line", NULL);
	while (p < end && is_space(*p))
		p++;
	if (p == end || *p == '#')
		return true; /* UI_SCRIPT_NOTHING */
	if (!next_token(&p, end, name, sizeof name))
		return fail(err, err_size, "unknown command", NULL);
	for (i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
		if (strcmp(COMMANDS[i].name, name) == 0)
			break;
	if (i == sizeof COMMANDS / sizeof COMMANDS[0])
		return fail(err, err_size, "unknown command", name);
	out->op = COMMANDS[i].op;
	switch (COMMANDS[i].args) {
	case 0:
		break;
	case 1:
		if (!next_token(&p, end, word, sizeof word))
			return fail(err, err_size, "argument too long", NULL);
		if (!parse_word_arg(out, word, err, err_size))
			return false;
		break;
	case 2: {
		char x[WORD_MAX], y[WORD_MAX];

		if (!next_token(&p, end, x, sizeof x) || !next_token(&p, end, y, sizeof y) ||
		    !parse_fraction(x, &out->x) || !parse_fraction(y, &out->y))
			return fail(err, err_size, "tap wants two fractions 0..1: tap 0.5 0.4",
			            NULL);
		break;
	}
	case 3: {
		size_t n;

		if (p < end && is_space(*p))
			p++; /* exactly one separator: the text may start with spaces */
		n = (size_t)(end - p);
		if (n == 0)
			return fail(err, err_size, "type wants text", NULL);
		if (n >= sizeof out->text)
			return fail(err, err_size, "text too long", NULL);
		for (size_t k = 0; k < n; k++)
			if ((unsigned char)p[k] < 0x20 || p[k] == 0x7f)
				return fail(err, err_size, "control character in text", NULL);
		memcpy(out->text, p, n);
		out->text[n] = '\0';
		return true;
	}
	}
	if (!next_token(&p, end, extra, sizeof extra) || extra[0])
		return fail(err, err_size, "unexpected text after the arguments of", name);
	return true;
}

bool ui_script_parse(const char *text, size_t len, struct ui_script *out, char *err,
                     size_t err_size)
{
	size_t start = 0, cap = 0;
	int line = 0;

	memset(out, 0, sizeof *out);
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct ui_script_cmd cmd;
		char why[UI_SCRIPT_ERROR_MAX];

		line++;
		if (!ui_script_parse_line(text + start, end - start, &cmd, why, sizeof why)) {
			snprintf(err, err_size, "line %d: %s", line, why);
			ui_script_free(out);
			return false;
		}
		start = end + 1;
		if (cmd.op == UI_SCRIPT_NOTHING)
			continue;
		cmd.line = line;
		if (out->count == cap) {
			size_t grown = cap ? cap * 2 : 32;
			struct ui_script_cmd *cmds = realloc(out->cmds, grown * sizeof *cmds);

			if (!cmds) {
				snprintf(err, err_size, "line %d: out of memory", line);
				ui_script_free(out);
				return false;
			}
			out->cmds = cmds;
			cap = grown;
		}
		out->cmds[out->count++] = cmd;
	}
	return true;
}

void ui_script_free(struct ui_script *s)
{
	free(s->cmds);
	s->cmds = NULL;
	s->count = 0;
}
