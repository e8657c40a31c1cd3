/*
 * sync_push_bench.c — what a sync round costs over mTLS on loopback (issue 12).
 *
 * One real `agenda-central serve` and one device enrolled with `agendactl provision`, opened
 * in-process (tests/bench/sync_bench_setup.h). The device first gets 10,000 practices and
 * 10,000+ slots from central by ordinary rounds (demand raised through its settings), then
 * books 10,000 appointments (booking_confirm; the fill runs with synchronous=OFF, it is not what
 * is measured). Measured, each answer checked:
 *  (a) push: sync_round_run until no journal entry waits — 10,000 `book` entries in batches of
 *      at most 500, each applied at central once, over one kept connection. Target <= 2 s.
 *      Baseline, same run and session: as many no-change rounds as the push took requests (the
 *      floor of the request/answer/commit cycle without entries); ratio = push / baseline.
 *  (b) a no-change round (one request, nothing to say; the answer applied in one transaction):
 *      median of ROUNDS over the kept session (connection reuse) and of FRESH rounds each on a
 *      new session (new TCP connection and TLS handshake).
 * Never fails on a target; exits 1 when a step does not do what it must (then no figure).
 * When AGENDA_CENTRAL_PG names a server the same again with central's store there.
 * Usage: sync_push_bench [ENTRIES]   (default 10000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/booking.h"
#include "sync/device_round.h"
#include "sync_bench_setup.h"

#define ROUNDS 30
#define FRESH  10

static const char *const SETTINGS[] = {"sync.low_water",
                                       "12000", /* demand: enough for every booking below */
                                       "sync.hold_days",
                                       "366", /* ... on every day central has */
                                       "sync.hand_back_days",
                                       "400", /* and nothing handed back meanwhile */
                                       NULL};

/* Central's own time answering sync requests so far (seconds) and their count, from its
 * /metrics histogram read with the system curl: the part of a round spent inside central. */
static double central_sync_seconds(const struct sync_bench *b, long *count)
{
	char url[96], *text = malloc(1 << 20);
	char *argv[] = {"/usr/bin/curl", "-sk", url, NULL};
	double sum = -1;

	snprintf(url, sizeof url, "https://127.0.0.1:%d/metrics", b->server.port);
	*count = -1;
	if (text && bench_run_capture(argv, text, 1 << 20) == 0) {
		const char *at = strstr(
		        text,
		        "agenda_central_request_duration_seconds_sum{route=\"/v1/device/sync\"}");
		if (at)
			sum = strtod(strchr(at, '}') + 1, NULL);
		at = strstr(
		        text,
		        "agenda_central_request_duration_seconds_count{route=\"/v1/device/sync\"}");
		if (at)
			*count = strtol(strchr(at, '}') + 1, NULL, 10);
	}
	free(text);
	return sum;
}

/* One round; its report. Exits when it fails. */
static struct sync_round_report round_once(struct sync_bench *b, sync_session *s)
{
	struct sync_round_report r;
	agenda_detail why;

	memset(&r, 0, sizeof r);
	if (sync_round_run(&b->ctx, s, &r, &why) != AG_OK) {
		fprintf(stderr, "round: %s\n", why.en);
		exit(1);
	}
	return r;
}

/* Rounds until the device holds `want` free granted slots (central grants 2000 a round). */
static void fill_slots(struct sync_bench *b, long long want)
{
	for (int i = 0; i < 20; i++) {
		round_once(b, b->session);
		if (sync_bench_count(b, "SELECT COUNT(*) FROM slot WHERE grant_id IS NOT NULL AND "
		                        "state = 'free'") >= want)
			return;
	}
	sync_bench_die("the device did not get enough grants");
}

static void book_all(struct sync_bench *b, int n)
{
	sqlite3_stmt *st;
	struct booking bk;
	agenda_detail why;
	int done = 0;

	sqlite3_exec(store_db(b->ctx.store), "PRAGMA synchronous = OFF", 0, 0, 0);
	sqlite3_prepare_v2(store_db(b->ctx.store), "SELECT id FROM practice ORDER BY id", -1, &st,
	                   NULL);
	while (done < n && sqlite3_step(st) == SQLITE_ROW) {
		if (booking_confirm(&b->ctx, &b->op, sqlite3_column_int64(st, 0), NULL, &bk,
		                    &why) != AG_OK) {
			fprintf(stderr, "booking %d: %s\n", done, why.en);
			exit(1);
		}
		done++;
	}
	sqlite3_finalize(st);
	sqlite3_exec(store_db(b->ctx.store), "PRAGMA synchronous = FULL", 0, 0, 0);
	if (done < n)
		sync_bench_die("fewer practices than bookings");
}

