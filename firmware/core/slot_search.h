/*
 * slot_search.h — pick the appointment date: the earliest free slot this device holds.
 *
 * The search starts at the first open day after a minimum lead (in open days) from today and
 * walks forward over the Questura's calendar: a day with no free held slot ("full") or a closed
 * day moves it to the next open day, up to a horizon. It never invents capacity: slots come only
 * from the caller's next_free function (the store's held slots, or an array in tests and
 * benchmarks). The result says whether and why the date was deferred, for the screen and slip.
 */
#ifndef AGENDA_CORE_SLOT_SEARCH_H
#define AGENDA_CORE_SLOT_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/error.h"

struct sched_free_slot {
	agenda_day day;
	int minute; /* minutes since midnight */
	int64_t slot_id;
};

/*
 * The earliest free held slot with from <= day <= until (earliest minute on that day), into *out.
 * Returns false when there is none. May return slots on days the calendar says are closed
 * (a closure added after the capacity); the search skips those.
 */
typedef bool (*sched_next_free_fn)(void *ctx, agenda_day from, agenda_day until,
                                   struct sched_free_slot *out);

#define SCHED_DEFAULT_LEAD_OPEN_DAYS 1
#define SCHED_DEFAULT_HORIZON_DAYS   90
#define SCHED_MAX_HORIZON_DAYS       3660 /* ten years: a larger horizon is a caller's mistake */

struct sched_request {
	agenda_day today;
	int lead_open_days; /* 0 = today if open; 1 = the next open day after today (default) */
	int horizon_days;   /* last day considered is today + horizon_days */
	const struct cal_rules *calendar;
	sched_next_free_fn next_free;
	void *ctx;
};

struct sched_result {
	struct sched_free_slot slot;
	agenda_day first_tried; /* the first open day on or after the lead */
	bool deferred;          /* slot.day > first_tried */
	int days_full;          /* open days in [first_tried, slot.day) with no free slot */
	int days_closed;        /* closed days in (first_tried, slot.day) passed over */
};

/*
 * AG_OK with *out filled; AG_ERR_NO_CAPACITY when no free slot lies on an open day within the
 * horizon (detail says up to which date); AG_ERR_USAGE on a negative lead or horizon, a horizon
 * over SCHED_MAX_HORIZON_DAYS, a NULL request, result, calendar or next_free, or a next_free that
 * returns a day before the one asked. On failure *out is zeroed, except that with
 * AG_ERR_NO_CAPACITY out->first_tried still names the first day tried (today + horizon + 1 when
 * the lead itself reaches past the horizon).
 */
agenda_err sched_find(const struct sched_request *req, struct sched_result *out,
                      agenda_detail *why);

/*
 * Whether a slot proposed earlier may still be booked under the same request: on an open day, not
 * before the first day after the lead, within the horizon (the caller checked it is still free
 * and held). AG_OK with *out filled as sched_find fills it (deferred when later than the first
 * day tried); AG_ERR_NOT_FOUND when it may not; AG_ERR_USAGE as sched_find (next_free unused).
 */
agenda_err sched_accept(const struct sched_request *req, const struct sched_free_slot *slot,
                        struct sched_result *out, agenda_detail *why);

#endif
