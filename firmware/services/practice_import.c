/*
 * practice_import.c — importing nulla-osta records from the CSV the SPI system exports.
 *
 * The file is streamed (core/csv.h: bounded memory whatever its size), the header checked, then
 * every record parsed and validated on its own, by the rules central shares (core/practice_row.h):
 * a bad one is reported with the line it starts on and skipped. Nothing is ever cut to fit: a
 * field that is too long, not UTF-8 or holds control characters (NUL included) refuses its row.
 *
 * Batches, so that bookings at the other counters go on during a long import: good rows are
 * parsed into a batch before any lock is taken, then written in short transactions with the
 * write lock left free between them (pacing below). Semantics per transaction
 * (docs/FORMATS.md): a committed one stays. An import cut short (power, kill -9, disk full)
 * leaves its progress in the setting "practice_import" (practice_import_pending reads it) and
 * importing the same file again completes it: every row is an upsert by numero_pratica, so a
 * re-run writes the same practices. A small file is one transaction, as it always was. Audit:
 * "practice_import_begin" in the first transaction of an import that takes more than one, and
 * the summary "practice_import" in the last one, which clears the progress.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/csv.h"
#include "core/practice_row.h"
#include "core/messages.h"
#include "services/audit.h"
#include "services/practices.h"

/*
 * Pacing, measured in tests/bench/import_bench.c (docs/PERFORMANCE.md). Rows are parsed in
 * batches of IMPORT_BATCH_ROWS with no lock held, then written in transactions that hold the
 * write lock IMPORT_HOLD_NS at most (a batch takes 30-150 ms to write depending on the machine's
 * load, so the bound is on time, checked every 64 rows). Between two transactions the lock stays
 * free IMPORT_GAP_NS at least: a booking waiting for it is the store's busy handler polling
 * every STORE_BUSY_POLL_MS (store.h), so it always sees the free spell and waits at most about
 * hold + gap. Parsing the next batch fills the spell; a sleep tops it up.
 * These are pacing intervals on the monotonic clock, not times of day (those come from ctx).
 */
#define IMPORT_BATCH_ROWS 16384 /* a power of two: grow() doubles up to it */
#define IMPORT_HOLD_NS    (50 * 1000000L)
#define IMPORT_GAP_NS     (5 * 1000000L)
#define PROGRESS_KEY      "practice_import"

/* Everything one import holds, whatever the size of the file: allocated once. */
struct import {
	agenda_ctx *ctx;
	import_bad_row_fn bad_row;
	void *arg;
	struct import_report *report;
	agenda_day today;
	char questura_seen[QUESTURA_CODE_MAX]; /* the last code found configured */
	int transactions, last_line;
	struct timespec committed; /* when the last transaction released the write lock */
	int count, room; /* rows in the batch, and room for them (grows up to IMPORT_BATCH_ROWS) */
	int *line;
	struct practice *row;
	struct csv_record rec;
	struct csv_reader reader;
};

static bool questura_exists(struct import *im, const char *code)
{
	static const char SQL[] = "SELECT 1 FROM questura WHERE code = ?";
	sqlite3_stmt *st;
	bool found;

	if (strcmp(code, im->questura_seen) == 0)
		return true;
	if (!(st = store_stmt(im->ctx->store, SQL, NULL)))
		return false;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	if (found)
		snprintf(im->questura_seen, sizeof im->questura_seen, "%s", code);
	return found;
}

/* The shared checks (core/practice_row.h), then this device's Questure. */
static agenda_err parse_row(struct import *im, const struct csv_record *rec, struct practice *p,
                            agenda_detail *why)
{
	struct practice_row row;
	agenda_err err = practice_row_parse(rec, im->today, &row, why);

	memset(p, 0, sizeof *p);
	if (err != AG_OK)
		return err;
	if (!questura_exists(im, row.questura)) {
		agenda_detail_set(why, MSG_IMPORT_UNKNOWN_QUESTURA, row.questura);
		return AG_ERR_NOT_FOUND;
	}
	memcpy(p->numero_pratica, row.numero_pratica, sizeof p->numero_pratica);
	memcpy(p->numero_visto, row.numero_visto, sizeof p->numero_visto);
	memcpy(p->cognome, row.cognome, sizeof p->cognome);
	memcpy(p->nome, row.nome, sizeof p->nome);
	p->data_nascita = row.data_nascita;
	memcpy(p->nazionalita, row.nazionalita, sizeof p->nazionalita);
	memcpy(p->tipo, row.tipo, sizeof p->tipo);
	memcpy(p->questura, row.questura, sizeof p->questura);
	return AG_OK;
}

