/*
 * slots_test.c — the slot table's one owner (services/slots.h) on a real SQLite file: a local
 * capacity plan never deletes, re-holds or re-times a slot another device holds; a handed-back
 * slot is 'releasing', never bookable nor counted, and leaves only when central acknowledges
 * it; taking a slot someone else holds changes nothing; a new holder takes every held slot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "services/slots.h"

static const agenda_day MAY4 = 20577; /* Monday 4 May 2026, the fixture's today */

/* Slot of (day, minute) at Roma held by someone else, as central's grants will put it. */
static void other_holder_slot(struct fixture *f, int64_t id, agenda_day day, int minute,
                              const char *state)
{
	char sql[256];

	snprintf(sql, sizeof sql,
	         "INSERT INTO slot(id, questura, day, minute, held_by, state, grant_id)"
	         " VALUES(%lld, 'RM', %d, %d, 'other-device', '%s', 'g-1')",
	         (long long)id, day, minute, state);
	assert_int_equal(fixture_sql(f, sql), SQLITE_OK);
}

static void plan_leaves_other_holders_alone(void **state)
{
	struct fixture *f = *state;
	struct capacity_plan plan = {.from = MAY4 + 1,
	                             .to = MAY4 + 1,
	                             .weekdays = 0x7f,
	                             .first_minute = 9 * 60,
	                             .minutes_per_slot = 20,
	                             .slots_per_day = 3};
	struct capacity_report r = {0};

	other_holder_slot(f, 9001, MAY4 + 1, 9 * 60 + 20, "free"); /* a time the plan wants */
	other_holder_slot(f, 9002, MAY4 + 1, 15 * 60, "free");     /* a time the plan drops */
	other_holder_slot(f, 9003, MAY4 + 1, 16 * 60, "booked");
	assert_int_equal(capacity_set(&f->ctx, "test", "RM", &plan, &r, NULL), AG_OK);
	assert_int_equal(r.slots_created, 2);
	assert_int_equal(r.slots_other_holder, 1);
	assert_int_equal(r.slots_removed, 0);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM slot WHERE held_by = 'other-device'"
	                                  " AND state IN ('free', 'booked') AND grant_id = 'g-1'"),
	                 3);
	/* Re-planning to nothing removes this device's free slots only. */
	plan.slots_per_day = 0;
	memset(&r, 0, sizeof r);
	assert_int_equal(capacity_set(&f->ctx, "test", "RM", &plan, &r, NULL), AG_OK);
	assert_int_equal(r.slots_removed, 2);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM slot"), 3);
	/* None of them is ours to book or count. */
	int64_t free_count = -1;
	assert_int_equal(slots_count_free(&f->ctx, MAY4, &free_count, NULL), AG_OK);
	assert_int_equal(free_count, 0);
	assert_int_equal(slots_take(&f->ctx, 9001, NULL), AG_ERR_NOT_FOUND);
	struct sched_free_slot s;
	assert_int_equal(slots_next_free(&f->ctx, "RM", MAY4, MAY4 + 30, &s, NULL),
	                 AG_ERR_NOT_FOUND);
}

static void handed_back_slot_is_never_bookable(void **state)
{
	struct fixture *f = *state;
	struct sched_free_slot s;
	struct booking b;
	int64_t free_count, ids[8];
	int n = 0;

	fixture_capacity(f, MAY4, 3, 2); /* Mon..Wed, 2 a day: Tue and Wed are bookable */
	assert_int_equal(slots_hand_back(&f->ctx, "RM", MAY4, MAY4 + 1, &n, NULL), AG_OK);
	assert_int_equal(n, 4); /* Monday's and Tuesday's */
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM slot WHERE state = 'releasing'"),
	                 4);
	assert_int_equal(slots_count_free(&f->ctx, MAY4, &free_count, NULL), AG_OK);
	assert_int_equal(free_count, 2);
	assert_int_equal(slots_next_free(&f->ctx, "RM", MAY4, MAY4 + 30, &s, NULL), AG_OK);
	assert_int_equal(s.day, MAY4 + 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(b.day, MAY4 + 2);
	assert_true(b.deferred); /* Tuesday has nothing this device may book */
	/* Central acknowledges two of them: those leave; the others still wait. */
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->ctx.store),
	                                    "SELECT id FROM slot WHERE state = 'releasing'"
	                                    " ORDER BY id LIMIT 2",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	n = 0;
	while (sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	assert_int_equal(n, 2);
	ids[n++] = b.slot_id; /* a booked slot is not "released" by a stray acknowledgement */
	assert_int_equal(slots_forget_released(&f->ctx, ids, n, NULL), AG_OK);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM slot WHERE state = 'releasing'"),
	                 2);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM slot WHERE state = 'booked'"), 1);
}

static void release_frees_only_a_booked_slot(void **state)
{
	struct fixture *f = *state;
	int n;

	fixture_capacity(f, MAY4, 2, 1);
	assert_int_equal(slots_hand_back(&f->ctx, "RM", MAY4, MAY4, &n, NULL), AG_OK);
	assert_int_equal(n, 1);
	/* A cancel racing a hand-back must not make a releasing slot bookable again. */
	int64_t id = fixture_count(f, "SELECT id FROM slot WHERE state = 'releasing'");
	assert_int_equal(slots_release(&f->ctx, id, NULL), AG_OK);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM slot WHERE state = 'releasing'"),
	                 1);
}

static void new_holder_takes_every_held_slot(void **state)
{
	struct fixture *f = *state;
	char sql[160];

	fixture_capacity(f, MAY4, 5, 2);
	other_holder_slot(f, 9001, MAY4 + 1, 17 * 60, "free");
	assert_int_equal(slots_change_holder(&f->ctx, f->ctx.device_id, "dev-RM-0001", NULL),
	                 AG_OK);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM slot WHERE held_by = '%s'",
	         f->ctx.device_id);
	assert_int_equal(fixture_count(f, sql), 0);
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM slot WHERE held_by = 'dev-RM-0001'"), 10);
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM slot WHERE held_by = 'other-device'"), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(plan_leaves_other_holders_alone),
	        T(handed_back_slot_is_never_bookable),
	        T(release_frees_only_a_booked_slot),
	        T(new_holder_takes_every_held_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
