/*
 * store_admin_test.c — the admin verbs' store operations (central/store_admin.h), the same
 * tests on each backend, as store_test.c runs them:
 *   central_store_admin_test sqlite        a fresh SQLite file per test
 *   central_store_admin_test postgresql    a fresh database per test (with_postgres.sh)
 * Practices upserted by numero_pratica with a taken visa refused row by row (within a batch
 * too) while the rest of the batch goes in; a closure takes the day's free pool slots and leaves
 * held ones; the calendar reads patron and exceptions; a password message replaces the one of
 * its topic still waiting and loses its body when marked sent; operators' refusals.
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

#include "core/date.h"
#include "store.h"
#include "store_fixture.h"
#include "store_admin.h"

static struct store_fixture fx = {.prefix = "admin"};

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

/* A store with its schema, Questure RM and PD, and site ROMA. */
static central_store *open_store(void)
{
	central_site site = {.code = "ROMA",
	                     .city = "Roma",
	                     .dirigente = "dirigente@roma.it",
	                     .provinces = {"RM"},
	                     .province_count = 1,
	                     .created_at = 1};
	central_questura rm = {.code = "RM", .name = "Roma", .patron_month = 6, .patron_day = 29};
	central_questura pd = {.code = "PD", .name = "Padova"};
	central_store *s = NULL;
	agenda_detail why;

	agenda_detail_clear(&why);
	if (central_store_open(fx.target, &s, &why) != AG_OK)
		fail_msg("open %s: %s", fx.target, why.en);
	assert_int_equal(central_store_create_schema(s, NULL, NULL), AG_OK);
	assert_int_equal(central_store_add_questura_full(s, &rm, NULL), AG_OK);
	assert_int_equal(central_store_add_questura_full(s, &pd, NULL), AG_OK);
	assert_int_equal(central_store_add_site(s, &site, NULL), AG_OK);
	return s;
}

