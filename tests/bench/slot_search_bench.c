/*
 * slot_search_bench.c — how long sched_find takes on a realistic, nearly full agenda.
 *
 * 100 Questure, one year (2026) of capacity at 20 slots per working day, 99% of slots booked at
 * random (fixed seed), a few closures added after the capacity (so some free slots sit on
 * closed days). next_free is an in-memory binary search over each Questura's sorted free slots,
 * as fast as a store index could be, so the figures are the search's own cost. Reports median
 * and p99 per call for sched_find and, measured in the same run over the same (questura, today)
 * pairs, for a bare next_free lookup as the baseline. Always exits 0: benchmarks report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/slot_search.h"

#define QUESTURE         100
#define SLOTS_PER_DAY    20
#define FREE_PER_MILLE   10  /* 1% of slots free, 99% booked */
#define CLOSURES         4   /* extra closures per Questura, added after capacity */
#define TODAYS           200 /* query days per Questura */
#define SEED             20260504u
#define TARGET_MEDIAN_US 50.0

struct questura {
	struct cal_rules rules;
	struct cal_exception closures[CLOSURES];
	struct sched_free_slot *free;
	size_t free_count;
};

static uint64_t rng_state = SEED;

static uint32_t next_random(void)
{
	/* xorshift64*: deterministic, good enough to scatter bookings. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

/* The earliest free slot with from <= day <= until: lower bound on day, then one check. */
static bool array_next_free(void *ctx, agenda_day from, agenda_day until,
                            struct sched_free_slot *out)
{
	const struct questura *q = ctx;
	size_t lo = 0, hi = q->free_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (q->free[mid].day < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == q->free_count || q->free[lo].day > until)
		return false;
	*out = q->free[lo];
	return true;
}

static int compare_exception(const void *a, const void *b)
{
	agenda_day x = ((const struct cal_exception *)a)->day;
	agenda_day y = ((const struct cal_exception *)b)->day;

	return (x > y) - (x < y);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void build_questura(struct questura *q, int index, agenda_day first, agenda_day last)
{
	static const int PATRONS[][2] = {{6, 29}, {12, 7}, {10, 4}, {6, 13}, {6, 24}, {9, 19}};
	size_t capacity = (size_t)(last - first + 1) * SLOTS_PER_DAY, n = 0;
	int64_t id = (int64_t)index * 1000000;
	struct cal_rules plain;

	memset(q, 0, sizeof *q);
	q->rules.patron_month = PATRONS[index % 6][0];
	q->rules.patron_day = PATRONS[index % 6][1];
	plain = q->rules;
	q->free = malloc(capacity * sizeof *q->free);
	if (!q->free) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	/* Capacity on every day open under the ordinary calendar... */
	for (agenda_day d = first; d <= last; d++) {
		if (!cal_is_open(&plain, d))
			continue;
		for (int s = 0; s < SLOTS_PER_DAY; s++, id++)
			if (next_random() % 1000 < FREE_PER_MILLE)
				q->free[n++] = (struct sched_free_slot){d, 480 + 15 * s, id};
	}
	q->free_count = n;
	/* ...then closures decided later, which strand some free slots on closed days. */
	for (int i = 0; i < CLOSURES; i++)
		q->closures[i] = (struct cal_exception){
		        first + (agenda_day)(next_random() % (uint32_t)(last - first + 1)), false};
	qsort(q->closures, CLOSURES, sizeof q->closures[0], compare_exception);
	q->rules.exceptions = q->closures;
	q->rules.exception_count = CLOSURES;
	for (int i = 1; i < CLOSURES; i++)
		if (q->closures[i].day == q->closures[i - 1].day)
			q->rules.exception_count = 0; /* rare duplicate: keep the array valid */
}

static void percentiles(double *samples, size_t n, double *median, double *p99)
{
	qsort(samples, n, sizeof *samples, compare_double);
	*median = samples[n / 2];
	*p99 = samples[(n * 99) / 100];
}

int main(void)
{
	static struct questura questure[QUESTURE];
	enum { QUERIES = QUESTURE * TODAYS };
	agenda_day first = date_from_ymd(2026, 1, 1), last = date_from_ymd(2026, 12, 31);
	double *search_us = malloc(QUERIES * sizeof *search_us);
	double *lookup_us = malloc(QUERIES * sizeof *lookup_us);
	double *timer_us = malloc(QUERIES * sizeof *timer_us);
	double search_median, search_p99, lookup_median, lookup_p99, timer_median, timer_p99, ratio;
	size_t total_free = 0;
	int ok = 0, deferred = 0, no_capacity = 0, max_full = 0;
	volatile int64_t sink = 0;

	if (!search_us || !lookup_us || !timer_us) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	for (int i = 0; i < QUESTURE; i++) {
		build_questura(&questure[i], i, first, last);
		total_free += questure[i].free_count;
	}

	/* Two passes over the same pairs: the first warms caches, the second is measured. */
	for (int pass = 0; pass < 2; pass++) {
		for (int k = 0; k < QUERIES; k++) {
			struct questura *q = &questure[k % QUESTURE];
			agenda_day today = first + (agenda_day)(k / QUESTURE) * 270 / TODAYS;
			struct sched_request req = {.today = today,
			                            .lead_open_days = SCHED_DEFAULT_LEAD_OPEN_DAYS,
			                            .horizon_days = SCHED_DEFAULT_HORIZON_DAYS,
			                            .calendar = &q->rules,
			                            .next_free = array_next_free,
			                            .ctx = q};
			struct sched_result result;
			struct sched_free_slot slot;
			agenda_detail why;
			agenda_err err;
			double t0, t1, t2, t3;

			t0 = now_us();
			err = sched_find(&req, &result, &why);
			t1 = now_us();
			if (array_next_free(q, today, today + req.horizon_days, &slot))
				sink += slot.slot_id;
			t2 = now_us();
			t3 = now_us();
			search_us[k] = t1 - t0;
			lookup_us[k] = t2 - t1;
			timer_us[k] = t3 - t2;
			if (pass == 0)
				continue;
			if (err == AG_OK) {
				ok++;
				deferred += result.deferred;
				if (result.days_full > max_full)
					max_full = result.days_full;
				sink += result.slot.slot_id;
			} else {
				no_capacity++;
			}
		}
	}
	percentiles(search_us, QUERIES, &search_median, &search_p99);
	percentiles(lookup_us, QUERIES, &lookup_median, &lookup_p99);
	percentiles(timer_us, QUERIES, &timer_median, &timer_p99);
	ratio = lookup_median > 0 ? search_median / lookup_median : 0;

	printf("slot_search_bench: %d Questure, 2026, %d slots per open day, %.0f%% booked "
	       "(seed %u), %zu free slots in all\n",
	       QUESTURE, SLOTS_PER_DAY, 100.0 - FREE_PER_MILLE / 10.0, SEED, total_free);
	printf("queries: %d (questura, today) pairs, lead %d, horizon %d days: %d found "
	       "(%d deferred, up to %d full days), %d no capacity\n",
	       QUERIES, SCHED_DEFAULT_LEAD_OPEN_DAYS, SCHED_DEFAULT_HORIZON_DAYS, ok, deferred,
	       max_full, no_capacity);
	printf("sched_find           median %8.3f µs   p99 %8.3f µs\n", search_median, search_p99);
	printf("baseline next_free   median %8.3f µs   p99 %8.3f µs   (bare lookup, same pairs)\n",
	       lookup_median, lookup_p99);
	printf("clock read alone     median %8.3f µs   p99 %8.3f µs   (included in both)\n",
	       timer_median, timer_p99);
	printf("ratio sched_find / next_free (median): %.1fx\n", ratio);
	printf("target: median < %.0f µs: %s\n", TARGET_MEDIAN_US,
	       search_median < TARGET_MEDIAN_US ? "PASS" : "FAIL");
	for (int i = 0; i < QUESTURE; i++)
		free(questure[i].free);
	free(search_us);
	free(lookup_us);
	free(timer_us);
	return 0;
}
