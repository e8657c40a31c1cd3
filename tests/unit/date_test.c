/*
 * date_test.c — day numbers, weekdays, parsing and formatting of dates and times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/date.h"

static void round_trip_every_day_1900_2199(void **state)
{
	(void)state;
	agenda_day first = date_from_ymd(1900, 1, 1), last = date_from_ymd(2199, 12, 31);
	int prev_w = date_weekday(first - 1);

	for (agenda_day d = first; d <= last; d++) {
		int y, m, dd;

		date_to_ymd(d, &y, &m, &dd);
		assert_true(date_ymd_valid(y, m, dd));
		assert_int_equal(date_from_ymd(y, m, dd), d);
		assert_int_equal(date_weekday(d), prev_w % 7 + 1);
		prev_w = date_weekday(d);
	}
}

static void known_weekdays(void **state)
{
	(void)state;
	assert_int_equal(date_from_ymd(1970, 1, 1), 0);
	assert_int_equal(date_weekday(0), 4);                           /* Thursday */
	assert_int_equal(date_weekday(date_from_ymd(2008, 4, 10)), 4);  /* the circular: Thursday */
	assert_int_equal(date_weekday(date_from_ymd(2026, 11, 26)), 4); /* Thursday */
	assert_int_equal(date_weekday(date_from_ymd(2000, 2, 29)), 2);  /* Tuesday */
}

static void parse_and_format(void **state)
{
	(void)state;
	agenda_day d;
	char buf[64];
	int minute;

	assert_true(date_parse("2026-05-04", &d));
	date_format(d, buf, sizeof buf);
	assert_string_equal(buf, "2026-05-04");
	assert_true(date_parse("04/05/2026", &d));
	date_format_long(d, LANG_IT, buf, sizeof buf);
	assert_string_equal(buf, "lunedì 4 maggio 2026");
	date_format_long(d, LANG_EN, buf, sizeof buf);
	assert_string_equal(buf, "Monday 4 May 2026");
	assert_false(date_parse("2026-02-30", &d));
	assert_false(date_parse("2026-5-4", &d));
	assert_false(date_parse("2026-05-04x", &d));
	assert_false(date_parse("", &d));
	assert_true(time_parse("9:05", &minute));
	assert_int_equal(minute, 545);
	time_format(minute, buf, sizeof buf);
	assert_string_equal(buf, "09:05");
	assert_false(time_parse("24:00", &minute));
	assert_false(time_parse("12:3x", &minute));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(round_trip_every_day_1900_2199),
	        cmocka_unit_test(known_weekdays),
	        cmocka_unit_test(parse_and_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