static void reject(struct import *im, int line, const agenda_detail *d)
{
	im->report->rows_rejected++;
	if (im->bad_row)
		im->bad_row(im->arg, line, d->it, d->en);
}

/* Doubles the batch's room: a small file never takes the memory of a full batch. */
static bool grow(struct import *im)
{
	int room = im->room ? 2 * im->room : 256;
	struct practice *row = realloc(im->row, (size_t)room * sizeof *row);
	int *line;

	if (row)
		im->row = row;
	line = row ? realloc(im->line, (size_t)room * sizeof *line) : NULL;
	if (!line)
		return false;
	im->line = line;
	im->room = room;
	return true;
}

/*
 * Reads records until the batch is full or the file ends (*more false); bad ones are reported
 * as they come. No lock is held meanwhile.
 */
static agenda_err parse_batch(struct import *im, bool *more, agenda_detail *why)
{
	im->count = 0;
	*more = true;
	while (im->count < IMPORT_BATCH_ROWS) {
		agenda_detail row_why;
		struct practice *p;
		enum csv_status cs;
		agenda_err err;

		if (im->count == im->room && !grow(im)) {
			agenda_detail_set(why, MSG_NOMEM);
			return AG_ERR_NOMEM;
		}
		p = &im->row[im->count];
		cs = csv_next(&im->reader, &im->rec);

		if (cs == CSV_END) {
			*more = false;
			break;
		}
		if (cs == CSV_READ_ERROR) {
			agenda_detail_set(why, MSG_IMPORT_READ_FAILED);
			return AG_ERR_IO;
		}
		im->report->rows_read++;
		im->last_line = im->rec.first_line;
		agenda_detail_clear(&row_why);
		if (cs != CSV_RECORD) {
			practice_csv_problem(cs, &im->rec, &row_why);
			err = AG_ERR_INVALID;
		} else {
			err = parse_row(im, &im->rec, p, &row_why);
		}
		if (err != AG_OK) {
			reject(im, im->rec.first_line, &row_why);
			continue;
		}
		im->line[im->count++] = im->rec.first_line;
	}
	return AG_OK;
}

/* "started=EPOCH line=N imported=N": where an import that has not finished got to. */
static agenda_err save_progress(struct import *im, int64_t started, int line, agenda_detail *why)
{
	char value[96];

	snprintf(value, sizeof value, "started=%" PRId64 " line=%d imported=%d", started, line,
	         im->report->rows_imported);
	return store_setting_set(im->ctx->store, PROGRESS_KEY, value, why);
}

static long elapsed_ns(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - since->tv_sec) * 1000000000L + (now.tv_nsec - since->tv_nsec);
}

/* Sleeps until the write lock has been free for IMPORT_GAP_NS since the last commit. */
static void leave_gap(const struct import *im)
{
	struct timespec rest = {0, 0};
	long free_ns;

	if (im->transactions == 0)
		return;
	free_ns = elapsed_ns(&im->committed);
	if (free_ns >= 0 && free_ns < IMPORT_GAP_NS) {
		rest.tv_nsec = IMPORT_GAP_NS - free_ns;
		nanosleep(&rest, NULL);
	}
}

/*
 * Writes rows *next.. of the batch in one transaction, until the batch is done or the lock has
 * been held IMPORT_HOLD_NS; *next is where it stopped. Each transaction carries the progress
 * record, or, when it ends the file, the audit summary and the progress cleared. A visa number
 * taken by another practice rejects its row only; any other failure rolls the transaction back
 * and ends the import.
 */
