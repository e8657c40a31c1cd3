/*
 * booking_bench.c — what a durable booking costs next to the cheapest durable write.
 *
 * Baseline: N one-row INSERT transactions committed with the store's own settings (WAL,
 * synchronous=FULL) on the same disk, in the same run. Measured: N booking_confirm calls
 * (slot search, slot, appointment, journal, audit, one fsync'd commit each).
 * Target: ratio <= 1.1 (issue 10; was 1.25). Disk: $AGENDA_BENCH_DIR (default /var/tmp).
 * N: argv[1] (default 500).
 *
 * The CPU-only variant runs both sides again with synchronous=OFF (still WAL, no fsync): what is
 * left is the booking's own work (statements, HMAC, JSON, UUIDs) against the cheapest commit's,
 * the part a fast disk no longer hides.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "services/booking.h"
#include "services/questure.h"

/* "PRAGMA synchronous = FULL" (the store's own) or OFF (CPU only). */
static const char *sync_pragma(bool durable)
{
	return durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF";
}

static double bare_inserts(const char *dir, int n, bool durable)
{
	char path[160];
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t t0;

	snprintf(path, sizeof path, "%s/bare.db", dir);
	sqlite3_open(path, &db);
	sqlite3_exec(db,
	             "PRAGMA journal_mode = WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT"
	             " NULL)",
	             0, 0, 0);
	sqlite3_exec(db, sync_pragma(durable), 0, 0, 0);
	sqlite3_prepare_v2(db, "INSERT INTO t(v) VALUES(?)", -1, &st, NULL);
	t0 = bench_ns();
	for (int i = 0; i < n; i++) {
		sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
		sqlite3_bind_text(st, 1, "5f0c3a1e-8d2b-4c7a-9e61-0b1d2c3e4f50", -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
		if (sqlite3_exec(db, "COMMIT", 0, 0, 0) != SQLITE_OK)
			exit(1);
	}
	t0 = bench_ns() - t0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return (double)t0 / n / 1000.0;
}

static double bookings(const char *dir, int n, bool durable)
{
	struct questura q = {.code = "RM", .name = "Questura di Roma", .city = "Roma"};
	char path[160], pw[PASSWORD_MAX];
	int64_t now = clock_epoch_of(date_from_ymd(2026, 5, 4), 9 * 60), *ids, t0;
	struct rng_state *rs;
	struct session op;
	struct booking b;
	agenda_detail why;
	agenda_ctx ctx;
	agenda_rng rng;

	snprintf(path, sizeof path, "%s/agenda.db", dir);
	rng_open_seeded(&rng, &rs, 7);
	if (agenda_ctx_open_with(&ctx, path, STORE_OPEN_CREATE, clock_fixed(&now), rng, &why)) {
		fprintf(stderr, "%s\n", why.en);
		exit(1);
	}
	sqlite3_exec(store_db(ctx.store), sync_pragma(durable), 0, 0, 0);
	questura_put(&ctx, "bench", &q, NULL);
	struct capacity_plan plan = {.from = date_from_ymd(2026, 5, 4),
	                             .to = date_from_ymd(2026, 5, 4) + 89,
	                             .weekdays = 0x1f,
	                             .first_minute = 8 * 60,
	                             .minutes_per_slot = 5,
	                             .slots_per_day = 100};
	struct capacity_report rep;
	capacity_set(&ctx, "bench", "RM", &plan, &rep, NULL);
	operator_add(&ctx, "bench", "bench.op", ROLE_OPERATORE, pw, NULL);
	session_login(&ctx, "bench.op", pw, &op, NULL);
	ids = calloc((size_t)n, sizeof *ids);
	store_begin(ctx.store, NULL);
	for (int i = 0; i < n; i++) {
		struct practice p = {.data_nascita = 7000, .questura = "RM"};

		snprintf(p.numero_pratica, sizeof p.numero_pratica, "RM/2026/%06d",
		         (i + 1) % 1000000);
		strcpy(p.cognome, "BENCH");
		strcpy(p.nome, "N");
		strcpy(p.nazionalita, "Marocco");
		strcpy(p.tipo, "lavoro");
		practice_upsert(&ctx, &p, NULL);
		ids[i] = sqlite3_last_insert_rowid(store_db(ctx.store));
	}
	store_commit(ctx.store, NULL);
	t0 = bench_ns();
	for (int i = 0; i < n; i++) {
		if (booking_confirm(&ctx, &op, ids[i], NULL, &b, &why) != AG_OK) {
			fprintf(stderr, "booking %d: %s\n", i, why.en);
			exit(1);
		}
	}
	t0 = bench_ns() - t0;
	free(ids);
	agenda_ctx_close(&ctx);
	rng_close(rs);
	return (double)t0 / n / 1000.0;
}

/* Both sides twice, alternating, so a disk that warms up or slows down hits both alike. */
static void measure(const char *dir, int n, bool durable, double *bare, double *book)
{
	char cmd[160];

	*bare = bare_inserts(dir, n / 2, durable);
	*book = bookings(dir, n / 2, durable);
	snprintf(cmd, sizeof cmd, "rm -f %s/*.db*", dir);
	if (system(cmd) != 0)
		exit(1);
	*bare = (*bare + bare_inserts(dir, n / 2, durable)) / 2;
	*book = (*book + bookings(dir, n / 2, durable)) / 2;
	if (system(cmd) != 0)
		exit(1);
}

static void report(const char *title, double bare, double book, double target)
{
	printf("%s\n", title);
	printf("  bare one-row INSERT commit : %8.1f us\n", bare);
	printf("  booking_confirm            : %8.1f us\n", book);
	if (target > 0)
		printf("  ratio                      : %8.2f  (target <= %.2f: %s)\n", book / bare,
		       target, book / bare <= target ? "PASS" : "FAIL");
	else
		printf("  ratio                      : %8.2f  (booking's own work: %.1f us)\n",
		       book / bare, book - bare);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 500;
	const char *disk = getenv("AGENDA_BENCH_DIR") ? getenv("AGENDA_BENCH_DIR") : "/var/tmp";
	char dir[128], cmd[160], title[200];
	double bare, book, cpu_bare, cpu_book;

	store_process_init(); /* as the programs do */
	bench_tempdir(dir, sizeof dir);
	setenv("TZ", "Europe/Rome", 1);
	measure(dir, n, true, &bare, &book);
	measure(dir, n, false, &cpu_bare, &cpu_book);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	snprintf(title, sizeof title, "durable commits on %s, n=%d each side", disk, n);
	report(title, bare, book, 1.1);
	report("CPU only (both sides synchronous=OFF, no fsync)", cpu_bare, cpu_book, 0);
	return 0;
}
