/*
 * escpos_decode.h — the other half of the encoder: reads an ESC/POS stream the way a receipt
 * printer does and produces the page it would print, as a bitmap (to PNG) and as text (CP858
 * decoded to UTF-8). The virtual printer (printer_virtual.c) is built on it; it also serves the
 * on-screen preview and the tests.
 *
 * Understood: ESC @, ESC t, ESC E, ESC a, ESC d, GS !, LF, CR, DLE EOT, GS V, GS v 0 and the QR
 * functions of GS ( k. Anything else is skipped and counted. Text is drawn with DejaVu Sans
 * Mono in a 12x24-dot cell like Font A ($AGENDA_PRINTER_FONT overrides the regular face); when no
 * font can be loaded glyphs are drawn as boxes, the text output is unaffected.
 */
#ifndef AGENDA_DRIVERS_ESCPOS_DECODE_H
#define AGENDA_DRIVERS_ESCPOS_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/*
 * The bitmap is kept by rows, and only rows with ink exist: row[y] is NULL for white paper,
 * else (width + 7) / 8 bytes, most significant bit first, 1 = black (the layout of ESC/POS
 * raster images and of a 1-bit PNG, inverted). Feeding paper costs no memory; a page of text
 * costs what its ink covers.
 */
typedef struct escpos_page {
	int width;           /* dots */
	int height;          /* dots used so far */
	unsigned char **row; /* row_count entries, each NULL or one row as above; owned */
	int row_count;       /* entries of row; rows from row_count up to height are white */
	char *text;          /* UTF-8, one line per printed line; owned, NUL-terminated */
	size_t text_len, text_cap;
	bool cut;     /* the page ended with GS V */
	int unknown;  /* bytes of commands not understood */
	int qr_count; /* native QR symbols printed; text shows "[QR] data" */
} escpos_page;

/*
 * Decodes data from its start up to and including the first cut (GS V), or to the end.
 * *consumed is the number of bytes used. A command cut short by the end of data is left
 * unconsumed when no cut came (the caller may be waiting for more bytes).
 */
agenda_err escpos_decode_page(const unsigned char *data, size_t len, int dots_per_line,
                              escpos_page *page, size_t *consumed);

/* Writes the page as a 1-bit grayscale PNG with a white margin. */
agenda_err escpos_page_write_png(const escpos_page *page, const char *path);

/* Writes the page's text. */
agenda_err escpos_page_write_text(const escpos_page *page, const char *path);

void escpos_page_free(escpos_page *page);

#endif
