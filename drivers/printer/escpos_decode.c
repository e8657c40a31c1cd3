/*
 * escpos_decode.c — the receipt printer in software (see escpos_decode.h): a small state
 * machine over the byte stream, a line buffer laid out on LF by the alignment in force, Font-A
 * sized cells drawn with FreeType (each glyph rendered once per process and kept as a bit
 * cell), raster images blitted, native QR codes drawn with libqrencode. Only rows with ink are
 * kept (see escpos_page); escpos_page.c writes the page out. A page is refused when it would be
 * longer than MAX_PAGE_ROWS.
 */
#include "printer/escpos_decode.h"
#include "printer/cp858.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <qrencode.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CELL_W          12
#define CELL_H          24
#define BASELINE        19
#define LINE_GAP        6
#define LINE_MAX_GLYPHS 256
#define QR_DATA_MAX     7089
/*
 * The longest page drawn: 16,384 dots, ~2 m of paper at 8 dots/mm and 7 times the longest
 * slip. Without it 601 bytes (ESC d 255, 200 times) asked for a bitmap of gigabytes, past the
 * fuzz target's 2 GB limit: such a page is refused with AG_ERR_INVALID instead.
 */
#define MAX_PAGE_ROWS (1 << 14)
#define FIRST_ROWS    64 /* a slip is ~2,000 rows: a few doublings; a one-line page stays small */
#define FONT_REGULAR  "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
#define FONT_BOLD     "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"

typedef struct glyph {
	unsigned char byte;
	bool bold;
	int sx, sy; /* magnification */
} glyph;

typedef struct decoder {
	escpos_page *page;
	bool bold;
	int sx, sy, align;
	int line_align;
	glyph line[LINE_MAX_GLYPHS];
	int line_len;
	int qr_module, qr_level;
	unsigned char qr_data[QR_DATA_MAX + 1];
	size_t qr_len;
	FT_Face face[2]; /* regular, bold; NULL when not loaded */
	bool failed;
	bool too_long; /* failed because the page passed MAX_PAGE_ROWS */
} decoder;

/* A glyph as drawn in its cell before magnification: bit c of row r is the dot at column c. */
typedef struct cell_bits {
	uint16_t row[CELL_H];
} cell_bits;

/* Checks that the page may grow to rows dots: a longer one than MAX_PAGE_ROWS is refused. */
static bool page_fits(decoder *d, int rows)
{
	if (rows <= MAX_PAGE_ROWS)
		return true;
	d->failed = d->too_long = true;
	return false;
}

/*
 * Row y of the page (0 <= y < MAX_PAGE_ROWS), made white when first inked; NULL when memory ran
 * out. The table of rows grows by doubling, so a page reaches its length in a few reallocs.
 */
static unsigned char *ink_row(decoder *d, int y)
{
	escpos_page *pg = d->page;

	if (y >= pg->row_count) {
		int count = pg->row_count ? pg->row_count : FIRST_ROWS;
		unsigned char **p;

		while (count <= y)
			count *= 2;
		p = realloc(pg->row, (size_t)count * sizeof *p);
		if (!p) {
			d->failed = true;
			return NULL;
		}
		memset(p + pg->row_count, 0, (size_t)(count - pg->row_count) * sizeof *p);
		pg->row = p;
		pg->row_count = count;
	}
	if (!pg->row[y]) {
		pg->row[y] = calloc((size_t)(pg->width + 7) / 8, 1);
		if (!pg->row[y])
			d->failed = true;
	}
	return pg->row[y];
}

/* Sets to black the dots from .. to - 1 of row: whole bytes at once where it can. */
static void set_dots(unsigned char *row, int from, int to)
{
	for (; from < to && from % 8; from++)
		row[from / 8] |= (unsigned char)(0x80 >> (from % 8));
	for (; from + 8 <= to; from += 8)
		row[from / 8] = 0xFF;
	for (; from < to; from++)
		row[from / 8] |= (unsigned char)(0x80 >> (from % 8));
}

static void text_append(decoder *d, const char *s, size_t n)
{
	escpos_page *pg = d->page;

	if (pg->text_len + n + 1 > pg->text_cap) {
		size_t cap = pg->text_cap ? pg->text_cap : 1024;
		char *p;

		while (cap < pg->text_len + n + 1)
			cap *= 2;
		p = realloc(pg->text, cap);
		if (!p) {
			d->failed = true;
			return;
		}
		pg->text = p;
		pg->text_cap = cap;
	}
	memcpy(pg->text + pg->text_len, s, n);
	pg->text_len += n;
	pg->text[pg->text_len] = '\0';
}

