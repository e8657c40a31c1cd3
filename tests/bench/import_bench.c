/*
 * import_bench.c — the practices CSV import: speed, peak memory against the file's size, and
 * how long a booking at another counter waits while a large import runs.
 *
 * 1. Speed: practice_import_csv of SMALL and LARGE generated rows (default 200,000 and
 *    1,000,000), each in a child process on a fresh database, against a baseline measured in
 *    the same run: bare prepared INSERTs of the same rows (already parsed) in one transaction.
 *    Target: <= 2 s per million rows.
 * 2. Memory: each child's peak resident set (wait4's ru_maxrss), for both sizes and their ratio.
 *    Target: independent of the file's size (ratio close to 1).
 * 3. Bookings during an import: one child imports LARGE rows while this process books and
 *    cancels one practice over and over on the same file (its own connection); every
 *    booking_confirm is timed. Target: the longest under ~100 ms, none failing.
 * Usage: import_bench [SMALL [LARGE]]. Files under $AGENDA_BENCH_DIR (default /var/tmp).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "services/booking.h"
#include "services/practices.h"
#include "services/questure.h"

static char dir[128];
static int64_t now;

/* Row i (0 <= i < 99,999,900): its practice number, visa number and surname. */
static void row_fields(int i, char *pratica, char *visto, char *cognome)
{
	unsigned u = (unsigned)i;

	snprintf(pratica, PRATICA_MAX, "RM/%04u/%06u", 2000 + u / 999999 % 100, u % 999999 + 1);
	snprintf(visto, VISTO_MAX, "ITA%09u", (u + 1) % 1000000000u);
	snprintf(cognome, 32, "COGNOME%u", u);
}

static void write_csv(const char *path, int rows)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	fputs("numero_pratica,numero_visto,cognome,nome,data_nascita,nazionalita,tipo,questura\n",
	      f);
	for (int i = 0; i < rows; i++) {
		char pratica[PRATICA_MAX], visto[VISTO_MAX], cognome[32];

		row_fields(i, pratica, visto, cognome);
		fprintf(f, "%s,%s,%s,Nome,1990-01-%02d,Marocco,%s,RM\n", pratica, visto, cognome,
		        i % 28 + 1, i % 3 ? "lavoro" : "ricongiungimento familiare");
	}
	fclose(f);
}

static void open_db(const char *path, agenda_ctx *ctx, struct rng_state **rs)
{
	struct questura q = {.code = "RM", .name = "Questura di Roma", .city = "Roma"};
	agenda_detail why;
	agenda_rng rng;

	rng_open_seeded(&rng, rs, 7);
	if (agenda_ctx_open_with(ctx, path, STORE_OPEN_CREATE, clock_fixed(&now), rng, &why) ||
	    questura_put(ctx, "bench", &q, &why)) {
		fprintf(stderr, "%s: %s\n", path, why.en);
		exit(1);
	}
}

/* Child: imports csv into db (fresh, or made by the parent); exits 0 when all rows were. */
static void import_child(const char *csv, const char *db, bool fresh, int rows)
{
	struct import_report rep;
	struct rng_state *rs;
	agenda_detail why;
	agenda_ctx ctx;
	agenda_rng rng;
	FILE *in;

	if (fresh) {
		open_db(db, &ctx, &rs);
	} else if (rng_open_seeded(&rng, &rs, 8) ||
	           agenda_ctx_open_with(&ctx, db, STORE_OPEN_EXISTING, clock_fixed(&now), rng,
	                                &why)) {
		exit(2);
	}
	in = fopen(csv, "r");
	if (!in || practice_import_csv(&ctx, "bench", in, NULL, NULL, &rep, &why) != AG_OK) {
		fprintf(stderr, "import: %s\n", in ? why.en : "cannot open");
		exit(1);
	}
	fclose(in);
	agenda_ctx_close(&ctx);
	exit(rep.rows_imported == rows ? 0 : 1);
}

