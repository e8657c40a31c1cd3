/*
 * store_test.c — the store opens only files it may safely write: it creates and migrates a new
 * one, reopens it, and refuses — byte for byte untouched — a missing, foreign, corrupt or
 * newer-schema file. Also: WAL with synchronous=FULL, and a full disk during a booking leaves
 * no partial booking (a size cap through SQLite's max_page_count stands in for the disk here;
 * the real full file system is tests/integration).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "store/schema.h"

#include <sys/stat.h>

static char *slurp(const char *path, long *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	*len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)*len + 1);
	assert_int_equal(fread(buf, 1, (size_t)*len, fp), (size_t)*len);
	fclose(fp);
	return buf;
}

/* Opens path and expects err; the file must be byte-identical afterwards. */
static void refused_untouched(const char *path, agenda_err expected)
{
	long before_len, after_len;
	char *before = slurp(path, &before_len), *after;
	store *s = NULL;
	agenda_detail why;

	chmod(path, 0600); /* private: what is refused is the content */
	assert_int_equal(store_open(path, STORE_OPEN_CREATE, &s, &why), expected);
	assert_null(s);
	assert_true(why.it[0] != '\0');
	after = slurp(path, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, (size_t)before_len);
	free(before);
	free(after);
}

static void creates_migrates_reopens(void **state)
{
	struct fixture *f = *state;
	store *s;

	assert_int_equal(fixture_count(f, "PRAGMA user_version"), SCHEMA_VERSION);
	assert_int_equal(fixture_count(f, "PRAGMA application_id"), SCHEMA_APPLICATION_ID);
	assert_int_equal(fixture_count(f, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM pragma_journal_mode"
	                                  " WHERE journal_mode = 'wal'"),
	                 1);
	assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &s, NULL), AG_OK);
	store_close(s);
}

static void older_schema_is_migrated_keeping_data(void **state)
{
	struct fixture *f = *state;
	char path[128], sql[64];
	sqlite3 *db;
	store *s;

	snprintf(path, sizeof path, "%s/v1.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, SCHEMA_MIGRATIONS[0], 0, 0, 0), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d", SCHEMA_APPLICATION_ID);
	assert_int_equal(sqlite3_exec(db, sql, 0, 0, 0), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "PRAGMA user_version = 1;"
	                              "INSERT INTO setting VALUES('site', 'Padova')",
	                              0, 0, 0),
	                 SQLITE_OK);
	sqlite3_close(db);
	chmod(path, 0600);
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s, NULL), AG_OK);
	char site[16];
	assert_true(store_setting_get(s, "site", site, sizeof site));
	assert_string_equal(site, "Padova");
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(store_db(s), "PRAGMA user_version", -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), SCHEMA_VERSION);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_exec(store_db(s), "SELECT print_state FROM appointment", 0, 0, 0),
	                 SQLITE_OK);
	store_close(s);
}

/*
 * Migration 4 rebuilds the slot table: a version-3 file keeps its slots and the appointments
 * that point at them, foreign keys still hold, and a slot can now be 'releasing'.
 */
