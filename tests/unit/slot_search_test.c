/*
 * slot_search_test.c — sched_find over an in-memory list of held slots: deferral over full
 * days, closed days passed over (weekends, holidays, closures), lead time, horizon, misuse,
 * and a randomised comparison against a day-by-day reference search.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/slot_search.h"

#define MAX_SLOTS 4096

struct fake_slot {
	agenda_day day;
	int minute;
	bool free;
};

/* Held slots sorted by day then minute; next_free scans them as the store's query would. */
struct fake_store {
	struct fake_slot slot[MAX_SLOTS];
	int count;
	int calls;
};

static void add_slot(struct fake_store *s, agenda_day day, int minute, bool free)
{
	assert_true(s->count < MAX_SLOTS);
	s->slot[s->count++] = (struct fake_slot){day, minute, free};
}

static bool fake_next_free(void *ctx, agenda_day from, agenda_day until,
                           struct sched_free_slot *out)
{
	struct fake_store *s = ctx;

	s->calls++;
	for (int i = 0; i < s->count; i++) {
		if (s->slot[i].free && s->slot[i].day >= from && s->slot[i].day <= until) {
			*out = (struct sched_free_slot){s->slot[i].day, s->slot[i].minute, i + 1};
			return true;
		}
	}
	return false;
}

static agenda_day ymd(int y, int m, int d)
{
	return date_from_ymd(y, m, d);
}

/* Roma's calendar; 2026-05-04 is a Monday. */
static const struct cal_rules ROMA = {.patron_month = 6, .patron_day = 29};

static struct sched_request request(struct fake_store *s, agenda_day today)
{
	return (struct sched_request){.today = today,
	                              .lead_open_days = SCHED_DEFAULT_LEAD_OPEN_DAYS,
	                              .horizon_days = SCHED_DEFAULT_HORIZON_DAYS,
	                              .calendar = &ROMA,
	                              .next_free = fake_next_free,
	                              .ctx = s};
}

/* One morning of four slots on day, all booked except the one at free_minute (-1: none). */
static void add_day(struct fake_store *s, agenda_day day, int free_minute)
{
	for (int m = 540; m < 600; m += 15)
		add_slot(s, day, m, m == free_minute);
}

static void next_open_day_with_a_free_slot(void **state)
{
	(void)state;
	static struct fake_store s;
	struct sched_request req = request(&s, ymd(2026, 5, 4));
	struct sched_result r;
	agenda_detail why;

	memset(&s, 0, sizeof s);
	add_day(&s, ymd(2026, 5, 4), 540); /* today: not offered with the default lead */
	add_day(&s, ymd(2026, 5, 5), 570);
	assert_int_equal(sched_find(&req, &r, &why), AG_OK);
	assert_int_equal(r.slot.day, ymd(2026, 5, 5));
	assert_int_equal(r.slot.minute, 570);
	assert_int_equal(r.first_tried, ymd(2026, 5, 5));
	assert_false(r.deferred);
	assert_int_equal(r.days_full, 0);
	assert_int_equal(r.days_closed, 0);
	assert_string_equal(why.it, "");
}

static void full_days_defer(void **state)
{
	(void)state;
	static struct fake_store s;
	struct sched_request req = request(&s, ymd(2026, 5, 4));
	struct sched_result r;

	memset(&s, 0, sizeof s);
	add_day(&s, ymd(2026, 5, 5), -1);
	add_day(&s, ymd(2026, 5, 6), -1);
	add_day(&s, ymd(2026, 5, 7), 555);
	assert_int_equal(sched_find(&req, &r, NULL), AG_OK);
	assert_int_equal(r.slot.day, ymd(2026, 5, 7));
	assert_int_equal(r.slot.minute, 555);
	assert_int_equal(r.first_tried, ymd(2026, 5, 5));
	assert_true(r.deferred);
	assert_int_equal(r.days_full, 2);
	assert_int_equal(r.days_closed, 0);
	/* One jump to the free day, not a call per day. */
	assert_int_equal(s.calls, 1);
}

static void weekend_skipped(void **state)
{
	(void)state;
	static struct fake_store s;
	struct sched_request req = request(&s, ymd(2026, 5, 7)); /* Thursday */
	struct sched_result r;

	memset(&s, 0, sizeof s);
	add_day(&s, ymd(2026, 5, 8), -1);  /* Friday, full */
	add_day(&s, ymd(2026, 5, 9), 540); /* Saturday: capacity on a closed day */
	add_day(&s, ymd(2026, 5, 11), 585);
	assert_int_equal(sched_find(&req, &r, NULL), AG_OK);
	assert_int_equal(r.slot.day, ymd(2026, 5, 11));
	assert_int_equal(r.first_tried, ymd(2026, 5, 8));
	assert_true(r.deferred);
	assert_int_equal(r.days_full, 1);
	assert_int_equal(r.days_closed, 2);
}