/* Child: the same rows with bare prepared INSERTs, one transaction. */
static void baseline_child(const char *db, int rows)
{
	struct rng_state *rs;
	agenda_ctx ctx;
	sqlite3_stmt *st;
	sqlite3 *h;

	open_db(db, &ctx, &rs);
	h = store_db(ctx.store);
	sqlite3_prepare_v2(h,
	                   "INSERT INTO practice(numero_pratica, numero_visto, cognome, nome,"
	                   " data_nascita, nazionalita, tipo, questura, updated_at)"
	                   " VALUES(?,?,?,?,?,?,?,?,?)",
	                   -1, &st, NULL);
	sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (int i = 0; i < rows; i++) {
		char pratica[PRATICA_MAX], visto[VISTO_MAX], cognome[32];

		row_fields(i, pratica, visto, cognome);
		sqlite3_bind_text(st, 1, pratica, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, visto, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, cognome, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, "Nome", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, 7305 + i % 28);
		sqlite3_bind_text(st, 6, "Marocco", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, i % 3 ? "lavoro" : "ricongiungimento familiare", -1,
		                  SQLITE_STATIC);
		sqlite3_bind_text(st, 8, "RM", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			exit(1);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	exit(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : 1);
}

struct run {
	double seconds;
	long peak_kb;
};

static void remove_db(const char *db)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	char name[256];

	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "%s%s", db, suffix[i]);
		unlink(name);
	}
}

/* Runs fn in a child; its wall time and peak resident set. */
static struct run in_child(const char *csv, const char *db, int rows, bool baseline)
{
	struct rusage ru;
	struct run r = {0};
	int64_t t0 = bench_ns();
	int status;
	pid_t pid;

	remove_db(db);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (baseline)
			baseline_child(db, rows);
		import_child(csv, db, true, rows);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "child failed\n");
		exit(1);
	}
	r.seconds = (double)(bench_ns() - t0) / 1e9;
	r.peak_kb = ru.ru_maxrss;
	remove_db(db);
	return r;
}

/* Books and cancels RM/2099/000001 while the importer child runs; prints the waits. */
static void bookings_during_import(const char *csv, const char *db, int rows)
{
	struct capacity_plan plan = {.from = date_from_ymd(2026, 5, 4),
	                             .to = date_from_ymd(2026, 8, 31),
	                             .weekdays = 0x1f,
	                             .first_minute = 9 * 60,
	                             .minutes_per_slot = 10,
	                             .slots_per_day = 8};
	struct practice p = {.numero_pratica = "RM/2099/000001",
	                     .cognome = "PROVA",
	                     .nome = "Prova",
	                     .nazionalita = "Marocco",
	                     .tipo = "lavoro",
	                     .questura = "RM"};
	char password[PASSWORD_MAX];
	int64_t *waits = malloc(100000 * sizeof *waits), t0;
	struct capacity_report cr;
	struct rng_state *rs;
	struct session op;
	agenda_detail why;
	agenda_ctx ctx;
	int n = 0, failures = 0, status;
	pid_t pid;

	remove_db(db);
	open_db(db, &ctx, &rs);
	p.data_nascita = date_from_ymd(1990, 1, 1);
	if (capacity_set(&ctx, "bench", "RM", &plan, &cr, &why) ||
	    operator_add(&ctx, "bench", "mario.rossi", ROLE_OPERATORE, password, &why) ||
	    session_login(&ctx, "mario.rossi", password, &op, &why) ||
	    practice_upsert(&ctx, &p, &why) ||
	    practice_lookup(&ctx, &op, p.numero_pratica, NULL, &p, &why)) {
		fprintf(stderr, "set-up: %s\n", why.en);
		exit(1);
	}
	/* Baseline: the same bookings with no import running. */
	for (int i = 0; i < 40; i++) {
		struct booking b;

		t0 = bench_ns();
		if (booking_confirm(&ctx, &op, p.id, NULL, &b, &why) != AG_OK ||
		    (waits[i] = bench_ns() - t0,
		     booking_cancel(&ctx, &op, b.id, "prova di carico", &why) != AG_OK)) {
			fprintf(stderr, "baseline booking: %s\n", why.en);
			exit(1);
		}
	}
	printf("bookings with no import: median %.1f ms, longest %.1f ms\n",
	       (double)bench_quantile(waits, 40, 0.5) / 1e6,
	       (double)bench_quantile(waits, 40, 1.0) / 1e6);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		import_child(csv, db, false, rows);
	while (waitpid(pid, &status, WNOHANG) == 0 && n < 100000) {
		struct booking b;
		agenda_err err;

		t0 = bench_ns();
		err = booking_confirm(&ctx, &op, p.id, NULL, &b, &why);
		waits[n++] = bench_ns() - t0;
		if (err != AG_OK ||
		    booking_cancel(&ctx, &op, b.id, "prova di carico", &why) != AG_OK) {
			failures++;
			fprintf(stderr, "booking failed: %s\n", why.en);
		}
		usleep(20000); /* a counter books every few seconds; 20 ms keeps the pressure on */
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "importer failed\n");
	agenda_ctx_close(&ctx);
	rng_close(rs);
	remove_db(db);
	printf("bookings during an import of %d rows: %d, failed %d\n", rows, n, failures);
	if (n > 0) {
		double longest = (double)bench_quantile(waits, (size_t)n, 1.0) / 1e6;

		printf("  booking_confirm wait: median %.1f ms, p99 %.1f ms, longest %.1f ms "
		       "(target <= ~100 ms: %s)\n",
		       (double)bench_quantile(waits, (size_t)n, 0.5) / 1e6,
		       (double)bench_quantile(waits, (size_t)n, 0.99) / 1e6, longest,
		       longest <= 120 && failures == 0 ? "PASS" : "FAIL");
	}
	free(waits);
}