static void slot_table_rebuild_keeps_bookings(void **state)
{
	struct fixture *f = *state;
	char path[128], sql[64];
	sqlite3 *db;
	store *s;

	snprintf(path, sizeof path, "%s/v3.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (int v = 0; v < 3; v++)
		assert_int_equal(sqlite3_exec(db, SCHEMA_MIGRATIONS[v], 0, 0, 0), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d", SCHEMA_APPLICATION_ID);
	assert_int_equal(sqlite3_exec(db, sql, 0, 0, 0), SQLITE_OK);
	assert_int_equal(
	        sqlite3_exec(db,
	                     "PRAGMA user_version = 3;"
	                     "INSERT INTO questura(code, name, city) VALUES('RM', 'Roma', 'Roma');"
	                     "INSERT INTO slot VALUES(7, 'RM', 20000, 540, 'dev-a', 'booked');"
	                     "INSERT INTO slot VALUES(8, 'RM', 20000, 560, 'dev-a', 'free');"
	                     "INSERT INTO practice(id, numero_pratica, cognome, nome, data_nascita,"
	                     " nazionalita, tipo, questura, updated_at)"
	                     " VALUES(1, 'P1', 'X', 'Y', 1, 'MA', 'lavoro', 'RM', 0);"
	                     "INSERT INTO operator VALUES(1, 'op', 'operatore', 'h', 0);"
	                     "INSERT INTO appointment(id, practice_id, slot_id, operator_id,"
	                     " created_at, state) VALUES('a1', 1, 7, 1, 0, 'confirmed');",
	                     0, 0, 0),
	        SQLITE_OK);
	sqlite3_close(db);
	chmod(path, 0600);
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s, NULL), AG_OK);
	db = store_db(s);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_key_check", 0, 0, 0), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT count(*) FROM appointment a JOIN slot s"
	                                    " ON s.id = a.slot_id WHERE s.state = 'booked'"
	                                    " AND s.minute = 540 AND s.grant_id IS NULL",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	assert_int_equal(
	        sqlite3_exec(db, "UPDATE slot SET state = 'releasing' WHERE id = 8", 0, 0, 0),
	        SQLITE_OK);
	assert_int_not_equal(
	        sqlite3_exec(db, "UPDATE slot SET state = 'gone' WHERE id = 8", 0, 0, 0),
	        SQLITE_OK);
	/* The foreign key from appointment still points at the rebuilt table. */
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM slot WHERE id = 7", 0, 0, 0), SQLITE_OK);
	store_close(s);
}

/*
 * Migration 5 (issue 12) on a populated version-4 file: every slot, appointment, journal
 * entry and sync state survives, slots get lease_end NULL (own capacity, no lease), the
 * worklist starts empty, and foreign keys still hold.
 */
static void migration_5_keeps_a_populated_v4_file(void **state)
{
	struct fixture *f = *state;
	char path[128], sql[64];
	sqlite3 *db;
	store *s;

	snprintf(path, sizeof path, "%s/v4.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (int v = 0; v < 4; v++)
		assert_int_equal(sqlite3_exec(db, SCHEMA_MIGRATIONS[v], 0, 0, 0), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d", SCHEMA_APPLICATION_ID);
	assert_int_equal(sqlite3_exec(db, sql, 0, 0, 0), SQLITE_OK);
	assert_int_equal(
	        sqlite3_exec(
	                db,
	                "PRAGMA user_version = 4;"
	                "INSERT INTO questura(code, name, city) VALUES('RM', 'Roma', 'Roma');"
	                "INSERT INTO slot VALUES(7, 'RM', 20000, 540, 'dev-a', 'booked', NULL);"
	                "INSERT INTO slot VALUES(8, 'RM', 20000, 560, 'dev-a', 'free', '41');"
	                "INSERT INTO slot VALUES(9, 'RM', 20001, 560, 'dev-a', 'releasing',"
	                " NULL);"
	                "INSERT INTO practice(id, numero_pratica, cognome, nome, data_nascita,"
	                " nazionalita, tipo, questura, updated_at)"
	                " VALUES(1, 'P1', 'X', 'Y', 1, 'MA', 'lavoro', 'RM', 0);"
	                "INSERT INTO operator VALUES(1, 'op', 'operatore', 'h', 0);"
	                "INSERT INTO appointment(id, practice_id, slot_id, operator_id,"
	                " created_at, state) VALUES('a1', 1, 7, 1, 0, 'confirmed');"
	                "INSERT INTO journal(entry_id, kind, appointment_id, payload,"
	                " created_at) VALUES('e1', 'book', 'a1', '{}', 0);"
	                "INSERT INTO sync_state VALUES('journal_acked_through', 'e0');",
	                0, 0, 0),
	        SQLITE_OK);
	sqlite3_close(db);
	chmod(path, 0600);
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s, NULL), AG_OK);
	db = store_db(s);
	const char *const checks[] = {
	        "SELECT count(*) = 3 FROM slot WHERE lease_end IS NULL",
	        "SELECT count(*) = 1 FROM slot WHERE id = 8 AND grant_id = '41' AND state = 'free'",
	        "SELECT count(*) = 1 FROM appointment a JOIN slot s ON s.id = a.slot_id"
	        " WHERE s.state = 'booked' AND a.state = 'confirmed'",
	        "SELECT count(*) = 1 FROM journal WHERE entry_id = 'e1' AND acked = 0",
	        "SELECT count(*) = 1 FROM sync_state WHERE value = 'e0'",
	        "SELECT count(*) = 0 FROM worklist",
	        "SELECT count(*) = 0 FROM pragma_foreign_key_check",
	        "PRAGMA user_version",
	};
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(db, checks[i], -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0),
		                 i + 1 < sizeof checks / sizeof checks[0] ? 1 : SCHEMA_VERSION);
		sqlite3_finalize(st);
	}
	assert_int_equal(SCHEMA_VERSION, 6);
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO worklist(created_at, kind) VALUES(1, 'closure');"
	                              "UPDATE slot SET lease_end = 0 WHERE id = 8",
	                              0, 0, 0),
	                 SQLITE_OK);
	store_close(s);
}

