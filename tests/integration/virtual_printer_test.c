/*
 * virtual_printer_test.c — a real slip through the encoder and the virtual printer, checked by
 * independent tools: zbarimg (zbar-tools) must read the booking reference from the QR code in
 * the PNG, for a native-QR profile (GS ( k drawn by the virtual printer) and a raster-QR one
 * (GS v 0 from libqrencode); the text output must keep every accent and the euro sign through
 * the CP858 round trip. Names CP858 cannot hold are printed as line images: tesseract (Debian's
 * `ara` and `chi_sim` models) must read an Arabic, a Chinese and mixed Latin/Arabic lines back
 * from the PNG exactly, in the right order, and a whole slip with such a name still carries its
 * QR. The PNGs stay in the build folder (virtual-slips/) for a person to see.
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

static void print_bytes(const char *prefix, const escpos_buf *b, const printer_profile *prof)
{
	printer *p;
	printer_fault f;
	agenda_detail d;
	char uri[300];
	size_t sent;

	snprintf(uri, sizeof uri, "virtual:%s", prefix);
	assert_int_equal(printer_open(uri, prof, 0, &p, &f, &d), AG_OK);
	assert_int_equal(printer_write(p, b->data, b->len, &sent, &d), AG_OK);
	printer_close(p);
}

/* One slip line in style, through the encoder and the virtual printer, read back by tesseract. */
static void ocr_line(const char *prefix, const char *text, unsigned style, const char *langs,
                     char *out, size_t size)
{
	const printer_profile *prof = printer_profile_find("tm-t20iii");
	static slip s;
	escpos_buf b;
	escpos_slip_report report;
	char cmd[512], path[300];
	FILE *t;
	size_t n = 0;
	int c;

	memset(&s, 0, sizeof s);
	s.columns = prof->columns;
	s.count = 1;
	s.lines[0].kind = SLIP_TEXT;
	s.lines[0].style = style;
	snprintf(s.lines[0].text, sizeof s.lines[0].text, "%s", text);
	escpos_buf_init(&b);
	assert_int_equal(escpos_render_slip_report(&s, prof, &b, &report), AG_OK);
	assert_int_equal(report.raster_lines, 1);
	assert_int_equal(report.missing, 0);
	print_bytes(prefix, &b, prof);
	escpos_buf_free(&b);
	snprintf(path, sizeof path, "%s-1.png", prefix);
	snprintf(cmd, sizeof cmd, "OMP_THREAD_LIMIT=1 tesseract '%s' - -l %s --psm 7 2>/dev/null",
	         path, langs);
	t = popen(cmd, "r");
	assert_non_null(t);
	/* Keep the text, drop the bidi marks tesseract adds (U+200E, U+200F) and the newline. */
	while ((c = fgetc(t)) != EOF && n + 1 < size) {
		out[n++] = (char)c;
		if (n >= 3 && (unsigned char)out[n - 3] == 0xE2 &&
		    (unsigned char)out[n - 2] == 0x80 &&
		    ((unsigned char)out[n - 1] == 0x8E || (unsigned char)out[n - 1] == 0x8F))
			n -= 3;
	}
	out[n] = '\0';
	assert_int_equal(pclose(t), 0);
	out[strcspn(out, "\n")] = '\0';
}

static bool have_models(void)
{
	return system("tesseract --list-langs 2>/dev/null | grep -qx ara && "
	              "tesseract --list-langs 2>/dev/null | grep -qx chi_sim") == 0;
}

static void names_read_back_by_ocr(void **state)
{
	(void)state;
	const struct {
		const char *text, *langs;
		unsigned style;
	} lines[] = {
	        {"محمد عبد الله الحسيني", "ara", 0},
	        {"محمد عبد الله الحسيني", "ara", SLIP_BOLD | SLIP_DOUBLE_HEIGHT},
	        {"王小明 李华", "chi_sim", 0},
	        {"王小明 李华", "chi_sim", SLIP_BOLD},
	        {"Cognome / Surname: الحسيني", "ara+ita", 0},
	        {"Nome: 小明 (Wang)", "chi_sim+ita", 0},
	};
	char out[512], prefix[64];

	if (!have_models())
		skip(); /* tesseract-ocr-ara, tesseract-ocr-chi-sim */
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		snprintf(prefix, sizeof prefix, "virtual-slips/ocr-%zu", i);
		ocr_line(prefix, lines[i].text, lines[i].style, lines[i].langs, out, sizeof out);
		assert_string_equal(out, lines[i].text);
	}
}

/* A whole slip with an Arabic or a Chinese name: name lines are images, the QR still reads. */
static void whole_slip_with_foreign_name(void **state)
{
	(void)state;
	const char *cases[][3] = {{"tm-t20iii", "الحسيني", "محمد عبد الله"},
	                          {"generic-58", "王", "小明"}};

	for (size_t i = 0; i < 2; i++) {
		const printer_profile *prof = printer_profile_find(cases[i][0]);
		static slip s;
		slip_input in = {.city = "Bologna",
		                 .surname = cases[i][1],
		                 .name = cases[i][2],
		                 .birth_date = date_from_ymd(1992, 12, 1),
		                 .nationality = "Egiziana",
		                 .numero_pratica = "P-BO/R/N/2026/000778",
		                 .questura_name = "Questura di Bologna",
		                 .day = date_from_ymd(2026, 5, 6),
		                 .minute = 9 * 60,
		                 .reference = REFERENCE,
		                 .operator_id = "op.verdi",
		                 .printed_day = date_from_ymd(2026, 4, 30),
		                 .columns = prof->columns};
		escpos_buf b;
		escpos_slip_report report;
		char prefix[64], path[100];
		const char *text;

		assert_int_equal(slip_build(&in, &s, NULL), AG_OK);
		escpos_buf_init(&b);
		assert_int_equal(escpos_render_slip_report(&s, prof, &b, &report), AG_OK);
		assert_int_equal(report.raster_lines, 2);
		assert_int_equal(report.missing, 0);
		snprintf(prefix, sizeof prefix, "virtual-slips/name-%s", cases[i][0]);
		print_bytes(prefix, &b, prof);
		escpos_buf_free(&b);
		snprintf(path, sizeof path, "%s-1.png", prefix);
		zbar_reads(path);
		snprintf(path, sizeof path, "%s-1.txt", prefix);
		text = slurp(path);
		assert_null(strchr(text, '?'));
		assert_non_null(strstr(text, "Nazionalità: Egiziana"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(tm_t20iii_native_qr),
	        cmocka_unit_test(tm_t88v_native_qr),
	        cmocka_unit_test(generic_58_raster_qr),
	        cmocka_unit_test(reprint_says_duplicato),
	        cmocka_unit_test(names_read_back_by_ocr),
	        cmocka_unit_test(whole_slip_with_foreign_name),
	};

	if (system("zbarimg --version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "virtual_printer_test: zbarimg (zbar-tools) missing\n");
		return 77;
	}
	if (system("rm -rf virtual-slips") != 0 || mkdir("virtual-slips", 0755) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
