/*
 * store_outbox_test.c — delivering central's outbox in the store (central/store_outbox.h), the
 * same tests on each backend, as the other store tests run them:
 *   central_store_outbox_test sqlite        a fresh SQLite file per test
 *   central_store_outbox_test postgresql    a fresh database per test (with_postgres.sh)
 * The message due first comes with its body; each state change happens only from the state it
 * expects (a second sender, a retry of a sent message, a replaced message are refused or not
 * found); a failed attempt waits for its next try, a given-up message for a retry; a password
 * sent leaves no copy in the table, nor (SQLite) in the database file or its WAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_fixture.h"
#include "store_outbox.h"

static struct store_fixture fx = {.prefix = "outbox"};

static int fresh_store(void **state)
{
	(void)state;
	return store_fixture_fresh(&fx);
}

static int drop_store(void **state)
{
	(void)state;
	return store_fixture_drop(&fx);
}

static central_store *open_store(void)
{
	central_store *s = NULL;
	agenda_detail why;

	agenda_detail_clear(&why);
	if (central_store_open(fx.target, &s, &why) != AG_OK)
		fail_msg("open %s: %s", fx.target, why.en);
	assert_int_equal(central_store_create_schema(s, NULL, NULL), AG_OK);
	return s;
}

/* The first column of the first row of sql, behind the interface's back (text). */
static void raw_text(const char *sql, char *out, size_t size)
{
	out[0] = '\0';
	if (strcmp(fx.backend, "sqlite") == 0) {
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_open(fx.target + strlen("sqlite:"), &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		sqlite3_close(db);
	} else {
		PGconn *conn = PQconnectdb(fx.target + strlen("pg:"));
		PGresult *r = PQexec(conn, sql);

		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
		else if (PQresultStatus(r) != PGRES_COMMAND_OK)
			fail_msg("%s: %s", sql, PQerrorMessage(conn));
		PQclear(r);
		PQfinish(conn);
	}
}

static long long raw_value(const char *sql)
{
	char text[64];

	raw_text(sql, text, sizeof text);
	return text[0] ? strtoll(text, NULL, 10) : -1;
}

static int64_t queue(central_store *s, const char *kind, const char *topic, const char *id,
                     const char *body, int64_t created_at)
{
	central_mail m = {.kind = kind,
	                  .topic = topic,
	                  .message_id = id,
	                  .recipient = "dirigente@roma.it",
	                  .subject = "Oggetto è",
	                  .body = body,
	                  .created_at = created_at};
	char sql[160];

	assert_int_equal(central_store_queue_mail(s, &m, NULL), AG_OK);
	snprintf(sql, sizeof sql, "SELECT id FROM outbox WHERE message_id = '%s'", id);
	return raw_value(sql);
}

static void the_message_due_first_comes_with_its_body(void **state)
{
	central_store *s = open_store();
	central_outbox_entry e;
	int64_t first, second;

	(void)state;
	assert_int_equal(central_store_outbox_next_due(s, 100, &e, NULL), AG_ERR_NOT_FOUND);
	first = queue(s, "password", "password:anna", "<1@test>", "uno", 10);
	second = queue(s, "day_list", NULL, "<2@test>", "due", 20);
	assert_int_equal(central_store_outbox_next_due(s, 100, &e, NULL), AG_OK);
	assert_int_equal(e.item.id, first);
	assert_string_equal(e.body, "uno");
	assert_null(e.attachment);
	assert_string_equal(e.item.kind, "password");
	assert_string_equal(e.item.subject, "Oggetto è");
	assert_int_equal(e.item.body_bytes, 3);
	central_outbox_entry_clear(&e);
	assert_null(e.body);
	/* The first one failed: it waits until 500; the second is due now. */
	assert_int_equal(central_store_outbox_mark_failed(s, first, NULL, "451 4.3.0 riprova", 500,
	                                                  false, NULL),
	                 AG_OK);
	assert_int_equal(central_store_outbox_next_due(s, 100, &e, NULL), AG_OK);
	assert_int_equal(e.item.id, second);
	central_outbox_entry_clear(&e);
	assert_int_equal(central_store_outbox_mark_sent(s, second, NULL, "250 2.0.0 Ok", 101, NULL),
	                 AG_OK);
	assert_int_equal(central_store_outbox_next_due(s, 499, &e, NULL), AG_ERR_NOT_FOUND);
	assert_int_equal(central_store_outbox_next_due(s, 500, &e, NULL), AG_OK);
	assert_int_equal(e.item.id, first);
	assert_int_equal(e.item.attempts, 1);
	assert_string_equal(e.reply, "451 4.3.0 riprova");
	assert_string_equal(e.last_error, "451 4.3.0 riprova");
	central_outbox_entry_clear(&e);
	/* A day list keeps its body once sent; only a password's goes. */
	assert_int_equal(raw_value("SELECT length(body) FROM outbox WHERE message_id = '<2@test>'"),
	                 3);
	central_store_close(s);
}

static void each_change_happens_only_from_the_state_it_expects(void **state)
{
	central_store *s = open_store();
	central_outbox_entry e;
	central_outbox_counts n;
	agenda_detail why;
	int64_t id;

	(void)state;
	id = queue(s, "password", "password:anna", "<1@test>", "segreta", 10);
	assert_int_equal(central_store_outbox_get(s, id + 100, &e, &why), AG_ERR_NOT_FOUND);
	assert_int_equal(central_store_outbox_mark_sent(s, id + 100, NULL, "250", 5, NULL),
	                 AG_ERR_NOT_FOUND);
	/* Given up on a 5xx: failed, not due, not to be marked sent by a late sender. */
	assert_int_equal(central_store_outbox_mark_failed(
	                         s, id, NULL, "550 5.1.1 utente sconosciuto", 0, true, NULL),
	                 AG_OK);
	assert_int_equal(central_store_outbox_next_due(s, 1000, &e, NULL), AG_ERR_NOT_FOUND);
	assert_int_equal(central_store_outbox_mark_sent(s, id, NULL, "250", 5, &why),
	                 AG_ERR_REFUSED);
	assert_non_null(strstr(why.it, "failed"));
	assert_int_equal(central_store_outbox_mark_failed(s, id, NULL, "451", 9, false, NULL),
	                 AG_ERR_REFUSED);
	assert_int_equal(central_store_outbox_get(s, id, &e, NULL), AG_OK);
	assert_string_equal(e.item.state, "failed");
	assert_int_equal(e.item.attempts, 1);
	assert_null(e.body); /* get never reads the body */
	assert_string_equal(e.last_error, "550 5.1.1 utente sconosciuto");
	assert_int_equal(central_store_outbox_counts(s, &n, NULL), AG_OK);
	assert_int_equal(n.failed, 1);
	assert_int_equal(n.queued, 0);
	/* A person retries: queued now with a fresh count, the last reply kept for the record. */
	assert_int_equal(central_store_outbox_retry(s, id, 40, NULL), AG_OK);
	assert_int_equal(central_store_outbox_get(s, id, &e, NULL), AG_OK);
	assert_string_equal(e.item.state, "queued");
	assert_int_equal(e.item.attempts, 0);
	assert_int_equal(e.item.next_try, 40);
	assert_string_equal(e.reply, "550 5.1.1 utente sconosciuto");
	/* Sent once; a second sender's mark and a retry are refused. */
	assert_int_equal(
	        central_store_outbox_mark_sent(s, id, NULL, "250 2.0.0 Ok: queued", 41, NULL),
	        AG_OK);
	assert_int_equal(central_store_outbox_mark_sent(s, id, NULL, "250", 42, NULL),
	                 AG_ERR_REFUSED);
	assert_int_equal(central_store_outbox_retry(s, id, 43, &why), AG_ERR_REFUSED);
	assert_int_equal(central_store_outbox_get(s, id, &e, NULL), AG_OK);
	assert_string_equal(e.item.state, "sent");
	assert_int_equal(e.item.sent_at, 41);
	assert_int_equal(e.item.body_bytes, 0);
	assert_string_equal(e.reply, "250 2.0.0 Ok: queued");
	assert_int_equal(central_store_outbox_counts(s, &n, NULL), AG_OK);
	assert_int_equal(n.sent, 1);
	assert_int_equal(n.failed, 0);
	central_store_close(s);
}

static void a_replaced_message_is_not_found_by_its_sender(void **state)
{
	central_store *s = open_store();
	central_outbox_entry e;
	int64_t old;

	(void)state;
	old = queue(s, "password", "password:anna", "<1@test>", "vecchia", 10);
	assert_int_equal(central_store_outbox_next_due(s, 100, &e, NULL), AG_OK);
	central_outbox_entry_clear(&e);
	/* A reset while the old message is on the wire: the new one replaces it. */
	queue(s, "password", "password:anna", "<2@test>", "nuova", 11);
	/* SQLite may give the new row the old id: the Message-ID tells the versions apart */
	assert_int_equal(central_store_outbox_mark_sent(s, old, "<1@test>", "250", 12, NULL),
	                 AG_ERR_NOT_FOUND);
	assert_int_equal(central_store_outbox_next_due(s, 100, &e, NULL), AG_OK);
	assert_string_equal(e.body, "nuova");
	central_outbox_entry_clear(&e);
	central_store_close(s);
}

/* Whether needle is anywhere in the file at path (a missing file holds nothing). */
static bool file_holds(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	size_t n = strlen(needle), len = 0;
	char *data = NULL;
	bool found = false;

	if (!f)
		return false;
	data = malloc(64 << 20);
	assert_non_null(data);
	len = fread(data, 1, 64 << 20, f);
	fclose(f);
	for (size_t i = 0; i + n <= len && !found; i++)
		found = memcmp(data + i, needle, n) == 0;
	free(data);
	return found;
}

static void a_sent_password_leaves_no_copy_behind(void **state)
{
	static const char SECRET[] = "Kx7-segreta-Qz9";
	central_store *s = open_store();
	char path[1400], wal[1420], body[64];
	int64_t id;

	(void)state;
	id = queue(s, "password", "password:anna", "<1@test>", SECRET, 10);
	if (strcmp(fx.backend, "sqlite") == 0) {
		snprintf(path, sizeof path, "%s", fx.target + strlen("sqlite:"));
		snprintf(wal, sizeof wal, "%s-wal", path);
		assert_true(file_holds(path, SECRET) || file_holds(wal, SECRET));
	}
	assert_int_equal(central_store_outbox_mark_sent(s, id, NULL, "250 2.0.0 Ok", 20, NULL),
	                 AG_OK);
	raw_text("SELECT body FROM outbox", body, sizeof body);
	assert_string_equal(body, "");
	if (strcmp(fx.backend, "sqlite") == 0) {
		/* the store is still open: its WAL would hold the old pages if not emptied */
		assert_false(file_holds(path, SECRET));
		assert_false(file_holds(wal, SECRET));
	}
	central_store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(the_message_due_first_comes_with_its_body,
	                                        fresh_store, drop_store),
	        cmocka_unit_test_setup_teardown(each_change_happens_only_from_the_state_it_expects,
	                                        fresh_store, drop_store),
	        cmocka_unit_test_setup_teardown(a_replaced_message_is_not_found_by_its_sender,
	                                        fresh_store, drop_store),
	        cmocka_unit_test_setup_teardown(a_sent_password_leaves_no_copy_behind, fresh_store,
	                                        drop_store),
	};

	if (argc != 2 || (strcmp(argv[1], "sqlite") != 0 && strcmp(argv[1], "postgresql") != 0)) {
		fprintf(stderr, "usage: %s sqlite|postgresql\n", argv[0]);
		return 2;
	}
	fx.backend = argv[1];
	if (strcmp(fx.backend, "postgresql") == 0 && !getenv("AGENDA_CENTRAL_PG")) {
		fprintf(stderr, "%s postgresql: run it under tests/central/with_postgres.sh\n",
		        argv[0]);
		return 2;
	}
	return cmocka_run_group_tests_name(fx.backend, tests, NULL, NULL);
}
