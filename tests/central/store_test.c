/*
 * store_test.c — central's store (central/store.h), the same tests on each backend:
 *   central_store_test sqlite        a fresh SQLite file per test in a temporary folder
 *   central_store_test postgresql    a fresh database per test on the server that
 *                                    with_postgres.sh started (AGENDA_CENTRAL_PG)
 * Schema creation (idempotent, concurrent, a newer store refused), the domain's refusals,
 * allocation earliest first in a day range, release, explicit transactions, 50 concurrent clients
 * draining 10,000 slots (nobody told twice about one slot, nothing lost), and a client killed with
 * SIGKILL in the middle of its allocation transaction (nothing half-allocated).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc_race.h"
#include "core/date.h"
#include "store.h"
#include "store_fixture.h"

#define RACE_CLIENTS 50
#define RACE_DAYS    100
#define RACE_PER_DAY 100 /* 100 days x 100 slots = 10,000 */

static struct store_fixture fx = {.prefix = "central"};

static agenda_day day0(void)
{
	return date_from_ymd(2026, 6, 1);
}

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
	assert_string_equal(central_store_backend(s), fx.backend);
	return s;
}

/* A store with its schema, one Questura "RM" and per_day slots on each of days days. */
static central_store *open_with_slots(int days, int per_day)
{
	central_store *s = open_store();
	int minutes[RACE_PER_DAY];
	size_t added = 0;

	assert_true(per_day <= RACE_PER_DAY);
	assert_int_equal(central_store_create_schema(s, NULL, NULL), AG_OK);
	assert_int_equal(central_store_add_questura(s, "RM", "Questura di Roma", NULL), AG_OK);
	for (int i = 0; i < per_day; i++)
		minutes[i] = 8 * 60 + 5 * i;
	for (int d = 0; d < days; d++) {
		assert_int_equal(central_store_add_slots(s, "RM", day0() + d, minutes,
		                                         (size_t)per_day, &added, NULL),
		                 AG_OK);
		assert_int_equal(added, per_day);
	}
	return s;
}

static int64_t count_of(central_store *s, const char *holder)
{
	int64_t n = -1;

	assert_int_equal(central_store_count(s, holder, &n, NULL), AG_OK);
	return n;
}

static void schema_creation_is_idempotent(void **state)
{
	central_store *s = open_store();
	int version = 0;

	(void)state;
	assert_int_equal(central_store_create_schema(s, &version, NULL), AG_OK);
	assert_int_equal(version, CENTRAL_SCHEMA_VERSION);
	assert_int_equal(central_store_add_questura(s, "MI", "Questura di Milano", NULL), AG_OK);
	version = 0;
	assert_int_equal(central_store_create_schema(s, &version, NULL), AG_OK);
	assert_int_equal(version, CENTRAL_SCHEMA_VERSION);
	central_store_close(s);

	/* Reopened: the schema is found at its version and what was in it is kept. */
	s = open_store();
	version = 0;
	assert_int_equal(central_store_create_schema(s, &version, NULL), AG_OK);
	assert_int_equal(version, CENTRAL_SCHEMA_VERSION);
	assert_int_equal(central_store_add_questura(s, "MI", "Questura di Milano", NULL),
	                 AG_ERR_EXISTS);
	central_store_close(s);
}

