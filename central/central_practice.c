/*
 * central_practice.c — `agenda-central practice import --file CSV`: the SPI's nulla-osta export
 * into central's store, the same CSV and the same rules as `agendactl practice import` (the row
 * checks are core/practice_row.h, shared with the device). The file is streamed (core/csv.h:
 * bounded memory whatever its size); every record is imported or reported once with the line
 * it starts on; good rows are written in batches of BATCH_ROWS, one transaction each, so the
 * server's allocations go on meanwhile and a run cut short (kill -9, power) keeps the batches
 * it committed. Every row is an upsert by numero_pratica: importing the same file again
 * completes an interrupted run and otherwise writes the same practices (idempotent).
 * Output as agendactl's: rejected rows on stderr ("riga N scartata: ..."), --json one object
 * with the rejected list, exit 12 when some rows were rejected.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_args.h"
#include "platform/clock.h"
#include "store_admin.h"

/* Rows per transaction: a few milliseconds of writing on either backend. */
#define BATCH_ROWS 1000

struct import {
	const struct central_cli *c;
	central_store *s;
	agenda_day today;
	int64_t now;
	central_questura *questure; /* known codes, read once */
	size_t questura_count;
	int rows_read, rows_imported, rows_rejected;
	json_t *rejected; /* [{line, reason, reason_en}] */
	size_t count;     /* rows in the batch */
	struct practice_row row[BATCH_ROWS];
	int line[BATCH_ROWS];
	bool taken[BATCH_ROWS];
	struct csv_record rec;
	struct csv_reader reader;
};

static void reject(struct import *im, int line, const agenda_detail *d)
{
	im->rows_rejected++;
	fprintf(stderr, msg_get(MSG_CTL_IMPORT_BAD_ROW, im->c->lang), line,
	        im->c->lang == LANG_EN ? d->en : d->it);
	fprintf(stderr, "\n");
	json_array_append_new(im->rejected, json_pack("{s:i, s:s, s:s}", "line", line, "reason",
	                                              d->it, "reason_en", d->en));
}

static bool questura_known(const struct import *im, const char *code)
{
	for (size_t i = 0; i < im->questura_count; i++)
		if (strcmp(im->questure[i].code, code) == 0)
			return true;
	return false;
}

/* Writes the batch in one transaction; a row whose visa is another practice's is rejected. */
static agenda_err write_batch(struct import *im, agenda_detail *why)
{
	size_t written = 0;
	agenda_err err;

	if (im->count == 0)
		return AG_OK;
	err = central_store_upsert_practices(im->s, im->row, im->count, im->now, im->taken,
	                                     &written, why);
	if (err != AG_OK)
		return err;
	im->rows_imported += (int)written;
	for (size_t i = 0; i < im->count; i++) {
		if (im->taken[i]) {
			agenda_detail d;

			agenda_detail_set(&d, MSG_IMPORT_VISTO_TAKEN, im->row[i].numero_visto);
			reject(im, im->line[i], &d);
		}
	}
	im->count = 0;
	return AG_OK;
}

/* Reads every record after the header, writing a batch whenever one is full. */
static agenda_err import_rows(struct import *im, agenda_detail *why)
{
	agenda_err err = AG_OK;

	for (;;) {
		enum csv_status cs = csv_next(&im->reader, &im->rec);
		agenda_detail row_why;

		if (cs == CSV_END)
			break;
		if (cs == CSV_READ_ERROR) {
			agenda_detail_set(why, MSG_IMPORT_READ_FAILED);
			return AG_ERR_IO;
		}
		im->rows_read++;
		agenda_detail_clear(&row_why);
		if (cs != CSV_RECORD) {
			practice_csv_problem(cs, &im->rec, &row_why);
			reject(im, im->rec.first_line, &row_why);
			continue;
		}
		if (practice_row_parse(&im->rec, im->today, &im->row[im->count], &row_why) !=
		    AG_OK) {
			reject(im, im->rec.first_line, &row_why);
			continue;
		}
		if (!questura_known(im, im->row[im->count].questura)) {
			agenda_detail_set(&row_why, MSG_CENTRAL_IMPORT_UNKNOWN_QUESTURA,
			                  im->row[im->count].questura);
			reject(im, im->rec.first_line, &row_why);
			continue;
		}
		im->line[im->count++] = im->rec.first_line;
		if (im->count == BATCH_ROWS && (err = write_batch(im, why)) != AG_OK)
			return err;
	}
	return write_batch(im, why);
}

