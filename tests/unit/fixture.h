/*
 * fixture.h — a fresh device for service tests: a real SQLite file in a temporary folder, a
 * fixed clock (Monday 4 May 2026, 09:00 Europe/Rome), a seeded RNG, Questura di Roma with
 * capacity, a few practices and one logged-in operator. Header-only; each test owns one.
 */
#ifndef AGENDA_TESTS_FIXTURE_H
#define AGENDA_TESTS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "services/booking.h"
#include "services/operators.h"
#include "services/practices.h"
#include "services/questure.h"

struct fixture {
	char dir[64];
	char path[96];
	int64_t now;
	struct rng_state *rng_state;
	agenda_ctx ctx;
	struct session op; /* an operatore */
	char password[PASSWORD_MAX];
	int64_t practice_lavoro; /* RM/2026/000001 */
	int64_t practice_famiglia;
	int64_t practice_studio; /* not bookable */
};

static inline void fixture_practice(struct fixture *f, const char *pratica, const char *visto,
                                    const char *tipo, int64_t *id)
{
	struct practice p = {0};
	struct session s = f->op;

	snprintf(p.numero_pratica, sizeof p.numero_pratica, "%s", pratica);
	snprintf(p.numero_visto, sizeof p.numero_visto, "%s", visto);
	snprintf(p.cognome, sizeof p.cognome, "DEMO ROSSI");
	snprintf(p.nome, sizeof p.nome, "Aïcha");
	p.data_nascita = date_from_ymd(1990, 3, 1);
	snprintf(p.nazionalita, sizeof p.nazionalita, "Marocco");
	snprintf(p.tipo, sizeof p.tipo, "%s", tipo);
	snprintf(p.questura, sizeof p.questura, "RM");
	if (practice_upsert(&f->ctx, &p, NULL) != AG_OK)
		abort();
	if (practice_lookup(&f->ctx, &s, pratica, NULL, &p, NULL) != AG_OK)
		abort();
	*id = p.id;
}

/* Capacity for Roma: Mon-Fri from `from` for `days` days, `slots` a day from 09:00 every 20'. */
static inline void fixture_capacity(struct fixture *f, agenda_day from, int days, int slots)
{
	struct capacity_plan plan = {.from = from,
	                             .to = from + days - 1,
	                             .weekdays = 0x1f,
	                             .first_minute = 9 * 60,
	                             .minutes_per_slot = 20,
	                             .slots_per_day = slots};
	struct capacity_report r;

	if (capacity_set(&f->ctx, "test", "RM", &plan, &r, NULL) != AG_OK)
		abort();
}

static inline int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct questura q = {.code = "RM",
	                     .name = "Questura di Roma",
	                     .city = "Roma",
	                     .address = "Via di San Vitale 15",
	                     .email = "questura.rm@example.test"};
	agenda_rng rng;
	agenda_detail why;

	snprintf(f->dir, sizeof f->dir, "/tmp/agenda-test-XXXXXX");
	if (!mkdtemp(f->dir))
		abort();
	snprintf(f->path, sizeof f->path, "%s/agenda.db", f->dir);
	f->now = clock_epoch_of(date_from_ymd(2026, 5, 4), 9 * 60);
	if (rng_open_seeded(&rng, &f->rng_state, 42) != AG_OK)
		abort();
	if (agenda_ctx_open_with(&f->ctx, f->path, STORE_OPEN_CREATE, clock_fixed(&f->now), rng,
	                         &why) != AG_OK) {
		fprintf(stderr, "%s\n", why.en);
		abort();
	}
	if (questura_put(&f->ctx, "test", &q, NULL) != AG_OK)
		abort();
	if (operator_add(&f->ctx, "test", "mario.rossi", ROLE_OPERATORE, f->password, NULL) !=
	    AG_OK)
		abort();
	if (session_login(&f->ctx, "mario.rossi", f->password, &f->op, NULL) != AG_OK)
		abort();
	fixture_practice(f, "RM/2026/000001", "ITA000000001", "lavoro", &f->practice_lavoro);
	fixture_practice(f, "RM/2026/000002", "ITA000000002", "ricongiungimento familiare",
	                 &f->practice_famiglia);
	fixture_practice(f, "RM/2026/000003", "", "studio", &f->practice_studio);
	*state = f;
	return 0;
}

static inline int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	agenda_ctx_close(&f->ctx);
	rng_close(f->rng_state);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Runs one SQL statement on the fixture's file through a second connection. */
static inline int fixture_sql(struct fixture *f, const char *sql)
{
	sqlite3 *db;
	int rc = sqlite3_open(f->path, &db);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* One integer from a query on the fixture's file. */
static inline long long fixture_count(struct fixture *f, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(store_db(f->ctx.store), sql, -1, &st, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

#endif
