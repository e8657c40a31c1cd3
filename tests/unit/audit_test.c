/*
 * audit_test.c — the hash chain finds every kind of tampering: an edited field, a deleted
 * record, two records swapped, an inserted record, a truncated tail (invariant I6).
 * Tampering goes through a second SQLite connection with the append-only triggers dropped, as
 * someone with the file would. The tests name the record where the chain breaks, not how the
 * record is hashed, so they hold for any chaining scheme (plain hash or keyed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "services/audit.h"

/* Ten more records on top of the fixture's. */
static int64_t fill(struct fixture *f)
{
	assert_int_equal(store_begin(f->ctx.store, NULL), AG_OK);
	for (int i = 0; i < 10; i++) {
		char subject[16];

		snprintf(subject, sizeof subject, "s%d", i);
		assert_int_equal(audit_append(&f->ctx, "test", "act", subject, "d", NULL), AG_OK);
	}
	assert_int_equal(store_commit(f->ctx.store, NULL), AG_OK);
	return fixture_count(f, "SELECT max(seq) FROM audit");
}

static void untrigger(struct fixture *f)
{
	assert_int_equal(
	        fixture_sql(f, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete"),
	        SQLITE_OK);
}

static void expect(struct fixture *f, enum audit_problem problem, int64_t first_bad)
{
	struct audit_report r;

	assert_int_equal(audit_verify(&f->ctx, &r, NULL), AG_OK);
	assert_int_equal(r.problem, problem);
	assert_int_equal(r.first_bad, first_bad);
}

static void intact_chain_verifies(void **state)
{
	struct fixture *f = *state;
	int64_t last = fill(f);

	expect(f, AUDIT_INTACT, 0);
	assert_true(last > 10);
}

static void triggers_refuse_edits(void **state)
{
	struct fixture *f = *state;

	fill(f);
	assert_int_not_equal(fixture_sql(f, "UPDATE audit SET detail = 'x' WHERE seq = 3"),
	                     SQLITE_OK);
	assert_int_not_equal(fixture_sql(f, "DELETE FROM audit WHERE seq = 3"), SQLITE_OK);
	expect(f, AUDIT_INTACT, 0);
}

static void edit_found(void **state)
{
	struct fixture *f = *state;

	fill(f);
	untrigger(f);
	assert_int_equal(fixture_sql(f, "UPDATE audit SET actor = 'mallory' WHERE seq = 7"),
	                 SQLITE_OK);
	expect(f, AUDIT_HASH_MISMATCH, 7);
}

/*
 * Every column of a record, edited in turn, in a record in the middle and in the last one (whose
 * successor is only the head): each edit must break the chain at that record. Between edits the
 * table is put back from a copy taken first, and must verify again.
 */
static const char *const FIELD_EDITS[] = {
        "seq = seq + 1000",
        "at = at + 1",
        "actor = actor || 'x'",
        "action = 'cancel'",
        "subject = subject || 'x'",
        "detail = detail || 'x'",
        "prev_hash = zeroblob(length(prev_hash))",
        "hash = zeroblob(length(hash))",
};

static void edit_each_field(struct fixture *f, int64_t from_last)
{
	int64_t last = fill(f), target = last - from_last;

	untrigger(f);
	assert_int_equal(fixture_sql(f, "CREATE TABLE audit_copy AS SELECT * FROM audit"),
	                 SQLITE_OK);
	for (size_t i = 0; i < sizeof FIELD_EDITS / sizeof FIELD_EDITS[0]; i++) {
		struct audit_report r;
		char sql[160];

		snprintf(sql, sizeof sql, "UPDATE audit SET %s WHERE seq = %lld", FIELD_EDITS[i],
		         (long long)target);
		assert_int_equal(fixture_sql(f, sql), SQLITE_OK);
		assert_int_equal(audit_verify(&f->ctx, &r, NULL), AG_OK);
		if (r.problem == AUDIT_INTACT || r.first_bad != target)
			fail_msg("edit \"%s\" of record %lld of %lld: %s at %lld", FIELD_EDITS[i],
			         (long long)target, (long long)last,
			         audit_problem_text(r.problem, LANG_EN), (long long)r.first_bad);
		assert_int_equal(fixture_sql(f, "DELETE FROM audit;"
		                                "INSERT INTO audit SELECT * FROM audit_copy"),
		                 SQLITE_OK);
		expect(f, AUDIT_INTACT, 0);
	}
}

static void every_field_edit_found_mid_chain(void **state)
{
	edit_each_field(*state, 4);
}

static void every_field_edit_found_last_record(void **state)
{
	edit_each_field(*state, 0);
}

static void deletion_found(void **state)
{
	struct fixture *f = *state;

	fill(f);
	untrigger(f);
	assert_int_equal(fixture_sql(f, "DELETE FROM audit WHERE seq = 5"), SQLITE_OK);
	expect(f, AUDIT_GAP, 5);
}

static void renumbered_deletion_found(void **state)
{
	struct fixture *f = *state;

	fill(f);
	untrigger(f);
	/* delete 5 and close the gap: the link of the next record no longer matches */
	assert_int_equal(fixture_sql(f, "DELETE FROM audit WHERE seq = 5;"
	                                "UPDATE audit SET seq = seq - 1 WHERE seq > 5"),
	                 SQLITE_OK);
	expect(f, AUDIT_BROKEN_LINK, 5);
}

static void swap_found(void **state)
{
	struct fixture *f = *state;

	fill(f);
	untrigger(f);
	assert_int_equal(fixture_sql(f, "UPDATE audit SET seq = -1 WHERE seq = 8;"
	                                "UPDATE audit SET seq = 8 WHERE seq = 9;"
	                                "UPDATE audit SET seq = 9 WHERE seq = -1"),
	                 SQLITE_OK);
	expect(f, AUDIT_BROKEN_LINK, 8);
}

static void truncation_found(void **state)
{
	struct fixture *f = *state;
	int64_t last = fill(f);
	char sql[64];

	untrigger(f);
	snprintf(sql, sizeof sql, "DELETE FROM audit WHERE seq = %lld", (long long)last);
	assert_int_equal(fixture_sql(f, sql), SQLITE_OK);
	expect(f, AUDIT_TRUNCATED, last);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(intact_chain_verifies),
	        T(triggers_refuse_edits),
	        T(edit_found),
	        T(deletion_found),
	        T(renumbered_deletion_found),
	        T(swap_found),
	        T(truncation_found),
	        T(every_field_edit_found_mid_chain),
	        T(every_field_edit_found_last_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
