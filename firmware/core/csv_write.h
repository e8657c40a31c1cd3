/*
 * csv_write.h — writing RFC 4180 records into a growing buffer (the reading side is csv.h).
 *
 * A field is quoted when it holds the separator, a quote or a line break; a quote inside is
 * doubled. Records end with CRLF. The text may start with the UTF-8 byte order mark, which
 * spreadsheets need to read accents right. Out of memory is remembered and reported once, by
 * csv_write_finish. Pure: no I/O.
 */
#ifndef AGENDA_CORE_CSV_WRITE_H
#define AGENDA_CORE_CSV_WRITE_H

#include <stdbool.h>
#include <stddef.h>

struct csv_writer {
	char *buf;
	size_t len, cap;
	char separator;
	bool failed;      /* an allocation failed: finish returns NULL */
	bool record_open; /* a field was written since the last end of record */
};

/* Starts an empty text; with bom, it opens with EF BB BF. */
void csv_write_init(struct csv_writer *w, char separator, bool bom);

/* Appends one field (NULL is written as an empty field). */
void csv_write_field(struct csv_writer *w, const char *text);

/* Ends the current record with CRLF. */
void csv_write_end_record(struct csv_writer *w);

/* The text, NUL-terminated and malloc'd (*len without the NUL, may be NULL); NULL after an
 * allocation failure. The writer is empty afterwards either way. */
char *csv_write_finish(struct csv_writer *w, size_t *len);

#endif
