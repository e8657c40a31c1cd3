/*
 * calendar_test.c — Easter, national holidays, patron saints, weekends and exceptions.
 *
 * Expected dates are hard-coded from the official calendars (Easter Monday 2020–2040 checked
 * against published tables), not recomputed with the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/calendar.h"

static agenda_day ymd(int y, int m, int d)
{
	return date_from_ymd(y, m, d);
}

static void easter_monday_2020_2040(void **state)
{
	(void)state;
	static const int MONDAYS[][3] = {
	        {2020, 4, 13}, {2021, 4, 5},  {2022, 4, 18}, {2023, 4, 10}, {2024, 4, 1},
	        {2025, 4, 21}, {2026, 4, 6},  {2027, 3, 29}, {2028, 4, 17}, {2029, 4, 2},
	        {2030, 4, 22}, {2031, 4, 14}, {2032, 3, 29}, {2033, 4, 18}, {2034, 4, 10},
	        {2035, 3, 26}, {2036, 4, 14}, {2037, 4, 6},  {2038, 4, 26}, {2039, 4, 11},
	        {2040, 4, 2},
	};

	for (size_t i = 0; i < sizeof MONDAYS / sizeof MONDAYS[0]; i++) {
		agenda_day monday = ymd(MONDAYS[i][0], MONDAYS[i][1], MONDAYS[i][2]);
		const char *name = NULL;

		assert_int_equal(date_weekday(monday), 1);
		assert_int_equal(cal_easter_sunday(MONDAYS[i][0]), monday - 1);
		assert_true(cal_national_holiday(monday, &name));
		assert_string_equal(name, "Lunedì dell'Angelo");
		assert_true(cal_national_holiday(monday - 1, &name));
		/* 2038: Easter Sunday falls on 25 April and is named for the Liberazione. */
		assert_string_equal(name,
		                    MONDAYS[i][0] == 2038 ? "Festa della Liberazione" : "Pasqua");
		assert_false(cal_national_holiday(monday + 1, &name)); /* Tuesday: a working day */
		assert_null(name);
		assert_int_equal(cal_day_status(NULL, monday), CAL_HOLIDAY);
		assert_int_equal(cal_day_status(NULL, monday - 1), CAL_HOLIDAY);
	}
}

static void easter_extremes(void **state)
{
	(void)state;
	/* Earliest and latest possible Easter Sundays in the Gregorian calendar. */
	assert_int_equal(cal_easter_sunday(1818), ymd(1818, 3, 22));
	assert_int_equal(cal_easter_sunday(2285), ymd(2285, 3, 22));
	assert_int_equal(cal_easter_sunday(1943), ymd(1943, 4, 25));
	assert_int_equal(cal_easter_sunday(2038), ymd(2038, 4, 25));
	/* 2038: Easter Monday is 26 April, the day after Liberazione (which is Easter Sunday). */
	assert_int_equal(cal_day_status(NULL, ymd(2038, 4, 26)), CAL_HOLIDAY);
}

struct named_day {
	int month, day;
	const char *name;
};

static const struct named_day FIXED_HOLIDAYS[] = {
        {1, 1, "Capodanno"},
        {1, 6, "Epifania"},
        {4, 25, "Festa della Liberazione"},
        {5, 1, "Festa del Lavoro"},
        {6, 2, "Festa della Repubblica"},
        {8, 15, "Ferragosto"},
        {11, 1, "Ognissanti"},
        {12, 8, "Immacolata Concezione"},
        {12, 25, "Natale"},
        {12, 26, "Santo Stefano"},
};

static int holidays_in_year(int year)
{
	int n = 0;

	for (agenda_day d = ymd(year, 1, 1); d <= ymd(year, 12, 31); d++)
		n += cal_national_holiday(d, NULL);
	return n;
}

static void every_national_holiday(void **state)
{
	(void)state;
	for (int year = 2008; year <= 2040; year++) {
		for (size_t i = 0; i < sizeof FIXED_HOLIDAYS / sizeof FIXED_HOLIDAYS[0]; i++) {
			const char *name = NULL;

			assert_true(cal_national_holiday(
			        ymd(year, FIXED_HOLIDAYS[i].month, FIXED_HOLIDAYS[i].day), &name));
			assert_string_equal(name, FIXED_HOLIDAYS[i].name);
		}
		/*
		 * Ten fixed days, Easter Sunday and Monday, and 4 October from 2026; in 2011
		 * Easter Monday and in 2038 Easter Sunday fall on 25 April, one day fewer.
		 */
		assert_int_equal(holidays_in_year(year),
		                 (year >= 2026 ? 13 : 12) - (year == 2011 || year == 2038));
	}
	/* Working days next to holidays stay working days. */
	assert_false(cal_national_holiday(ymd(2026, 1, 2), NULL));
	assert_false(cal_national_holiday(ymd(2026, 12, 24), NULL));
	assert_false(cal_national_holiday(ymd(2026, 12, 31), NULL));
	assert_false(cal_national_holiday(ymd(2026, 8, 14), NULL));
	assert_int_equal(cal_day_status(NULL, ymd(2026, 12, 24)), CAL_OPEN); /* Thursday */
	assert_int_equal(cal_day_status(NULL, ymd(2026, 12, 25)), CAL_HOLIDAY);
}