static agenda_err write_rows(struct import *im, const char *actor, bool end_of_file,
                             int64_t started, int *next, agenda_detail *why)
{
	agenda_ctx *ctx = im->ctx;
	int imported = 0, i = *next;
	struct timespec begun;
	agenda_err err;
	bool final;

	leave_gap(im);
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	clock_gettime(CLOCK_MONOTONIC, &begun);
	for (; err == AG_OK && i < im->count; i++) {
		agenda_detail row_why;

		if (i > *next && i % 64 == 0 && elapsed_ns(&begun) >= IMPORT_HOLD_NS)
			break;
		agenda_detail_clear(&row_why);
		err = practice_upsert(ctx, &im->row[i], &row_why);
		if (err == AG_OK) {
			imported++;
		} else if (err == AG_ERR_EXISTS) {
			reject(im, im->line[i], &row_why);
			err = AG_OK;
		} else {
			*why = row_why;
		}
	}
	im->report->rows_imported += imported;
	final = end_of_file && i == im->count;
	if (err == AG_OK && !final && im->transactions == 0)
		err = audit_append(ctx, actor, "practice_import_begin", "csv", "", why);
	if (err == AG_OK && final) {
		char summary[64];

		snprintf(summary, sizeof summary, "imported=%d rejected=%d",
		         im->report->rows_imported, im->report->rows_rejected);
		err = audit_append(ctx, actor, "practice_import", "csv", summary, why);
		if (err == AG_OK && im->transactions > 0)
			err = store_setting_set(ctx->store, PROGRESS_KEY, "", why);
	} else if (err == AG_OK) {
		err = save_progress(im, started, i == im->count ? im->last_line : im->line[i - 1],
		                    why);
	}
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
	else
		store_rollback(ctx->store);
	if (err != AG_OK)
		im->report->rows_imported -= imported;
	clock_gettime(CLOCK_MONOTONIC, &im->committed);
	im->transactions++;
	*next = i;
	return err;
}

agenda_err practice_import_csv(agenda_ctx *ctx, const char *actor, FILE *in,
                               import_bad_row_fn bad_row, void *arg, struct import_report *report,
                               agenda_detail *why)
{
	struct import *im = malloc(sizeof *im);
	int64_t started = clock_now(&ctx->clock);
	agenda_err err = AG_OK;
	enum csv_status cs;
	bool more = true;

	memset(report, 0, sizeof *report);
	if (!im) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	im->ctx = ctx;
	im->bad_row = bad_row;
	im->arg = arg;
	im->report = report;
	im->today = agenda_today(ctx, NULL);
	im->questura_seen[0] = '\0';
	im->transactions = im->last_line = im->count = im->room = 0;
	im->line = NULL;
	im->row = NULL;
	report->interrupted_before = practice_import_pending(ctx, NULL);
	csv_reader_init(&im->reader, csv_read_file, in, 0);
	cs = csv_next(&im->reader, &im->rec);
	if (cs == CSV_READ_ERROR) {
		agenda_detail_set(why, MSG_IMPORT_READ_FAILED);
		err = AG_ERR_IO;
	} else if (cs != CSV_RECORD || !practice_csv_header_ok(&im->rec)) {
		agenda_detail_set(why, MSG_IMPORT_BAD_HEADER);
		err = AG_ERR_INVALID;
	}
	while (err == AG_OK && more) {
		int next = 0;

		err = parse_batch(im, &more, why);
		while (err == AG_OK) {
			err = write_rows(im, actor, !more, started, &next, why);
			if (next == im->count)
				break;
		}
	}
	free(im->row);
	free(im->line);
	free(im);
	return err;
}

bool practice_import_pending(agenda_ctx *ctx, struct import_progress *out)
{
	char value[96];
	struct import_progress p = {0};

	if (!store_setting_get(ctx->store, PROGRESS_KEY, value, sizeof value) || !value[0])
		return false;
	if (sscanf(value, "started=%" SCNd64 " line=%d imported=%d", &p.started, &p.line,
	           &p.rows_imported) != 3)
		p.started = p.line = p.rows_imported = 0;
	if (out)
		*out = p;
	return true;
}
