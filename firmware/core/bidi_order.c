/*
 * bidi_order.c — rule L2 of the Unicode bidi algorithm over runs (bidi_order.h).
 */
#include "core/bidi_order.h"

#include <string.h>

static int level_of(const void *runs, size_t run_size, size_t level_offset, int i)
{
	int level;

	memcpy(&level, (const char *)runs + (size_t)i * run_size + level_offset, sizeof level);
	return level;
}

void bidi_order_runs(const void *runs, size_t run_size, size_t level_offset, int n, int *order)
{
	int high = 0, low_odd = 255;

	for (int i = 0; i < n; i++) {
		int level = level_of(runs, run_size, level_offset, i);

		order[i] = i;
		if (level > high)
			high = level;
		if ((level & 1) && level < low_odd)
			low_odd = level;
	}
	for (int level = high; level >= low_odd; level--) {
		for (int i = 0; i < n;) {
			int j = i;

			while (j < n && level_of(runs, run_size, level_offset, order[j]) >= level)
				j++;
			for (int a = i, b = j - 1; a < b; a++, b--) {
				int t = order[a];

				order[a] = order[b];
				order[b] = t;
			}
			i = j > i ? j : i + 1;
		}
	}
}
