/*
 * calendar.h — when a Questura is open: the Italian working calendar.
 *
 * Closed: Saturdays and Sundays, the national holidays of the year asked (Easter Monday computed),
 * the patron saint's day of the Questura's city, and explicit closures. Explicit extra opening
 * days override all of these. Pure: rules come in as data, nothing is read from disk.
 */
#ifndef AGENDA_CORE_CALENDAR_H
#define AGENDA_CORE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"

/* One per-Questura exception: a closure (open == false) or an extra opening day. */
struct cal_exception {
	agenda_day day;
	bool open;
};

/* Everything that decides one Questura's open days. */
struct cal_rules {
	int patron_month; /* 1..12, or 0 when the city has none on file */
	int patron_day;
	const struct cal_exception *exceptions; /* sorted by day, at most one per day */
	size_t exception_count;
};

enum cal_status {
	CAL_OPEN = 0,
	CAL_OPEN_EXTRA, /* a normally closed day opened explicitly */
	CAL_WEEKEND,
	CAL_HOLIDAY, /* national holiday */
	CAL_PATRON,  /* the city's patron saint */
	CAL_CLOSURE  /* explicit closure */
};

/* Easter Sunday of a Gregorian year (anonymous Gregorian algorithm). */
agenda_day cal_easter_sunday(int year);

/* True when d is an Italian national holiday; *name (may be NULL) gets its Italian name. */
bool cal_national_holiday(agenda_day d, const char **name);

/*
 * Why d is open or closed for these rules (rules may be NULL: national calendar only).
 * An exception decides alone: a closure gives CAL_CLOSURE on any day, an opening gives
 * CAL_OPEN_EXTRA on a day that would be closed (CAL_OPEN otherwise). Without one, the most
 * telling reason wins: holiday, then patron, then weekend (Easter Sunday is CAL_HOLIDAY).
 */
enum cal_status cal_day_status(const struct cal_rules *rules, agenda_day d);

/* Stable English identifier of a status, for logs and --json ("holiday", "patron", ...). */
const char *cal_status_name(enum cal_status status);

static inline bool cal_is_open(const struct cal_rules *rules, agenda_day d)
{
	enum cal_status s = cal_day_status(rules, d);
	return s == CAL_OPEN || s == CAL_OPEN_EXTRA;
}

/*
 * The patron saint's day of a Questura's city ("Roma", "milano", ...); false if not on file.
 * Case-insensitive, surrounding spaces ignored; month and day may be NULL. The table holds only
 * cities known for certain; other Questure carry their patron day in their own record.
 */
bool cal_patron_for_city(const char *city, int *month, int *day);

#endif
