/*
 * escpos_test.c — golden bytes for every encoder command, as Epson's ESC/POS reference gives
 * them (ESC @, ESC t, ESC E, GS !, ESC a, ESC d, GS V, DLE EOT, GS ( k functions 165/167/169/
 * 180/181, GS v 0), and the shape of a rendered slip for native-QR and raster-QR profiles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "printer/escpos.h"

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
	        cmocka_unit_test(simple_commands), cmocka_unit_test(native_qr),
	        cmocka_unit_test(raster),          cmocka_unit_test(rendered_slip),
	        cmocka_unit_test(profiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
