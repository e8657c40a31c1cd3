/*
 * convocation_print_bench.c — what printing in the library costs beyond the paper: one slip
 * through convocation_print_wait on a file printer (load, encode, queue, write, and the print
 * worker's record: its own agenda_ctx opened without quick_check, convocation_record, closed),
 * next to the record alone done on an already open context (the cost a long-lived print-thread
 * connection would have saved). The store is a real file with the device's booking in it.
 * Reports, exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../unit/fixture.h"
#include "print/convocation_print.h"

#define SLIPS 200

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, double *ms, int n)
{
	qsort(ms, (size_t)n, sizeof *ms, by_value);
	printf("%-52s median %.2f ms, p95 %.2f ms, max %.2f ms\n", what, ms[n / 2],
	       ms[n * 95 / 100], ms[n - 1]);
}

int main(void)
{
	static double through[SLIPS], direct[SLIPS];
	struct fixture *f;
	struct booking b;
	char uri[160];
	print_queue *q;

	if (fixture_setup((void **)&f) != 0)
		return 1;
	fixture_capacity(f, date_from_ymd(2026, 5, 4), 30, 4);
	if (booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL) != AG_OK)
		return 1;
	snprintf(uri, sizeof uri, "file:%s/slips.bin", f->dir);
	if (print_queue_start(&(print_queue_config){.uri = uri}, &q) != AG_OK)
		return 1;
	for (int i = 0; i < SLIPS; i++) {
		struct convocation_printed printed;
		double t0 = now_ms();

		if (convocation_print_wait(&f->ctx, &f->op, q, b.id, 10000, &printed, NULL) !=
		            AG_OK ||
		    printed.recorded != AG_OK)
			return 1;
		through[i] = now_ms() - t0;
	}
	print_queue_stop(q);
	for (int i = 0; i < SLIPS; i++) {
		double t0 = now_ms();

		if (convocation_record(&f->ctx, &f->op, b.id, PRINT_OUTCOME_DONE, NULL, NULL) !=
		    AG_OK)
			return 1;
		direct[i] = now_ms() - t0;
	}
	printf("%d slips of one booking, file printer, WAL + synchronous=FULL on %s\n", SLIPS,
	       f->dir);
	report("convocation_print_wait (slip to recorded outcome)", through, SLIPS);
	report("convocation_record alone, context already open", direct, SLIPS);
	fixture_teardown((void **)&f);
	return 0;
}
