/*
 * backoff_test.c — the retry policy: doubling from the base, capped, giving up at the limit,
 * and the mail policy's total wait before it gives up (about a day).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/backoff.h"

static void doubles_then_caps(void **state)
{
	static const int64_t want[] = {60, 120, 240, 480, 960, 1920, 3600, 3600, 3600};

	(void)state;
	for (int i = 0; i < 9; i++)
		assert_int_equal(backoff_delay(&BACKOFF_MAIL, i + 1), want[i]);
	assert_int_equal(backoff_delay(&BACKOFF_MAIL, 0), 60);
	assert_int_equal(backoff_delay(&BACKOFF_MAIL, -5), 60);
	assert_int_equal(backoff_delay(&BACKOFF_MAIL, 1000000), 3600); /* no overflow */
}

static void gives_up_at_the_limit(void **state)
{
	const struct backoff_policy p = {.base_seconds = 10, .cap_seconds = 100, .max_attempts = 3};
	int64_t next = -1;

	(void)state;
	assert_false(backoff_next(&p, 1, 1000, &next));
	assert_int_equal(next, 1010);
	assert_false(backoff_next(&p, 2, 1000, &next));
	assert_int_equal(next, 1020);
	next = -1;
	assert_true(backoff_next(&p, 3, 1000, &next));
	assert_int_equal(next, -1); /* untouched when giving up */
	assert_true(backoff_next(&p, 4, 1000, &next));
}

static void mail_gives_up_after_about_a_day(void **state)
{
	int64_t now = 0, next;
	int attempts = 0;

	(void)state;
	while (!backoff_next(&BACKOFF_MAIL, ++attempts, now, &next))
		now = next;
	assert_int_equal(attempts, 30);
	assert_int_equal(now, 86580); /* 3780 s of doubling, then 23 waits of an hour */
}

/* Sync retries: at least half the exponential delay, at most all of it, capped at 5 min. */
static void sync_jitter_stays_in_its_band(void **state)
{
	(void)state;
	assert_int_equal(backoff_jittered(&BACKOFF_SYNC_MS, 1, 0), 1000);
	assert_int_equal(backoff_jittered(&BACKOFF_SYNC_MS, 1, 1000), 2000);
	assert_int_equal(backoff_jittered(&BACKOFF_SYNC_MS, 1, 1001), 1000); /* wraps */
	assert_int_equal(backoff_jittered(&BACKOFF_SYNC_MS, 3, 0), 4000);
	assert_int_equal(backoff_jittered(&BACKOFF_SYNC_MS, 3, 4000), 8000);
	for (uint32_t r = 0; r < 100000; r += 7919) {
		int64_t d = backoff_jittered(&BACKOFF_SYNC_MS, 40, r * 2654435761u);

		assert_true(d >= 150000 && d <= 300000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(doubles_then_caps),
	        cmocka_unit_test(gives_up_at_the_limit),
	        cmocka_unit_test(mail_gives_up_after_about_a_day),
	        cmocka_unit_test(sync_jitter_stays_in_its_band),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
