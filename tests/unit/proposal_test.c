/*
 * proposal_test.c — the proposal is a value (invariant I8): confirm books exactly the slot,
 * date and time the operator read out, or books nothing and returns a new proposal. Two
 * counters on one Questura, a closure announced meanwhile, a slot re-created under the same id
 * at another time, a day that became too near, a practice booked meanwhile at another counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

static const agenda_day MAY4 = 20577; /* Monday 4 May 2026, the fixture's today */

static void confirm_books_exactly_the_proposal(void **state)
{
	struct fixture *f = *state;
	struct booking prop, b;

	fixture_capacity(f, MAY4, 10, 2);
	assert_int_equal(booking_propose(&f->ctx, &f->op, f->practice_lavoro, NULL, &prop, NULL),
	                 AG_OK);
	/* Meanwhile a slot earlier than the proposal's frees up: the proposal still stands. */
	assert_int_equal(fixture_sql(f, "UPDATE slot SET state = 'booked' WHERE day = 20578"),
	                 SQLITE_OK);
	assert_int_equal(booking_propose(&f->ctx, &f->op, f->practice_lavoro, NULL, &prop, NULL),
	                 AG_OK);
	assert_int_equal(prop.day, MAY4 + 2);
	assert_int_equal(fixture_sql(f, "UPDATE slot SET state = 'free' WHERE day = 20578"),
	                 SQLITE_OK);
	assert_int_equal(booking_confirm_proposal(&f->ctx, &f->op, &prop, NULL, &b, NULL), AG_OK);
	assert_false(b.existing);
	assert_int_equal(b.slot_id, prop.slot_id);
	assert_int_equal(b.day, prop.day);
	assert_int_equal(b.minute, prop.minute);
	assert_true(b.deferred); /* later than the first day a search would try */
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 1);
}

/* Another counter confirmed the same slot first: nothing booked, a new proposal comes back. */
static void slot_taken_by_other_counter_gives_new_proposal(void **state)
{
	struct fixture *f = *state;
	struct booking prop, other, b;
	agenda_detail why;

	fixture_capacity(f, MAY4, 10, 2);
	assert_int_equal(booking_propose(&f->ctx, &f->op, f->practice_lavoro, NULL, &prop, NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &other, NULL),
	                 AG_OK);
	assert_int_equal(other.slot_id, prop.slot_id);
	assert_int_equal(booking_confirm_proposal(&f->ctx, &f->op, &prop, NULL, &b, &why),
	                 AG_ERR_CHANGED);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 1);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal"), 1);
	assert_string_equal(b.id, "");
	assert_int_not_equal(b.slot_id, prop.slot_id);
	assert_int_equal(b.day, MAY4 + 1);
	assert_int_equal(b.minute, 9 * 60 + 20);
	assert_non_null(strstr(why.it, "05/05/2026 alle 09:20"));
	assert_non_null(strstr(why.en, "confirm again"));
	/* The new proposal, confirmed, is what gets booked. */
	assert_int_equal(booking_confirm_proposal(&f->ctx, &f->op, &b, NULL, &other, NULL), AG_OK);
	assert_int_equal(other.slot_id, b.slot_id);
}

static void closure_announced_meanwhile_gives_new_proposal(void **state)
{
	struct fixture *f = *state;
	struct booking prop, b;

	fixture_capacity(f, MAY4, 10, 2);
	assert_int_equal(booking_propose(&f->ctx, &f->op, f->practice_lavoro, NULL, &prop, NULL),
	                 AG_OK);
	assert_int_equal(questura_exception_add(&f->ctx, "test", "RM", prop.day, false, "", NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm_proposal(&f->ctx, &f->op, &prop, NULL, &b, NULL),
	                 AG_ERR_CHANGED);
	assert_int_equal(b.day, prop.day + 1);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 0);
}

