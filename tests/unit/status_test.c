/*
 * status_test.c — what the status bar counts: free slots of this device only (a slot another
 * device holds is not bookable here), live appointments, journal and outbox backlogs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "services/status.h"

static void free_slots_are_this_devices_only(void **state)
{
	struct fixture *f = *state;
	struct device_status st;
	int64_t mine;

	fixture_capacity(f, date_from_ymd(2026, 5, 4), 10, 3);
	assert_int_equal(device_status_read(&f->ctx, &st, NULL), AG_OK);
	mine = st.slots_free;
	assert_true(mine > 0);
	/* another counter's slots on the same Questura, as grants will bring them */
	assert_int_equal(fixture_sql(f, "INSERT INTO slot(questura, day, minute, held_by, state)"
	                                " SELECT questura, day, minute + 1, 'other-device', 'free'"
	                                " FROM slot"),
	                 SQLITE_OK);
	assert_int_equal(device_status_read(&f->ctx, &st, NULL), AG_OK);
	assert_int_equal(st.slots_free, mine);
	assert_string_equal(st.device_id, f->ctx.device_id);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {T(free_slots_are_this_devices_only)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
