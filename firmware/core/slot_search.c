/*
 * slot_search.c — the earliest free held slot on an open day, with why the date moved.
 *
 * The caller's next_free jumps straight to the next day holding a free slot, so a search costs
 * one call per candidate day with capacity (plus calendar lookups over the days passed), not one
 * per day or per slot. Slots on days the calendar closes (a closure added after capacity was
 * granted) are passed over. Never invents capacity: every result came from next_free.
 */
#include "core/slot_search.h"

#include <stdint.h>
#include <string.h>

/* Nothing to report for days before first_tried: those are the lead, not a deferral. */
static void count_passed_days(const struct cal_rules *rules, struct sched_result *out)
{
	for (agenda_day d = out->first_tried; d < out->slot.day; d++) {
		if (cal_is_open(rules, d))
			out->days_full++;
		else
			out->days_closed++;
	}
}

/* The lead-th open day after today (lead 0: today if open), or last + 1 when beyond last. */
static agenda_day first_open_day(const struct cal_rules *rules, agenda_day today, int lead,
                                 agenda_day last)
{
	agenda_day d = today;
	int open_seen = 0;

	if (lead > 0)
		d++;
	for (; d <= last; d++) {
		if (!cal_is_open(rules, d))
			continue;
		if (lead == 0 || ++open_seen == lead)
			return d;
	}
	return last + 1;
}

static bool request_ok(const struct sched_request *req, const struct sched_result *out)
{
	return req && out && req->calendar && req->lead_open_days >= 0 && req->horizon_days >= 0 &&
	       req->horizon_days <= SCHED_MAX_HORIZON_DAYS &&
	       req->today <= INT32_MAX - SCHED_MAX_HORIZON_DAYS - 1;
}

agenda_err sched_find(const struct sched_request *req, struct sched_result *out, agenda_detail *why)
{
	agenda_day last, d;
	char last_text[DATE_TEXT_MAX];

	agenda_detail_clear(why);
	if (out)
		memset(out, 0, sizeof *out);
	if (!request_ok(req, out) || !req->next_free) {
		agenda_detail_set(why, MSG_SCHED_USAGE, SCHED_MAX_HORIZON_DAYS);
		return AG_ERR_USAGE;
	}
	last = req->today + req->horizon_days;
	d = first_open_day(req->calendar, req->today, req->lead_open_days, last);
	out->first_tried = d;
	while (d <= last) {
		struct sched_free_slot slot;

		if (!req->next_free(req->ctx, d, last, &slot) || slot.day > last)
			break;
		if (slot.day < d) {
			/* A next_free that goes backwards would loop forever: refuse it. */
			memset(out, 0, sizeof *out);
			agenda_detail_set(why, MSG_SCHED_BAD_SOURCE);
			return AG_ERR_USAGE;
		}
		if (cal_is_open(req->calendar, slot.day)) {
			out->slot = slot;
			out->deferred = slot.day > out->first_tried;
			count_passed_days(req->calendar, out);
			return AG_OK;
		}
		d = slot.day + 1;
	}
	date_format(last, last_text, sizeof last_text);
	agenda_detail_set(why, MSG_SCHED_NO_CAPACITY, last_text, req->horizon_days);
	return AG_ERR_NO_CAPACITY;
}

agenda_err sched_accept(const struct sched_request *req, const struct sched_free_slot *slot,
                        struct sched_result *out, agenda_detail *why)
{
	agenda_day last;

	agenda_detail_clear(why);
	if (out)
		memset(out, 0, sizeof *out);
	if (!request_ok(req, out) || !slot) {
		agenda_detail_set(why, MSG_SCHED_USAGE, SCHED_MAX_HORIZON_DAYS);
		return AG_ERR_USAGE;
	}
	last = req->today + req->horizon_days;
	out->first_tried = first_open_day(req->calendar, req->today, req->lead_open_days, last);
	if (slot->day < out->first_tried || slot->day > last ||
	    !cal_is_open(req->calendar, slot->day)) {
		memset(out, 0, sizeof *out);
		return AG_ERR_NOT_FOUND;
	}
	out->slot = *slot;
	out->deferred = slot->day > out->first_tried;
	count_passed_days(req->calendar, out);
	return AG_OK;
}
