/*
 * central_alloc_bench.c — central's slot allocation under many concurrent clients, per backend:
 * 50 clients, each on its own connection, drain a pool of 10,000 then 100,000 slots of one
 * Questura (alloc_race.h, the same workload as the test). Prints time, slots and transactions
 * per second, the spread between clients, and checks that no slot was given twice.
 * SQLite always (a file under $AGENDA_BENCH_DIR, default /var/tmp); PostgreSQL when
 * AGENDA_CENTRAL_PG names a server — tests/bench/run.sh starts one with
 * tests/central/with_postgres.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_race.h"
#include "bench_util.h"
#include "core/date.h"
#include "store.h"
#include "store_fixture.h"

#define CLIENTS 50
#define PER_DAY 100

static int fill(const char *target, int days)
{
	central_store *s = NULL;
	int minutes[PER_DAY];
	agenda_day first = date_from_ymd(2026, 6, 1);
	agenda_err err = central_store_open(target, &s, NULL);

	for (int i = 0; i < PER_DAY; i++)
		minutes[i] = 8 * 60 + 5 * i;
	if (err == AG_OK)
		err = central_store_create_schema(s, NULL, NULL);
	if (err == AG_OK)
		err = central_store_add_questura(s, "RM", "Questura di Roma", NULL);
	if (err == AG_OK)
		err = central_store_begin(s, NULL);
	for (int d = 0; err == AG_OK && d < days; d++)
		err = central_store_add_slots(s, "RM", first + d, minutes, PER_DAY, NULL, NULL);
	if (err == AG_OK)
		err = central_store_commit(s, NULL);
	central_store_close(s);
	return err == AG_OK ? 0 : -1;
}

static void run(const char *backend, const char *target, int slots)
{
	agenda_day first = date_from_ymd(2026, 6, 1);
	int days = slots / PER_DAY;
	struct alloc_race race;
	size_t total = 0, calls = 0, busy = 0, least = (size_t)-1, most = 0, twice = 0;
	int64_t *all;
	double seconds;

	if (fill(target, days) != 0) {
		printf("%-10s %7d slots: could not set up %s\n", backend, slots, target);
		return;
	}
	if (alloc_race_run(target, "RM", first, first + days - 1, CLIENTS, &race) != 0) {
		for (int i = 0; i < race.clients; i++)
			if (race.client[i].err != AG_OK)
				printf("%-10s client %d stopped: %s\n", backend, i,
				       agenda_err_name(race.client[i].err));
	}
	all = alloc_race_all_ids(&race, &total);
	for (size_t i = 1; all && i < total; i++)
		twice += all[i] == all[i - 1];
	for (int i = 0; i < race.clients; i++) {
		calls += race.client[i].calls;
		busy += race.client[i].busy;
		least = race.client[i].count < least ? race.client[i].count : least;
		most = race.client[i].count > most ? race.client[i].count : most;
	}
	seconds = (double)race.elapsed_ns / 1e9;
	printf("%-10s %7d slots, %d clients: %6.2f s  %8.0f slots/s  %7.0f calls/s  "
	       "per client %zu..%zu  busy %zu  given %zu, twice %zu%s\n",
	       backend, slots, CLIENTS, seconds, (double)total / seconds, (double)calls / seconds,
	       least, most, busy, total, twice,
	       total == (size_t)slots && twice == 0 ? "" : "  !! WRONG");
	free(all);
	alloc_race_free(&race);
}

int main(void)
{
	const int sizes[] = {10000, 100000};
	const char *server = getenv("AGENDA_CENTRAL_PG");
	char folder[512], target[1024];

	bench_tempdir(folder, sizeof folder);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char path[600];
		const char *suffix[] = {"", "-wal", "-shm"};

		snprintf(target, sizeof target, "sqlite:%s/central-%d.db", folder, sizes[i]);
		run("sqlite", target, sizes[i]);
		for (size_t k = 0; k < 3; k++) {
			snprintf(path, sizeof path, "%s/central-%d.db%s", folder, sizes[i],
			         suffix[k]);
			unlink(path);
		}
	}
	rmdir(folder);
	if (!server || !*server) {
		printf("postgresql: not measured (run under tests/central/with_postgres.sh)\n");
		return 0;
	}
	/* one fixture: it numbers the databases it makes, one new empty one per size */
	struct store_fixture pg = {.prefix = "central_bench", .backend = "postgresql"};

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		if (store_fixture_fresh(&pg) == 0)
			run("postgresql", pg.target, sizes[i]);
	return 0;
}