static void holiday_and_patron_skipped(void **state)
{
	(void)state;
	static struct fake_store s;
	struct sched_request req = request(&s, ymd(2026, 5, 29)); /* Friday */
	struct sched_result r;

	memset(&s, 0, sizeof s);
	add_day(&s, ymd(2026, 6, 1), -1);  /* Monday, full */
	add_day(&s, ymd(2026, 6, 2), 540); /* Festa della Repubblica: free slot skipped */
	add_day(&s, ymd(2026, 6, 3), 585);
	assert_int_equal(sched_find(&req, &r, NULL), AG_OK);
	assert_int_equal(r.slot.day, ymd(2026, 6, 3));
	assert_int_equal(r.first_tried, ymd(2026, 6, 1));
	assert_int_equal(r.days_full, 1);
	assert_int_equal(r.days_closed, 1);

	/* Roma's patron day (Monday 29 June 2026) is passed over the same way. */
	memset(&s, 0, sizeof s);
	req = request(&s, ymd(2026, 6, 25)); /* Thursday */
	add_day(&s, ymd(2026, 6, 26), -1);
	add_day(&s, ymd(2026, 6, 29), 540);
	add_day(&s, ymd(2026, 6, 30), 540);
	assert_int_equal(sched_find(&req, &r, NULL), AG_OK);
	assert_int_equal(r.slot.day, ymd(2026, 6, 30));
	assert_int_equal(r.days_full, 1);
	assert_int_equal(r.days_closed, 3); /* Saturday, Sunday, patron */
}

static void closures_and_openings(void **state)
{
	(void)state;
	static struct fake_store s;
	const struct cal_exception ex[] = {
	        {ymd(2026, 5, 5), false}, /* Tuesday closed after capacity was granted */
	        {ymd(2026, 5, 9), true},  /* Saturday opened */
	};
	const struct cal_rules rules = {.exceptions = ex, .exception_count = 2};
	struct sched_request req = request(&s, ymd(2026, 5, 4));
	struct sched_result r;

	req.calendar = &rules;
	memset(&s, 0, sizeof s);
	add_day(&s, ymd(2026, 5, 5), 540);
	add_day(&s, ymd(2026, 5, 6), 540);
	assert_int_equal(sched_find(&req, &r, NULL), AG_OK);
	assert_int_equal(r.first_tried, ymd(2026, 5, 6)); /* the closure is not an open day */
	assert_int_equal(r.slot.day, ymd(2026, 5, 6));
	assert_false(r.deferred);

	memset(&s, 0, sizeof s);
	req.today = ymd(2026, 5, 7);
	add_day(&s, ymd(2026, 5, 8), -1);
	add_day(&s, ymd(2026, 5, 9), 585);
	assert_int_equal(sched_find(&req, &r, NULL), AG_OK);
	assert_int_equal(r.slot.day, ymd(2026, 5, 9)); /* the opened Saturday */
	assert_int_equal(r.days_full, 1);
	assert_int_equal(r.days_closed, 0);
}

static void lead_time(void **state)
{
	(void)state;
	static struct fake_store s;
	struct sched_request req = request(&s, ymd(2026, 5, 7)); /* Thursday */
	struct sched_result r;

	memset(&s, 0, sizeof s);
	for (agenda_day d = ymd(2026, 5, 7); d <= ymd(2026, 5, 15); d++)
		add_day(&s, d, 540);

	req.lead_open_days = 0;
	assert_int_equal(sched_find(&req, &r, NULL), AG_OK);
	assert_int_equal(r.first_tried, ymd(2026, 5, 7));
	assert_int_equal(r.slot.day, ymd(2026, 5, 7));

	req.lead_open_days = 1;
	assert_int_equal(sched_find(&req, &r, NULL), AG_OK);
	assert_int_equal(r.slot.day, ymd(2026, 5, 8));

	req.lead_open_days = 2; /* Friday is the first, Monday the second open day */
	assert_int_equal(sched_find(&req, &r, NULL), AG_OK);
	assert_int_equal(r.first_tried, ymd(2026, 5, 11));
	assert_int_equal(r.slot.day, ymd(2026, 5, 11));
	assert_false(r.deferred);
	assert_int_equal(r.days_closed, 0); /* the weekend was lead, not deferral */

	req.lead_open_days = 0; /* today a Saturday: the next open day */
	req.today = ymd(2026, 5, 9);
	assert_int_equal(sched_find(&req, &r, NULL), AG_OK);
	assert_int_equal(r.first_tried, ymd(2026, 5, 11));
	assert_int_equal(r.slot.day, ymd(2026, 5, 11));
}