/* Renders the cell of byte with face (the box when there is no face or no glyph). */
static void render_cell(FT_Face face, unsigned char byte, cell_bits *out)
{
	uint32_t cp = cp858_to_unicode(byte);

	memset(out, 0, sizeof *out);
	if (cp == ' ')
		return;
	if (face && FT_Load_Char(face, cp, FT_LOAD_RENDER | FT_LOAD_TARGET_MONO) == 0) {
		FT_Bitmap *bm = &face->glyph->bitmap;
		int left = face->glyph->bitmap_left, top = BASELINE - face->glyph->bitmap_top;

		for (int r = 0; r < (int)bm->rows; r++)
			for (int c = 0; c < (int)bm->width; c++) {
				const unsigned char *row = bm->buffer + r * bm->pitch;
				int on = bm->pixel_mode == FT_PIXEL_MODE_MONO
				                 ? (row[c / 8] >> (7 - c % 8)) & 1
				                 : row[c] > 127;

				if (on && top + r >= 0 && top + r < CELL_H && left + c >= 0 &&
				    left + c < CELL_W)
					out->row[top + r] |= (uint16_t)(1u << (left + c));
			}
	} else {
		for (int i = 2; i < CELL_W - 2; i++) {
			out->row[4] |= (uint16_t)(1u << i);
			out->row[BASELINE] |= (uint16_t)(1u << i);
		}
		for (int i = 4; i <= BASELINE; i++)
			out->row[i] |= (uint16_t)(1u << 2 | 1u << (CELL_W - 3));
	}
}

/*
 * The fonts are opened once per process and kept: opening two faces for every page cost more
 * than decoding it. FreeType faces are not thread-safe, so decoding holds FONTS_LOCK (the
 * virtual printer is a test and demo device; one page at a time is plenty). The font path
 * from AGENDA_PRINTER_FONT is read at the first page.
 */
static pthread_mutex_t FONTS_LOCK = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool tried;
	FT_Library ft;
	FT_Face face[2];
	/*
	 * Rendered cells by face and byte: FreeType's hinting and rasterising took most of a page's
	 * time, and a slip uses a few dozen distinct characters. The faces never change once
	 * loaded, so a cell is rendered at most once per process.
	 */
	bool have_cell[2][256];
	cell_bits cell[2][256];
} FONTS;

/* The cell of g from the cache, rendered on first use; FONTS_LOCK is held while decoding. */
static const cell_bits *glyph_cell(decoder *d, const glyph *g)
{
	int f = g->bold && d->face[1] ? 1 : 0;

	if (!FONTS.have_cell[f][g->byte]) {
		render_cell(d->face[f], g->byte, &FONTS.cell[f][g->byte]);
		FONTS.have_cell[f][g->byte] = true;
	}
	return &FONTS.cell[f][g->byte];
}

/*
 * Sets to black the dots of bits (bit c is the dot at x + c * scale, scale dots wide) on the
 * rows y .. y + n - 1, clipped to the page and to lo .. hi - 1. The dots are laid out once in
 * a strip of whole bytes and then ORed into each row: a magnified glyph repeats each of its
 * rows sy times.
 */
static void draw_rows(decoder *d, uint32_t bits, int x, int scale, int y, int n, int lo, int hi)
{
	unsigned char strip[2 + 32 * 16 / 8]; /* 32 bits of up to 16 dots, plus two part bytes */
	int first, bytes;

	if (lo < 0)
		lo = 0;
	if (hi > d->page->width)
		hi = d->page->width;
	if (lo >= hi || hi - lo > 32 * 16)
		return;
	first = lo / 8;
	bytes = (hi - 1) / 8 - first + 1;
	memset(strip, 0, (size_t)bytes);
	for (uint32_t b = bits; b; b &= b - 1) {
		int from = x + __builtin_ctz(b) * scale, to = from + scale;

		if (from < lo)
			from = lo;
		if (to > hi)
			to = hi;
		set_dots(strip, from - first * 8, to - first * 8);
	}
	for (int k = y < 0 ? -y : 0; k < n; k++) {
		unsigned char *row = ink_row(d, y + k);

		if (!row)
			return;
		for (int i = 0; i < bytes; i++)
			row[first + i] |= strip[i];
	}
}

/*
 * Draws one cell (CELL_W x CELL_H before magnification) at x, y: each dot of the cell becomes
 * sx by sy dots; what falls outside the page is not drawn.
 */
static void draw_glyph(decoder *d, const glyph *g, int x, int y)
{
	const cell_bits *cell;

	if (x >= d->page->width || x + CELL_W * g->sx <= 0)
		return; /* wholly off the paper */
	cell = glyph_cell(d, g);
	for (int r = 0; r < CELL_H; r++)
		if (cell->row[r])
			draw_rows(d, cell->row[r], x, g->sx, y + r * g->sy, g->sy, x,
			          x + CELL_W * g->sx);
}

static int aligned_x(const decoder *d, int align, int width)
{
	int room = d->page->width - width;

	if (room <= 0)
		return 0;
	return align == 1 ? room / 2 : align == 2 ? room : 0;
}

