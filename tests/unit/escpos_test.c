/*
 * escpos_test.c — golden bytes for every encoder command, as Epson's ESC/POS reference gives
 * them (ESC @, ESC t, ESC E, GS !, ESC a, ESC d, GS V, DLE EOT, GS ( k functions 165/167/169/
 * 180/181, GS v 0), and the shape of a rendered slip for native-QR and raster-QR profiles.
 * Names CP858 cannot print (Arabic, Chinese, Vietnamese, Devanagari with no font) go out as
 * GS v 0 line images with no '?' in the text; a slip CP858 holds is byte for byte what the
 * encoder wrote before line images existed (checksums taken from that encoder).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "printer/escpos.h"
#include "printer/text_raster.h"

#define GOLDEN(b, ...)                                                                             \
	do {                                                                                       \
		const unsigned char want[] = {__VA_ARGS__};                                        \
		assert_int_equal((b)->len, sizeof want);                                           \
		assert_memory_equal((b)->data, want, sizeof want);                                 \
		escpos_buf_reset(b);                                                               \
	} while (0)

static void simple_commands(void **state)
{
	(void)state;
	escpos_buf b;

	escpos_buf_init(&b);
	escpos_init(&b);
	GOLDEN(&b, 0x1B, 0x40);
	escpos_code_page(&b, 19);
	GOLDEN(&b, 0x1B, 0x74, 0x13);
	escpos_bold(&b, true);
	escpos_bold(&b, false);
	GOLDEN(&b, 0x1B, 0x45, 0x01, 0x1B, 0x45, 0x00);
	escpos_size(&b, true, true);
	escpos_size(&b, false, true);
	escpos_size(&b, true, false);
	escpos_size(&b, false, false);
	GOLDEN(&b, 0x1D, 0x21, 0x11, 0x1D, 0x21, 0x01, 0x1D, 0x21, 0x10, 0x1D, 0x21, 0x00);
	escpos_align(&b, SLIP_ALIGN_LEFT);
	escpos_align(&b, SLIP_ALIGN_CENTER);
	escpos_align(&b, SLIP_ALIGN_RIGHT);
	GOLDEN(&b, 0x1B, 0x61, 0x00, 0x1B, 0x61, 0x01, 0x1B, 0x61, 0x02);
	escpos_line_feed(&b);
	escpos_feed_lines(&b, 3);
	GOLDEN(&b, 0x0A, 0x1B, 0x64, 0x03);
	escpos_cut(&b, 0);
	GOLDEN(&b, 0x1D, 0x56, 0x42, 0x00);
	escpos_status_request(&b, 1);
	escpos_status_request(&b, 2);
	escpos_status_request(&b, 4);
	GOLDEN(&b, 0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x04);
	escpos_text(&b, "Città €");
	GOLDEN(&b, 'C', 'i', 't', 't', 0x85, ' ', 0xD5);
	escpos_buf_free(&b);
}

static void native_qr(void **state)
{
	(void)state;
	escpos_buf b;

	escpos_buf_init(&b);
	assert_int_equal(escpos_qr_native(&b, "AB1", 6, 'M'), AG_OK);
	GOLDEN(&b,
	       /* fn 165 (65): model 2 */
	       0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00,
	       /* fn 167 (67): module size 6 */
	       0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06,
	       /* fn 169 (69): error correction M = 49 */
	       0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31,
	       /* fn 180 (80): store, pL = 3 + 3 data bytes */
	       0x1D, 0x28, 0x6B, 0x06, 0x00, 0x31, 0x50, 0x30, 'A', 'B', '1',
	       /* fn 181 (81): print */
	       0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30);
	assert_int_equal(escpos_qr_native(&b, "", 6, 'M'), AG_ERR_INVALID);
	escpos_buf_free(&b);
}

static void raster(void **state)
{
	(void)state;
	escpos_buf b;
	const unsigned char bits[4] = {0x80, 0x01, 0xFF, 0x00};

	escpos_buf_init(&b);
	escpos_raster(&b, 2, 2, bits);
	GOLDEN(&b, 0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00, 0x80, 0x01, 0xFF, 0x00);
	/* a raster QR: the header's width is the line in bytes, height a multiple of the module */
	assert_int_equal(escpos_qr_raster(&b, "3f2b8c1e-7d4a-4e0b-9a51-0c6d2e8f1a77", 6, 384),
	                 AG_OK);
	assert_memory_equal(b.data, "\x1D\x76\x30\x00\x30\x00", 6);
	{
		int height = b.data[6] | b.data[7] << 8;

		assert_int_equal(height % 6, 0);
		assert_int_equal(b.len, 8 + 48u * (unsigned)height);
	}
	escpos_buf_free(&b);
}