static void four_october_from_2026(void **state)
{
	(void)state;
	const char *name = NULL;
	struct cal_rules roma = {.patron_month = 6, .patron_day = 29};
	struct cal_rules bologna = {.patron_month = 10, .patron_day = 4};

	assert_false(cal_national_holiday(ymd(2024, 10, 4), &name));
	assert_false(cal_national_holiday(ymd(2025, 10, 4), &name));
	assert_int_equal(cal_day_status(&roma, ymd(2024, 10, 4)), CAL_OPEN); /* Friday */
	assert_true(cal_national_holiday(ymd(2026, 10, 4), &name));
	assert_string_equal(name, "San Francesco d'Assisi e Santa Caterina da Siena");
	assert_true(cal_national_holiday(ymd(2027, 10, 4), NULL));
	assert_true(cal_national_holiday(ymd(2040, 10, 4), NULL));
	assert_int_equal(cal_day_status(&roma, ymd(2027, 10, 4)), CAL_HOLIDAY); /* Monday */
	/* Bologna's San Petronio: its patron day before 2026, a national holiday after. */
	assert_int_equal(cal_day_status(&bologna, ymd(2024, 10, 4)), CAL_PATRON);
	assert_int_equal(cal_day_status(&bologna, ymd(2027, 10, 4)), CAL_HOLIDAY);
}

static void weekends_closed(void **state)
{
	(void)state;
	struct cal_rules rules = {0};

	assert_int_equal(cal_day_status(&rules, ymd(2026, 5, 9)), CAL_WEEKEND);  /* Saturday */
	assert_int_equal(cal_day_status(&rules, ymd(2026, 5, 10)), CAL_WEEKEND); /* Sunday */
	assert_int_equal(cal_day_status(&rules, ymd(2026, 5, 11)), CAL_OPEN);    /* Monday */
	assert_true(cal_is_open(&rules, ymd(2026, 5, 8)));                       /* Friday */
	assert_false(cal_is_open(&rules, ymd(2026, 5, 9)));
	for (agenda_day d = ymd(2026, 1, 1); d <= ymd(2026, 12, 31); d++)
		if (date_weekday(d) >= 6)
			assert_false(cal_is_open(&rules, d));
}

static void patron_days_of_pilot_cities(void **state)
{
	(void)state;
	static const struct {
		const char *city;
		int month, day;
	} PILOTS[] = {{"Roma", 6, 29}, {"Milano", 12, 7}, {"Bologna", 10, 4}, {"Padova", 6, 13}};
	int month = -1, day = -1;

	for (size_t i = 0; i < sizeof PILOTS / sizeof PILOTS[0]; i++) {
		assert_true(cal_patron_for_city(PILOTS[i].city, &month, &day));
		assert_int_equal(month, PILOTS[i].month);
		assert_int_equal(day, PILOTS[i].day);
	}
	assert_true(cal_patron_for_city("  MILANO ", &month, &day));
	assert_int_equal(month, 12);
	assert_true(cal_patron_for_city("roma", NULL, NULL));
	assert_true(cal_patron_for_city("Napoli", &month, &day));
	assert_int_equal(month, 9);
	assert_int_equal(day, 19);
	assert_true(cal_patron_for_city("la spezia", &month, &day));
	assert_false(cal_patron_for_city("Atlantide", &month, &day));
	assert_false(cal_patron_for_city("", &month, &day));
	assert_false(cal_patron_for_city(NULL, &month, &day));
	assert_false(cal_patron_for_city("Rom", &month, &day));
	assert_false(cal_patron_for_city("Romaa", &month, &day));

	/* The rules close the patron day and only in that city. */
	struct cal_rules roma = {.patron_month = 6, .patron_day = 29};
	struct cal_rules milano = {.patron_month = 12, .patron_day = 7};
	struct cal_rules padova = {.patron_month = 6, .patron_day = 13};

	assert_int_equal(cal_day_status(&roma, ymd(2026, 6, 29)), CAL_PATRON); /* Monday */
	assert_int_equal(cal_day_status(&milano, ymd(2026, 6, 29)), CAL_OPEN);
	assert_int_equal(cal_day_status(&milano, ymd(2026, 12, 7)), CAL_PATRON); /* Monday */
	assert_int_equal(cal_day_status(&roma, ymd(2026, 12, 7)), CAL_OPEN);
	assert_int_equal(cal_day_status(&padova, ymd(2025, 6, 13)), CAL_PATRON); /* Friday */
	/* A patron day on a Saturday still reads as the patron day. */
	assert_int_equal(cal_day_status(&padova, ymd(2026, 6, 13)), CAL_PATRON);
}