static void flush_line(decoder *d)
{
	escpos_page *pg = d->page;
	int width = 0, height = CELL_H * d->sy, x;

	for (int i = 0; i < d->line_len; i++) {
		width += CELL_W * d->line[i].sx;
		if (CELL_H * d->line[i].sy > height)
			height = CELL_H * d->line[i].sy;
	}
	if (!page_fits(d, pg->height + height + LINE_GAP))
		return;
	x = aligned_x(d, d->line_align, width);
	for (int i = 0; i < d->line_len; i++) {
		char utf8[4];
		const glyph *g = &d->line[i];
		size_t n = cp858_byte_to_utf8(g->byte, utf8);

		draw_glyph(d, g, x, pg->height + height - CELL_H * g->sy);
		x += CELL_W * g->sx;
		text_append(d, utf8, n);
	}
	text_append(d, "\n", 1);
	pg->height += height + LINE_GAP;
	d->line_len = 0;
}

static void put_char(decoder *d, unsigned char byte)
{
	if (d->line_len == 0)
		d->line_align = d->align;
	if (d->line_len == LINE_MAX_GLYPHS)
		flush_line(d);
	d->line[d->line_len++] = (glyph){byte, d->bold, d->sx, d->sy};
}

static void blit(decoder *d, int width_bytes, int rows, const unsigned char *bits, int scale)
{
	escpos_page *pg = d->page;
	int x0 = aligned_x(d, d->align, width_bytes * 8 * scale);
	/* Source columns that land on the paper: the rest would only be clipped. */
	int cols = (pg->width - x0 + scale - 1) / scale;

	if (cols > width_bytes * 8)
		cols = width_bytes * 8;
	if (!page_fits(d, pg->height + rows * scale))
		return;
	for (int sy = 0; sy < rows; sy++) {
		const unsigned char *src = bits + (size_t)sy * (size_t)width_bytes;

		/* 8 source dots at a time (the bits of one byte, most significant first). */
		for (int byte = 0; byte * 8 < cols; byte++) {
			uint32_t b = 0;

			for (int i = 0; i < 8; i++)
				if (src[byte] & (0x80 >> i))
					b |= 1u << i;
			if (b)
				draw_rows(d, b, x0 + byte * 8 * scale, scale,
				          pg->height + sy * scale, scale, x0 + byte * 8 * scale,
				          x0 + (byte * 8 + 8 < cols ? byte * 8 + 8 : cols) * scale);
		}
	}
	pg->height += rows * scale;
}

static void print_qr(decoder *d)
{
	QRcode *qr;
	unsigned char *bits;
	int wb;
	char head[16];

	d->qr_data[d->qr_len] = '\0';
	qr = QRcode_encodeString8bit((const char *)d->qr_data, 0, (QRecLevel)d->qr_level);
	if (!qr) {
		d->page->unknown++;
		return;
	}
	wb = (qr->width + 7) / 8;
	bits = calloc((size_t)wb * (size_t)qr->width, 1);
	if (bits) {
		for (int y = 0; y < qr->width; y++)
			for (int x = 0; x < qr->width; x++)
				if (qr->data[y * qr->width + x] & 1)
					bits[y * wb + x / 8] |= (unsigned char)(0x80 >> (x % 8));
		blit(d, wb, qr->width, bits, d->qr_module);
		free(bits);
	}
	QRcode_free(qr);
	d->page->qr_count++;
	snprintf(head, sizeof head, "[QR] ");
	text_append(d, head, strlen(head));
	text_append(d, (const char *)d->qr_data, d->qr_len);
	text_append(d, "\n", 1);
}

/* GS ( k with cn = 49 (QR Code). p points at cn, n bytes of parameters follow pL pH. */
static void qr_function(decoder *d, const unsigned char *p, size_t n)
{
	if (n < 2 || p[0] != 49) {
		d->page->unknown += (int)n;
		return;
	}
	switch (p[1]) {
	case 67:
		if (n >= 3)
			d->qr_module = p[2] < 1 ? 1 : p[2] > 16 ? 16 : p[2];
		break;
	case 69:
		if (n >= 3)
			d->qr_level = p[2] == 48   ? QR_ECLEVEL_L
			              : p[2] == 50 ? QR_ECLEVEL_Q
			              : p[2] == 51 ? QR_ECLEVEL_H
			                           : QR_ECLEVEL_M;
		break;
	case 80:
		d->qr_len = n >= 3 ? (n - 3 > QR_DATA_MAX ? QR_DATA_MAX : n - 3) : 0;
		memcpy(d->qr_data, p + 3, d->qr_len);
		break;
	case 81:
		if (d->qr_len)
			print_qr(d);
		break;
	default:
		break; /* model (65) and the rest change nothing we draw */
	}
}

