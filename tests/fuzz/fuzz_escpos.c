/*
 * fuzz_escpos.c — libFuzzer target for the virtual printer's ESC/POS decoder
 * (drivers/printer/escpos_decode.h).
 *
 * The first byte picks the paper width (as the profiles do: 384, 512 or 576 dots, or a strange
 * one); the rest is decoded page by page the way printer_virtual.c feeds it, until the decoder
 * asks for more bytes. Checks: consumed never exceeds what was given, the page's text is
 * NUL-terminated at text_len, no row below the page's height has ink. Now and then a page is
 * also written as PNG and text to /dev/null, to exercise the encoders.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "printer/escpos_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int widths[] = {384, 512, 576, 8, 1, 0, -5, 2000};
	unsigned char *copy;
	size_t at = 1;
	int width;

	if (size < 1 || size > 1 << 16)
		return 0;
	width = widths[data[0] & 7];
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	while (at < size) {
		escpos_page page;
		size_t used = 0;

		if (escpos_decode_page(copy + at, size - at, width, &page, &used) != AG_OK)
			break;
		if (used > size - at || !page.text || page.text[page.text_len] != 0 ||
		    strlen(page.text) > page.text_len || page.width <= 0)
			abort();
		for (int y = page.height; y < page.row_count; y++)
			if (page.row[y])
				abort(); /* ink below the end of the page */
		if ((data[0] & 0xF0) == 0xA0) {
			escpos_page_write_png(&page, "/dev/null");
			escpos_page_write_text(&page, "/dev/null");
		}
		escpos_page_free(&page);
		if (used == 0)
			break; /* waiting for more bytes: the virtual printer would too */
		at += used;
	}
	free(copy);
	return 0;
}
