/*
 * store_transactions_test.c — the store's statement cache and nested transactions.
 *
 * The cache: every static SQL text is prepared once per handle however many the services have
 * (it grows, it never evicts or falls back to preparing per call), counted against SQLite's own
 * list of the connection's statements. Nesting: store_begin inside an open transaction is a
 * savepoint — its commit joins the parent, its rollback undoes only its own work, a real service
 * (site_configure, booking_confirm) runs inside a caller's transaction, and a transaction that
 * SQLite rolled back under open levels fails every one of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "services/site.h"

#define MANY_TEXTS 300

/* Statements SQLite holds for the connection: the cache's plus any left unfinalized. */
static size_t connection_statements(sqlite3 *db)
{
	size_t n = 0;

	for (sqlite3_stmt *st = sqlite3_next_stmt(db, NULL); st; st = sqlite3_next_stmt(db, st))
		n++;
	return n;
}

/* A setting read through a second connection: what is committed, not what is pending. */
static bool committed_setting(struct fixture *f, const char *key)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	bool found = false;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(
	        sqlite3_prepare_v2(db, "SELECT 1 FROM setting WHERE key = ?", -1, &st, NULL),
	        SQLITE_OK);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return found;
}

static void cache_keeps_every_text_prepared_once(void **state)
{
	struct fixture *f = *state;
	static char texts[MANY_TEXTS][40]; /* distinct addresses, as the services' static SQL */
	sqlite3_stmt *first[MANY_TEXTS];
	size_t before = store_stmt_count(f->ctx.store);

	assert_int_equal(connection_statements(store_db(f->ctx.store)), before);
	for (int i = 0; i < MANY_TEXTS; i++) {
		snprintf(texts[i], sizeof texts[i], "SELECT %d + ?", i);
		assert_non_null(first[i] = store_stmt(f->ctx.store, texts[i], NULL));
		sqlite3_bind_int(first[i], 1, 1);
		assert_int_equal(sqlite3_step(first[i]), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(first[i], 0), i + 1);
	}
	assert_int_equal(store_stmt_count(f->ctx.store), before + MANY_TEXTS);
	/* Asked again, each is the same statement, reset, with its bindings cleared. */
	for (int i = MANY_TEXTS - 1; i >= 0; i--) {
		sqlite3_stmt *again = store_stmt(f->ctx.store, texts[i], NULL);

		assert_ptr_equal(again, first[i]);
		assert_int_equal(sqlite3_step(again), SQLITE_ROW);
		assert_int_equal(sqlite3_column_type(again, 0), SQLITE_NULL); /* i + NULL */
		sqlite3_reset(again);
	}
	assert_int_equal(store_stmt_count(f->ctx.store), before + MANY_TEXTS);
	assert_int_equal(connection_statements(store_db(f->ctx.store)), before + MANY_TEXTS);
}

/* The booking path once warm prepares nothing: a second booking adds no statement. */
static void second_booking_prepares_nothing(void **state)
{
	struct fixture *f = *state;
	struct booking b, moved;
	size_t warm;

	fixture_capacity(f, date_from_ymd(2026, 5, 4), 30, 4);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	warm = store_stmt_count(f->ctx.store);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(booking_move(&f->ctx, &f->op, b.id, "richiesta", NULL, &moved, NULL),
	                 AG_OK);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, moved.id, "richiesta", NULL), AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_true(store_stmt_count(f->ctx.store) > warm); /* move and cancel have their own */
	warm = store_stmt_count(f->ctx.store);
	assert_int_equal(booking_cancel(&f->ctx, &f->op, b.id, "di nuovo", NULL), AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_famiglia, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(store_stmt_count(f->ctx.store), warm);
	assert_int_equal(connection_statements(store_db(f->ctx.store)), warm);
}

static void nested_commit_joins_the_parent(void **state)
{
	struct fixture *f = *state;
	store *s = f->ctx.store;

	assert_int_equal(store_begin(s, NULL), AG_OK);
	assert_int_equal(store_setting_set(s, "outer", "1", NULL), AG_OK);
	assert_int_equal(store_begin(s, NULL), AG_OK);
	assert_int_equal(store_setting_set(s, "inner", "1", NULL), AG_OK);
	assert_int_equal(store_commit(s, NULL), AG_OK);
	assert_false(sqlite3_get_autocommit(store_db(s))); /* still inside the outer one */
	assert_false(committed_setting(f, "inner"));
	store_rollback(s); /* the outer level takes the inner's work with it */
	assert_true(sqlite3_get_autocommit(store_db(s)));
	assert_false(committed_setting(f, "outer"));
	assert_false(committed_setting(f, "inner"));
}

