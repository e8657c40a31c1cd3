/*
 * journal_bench.c — what the sync client's reads of the journal cost on a long-lived device.
 *
 * A journal of N entries (argv[1], default 100,000: years of a busy counter) of which all but
 * the last 100 are acknowledged. Measured: a batch of 100 from cursor 0, the backlog count and
 * the resume cursor, each with the stored acknowledgement cursor (sync_state) and, as the
 * baseline, without it (a full walk over the acknowledged entries: what the table alone gives,
 * having no index on `acked`); and one durable acknowledgement of a round of 1,000 entries.
 * Target: a batch from 0 under 1 ms at 100,000 entries. Disk: $AGENDA_BENCH_DIR (/var/tmp).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "services/journal.h"

#define RUNS 50

static bool count_only(const struct journal_entry *e, void *arg)
{
	(void)e;
	(*(int *)arg)++;
	return true;
}

/* Median µs of RUNS calls of: a batch of 100 from 0, the backlog count, the cursor. */
static void measure(agenda_ctx *ctx, double us[3])
{
	struct journal_batch_limits lim = {.max_entries = 100};
	struct journal_batch_report rep;
	int64_t t[RUNS], n;

	for (int what = 0; what < 3; what++) {
		for (int r = 0; r < RUNS; r++) {
			int seen = 0;
			int64_t t0 = bench_ns();

			if (what == 0)
				journal_batch(ctx, 0, &lim, count_only, &seen, &rep, NULL);
			else if (what == 1)
				journal_unacked_count(ctx, &n, NULL);
			else
				journal_cursor(ctx, &n, NULL);
			t[r] = bench_ns() - t0;
			if (what == 0 && seen != 100) {
				fprintf(stderr, "batch saw %d entries\n", seen);
				exit(1);
			}
		}
		us[what] = (double)bench_quantile(t, RUNS, 0.5) / 1000.0;
	}
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000;
	char dir[128], path[160], cmd[200];
	int64_t now = 1777878000, t0, ack_us = 0;
	struct journal_batch_limits lim = {.max_entries = 1000};
	struct journal_ack_report ack = {0};
	struct rng_state *rs;
	agenda_detail why;
	agenda_ctx ctx;
	agenda_rng rng;
	double with[3], without[3];
	char(*ids)[JOURNAL_ENTRY_ID_MAX] = calloc(1000, sizeof *ids);
	const char *ptrs[1000];

	bench_tempdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/agenda.db", dir);
	rng_open_seeded(&rng, &rs, 7);
	if (agenda_ctx_open_with(&ctx, path, STORE_OPEN_CREATE, clock_fixed(&now), rng, &why)) {
		fprintf(stderr, "%s\n", why.en);
		return 1;
	}
	store_begin(ctx.store, NULL);
	for (int i = 0; i < n; i++)
		journal_add(&ctx, "book", "5f0c3a1e-8d2b-4c7a-9e61-0b1d2c3e4f50",
		            json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "appointment_id",
		                      "5f0c3a1e-8d2b-4c7a-9e61-0b1d2c3e4f50", "numero_pratica",
		                      "RM/2026/001234", "questura", "RM", "date", "2026-05-05",
		                      "time", "09:20", "modello209", 0),
		            NULL);
	store_commit(ctx.store, NULL);
	/* Acknowledge all but the last 100, a thousand at a time as a sync round would. */
	for (int64_t after = 0, left = n - 100; left > 0;) {
		struct journal_batch_report rep;
		int k = 0;

		lim.max_entries = left < 1000 ? (int)left : 1000;
		journal_batch(&ctx, after, &lim, count_only, &k, &rep, NULL);
		/* collect their ids with a second pass (the visitor above only counts) */
		sqlite3_stmt *st;
		sqlite3_prepare_v2(store_db(ctx.store),
		                   "SELECT entry_id FROM journal WHERE id > ? ORDER BY id LIMIT ?",
		                   -1, &st, NULL);
		sqlite3_bind_int64(st, 1, after);
		sqlite3_bind_int(st, 2, k);
		for (int j = 0; sqlite3_step(st) == SQLITE_ROW; j++) {
			snprintf(ids[j], JOURNAL_ENTRY_ID_MAX, "%s", sqlite3_column_text(st, 0));
			ptrs[j] = ids[j];
		}
		sqlite3_finalize(st);
		t0 = bench_ns();
		journal_ack(&ctx, ptrs, (size_t)k, &ack, NULL);
		ack_us = (bench_ns() - t0) /
		         1000; /* the last round: 1000 entries unless n is small */
		after = rep.last_id;
		left -= k;
	}
	measure(&ctx, with);
	sqlite3_exec(store_db(ctx.store), "DELETE FROM sync_state", 0, 0, 0);
	measure(&ctx, without);
	printf("journal of %d entries, %d acknowledged\n", n, n - 100);
	printf("batch of 100 from cursor 0: %.1f us (full walk: %.1f us, ratio %.3f)  target < "
	       "1000 us\n",
	       with[0], without[0], with[0] / without[0]);
	printf("unacked count:              %.1f us (full walk: %.1f us)\n", with[1], without[1]);
	printf("resume cursor:              %.1f us (full walk: %.1f us)\n", with[2], without[2]);
	printf("ack of one round (%d entries, one durable commit): %lld us\n", ack.acked,
	       (long long)ack_us);
	agenda_ctx_close(&ctx);
	rng_close(rs);
	free(ids);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
