/*
 * lookup_bench.c — recalling a practice among 1,000,000 next to the bare indexed query.
 *
 * Baseline: a prepared "SELECT ... WHERE numero_pratica = ?" reading every column, on the same
 * file. Measured: practice_lookup (number normalisation, session check, query, copy-out) with
 * the operator's spelling ("rm 2026 12345"). Target: ratio <= 1.5. Size: argv[1] (default 1e6).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "services/practices.h"
#include "services/questure.h"

#define QUERIES 200000

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000000;
	struct questura q = {.code = "RM", .name = "Questura di Roma", .city = "Roma"};
	struct session op = {.operator_id = 1, .username = "bench", .role = ROLE_OPERATORE};
	int64_t now = clock_epoch_of(date_from_ymd(2026, 5, 4), 9 * 60), t0, t_bare, t_lookup;
	char dir[128], path[160], cmd[160];
	struct rng_state *rs;
	struct practice p;
	agenda_detail why;
	agenda_ctx ctx;
	agenda_rng rng;
	sqlite3_stmt *st;
	long long sink = 0;

	setenv("TZ", "Europe/Rome", 1);
	bench_tempdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/agenda.db", dir);
	rng_open_seeded(&rng, &rs, 7);
	if (agenda_ctx_open_with(&ctx, path, STORE_OPEN_CREATE, clock_fixed(&now), rng, &why)) {
		fprintf(stderr, "%s\n", why.en);
		return 1;
	}
	questura_put(&ctx, "bench", &q, NULL);
	t0 = bench_ns();
	store_begin(ctx.store, NULL);
	for (int i = 0; i < n; i++) {
		struct practice r = {.data_nascita = 7000 + i % 9000, .questura = "RM"};

		snprintf(r.numero_pratica, sizeof r.numero_pratica, "RM/%04d/%06d",
		         (2000 + i / 999999) % 10000, (i % 999999 + 1) % 1000000);
		snprintf(r.numero_visto, sizeof r.numero_visto, "ITA%09d", (i + 1) % 1000000000);
		snprintf(r.cognome, sizeof r.cognome, "COGNOME%d", i);
		strcpy(r.nome, "Nome");
		strcpy(r.nazionalita, "Marocco");
		strcpy(r.tipo, i % 3 ? "lavoro" : "ricongiungimento familiare");
		practice_upsert(&ctx, &r, NULL);
	}
	store_commit(ctx.store, NULL);
	printf("filled %d practices in %.1f s\n", n, (double)(bench_ns() - t0) / 1e9);

	sqlite3_prepare_v2(store_db(ctx.store),
	                   "SELECT id, numero_pratica, numero_visto, cognome, nome, data_nascita,"
	                   " nazionalita, tipo, questura, status, demo FROM practice"
	                   " WHERE numero_pratica = ?",
	                   -1, &st, NULL);
	for (int round = 0; round < 2; round++) {
		unsigned x = 12345;

		t0 = bench_ns();
		for (int i = 0; i < QUERIES; i++) {
			char key[PRATICA_MAX];

			x = x * 1103515245u + 12345u;
			snprintf(key, sizeof key, "RM/2000/%06u",
			         (x % (unsigned)(n < 999999 ? n : 999999) + 1) % 1000000u);
			sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
			/* read each column in its own type, as any caller must */
			if (sqlite3_step(st) == SQLITE_ROW) {
				sink += sqlite3_column_int64(st, 0) + sqlite3_column_int(st, 5) +
				        sqlite3_column_int(st, 10);
				for (int c = 1; c < 10; c++)
					if (c != 5)
						sink += sqlite3_column_text(st, c) != NULL;
			}
			sqlite3_reset(st);
		}
		t_bare = bench_ns() - t0;
		x = 12345;
		t0 = bench_ns();
		for (int i = 0; i < QUERIES; i++) {
			char typed[32];

			x = x * 1103515245u + 12345u;
			snprintf(typed, sizeof typed, "rm 2000 %u",
			         x % (unsigned)(n < 999999 ? n : 999999) + 1);
			if (practice_lookup(&ctx, &op, typed, NULL, &p, &why) != AG_OK) {
				fprintf(stderr, "lookup %s: %s\n", typed, why.en);
				return 1;
			}
			sink += p.id;
		}
		t_lookup = bench_ns() - t0;
	}
	sqlite3_finalize(st);
	agenda_ctx_close(&ctx);
	rng_close(rs);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	printf("%d lookups among %d practices (checksum %lld)\n", QUERIES, n, sink % 1000);
	printf("  bare indexed query : %6.2f us\n", (double)t_bare / QUERIES / 1000);
	printf("  practice_lookup    : %6.2f us\n", (double)t_lookup / QUERIES / 1000);
	printf("  ratio              : %6.2f  (target <= 1.5: %s)\n", (double)t_lookup / t_bare,
	       (double)t_lookup / t_bare <= 1.5 ? "PASS" : "FAIL");
	return 0;
}
