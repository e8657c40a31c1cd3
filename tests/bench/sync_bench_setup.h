/*
 * sync_bench_setup.h — the world the sync benchmarks run in (issue 12): a real `agenda-central
 * serve` on loopback in a temporary folder (site BENCH serving RM, the Questura RM with capacity,
 * practices imported), and one device enrolled with `agendactl provision`, opened in-process with
 * its own operator and a kept sync_session. Header-only, like bench_process.h; the two sync
 * benchmarks (sync_push_bench, sync_grant_bench) share it.
 */
#ifndef AGENDA_BENCH_SYNC_SETUP_H
#define AGENDA_BENCH_SYNC_SETUP_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench_process.h"
#include "bench_util.h"
#include "core/date.h"
#include "services/context.h"
#include "services/operators.h"
#include "sync/device_files.h"
#include "sync/sync_session.h"

struct sync_bench {
	char base[512], central[1024], db[1024], data_dir[1024], csv[1024];
	char fingerprint[128];
	struct bench_server server;
	agenda_ctx ctx;
	struct session op;
	sync_session *session;
	agenda_day today;
};

static inline void sync_bench_die(const char *what)
{
	fprintf(stderr, "sync bench: %s\n", what);
	exit(1);
}

/* Runs `agenda-central VERB... --dir DIR`; exits on failure. */
static inline void sync_bench_central(struct sync_bench *b, char *const verb[])
{
	char *argv[32];
	int n = 0;

	argv[n++] = AGENDA_CENTRAL_BIN;
	while (verb[n - 1] && n < 28) {
		argv[n] = verb[n - 1];
		n++;
	}
	argv[n++] = "--dir";
	argv[n++] = b->central;
	argv[n] = NULL;
	if (bench_run(argv) != 0)
		sync_bench_die(verb[0]);
}

static inline void sync_bench_day(agenda_day d, char *out)
{
	int y, m, dd;

	date_to_ymd(d, &y, &m, &dd);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, dd);
}

/* `capacity set` of RM over [from, to]: per_day slots a day, one every `every` minutes. */
static inline void sync_bench_capacity(struct sync_bench *b, agenda_day from, agenda_day to,
                                       const char *per_day, const char *every)
{
	char f[11], t[11];
	char *argv[] = {"capacity",   "set",
	                "--questura", "RM",
	                "--from",     f,
	                "--to",       t,
	                "--per-day",  (char *)per_day,
	                "--start",    "07:00",
	                "--every",    (char *)every,
	                NULL};

	sync_bench_day(from, f);
	sync_bench_day(to, t);
	sync_bench_central(b, argv);
}

/*
 * Central (init, site, Questura RM, `practices` practices RM/2026/000001..., serve) and one
 * device provisioned and opened in-process with a local operator logged in and a session.
 * The store is PostgreSQL when pg_url is given. Settings (key, value pairs, NULL-terminated)
 * are written on the device before its first round.
 */
