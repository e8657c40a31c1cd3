/*
 * fuzz_csv.c — libFuzzer target for the streaming RFC 4180 reader (core/csv.h).
 *
 * Reads every record of arbitrary bytes with both separators and with the guessed one, each
 * time twice: handed over all at once and in small chunks (1..8 bytes, chosen by the input), so
 * every record and field crosses a buffer refill somewhere. Checks what the header promises:
 * both readings give the same records (hashed: status, lines, fields byte for byte); the reader
 * ends; records start on strictly increasing lines, never past the last physical line (so no
 * line is reported twice); a record never keeps more than CSV_MAX_FIELDS fields nor a field
 * longer than CSV_FIELD_MAX - 1 bytes (a longer one is reported, never cut); len[] is the
 * field's length with any NUL inside it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

static struct csv_reader reader;
static struct csv_record rec;

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* Physical lines: "\n", "\r\n" and a lone "\r" each end one. */
static int physical_lines(const char *data, size_t len)
{
	int lines = 1;

	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == len || data[i + 1] != '\n')))
			lines++;
	return lines;
}

static uint64_t read_all(const char *data, size_t len, char sep, size_t chunk)
{
	struct csv_memory m = {data, len, 0, chunk};
	int last_line = 0, lines = physical_lines(data, len), records = 0;
	uint64_t h = 0xcbf29ce484222325ull;
	enum csv_status st;

	csv_reader_init(&reader, csv_read_memory, &m, sep);
	while ((st = csv_next(&reader, &rec)) != CSV_END) {
		int kept = rec.count < CSV_MAX_FIELDS ? rec.count : CSV_MAX_FIELDS;

		if (st == CSV_READ_ERROR || ++records > lines)
			abort(); /* memory never fails; more records than lines: no progress */
		if (rec.first_line <= last_line || rec.first_line > lines)
			abort(); /* a line named twice, or one that does not exist */
		last_line = rec.first_line;
		if (reader.sep != ',' && reader.sep != ';')
			abort();
		/* A record read to its end has a field at least (a quote problem may stop at 0). */
		if ((st == CSV_RECORD || st == CSV_TOO_MANY || st == CSV_TOO_LONG) && rec.count < 1)
			abort();
		if (st == CSV_RECORD && rec.count > CSV_MAX_FIELDS)
			abort();
		if (st == CSV_TOO_MANY && rec.count <= CSV_MAX_FIELDS)
			abort();
		if (st == CSV_TOO_LONG && (rec.bad_field < 0 || rec.bad_field >= rec.count))
			abort();
		if (st == CSV_UNCLOSED_QUOTE &&
		    (rec.quote_line < rec.first_line || rec.quote_line > lines))
			abort();
		h = mix(h, &st, sizeof st);
		h = mix(h, &rec.first_line, sizeof rec.first_line);
		h = mix(h, &rec.count, sizeof rec.count);
		h = mix(h, &rec.quote_line, sizeof rec.quote_line);
		h = mix(h, &rec.bad_field, sizeof rec.bad_field);
		for (int i = 0; i < kept && st == CSV_RECORD; i++) {
			if (rec.len[i] < 0 || rec.len[i] > CSV_FIELD_MAX - 1 ||
			    rec.field[i][rec.len[i]] != '\0' ||
			    strlen(rec.field[i]) > (size_t)rec.len[i])
				abort();
			h = mix(h, rec.field[i], (size_t)rec.len[i] + 1);
		}
	}
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so reading one byte past the input is caught by ASan. */
	char *copy = malloc(size ? size : 1);
	size_t chunk = size ? 1 + data[0] % 8 : 1;
	char sep;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	sep = csv_guess_separator(copy, size);
	if (sep != ',' && sep != ';')
		abort();
	for (int s = 0; s < 3; s++) {
		char with = s == 0 ? ',' : s == 1 ? ';' : 0;

		if (read_all(copy, size, with, 0) != read_all(copy, size, with, chunk))
			abort(); /* the records depend on how the input was handed over */
	}
	free(copy);
	return 0;
}