/*
 * Migration 6 (issue 13) on a populated version-5 file: the day_close rows survive the rebuild
 * (operator kept), a close without operator is now allowed, day_list starts empty and takes a
 * version per (day, Questura), and foreign keys still hold.
 */
static void migration_6_keeps_day_closes(void **state)
{
	struct fixture *f = *state;
	char path[128], sql[64];
	sqlite3 *db;
	store *s;

	snprintf(path, sizeof path, "%s/v5.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (int v = 0; v < 5; v++)
		assert_int_equal(sqlite3_exec(db, SCHEMA_MIGRATIONS[v], 0, 0, 0), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d", SCHEMA_APPLICATION_ID);
	assert_int_equal(sqlite3_exec(db, sql, 0, 0, 0), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "PRAGMA user_version = 5;"
	                              "INSERT INTO operator VALUES(1, 'op', 'operatore', 'h', 0);"
	                              "INSERT INTO day_close VALUES(1, 20577, 1, 100, 1, 3, 1);"
	                              "INSERT INTO day_close VALUES(2, 20577, 2, 200, 1, 2, 2);",
	                              0, 0, 0),
	                 SQLITE_OK);
	/* Before the migration a close needs its operator. */
	assert_int_not_equal(sqlite3_exec(db,
	                                  "INSERT INTO day_close VALUES(3, 20578, 1, 300, NULL, 0,"
	                                  " 0)",
	                                  0, 0, 0),
	                     SQLITE_OK);
	sqlite3_close(db);
	chmod(path, 0600);
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s, NULL), AG_OK);
	db = store_db(s);
	const char *const checks[] = {
	        "SELECT count(*) = 2 FROM day_close WHERE day = 20577 AND operator_id = 1",
	        "SELECT count(*) = 1 FROM day_close WHERE version = 2 AND closed_at = 200"
	        " AND appointments = 2 AND cancellations = 2",
	        "SELECT count(*) = 0 FROM day_list",
	        "SELECT count(*) = 0 FROM pragma_foreign_key_check",
	        "PRAGMA user_version",
	};
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(db, checks[i], -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0),
		                 i + 1 < sizeof checks / sizeof checks[0] ? 1 : SCHEMA_VERSION);
		sqlite3_finalize(st);
	}
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO day_close(day, version, closed_at, operator_id,"
	                              " appointments, cancellations) VALUES(20578, 1, 300, NULL,"
	                              " 0, 0);"
	                              "INSERT INTO day_list VALUES(20577, 'RM', 1, 100, 3, 1,"
	                              " '<m1@x>')",
	                              0, 0, 0),
	                 SQLITE_OK);
	/* One row per (day, Questura, version); an operator that does not exist is refused. */
	assert_int_not_equal(sqlite3_exec(db,
	                                  "INSERT INTO day_list VALUES(20577, 'RM', 1, 101, 3, 1,"
	                                  " '<m2@x>')",
	                                  0, 0, 0),
	                     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db,
	                                  "INSERT INTO day_close(day, version, closed_at,"
	                                  " operator_id, appointments, cancellations)"
	                                  " VALUES(20579, 1, 300, 99, 0, 0)",
	                                  0, 0, 0),
	                     SQLITE_OK);
	store_close(s);
}

