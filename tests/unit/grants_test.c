/*
 * grants_test.c — central's grants on a real SQLite file (services/grants.h): a grant makes or
 * converts one row and applying it again changes nothing; a device central manages books only
 * granted slots whose lease has not ended, while a stand-alone device books as before; a revoke
 * deletes a free slot, keeps a booked appointment with a worklist item (closure) or cancels it
 * with journal, audit and worklist item (withdrawn, duplicate practice); cancel_copy; renew;
 * hand back beyond the horizon, releasing, forget; the demand and its settings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>

#include "fixture.h"
#include "core/messages.h"
#include "services/grants.h"
#include "services/sync_digest.h"
#include "services/sync_state.h"
#include "services/worklist.h"

static const agenda_day MAY4 = 20577; /* Monday 4 May 2026, the fixture's today */

/* The device as a round leaves it: central manages it and its clock agreed with central's. */
static void managed(struct fixture *f)
{
	assert_int_equal(sync_state_set_int(&f->ctx, SYNC_KEY_CENTRAL_MANAGED, 1, NULL), AG_OK);
	assert_int_equal(sync_state_set_int(&f->ctx, SYNC_KEY_CLOCK_SYNCED_AT, f->now, NULL),
	                 AG_OK);
	assert_int_equal(sync_state_set_int(&f->ctx, SYNC_KEY_CLOCK_HIGH, f->now, NULL), AG_OK);
}

static void grant(struct fixture *f, int64_t central_id, agenda_day day, int minute)
{
	agenda_detail why;

	assert_int_equal(
	        grants_apply(&f->ctx, central_id, "RM", day, minute, f->now + 48 * 3600, &why),
	        AG_OK);
}

static long long count(struct fixture *f, const char *sql)
{
	return fixture_count(f, sql);
}

static void apply_is_idempotent(void **state)
{
	struct fixture *f = *state;

	grant(f, 1001, MAY4 + 1, 540);
	grant(f, 1001, MAY4 + 1, 540);
	assert_int_equal(count(f, "SELECT count(*) FROM slot"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM slot WHERE grant_id = '1001'"
	                          " AND state = 'free' AND lease_end > 0 AND minute = 540"),
	                 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'grant_applied'"), 1);
	/* A later grant only moves the lease. */
	assert_int_equal(grants_apply(&f->ctx, 1001, "RM", MAY4 + 1, 540, f->now + 99, NULL),
	                 AG_OK);
	assert_int_equal(count(f, "SELECT lease_end FROM slot WHERE grant_id = '1001'"),
	                 f->now + 99);
}

static void apply_converts_own_capacity_and_refuses_nonsense(void **state)
{
	struct fixture *f = *state;
	agenda_detail why;
	long long local;

	fixture_capacity(f, MAY4 + 1, 1, 3);
	local = count(f, "SELECT id FROM slot WHERE minute = 560");
	grant(f, 77, MAY4 + 1, 560);
	assert_int_equal(count(f, "SELECT count(*) FROM slot"), 3);
	assert_int_equal(count(f, "SELECT id FROM slot WHERE grant_id = '77'"), local);
	assert_int_equal(grants_apply(&f->ctx, 78, "RM", MAY4 + 1, 1440, f->now, &why),
	                 AG_ERR_INVALID);
	assert_int_equal(grants_apply(&f->ctx, 79, "XX", MAY4 + 1, 600, f->now, &why),
	                 AG_ERR_INVALID);
	/* A Questura central grants at before its record came: a placeholder stands in. */
	assert_int_equal(grants_apply(&f->ctx, 80, "MI", MAY4 + 1, 600, f->now, &why), AG_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM questura WHERE code = 'MI'"), 1);
}

static void managed_device_books_only_leased_grants(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	agenda_detail why;

	fixture_capacity(f, MAY4, 30, 3); /* own capacity from tomorrow on */
	grant(f, 500, MAY4 + 3, 600);
	managed(f);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, &why),
	                 AG_OK);
	assert_int_equal(b.day, MAY4 + 3); /* the granted slot, not the earlier own capacity */
	assert_int_equal(b.minute, 600);
	assert_int_equal(count(f, "SELECT count(*) FROM slot WHERE grant_id = '500'"
	                          " AND state = 'booked'"),
	                 1);
	/* A lease that ended: nothing bookable, and the operator is told to synchronise. */
	grant(f, 501, MAY4 + 4, 600);
	f->now += 49 * 3600;
	assert_int_equal(sync_state_set_int(&f->ctx, SYNC_KEY_CLOCK_HIGH, f->now, NULL), AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, &why),
	                 AG_ERR_NO_CAPACITY);
	assert_non_null(strstr(why.it, "Nessun posto concesso dalla centrale"));
	assert_int_equal(count(f, "SELECT count(*) FROM slot WHERE state = 'booked'"), 1);
}