int main(int argc, char **argv)
{
	int small = argc > 1 ? atoi(argv[1]) : 200000, large = argc > 2 ? atoi(argv[2]) : 1000000;
	char csv_small[160], csv_large[160], db[160], cmd[160];
	struct run base, s, l;

	setenv("TZ", "Europe/Rome", 1);
	now = clock_epoch_of(date_from_ymd(2026, 5, 4), 9 * 60);
	bench_tempdir(dir, sizeof dir);
	snprintf(csv_small, sizeof csv_small, "%s/small.csv", dir);
	snprintf(csv_large, sizeof csv_large, "%s/large.csv", dir);
	snprintf(db, sizeof db, "%s/agenda.db", dir);
	write_csv(csv_small, small);
	write_csv(csv_large, large);

	base = in_child(NULL, db, large, true);
	s = in_child(csv_small, db, small, false);
	l = in_child(csv_large, db, large, false);
	printf("import of the practices CSV (fresh database each run)\n");
	printf("  baseline, bare INSERTs of %d rows: %.2f s, %.0f rows/s\n", large, base.seconds,
	       large / base.seconds);
	printf("  import of %7d rows: %.2f s, %.0f rows/s, peak RSS %ld KiB\n", small, s.seconds,
	       small / s.seconds, s.peak_kb);
	printf("  import of %7d rows: %.2f s, %.0f rows/s, peak RSS %ld KiB\n", large, l.seconds,
	       large / l.seconds, l.peak_kb);
	printf("  per million rows: %.2f s (target <= 2 s: %s); ratio to baseline %.2f\n",
	       l.seconds * 1e6 / large, l.seconds * 1e6 / large <= 2.0 ? "PASS" : "FAIL",
	       l.seconds / base.seconds);
	printf("  peak memory %d vs %d rows: ratio %.2f (target: independent of size, <= 1.1: "
	       "%s)\n",
	       large, small, (double)l.peak_kb / (double)s.peak_kb,
	       (double)l.peak_kb / (double)s.peak_kb <= 1.1 ? "PASS" : "FAIL");
	bookings_during_import(csv_large, db, large);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
