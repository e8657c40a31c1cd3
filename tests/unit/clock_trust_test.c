/*
 * clock_trust_test.c — when a device central manages may book (services/clock_trust.h), on a
 * real SQLite file: never synced, clock set back past the margin, a round whose clock disagrees
 * with central's, all refuse with the Italian message; a stand-alone device is not concerned;
 * a clock that ran ahead is forgiven once a round agrees. Also the sync_state accessors and the
 * status read the status bar uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "services/clock_trust.h"
#include "services/grants.h"
#include "services/journal.h"
#include "services/status.h"
#include "services/sync_state.h"

static const agenda_day MAY4 = 20577;

static void grant_week(struct fixture *f)
{
	for (int i = 0; i < 5; i++)
		assert_int_equal(grants_apply(&f->ctx, 100 + i, "RM", MAY4 + 1, 540 + 20 * i,
		                              f->now + 30 * 86400, NULL),
		                 AG_OK);
}

static agenda_err book(struct fixture *f, int64_t practice, agenda_detail *why)
{
	struct booking b;

	return booking_confirm(&f->ctx, &f->op, practice, NULL, &b, why);
}

static void standalone_is_not_concerned(void **state)
{
	struct fixture *f = *state;

	fixture_capacity(f, MAY4, 10, 2);
	assert_false(clock_trust(&f->ctx));
	assert_int_equal(clock_trust_require(&f->ctx, NULL), AG_OK);
	assert_int_equal(book(f, f->practice_lavoro, NULL), AG_OK);
	/* A stand-alone booking leaves no sync state behind. */
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM sync_state WHERE key LIKE 'clock%'"), 0);
}

static void never_synced_refuses(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	agenda_detail why;
	enum clock_trust_state cs;

	grant_week(f);
	assert_int_equal(sync_state_set_int(&f->ctx, SYNC_KEY_CENTRAL_MANAGED, 1, NULL), AG_OK);
	assert_int_equal(clock_trust_state(&f->ctx, &cs, NULL), AG_OK);
	assert_int_equal(cs, CLOCK_NEVER_SYNCED);
	assert_int_equal(book(f, f->practice_lavoro, &why), AG_ERR_REFUSED);
	assert_string_equal(why.it, "Orologio non affidabile: sincronizzare con la centrale prima"
	                            " di prenotare.");
	assert_int_equal(booking_propose(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, &why),
	                 AG_ERR_REFUSED);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 0);
}

static void synced_then_set_back(void **state)
{
	struct fixture *f = *state;
	bool skewed = true;
	int64_t high = 0;
	agenda_detail why;

	grant_week(f);
	assert_int_equal(sync_state_set_int(&f->ctx, SYNC_KEY_CENTRAL_MANAGED, 1, NULL), AG_OK);
	assert_int_equal(clock_trust_record_sync(&f->ctx, f->now + 100, &skewed, NULL), AG_OK);
	assert_false(skewed);
	assert_true(clock_trust(&f->ctx));
	f->now += 3600;
	assert_int_equal(book(f, f->practice_lavoro, &why), AG_OK);
	assert_int_equal(sync_state_get_int(&f->ctx, SYNC_KEY_CLOCK_HIGH, 0, &high, NULL), AG_OK);
	assert_int_equal(high, f->now); /* the booking raised it */
	f->now -= 60;                   /* within the margin: still trusted */
	assert_true(clock_trust(&f->ctx));
	f->now -= 121; /* 181 s behind the latest time seen */
	assert_false(clock_trust(&f->ctx));
	assert_int_equal(book(f, f->practice_famiglia, &why), AG_ERR_REFUSED);
	assert_non_null(strstr(why.en, "Clock not trusted"));
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 1);
}