/* SQL behind the interface's back, as another (newer) program would write it. */
static void raw_exec(const char *sql)
{
	if (strcmp(fx.backend, "sqlite") == 0) {
		sqlite3 *db = NULL;

		assert_int_equal(sqlite3_open(fx.target + strlen("sqlite:"), &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	} else {
		PGconn *conn = PQconnectdb(fx.target + strlen("pg:"));
		PGresult *r = PQexec(conn, sql);

		assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
		PQclear(r);
		PQfinish(conn);
	}
}

static void a_store_from_a_newer_program_is_refused(void **state)
{
	central_store *s = open_store();
	char sql[96];
	int version = 0;
	agenda_detail why;

	(void)state;
	assert_int_equal(central_store_create_schema(s, NULL, NULL), AG_OK);
	snprintf(sql, sizeof sql, "INSERT INTO central_schema(version) VALUES(%d)",
	         CENTRAL_SCHEMA_VERSION + 1);
	raw_exec(sql);
	agenda_detail_clear(&why);
	assert_int_equal(central_store_create_schema(s, &version, &why), AG_ERR_SCHEMA_NEWER);
	assert_non_null(strstr(why.it, "versione"));
	/* Refused, not touched: the newer version is still recorded. */
	assert_int_equal(central_store_create_schema(s, &version, NULL), AG_ERR_SCHEMA_NEWER);
	central_store_close(s);
}

static void *create_schema_thread(void *arg)
{
	central_store *s = NULL;
	agenda_err *result = arg;
	int version = 0;

	*result = central_store_open(fx.target, &s, NULL);
	if (*result == AG_OK)
		*result = central_store_create_schema(s, &version, NULL);
	if (*result == AG_OK && version != CENTRAL_SCHEMA_VERSION)
		*result = AG_ERR_STORE;
	central_store_close(s);
	return NULL;
}

static void schema_creation_is_safe_when_concurrent(void **state)
{
	pthread_t threads[8];
	agenda_err results[8];
	central_store *s;

	(void)state;
	for (int i = 0; i < 8; i++)
		assert_int_equal(
		        pthread_create(&threads[i], NULL, create_schema_thread, &results[i]), 0);
	for (int i = 0; i < 8; i++) {
		pthread_join(threads[i], NULL);
		assert_int_equal(results[i], AG_OK);
	}
	s = open_store();
	assert_int_equal(central_store_add_questura(s, "TO", "Questura di Torino", NULL), AG_OK);
	central_store_close(s);
}

static void questure_and_slots_refuse_what_makes_no_sense(void **state)
{
	central_store *s = open_store();
	int minutes[] = {540, 560, 580}, more[] = {580, 600}, bad[] = {1440};
	size_t added = 99;
	agenda_detail why;

	(void)state;
	assert_int_equal(central_store_create_schema(s, NULL, NULL), AG_OK);
	assert_int_equal(central_store_add_questura(s, "RM", "Roma", NULL), AG_OK);
	agenda_detail_clear(&why);
	assert_int_equal(central_store_add_questura(s, "RM", "Roma", &why), AG_ERR_EXISTS);
	assert_non_null(strstr(why.it, "RM"));
	assert_int_equal(central_store_add_questura(s, "", "Nessuna", NULL), AG_ERR_INVALID);
	assert_int_equal(central_store_add_questura(s, "TROPPO-LUNGA-SIGLA", "x", NULL),
	                 AG_ERR_INVALID);

	agenda_detail_clear(&why);
	assert_int_equal(central_store_add_slots(s, "XX", day0(), minutes, 3, &added, &why),
	                 AG_ERR_NOT_FOUND);
	assert_int_equal(added, 0);
	assert_non_null(strstr(why.it, "XX"));
	assert_int_equal(central_store_add_slots(s, "RM", day0(), bad, 1, &added, NULL),
	                 AG_ERR_INVALID);

	/* A day's capacity given twice keeps what is there and adds only what is new. */
	assert_int_equal(central_store_add_slots(s, "RM", day0(), minutes, 3, &added, NULL), AG_OK);
	assert_int_equal(added, 3);
	assert_int_equal(central_store_add_slots(s, "RM", day0(), more, 2, &added, NULL), AG_OK);
	assert_int_equal(added, 1);
	assert_int_equal(count_of(s, NULL), 4);
	central_store_close(s);
}

static void allocate_gives_the_earliest_free_slots_of_the_range(void **state)
{
	central_store *s = open_with_slots(3, 4); /* days 0..2, 08:00 08:05 08:10 08:15 */
	central_slot got[100];
	size_t n = 0;

	(void)state;
	assert_int_equal(central_store_allocate(s, "RM", day0() + 1, day0() + 2, "device-a", 5, got,
	                                        &n, NULL),
	                 AG_OK);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(got[i].day, day0() + 1);
		assert_int_equal(got[i].minute, 480 + 5 * (int)i);
	}
	assert_int_equal(got[4].day, day0() + 2);
	assert_int_equal(got[4].minute, 480);
	assert_int_equal(count_of(s, "device-a"), 5);
	assert_int_equal(count_of(s, NULL), 7);

	/* What is left of the range, even when more is asked; none from another Questura. */
	assert_int_equal(central_store_allocate(s, "RM", day0() + 1, day0() + 2, "device-b", 100,
	                                        got, &n, NULL),
	                 AG_OK);
	assert_int_equal(n, 3);
	assert_int_equal(central_store_allocate(s, "RM", day0() + 1, day0() + 2, "device-b", 100,
	                                        got, &n, NULL),
	                 AG_OK);
	assert_int_equal(n, 0);
	assert_int_equal(
	        central_store_allocate(s, "MI", day0(), day0() + 9, "device-b", 10, got, &n, NULL),
	        AG_OK);
	assert_int_equal(n, 0);
	assert_int_equal(count_of(s, "device-b"), 3);
	assert_int_equal(count_of(s, NULL), 4); /* day 0, outside both ranges */
	central_store_close(s);
}

static void release_hands_slots_back_to_the_pool(void **state)
{
	central_store *s = open_with_slots(1, 10);
	central_slot got[10], again[10];
	int64_t ids[3];
	size_t n = 0, released = 99;

	(void)state;
	assert_int_equal(
	        central_store_allocate(s, "RM", day0(), day0(), "device-a", 6, got, &n, NULL),
	        AG_OK);
	assert_int_equal(n, 6);
	for (int i = 0; i < 3; i++)
		ids[i] = got[i].id;

	/* Only the holder hands its slots back. */
	assert_int_equal(central_store_release(s, "device-b", ids, 3, &released, NULL), AG_OK);
	assert_int_equal(released, 0);
	assert_int_equal(count_of(s, "device-a"), 6);
	assert_int_equal(central_store_release(s, "device-a", ids, 3, &released, NULL), AG_OK);
	assert_int_equal(released, 3);
	assert_int_equal(central_store_release(s, "device-a", ids, 3, &released, NULL), AG_OK);
	assert_int_equal(released, 0);
	assert_int_equal(count_of(s, "device-a"), 3);
	assert_int_equal(count_of(s, NULL), 7);

	/* Released slots are the earliest free again: the next allocation takes them first. */
	assert_int_equal(
	        central_store_allocate(s, "RM", day0(), day0(), "device-b", 3, again, &n, NULL),
	        AG_OK);
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(again[i].id, ids[i]);
	central_store_close(s);
}

static void a_rolled_back_transaction_allocates_nothing(void **state)
{
	central_store *s = open_with_slots(1, 10);
	central_slot got[5];
	size_t n = 0;

	(void)state;
	assert_int_equal(central_store_begin(s, NULL), AG_OK);
	assert_int_equal(central_store_begin(s, NULL), AG_ERR_USAGE);
	assert_int_equal(
	        central_store_allocate(s, "RM", day0(), day0(), "device-a", 5, got, &n, NULL),
	        AG_OK);
	assert_int_equal(n, 5);
	central_store_rollback(s);
	assert_int_equal(count_of(s, "device-a"), 0);
	assert_int_equal(count_of(s, NULL), 10);

	assert_int_equal(central_store_begin(s, NULL), AG_OK);
	assert_int_equal(
	        central_store_allocate(s, "RM", day0(), day0(), "device-a", 5, got, &n, NULL),
	        AG_OK);
	assert_int_equal(central_store_commit(s, NULL), AG_OK);
	assert_int_equal(count_of(s, "device-a"), 5);
	central_store_close(s);
}

static void fifty_clients_never_get_the_same_slot(void **state)
{
	central_store *s = open_with_slots(RACE_DAYS, RACE_PER_DAY);
	struct alloc_race race;
	int64_t *all;
	size_t total = 0;
	int status;

	(void)state;
	status = alloc_race_run(fx.target, "RM", day0(), day0() + RACE_DAYS - 1, RACE_CLIENTS,
	                        &race);
	for (int i = 0; i < race.clients; i++)
		if (race.client[i].err != AG_OK)
			fail_msg("client %d: %s", i, agenda_err_name(race.client[i].err));
	assert_int_equal(status, 0);

	/* Zero slots given twice, and every slot of the pool given to someone. */
	all = alloc_race_all_ids(&race, &total);
	assert_non_null(all);
	assert_int_equal(total, RACE_DAYS * RACE_PER_DAY);
	for (size_t i = 1; i < total; i++)
		if (all[i] == all[i - 1])
			fail_msg("slot %lld given twice", (long long)all[i]);
	free(all);
	assert_int_equal(count_of(s, NULL), 0);

	/* What each client was told is what the store says it holds. */
	for (int i = 0; i < race.clients; i++)
		assert_int_equal(count_of(s, race.client[i].holder), race.client[i].count);
	size_t busy = 0;

	for (int i = 0; i < race.clients; i++)
		busy += race.client[i].busy;
	printf("# %s: %d clients took %d slots in %.2f s (%zu busy answers retried)\n", fx.backend,
	       RACE_CLIENTS, RACE_DAYS * RACE_PER_DAY, (double)race.elapsed_ns / 1e9, busy);
	alloc_race_free(&race);
	central_store_close(s);
}

/* The child: allocates inside an open transaction, says so, and waits to be killed. */
static void victim(int report)
{
	central_store *s = NULL;
	central_slot got[10];
	size_t n = 0;

	if (central_store_open(fx.target, &s, NULL) != AG_OK ||
	    central_store_begin(s, NULL) != AG_OK ||
	    central_store_allocate(s, "RM", day0(), day0(), "victim", 10, got, &n, NULL) != AG_OK)
		n = 0;
	if (write(report, &n, sizeof n) != (ssize_t)sizeof n)
		_exit(2);
	for (;;)
		pause();
}

static void a_client_killed_mid_transaction_leaves_nothing_allocated(void **state)
{
	central_store *s = open_with_slots(1, 20);
	central_slot got[20];
	size_t n = 0, taken = 0;
	int channel[2], status = 0;
	pid_t child;
	struct timespec pause_ms = {0, 1000000};

	(void)state;
	assert_int_equal(pipe(channel), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(channel[0]);
		victim(channel[1]);
	}
	close(channel[1]);
	assert_int_equal(read(channel[0], &n, sizeof n), sizeof n);
	close(channel[0]);
	assert_int_equal(n, 10); /* the victim holds its ten slots, uncommitted */
	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status));

	assert_int_equal(count_of(s, "victim"), 0);
	assert_int_equal(count_of(s, NULL), 20);
	/* And all twenty can be had again, once the server has seen the connection drop. */
	for (int tries = 0; taken < 20 && tries < 5000; tries++) {
		assert_int_equal(central_store_allocate(s, "RM", day0(), day0(), "survivor",
		                                        20 - taken, got, &n, NULL),
		                 AG_OK);
		taken += n;
		if (taken < 20)
			nanosleep(&pause_ms, NULL);
	}
	assert_int_equal(taken, 20);
	assert_int_equal(count_of(s, "survivor"), 20);
	central_store_close(s);
}