static void horizon_exhausted(void **state)
{
	(void)state;
	static struct fake_store s;
	struct sched_request req = request(&s, ymd(2026, 5, 4));
	struct sched_result r;
	agenda_detail why;

	memset(&s, 0, sizeof s);
	req.horizon_days = 30; /* last day: 2026-06-03 */
	for (agenda_day d = ymd(2026, 5, 5); d <= ymd(2026, 6, 3); d++)
		add_day(&s, d, -1);
	add_day(&s, ymd(2026, 6, 4), 540); /* the first free slot is one day too late */
	assert_int_equal(sched_find(&req, &r, &why), AG_ERR_NO_CAPACITY);
	assert_non_null(strstr(why.it, "2026-06-03"));
	assert_non_null(strstr(why.en, "2026-06-03"));
	assert_int_equal(r.slot.slot_id, 0);
	assert_int_equal(r.first_tried, ymd(2026, 5, 5));

	req.horizon_days = 31; /* now it is inside */
	assert_int_equal(sched_find(&req, &r, &why), AG_OK);
	assert_int_equal(r.slot.day, ymd(2026, 6, 4));
	assert_int_equal(r.days_full, 21);
	assert_int_equal(r.days_closed, 9); /* four weekends and 2 June: 21 + 9 = 30 days */

	/* Free capacity only on closed days is no capacity. */
	memset(&s, 0, sizeof s);
	add_day(&s, ymd(2026, 5, 9), 540);
	add_day(&s, ymd(2026, 6, 2), 540);
	req.horizon_days = 60;
	assert_int_equal(sched_find(&req, &r, &why), AG_ERR_NO_CAPACITY);
	assert_non_null(strstr(why.it, "2026-07-03"));

	/* A lead longer than the horizon: nothing to search. */
	req.lead_open_days = 5;
	req.horizon_days = 3;
	assert_int_equal(sched_find(&req, &r, &why), AG_ERR_NO_CAPACITY);
	assert_non_null(strstr(why.it, "2026-05-07"));

	/* Horizon 0 with lead 0: today only. */
	memset(&s, 0, sizeof s);
	add_day(&s, ymd(2026, 5, 4), 540);
	req.lead_open_days = 0;
	req.horizon_days = 0;
	assert_int_equal(sched_find(&req, &r, &why), AG_OK);
	assert_int_equal(r.slot.day, ymd(2026, 5, 4));
}

static bool backwards_next_free(void *ctx, agenda_day from, agenda_day until,
                                struct sched_free_slot *out)
{
	(void)ctx;
	(void)until;
	*out = (struct sched_free_slot){from - 1, 540, 1};
	return true;
}

static void misuse(void **state)
{
	(void)state;
	static struct fake_store s;
	struct sched_request req = request(&s, ymd(2026, 5, 4));
	struct sched_result r;
	agenda_detail why;

	memset(&s, 0, sizeof s);
	req.lead_open_days = -1;
	assert_int_equal(sched_find(&req, &r, &why), AG_ERR_USAGE);
	assert_true(why.it[0] != '\0');
	req.lead_open_days = 1;
	req.horizon_days = -1;
	assert_int_equal(sched_find(&req, &r, &why), AG_ERR_USAGE);
	req.horizon_days = SCHED_MAX_HORIZON_DAYS + 1;
	assert_int_equal(sched_find(&req, &r, &why), AG_ERR_USAGE);
	req.horizon_days = 90;
	assert_int_equal(sched_find(NULL, &r, &why), AG_ERR_USAGE);
	assert_int_equal(sched_find(&req, NULL, &why), AG_ERR_USAGE);
	req.calendar = NULL;
	assert_int_equal(sched_find(&req, &r, &why), AG_ERR_USAGE);
	req.calendar = &ROMA;
	req.next_free = NULL;
	assert_int_equal(sched_find(&req, &r, NULL), AG_ERR_USAGE);
	req.next_free = backwards_next_free;
	assert_int_equal(sched_find(&req, &r, &why), AG_ERR_USAGE);
	assert_int_equal(r.first_tried, 0);
}