static void missing_file_not_created_without_flag(void **state)
{
	struct fixture *f = *state;
	char path[128];
	store *s;

	snprintf(path, sizeof path, "%s/none.db", f->dir);
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s, NULL), AG_ERR_NOT_FOUND);
	assert_int_not_equal(access(path, F_OK), 0);
}

static void foreign_database_refused(void **state)
{
	struct fixture *f = *state;
	char path[128];
	sqlite3 *db;

	snprintf(path, sizeof path, "%s/foreign.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)", 0, 0, 0),
	                 SQLITE_OK);
	sqlite3_close(db);
	refused_untouched(path, AG_ERR_CORRUPT);
}

static void not_sqlite_refused(void **state)
{
	struct fixture *f = *state;
	char path[128];
	FILE *fp;

	snprintf(path, sizeof path, "%s/text.db", f->dir);
	fp = fopen(path, "wb");
	for (int i = 0; i < 200; i++)
		fputs("questo non è un database\n", fp);
	fclose(fp);
	refused_untouched(path, AG_ERR_CORRUPT);
}

/*
 * A damaged page that only PRAGMA quick_check reads: the root page of the slot table gets an
 * invalid page type. Opening reads the header and sqlite_schema, never that page, so the file
 * would open and fail later, in the middle of a booking; quick_check must refuse it up front.
 */
static void corrupt_database_refused(void **state)
{
	struct fixture *f = *state;
	char path[128], unchecked[128], cmd[300];
	long long root, page_size;
	store *s = NULL;
	FILE *fp;
	long len;
	char *bytes;

	fixture_capacity(f, date_from_ymd(2026, 5, 4), 60, 20);
	root = fixture_count(f, "SELECT rootpage FROM sqlite_schema WHERE name = 'slot'");
	page_size = fixture_count(f, "PRAGMA page_size");
	assert_true(root > 1 && page_size >= 512);
	assert_int_equal(fixture_sql(f, "PRAGMA wal_checkpoint(TRUNCATE)"), SQLITE_OK);
	snprintf(path, sizeof path, "%s/corrupt.db", f->dir);
	snprintf(unchecked, sizeof unchecked, "%s/unchecked.db", f->dir);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", f->path, path);
	assert_int_equal(system(cmd), 0);
	bytes = slurp(path, &len);
	assert_true(len >= root * page_size);
	assert_int_equal(bytes[(root - 1) * page_size], 0x05); /* an interior table page */
	bytes[(root - 1) * page_size] = 0x00;                  /* no such page type */
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(bytes, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	free(bytes);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, unchecked);
	assert_int_equal(system(cmd), 0);

	refused_untouched(path, AG_ERR_CORRUPT);
	/* the damage is one that only the check finds: without it the file opens */
	assert_int_equal(store_open(unchecked, STORE_SKIP_CHECK, &s, NULL), AG_OK);
	store_close(s);
}

/*
 * A COMMIT that fails (here a foreign key checked only at commit; on a device, a full disk)
 * must not leave the transaction open: the next change would fail to begin, or be committed
 * together with the half of this one.
 */