static void nested_rollback_undoes_only_its_level(void **state)
{
	struct fixture *f = *state;
	store *s = f->ctx.store;

	assert_int_equal(store_begin(s, NULL), AG_OK);
	assert_int_equal(store_setting_set(s, "outer", "1", NULL), AG_OK);
	assert_int_equal(store_begin(s, NULL), AG_OK);
	assert_int_equal(store_setting_set(s, "undone", "1", NULL), AG_OK);
	store_rollback(s);
	assert_int_equal(store_begin(s, NULL), AG_OK);
	assert_int_equal(store_setting_set(s, "kept", "1", NULL), AG_OK);
	assert_int_equal(store_begin(s, NULL), AG_OK); /* three deep */
	assert_int_equal(store_setting_set(s, "deepest", "1", NULL), AG_OK);
	assert_int_equal(store_commit(s, NULL), AG_OK);
	assert_int_equal(store_commit(s, NULL), AG_OK);
	assert_int_equal(store_commit(s, NULL), AG_OK);
	assert_true(sqlite3_get_autocommit(store_db(s)));
	assert_true(committed_setting(f, "outer"));
	assert_true(committed_setting(f, "kept"));
	assert_true(committed_setting(f, "deepest"));
	assert_false(committed_setting(f, "undone"));
	store_rollback(s); /* a stray rollback with nothing open does nothing */
	assert_true(committed_setting(f, "outer"));
}

/* Services that make their own transactions run inside a caller's and go with it. */
static void services_nest_inside_a_caller_transaction(void **state)
{
	struct fixture *f = *state;
	store *s = f->ctx.store;
	struct booking b;
	long long audit;

	fixture_capacity(f, date_from_ymd(2026, 5, 4), 30, 4);
	audit = fixture_count(f, "SELECT count(*) FROM audit");
	assert_int_equal(store_begin(s, NULL), AG_OK);
	assert_int_equal(site_configure(&f->ctx, "test", "Sportello di prova", NULL, NULL), AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_false(sqlite3_get_autocommit(store_db(s)));
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 1);
	store_rollback(s);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 0);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit"), audit);
	assert_false(committed_setting(f, "site"));
	/* And committed by the caller, both are there. */
	assert_int_equal(store_begin(s, NULL), AG_OK);
	assert_int_equal(site_configure(&f->ctx, "test", "Sportello di prova", NULL, NULL), AG_OK);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(store_commit(s, NULL), AG_OK);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 1);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit"), audit + 2);
	assert_true(committed_setting(f, "site"));
}

/* SQLite rolled the whole transaction back (as on a full disk): no open level may commit. */
static void whole_rollback_fails_every_open_level(void **state)
{
	struct fixture *f = *state;
	store *s = f->ctx.store;
	agenda_detail why;

	assert_int_equal(store_begin(s, NULL), AG_OK);
	assert_int_equal(store_setting_set(s, "lost", "1", NULL), AG_OK);
	assert_int_equal(store_begin(s, NULL), AG_OK);
	assert_int_equal(sqlite3_exec(store_db(s), "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(store_begin(s, &why), AG_OK); /* nothing to nest in */
	assert_int_not_equal(store_commit(s, &why), AG_OK);
	assert_true(why.it[0] != '\0');
	assert_int_not_equal(store_commit(s, NULL), AG_OK);
	assert_false(committed_setting(f, "lost"));
	/* Every level closed: the next transaction is an ordinary one. */
	assert_int_equal(store_begin(s, NULL), AG_OK);
	assert_int_equal(store_setting_set(s, "next", "1", NULL), AG_OK);
	assert_int_equal(store_commit(s, NULL), AG_OK);
	assert_true(committed_setting(f, "next"));
	assert_false(committed_setting(f, "lost"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(cache_keeps_every_text_prepared_once),
	        T(second_booking_prepares_nothing),
	        T(nested_commit_joins_the_parent),
	        T(nested_rollback_undoes_only_its_level),
	        T(services_nest_inside_a_caller_transaction),
	        T(whole_rollback_fails_every_open_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