/* Reference: day by day from the first open day after the lead, the first free minute. */
/* A slot proposed earlier: accepted on an open day within lead and horizon, as find reports. */
static void accept_checks_day_not_availability(void **state)
{
	struct sched_request req = request(NULL, ymd(2026, 5, 4)); /* Monday */
	struct sched_free_slot slot = {ymd(2026, 5, 6), 540, 7};   /* Wednesday */
	struct sched_result r;

	(void)state;
	req.next_free = NULL; /* accept never asks the store */
	assert_int_equal(sched_accept(&req, &slot, &r, NULL), AG_OK);
	assert_int_equal(r.slot.slot_id, 7);
	assert_int_equal(r.first_tried, ymd(2026, 5, 5));
	assert_true(r.deferred);
	assert_int_equal(r.days_full, 1);
	slot.day = ymd(2026, 5, 5); /* the first day after the lead */
	assert_int_equal(sched_accept(&req, &slot, &r, NULL), AG_OK);
	assert_false(r.deferred);
	slot.day = ymd(2026, 5, 4); /* today: inside the lead */
	assert_int_equal(sched_accept(&req, &slot, &r, NULL), AG_ERR_NOT_FOUND);
	assert_int_equal(r.slot.slot_id, 0);
	slot.day = ymd(2026, 5, 9); /* Saturday */
	assert_int_equal(sched_accept(&req, &slot, &r, NULL), AG_ERR_NOT_FOUND);
	slot.day = ymd(2026, 6, 29); /* Roma's patron */
	assert_int_equal(sched_accept(&req, &slot, &r, NULL), AG_ERR_NOT_FOUND);
	slot.day = ymd(2026, 5, 4) + SCHED_DEFAULT_HORIZON_DAYS + 1;
	assert_int_equal(sched_accept(&req, &slot, &r, NULL), AG_ERR_NOT_FOUND);
	assert_int_equal(sched_accept(&req, NULL, &r, NULL), AG_ERR_USAGE);
	req.horizon_days = -1;
	assert_int_equal(sched_accept(&req, &slot, &r, NULL), AG_ERR_USAGE);
}

static agenda_err reference_find(const struct sched_request *req, struct fake_store *s,
                                 struct sched_result *out)
{
	agenda_day last = req->today + req->horizon_days, d = req->today;
	int seen = 0;

	memset(out, 0, sizeof *out);
	if (req->lead_open_days > 0)
		d++;
	for (; d <= last; d++)
		if (cal_is_open(req->calendar, d) &&
		    (req->lead_open_days == 0 || ++seen == req->lead_open_days))
			break;
	out->first_tried = d;
	for (; d <= last; d++) {
		if (!cal_is_open(req->calendar, d)) {
			out->days_closed += d != out->first_tried;
			continue;
		}
		for (int i = 0; i < s->count; i++) {
			if (s->slot[i].day == d && s->slot[i].free) {
				out->slot = (struct sched_free_slot){d, s->slot[i].minute, i + 1};
				out->deferred = d > out->first_tried;
				return AG_OK;
			}
		}
		out->days_full++;
	}
	return AG_ERR_NO_CAPACITY;
}

static void matches_reference_and_is_deterministic(void **state)
{
	(void)state;
	static struct fake_store s;
	unsigned seed = 2026;
	int found = 0;

	for (int round = 0; round < 300; round++) {
		struct cal_exception ex[8];
		struct cal_rules rules = {.patron_month = 6, .patron_day = 29, .exceptions = ex};
		agenda_day start = ymd(2026, 1, 1) + (agenda_day)(round * 7 % 360);
		struct sched_request req = request(&s, start);
		struct sched_result got, again, want;
		agenda_err err;

		memset(&s, 0, sizeof s);
		for (int i = 0; i < 8; i++) {
			seed = seed * 1103515245u + 12345u;
			ex[i] = (struct cal_exception){start + 5 * i + (int)((seed >> 16) % 5),
			                               (seed >> 20) % 3 == 0};
		}
		rules.exception_count = 8;
		for (agenda_day d = start; d < start + 60; d++)
			for (int m = 540; m < 720; m += 30) {
				seed = seed * 1103515245u + 12345u;
				add_slot(&s, d, m, (seed >> 16) % 100 < 3);
			}
		req.calendar = &rules;
		req.lead_open_days = round % 4;
		req.horizon_days = 20 + round % 50;
		err = sched_find(&req, &got, NULL);
		assert_int_equal(err, reference_find(&req, &s, &want));
		assert_int_equal(sched_find(&req, &again, NULL), err);
		assert_memory_equal(&got, &again, sizeof got);
		if (err != AG_OK)
			continue;
		found++;
		assert_int_equal(got.slot.day, want.slot.day);
		assert_int_equal(got.slot.minute, want.slot.minute);
		assert_int_equal(got.slot.slot_id, want.slot.slot_id);
		assert_int_equal(got.first_tried, want.first_tried);
		assert_int_equal(got.deferred, want.deferred);
		assert_int_equal(got.days_full, want.days_full);
		assert_int_equal(got.days_closed, want.days_closed);
	}
	assert_true(found > 100); /* the rounds exercise both outcomes */
	assert_true(found < 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(next_open_day_with_a_free_slot),
	        cmocka_unit_test(full_days_defer),
	        cmocka_unit_test(weekend_skipped),
	        cmocka_unit_test(holiday_and_patron_skipped),
	        cmocka_unit_test(closures_and_openings),
	        cmocka_unit_test(lead_time),
	        cmocka_unit_test(horizon_exhausted),
	        cmocka_unit_test(misuse),
	        cmocka_unit_test(accept_checks_day_not_availability),
	        cmocka_unit_test(matches_reference_and_is_deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