static void exceptions_override(void **state)
{
	(void)state;
	const struct cal_exception ex[] = {
	        {ymd(2026, 5, 9), true},   /* Saturday opened */
	        {ymd(2026, 5, 12), false}, /* Tuesday closed */
	        {ymd(2026, 5, 17), false}, /* Sunday closed explicitly */
	        {ymd(2026, 5, 20), true},  /* ordinary Wednesday "opened": still just open */
	        {ymd(2026, 6, 2), true},   /* Festa della Repubblica opened */
	        {ymd(2026, 6, 29), true},  /* Roma's patron day opened */
	};
	struct cal_rules roma = {.patron_month = 6,
	                         .patron_day = 29,
	                         .exceptions = ex,
	                         .exception_count = sizeof ex / sizeof ex[0]};

	assert_int_equal(cal_day_status(&roma, ymd(2026, 5, 9)), CAL_OPEN_EXTRA);
	assert_true(cal_is_open(&roma, ymd(2026, 5, 9)));
	assert_int_equal(cal_day_status(&roma, ymd(2026, 5, 10)), CAL_WEEKEND);
	assert_int_equal(cal_day_status(&roma, ymd(2026, 5, 11)), CAL_OPEN);
	assert_int_equal(cal_day_status(&roma, ymd(2026, 5, 12)), CAL_CLOSURE);
	assert_false(cal_is_open(&roma, ymd(2026, 5, 12)));
	assert_int_equal(cal_day_status(&roma, ymd(2026, 5, 13)), CAL_OPEN);
	assert_int_equal(cal_day_status(&roma, ymd(2026, 5, 17)), CAL_CLOSURE);
	assert_int_equal(cal_day_status(&roma, ymd(2026, 5, 20)), CAL_OPEN);
	assert_int_equal(cal_day_status(&roma, ymd(2026, 6, 2)), CAL_OPEN_EXTRA);
	assert_int_equal(cal_day_status(&roma, ymd(2026, 6, 29)), CAL_OPEN_EXTRA);
	assert_int_equal(cal_day_status(&roma, ymd(2027, 6, 29)), CAL_PATRON); /* next year */

	/* No exceptions, or a NULL array, change nothing. */
	roma.exceptions = NULL;
	assert_int_equal(cal_day_status(&roma, ymd(2026, 5, 12)), CAL_OPEN);
	roma.exceptions = ex;
	roma.exception_count = 0;
	assert_int_equal(cal_day_status(&roma, ymd(2026, 5, 9)), CAL_WEEKEND);
}

static void many_exceptions_binary_search(void **state)
{
	(void)state;
	enum { N = 1001 };
	static struct cal_exception ex[N];
	agenda_day base = ymd(2026, 1, 1);
	struct cal_rules rules = {.exceptions = ex, .exception_count = N};

	/* Every third day an exception, alternately a closure and an opening. */
	for (int i = 0; i < N; i++)
		ex[i] = (struct cal_exception){base + 3 * i, i % 2 == 1};
	for (int i = 0; i < N; i++) {
		agenda_day d = base + 3 * i;
		enum cal_status want = i % 2 == 0 ? CAL_CLOSURE
		                       : date_weekday(d) >= 6 || cal_national_holiday(d, NULL)
		                               ? CAL_OPEN_EXTRA
		                               : CAL_OPEN;

		assert_int_equal(cal_day_status(&rules, d), want);
		/* The days between are untouched. */
		assert_int_not_equal(cal_day_status(&rules, d + 1), CAL_CLOSURE);
		assert_int_not_equal(cal_day_status(&rules, d + 1), CAL_OPEN_EXTRA);
	}
	assert_int_not_equal(cal_day_status(&rules, base - 1), CAL_CLOSURE);
}

static void status_names(void **state)
{
	(void)state;
	assert_string_equal(cal_status_name(CAL_OPEN), "open");
	assert_string_equal(cal_status_name(CAL_OPEN_EXTRA), "open_extra");
	assert_string_equal(cal_status_name(CAL_WEEKEND), "weekend");
	assert_string_equal(cal_status_name(CAL_HOLIDAY), "holiday");
	assert_string_equal(cal_status_name(CAL_PATRON), "patron");
	assert_string_equal(cal_status_name(CAL_CLOSURE), "closure");
	assert_string_equal(cal_status_name((enum cal_status)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(easter_monday_2020_2040),
	        cmocka_unit_test(easter_extremes),
	        cmocka_unit_test(every_national_holiday),
	        cmocka_unit_test(four_october_from_2026),
	        cmocka_unit_test(weekends_closed),
	        cmocka_unit_test(patron_days_of_pilot_cities),
	        cmocka_unit_test(exceptions_override),
	        cmocka_unit_test(many_exceptions_binary_search),
	        cmocka_unit_test(status_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