static int id_order(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* A child that allocates batches of 5 until the pool is empty, reporting each committed batch. */
static void greedy_client(const char *holder, int report)
{
	central_store *s = NULL;
	central_slot got[5];
	int64_t ids[5];
	size_t n = 0;

	if (central_store_open(fx.target, &s, NULL) != AG_OK)
		_exit(2);
	for (;;) {
		agenda_err err = central_store_allocate(s, "RM", day0(), day0() + 99, holder, 5,
		                                        got, &n, NULL);

		if (err == AG_ERR_BUSY)
			continue;
		if (err != AG_OK)
			_exit(3);
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++)
			ids[i] = got[i].id;
		if (write(report, ids, n * sizeof ids[0]) != (ssize_t)(n * sizeof ids[0]))
			_exit(4);
	}
	central_store_close(s);
	_exit(0);
}

#define KILLED_CLIENTS 8

static void clients_killed_at_any_moment_are_told_only_what_they_hold(void **state)
{
	central_store *s = open_with_slots(100, 100); /* 10,000: more than they take in 40 ms */
	pid_t children[KILLED_CLIENTS];
	int reports[KILLED_CLIENTS];
	char holder[KILLED_CLIENTS][16];
	int64_t *told = malloc(10000 * sizeof *told);
	size_t told_count = 0;
	int64_t held_total = 0;

	(void)state;
	assert_non_null(told);
	for (int i = 0; i < KILLED_CLIENTS; i++) {
		int channel[2];

		snprintf(holder[i], sizeof holder[i], "greedy-%d", i);
		assert_int_equal(pipe(channel), 0);
		children[i] = fork();
		assert_true(children[i] >= 0);
		if (children[i] == 0) {
			close(channel[0]);
			greedy_client(holder[i], channel[1]);
		}
		close(channel[1]);
		reports[i] = channel[0];
	}
	/* SIGKILL each at its own moment (3..38 ms in): mid-statement, mid-commit, between. */
	for (int i = 0; i < KILLED_CLIENTS; i++) {
		struct timespec wait = {0, (long)(3 + (i * 11) % 36) * 1000000L};
		int status;

		nanosleep(&wait, NULL);
		kill(children[i], SIGKILL);
		assert_int_equal(waitpid(children[i], &status, 0), children[i]);
	}
	for (int i = 0; i < KILLED_CLIENTS; i++) {
		int64_t id, held = -1;
		size_t reported = 0;

		while (read(reports[i], &id, sizeof id) == (ssize_t)sizeof id) {
			assert_true(told_count < 10000);
			told[told_count++] = id;
			reported++;
		}
		close(reports[i]);
		/* It holds what it was told, plus at most the batch committed as it died. */
		assert_int_equal(central_store_count(s, holder[i], &held, NULL), AG_OK);
		assert_true((int64_t)reported <= held && held <= (int64_t)reported + 5);
		held_total += held;
	}
	/* Nobody was told about a slot another was told about; nothing is lost or doubled. */
	qsort(told, told_count, sizeof *told, id_order);
	for (size_t i = 1; i < told_count; i++)
		assert_true(told[i] != told[i - 1]);
	assert_int_equal(held_total + count_of(s, NULL), 10000);
	printf("# %s: %zu slots told to clients killed at random moments\n", fx.backend,
	       told_count);
	free(told);
	central_store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(schema_creation_is_idempotent, fresh_store,
	                                        drop_store),
	        cmocka_unit_test_setup_teardown(schema_creation_is_safe_when_concurrent,
	                                        fresh_store, drop_store),
	        cmocka_unit_test_setup_teardown(a_store_from_a_newer_program_is_refused,
	                                        fresh_store, drop_store),
	        cmocka_unit_test_setup_teardown(questure_and_slots_refuse_what_makes_no_sense,
	                                        fresh_store, drop_store),
	        cmocka_unit_test_setup_teardown(allocate_gives_the_earliest_free_slots_of_the_range,
	                                        fresh_store, drop_store),
	        cmocka_unit_test_setup_teardown(release_hands_slots_back_to_the_pool, fresh_store,
	                                        drop_store),
	        cmocka_unit_test_setup_teardown(a_rolled_back_transaction_allocates_nothing,
	                                        fresh_store, drop_store),
	        cmocka_unit_test_setup_teardown(fifty_clients_never_get_the_same_slot, fresh_store,
	                                        drop_store),
	        cmocka_unit_test_setup_teardown(
	                a_client_killed_mid_transaction_leaves_nothing_allocated, fresh_store,
	                drop_store),
	        cmocka_unit_test_setup_teardown(
	                clients_killed_at_any_moment_are_told_only_what_they_hold, fresh_store,
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
	return strcmp(fx.backend, "sqlite") == 0
	               ? cmocka_run_group_tests_name("central_store sqlite", tests, NULL, NULL)
	               : cmocka_run_group_tests_name("central_store postgresql", tests, NULL, NULL);
}
