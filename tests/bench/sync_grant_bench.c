/*
 * sync_grant_bench.c — an online booking that asks central for the pool's earliest slot, next to
 * an offline booking from what the device holds (issue 12).
 *
 * A real `agenda-central serve` on loopback and one device enrolled with `agendactl provision`,
 * opened in-process (sync_bench_setup.h). The device's rounds give it slots from day 21 on;
 * then central's pool gets capacity on the days before, so every online booking finds an
 * earlier slot at central. Alternately, N times each:
 *  - online: sync_book_online over the kept session — propose locally, POST /v1/device/grant,
 *    apply the grant in its own transaction, book it durably; every one must come from central;
 *  - offline: booking_confirm alone (the durable local booking, no network).
 * Prints the medians and the ratio online / offline (what "the earliest in the whole Questura"
 * costs the counter). Both are durable (synchronous=FULL) on $AGENDA_BENCH_DIR.
 * Never fails on a target. When AGENDA_CENTRAL_PG names a server, again with central there.
 * Usage: sync_grant_bench [N]   (default 100)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/booking.h"
#include "sync/device_round.h"
#include "sync/online_grant.h"
#include "sync_bench_setup.h"

static const char *const SETTINGS[] = {
        "sync.low_water", "600", "sync.hold_days", "366", "sync.hand_back_days", "400", NULL};

static void run(const char *label, const char *pg_url, int n)
{
	struct sync_bench b;
	struct sync_round_report r;
	struct booking bk;
	agenda_detail why;
	sqlite3_stmt *st;
	int64_t *online = calloc((size_t)n, sizeof *online),
	        *offline = calloc((size_t)n, sizeof *offline);
	long grants_ms = 0;
	int from_central = 0;

	sync_bench_open(&b, pg_url, 2 * n + 10, SETTINGS);
	sync_bench_capacity(&b, b.today + 21, b.today + 120, "16", "15");
	for (int i = 0; i < 3; i++)
		if (sync_round_run(&b.ctx, b.session, &r, &why) != AG_OK)
			sync_bench_die(why.en);
	if (sync_bench_count(&b, "SELECT COUNT(*) FROM slot WHERE grant_id IS NOT NULL AND "
	                         "state = 'free'") < n)
		sync_bench_die("the device did not get its slots");
	sync_bench_capacity(&b, b.today, b.today + 20, "16", "15"); /* the pool, earlier */

	sqlite3_prepare_v2(store_db(b.ctx.store), "SELECT id FROM practice ORDER BY id", -1, &st,
	                   NULL);
	for (int i = 0; i < n; i++) {
		struct online_grant_outcome o;
		int64_t t0, id;

		if (sqlite3_step(st) != SQLITE_ROW)
			sync_bench_die("practices");
		id = sqlite3_column_int64(st, 0);
		t0 = bench_ns();
		if (sync_book_online(&b.ctx, b.session, &b.op, id, NULL, &bk, &o, &why) != AG_OK)
			sync_bench_die(why.en);
		online[i] = bench_ns() - t0;
		from_central += o.from_central;
		grants_ms += o.elapsed_ms;

		if (sqlite3_step(st) != SQLITE_ROW)
			sync_bench_die("practices");
		id = sqlite3_column_int64(st, 0);
		t0 = bench_ns();
		if (booking_confirm(&b.ctx, &b.op, id, NULL, &bk, &why) != AG_OK)
			sync_bench_die(why.en);
		offline[i] = bench_ns() - t0;
	}
	sqlite3_finalize(st);
	if (from_central != n)
		printf("%-10s only %d of %d online bookings got central's slot: figures below are "
		       "not all grants\n",
		       label, from_central, n);
	{
		double on = (double)bench_quantile(online, (size_t)n, 0.5) / 1e6;
		double off = (double)bench_quantile(offline, (size_t)n, 0.5) / 1e6;

		printf("%-10s online booking with a grant on demand: median %.1f ms (p90 %.1f ms; "
		       "asking central %.1f ms on average), %d/%d from central's pool\n",
		       label, on, (double)bench_quantile(online, (size_t)n, 0.9) / 1e6,
		       (double)grants_ms / n, from_central, n);
		printf("%-10s offline booking (booking_confirm): median %.1f ms (p90 %.1f ms); "
		       "ratio online / offline %.2f\n",
		       label, off, (double)bench_quantile(offline, (size_t)n, 0.9) / 1e6, on / off);
	}
	free(online);
	free(offline);
	sync_bench_close(&b);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100;
	const char *pg = getenv("AGENDA_CENTRAL_PG");

	store_process_init();
	run("SQLite", NULL, n);
	if (pg && *pg) {
		char url[1024];
		const char *host = strstr(pg, "host=");

		snprintf(url, sizeof url, "postgresql://agenda@/postgres?host=%.*s",
		         host ? (int)strcspn(host + 5, " ") : 0, host ? host + 5 : "");
		run("PostgreSQL", url, n);
	}
	return 0;
}