/* The first column of the first row of sql, behind the interface's back. */
static long long raw_value(const char *sql)
{
	long long value = -1;

	if (strcmp(fx.backend, "sqlite") == 0) {
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_open(fx.target + strlen("sqlite:"), &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		if (sqlite3_step(st) == SQLITE_ROW)
			value = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(db);
	} else {
		PGconn *conn = PQconnectdb(fx.target + strlen("pg:"));
		PGresult *r = PQexec(conn, sql);

		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			value = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		else if (PQresultStatus(r) != PGRES_COMMAND_OK)
			fail_msg("%s: %s", sql, PQerrorMessage(conn));
		PQclear(r);
		PQfinish(conn);
	}
	return value;
}

static struct practice_row practice(const char *pratica, const char *visto, const char *questura)
{
	struct practice_row p = {.data_nascita = 7000};

	snprintf(p.numero_pratica, sizeof p.numero_pratica, "%s", pratica);
	snprintf(p.numero_visto, sizeof p.numero_visto, "%s", visto);
	snprintf(p.cognome, sizeof p.cognome, "ROSSI");
	snprintf(p.nome, sizeof p.nome, "MARIO");
	snprintf(p.nazionalita, sizeof p.nazionalita, "ALBANIA");
	snprintf(p.tipo, sizeof p.tipo, "Lavoro subordinato");
	snprintf(p.questura, sizeof p.questura, "%s", questura);
	return p;
}

static void practices_are_upserted_and_a_taken_visa_refuses_its_row_only(void **state)
{
	central_store *s = open_store();
	struct practice_row rows[4] = {
	        practice("RM/2026/000001", "ITA000000001", "RM"),
	        practice("RM/2026/000002", "", "RM"),
	        practice("RM/2026/000003", "ITA000000001", "RM"), /* the first row's visa */
	        practice("PD/2026/000004", "ITA000000004", "PD"),
	};
	bool taken[4];
	size_t written = 0;

	(void)state;
	assert_int_equal(central_store_upsert_practices(s, rows, 4, 100, taken, &written, NULL),
	                 AG_OK);
	assert_int_equal(written, 3);
	assert_false(taken[0]);
	assert_false(taken[1]);
	assert_true(taken[2]);
	assert_false(taken[3]);
	/* Again: the same practices rewritten, none added; the taken visa still refused. */
	assert_int_equal(central_store_upsert_practices(s, rows, 4, 200, taken, &written, NULL),
	                 AG_OK);
	assert_int_equal(written, 3);
	assert_true(taken[2]);
	assert_int_equal(raw_value("SELECT count(*) FROM practice"), 3);
	assert_int_equal(raw_value("SELECT count(*) FROM practice WHERE updated_at = 200"), 3);
	assert_int_equal(raw_value("SELECT count(*) FROM practice WHERE tipo = 'lavoro'"), 3);
	/* A practice may change its visa to a free one. */
	rows[0] = practice("RM/2026/000001", "ITA000000009", "RM");
	assert_int_equal(central_store_upsert_practices(s, rows, 1, 300, taken, &written, NULL),
	                 AG_OK);
	assert_false(taken[0]);
	assert_int_equal(raw_value("SELECT count(*) FROM practice WHERE numero_visto ="
	                           " 'ITA000000001'"),
	                 0);
	central_store_close(s);
}

static void a_closure_takes_free_pool_slots_and_leaves_held_ones(void **state)
{
	central_store *s = open_store();
	agenda_day day = date_from_ymd(2026, 6, 3);
	int minutes[] = {540, 560, 580};
	size_t removed = 9, held = 9;
	struct cal_rules rules;
	central_slot got[1];
	size_t n = 0;

	(void)state;
	assert_int_equal(central_store_add_slots(s, "RM", day, minutes, 3, NULL, NULL), AG_OK);
	assert_int_equal(central_store_allocate(s, "RM", day, day, "ROMA-1", 1, got, &n, NULL),
	                 AG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(
	        central_store_put_closure(s, "RM", day, false, "Assemblea", &removed, &held, NULL),
	        AG_OK);
	assert_int_equal(removed, 2);
	assert_int_equal(held, 1);
	assert_int_equal(raw_value("SELECT count(*) FROM slot WHERE holder = 'ROMA-1'"), 1);
	/* handed back after the closure: it leaves, never to be granted on a closed day */
	assert_int_equal(central_store_release(s, "ROMA-1", &got[0].id, 1, &n, NULL), AG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(raw_value("SELECT count(*) FROM slot WHERE questura = 'RM'"), 0);
	assert_int_equal(
	        central_store_put_closure(s, "RM", day + 3, true, NULL, &removed, &held, NULL),
	        AG_OK);
	assert_int_equal(
	        central_store_put_closure(s, "MI", day, false, NULL, &removed, &held, NULL),
	        AG_ERR_NOT_FOUND);
	assert_int_equal(central_store_calendar(s, "RM", day, day + 10, &rules, NULL), AG_OK);
	assert_int_equal(rules.patron_month, 6);
	assert_int_equal(rules.patron_day, 29);
	assert_int_equal(rules.exception_count, 2);
	assert_int_equal(rules.exceptions[0].day, day);
	assert_false(rules.exceptions[0].open);
	assert_true(rules.exceptions[1].open);
	assert_int_equal(cal_day_status(&rules, day), CAL_CLOSURE);
	assert_int_equal(cal_day_status(&rules, day + 3), CAL_OPEN_EXTRA); /* a Saturday */
	central_calendar_free(&rules);
	assert_int_equal(central_store_calendar(s, "MI", day, day, &rules, NULL), AG_ERR_NOT_FOUND);
	central_store_close(s);
}

static void a_password_message_replaces_the_waiting_one_and_is_wiped_when_sent(void **state)
{
	central_store *s = open_store();
	central_mail m = {.kind = "password",
	                  .topic = "password:mario.rossi",
	                  .message_id = "<1@test>",
	                  .recipient = "dirigente@roma.it",
	                  .subject = "password",
	                  .body = "prima",
	                  .created_at = 1};
	central_outbox_item *list = NULL;
	size_t count = 0;

	(void)state;
	assert_int_equal(central_store_queue_mail(s, &m, NULL), AG_OK);
	m.message_id = "<2@test>";
	m.body = "seconda";
	assert_int_equal(central_store_queue_mail(s, &m, NULL), AG_OK);
	assert_int_equal(raw_value("SELECT count(*) FROM outbox"), 1);
	assert_int_equal(raw_value("SELECT count(*) FROM outbox WHERE body = 'seconda'"), 1);
	/* Sent: the body goes (the trigger); a newer message of the topic may wait beside it. */
	raw_value("UPDATE outbox SET state = 'sent'");
	assert_int_equal(raw_value("SELECT count(*) FROM outbox WHERE body = ''"), 1);
	m.message_id = "<3@test>";
	m.body = "terza";
	assert_int_equal(central_store_queue_mail(s, &m, NULL), AG_OK);
	assert_int_equal(central_store_list_outbox(s, &list, &count, NULL), AG_OK);
	assert_int_equal(count, 2);
	assert_string_equal(list[0].state, "sent");
	assert_int_equal(list[0].body_bytes, 0);
	assert_string_equal(list[1].state, "queued");
	assert_int_equal(list[1].body_bytes, 5);
	assert_string_equal(list[1].topic, "password:mario.rossi");
	free(list);
	central_store_close(s);
}

static void operators_refuse_unknown_sites_and_users(void **state)
{
	central_store *s = open_store();
	central_operator op = {.username = "mario.rossi", .role = ROLE_OPERATORE, .site = "ROMA"};
	central_operator *list = NULL;
	size_t count = 0;

	(void)state;
	assert_int_equal(central_store_add_operator(s, &op, "$argon2id$x", NULL), AG_OK);
	assert_int_equal(central_store_add_operator(s, &op, "$argon2id$x", NULL), AG_ERR_EXISTS);
	snprintf(op.username, sizeof op.username, "anna");
	snprintf(op.site, sizeof op.site, "NAPOLI");
	assert_int_equal(central_store_add_operator(s, &op, "$argon2id$x", NULL), AG_ERR_NOT_FOUND);
	snprintf(op.username, sizeof op.username, "Anna Bianchi");
	assert_int_equal(central_store_add_operator(s, &op, "$argon2id$x", NULL), AG_ERR_INVALID);
	assert_int_equal(central_store_reset_operator(s, "nessuno", NULL, 5, NULL),
	                 AG_ERR_NOT_FOUND);
	raw_value("UPDATE operator SET failures = 5, locked_until = 999");
	assert_int_equal(central_store_reset_operator(s, "mario.rossi", NULL, 5, NULL), AG_OK);
	assert_int_equal(central_store_get_operator(s, "mario.rossi", &op, NULL), AG_OK);
	assert_int_equal(op.failures, 0);
	assert_int_equal(op.locked_until, 0);
	assert_int_equal(op.updated_at, 5);
	assert_int_equal(central_store_list_operators(s, "NAPOLI", &list, &count, NULL), AG_OK);
	assert_int_equal(count, 0);
	assert_int_equal(central_store_list_operators(s, NULL, &list, &count, NULL), AG_OK);
	assert_int_equal(count, 1);
	assert_int_equal(list[0].role, ROLE_OPERATORE);
	free(list);
	central_store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                practices_are_upserted_and_a_taken_visa_refuses_its_row_only, fresh_store,
	                drop_store),
	        cmocka_unit_test_setup_teardown(
	                a_closure_takes_free_pool_slots_and_leaves_held_ones, fresh_store,
	                drop_store),
	        cmocka_unit_test_setup_teardown(
	                a_password_message_replaces_the_waiting_one_and_is_wiped_when_sent,
	                fresh_store, drop_store),
	        cmocka_unit_test_setup_teardown(operators_refuse_unknown_sites_and_users,
	                                        fresh_store, drop_store),
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
