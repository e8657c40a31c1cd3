/*
 * date.h — civil dates as day numbers, the one date type of the project.
 *
 * A date is an int32 count of days since 1970-01-01 in the proleptic Gregorian calendar, so
 * "next day" is +1 and comparisons are integer ones. A time of day is minutes since midnight,
 * local (Italian) time. Pure: no time zone, no clock, no I/O.
 */
#ifndef AGENDA_CORE_DATE_H
#define AGENDA_CORE_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/messages.h"

typedef int32_t agenda_day;

#define DATE_TEXT_MAX 11 /* "2026-05-04" + NUL */

agenda_day date_from_ymd(int year, int month, int day);
void date_to_ymd(agenda_day d, int *year, int *month, int *day);

/* ISO weekday: 1 = Monday ... 7 = Sunday. */
int date_weekday(agenda_day d);

/* True when year/month/day name a real date (1900..2199). */
bool date_ymd_valid(int year, int month, int day);

/* Parses "2026-05-04" or "04/05/2026" (Italian day/month/year); false on anything else. */
bool date_parse(const char *text, agenda_day *out);

/* "2026-05-04" into out (at least DATE_TEXT_MAX bytes). */
void date_format(agenda_day d, char *out, size_t size);

/* "lunedì 4 maggio 2026" / "Monday 4 May 2026". */
void date_format_long(agenda_day d, agenda_lang lang, char *out, size_t size);

/* "09:30" from minutes since midnight; parses "9:30"/"09:30" back (false when malformed). */
void time_format(int minute_of_day, char *out, size_t size);
bool time_parse(const char *text, int *minute_of_day);

#endif