static void run(const char *label, const char *pg_url, int entries)
{
	struct sync_bench b;
	struct sync_round_report r;
	int64_t t0, push, quiet[ROUNDS], fresh[FRESH], baseline;
	long before, quiet_new, n0, n1;
	double c0, c1;
	int requests = 0, acked = 0;

	sync_bench_open(&b, pg_url, entries, SETTINGS);
	/* 200 a day: the bookings must fit within booking's 90-day horizon */
	sync_bench_capacity(&b, b.today, b.today + 100, "200", "2");
	t0 = bench_ns();
	fill_slots(&b, entries);
	fprintf(stderr, "%s: practices and %d+ grants by rounds in %.1f s\n", label, entries,
	        (double)(bench_ns() - t0) / 1e9);
	t0 = bench_ns();
	book_all(&b, entries);
	fprintf(stderr, "%s: %d bookings (not measured) in %.1f s\n", label, entries,
	        (double)(bench_ns() - t0) / 1e9);

	before = sync_session_connections(b.session);
	c0 = central_sync_seconds(&b, &n0);
	t0 = bench_ns();
	for (int i = 0; i < 10; i++) {
		r = round_once(&b, b.session);
		requests += r.requests;
		acked += r.acked;
		if (r.entries_waiting == 0)
			break;
	}
	push = bench_ns() - t0;
	c1 = central_sync_seconds(&b, &n1);
	if (acked != entries || r.entries_waiting != 0)
		sync_bench_die("not every entry was acknowledged");
	printf("%-10s (a) push of %d journal entries: %.0f ms in %d requests, %ld new "
	       "connection(s) (target <= 2000 ms: %s)\n",
	       label, entries, (double)push / 1e6, requests,
	       sync_session_connections(b.session) - before,
	       push <= 2000000000LL ? "PASS" : "MISS");
	if (c0 >= 0 && c1 >= 0)
		printf("%-10s     of which inside central (its /metrics): %.0f ms over %ld "
		       "requests\n",
		       label, (c1 - c0) * 1000, n1 - n0);

	before = sync_session_connections(b.session);
	c0 = central_sync_seconds(&b, &n0);
	for (int i = 0; i < ROUNDS; i++) {
		t0 = bench_ns();
		r = round_once(&b, b.session);
		quiet[i] = bench_ns() - t0;
		if (r.requests != 1 || r.changes != 0 || r.entries_sent != 0)
			sync_bench_die("a no-change round was not one quiet request");
	}
	quiet_new = sync_session_connections(b.session) - before;
	c1 = central_sync_seconds(&b, &n1);
	for (int i = 0; i < FRESH; i++) {
		sync_session *s;
		agenda_detail why;

		if (sync_session_open(&b.ctx, b.data_dir, &s, &why) != AG_OK)
			sync_bench_die(why.en);
		t0 = bench_ns();
		round_once(&b, s);
		fresh[i] = bench_ns() - t0;
		sync_session_close(s);
	}
	baseline = bench_quantile(quiet, ROUNDS, 0.5) * requests;
	printf("%-10s     baseline: %d no-change rounds on the same session: %.0f ms; ratio "
	       "%.2f\n",
	       label, requests, (double)baseline / 1e6, (double)push / (double)baseline);
	printf("%-10s (b) no-change round (one request, %lld appointments in the digest): median "
	       "%.1f ms reusing the connection (%ld new over %d rounds), %.1f ms on a new "
	       "connection; p90 %.1f / %.1f ms\n",
	       label, (long long)entries, (double)bench_quantile(quiet, ROUNDS, 0.5) / 1e6,
	       quiet_new, ROUNDS, (double)bench_quantile(fresh, FRESH, 0.5) / 1e6,
	       (double)bench_quantile(quiet, ROUNDS, 0.9) / 1e6,
	       (double)bench_quantile(fresh, FRESH, 0.9) / 1e6);
	if (c0 >= 0 && c1 >= 0 && n1 > n0)
		printf("%-10s     inside central: %.1f ms per no-change round on average\n", label,
		       (c1 - c0) * 1000 / (double)(n1 - n0));
	sync_bench_close(&b);
}

int main(int argc, char **argv)
{
	int entries = argc > 1 ? atoi(argv[1]) : 10000;
	const char *pg = getenv("AGENDA_CENTRAL_PG");

	store_process_init();
	run("SQLite", NULL, entries);
	if (pg && *pg) {
		char url[1024];
		const char *host = strstr(pg, "host=");

		snprintf(url, sizeof url, "postgresql://agenda@/postgres?host=%.*s",
		         host ? (int)strcspn(host + 5, " ") : 0, host ? host + 5 : "");
		run("PostgreSQL", url, entries);
	}
	return 0;
}
