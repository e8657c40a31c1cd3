/*
 * practice_import.c — importing nulla-osta records from the CSV the SPI system exports.
 *
 * The whole file is read, the header checked, then every row is parsed and validated on its
 * own: a bad row is reported with its line number and skipped, the good ones are upserted in
 * one transaction with one audit record for the batch. Nothing is ever cut to fit: a field that
 * is too long, not UTF-8 or holds control characters refuses its row. Format: docs/FORMATS.md.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/messages.h"
#include "core/text.h"
#include "services/audit.h"
#include "services/practices.h"

#define IMPORT_MAX_BYTES (256u * 1024 * 1024)

enum column {
	COL_PRATICA,
	COL_VISTO,
	COL_COGNOME,
	COL_NOME,
	COL_NASCITA,
	COL_NAZIONALITA,
	COL_TIPO,
	COL_QUESTURA,
	COLUMN_COUNT
};

static const char *const HEADER[COLUMN_COUNT] = {"numero_pratica", "numero_visto", "cognome",
                                                 "nome",           "data_nascita", "nazionalita",
                                                 "tipo",           "questura"};

static bool header_matches(const struct csv_record *rec)
{
	if (rec->count != COLUMN_COUNT)
		return false;
	for (int i = 0; i < COLUMN_COUNT; i++) {
		char name[CSV_FIELD_MAX];

		if (!text_trim_copy(rec->field[i], name, sizeof name) ||
		    strcasecmp(name, HEADER[i]) != 0)
			return false;
	}
	return true;
}

/* A free-text field: trimmed, non-empty, valid UTF-8, no control characters, fits. */
static agenda_err text_field(const char *in, const char *column, char *out, size_t size,
                             agenda_detail *why)
{
	if (!text_is_utf8(in, strlen(in))) {
		agenda_detail_set(why, MSG_IMPORT_NOT_UTF8, column);
		return AG_ERR_INVALID;
	}
	if (text_has_control(in)) {
		agenda_detail_set(why, MSG_IMPORT_CONTROL, column);
		return AG_ERR_INVALID;
	}
	if (!text_trim_copy(in, out, size)) {
		agenda_detail_set(why, MSG_IMPORT_TOO_LONG, column, (int)size - 1);
		return AG_ERR_INVALID;
	}
	if (!out[0]) {
		agenda_detail_set(why, MSG_IMPORT_EMPTY, column);
		return AG_ERR_INVALID;
	}
	return AG_OK;
}

static bool questura_exists(agenda_ctx *ctx, const char *code)
{
	static const char SQL[] = "SELECT 1 FROM questura WHERE code = ?";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, NULL);
	bool found;

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}

static agenda_err parse_row(agenda_ctx *ctx, const struct csv_record *rec, agenda_day today,
                            struct practice *p, agenda_detail *why)
{
	char tmp[CSV_FIELD_MAX];
	enum number_part part;
	agenda_err err;