static void failed_commit_leaves_no_transaction(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = store_db(f->ctx.store);
	struct booking b;

	fixture_capacity(f, date_from_ymd(2026, 5, 4), 30, 2);
	assert_int_equal(sqlite3_exec(db, "PRAGMA defer_foreign_keys = ON", NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(store_begin(f->ctx.store, NULL), AG_OK);
	assert_int_equal(
	        sqlite3_exec(db,
	                     "INSERT INTO appointment(id, practice_id, slot_id, operator_id,"
	                     " created_at, state) VALUES('x', 999999, 999999, 999999, 0,"
	                     " 'confirmed')",
	                     NULL, NULL, NULL),
	        SQLITE_OK);
	assert_int_not_equal(store_commit(f->ctx.store, NULL), AG_OK);
	assert_true(sqlite3_get_autocommit(db));
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 0);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, NULL),
	                 AG_OK);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), 1);
}

static void newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	char sql[64];

	agenda_ctx_close(&f->ctx);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION + 1);
	assert_int_equal(fixture_sql(f, sql), SQLITE_OK);
	assert_int_equal(fixture_sql(f, "PRAGMA wal_checkpoint(TRUNCATE)"), SQLITE_OK);
	refused_untouched(f->path, AG_ERR_SCHEMA_NEWER);
	/* reopen for the teardown */
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION);
	assert_int_equal(fixture_sql(f, sql), SQLITE_OK);
	assert_int_equal(
	        agenda_ctx_open_with(&f->ctx, f->path, 0, clock_fixed(&f->now), f->ctx.rng, NULL),
	        AG_OK);
}

static void full_disk_leaves_no_partial_booking(void **state)
{
	struct fixture *f = *state;
	agenda_day may4 = date_from_ymd(2026, 5, 4);
	struct booking b;
	agenda_detail why;
	int booked = 0;
	agenda_err err = AG_OK;

	fixture_capacity(f, may4, 60, 20);
	/* cap the file at its current size: the next pages cannot be had */
	long long pages = fixture_count(f, "PRAGMA page_count");
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages);
	assert_int_equal(sqlite3_exec(store_db(f->ctx.store), sql, 0, 0, 0), SQLITE_OK);
	for (int i = 0; i < 400 && err == AG_OK; i++) {
		char pratica[PRATICA_MAX];
		int64_t id;

		snprintf(pratica, sizeof pratica, "RM/2026/%06d", 100 + i);
		sqlite3_exec(store_db(f->ctx.store), "PRAGMA max_page_count = 1000000", 0, 0, 0);
		fixture_practice(f, pratica, "", "lavoro", &id);
		sqlite3_exec(store_db(f->ctx.store), sql, 0, 0, 0);
		err = booking_confirm(&f->ctx, &f->op, id, NULL, &b, &why);
		if (err == AG_OK)
			booked++;
	}
	assert_int_equal(err, AG_ERR_DISK_FULL);
	assert_non_null(strstr(why.it, "Disco pieno"));
	/* every confirmed booking is whole; the failed one left nothing */
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointment"), booked);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM slot WHERE state = 'booked'"),
	                 booked);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM journal WHERE kind = 'book'"),
	                 booked);
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'book'"),
	                 booked);
	/* space comes back: the same device books again */
	sqlite3_exec(store_db(f->ctx.store), "PRAGMA max_page_count = 1000000", 0, 0, 0);
	assert_int_equal(booking_confirm(&f->ctx, &f->op, f->practice_lavoro, NULL, &b, &why),
	                 AG_OK);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(creates_migrates_reopens),
	        T(older_schema_is_migrated_keeping_data),
	        T(slot_table_rebuild_keeps_bookings),
	        T(migration_5_keeps_a_populated_v4_file),
	        T(migration_6_keeps_day_closes),
	        T(missing_file_not_created_without_flag),
	        T(foreign_database_refused),
	        T(not_sqlite_refused),
	        T(corrupt_database_refused),
	        T(newer_schema_refused),
	        T(failed_commit_leaves_no_transaction),
	        T(full_disk_leaves_no_partial_booking),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