static agenda_err run_import(struct import *im, FILE *in, agenda_detail *why)
{
	agenda_err err =
	        central_store_list_questure(im->s, &im->questure, &im->questura_count, why);
	enum csv_status cs;

	if (err != AG_OK)
		return err;
	csv_reader_init(&im->reader, csv_read_file, in, 0);
	cs = csv_next(&im->reader, &im->rec);
	if (cs == CSV_READ_ERROR) {
		agenda_detail_set(why, MSG_IMPORT_READ_FAILED);
		return AG_ERR_IO;
	}
	if (cs != CSV_RECORD || !practice_csv_header_ok(&im->rec)) {
		agenda_detail_set(why, MSG_IMPORT_BAD_HEADER);
		return AG_ERR_INVALID;
	}
	return import_rows(im, why);
}

/* Rows refused by the store (a taken visa) are known only after their batch: by line again. */
static int by_line(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "line"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "line"));

	return (x > y) - (x < y);
}

static void sort_rejected(struct import *im)
{
	size_t n = json_array_size(im->rejected);
	json_t **items = n ? malloc(n * sizeof *items) : NULL;

	if (!items)
		return;
	for (size_t i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(im->rejected, i));
	qsort(items, n, sizeof *items, by_line);
	json_array_clear(im->rejected);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(im->rejected, items[i]);
	free(items);
}

static int report(struct import *im, const char *path)
{
	int status = im->rows_rejected > 0 ? CENTRAL_EXIT_PARTIAL : CENTRAL_EXIT_OK;
	agenda_detail partial;

	agenda_detail_set(&partial, MSG_CTL_IMPORT_PARTIAL, im->rows_imported, im->rows_rejected);
	if (im->c->json) {
		sort_rejected(im);
		json_t *obj =
		        json_pack("{s:s, s:i, s:i, s:i, s:O}", "file", path, "rows_read",
		                  im->rows_read, "rows_imported", im->rows_imported,
		                  "rows_rejected", im->rows_rejected, "rejected", im->rejected);

		if (status == CENTRAL_EXIT_PARTIAL) {
			json_object_set_new(obj, "error", json_string("partial"));
			json_object_set_new(obj, "message", json_string(partial.it));
			json_object_set_new(obj, "message_en", json_string(partial.en));
			json_object_set_new(obj, "exit", json_integer(status));
		}
		central_emit(obj);
	} else {
		printf(msg_get(MSG_CTL_IMPORT_DONE, im->c->lang), im->rows_read, im->rows_imported,
		       im->rows_rejected);
		printf("\n");
	}
	if (status == CENTRAL_EXIT_PARTIAL)
		fprintf(stderr, "agenda-central: %s\n",
		        im->c->lang == LANG_EN ? partial.en : partial.it);
	return status;
}

int central_practice_import(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0}, {"--file", true, 1, {0}, 0}};
	struct import *im = NULL;
	int64_t seconds = 0;
	agenda_clock clock;
	agenda_detail why;
	FILE *in = NULL;
	int status = central_args_parse(c, argc, argv, o, 2);

	if (status != CENTRAL_EXIT_OK)
		return status;
	if (clock_from_env(&clock, &seconds) != AG_OK)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_ARG, CLOCK_ENV);
	in = fopen(central_opt(&o[1]), "r");
	if (!in)
		return central_fail_msg(c, errno == ENOENT ? AG_ERR_NOT_FOUND : AG_ERR_IO,
		                        MSG_CENTRAL_READ_FAILED, central_opt(&o[1]),
		                        strerror(errno));
	im = calloc(1, sizeof *im); /* the reader's window and the batch: on the heap */
	if (!im) {
		fclose(in);
		return central_fail_msg(c, AG_ERR_NOMEM, MSG_NOMEM);
	}
	im->c = c;
	im->now = clock_now(&clock);
	clock_local(im->now, &im->today, NULL);
	im->rejected = json_array();
	status = central_open_store(c, central_opt(&o[0]), &im->s);
	if (status == CENTRAL_EXIT_OK) {
		agenda_err err = run_import(im, in, &why);

		status = err == AG_OK ? report(im, central_opt(&o[1])) : central_fail(c, err, &why);
	}
	/* Batches already committed stay: say so, and how to finish. */
	if (status != CENTRAL_EXIT_OK && status != CENTRAL_EXIT_PARTIAL && im->rows_imported > 0) {
		fprintf(stderr, msg_get(MSG_IMPORT_STOPPED, c->lang), im->rec.first_line,
		        im->rows_imported);
		fprintf(stderr, "\n");
	}
	central_store_close(im->s);
	fclose(in);
	json_decref(im->rejected);
	free(im->questure);
	free(im);
	return status;
}