static void standalone_device_books_own_capacity(void **state)
{
	struct fixture *f = *state;
	struct booking b;

	fixture_capacity(f, MAY4, 30, 3);
	grant(f, 500, MAY4 + 3, 600);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(b.day, MAY4 + 1);
	assert_int_equal(b.minute, 540);
}

static void revoke_free_and_releasing_delete(void **state)
{
	struct fixture *f = *state;
	enum grant_revoke_outcome out;
	int64_t ids[4];
	size_t n;

	grant(f, 1, MAY4 + 20, 540);
	grant(f, 2, MAY4 + 21, 540);
	assert_int_equal(grants_revoke(&f->ctx, 1, GRANT_REASON_CLOSURE, &out, NULL), AG_OK);
	assert_int_equal(out, GRANT_REVOKE_DELETED);
	assert_int_equal(grants_hand_back(&f->ctx, 10, ids, 4, &n, NULL), AG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(grants_revoke(&f->ctx, 2, GRANT_REASON_LEASE_EXPIRED, &out, NULL), AG_OK);
	assert_int_equal(out, GRANT_REVOKE_DELETED);
	assert_int_equal(count(f, "SELECT count(*) FROM slot"), 0);
	assert_int_equal(grants_revoke(&f->ctx, 3, GRANT_REASON_CLOSURE, &out, NULL), AG_OK);
	assert_int_equal(out, GRANT_REVOKE_UNKNOWN);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'grant_revoked'"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM worklist"), 0);
}

static void revoke_booked_closure_keeps_appointment(void **state)
{
	struct fixture *f = *state;
	enum grant_revoke_outcome out;
	struct booking b;

	grant(f, 10, MAY4 + 1, 540);
	managed(f);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(grants_revoke(&f->ctx, 10, GRANT_REASON_CLOSURE, &out, NULL), AG_OK);
	assert_int_equal(out, GRANT_REVOKE_KEPT);
	assert_int_equal(count(f, "SELECT count(*) FROM appointment WHERE state = 'confirmed'"), 1);
	assert_int_equal(count(f, "SELECT lease_end FROM slot WHERE grant_id = '10'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM worklist WHERE kind = 'closure'"
	                          " AND done_at IS NULL AND numero_pratica = 'RM/2026/000001'"),
	                 1);
	/* Again: nothing new. */
	assert_int_equal(grants_revoke(&f->ctx, 10, GRANT_REASON_CLOSURE, &out, NULL), AG_OK);
	assert_int_equal(out, GRANT_REVOKE_ALREADY);
	assert_int_equal(count(f, "SELECT count(*) FROM worklist"), 1);
	/* Cancelled by the operator, the revoked slot is never offered again. */
	assert_int_equal(booking_cancel(&f->ctx, &f->op, b.id, "spostato", NULL), AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_ERR_NO_CAPACITY);
}

static void revoke_withdrawn_cancels_journals_and_lists(void **state)
{
	struct fixture *f = *state;
	enum grant_revoke_outcome out;
	struct booking b;

	grant(f, 11, MAY4 + 1, 540);
	managed(f);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(grants_revoke(&f->ctx, 11, GRANT_REASON_WITHDRAWN, &out, NULL), AG_OK);
	assert_int_equal(out, GRANT_REVOKE_CANCELLED);
	assert_int_equal(count(f, "SELECT count(*) FROM appointment WHERE state = 'cancelled'"
	                          " AND cancel_reason = 'withdrawn'"),
	                 1);
	assert_int_equal(count(f, "SELECT count(*) FROM journal WHERE kind = 'cancel'"
	                          " AND payload LIKE '%\"operator\":\"central\"%'"),
	                 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'cancel'"
	                          " AND actor = 'central'"),
	                 1);
	assert_int_equal(count(f, "SELECT count(*) FROM worklist WHERE kind = 'withdrawn'"), 1);
	/* The slot stays (central still counts it as this device's) but is never bookable. */
	assert_int_equal(count(f, "SELECT count(*) FROM slot WHERE grant_id = '11'"
	                          " AND state = 'free' AND lease_end = 0"),
	                 1);
	/* The next round hands it back, whatever its day. */
	int64_t ids[4];
	size_t n;
	assert_int_equal(grants_hand_back(&f->ctx, 10, ids, 4, &n, NULL), AG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 11);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_ERR_NO_CAPACITY);
	/* Granted again later, the same time comes back to life. */
	grant(f, 11, MAY4 + 1, 540);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
}

