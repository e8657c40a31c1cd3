/*
 * italian_time.c — the Europe/Rome offset from the EU summer-time rules (see italian_time.h).
 */
#include "platform/italian_time.h"

#include "core/date.h"

#define HOUR     3600
#define DAY_SECS 86400

/* The last Sunday of a month (March, September or October: never December). */
static int64_t last_sunday(int year, int month)
{
	agenda_day last = date_from_ymd(year, month + 1, 1) - 1;

	return last - date_weekday(last) % 7;
}

/* The first Sunday on or after the 1st of a month. */
static int64_t first_sunday(int year, int month)
{
	agenda_day first = date_from_ymd(year, month, 1);

	return first + (7 - date_weekday(first)) % 7;
}

/* Days before 1970-01-01 round down, so 1969-12-31 23:00 UTC is day -1. */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int italian_utc_offset(int64_t epoch)
{
	int64_t utc_day = floor_div(epoch, DAY_SECS), start, end;
	int year, month, day;

	/* Beyond the calendar's range (1900..2199) the rules are not ours to guess. */
	if (utc_day < date_from_ymd(1900, 1, 1) || utc_day > date_from_ymd(2199, 12, 31))
		return HOUR;
	date_to_ymd((agenda_day)utc_day, &year, &month, &day);
	if (year < 1980)
		return HOUR;
	/* EEC directives: 1980 began on the first Sunday of April; until 1995 summer ended on
	 * the last Sunday of September, from 1996 on the last Sunday of October. */
	start = year == 1980 ? first_sunday(year, 4) : last_sunday(year, 3);
	end = year <= 1995 ? last_sunday(year, 9) : last_sunday(year, 10);
	start = start * DAY_SECS + HOUR; /* 01:00 UTC */
	end = end * DAY_SECS + HOUR;
	return epoch >= start && epoch < end ? 2 * HOUR : HOUR;
}

int64_t italian_epoch_of_local(int64_t local_seconds)
{
	int64_t summer = local_seconds - 2 * HOUR;

	if (italian_utc_offset(summer) == 2 * HOUR)
		return summer;
	return local_seconds - HOUR;
}
