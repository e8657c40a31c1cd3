/*
 * csv.c — RFC 4180 record reader over a memory buffer.
 */
#include "core/csv.h"

#include <string.h>

void csv_cursor_init(struct csv_cursor *c, const char *data, size_t len, char sep)
{
	c->data = data;
	c->len = len;
	c->pos = 0;
	c->line = 1;
	c->sep = sep;
	/* A UTF-8 byte-order mark, as spreadsheets write, is not part of the first field. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		c->pos = 3;
}

/* Moves past the rest of the current physical line (after an error). */
static void skip_line(struct csv_cursor *c)
{
	while (c->pos < c->len && c->data[c->pos] != '\n')
		c->pos++;
	if (c->pos < c->len) {
		c->pos++;
		c->line++;
	}
}

enum csv_status csv_next(struct csv_cursor *c, struct csv_record *rec)
{
	size_t flen = 0;
	bool quoted = false, after_quote = false;

	/* Skip blank lines (CRLF or LF). */
	while (c->pos < c->len && (c->data[c->pos] == '\n' || c->data[c->pos] == '\r')) {
		if (c->data[c->pos] == '\n')
			c->line++;
		c->pos++;
	}
	if (c->pos >= c->len)
		return CSV_END;
	rec->count = 0;
	rec->first_line = c->line;
	rec->field[0][0] = '\0';

	while (c->pos <= c->len) {
		char ch = c->pos < c->len ? c->data[c->pos] : '\n';
		bool at_end = c->pos >= c->len;

		if (quoted) {
			if (at_end)
				return CSV_BAD_QUOTE;
			c->pos++;
			if (ch == '"') {
				if (c->pos < c->len && c->data[c->pos] == '"') {
					c->pos++;
				} else {
					quoted = false;
					after_quote = true;
					continue;
				}
			}
			if (ch == '\n')
				c->line++;
		} else if (ch == '"' && flen == 0 && !after_quote) {
			quoted = true;
			c->pos++;
			continue;
		} else if (ch == c->sep || ch == '\n' || ch == '\r') {
			rec->field[rec->count][flen] = '\0';
			rec->count++;
			flen = 0;
			after_quote = false;
			if (!at_end)
				c->pos++;
			if (ch == '\r' && c->pos < c->len && c->data[c->pos] == '\n')
				c->pos++, ch = '\n';
			if (ch != c->sep) {
				if (!at_end)
					c->line++;
				return CSV_RECORD;
			}
			if (rec->count == CSV_MAX_FIELDS) {
				skip_line(c);
				return CSV_TOO_MANY;
			}
			continue;
		} else if (after_quote) {
			skip_line(c);
			return CSV_BAD_QUOTE;
		} else {
			c->pos++;
		}
		if (flen + 1 >= CSV_FIELD_MAX) {
			skip_line(c);
			return CSV_TOO_LONG;
		}
		rec->field[rec->count][flen++] = ch;
	}
	return CSV_END;
}

char csv_guess_separator(const char *data, size_t len)
{
	int commas = 0, semis = 0;
	bool quoted = false;

	for (size_t i = 0; i < len && (quoted || data[i] != '\n'); i++) {
		if (data[i] == '"')
			quoted = !quoted;
		else if (!quoted && data[i] == ',')
			commas++;
		else if (!quoted && data[i] == ';')
			semis++;
	}
	return semis > commas ? ';' : ',';
}
