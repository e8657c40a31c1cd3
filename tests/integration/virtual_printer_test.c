/*
 * virtual_printer_test.c — a real slip through the encoder and the virtual printer, checked by
 * independent tools: zbarimg (zbar-tools) must read the booking reference from the QR code in
 * the PNG, for a native-QR profile (GS ( k drawn by the virtual printer) and a raster-QR one
 * (GS v 0 from libqrencode); the text output must keep every accent and the euro sign through
 * the CP858 round trip. The PNGs stay in the build folder (virtual-slips/) for a person to see.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "printer/escpos.h"
#include "printer/printer.h"

#define REFERENCE "c0ffee00-1234-4abc-8def-0123456789ab"

static void render(const char *profile_id, const char *prefix, bool reprint)
{
	const printer_profile *prof = printer_profile_find(profile_id);
	static slip s;
	slip_input in = {.city = "Bologna",
	                 .surname = "ÈLÌ",
	                 .name = "Àurora Òlga Ùrsula",
	                 .birth_date = date_from_ymd(1992, 12, 1),
	                 .nationality = "Ivoriana",
	                 .numero_pratica = "P-BO/R/N/2026/000777",
	                 .numero_visto = "CIV000123456",
	                 .questura_name = "Questura di Bologna",
	                 .questura_address = "Piazza Galileo 7, Bologna",
	                 .day = date_from_ymd(2026, 5, 6),
	                 .minute = 8 * 60 + 45,
	                 .what_to_bring = "Passaporto, questo foglio, marca da bollo da 16 € "
	                                  "(sì, è necessaria; però non più di una).",
	                 .deferred = true,
	                 .first_tried = date_from_ymd(2026, 5, 4),
	                 .reference = REFERENCE,
	                 .operator_id = "op.verdi",
	                 .printed_day = date_from_ymd(2026, 4, 30),
	                 .printed_minute = 10 * 60,
	                 .reprint = reprint,
	                 .columns = prof->columns};
	escpos_buf b;
	printer *p;
	printer_fault f;
	agenda_detail d;
	char uri[300];
	size_t sent;

	assert_non_null(prof);
	assert_int_equal(slip_build(&in, &s, &d), AG_OK);
	escpos_buf_init(&b);
	assert_int_equal(escpos_render_slip(&s, prof, &b), AG_OK);
	snprintf(uri, sizeof uri, "virtual:%s", prefix);
	assert_int_equal(printer_open(uri, prof, 0, &p, &f, &d), AG_OK);
	assert_int_equal(printer_write(p, b.data, b.len, &sent, &d), AG_OK);
	printer_close(p);
	escpos_buf_free(&b);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	static char buf[16384];
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void zbar_reads(const char *png)
{
	char cmd[512], out[256] = "";
	FILE *z;

	snprintf(cmd, sizeof cmd, "zbarimg --quiet --raw '%s' 2>/dev/null", png);
	z = popen(cmd, "r");
	assert_non_null(z);
	if (!fgets(out, sizeof out, z))
		out[0] = '\0';
	assert_int_equal(pclose(z), 0);
	out[strcspn(out, "\n")] = '\0';
	assert_string_equal(out, REFERENCE);
}

static void one_profile(const char *profile_id, bool native)
{
	char prefix[256], path[300];
	const char *text;

	snprintf(prefix, sizeof prefix, "virtual-slips/%s", profile_id);
	render(profile_id, prefix, false);
	snprintf(path, sizeof path, "%s-1.png", prefix);
	zbar_reads(path);
	snprintf(path, sizeof path, "%s-1.txt", prefix);
	text = slurp(path);
	assert_non_null(strstr(text, "Cognome: ÈLÌ"));
	assert_non_null(strstr(text, "Àurora Òlga Ùrsula"));
	assert_non_null(strstr(text, "Nazionalità: Ivoriana"));
	assert_non_null(strstr(text, "mercoledì 6 maggio 2026"));
	assert_non_null(strstr(text, "€"));
	assert_non_null(strstr(text, "(sì, è"));
	assert_non_null(strstr(text, "però non più"));
	assert_non_null(strstr(text, "CONVOCAZIONE PER"));
	assert_non_null(strstr(text, "I giorni dal 04/05/2026"));
	assert_null(strstr(text, "DUPLICATO"));
	if (native)
		assert_non_null(strstr(text, "[QR] " REFERENCE));
	else
		assert_null(strstr(text, "[QR]"));
}

static void tm_t20iii_native_qr(void **state)
{
	(void)state;
	one_profile("tm-t20iii", true);
}

static void tm_t88v_native_qr(void **state)
{
	(void)state;
	one_profile("tm-t88v", true);
}

static void generic_58_raster_qr(void **state)
{
	(void)state;
	one_profile("generic-58", false);
}

static void reprint_says_duplicato(void **state)
{
	(void)state;
	render("tm-t20iii", "virtual-slips/reprint", true);
	zbar_reads("virtual-slips/reprint-1.png");
	assert_non_null(strstr(slurp("virtual-slips/reprint-1.txt"), "DUPLICATO"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(tm_t20iii_native_qr),
	        cmocka_unit_test(tm_t88v_native_qr),
	        cmocka_unit_test(generic_58_raster_qr),
	        cmocka_unit_test(reprint_says_duplicato),
	};

	if (system("zbarimg --version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "virtual_printer_test: zbarimg (zbar-tools) missing\n");
		return 77;
	}
	if (system("rm -rf virtual-slips") != 0 || mkdir("virtual-slips", 0755) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
