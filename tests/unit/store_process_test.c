/*
 * store_process_test.c — store_process_init, as the programs call it first thing: SQLite's
 * memory statistics (a global mutex on every allocation) are off, a second call is harmless,
 * and the store works as before (a booking, its commit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

static void booking_works_without_memory_statistics(void **state)
{
	struct fixture *f = *state;
	struct booking b;

	fixture_capacity(f, date_from_ymd(2026, 5, 4), 10, 2);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 1);
	/* With the statistics off SQLite counts nothing, however much it holds. */
	assert_int_equal(sqlite3_memory_used(), 0);
	store_process_init(); /* too late now: changes nothing, breaks nothing */
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(booking_works_without_memory_statistics,
	                                        fixture_setup, fixture_teardown),
	};

	store_process_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