static void reset_style(decoder *d)
{
	d->bold = false;
	d->sx = d->sy = 1;
	d->align = 0;
}

static void load_fonts(decoder *d)
{
	const char *regular = getenv("AGENDA_PRINTER_FONT");

	if (!FONTS.tried) {
		FONTS.tried = true;
		if (FT_Init_FreeType(&FONTS.ft) != 0) {
			FONTS.ft = NULL;
		} else {
			if (FT_New_Face(FONTS.ft, regular ? regular : FONT_REGULAR, 0,
			                &FONTS.face[0]) != 0)
				FONTS.face[0] = NULL;
			if (FT_New_Face(FONTS.ft, FONT_BOLD, 0, &FONTS.face[1]) != 0)
				FONTS.face[1] = NULL;
			for (int i = 0; i < 2; i++)
				if (FONTS.face[i])
					FT_Set_Pixel_Sizes(FONTS.face[i], 0, 20);
		}
	}
	d->face[0] = FONTS.face[0];
	d->face[1] = FONTS.face[1];
}

/* Returns the length of the command at p, 0 when it is cut short (need more bytes). */
static size_t command(decoder *d, const unsigned char *p, size_t left)
{
	escpos_page *pg = d->page;

	switch (p[0]) {
	case 0x0A:
		flush_line(d);
		return 1;
	case 0x0D:
		return 1;
	case 0x10: /* DLE EOT n and other real-time commands: 3 bytes */
		return left >= 3 ? 3 : 0;
	case 0x1B:
		if (left < 2)
			return 0;
		switch (p[1]) {
		case '@':
			reset_style(d);
			return 2;
		case 't':
			return left >= 3 ? 3 : 0;
		case 'E':
			if (left < 3)
				return 0;
			d->bold = p[2] & 1;
			return 3;
		case 'a':
			if (left < 3)
				return 0;
			d->align = (p[2] % 48) > 2 ? 0 : p[2] % 48;
			return 3;
		case 'd':
			if (left < 3)
				return 0;
			if (d->line_len)
				flush_line(d);
			for (int i = 0; i < p[2]; i++)
				flush_line(d);
			return 3;
		default:
			pg->unknown += 2;
			return 2;
		}
	case 0x1D:
		if (left < 2)
			return 0;
		switch (p[1]) {
		case '!':
			if (left < 3)
				return 0;
			d->sx = ((p[2] >> 4) & 7) + 1;
			d->sy = (p[2] & 7) + 1;
			return 3;
		case 'V': {
			size_t n = (left >= 3 && p[2] >= 65) ? 4 : 3;

			if (left < n)
				return 0;
			if (d->line_len)
				flush_line(d);
			pg->cut = true;
			return n;
		}
		case 'v': {
			size_t wb, rows;

			if (left < 8)
				return 0;
			wb = (size_t)(p[4] | p[5] << 8);
			rows = (size_t)(p[6] | p[7] << 8);
			if (left < 8 + wb * rows)
				return 0;
			if (d->line_len)
				flush_line(d);
			blit(d, (int)wb, (int)rows, p + 8, 1);
			return 8 + wb * rows;
		}
		case '(': {
			size_t n;

			if (left < 5)
				return 0;
			n = (size_t)(p[3] | p[4] << 8);
			if (left < 5 + n)
				return 0;
			if (p[2] == 'k')
				qr_function(d, p + 5, n);
			else
				pg->unknown += (int)(5 + n);
			return 5 + n;
		}
		default:
			pg->unknown += 2;
			return 2;
		}
	default:
		if (p[0] >= 0x20)
			put_char(d, p[0]);
		return 1;
	}
}

agenda_err escpos_decode_page(const unsigned char *data, size_t len, int dots_per_line,
                              escpos_page *page, size_t *consumed)
{
	decoder *d = calloc(1, sizeof *d);
	size_t at = 0;
	agenda_err err = AG_OK;

	memset(page, 0, sizeof *page);
	*consumed = 0;
	if (!d)
		return AG_ERR_NOMEM;
	page->width = dots_per_line > 0 ? dots_per_line : 576;
	d->page = page;
	reset_style(d);
	d->qr_module = 3;
	d->qr_level = QR_ECLEVEL_M;
	pthread_mutex_lock(&FONTS_LOCK);
	load_fonts(d);
	text_append(d, "", 0);
	while (at < len && !page->cut && !d->failed) {
		size_t n = command(d, data + at, len - at);

		if (n == 0)
			break;
		at += n;
	}
	if (d->line_len)
		flush_line(d);
	if (d->failed) {
		err = d->too_long ? AG_ERR_INVALID : AG_ERR_NOMEM;
		escpos_page_free(page);
	}
	*consumed = at;
	pthread_mutex_unlock(&FONTS_LOCK);
	free(d);
	return err;
}