static void skewed_round_withdraws_trust_and_agreed_round_forgives(void **state)
{
	struct fixture *f = *state;
	bool skewed = false;
	enum clock_trust_state cs;
	int64_t start = f->now;

	assert_int_equal(sync_state_set_int(&f->ctx, SYNC_KEY_CENTRAL_MANAGED, 1, NULL), AG_OK);
	assert_int_equal(clock_trust_record_sync(&f->ctx, f->now, &skewed, NULL), AG_OK);
	assert_true(clock_trust(&f->ctx));
	assert_int_equal(clock_trust_record_sync(&f->ctx, f->now - 121, &skewed, NULL), AG_OK);
	assert_true(skewed);
	assert_int_equal(clock_trust_state(&f->ctx, &cs, NULL), AG_OK);
	assert_int_equal(cs, CLOCK_NEVER_SYNCED);
	/* The clock ran a day ahead and a booking noted it; then it is put right and a round
	 * agrees with central: trusted again, the day-ahead mark forgotten. */
	f->now = start + 86400;
	assert_int_equal(clock_trust_note_now(&f->ctx, NULL), AG_OK);
	f->now = start;
	assert_int_equal(clock_trust_state(&f->ctx, &cs, NULL), AG_OK);
	assert_int_equal(cs, CLOCK_NEVER_SYNCED);
	assert_int_equal(clock_trust_record_sync(&f->ctx, start + 30, &skewed, NULL), AG_OK);
	assert_false(skewed);
	assert_int_equal(clock_trust_state(&f->ctx, &cs, NULL), AG_OK);
	assert_int_equal(cs, CLOCK_TRUSTED);
}

static void sync_state_accessors_and_status(void **state)
{
	struct fixture *f = *state;
	struct sync_status st;
	char text[SYNC_STATE_TEXT_MAX];
	int64_t v = 0;

	assert_int_equal(sync_state_get_int(&f->ctx, SYNC_KEY_CURSOR, 42, &v, NULL), AG_OK);
	assert_int_equal(v, 42);
	assert_int_equal(sync_state_get_text(&f->ctx, SYNC_KEY_LAST_ERROR, text, sizeof text, NULL),
	                 AG_ERR_NOT_FOUND);
	assert_int_equal(sync_state_set_int(&f->ctx, SYNC_KEY_CURSOR, 9000000001LL, NULL), AG_OK);
	assert_int_equal(sync_state_get_int(&f->ctx, SYNC_KEY_CURSOR, 0, &v, NULL), AG_OK);
	assert_int_equal(v, 9000000001LL);
	assert_int_equal(
	        sync_state_set_text(&f->ctx, SYNC_KEY_LAST_ERROR, "MSG_BOOK_NO_LEASE", NULL),
	        AG_OK);
	assert_int_equal(sync_state_set_int(&f->ctx, SYNC_KEY_ONLINE, 1, NULL), AG_OK);
	assert_int_equal(sync_state_set_int(&f->ctx, SYNC_KEY_LAST_SUCCESS_AT, f->now, NULL),
	                 AG_OK);
	fixture_capacity(f, MAY4, 10, 2);
	assert_int_equal(book(f, f->practice_lavoro, NULL), AG_OK);
	assert_int_equal(sync_status_read(&f->ctx, &st, NULL), AG_OK);
	assert_false(st.central_managed);
	assert_true(st.online);
	assert_int_equal(st.cursor, 9000000001LL);
	assert_int_equal(st.last_success_at, f->now);
	assert_int_equal(st.entries_waiting, 1);
	assert_string_equal(st.last_error, "MSG_BOOK_NO_LEASE");
	assert_int_equal(st.last_error_msg, MSG_BOOK_NO_LEASE);
	assert_false(st.clock_trusted);
	struct device_status ds;
	assert_int_equal(device_status_read(&f->ctx, &ds, NULL), AG_OK);
	assert_int_equal(ds.last_sync, f->now); /* the status bar's "last sync" */
	assert_int_equal(sync_state_unset(&f->ctx, SYNC_KEY_LAST_ERROR, NULL), AG_OK);
	assert_int_equal(sync_status_read(&f->ctx, &st, NULL), AG_OK);
	assert_int_equal(st.last_error_msg, -1);
	assert_string_equal(msg_name(MSG_OK), "MSG_OK");
	assert_int_equal((int)msg_by_name("MSG_NO_SUCH"), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(standalone_is_not_concerned),
	        T(never_synced_refuses),
	        T(synced_then_set_back),
	        T(skewed_round_withdraws_trust_and_agreed_round_forgives),
	        T(sync_state_accessors_and_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
