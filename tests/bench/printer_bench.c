/*
 * printer_bench.c — what one convocation slip costs to encode, next to a baseline measured in
 * the same run: laying out the slip (slip_build), encoding it for a native-QR printer (TM-T20III),
 * encoding it with a raster QR from libqrencode (generic 58 mm, target < 2 ms), and a memcpy of
 * the same bytes. Also bytes per slip and the paper time they stand for. Then a slip whose
 * name CP858 cannot hold (Vietnamese, Arabic, Chinese): its name lines are drawn as images
 * (text_raster.c: fonts opened, runs shaped, glyphs drawn, for every slip), next to the Latin
 * slip of the same run. Reports, exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "printer/escpos.h"

#define RUNS        2000
#define RASTER_RUNS 200

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static slip_input sample(int columns)
{
	slip_input in = {.city = "Bologna",
	                 .surname = "NGUYEN", /* CP858 holds it: the Latin slip of issue 3 */
	                 .name = "Thi Mai",
	                 .birth_date = date_from_ymd(1990, 3, 7),
	                 .nationality = "Vietnamita",
	                 .numero_pratica = "P-BO/L/N/2026/100123",
	                 .numero_visto = "ITA012345678",
	                 .questura_name = "Questura di Bologna - Ufficio Immigrazione",
	                 .questura_address = "Via Bovi Campeggi 13, 40131 Bologna",
	                 .day = date_from_ymd(2026, 5, 4),
	                 .minute = 570,
	                 .deferred = true,
	                 .first_tried = date_from_ymd(2026, 4, 27),
	                 .reference = "3f2b8c1e-7d4a-4e0b-9a51-0c6d2e8f1a77",
	                 .operator_id = "op.rossi",
	                 .printed_day = date_from_ymd(2026, 4, 24),
	                 .printed_minute = 665,
	                 .columns = columns};
	return in;
}

/* Mean microseconds per encoding of s for profile p over runs; *bytes gets the slip's size. */
static double encode_runs(const slip *s, const printer_profile *p, size_t *bytes, int runs)
{
	escpos_buf b;
	double t0;

	escpos_buf_init(&b);
	escpos_render_slip(s, p, &b); /* warm up, size the buffer */
	t0 = now_us();
	for (int i = 0; i < runs; i++) {
		escpos_buf_reset(&b);
		escpos_render_slip(s, p, &b);
	}
	t0 = (now_us() - t0) / runs;
	*bytes = b.len;
	escpos_buf_free(&b);
	return t0;
}

static double encode_us(const slip *s, const printer_profile *p, size_t *bytes)
{
	return encode_runs(s, p, bytes, RUNS);
}

/* The same slip with another applicant: names drawn as line images, against the Latin one. */
static void raster_names(const slip_input *latin, const printer_profile *p, double latin_us)
{
	const char *names[][3] = {{"Vietnamese", "NGUYỄN", "Thị Mai"},
	                          {"Arabic", "الحسيني", "محمد عبد الله"},
	                          {"Chinese", "王", "小明"}};
	static slip s;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		slip_input in = *latin;
		size_t bytes;
		double us;

		in.surname = names[i][1];
		in.name = names[i][2];
		slip_build(&in, &s, NULL);
		us = encode_runs(&s, p, &bytes, RASTER_RUNS);
		printf("encode, %-10s name as images (%s): %8.1f us  %6zu bytes  (%.0fx the Latin "
		       "slip)\n",
		       names[i][0], p->id, us, bytes, latin_us > 0 ? us / latin_us : 0);
	}
}

int main(void)
{
	static slip s80, s58;
	slip_input in80 = sample(48), in58 = sample(32);
	const printer_profile *t20 = printer_profile_find("tm-t20iii");
	const printer_profile *p58 = printer_profile_find("generic-58");
	size_t native_bytes, raster_bytes;
	double layout, native, raster, copy, t0;
	unsigned char *src, *dst;
	volatile unsigned char sink = 0;

	t0 = now_us();
	for (int i = 0; i < RUNS; i++)
		slip_build(&in80, &s80, NULL);
	layout = (now_us() - t0) / RUNS;
	slip_build(&in58, &s58, NULL);
	native = encode_us(&s80, t20, &native_bytes);
	raster = encode_us(&s58, p58, &raster_bytes);

	src = malloc(raster_bytes);
	dst = malloc(raster_bytes);
	if (!src || !dst)
		return 0;
	memset(src, 0x5A, raster_bytes);
	t0 = now_us();
	for (int i = 0; i < RUNS; i++) {
		memcpy(dst, src, raster_bytes);
		sink ^= dst[i % raster_bytes];
	}
	copy = (now_us() - t0) / RUNS;
	(void)sink;

	printf("slip layout (slip_build, 48 columns):       %8.1f us\n", layout);
	printf("encode, native QR (TM-T20III):               %8.1f us  %6zu bytes\n", native,
	       native_bytes);
	printf("encode, raster QR (generic 58 mm):           %8.1f us  %6zu bytes  (target < 2000 "
	       "us: %s)\n",
	       raster, raster_bytes, raster < 2000.0 ? "met" : "MISSED");
	printf("baseline memcpy of the raster slip's bytes:  %8.2f us\n", copy);
	printf("raster encode / memcpy:                      %8.0fx\n",
	       copy > 0 ? raster / copy : 0);
	printf("raster encode / native encode:               %8.1fx\n",
	       native > 0 ? raster / native : 0);
	printf("paper: a slip is ~150-250 mm, 0.4-0.8 s at 150-300 mm/s: encoding is %.2f%% of 0.4 "
	       "s\n",
	       raster / 4000.0);
	raster_names(&in80, t20, native);
	raster_names(&in58, p58, raster);
	free(src);
	free(dst);
	return 0;
}
