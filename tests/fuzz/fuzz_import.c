/*
 * fuzz_import.c — libFuzzer target for the practices CSV import (practice_import_csv) on a real
 * database file.
 *
 * One temporary database (on /dev/shm when it exists, so each commit's fsync is cheap) with the
 * Questure RM and MI, a fixed clock and a seeded RNG, kept open across inputs; every input is
 * imported into it as a file would be (streamed, in batches). Checks, on every input: the
 * import either refuses the file as a whole or accounts for every row (read = imported +
 * rejected), every rejected row comes with a reason in both languages and names a line of the
 * input that no other rejection names, and the practice table holds exactly what the import
 * promises: nothing after a refusal or an import of no rows, otherwise between 1 and
 * rows_imported practices (the same numero_pratica twice is one practice), each with canonical
 * numbers and names that are valid UTF-8 without control characters and not empty.
 *
 * Speed: the practices are deleted after each input, so each check reads only that input's
 * rows. The audit log is append-only (one record per import), so its chain is verified every
 * CHECK_EVERY inputs, and the database is verified one last time and then made anew every
 * FRESH_EVERY inputs and checked at exit: verifying a chain that kept growing over millions of
 * inputs used to be most of the run's time.
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

#define CHECK_EVERY 512
#define FRESH_EVERY (16 * CHECK_EVERY)

static agenda_ctx ctx;
static int64_t now;
static struct rng_state *rng_state;
static char dir[64], path[96];
static unsigned long runs;

/* Lines named in rejections during one input: each at most once, each a line of the input. */
static unsigned char named[(1 << 16) + 2];
static int named_count, input_lines;

static void bad_row(void *arg, int line, const char *it, const char *en)
{
	(void)arg;
	if (line < 2 || line > input_lines || named[line] || !it[0] || !en[0])
		abort();
	named[line] = 1;
	named_count++;
}

static int text_ok(const unsigned char *s)
{
	const char *t = (const char *)s;

	return s && t[0] && text_is_utf8(t, strlen(t)) && !text_has_control(t) && t[0] != ' ' &&
	       t[strlen(t) - 1] != ' ';
}

/* Checks every stored practice; returns how many there are. */
static int check_practices(void)
{
	static const char SQL[] =
	        "SELECT numero_pratica, numero_visto, cognome, nome, nazionalita, "
	        "tipo, questura FROM practice";
	sqlite3_stmt *st;
	int rows = 0;

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
		rows++;
	}
	sqlite3_finalize(st);
	return rows;
}

static void check_audit(void)
{
	struct audit_report report;

	if (audit_verify(&ctx, &report, NULL) != AG_OK || report.problem != AUDIT_INTACT)
		abort();
}

/* A new database: the file, its schema, the two Questure. */
static void open_db(void)
{
	struct questura rm = {.code = "RM", .name = "Questura di Roma", .city = "Roma"};
	struct questura mi = {.code = "MI", .name = "Questura di Milano", .city = "Milano"};
	agenda_rng rng;
	agenda_detail why;

	agenda_detail_clear(&why);
	if (rng_open_seeded(&rng, &rng_state, 5) != AG_OK ||
	    agenda_ctx_open_with(&ctx, path, STORE_OPEN_CREATE, clock_fixed(&now), rng, &why) !=
	            AG_OK ||
	    questura_put(&ctx, "fuzz", &rm, &why) != AG_OK ||
	    questura_put(&ctx, "fuzz", &mi, &why) != AG_OK) {
		fprintf(stderr, "fuzz_import: set-up failed: %s\n", why.en);
		abort();
	}
}

static void close_db(void)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	char name[128];

	agenda_ctx_close(&ctx);
	rng_close(rng_state);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "%s%s", path, suffix[i]);
		unlink(name);
	}
}

static void cleanup(void)
{
	check_practices();
	check_audit();
	close_db();
	if (rmdir(dir) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TZ", "Europe/Rome", 1);
	snprintf(dir, sizeof dir, "%s/agenda-fuzz-XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/agenda.db", dir);
	now = clock_epoch_of(date_from_ymd(2026, 5, 4), 9 * 60);
	open_db();
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_report report;
	agenda_detail why;
	agenda_err err;
	FILE *in;
	int stored;

	if (size == 0 || size > 1 << 16)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	memset(named, 0, sizeof named);
	named_count = 0;
	input_lines = 1;
	for (size_t i = 0; i < size; i++)
		if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n')))
			input_lines++;
	agenda_detail_clear(&why);
	err = practice_import_csv(&ctx, "fuzz", in, bad_row, NULL, &report, &why);
	fclose(in);
	if (err == AG_OK) {
		if (report.rows_read != report.rows_imported + report.rows_rejected ||
		    named_count != report.rows_rejected)
			abort(); /* a row unaccounted for, or a rejection not reported */
	} else if (err == AG_ERR_INVALID) {
		if (report.rows_imported != 0 || !why.it[0])
			abort(); /* a refused file imports nothing and says why */
	} else {
		fprintf(stderr, "fuzz_import: unexpected %s: %s\n", agenda_err_name(err), why.en);
		abort();
	}
	stored = check_practices();
	if (stored > report.rows_imported || (report.rows_imported > 0 && stored == 0))
		abort();
	if (stored > 0 && sqlite3_exec(store_db(ctx.store), "DELETE FROM practice", NULL, NULL,
	                               NULL) != SQLITE_OK)
		abort();
	if (++runs % CHECK_EVERY == 0)
		check_audit();
	if (runs % FRESH_EVERY == 0) {
		close_db();
		open_db();
	}
	return 0;
}