static void cancel_copy_cancels_once(void **state)
{
	struct fixture *f = *state;
	struct booking b;

	grant(f, 12, MAY4 + 1, 540);
	managed(f);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(grants_cancel_copy(&f->ctx, b.id, GRANT_REASON_DUPLICATE_PRACTICE, NULL),
	                 AG_OK);
	assert_int_equal(grants_cancel_copy(&f->ctx, b.id, GRANT_REASON_DUPLICATE_PRACTICE, NULL),
	                 AG_OK);
	assert_int_equal(grants_cancel_copy(&f->ctx, "no-such-id", "duplicate_practice", NULL),
	                 AG_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM appointment WHERE state = 'cancelled'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM journal WHERE kind = 'cancel'"), 1);
	assert_int_equal(
	        count(f, "SELECT count(*) FROM worklist WHERE kind = 'duplicate_practice'"), 1);
	/* The slot stays granted: it can be booked again. */
	assert_int_equal(count(f, "SELECT count(*) FROM slot WHERE grant_id = '12'"
	                          " AND state = 'free'"),
	                 1);
}

static void renew_moves_every_live_lease(void **state)
{
	struct fixture *f = *state;
	int64_t held, earliest, lease = 0;

	grant(f, 20, MAY4 + 1, 540);
	grant(f, 21, MAY4 + 1, 560);
	grant(f, 22, MAY4 + 1, 580);
	fixture_capacity(f, MAY4 + 2, 1, 1);
	assert_int_equal(grants_revoke(&f->ctx, 22, GRANT_REASON_CLOSURE, NULL, NULL), AG_OK);
	assert_int_equal(grants_renew(&f->ctx, f->now + 7200, NULL), AG_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM slot WHERE grant_id IS NOT NULL"), 2);
	assert_int_equal(grants_count(&f->ctx, &held, &earliest, NULL), AG_OK);
	assert_int_equal(held, 2);
	assert_int_equal(earliest, f->now + 7200);
	assert_int_equal(count(f, "SELECT count(*) FROM slot WHERE grant_id IS NULL"
	                          " AND lease_end IS NULL"),
	                 1); /* own capacity untouched */
	assert_int_equal(sync_state_get_int(&f->ctx, SYNC_KEY_LEASE_END, 0, &lease, NULL), AG_OK);
	assert_int_equal(lease, f->now + 7200);
}

static void hand_back_release_and_forget(void **state)
{
	struct fixture *f = *state;
	int64_t ids[8], sent[8];
	size_t n, m;
	struct booking b;

	grant(f, 30, MAY4 + 8, 540);
	grant(f, 31, MAY4 + 20, 540);
	grant(f, 32, MAY4 + 25, 560);
	grant(f, 33, MAY4 + 30, 580);
	assert_int_equal(grants_hand_back(&f->ctx, 10, ids, 2, &n, NULL), AG_OK);
	assert_int_equal(n, 2); /* bounded by max; the rest next time */
	assert_int_equal(grants_hand_back(&f->ctx, 10, ids + 2, 8, &m, NULL), AG_OK);
	assert_int_equal(m, 1);
	assert_int_equal(grants_releasing(&f->ctx, sent, 8, &n, NULL), AG_OK);
	assert_int_equal(n, 3);
	assert_int_equal(sent[0], 31);
	assert_int_equal(sent[2], 33);
	/* Never bookable while releasing. */
	managed(f);
	assert_int_equal(count(f, "SELECT count(*) FROM slot WHERE state = 'releasing'"), 3);
	/* Central re-granted 32 in the same round: it survives the forget. */
	grant(f, 32, MAY4 + 25, 560);
	assert_int_equal(grants_forget(&f->ctx, sent, n, NULL), AG_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM slot"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM slot WHERE grant_id = '32'"
	                          " AND state = 'free'"),
	                 1);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(b.day, MAY4 + 8);
}

static void demand_follows_settings_and_bookings(void **state)
{
	struct fixture *f = *state;
	struct grant_demand d[4];
	size_t n;
	int64_t start = f->now;

	/* A fresh device asks for the Questure of the practices central sent it. */
	assert_int_equal(grants_demand(&f->ctx, d, 4, &n, NULL), AG_OK);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].questura, "RM");
	assert_int_equal(d[0].days, 10);
	assert_int_equal(d[0].slots, 20);
	assert_int_equal(store_setting_set(f->ctx.store, GRANT_SETTING_HOLD_DAYS, "5", NULL),
	                 AG_OK);
	assert_int_equal(store_setting_set(f->ctx.store, GRANT_SETTING_LOW_WATER, "3", NULL),
	                 AG_OK);
	/* 14 bookings over the last five open days (Mon 4 .. Fri 8 May) at 5 days held: 14. */
	fixture_capacity(f, MAY4, 40, 20);
	for (int i = 0; i < 14; i++) {
		char pratica[PRATICA_MAX];
		int64_t id;
		struct booking b;

		snprintf(pratica, sizeof pratica, "RM/2026/%06d", 100 + i);
		fixture_practice(f, pratica, "", "lavoro", &id);
		f->now = start + (i % 5) * 86400;
		assert_int_equal(booking_confirm(&f->ctx, &f->op, id, NULL, &b, NULL), AG_OK);
	}
	f->now = start + 7 * 86400; /* Monday 11 May */
	assert_int_equal(grants_demand(&f->ctx, d, 4, &n, NULL), AG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(d[0].days, 5);
	assert_int_equal(d[0].slots, 14);
	/* A week later those bookings are out of the window: the low water mark rules. */
	f->now = start + 14 * 86400;
	assert_int_equal(grants_demand(&f->ctx, d, 4, &n, NULL), AG_OK);
	assert_int_equal(d[0].slots, 3);
}

