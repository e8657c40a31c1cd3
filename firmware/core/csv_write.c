/*
 * csv_write.c — RFC 4180 fields into a buffer that doubles as it fills.
 */
#include "core/csv_write.h"

#include <stdlib.h>
#include <string.h>

static void append(struct csv_writer *w, const char *bytes, size_t n)
{
	if (w->failed)
		return;
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		char *grown;

		while (w->len + n + 1 > cap)
			cap *= 2;
		if (!(grown = realloc(w->buf, cap))) {
			w->failed = true;
			return;
		}
		w->buf = grown;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, bytes, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

void csv_write_init(struct csv_writer *w, char separator, bool bom)
{
	memset(w, 0, sizeof *w);
	w->separator = separator;
	if (bom)
		append(w, "\xEF\xBB\xBF", 3);
	else
		append(w, "", 0); /* an empty text is "" rather than NULL */
}

void csv_write_field(struct csv_writer *w, const char *text)
{
	const char specials[] = {w->separator, '"', '\r', '\n', '\0'};
	const char *p;

	if (w->record_open)
		append(w, &w->separator, 1);
	w->record_open = true;
	if (!text || !text[0])
		return;
	if (!strpbrk(text, specials)) {
		append(w, text, strlen(text));
		return;
	}
	append(w, "\"", 1);
	for (p = text; *p; p++) {
		if (*p == '"')
			append(w, "\"", 1);
		append(w, p, 1);
	}
	append(w, "\"", 1);
}

void csv_write_end_record(struct csv_writer *w)
{
	append(w, "\r\n", 2);
	w->record_open = false;
}

char *csv_write_finish(struct csv_writer *w, size_t *len)
{
	char *out = w->failed ? NULL : w->buf;

	if (!out)
		free(w->buf);
	if (len)
		*len = out ? w->len : 0;
	memset(w, 0, sizeof *w);
	return out;
}