static slip_input sample(int columns)
{
	slip_input in = {.city = "Padova",
	                 .surname = "ROSSI",
	                 .name = "Mario",
	                 .birth_date = date_from_ymd(1980, 1, 2),
	                 .nationality = "Albanese",
	                 .numero_pratica = "P-PD/L/N/2026/000001",
	                 .questura_name = "Questura di Padova",
	                 .day = date_from_ymd(2026, 6, 15),
	                 .minute = 600,
	                 .reference = "0b6c2d1e-0000-4000-8000-000000000001",
	                 .operator_id = "op1",
	                 .printed_day = date_from_ymd(2026, 6, 1),
	                 .printed_minute = 600,
	                 .columns = columns};
	return in;
}

static const unsigned char *find(const escpos_buf *b, const void *needle, size_t n)
{
	for (size_t i = 0; i + n <= b->len; i++)
		if (memcmp(b->data + i, needle, n) == 0)
			return b->data + i;
	return NULL;
}

static void rendered_slip(void **state)
{
	(void)state;
	static slip s;
	escpos_buf b;
	slip_input in = sample(48);
	const printer_profile *t20 = printer_profile_find("tm-t20iii");
	const printer_profile *p58 = printer_profile_find("generic-58");

	assert_non_null(t20);
	assert_non_null(p58);
	escpos_buf_init(&b);
	assert_int_equal(slip_build(&in, &s, NULL), AG_OK);
	assert_int_equal(escpos_render_slip(&s, t20, &b), AG_OK);
	/* starts with init and PC858, ends with the cut */
	assert_memory_equal(b.data, "\x1B\x40\x1B\x74\x13", 5);
	assert_memory_equal(b.data + b.len - 4, "\x1D\x56\x42\x00", 4);
	assert_non_null(find(&b, "\x1D\x28\x6B", 3)); /* native QR */
	assert_null(find(&b, "\x1D\x76\x30", 3));
	assert_non_null(find(&b, "luned\x8d 15 giugno 2026", 20));
	assert_non_null(find(&b, "Nazionalit\x85: Albanese", 20));
	assert_true(b.len < 4096);

	escpos_buf_reset(&b);
	in = sample(32);
	assert_int_equal(slip_build(&in, &s, NULL), AG_OK);
	assert_int_equal(escpos_render_slip(&s, p58, &b), AG_OK);
	assert_null(find(&b, "\x1D\x28\x6B", 3));
	assert_non_null(find(&b, "\x1D\x76\x30\x00\x30\x00", 6)); /* raster, 384 dots */
	escpos_buf_free(&b);
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

/*
 * A slip CP858 holds (Italian and French letters, dash, guillemets, euro, ellipsis) is encoded
 * exactly as before line images: length and FNV-1a of the bytes written by the encoder of
 * commit ad9943f for the same input, first print and reprint, native and raster QR.
 */
static void latin_slip_bytes_unchanged(void **state)
{
	(void)state;
	static slip s;
	const struct {
		const char *profile;
		int columns;
		bool reprint;
		size_t len;
		uint64_t hash;
	} golden[] = {
	        {"tm-t20iii", 48, false, 972, 0xaf082cdad061c8edull},
	        {"tm-t20iii", 48, true, 1009, 0xa0108b4d911501b6ull},
	        {"generic-58", 32, false, 11528, 0x80742bf37c7904f4ull},
	        {"generic-58", 32, true, 11565, 0x0408d6e01430261bull},
	};

	for (size_t i = 0; i < sizeof golden / sizeof golden[0]; i++) {
		slip_input in = sample(golden[i].columns);
		escpos_buf b;
		escpos_slip_report report;

		in.reprint = golden[i].reprint;
		in.surname = "D'ANGELO ÈÒÙ";
		in.name = "Françoise Zoë";
		in.what_to_bring = "Passaporto — «questo» foglio, 16 € …";
		assert_int_equal(slip_build(&in, &s, NULL), AG_OK);
		escpos_buf_init(&b);
		assert_int_equal(escpos_render_slip_report(
		                         &s, printer_profile_find(golden[i].profile), &b, &report),
		                 AG_OK);
		assert_int_equal(report.raster_lines, 0);
		assert_int_equal(b.len, golden[i].len);
		assert_true(fnv1a(b.data, b.len) == golden[i].hash);
		escpos_buf_free(&b);
	}
}

typedef struct stream_scan {
	int images;         /* GS v 0 blocks */
	int line_images;    /* ... of a text line's size: full width, 30 or 54 dots high */
	bool question_mark; /* a '?' outside image and QR payloads */
	int image_rows_inked[4];
} stream_scan;

/* Walks an ESC/POS stream of the commands the encoder writes, skipping image and QR data. */
static stream_scan scan(const escpos_buf *b, int width_bytes)
{
	stream_scan sc = {0};

	for (size_t i = 0; i < b->len;) {
		const unsigned char *p = b->data + i;

		if (p[0] == GS && p[1] == 'v') {
			size_t wb = (size_t)(p[4] | p[5] << 8), rows = (size_t)(p[6] | p[7] << 8);

			sc.images++;
			if ((int)wb == width_bytes && (rows == 30 || rows == 54))
				sc.line_images++;
			i += 8 + wb * rows;
		} else if (p[0] == GS && p[1] == '(' && p[2] == 'k') {
			i += 5 + (size_t)(p[3] | p[4] << 8);
		} else if (p[0] == GS && p[1] == 'V') {
			i += 4;
		} else if (p[0] == ESC || p[0] == GS || p[0] == DLE) {
			i += 3;
		} else {
			if (p[0] == '?')
				sc.question_mark = true;
			i++;
		}
	}
	return sc;
}

static escpos_slip_report render_named(const char *surname, const char *name, const char *profile,
                                       escpos_buf *b)
{
	static slip s;
	const printer_profile *p = printer_profile_find(profile);
	slip_input in = sample(p->columns);
	escpos_slip_report report;

	in.surname = surname;
	in.name = name;
	assert_int_equal(slip_build(&in, &s, NULL), AG_OK);
	escpos_buf_init(b);
	assert_int_equal(escpos_render_slip_report(&s, p, b, &report), AG_OK);
	return report;
}

static void arabic_name_is_an_image(void **state)
{
	(void)state;
	escpos_buf b;
	escpos_slip_report r = render_named("الحسيني", "محمد عبد الله", "tm-t20iii", &b);
	stream_scan sc = scan(&b, 72);

	/* "Cognome: ..." and "Nome: ...": two line images, nothing missing, no '?' */
	assert_int_equal(r.raster_lines, 2);
	assert_int_equal(r.missing, 0);
	assert_int_equal(sc.line_images, 2);
	assert_false(sc.question_mark);
	assert_non_null(find(&b, "Nazionalit\x85: Albanese", 20)); /* other lines still text */
	escpos_buf_free(&b);
}

static void chinese_name_is_an_image(void **state)
{
	(void)state;
	escpos_buf b;
	escpos_slip_report r = render_named("王", "小明", "generic-58", &b);
	stream_scan sc = scan(&b, 48);

	assert_int_equal(r.raster_lines, 2);
	assert_int_equal(r.missing, 0);
	assert_int_equal(sc.line_images, 2);
	assert_int_equal(sc.images, 3); /* and the raster QR */
	assert_false(sc.question_mark);
	escpos_buf_free(&b);
}

static void accents_cp858_lacks_are_not_stripped(void **state)
{
	(void)state;
	escpos_buf b;
	/* Vietnamese and Romanian: CP858 would print "NGUY?N" and "Stefanescu". */
	escpos_slip_report r = render_named("NGUYỄN", "Ştefan Thị", "tm-t20iii", &b);

	assert_int_equal(r.raster_lines, 2);
	assert_int_equal(r.missing, 0);
	assert_false(scan(&b, 72).question_mark);
	assert_null(find(&b, "NGUY", 4));
	escpos_buf_free(&b);
}

static void missing_glyphs_are_boxes_and_reported(void **state)
{
	(void)state;
	escpos_buf b;
	/* Devanagari: none of the slip's fonts has it. 8 code points, each an empty box. */
	escpos_slip_report r = render_named("ROSSI", "देवनागरी", "tm-t20iii", &b);

	assert_int_equal(r.raster_lines, 1);
	assert_int_equal(r.missing, 8);
	assert_false(scan(&b, 72).question_mark);
	escpos_buf_free(&b);
}

static void no_font_at_all_is_reported(void **state)
{
	(void)state;
	text_raster *tr;
	text_raster_image img;

	setenv("AGENDA_PRINTER_RASTER_FONTS", "/nonexistent/a.ttf:/nonexistent/b.ttf", 1);
	tr = text_raster_new();
	assert_non_null(tr);
	assert_int_equal(text_raster_line(tr, "Nome: 小明", 0, SLIP_ALIGN_LEFT, 576, &img), AG_OK);
	assert_int_equal(img.missing, 8); /* every character, none silently dropped */
	assert_int_equal(img.width_bytes, 72);
	assert_int_equal(img.height, 30);
	text_raster_image_free(&img);
	text_raster_free(tr);
	unsetenv("AGENDA_PRINTER_RASTER_FONTS");
}

static int inked_columns(const text_raster_image *img, int *first, int *last)
{
	int n = 0;

	*first = -1;
	*last = -1;
	for (int x = 0; x < img->width_bytes * 8; x++) {
		bool ink = false;

		for (int y = 0; y < img->height && !ink; y++)
			ink = img->bits[y * img->width_bytes + x / 8] & (0x80 >> (x % 8));
		if (ink) {
			if (*first < 0)
				*first = x;
			*last = x;
			n++;
		}
	}
	return n;
}

static void line_images_fit_and_align(void **state)
{
	(void)state;
	text_raster *tr = text_raster_new();
	text_raster_image img;
	int first, last;
	char longest[SLIP_LINE_MAX] = "";

	assert_non_null(tr);
	/* centred and right-aligned lines keep their place on the paper */
	assert_int_equal(text_raster_line(tr, "王小明", 0, SLIP_ALIGN_RIGHT, 576, &img), AG_OK);
	assert_true(inked_columns(&img, &first, &last) > 0);
	assert_true(last > 576 - 12 && first > 576 - 3 * 24 - 6);
	assert_false(img.squeezed);
	text_raster_image_free(&img);
	assert_int_equal(text_raster_line(tr, "محمد", SLIP_BOLD | SLIP_DOUBLE_HEIGHT,
	                                  SLIP_ALIGN_CENTER, 576, &img),
	                 AG_OK);
	assert_int_equal(img.height, 54);
	inked_columns(&img, &first, &last);
	assert_true(abs((first + last) / 2 - 288) < 8);
	text_raster_image_free(&img);
	/* a line wider than the paper is narrowed, not cut: its ink reaches both edges */
	for (int i = 0; i < 30; i++)
		strcat(longest, "王");
	assert_int_equal(text_raster_line(tr, longest, 0, SLIP_ALIGN_LEFT, 384, &img), AG_OK);
	assert_true(img.squeezed);
	inked_columns(&img, &first, &last);
	assert_true(first < 8 && last > 384 - 8);
	text_raster_image_free(&img);
	text_raster_free(tr);
}

static void profiles(void **state)
{
	(void)state;
	size_t n;
	const printer_profile *all = printer_profiles(&n);

	assert_true(n >= 4);
	assert_ptr_equal(printer_profile_by_usb(0x04B8, 0x0E28), printer_profile_find("tm-t20iii"));
	assert_ptr_equal(printer_profile_by_usb(0x04B8, 0x0202), printer_profile_find("tm-t88v"));
	assert_ptr_equal(printer_profile_by_usb(0x04B8, 0x1234), printer_profile_find("tm-t88vi"));
	assert_null(printer_profile_by_usb(0x1234, 0x5678));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(all[i].code_page, 19);
		assert_true(all[i].columns * 12 <= all[i].dots_per_line);
	}
	assert_true(printer_profile_print_ms(&all[0], 3000) >= 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(simple_commands),
	        cmocka_unit_test(native_qr),
	        cmocka_unit_test(raster),
	        cmocka_unit_test(rendered_slip),
	        cmocka_unit_test(profiles),
	        cmocka_unit_test(latin_slip_bytes_unchanged),
	        cmocka_unit_test(arabic_name_is_an_image),
	        cmocka_unit_test(chinese_name_is_an_image),
	        cmocka_unit_test(accents_cp858_lacks_are_not_stripped),
	        cmocka_unit_test(missing_glyphs_are_boxes_and_reported),
	        cmocka_unit_test(no_font_at_all_is_reported),
	        cmocka_unit_test(line_images_fit_and_align),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
