/*
 * text_raster.h — one line of slip text drawn as dots, for the lines the printer's code page
 * cannot hold (Arabic, Chinese, Vietnamese, Romanian ş...): the encoder sends it as a GS v 0
 * image instead of letting CP858 turn letters into '?' or strip their accents.
 *
 * The line is split into runs by direction (libfribidi, Unicode bidi algorithm) and by font,
 * each run shaped with HarfBuzz (Arabic joins, right to left) and drawn with FreeType in the
 * Font A geometry: 24 dots high (48 double height) with a 6-dot gap, 12 dots per Latin character
 * (24 double width). Fonts, first that has the character wins: DejaVu Sans Mono (Font A's
 * look), DejaVu Sans (Arabic; it comes first for Arabic letters), Droid Sans Fallback (CJK).
 * A character no font has is drawn as an empty box and counted, so the caller can warn.
 * Not thread-safe: one text_raster per thread (the encoder makes one per slip).
 */
#ifndef AGENDA_DRIVERS_TEXT_RASTER_H
#define AGENDA_DRIVERS_TEXT_RASTER_H

#include "core/error.h"
#include "core/slip.h"

#define TEXT_RASTER_CELL_W 12 /* dots per Latin character, as Font A */
#define TEXT_RASTER_CELL_H 24
#define TEXT_RASTER_GAP    6 /* white dots under a line, as the printer's line spacing */

typedef struct text_raster text_raster;

typedef struct text_raster_image {
	int width_bytes;     /* dots_per_line rounded up to whole bytes */
	int height;          /* dots: 30, or 54 for double height */
	unsigned char *bits; /* rows of width_bytes, MSB leftmost, 1 = black; owned, free() */
	int missing;         /* characters no font has, drawn as empty boxes */
	bool squeezed;       /* wider than the paper: narrowed to fit, nothing cut */
} text_raster_image;

/*
 * A renderer with its fonts (loaded on first use). NULL when out of memory. Font files that
 * cannot be read are skipped; with none at all every character counts as missing.
 * $AGENDA_PRINTER_RASTER_FONTS (paths separated by ':') replaces the chain, for tests.
 */
text_raster *text_raster_new(void);
void text_raster_free(text_raster *tr);

/*
 * Draws utf8 in style (SLIP_BOLD, SLIP_DOUBLE_WIDTH, SLIP_DOUBLE_HEIGHT) aligned on a line of
 * dots_per_line dots. The whole line is always drawn: one wider than the paper is narrowed.
 * AG_ERR_NOMEM, or AG_ERR_INVALID for a width outside 8..4096; *out is then empty.
 */
agenda_err text_raster_line(text_raster *tr, const char *utf8, unsigned style, slip_align align,
                            int dots_per_line, text_raster_image *out);

void text_raster_image_free(text_raster_image *img);

#endif
