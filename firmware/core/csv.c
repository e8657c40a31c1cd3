/*
 * csv.c — RFC 4180 record reader over a bounded window of a byte stream.
 *
 * The window holds the record being read from its first byte, so a record found broken can be
 * given up and reading taken back to the line after its start. A quoted field that crosses a
 * line break and then goes wrong (no closing quote before the end, text after its closing
 * quote, longer than a field may be) is taken for a stray quote: the lines it swallowed are
 * read again as records of their own.
 */
#include "core/csv.h"

#include <stdio.h>
#include <string.h>

#define AT_END  (-1) /* no more input (or the source failed: r->failed) */
#define AT_FULL (-2) /* the record fills the whole window */

long csv_read_file(void *file, char *buf, size_t size)
{
	size_t got = fread(buf, 1, size, file);

	return got == 0 && ferror(file) ? -1 : (long)got;
}

long csv_read_memory(void *memory, char *buf, size_t size)
{
	struct csv_memory *m = memory;
	size_t n = m->len - m->pos;

	if (n > size)
		n = size;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	if (n)
		memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (long)n;
}

void csv_reader_init(struct csv_reader *r, csv_read_fn read, void *source, char sep)
{
	r->read = read;
	r->source = source;
	r->sep = sep;
	r->started = r->eof = r->failed = false;
	r->line = 1;
	r->len = r->pos = r->mark = r->resume = 0;
}

enum fill { FILL_MORE, FILL_END, FILL_FULL };

/* Reads more input after buf[len), first dropping what precedes the record being read. */
static enum fill fill(struct csv_reader *r)
{
	long got;

	if (r->eof || r->failed)
		return FILL_END;
	if (r->mark > 0) {
		memmove(r->buf, r->buf + r->mark, r->len - r->mark);
		r->len -= r->mark;
		r->pos -= r->mark;
		if (r->resume)
			r->resume -= r->mark;
		r->mark = 0;
	}
	if (r->len == sizeof r->buf)
		return FILL_FULL;
	got = r->read(r->source, r->buf + r->len, sizeof r->buf - r->len);
	if (got < 0)
		r->failed = true;
	else if (got == 0)
		r->eof = true;
	else
		r->len += (size_t)got;
	return got > 0 ? FILL_MORE : FILL_END;
}

/* The byte at pos (0..255), AT_END or AT_FULL. */
static inline int peek(struct csv_reader *r)
{
	while (r->pos >= r->len) {
		enum fill f = fill(r);

		if (f != FILL_MORE)
			return f == FILL_FULL ? AT_FULL : AT_END;
	}
	return (unsigned char)r->buf[r->pos];
}

/* Skips the byte-order mark and guesses the separator from the first line. */
static void start(struct csv_reader *r)
{
	r->started = true;
	while (r->len < 3 && fill(r) == FILL_MORE)
		;
	if (r->len >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
	if (r->sep)
		return;
	/* The whole window, however the source hands it over: the guess must not depend on it. */
	while (fill(r) == FILL_MORE)
		;
	r->sep = csv_guess_separator(r->buf + r->pos, r->len - r->pos);
}

/* Consumes the line break c ('\n', '\r' or "\r\n") at pos. */
static void line_break(struct csv_reader *r, int c)
{
	r->pos++;
	if (c == '\r' && peek(r) == '\n')
		r->pos++;
	r->line++;
}

/*
 * Gives the record up: reading goes on at the physical line after the one it started on, or,
 * when the record filled the whole window (full), after the line the reader is on: taking back
 * 64 KiB at every line would make a hostile file cost the square of its size.
 */
static enum csv_status recover(struct csv_reader *r, const struct csv_record *rec,
                               enum csv_status status, bool full)
{
	if (r->resume && !full) {
		r->pos = r->resume;
		r->line = rec->first_line + 1;
	} else {
		int c;

		/* Skip to the end of the line, the window sliding along. */
		for (r->mark = r->pos; (c = peek(r)) >= 0 && c != '\n' && c != '\r';
		     r->mark = r->pos)
			r->pos++;
		if (c >= 0)
			line_break(r, c);
	}
	r->mark = r->pos;
	return r->failed ? CSV_READ_ERROR : status;
}

static enum csv_status unclosed(struct csv_reader *r, struct csv_record *rec, int quote_line,
                                bool full)
{
	rec->quote_line = quote_line;
	return recover(r, rec, CSV_UNCLOSED_QUOTE, full);
}

/* Appends c to field idx (when it is kept at all); counts every byte. */
static inline void put(struct csv_record *rec, int idx, size_t *flen, int c,
                       enum csv_status *status)
{
	if (*flen < CSV_FIELD_MAX - 1 && idx < CSV_MAX_FIELDS)
		rec->field[idx][*flen] = (char)c;
	if (++*flen == CSV_FIELD_MAX && *status == CSV_RECORD) {
		*status = CSV_TOO_LONG;
		rec->bad_field = idx;
	}
}

enum csv_status csv_next(struct csv_reader *r, struct csv_record *rec)
{
	enum csv_status status = CSV_RECORD;
	int c;

	if (!r->started)
		start(r);
	for (r->mark = r->pos; (c = peek(r)) == '\n' || c == '\r'; r->mark = r->pos)
		line_break(r, c);
	if (c < 0)
		return r->failed ? CSV_READ_ERROR : CSV_END;
	r->resume = 0;
	rec->count = 0;
	rec->first_line = r->line;
	rec->quote_line = 0;
	rec->bad_field = -1;
	for (;;) {
		int idx = rec->count;
		size_t flen = 0;

		if (c == '"') {
			int quote_line = r->line;
			bool crossed = false;

			r->pos++;
			for (;;) {
				if ((c = peek(r)) < 0)
					return unclosed(r, rec, quote_line, c == AT_FULL);
				r->pos++;
				if (c == '"') {
					if (peek(r) != '"')
						break;
					r->pos++;
				} else if (c == '\n' || (c == '\r' && peek(r) != '\n')) {
					r->line++;
					crossed = true;
					if (!r->resume)
						r->resume = r->pos;
				}
				put(rec, idx, &flen, c, &status);
				/* Longer than any field and across lines: a quote left open. */
				if (crossed && flen >= CSV_FIELD_MAX)
					return unclosed(r, rec, quote_line, false);
			}
			c = peek(r);
			if (c >= 0 && c != r->sep && c != '\n' && c != '\r')
				return crossed ? unclosed(r, rec, quote_line, false)
				               : recover(r, rec, CSV_TEXT_AFTER_QUOTE, false);
		} else {
			while (c >= 0 && c != r->sep && c != '\n' && c != '\r') {
				put(rec, idx, &flen, c, &status);
				r->pos++;
				c = peek(r);
			}
		}
		if (c == AT_FULL) /* only a record already too long or too wide gets here */
			return recover(r, rec, status, true);
		if (idx < CSV_MAX_FIELDS) {
			if (flen > CSV_FIELD_MAX - 1)
				flen = CSV_FIELD_MAX - 1;
			rec->field[idx][flen] = '\0';
			rec->len[idx] = (int)flen;
		}
		if (++rec->count > CSV_MAX_FIELDS && status == CSV_RECORD)
			status = CSV_TOO_MANY;
		if (c != r->sep)
			break;
		r->pos++;
		c = peek(r);
	}
	if (c >= 0)
		line_break(r, c);
	return r->failed ? CSV_READ_ERROR : status;
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
