/*
 * clock_test.c — the injectable clocks, Italian local time (with TZ unset, as on a machine
 * installed in UTC) and AGENDA_NOW parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <time.h>

#include "platform/clock.h"

/* 2026-05-04 22:30 UTC: already 5 May, 00:30, in Italy (CEST, UTC+2). */
#define LATE_EVENING_UTC 1777933800

static void fixed_clock_answers_what_it_holds(void **state)
{
	int64_t t = 1000;
	agenda_clock c = clock_fixed(&t);

	(void)state;
	assert_int_equal(clock_now(&c), 1000);
	t = 2000;
	assert_int_equal(clock_now(&c), 2000);
}

static void unset_tz_means_italian_time(void **state)
{
	agenda_day day;
	int minute;

	(void)state;
	unsetenv("TZ");
	clock_use_italian_time();
	assert_string_equal(getenv("TZ"), CLOCK_ITALIAN_ZONE);
	clock_local(LATE_EVENING_UTC, &day, &minute);
	assert_int_equal(day, date_from_ymd(2026, 5, 5));
	assert_int_equal(minute, 30);
	/* Winter: UTC+1. 2026-01-15 23:10 UTC is 16 January, 00:10. */
	clock_local(1768518600, &day, &minute);
	assert_int_equal(day, date_from_ymd(2026, 1, 16));
	assert_int_equal(minute, 10);
	assert_int_equal(clock_epoch_of(date_from_ymd(2026, 5, 5), 30), LATE_EVENING_UTC);
}

static void tz_set_by_the_caller_wins(void **state)
{
	agenda_day day;
	int minute;

	(void)state;
	setenv("TZ", "UTC", 1);
	clock_use_italian_time();
	assert_string_equal(getenv("TZ"), "UTC");
	clock_local(LATE_EVENING_UTC, &day, &minute);
	assert_int_equal(day, date_from_ymd(2026, 5, 4));
	assert_int_equal(minute, 22 * 60 + 30);
	setenv("TZ", CLOCK_ITALIAN_ZONE, 1);
	tzset();
}

static void agenda_now_is_read_as_italian_time(void **state)
{
	agenda_clock c;
	int64_t storage;

	(void)state;
	unsetenv("TZ");
	clock_use_italian_time();
	setenv(CLOCK_ENV, "2026-05-05T00:30:00", 1);
	assert_int_equal(clock_from_env(&c, &storage), AG_OK);
	assert_int_equal(clock_now(&c), LATE_EVENING_UTC);
	setenv(CLOCK_ENV, "@1777933800", 1);
	assert_int_equal(clock_from_env(&c, &storage), AG_OK);
	assert_int_equal(clock_now(&c), LATE_EVENING_UTC);
	setenv(CLOCK_ENV, "2026-05-05 00:30", 1);
	assert_int_equal(clock_from_env(&c, &storage), AG_ERR_INVALID);
	unsetenv(CLOCK_ENV);
	assert_int_equal(clock_from_env(&c, &storage), AG_OK);
	assert_true(clock_now(&c) > LATE_EVENING_UTC - 365 * 86400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(fixed_clock_answers_what_it_holds),
	        cmocka_unit_test(unset_tz_means_italian_time),
	        cmocka_unit_test(tz_set_by_the_caller_wins),
	        cmocka_unit_test(agenda_now_is_read_as_italian_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
