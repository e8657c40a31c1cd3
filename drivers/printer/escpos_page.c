/*
 * escpos_page.c — a decoded page written out (escpos_decode.h): its text as it is, its rows of
 * ink as a 1-bit PNG with a white margin (libpng), and freeing it.
 */
#include "platform/private_file.h"
#include "printer/escpos_decode.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PNG_MARGIN 16 /* white dots around the page; whole bytes, see write_png_rows */

agenda_err escpos_page_write_text(const escpos_page *page, const char *path)
{
	FILE *f = private_file_fopen(path, "w"); /* a slip: personal data */
	bool ok;

	if (!f)
		return AG_ERR_IO;
	ok = fwrite(page->text ? page->text : "", 1, page->text_len, f) == page->text_len;
	ok = (fclose(f) == 0) && ok;
	return ok ? AG_OK : AG_ERR_IO;
}

_Static_assert(PNG_MARGIN % 8 == 0, "the margin is whole bytes of a PNG row");

static agenda_err write_png_rows(FILE *f, const escpos_page *page, png_bytep row)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	int w = page->width + 2 * PNG_MARGIN, h = page->height + 2 * PNG_MARGIN;

	if (!info) {
		png_destroy_write_struct(&png, NULL);
		return AG_ERR_NOMEM;
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		return AG_ERR_IO;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 1, PNG_COLOR_TYPE_GRAY,
	             PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < h; y++) {
		int py = y - PNG_MARGIN;

		/* PNG gray 1-bit is 1 = white: the page's row inverted, after the left margin. */
		memset(row, 0xFF, (size_t)(w + 7) / 8);
		if (py >= 0 && py < page->height && py < page->row_count && page->row[py])
			for (int i = 0; i < (page->width + 7) / 8; i++)
				row[PNG_MARGIN / 8 + i] = (png_byte)~page->row[py][i];
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return AG_OK;
}

agenda_err escpos_page_write_png(const escpos_page *page, const char *path)
{
	FILE *f;
	png_bytep row;
	agenda_err err;

	row = malloc((size_t)(page->width + 2 * PNG_MARGIN + 7) / 8);
	if (!row)
		return AG_ERR_NOMEM;
	f = private_file_fopen(path, "wb");
	if (!f) {
		free(row);
		return AG_ERR_IO;
	}
	err = write_png_rows(f, page, row);
	if (fclose(f) != 0 && err == AG_OK)
		err = AG_ERR_IO;
	free(row);
	return err;
}

void escpos_page_free(escpos_page *page)
{
	for (int y = 0; y < page->row_count; y++)
		free(page->row[y]);
	free(page->row);
	free(page->text);
	memset(page, 0, sizeof *page);
}