static void conflicts_by_entry_id(void **state)
{
	struct fixture *f = *state;
	struct booking b;
	char entry[64];
	sqlite3_stmt *st;

	grant(f, 40, MAY4 + 1, 540);
	managed(f);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->ctx.store),
	                                    "SELECT entry_id FROM journal WHERE kind = 'book'", -1,
	                                    &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(entry, sizeof entry, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	/* 'worklist': the appointment stays, someone looks at it. */
	assert_int_equal(grants_conflict(&f->ctx, entry, "slot_taken", false, NULL), AG_OK);
	assert_int_equal(
	        count(f, "SELECT count(*) FROM worklist WHERE kind = 'slot_taken'"
	                 " AND numero_pratica = 'RM/2026/000001' AND appointment_id IS NOT NULL"),
	        1);
	assert_int_equal(count(f, "SELECT count(*) FROM appointment WHERE state = 'confirmed'"), 1);
	/* 'cancel_copy': the appointment is cancelled. */
	assert_int_equal(grants_conflict(&f->ctx, entry, "duplicate_practice", true, NULL), AG_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM appointment WHERE state = 'cancelled'"), 1);
	/* An entry the device does not have, a reason that is no token: still listed. */
	assert_int_equal(grants_conflict(&f->ctx, "nope", "Bad Reason", false, NULL), AG_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM worklist WHERE kind = 'conflict'"
	                          " AND appointment_id IS NULL"),
	                 1);
}

/* A round may carry up to 2000 grants (contract): applied in one transaction, in bounded time. */
static void two_thousand_grants_in_one_transaction(void **state)
{
	struct fixture *f = *state;
	struct timespec t0, t1;
	char hex[65];
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(store_begin(f->ctx.store, NULL), AG_OK);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(grants_apply(&f->ctx, 10000 + i, "RM", MAY4 + 1 + i / 24,
		                              480 + (i % 24) * 20, f->now + 3600, NULL),
		                 AG_OK);
	assert_int_equal(grants_renew(&f->ctx, f->now + 7200, NULL), AG_OK);
	assert_int_equal(store_commit(f->ctx.store, NULL), AG_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("2000 grants + renew in one transaction: %.1f ms\n", ms);
	assert_int_equal(count(f, "SELECT count(*) FROM slot WHERE lease_end = "
	                          "(SELECT max(lease_end) FROM slot)"),
	                 2000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(sync_digest(&f->ctx, hex, NULL), AG_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("digest over 2000 slots: %.1f ms\n",
	              (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_true(ms < 20000); /* a bound for a loaded test machine, not the figure */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(apply_is_idempotent),
	        T(apply_converts_own_capacity_and_refuses_nonsense),
	        T(managed_device_books_only_leased_grants),
	        T(standalone_device_books_own_capacity),
	        T(revoke_free_and_releasing_delete),
	        T(revoke_booked_closure_keeps_appointment),
	        T(revoke_withdrawn_cancels_journals_and_lists),
	        T(cancel_copy_cancels_once),
	        T(renew_moves_every_live_lease),
	        T(hand_back_release_and_forget),
	        T(demand_follows_settings_and_bookings),
	        T(conflicts_by_entry_id),
	        T(two_thousand_grants_in_one_transaction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
