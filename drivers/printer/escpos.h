/*
 * escpos.h — the ESC/POS encoder: printer commands appended to a growing byte buffer, and the
 * rendering of a slip layout (core/slip.h) into the bytes a printer profile understands.
 *
 * Command bytes follow Epson's ESC/POS reference (golden tests in tests/unit/escpos_test.c).
 * Text is given as UTF-8 and written in CP858 (ESC t 19), or drawn as an image when CP858
 * cannot hold it (escpos_render_slip). A buffer that failed to grow stays
 * failed: commands become no-ops and escpos_buf_error reports AG_ERR_NOMEM once at the end.
 */
#ifndef AGENDA_DRIVERS_ESCPOS_H
#define AGENDA_DRIVERS_ESCPOS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/slip.h"
#include "printer/profile.h"

typedef struct escpos_buf {
	unsigned char *data; /* owned; free with escpos_buf_free */
	size_t len;
	size_t cap;
	bool failed;
} escpos_buf;

#define ESC 0x1B
#define GS  0x1D
#define DLE 0x10
#define EOT 0x04
#define LF  0x0A

void escpos_buf_init(escpos_buf *b);
void escpos_buf_free(escpos_buf *b);
void escpos_buf_reset(escpos_buf *b); /* len = 0, memory kept */
agenda_err escpos_buf_error(const escpos_buf *b);
void escpos_bytes(escpos_buf *b, const void *data, size_t len);

void escpos_init(escpos_buf *b);                    /* ESC @ */
void escpos_code_page(escpos_buf *b, int n);        /* ESC t n (19 = PC858) */
void escpos_bold(escpos_buf *b, bool on);           /* ESC E n */
void escpos_size(escpos_buf *b, bool dw, bool dh);  /* GS ! n */
void escpos_align(escpos_buf *b, slip_align align); /* ESC a n */
void escpos_text(escpos_buf *b, const char *utf8);  /* CP858 bytes, no line feed */
void escpos_line_feed(escpos_buf *b);               /* LF */
void escpos_feed_lines(escpos_buf *b, int n);       /* ESC d n */
void escpos_cut(escpos_buf *b, int feed);           /* GS V 66 n: feed n and partial cut */
void escpos_status_request(escpos_buf *b, int n);   /* DLE EOT n (1, 2, 3 or 4) */

/*
 * GS ( k QR Code, model 2: module size (1..16 dots), error correction 'L','M','Q','H', store
 * the data, print it. AG_ERR_INVALID when data is empty or longer than 7089 bytes.
 */
agenda_err escpos_qr_native(escpos_buf *b, const char *data, int module, char ecc);

/*
 * GS v 0 raster image, normal density: width_bytes * 8 dots wide, height dots high, rows of
 * width_bytes bytes, most significant bit leftmost, 1 = black.
 */
void escpos_raster(escpos_buf *b, int width_bytes, int height, const unsigned char *bits);

/* The QR code of data drawn by libqrencode (level M) as a GS v 0 image, centred on the line. */
agenda_err escpos_qr_raster(escpos_buf *b, const char *data, int module, int dots_per_line);

/*
 * Appends a whole slip: init, code page, each line in its style, the QR (native or raster per
 * profile), feed and cut. The slip should have been built for profile->columns.
 * A text line CP858 cannot print exactly (cp858_prints_exactly: Arabic, Chinese, Vietnamese,
 * letters it would strip of their accent) is sent as a GS v 0 image of the line drawn by
 * text_raster.h, in the line's style and with the height of a text line: no letter becomes '?'.
 * A slip whose lines CP858 holds is byte for byte what it was before images existed.
 */
agenda_err escpos_render_slip(const slip *s, const printer_profile *profile, escpos_buf *out);

typedef struct escpos_slip_report {
	int raster_lines; /* text lines sent as images */
	int missing;      /* characters no font has: printed as empty boxes; the caller warns */
	int squeezed;     /* image lines narrowed to fit the paper (nothing cut) */
} escpos_slip_report;

/* escpos_render_slip, also saying what was drawn as images and what could not be drawn. */
agenda_err escpos_render_slip_report(const slip *s, const printer_profile *profile, escpos_buf *out,
                                     escpos_slip_report *report);

#endif
