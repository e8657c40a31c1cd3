/*
 * device_identity_test.c — the device id is assigned once by provisioning: held slots follow
 * it, booking goes on under it, a reopened device keeps it, another id is refused, the same id
 * again is harmless, a malformed one is rejected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "services/device_identity.h"

static const agenda_day MAY4 = 20577; /* Monday 4 May 2026, the fixture's today */

static void assigned_once_slots_follow(void **state)
{
	struct fixture *f = *state;
	char random_id[DEVICE_ID_MAX], sql[128];
	struct booking a, b;
	agenda_detail why;

	fixture_capacity(f, MAY4, 10, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &a, NULL),
	                 AG_OK);
	snprintf(random_id, sizeof random_id, "%s", f->ctx.device_id);
	assert_false(device_identity_provisioned(&f->ctx));
	assert_int_equal(device_identity_assign(&f->ctx, "test", "RM-SUI-0007", &why), AG_OK);
	assert_true(device_identity_provisioned(&f->ctx));
	assert_string_equal(f->ctx.device_id, "RM-SUI-0007");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM slot WHERE held_by = '%s'", random_id);
	assert_int_equal(fixture_count(f, sql), 0);
	assert_int_equal(
	        fixture_count(f, "SELECT count(*) FROM slot WHERE held_by = 'RM-SUI-0007'"),
	        16); /* 8 weekdays of 2 */
	/* Booking goes on under the new id, and cancelling the old booking frees its slot. */
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(b.minute, a.minute + 20);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, a.id, "prova", NULL), AG_OK);
	/* Same id again: harmless. Another: refused, naming the one assigned. */
	assert_int_equal(device_identity_assign(&f->ctx, "test", "RM-SUI-0007", &why), AG_OK);
	assert_int_equal(device_identity_assign(&f->ctx, "test", "RM-SUI-0008", &why),
	                 AG_ERR_REFUSED);
	assert_non_null(strstr(why.it, "RM-SUI-0007"));
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit"
	                                  " WHERE action = 'device_id_assigned'"),
	                 1);
	/* A reopened device keeps it. */
	agenda_rng rng;
	struct rng_state *rs;
	agenda_ctx again;
	assert_int_equal(rng_open_seeded(&rng, &rs, 7), AG_OK);
	assert_int_equal(agenda_ctx_open_with(&again, f->path, STORE_OPEN_EXISTING,
	                                      clock_fixed(&f->now), rng, NULL),
	                 AG_OK);
	assert_string_equal(again.device_id, "RM-SUI-0007");
	agenda_ctx_close(&again);
	rng_close(rs);
}

static void malformed_id_rejected(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {"",
	                     "spazio interno",
	                     "a/b",
	                     "x'; DROP TABLE slot; --",
	                     "0123456789012345678901234567890123456789",
	                     "caffè"};
	agenda_detail why;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(device_identity_assign(&f->ctx, "test", bad[i], &why),
		                 AG_ERR_INVALID);
	assert_int_equal(device_identity_assign(&f->ctx, "test", NULL, &why), AG_ERR_INVALID);
	assert_false(device_identity_provisioned(&f->ctx));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(assigned_once_slots_follow),
	        T(malformed_id_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
