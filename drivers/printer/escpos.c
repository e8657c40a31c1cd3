/*
 * escpos.c — ESC/POS command encoding (see escpos.h) and slip rendering.
 *
 * Only the commands the slip needs, each as Epson documents it. Raster QR codes come from
 * libqrencode so that printers without GS ( k (most 58 mm clones) print the same symbol; text
 * lines CP858 cannot hold are drawn by text_raster.c and sent the same way (GS v 0).
 */
#include "printer/escpos.h"
#include "printer/cp858.h"
#include "printer/text_raster.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

void escpos_buf_init(escpos_buf *b)
{
	memset(b, 0, sizeof *b);
}

void escpos_buf_free(escpos_buf *b)
{
	free(b->data);
	escpos_buf_init(b);
}

void escpos_buf_reset(escpos_buf *b)
{
	b->len = 0;
	b->failed = false;
}

agenda_err escpos_buf_error(const escpos_buf *b)
{
	return b->failed ? AG_ERR_NOMEM : AG_OK;
}

static bool reserve(escpos_buf *b, size_t more)
{
	size_t cap;
	unsigned char *p;

	if (b->failed)
		return false;
	if (b->len + more <= b->cap)
		return true;
	cap = b->cap ? b->cap : 1024;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void escpos_bytes(escpos_buf *b, const void *data, size_t len)
{
	if (len && reserve(b, len)) {
		memcpy(b->data + b->len, data, len);
		b->len += len;
	}
}

static void put3(escpos_buf *b, int c0, int c1, int c2)
{
	const unsigned char cmd[3] = {(unsigned char)c0, (unsigned char)c1, (unsigned char)c2};

	escpos_bytes(b, cmd, 3);
}

void escpos_init(escpos_buf *b)
{
	const unsigned char cmd[2] = {ESC, '@'};

	escpos_bytes(b, cmd, 2);
}

void escpos_code_page(escpos_buf *b, int n)
{
	put3(b, ESC, 't', n);
}

void escpos_bold(escpos_buf *b, bool on)
{
	put3(b, ESC, 'E', on ? 1 : 0);
}

void escpos_size(escpos_buf *b, bool dw, bool dh)
{
	/* GS ! n: bits 4-6 width multiplier - 1, bits 0-2 height multiplier - 1. */
	put3(b, GS, '!', (dw ? 0x10 : 0) | (dh ? 0x01 : 0));
}

void escpos_align(escpos_buf *b, slip_align align)
{
	put3(b, ESC, 'a', (int)align);
}

void escpos_text(escpos_buf *b, const char *utf8)
{
	char stack[512];
	size_t n = cp858_from_utf8(utf8, stack, sizeof stack);

	if (n < sizeof stack) {
		escpos_bytes(b, stack, n);
	} else {
		char *heap = malloc(n + 1);

		if (!heap) {
			b->failed = true;
			return;
		}
		cp858_from_utf8(utf8, heap, n + 1);
		escpos_bytes(b, heap, n);
		free(heap);
	}
}

void escpos_line_feed(escpos_buf *b)
{
	const unsigned char lf = LF;

	escpos_bytes(b, &lf, 1);
}

void escpos_feed_lines(escpos_buf *b, int n)
{
	put3(b, ESC, 'd', n);
}

void escpos_cut(escpos_buf *b, int feed)
{
	const unsigned char cmd[4] = {GS, 'V', 66, (unsigned char)feed};

	escpos_bytes(b, cmd, 4);
}

void escpos_status_request(escpos_buf *b, int n)
{
	put3(b, DLE, EOT, n);
}

/* GS ( k pL pH cn fn [params]: cn 49 is QR Code; pL pH count the bytes after themselves. */
static void qr_function(escpos_buf *b, int fn, const unsigned char *params, size_t n)
{
	size_t p = n + 2;
	const unsigned char head[7] = {GS,
	                               '(',
	                               'k',
	                               (unsigned char)(p & 0xFF),
	                               (unsigned char)(p >> 8),
	                               49,
	                               (unsigned char)fn};

	escpos_bytes(b, head, sizeof head);
	escpos_bytes(b, params, n);
}

agenda_err escpos_qr_native(escpos_buf *b, const char *data, int module, char ecc)
{
	size_t len = data ? strlen(data) : 0;
	const unsigned char model[2] = {50, 0}; /* fn 65: model 2 */
	unsigned char size = (unsigned char)(module < 1 ? 1 : module > 16 ? 16 : module);
	unsigned char level;
	const unsigned char m = 48;

	if (len == 0 || len > 7089)
		return AG_ERR_INVALID;
	switch (ecc) {
	case 'L':
		level = 48;
		break;
	case 'Q':
		level = 50;
		break;
	case 'H':
		level = 51;
		break;
	default:
		level = 49;
		break; /* M */
	}
	qr_function(b, 65, model, 2);
	qr_function(b, 67, &size, 1);
	qr_function(b, 69, &level, 1);
	{
		/* fn 80: store, m = 48 then the data. */
		size_t p = len + 3;
		const unsigned char head[8] = {
		        GS, '(', 'k', (unsigned char)(p & 0xFF), (unsigned char)(p >> 8),
		        49, 80,  m};

		escpos_bytes(b, head, sizeof head);
		escpos_bytes(b, data, len);
	}
	qr_function(b, 81, &m, 1); /* fn 81: print */
	return escpos_buf_error(b);
}

void escpos_raster(escpos_buf *b, int width_bytes, int height, const unsigned char *bits)
{
	const unsigned char head[8] = {GS,
	                               'v',
	                               '0',
	                               0,
	                               (unsigned char)(width_bytes & 0xFF),
	                               (unsigned char)(width_bytes >> 8),
	                               (unsigned char)(height & 0xFF),
	                               (unsigned char)(height >> 8)};

	escpos_bytes(b, head, sizeof head);
	escpos_bytes(b, bits, (size_t)width_bytes * (size_t)height);
}

agenda_err escpos_qr_raster(escpos_buf *b, const char *data, int module, int dots_per_line)
{
	QRcode *qr;
	unsigned char *bits = NULL;
	int quiet = 4, side, width_bytes, left;
	agenda_err err = AG_OK;

	if (!data || !*data)
		return AG_ERR_INVALID;
	qr = QRcode_encodeString8bit(data, 0, QR_ECLEVEL_M);
	if (!qr)
		return AG_ERR_NOMEM;
	if (module < 1)
		module = 1;
	side = (qr->width + 2 * quiet) * module;
	while (side > dots_per_line && module > 1) {
		module--;
		side = (qr->width + 2 * quiet) * module;
	}
	width_bytes = (dots_per_line + 7) / 8;
	left = (width_bytes * 8 - side) / 2;
	if (left < 0)
		left = 0;
	bits = calloc((size_t)width_bytes * (size_t)side, 1);
	if (!bits) {
		err = AG_ERR_NOMEM;
		goto done;
	}
	for (int y = 0; y < qr->width; y++) {
		for (int x = 0; x < qr->width; x++) {
			if (!(qr->data[y * qr->width + x] & 1))
				continue;
			for (int dy = 0; dy < module; dy++) {
				unsigned char *row = bits + (size_t)((quiet + y) * module + dy) *
				                                    (size_t)width_bytes;

				for (int dx = 0; dx < module; dx++) {
					int px = left + (quiet + x) * module + dx;

					if (px < width_bytes * 8)
						row[px / 8] |= (unsigned char)(0x80 >> (px % 8));
				}
			}
		}
	}
	escpos_raster(b, width_bytes, side, bits);
	err = escpos_buf_error(b);
done:
	free(bits);
	QRcode_free(qr);
	return err;
}

static void rule(escpos_buf *b, int columns)
{
	char line[SLIP_COLUMNS_MAX + 1];

	if (columns > SLIP_COLUMNS_MAX)
		columns = SLIP_COLUMNS_MAX;
	memset(line, '-', (size_t)columns);
	line[columns] = '\0';
	escpos_text(b, line);
	escpos_line_feed(b);
}

/* A line drawn as an image, full paper width (so ESC a does not matter), its line's height. */
static agenda_err raster_line(text_raster **tr, const slip_line *l, const printer_profile *p,
                              escpos_buf *out, escpos_slip_report *report)
{
	text_raster_image img;
	agenda_err err;

	if (!*tr && !(*tr = text_raster_new()))
		return AG_ERR_NOMEM;
	err = text_raster_line(*tr, l->text, l->style, l->align, p->dots_per_line, &img);
	if (err != AG_OK)
		return err;
	escpos_raster(out, img.width_bytes, img.height, img.bits);
	report->raster_lines++;
	report->missing += img.missing;
	report->squeezed += img.squeezed ? 1 : 0;
	text_raster_image_free(&img);
	return escpos_buf_error(out);
}

/* Style and alignment commands for a text line, when they differ from the printer's state. */
static void line_state(escpos_buf *out, const slip_line *l, unsigned *style, slip_align *align)
{
	if (l->align != *align) {
		escpos_align(out, l->align);
		*align = l->align;
	}
	if ((l->style & SLIP_BOLD) != (*style & SLIP_BOLD))
		escpos_bold(out, l->style & SLIP_BOLD);
	if ((l->style & (SLIP_DOUBLE_WIDTH | SLIP_DOUBLE_HEIGHT)) !=
	    (*style & (SLIP_DOUBLE_WIDTH | SLIP_DOUBLE_HEIGHT)))
		escpos_size(out, l->style & SLIP_DOUBLE_WIDTH, l->style & SLIP_DOUBLE_HEIGHT);
	*style = l->style;
}

agenda_err escpos_render_slip_report(const slip *s, const printer_profile *profile, escpos_buf *out,
                                     escpos_slip_report *report)
{
	unsigned style = 0;
	slip_align align = SLIP_ALIGN_LEFT;
	agenda_err err = AG_OK;
	escpos_slip_report ignored;
	text_raster *tr = NULL; /* fonts are loaded only for a slip that needs them */

	if (!report)
		report = &ignored;
	memset(report, 0, sizeof *report);
	if (!s || !profile || !out)
		return AG_ERR_USAGE;
	escpos_init(out);
	escpos_code_page(out, profile->code_page);
	escpos_align(out, align);
	for (size_t i = 0; i < s->count && err == AG_OK; i++) {
		const slip_line *l = &s->lines[i];

		if (l->kind == SLIP_TEXT && !cp858_prints_exactly(l->text)) {
			err = raster_line(&tr, l, profile, out, report);
			continue;
		}
		line_state(out, l, &style, &align);
		switch (l->kind) {
		case SLIP_TEXT:
			escpos_text(out, l->text);
			escpos_line_feed(out);
			break;
		case SLIP_BLANK:
			escpos_line_feed(out);
			break;
		case SLIP_RULE:
			rule(out, profile->columns);
			break;
		case SLIP_QR:
			if (profile->native_qr)
				err = escpos_qr_native(out, l->text, profile->qr_module_dots, 'M');
			else
				err = escpos_qr_raster(out, l->text, profile->qr_module_dots,
				                       profile->dots_per_line);
			if (err == AG_OK)
				escpos_line_feed(out);
			break;
		}
	}
	text_raster_free(tr);
	if (err == AG_OK) {
		if (style & SLIP_BOLD)
			escpos_bold(out, false);
		if (style & (SLIP_DOUBLE_WIDTH | SLIP_DOUBLE_HEIGHT))
			escpos_size(out, false, false);
		escpos_cut(out, 0); /* GS V 66 feeds to the cutter by itself */
		err = escpos_buf_error(out);
	}
	return err;
}

agenda_err escpos_render_slip(const slip *s, const printer_profile *profile, escpos_buf *out)
{
	return escpos_render_slip_report(s, profile, out, NULL);
}
