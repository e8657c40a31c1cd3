/*
 * fuzz_import.c — libFuzzer target for the practices CSV import (practice_import_csv) on a real
 * database file.
 *
 * One temporary database (on /dev/shm when it exists, so each commit's fsync is cheap) with the
 * Questure RM and MI, a fixed clock and a seeded RNG, opened once; every input is imported into
 * it as a file would be. Checks: the import either refuses the file as a whole or accounts for
 * every row (read = imported + rejected), every rejected row comes with a reason in both
 * languages, and every stored practice is what the import promises: canonical numbers, names
 * that are valid UTF-8 without control characters and not empty. The whole table is checked
 * every 512 inputs and at exit, and the audit chain must stay intact.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/text.h"
#include "services/audit.h"
#include "services/practices.h"
#include "services/questure.h"

static agenda_ctx ctx;
static int64_t now;
static struct rng_state *rng_state;
static char dir[64];
static unsigned long runs;

static void bad_row(void *arg, int line, const char *it, const char *en)
{
	(void)arg;
	if (line < 1 || !it[0] || !en[0])
		abort();
}

static int text_ok(const unsigned char *s)
{
	const char *t = (const char *)s;

	return s && t[0] && text_is_utf8(t, strlen(t)) && !text_has_control(t) && t[0] != ' ' &&
	       t[strlen(t) - 1] != ' ';
}

static void check_table(void)
{
	static const char SQL[] =
	        "SELECT numero_pratica, numero_visto, cognome, nome, nazionalita, "
	        "tipo, questura FROM practice";
	sqlite3_stmt *st;
	struct audit_report report;

	if (sqlite3_prepare_v2(store_db(ctx.store), SQL, -1, &st, NULL) != SQLITE_OK)
		abort();
	while (sqlite3_step(st) == SQLITE_ROW) {
		char canon[PRATICA_MAX], visto[VISTO_MAX];
		const char *p = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);

		if (numero_pratica_normalise(p, canon, NULL, NULL) != AG_OK || strcmp(p, canon))
			abort();
		if (v && v[0] &&
		    (numero_visto_normalise(v, visto, NULL, NULL) != AG_OK || strcmp(v, visto)))
			abort();
		for (int i = 2; i < 7; i++)
			if (!text_ok(sqlite3_column_text(st, i)))
				abort();
	}
	sqlite3_finalize(st);
	if (audit_verify(&ctx, &report, NULL) != AG_OK || report.problem != AUDIT_INTACT)
		abort();
}

static void cleanup(void)
{
	char cmd[96];

	check_table();
	agenda_ctx_close(&ctx);
	rng_close(rng_state);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct questura rm = {.code = "RM", .name = "Questura di Roma", .city = "Roma"};
	struct questura mi = {.code = "MI", .name = "Questura di Milano", .city = "Milano"};
	char path[96];
	agenda_rng rng;
	agenda_detail why;

	(void)argc;
	(void)argv;
	setenv("TZ", "Europe/Rome", 1);
	snprintf(dir, sizeof dir, "%s/agenda-fuzz-XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/agenda.db", dir);
	now = clock_epoch_of(date_from_ymd(2026, 5, 4), 9 * 60);
	if (rng_open_seeded(&rng, &rng_state, 5) != AG_OK ||
	    agenda_ctx_open_with(&ctx, path, STORE_OPEN_CREATE, clock_fixed(&now), rng, &why) !=
	            AG_OK ||
	    questura_put(&ctx, "fuzz", &rm, &why) != AG_OK ||
	    questura_put(&ctx, "fuzz", &mi, &why) != AG_OK) {
		fprintf(stderr, "fuzz_import: set-up failed: %s\n", why.en);
		abort();
	}
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_report report;
	agenda_detail why;
	agenda_err err;
	FILE *in;

	if (size == 0 || size > 1 << 16)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	agenda_detail_clear(&why);
	err = practice_import_csv(&ctx, "fuzz", in, bad_row, NULL, &report, &why);
	fclose(in);
	if (err == AG_OK) {
		if (report.rows_read != report.rows_imported + report.rows_rejected)
			abort();
	} else if (err == AG_ERR_INVALID) {
		if (report.rows_imported != 0 || !why.it[0])
			abort(); /* a refused file imports nothing and says why */
	} else {
		fprintf(stderr, "fuzz_import: unexpected %s: %s\n", agenda_err_name(err), why.en);
		abort();
	}
	if (++runs % 512 == 0)
		check_table();
	return 0;
}
