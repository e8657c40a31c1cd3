/*
 * slip.h — the convocation slip as a layout model: what is printed, line by line, in which style.
 *
 * Pure: the caller fills a slip_input of plain strings and values (from the appointment, the
 * practice and the site), slip_build lays it out for a paper width in characters and returns
 * lines of UTF-8 text with a style each, plus one QR element carrying the booking reference.
 * Every word comes from the message catalogue (Italian, with a short English line under each
 * heading). Rendering to printer bytes lives in drivers/printer/escpos.h; this file knows no
 * printer.
 */
#ifndef AGENDA_CORE_SLIP_H
#define AGENDA_CORE_SLIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/error.h"

#define SLIP_LINE_MAX                                                                              \
	260 /* bytes of UTF-8 in one printed line (64 code points of up to 4 bytes)                \
	     */
#define SLIP_LINES_MAX   96
#define SLIP_COLUMNS_MIN 24
#define SLIP_COLUMNS_MAX 64

typedef struct slip_input {
	const char *city;    /* site city, "Bologna" */
	const char *surname; /* applicant */
	const char *name;
	agenda_day birth_date;
	const char *nationality;
	const char *numero_pratica;
	const char *numero_visto;     /* may be NULL or "" when the practice has none */
	const char *questura_name;    /* "Questura di Bologna - Ufficio Immigrazione" */
	const char *questura_address; /* "Via Bovi Campeggi 13, Bologna" */
	agenda_day day;               /* appointment day and minute of day */
	int minute;
	const char *what_to_bring; /* configured text; NULL or "" gives the catalogue's default */
	bool deferred;             /* earlier days were full */
	agenda_day first_tried;    /* the first day searched, when deferred */
	const char *reference;     /* booking reference (appointment uuid), also the QR payload */
	const char *operator_id;
	int64_t printed_at;     /* epoch seconds, kept for the record */
	agenda_day printed_day; /* local day and minute of printed_at */
	int printed_minute;
	bool reprint; /* any print after the first: "DUPLICATO" */
	int columns;  /* characters per line of the paper (Font A): 48, 42 or 32 */
} slip_input;

typedef enum slip_align {
	SLIP_ALIGN_LEFT = 0,
	SLIP_ALIGN_CENTER = 1,
	SLIP_ALIGN_RIGHT = 2
} slip_align;

/* Style bits of a line. */
#define SLIP_BOLD          0x1u
#define SLIP_DOUBLE_WIDTH  0x2u
#define SLIP_DOUBLE_HEIGHT 0x4u

typedef enum slip_kind {
	SLIP_TEXT = 0, /* one line of text, already wrapped to fit */
	SLIP_RULE,     /* a horizontal rule across the paper */
	SLIP_BLANK,    /* an empty line */
	SLIP_QR        /* a QR code of text (the booking reference) */
} slip_kind;

typedef struct slip_line {
	slip_kind kind;
	unsigned style; /* SLIP_BOLD | SLIP_DOUBLE_WIDTH | SLIP_DOUBLE_HEIGHT */
	slip_align align;
	char text[SLIP_LINE_MAX];
} slip_line;

typedef struct slip {
	int columns;
	size_t count;
	slip_line lines[SLIP_LINES_MAX];
} slip;

/*
 * Lays out a slip. Every text line fits in->columns characters at its width (a double-width
 * line holds half as many); long values are wrapped at spaces. Required: city, surname, name,
 * nationality, numero_pratica, questura_name, reference, operator_id, columns within
 * SLIP_COLUMNS_MIN..MAX. AG_ERR_INVALID (with detail) when something is missing or a single
 * word cannot fit; *out is then unspecified.
 */
agenda_err slip_build(const slip_input *in, slip *out, agenda_detail *detail);

/* Width of s in Font A columns: one per code point, two for an East Asian wide character. */
size_t slip_text_width(const char *s);

/* The first line of kind SLIP_QR, or NULL. */
const slip_line *slip_find_qr(const slip *s);

#endif
