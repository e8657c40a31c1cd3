/*
 * csv.h — RFC 4180 records, one at a time, streamed from any byte source in bounded memory.
 *
 * Quoted fields may hold separators, doubled quotes and line breaks; the separator is ',' or
 * ';' (Italian spreadsheets export ';', guessed from the first line). The reader keeps at most
 * CSV_WINDOW bytes of input, whatever the size of the file. A field longer than
 * CSV_FIELD_MAX - 1 bytes is reported, never cut; a NUL byte is kept (len[] counts it) so the
 * caller can refuse it. Every physical line belongs to exactly one record or is blank: a record
 * that cannot be read (unclosed quote, text after a closing quote) is reported with the line
 * where it started and reading resumes on the next physical line after that one, so the lines a
 * stray quote would have swallowed are read as records of their own. A record that fills the
 * whole window is given up after the line the reader reached. Pure: no I/O of its own.
 */
#ifndef AGENDA_CORE_CSV_H
#define AGENDA_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#define CSV_MAX_FIELDS 16
#define CSV_FIELD_MAX  256
/* Input kept in memory: the longest record that can be taken back (far above any valid one). */
#define CSV_WINDOW (64 * 1024)

enum csv_status {
	CSV_RECORD = 0,       /* a record was read */
	CSV_END,              /* no more input */
	CSV_UNCLOSED_QUOTE,   /* a quote never closed (quote_line: where it opened) */
	CSV_TEXT_AFTER_QUOTE, /* text between a closing quote and the next separator */
	CSV_TOO_MANY,         /* more than CSV_MAX_FIELDS fields (count: how many) */
	CSV_TOO_LONG,         /* field bad_field is longer than CSV_FIELD_MAX - 1 bytes */
	CSV_READ_ERROR        /* the source failed */
};

struct csv_record {
	int count; /* fields read (all of them, even past CSV_MAX_FIELDS, unless a quote stopped it)
	            */
	int first_line;          /* 1-based physical line where the record starts */
	int quote_line;          /* CSV_UNCLOSED_QUOTE: line of the opening quote */
	int bad_field;           /* CSV_TOO_LONG: 0-based index of the first field too long */
	int len[CSV_MAX_FIELDS]; /* bytes in each field; more than strlen() when it holds a NUL */
	char field[CSV_MAX_FIELDS][CSV_FIELD_MAX];
};

/* Fills buf with up to size bytes: how many (0 at the end), or -1 when the source failed. */
typedef long (*csv_read_fn)(void *source, char *buf, size_t size);

/* A source over a stdio stream (source: the FILE *). */
long csv_read_file(void *file, char *buf, size_t size);

/* A source over bytes in memory (source: a struct csv_memory). */
struct csv_memory {
	const char *data;
	size_t len, pos;
	size_t chunk; /* most bytes handed over per call (0: all there are); for tests */
};
long csv_read_memory(void *memory, char *buf, size_t size);

struct csv_reader {
	csv_read_fn read;
	void *source;
	char sep;         /* ',' or ';'; 0 until guessed from the first line */
	bool started;     /* byte-order mark and separator dealt with */
	bool eof, failed; /* the source said end / error */
	int line;         /* 1-based physical line of buf[pos] */
	size_t len, pos;  /* bytes held, next byte to read */
	size_t mark;      /* start of the record being read: kept in the buffer */
	size_t resume;    /* just after the record's first line break (0: none yet) */
	char buf[CSV_WINDOW];
};

/*
 * Prepares r to read from source through read; sep is ',' or ';', or 0 to guess it from the
 * first line. A UTF-8 byte-order mark at the start is skipped. r is large (CSV_WINDOW): put it
 * on the heap or in static storage.
 */
void csv_reader_init(struct csv_reader *r, csv_read_fn read, void *source, char sep);

/* Reads the next record; blank lines are skipped. After an error, the next call goes on. */
enum csv_status csv_next(struct csv_reader *r, struct csv_record *rec);

/* ';' when the first line has more semicolons than commas outside quotes, else ','. */
char csv_guess_separator(const char *data, size_t len);

#endif
