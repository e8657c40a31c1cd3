/*
 * csv.h — one RFC 4180 record at a time from a buffer in memory.
 *
 * Quoted fields may hold separators, doubled quotes and line breaks; the separator is ',' or
 * ';' (Italian spreadsheets export ';'). Pure: the caller reads the file. A field longer than
 * CSV_FIELD_MAX is reported, never cut.
 */
#ifndef AGENDA_CORE_CSV_H
#define AGENDA_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#define CSV_MAX_FIELDS 16
#define CSV_FIELD_MAX  256

enum csv_status {
	CSV_RECORD = 0, /* a record was read */
	CSV_END,        /* no more input */
	CSV_BAD_QUOTE,  /* a quote opened and never closed, or text after a closing quote */
	CSV_TOO_MANY,   /* more than CSV_MAX_FIELDS fields */
	CSV_TOO_LONG    /* a field longer than CSV_FIELD_MAX - 1 bytes */
};

struct csv_record {
	int count;
	char field[CSV_MAX_FIELDS][CSV_FIELD_MAX];
	int first_line; /* 1-based line where the record starts */
};

struct csv_cursor {
	const char *data;
	size_t len, pos;
	int line; /* 1-based line of pos */
	char sep;
};

void csv_cursor_init(struct csv_cursor *c, const char *data, size_t len, char sep);

/*
 * Reads the next record. On an error the cursor skips to the end of the offending record so the
 * caller can report it and go on. Empty lines are skipped.
 */
enum csv_status csv_next(struct csv_cursor *c, struct csv_record *rec);

/* ';' when the first line has more semicolons than commas outside quotes, else ','. */
char csv_guess_separator(const char *data, size_t len);

#endif
