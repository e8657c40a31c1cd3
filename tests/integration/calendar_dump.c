/*
 * calendar_dump.c — prints the closed working days of a city's calendar, for the oracle test.
 *
 * Usage: calendar_dump CITY FROM_YEAR TO_YEAR
 * One line per Monday-to-Friday day that cal_day_status closes: "YYYY-MM-DD STATUS NAME",
 * STATUS being cal_status_name() and NAME the holiday's Italian name (or "patrono").
 * Weekends are left out: the oracle (python3-holidays) compares holidays, not weekends.
 * The city's patron day comes from cal_patron_for_city; exit 2 when the city is not on file.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/calendar.h"

int main(int argc, char **argv)
{
	struct cal_rules rules = {0};
	int from, to;

	if (argc != 4) {
		fprintf(stderr, "usage: calendar_dump CITY FROM_YEAR TO_YEAR\n");
		return 2;
	}
	from = atoi(argv[2]);
	to = atoi(argv[3]);
	if (from < 1900 || to > 2199 || from > to) {
		fprintf(stderr, "calendar_dump: years must be 1900..2199, FROM <= TO\n");
		return 2;
	}
	if (!cal_patron_for_city(argv[1], &rules.patron_month, &rules.patron_day)) {
		fprintf(stderr, "calendar_dump: no patron day on file for \"%s\"\n", argv[1]);
		return 2;
	}
	for (agenda_day d = date_from_ymd(from, 1, 1); d <= date_from_ymd(to, 12, 31); d++) {
		enum cal_status status = cal_day_status(&rules, d);
		const char *name = "patrono";
		char text[DATE_TEXT_MAX];

		if (date_weekday(d) >= 6 || cal_is_open(&rules, d))
			continue;
		if (status == CAL_HOLIDAY)
			cal_national_holiday(d, &name);
		date_format(d, text, sizeof text);
		printf("%s %s %s\n", text, cal_status_name(status), name);
	}
	return 0;
}