static inline void sync_bench_open(struct sync_bench *b, const char *pg_url, int practices,
                                   const char *const *settings)
{
	char code[64] = "", url[64], slip[1200], pw[PASSWORD_MAX], device[800];
	agenda_detail why;

	memset(b, 0, sizeof *b);
	setenv("TZ", "Europe/Rome", 1);
	unsetenv("AGENDA_NOW");
	bench_tempdir(b->base, sizeof b->base);
	snprintf(b->central, sizeof b->central, "%s/central", b->base);
	snprintf(device, sizeof device, "%s/device", b->base);
	snprintf(b->db, sizeof b->db, "%s/agenda.db", device);
	snprintf(b->csv, sizeof b->csv, "%s/practices.csv", b->base);
	{
		char *init[] = {AGENDA_CENTRAL_BIN,
		                "init",
		                "--dir",
		                b->central,
		                "--host",
		                "localhost",
		                pg_url ? "--store" : NULL,
		                (char *)pg_url,
		                NULL};
		if (bench_run(init) != 0)
			sync_bench_die("agenda-central init");
	}
	{
		char *site[] = {
		        "site", "add",        "--code", "BENCH",       "--city",
		        "Roma", "--province", "RM",     "--dirigente", "dirigente@example.invalid",
		        NULL};
		char *questura[] = {"questura", "add", "--code", "RM", "--name", "Roma", NULL};
		char *import[] = {"practice", "import", "--file", b->csv, NULL};
		FILE *f;

		sync_bench_central(b, site);
		sync_bench_central(b, questura);
		f = fopen(b->csv, "w");
		if (!f)
			sync_bench_die("practices.csv");
		fputs("numero_pratica,numero_visto,cognome,nome,data_nascita,nazionalita,tipo,"
		      "questura\n",
		      f);
		for (int i = 1; i <= practices; i++)
			fprintf(f, "RM/2026/%06d,,BENCH,N,1990-01-%02d,MAROCCO,lavoro,RM\n", i,
			        1 + i % 28);
		fclose(f);
		sync_bench_central(b, import);
	}
	{
		char *enrol[] = {AGENDA_CENTRAL_BIN, "--json", "enrol-code", "--dir", b->central,
		                 "--site",           "BENCH",  "--expires",  "1h",    NULL};
		const char *c = NULL, *fp = NULL;
		char out[2048];
		json_t *j;

		if (bench_run_capture(enrol, out, sizeof out) != 0)
			sync_bench_die("enrol-code");
		j = json_loads(out, 0, NULL);
		if (json_unpack(j, "{s:s, s:s}", "code", &c, "ca_fingerprint", &fp) != 0)
			sync_bench_die("enrol-code answer");
		snprintf(code, sizeof code, "%s", c);
		snprintf(b->fingerprint, sizeof b->fingerprint, "%s", fp);
		json_decref(j);
	}
	if (bench_serve_start(AGENDA_CENTRAL_BIN, b->central, &b->server) != 0)
		sync_bench_die("agenda-central serve");
	if (mkdir(device, 0700) != 0)
		sync_bench_die("device folder");
	snprintf(url, sizeof url, "https://localhost:%d", b->server.port);
	snprintf(slip, sizeof slip, "virtual:%s/slip", device);
	{
		char *init[] = {AGENDACTL_BIN, "--db", b->db, "init", "--site", "Roma", NULL};
		char *provision[] = {
		        AGENDACTL_BIN, "--db",   b->db, "provision",        "--central",
		        url,           "--code", code,  "--ca-fingerprint", b->fingerprint,
		        "--printer",   slip,     NULL};
		if (bench_run(init) != 0 || bench_run(provision) != 0)
			sync_bench_die("agendactl init/provision");
	}
	if (agenda_ctx_open(&b->ctx, b->db, false, clock_system(), &why) != AG_OK)
		sync_bench_die(why.en);
	for (size_t i = 0; settings && settings[i]; i += 2) {
		sqlite3_stmt *st;

		sqlite3_prepare_v2(store_db(b->ctx.store),
		                   "INSERT OR REPLACE INTO setting(key, value) VALUES(?, ?)", -1,
		                   &st, NULL);
		sqlite3_bind_text(st, 1, settings[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, settings[i + 1], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			sync_bench_die("setting");
		sqlite3_finalize(st);
	}
	if (operator_add(&b->ctx, "bench", "bench.op", ROLE_OPERATORE, pw, &why) != AG_OK ||
	    session_login(&b->ctx, "bench.op", pw, &b->op, &why) != AG_OK)
		sync_bench_die(why.en);
	device_files_data_dir(b->db, b->data_dir, sizeof b->data_dir);
	if (sync_session_open(&b->ctx, b->data_dir, &b->session, &why) != AG_OK)
		sync_bench_die(why.en);
	b->today = agenda_today(&b->ctx, NULL);
}

/* One COUNT(*) or similar on the device's file. */
static inline long long sync_bench_count(struct sync_bench *b, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(store_db(b->ctx.store), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static inline void sync_bench_close(struct sync_bench *b)
{
	char *remove[] = {"/bin/rm", "-rf", b->base, NULL};

	sync_session_close(b->session);
	agenda_ctx_close(&b->ctx);
	bench_serve_stop(&b->server);
	bench_run(remove);
}

#endif
