/*
 * clock.c — system and fixed clocks, Italian civil time of an instant (italian_time.c, never the
 * process's TZ), AGENDA_NOW parsing.
 */
#include "platform/clock.h"
#include "platform/italian_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLOCK_EPOCH_LIMIT (INT64_C(1) << 40)

static int64_t system_now(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

static int64_t fixed_now(void *ctx)
{
	return *(const int64_t *)ctx;
}

agenda_clock clock_system(void)
{
	return (agenda_clock){.now = system_now, .ctx = NULL};
}

agenda_clock clock_fixed(int64_t *seconds)
{
	return (agenda_clock){.now = fixed_now, .ctx = seconds};
}

void clock_use_italian_time(void)
{
	const char *tz = getenv("TZ");

	if (!tz || !*tz)
		setenv("TZ", CLOCK_ITALIAN_ZONE, 1);
	tzset();
}

void clock_local(int64_t epoch, agenda_day *day, int *minute_of_day)
{
	int64_t local, d;

	/* Out of any sensible range (tens of thousands of years): say the epoch's day. */
	if (epoch < -CLOCK_EPOCH_LIMIT || epoch > CLOCK_EPOCH_LIMIT)
		epoch = 0;
	local = epoch + italian_utc_offset(epoch);
	/* Round down, so an instant before 1970 falls on its own day, not the next. */
	d = local / 86400 - (local % 86400 < 0);
	if (day)
		*day = (agenda_day)d;
	if (minute_of_day)
		*minute_of_day = (int)((local - d * 86400) / 60);
}

int64_t clock_epoch_of(agenda_day day, int minute_of_day)
{
	return italian_epoch_of_local((int64_t)day * 86400 + (int64_t)minute_of_day * 60);
}

agenda_err clock_from_env(agenda_clock *out, int64_t *storage)
{
	const char *v = getenv(CLOCK_ENV);

	if (!v || !*v) {
		*out = clock_system();
		return AG_OK;
	}
	if (v[0] == '@') {
		char *end;
		long long e = strtoll(v + 1, &end, 10);

		/* 1900..2199, the calendar's range */
		if (end == v + 1 || *end || e < -2208988800LL || e > 7258118399LL)
			return AG_ERR_INVALID;
		*storage = (int64_t)e;
	} else {
		char date[DATE_TEXT_MAX];
		int hh, mm, ss, n = 0;
		agenda_day day;

		if (sscanf(v, "%10[0-9-]T%2d:%2d:%2d%n", date, &hh, &mm, &ss, &n) != 4 || v[n] ||
		    !date_parse(date, &day) || hh > 23 || mm > 59 || ss > 59 || hh < 0 || mm < 0 ||
		    ss < 0)
			return AG_ERR_INVALID;
		*storage = clock_epoch_of(day, hh * 60 + mm) + ss;
	}
	*out = clock_fixed(storage);
	return AG_OK;
}