	memset(p, 0, sizeof *p);
	if (rec->count != COLUMN_COUNT) {
		agenda_detail_set(why, MSG_IMPORT_COLUMNS, rec->count, COLUMN_COUNT);
		return AG_ERR_INVALID;
	}
	if ((err = numero_pratica_normalise(rec->field[COL_PRATICA], p->numero_pratica, &part,
	                                    why)))
		return err;
	if (text_trim_copy(rec->field[COL_VISTO], tmp, sizeof tmp) && tmp[0] &&
	    (err = numero_visto_normalise(tmp, p->numero_visto, &part, why)))
		return err;
	if ((err = text_field(rec->field[COL_COGNOME], "cognome", p->cognome, sizeof p->cognome,
	                      why)) ||
	    (err = text_field(rec->field[COL_NOME], "nome", p->nome, sizeof p->nome, why)) ||
	    (err = text_field(rec->field[COL_NASCITA], "data_nascita", tmp, sizeof tmp, why)) ||
	    (err = text_field(rec->field[COL_NAZIONALITA], "nazionalita", p->nazionalita,
	                      sizeof p->nazionalita, why)) ||
	    (err = text_field(rec->field[COL_TIPO], "tipo", p->tipo, sizeof p->tipo, why)))
		return err;
	if (!date_parse(tmp, &p->data_nascita) || p->data_nascita > today) {
		agenda_detail_set(why, MSG_IMPORT_BAD_DATE, tmp);
		return AG_ERR_INVALID;
	}
	if ((err = text_field(rec->field[COL_QUESTURA], "questura", p->questura, sizeof p->questura,
	                      why)))
		return err;
	for (char *c = p->questura; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	if (!questura_exists(ctx, p->questura)) {
		agenda_detail_set(why, MSG_IMPORT_UNKNOWN_QUESTURA, p->questura);
		return AG_ERR_NOT_FOUND;
	}
	return AG_OK;
}

static agenda_err read_all(FILE *in, char **data, size_t *len, agenda_detail *why)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		goto nomem;
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, in);

		n += got;
		if (n < cap)
			break;
		if (cap >= IMPORT_MAX_BYTES) {
			free(buf);
			agenda_detail_set(why, MSG_IMPORT_FILE_TOO_BIG, IMPORT_MAX_BYTES >> 20);
			return AG_ERR_INVALID;
		}
		char *bigger = realloc(buf, cap * 2);

		if (!bigger)
			goto nomem;
		buf = bigger;
		cap *= 2;
	}
	if (ferror(in)) {
		free(buf);
		agenda_detail_set(why, MSG_IMPORT_READ_FAILED);
		return AG_ERR_IO;
	}
	*data = buf;
	*len = n;
	return AG_OK;
nomem:
	free(buf);
	agenda_detail_set(why, MSG_NOMEM);
	return AG_ERR_NOMEM;
}

static void report_bad(import_bad_row_fn bad_row, void *arg, int line, const agenda_detail *d)
{
	if (bad_row)
		bad_row(arg, line, d->it, d->en);
}

agenda_err practice_import_csv(agenda_ctx *ctx, const char *actor, FILE *in,
                               import_bad_row_fn bad_row, void *arg, struct import_report *report,
                               agenda_detail *why)
{
	struct csv_record *rec = malloc(sizeof *rec);
	struct csv_cursor cur;
	struct practice p;
	agenda_day today = agenda_today(ctx, NULL);
	char *data = NULL, summary[64];
	size_t len = 0;
	agenda_err err;
	enum csv_status cs;

	memset(report, 0, sizeof *report);
	if (!rec) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	if ((err = read_all(in, &data, &len, why)) != AG_OK)
		goto done;
	csv_cursor_init(&cur, data, len, csv_guess_separator(data, len));
	if (csv_next(&cur, rec) != CSV_RECORD || !header_matches(rec)) {
		agenda_detail_set(why, MSG_IMPORT_BAD_HEADER);
		err = AG_ERR_INVALID;
		goto done;
	}
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		goto done;
	while ((cs = csv_next(&cur, rec)) != CSV_END) {
		agenda_detail row_why;
		int line = cs == CSV_RECORD ? rec->first_line : cur.line - 1;

		report->rows_read++;
		agenda_detail_clear(&row_why);
		if (cs != CSV_RECORD) {
			agenda_detail_set(&row_why,
			                  cs == CSV_TOO_LONG ? MSG_IMPORT_FIELD_TOO_LONG
			                                     : MSG_IMPORT_BAD_QUOTING,
			                  CSV_FIELD_MAX - 1);
			err = AG_ERR_INVALID;
		} else {
			err = parse_row(ctx, rec, today, &p, &row_why);
			if (err == AG_OK)
				err = practice_upsert(ctx, &p, &row_why);
		}
		if (err == AG_ERR_DISK_FULL || err == AG_ERR_IO || err == AG_ERR_STORE ||
		    err == AG_ERR_NOMEM) {
			*why = row_why;
			store_rollback(ctx->store);
			report->rows_imported = 0;
			goto done;
		}
		if (err != AG_OK) {
			report->rows_rejected++;
			report_bad(bad_row, arg, line, &row_why);
			continue;
		}
		report->rows_imported++;
	}
	snprintf(summary, sizeof summary, "imported=%d rejected=%d", report->rows_imported,
	         report->rows_rejected);
	err = audit_append(ctx, actor, "practice_import", "csv", summary, why);
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
	else
		store_rollback(ctx->store);
	if (err != AG_OK)
		report->rows_imported = 0;
done:
	free(data);
	free(rec);
	return err;
}