/* A slot id alone is not the proposal: re-created at another time, it is not what was read. */
static void same_slot_id_at_another_time_is_not_the_proposal(void **state)
{
	struct fixture *f = *state;
	struct booking prop, b;
	char sql[128];

	fixture_capacity(f, MAY4, 10, 2);
	assert_int_equal(booking_propose(&f->ctx, &f->op, f->practice_lavoro, NULL, &prop, NULL),
	                 AG_OK);
	snprintf(sql, sizeof sql, "UPDATE slot SET minute = minute + 5 WHERE id = %lld",
	         (long long)prop.slot_id);
	assert_int_equal(fixture_sql(f, sql), SQLITE_OK);
	assert_int_equal(booking_confirm_proposal(&f->ctx, &f->op, &prop, NULL, &b, NULL),
	                 AG_ERR_CHANGED);
	assert_int_equal(b.slot_id, prop.slot_id); /* the same slot, at its new time */
	assert_int_equal(b.minute, prop.minute + 5);
}

/* Proposed late on Monday for Tuesday; confirmed after midnight: Tuesday is now too near. */
static void day_too_near_after_midnight_gives_new_proposal(void **state)
{
	struct fixture *f = *state;
	struct booking prop, b;

	fixture_capacity(f, MAY4, 10, 2);
	f->now = clock_epoch_of(MAY4, 23 * 60 + 59);
	assert_int_equal(booking_propose(&f->ctx, &f->op, f->practice_lavoro, NULL, &prop, NULL),
	                 AG_OK);
	assert_int_equal(prop.day, MAY4 + 1);
	f->now = clock_epoch_of(MAY4 + 1, 1);
	assert_int_equal(booking_confirm_proposal(&f->ctx, &f->op, &prop, NULL, &b, NULL),
	                 AG_ERR_CHANGED);
	assert_int_equal(b.day, MAY4 + 2);
}

/* The practice was booked at another counter meanwhile: that appointment comes back. */
static void practice_booked_meanwhile_returns_it(void **state)
{
	struct fixture *f = *state;
	struct booking prop, first, b;

	fixture_capacity(f, MAY4, 10, 2);
	assert_int_equal(booking_propose(&f->ctx, &f->op, f->practice_lavoro, NULL, &prop, NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &first, NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm_proposal(&f->ctx, &f->op, &prop, NULL, &b, NULL), AG_OK);
	assert_true(b.existing);
	assert_string_equal(b.id, first.id);
}

static void not_a_proposal_is_refused(void **state)
{
	struct fixture *f = *state;
	struct booking prop = {0}, b;
	agenda_detail why;

	assert_int_equal(booking_confirm_proposal(&f->ctx, &f->op, NULL, NULL, &b, &why),
	                 AG_ERR_USAGE);
	assert_int_equal(booking_confirm_proposal(&f->ctx, &f->op, &prop, NULL, &b, &why),
	                 AG_ERR_USAGE);
	fixture_capacity(f, MAY4, 10, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &prop, NULL),
	                 AG_OK);
	prop.existing = true;
	assert_int_equal(booking_confirm_proposal(&f->ctx, &f->op, &prop, NULL, &b, &why),
	                 AG_ERR_USAGE);
	/* And an empty session (a kiosk logged out meanwhile) books nothing. */
	struct session nobody = {0};
	assert_int_equal(booking_propose(&f->ctx, &f->op, f->practice_famiglia, NULL, &prop, NULL),
	                 AG_OK);
	assert_int_equal(booking_confirm_proposal(&f->ctx, &nobody, &prop, NULL, &b, &why),
	                 AG_ERR_AUTH);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(confirm_books_exactly_the_proposal),
	        T(slot_taken_by_other_counter_gives_new_proposal),
	        T(closure_announced_meanwhile_gives_new_proposal),
	        T(same_slot_id_at_another_time_is_not_the_proposal),
	        T(day_too_near_after_midnight_gives_new_proposal),
	        T(practice_booked_meanwhile_returns_it),
	        T(not_a_proposal_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
