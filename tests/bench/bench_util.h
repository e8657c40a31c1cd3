/*
 * bench_util.h — shared bits of the benchmarks: a monotonic clock in nanoseconds, sorting for
 * medians, a temporary folder on a chosen disk. Header-only.
 */
#ifndef AGENDA_BENCH_UTIL_H
#define AGENDA_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline int64_t bench_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int bench_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Sorts v and returns the q-quantile (0.5 = median). */
static inline int64_t bench_quantile(int64_t *v, size_t n, double q)
{
	qsort(v, n, sizeof *v, bench_cmp_i64);
	return v[(size_t)(q * (double)(n - 1))];
}

/* mkdtemp under $AGENDA_BENCH_DIR (default /var/tmp: a real disk, not tmpfs). */
static inline void bench_tempdir(char *out, size_t size)
{
	const char *base = getenv("AGENDA_BENCH_DIR");

	snprintf(out, size, "%s/agenda-bench-XXXXXX", base && *base ? base : "/var/tmp");
	if (!mkdtemp(out)) {
		perror("mkdtemp");
		exit(1);
	}
}

#endif
