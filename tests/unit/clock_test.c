/*
 * clock_test.c — the injectable clocks, Italian civil time whatever TZ the process carries
 * (unset, as on a machine installed in UTC, or a foreign zone), checked against tzdata, and
 * AGENDA_NOW parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <time.h>

#include "core/date.h"

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

/* The zones a technician's shell or a misconfigured machine might carry. */
static const char *const FOREIGN_ZONES[] = {"UTC", "America/New_York", "Asia/Tokyo",
                                            "Pacific/Kiritimati", "America/Adak"};

static void use_zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void assert_italian(int64_t epoch, int year, int month, int day_of_month, int minute)
{
	agenda_day day;
	int got;

	clock_local(epoch, &day, &got);
	assert_int_equal(day, date_from_ymd(year, month, day_of_month));
	assert_int_equal(got, minute);
}

/*
 * Whatever TZ says, the day is Rome's: around midnight (where the day itself changes) and
 * around both summer-time changes of 2026 (29 March, 25 October, at 01:00 UTC).
 */
static void any_tz_gives_the_italian_day(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof FOREIGN_ZONES / sizeof FOREIGN_ZONES[0]; i++) {
		use_zone(FOREIGN_ZONES[i]);
		clock_use_italian_time(); /* TZ set: left alone, and still not followed */
		/* Summer midnight: 22:29:59 / 22:30 UTC on 4 May. */
		assert_italian(LATE_EVENING_UTC, 2026, 5, 5, 30);
		assert_italian(1777932000 - 1, 2026, 5, 4, 23 * 60 + 59);
		assert_italian(1777932000, 2026, 5, 5, 0);
		/* Winter midnight: 23:00 UTC on 15 January is 16 January 00:00. */
		assert_italian(1768518000 - 1, 2026, 1, 15, 23 * 60 + 59);
		assert_italian(1768518000, 2026, 1, 16, 0);
		/* Spring forward, 29 March 2026 01:00 UTC: 01:59:59 CET, then 03:00 CEST. */
		assert_italian(1774746000 - 1, 2026, 3, 29, 1 * 60 + 59);
		assert_italian(1774746000, 2026, 3, 29, 3 * 60);
		/* Its first CEST midnight: 29 March 22:00 UTC. */
		assert_italian(1774821600 - 1, 2026, 3, 29, 23 * 60 + 59);
		assert_italian(1774821600, 2026, 3, 30, 0);
		/* Fall back, 25 October 2026 01:00 UTC: 02:59:59 CEST, then 02:00 CET again. */
		assert_italian(1792890000 - 1, 2026, 10, 25, 2 * 60 + 59);
		assert_italian(1792890000, 2026, 10, 25, 2 * 60);
		/* The day before it ends at 22:00 UTC, the day after it at 23:00 UTC. */
		assert_italian(1792879200 - 1, 2026, 10, 24, 23 * 60 + 59);
		assert_italian(1792879200, 2026, 10, 25, 0);
		assert_italian(1792969200 - 1, 2026, 10, 25, 23 * 60 + 59);
		assert_italian(1792969200, 2026, 10, 26, 0);
		/* And back: Italian wall times to instants, whatever TZ says. */
		assert_int_equal(clock_epoch_of(date_from_ymd(2026, 5, 5), 30), LATE_EVENING_UTC);
		assert_int_equal(clock_epoch_of(date_from_ymd(2026, 1, 16), 0), 1768518000);
		assert_int_equal(clock_epoch_of(date_from_ymd(2026, 3, 29), 3 * 60), 1774746000);
		/* 02:30 on 29 March never happens: read as CET, it is 03:30 CEST. */
		assert_int_equal(clock_epoch_of(date_from_ymd(2026, 3, 29), 150),
		                 1774746000 + 1800);
		/* 02:30 on 25 October happens twice: the first, still CEST. */
		assert_int_equal(clock_epoch_of(date_from_ymd(2026, 10, 25), 150),
		                 1792890000 - 1800);
	}
	use_zone(CLOCK_ITALIAN_ZONE);
}

/*
 * The rules against tzdata itself: for every day from 1980 to 2199, the seconds either side of
 * 01:00 UTC (when summer time starts and ends), of 22:00 and 23:00 UTC (Italian midnight in
 * summer and winter) and noon, clock_local must agree with the C library's localtime under
 * TZ=Europe/Rome, and clock_epoch_of must invert it except in the repeated autumn hour.
 */
static void rules_agree_with_tzdata(void **state)
{
	static const int64_t AT[] = {3600 - 1, 3600, 43200, 79200 - 1, 79200, 82800 - 1, 82800};
	long checked = 0;

	(void)state;
	use_zone(CLOCK_ITALIAN_ZONE);
	for (int64_t d = date_from_ymd(1980, 1, 1); d <= date_from_ymd(2199, 12, 31); d++) {
		for (size_t i = 0; i < sizeof AT / sizeof AT[0]; i++) {
			int64_t t = d * 86400 + AT[i], back;
			time_t tt = (time_t)t;
			struct tm tm;
			agenda_day day;
			int minute;

			assert_non_null(localtime_r(&tt, &tm));
			clock_local(t, &day, &minute);
			if (day != date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) ||
			    minute != tm.tm_hour * 60 + tm.tm_min)
				fail_msg("epoch %lld: tzdata %04d-%02d-%02d %02d:%02d",
				         (long long)t, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				         tm.tm_hour, tm.tm_min);
			/* Only the second pass of the repeated hour maps to its first. */
			back = clock_epoch_of(day, minute);
			if (t % 60 == 0 && back != t && !(back == t - 3600 && tm.tm_isdst == 0))
				fail_msg("epoch %lld comes back as %lld", (long long)t,
				         (long long)back);
			checked++;
		}
	}
	assert_true(checked > 500000);
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
	        cmocka_unit_test(any_tz_gives_the_italian_day),
	        cmocka_unit_test(rules_agree_with_tzdata),
	        cmocka_unit_test(agenda_now_is_read_as_italian_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
