/*
 * store_sqlite_sync.c — the sync tables' one statement runner on SQLite (store_sync.h): `$N`
 * parameters bound by name, a canonical decimal integer bound as an integer (so `day = $1` and
 * `lease_end + $2 < $1` compare numbers, as on PostgreSQL), every other value as text; rows
 * copied out as text. The change log needs no lock of its own here: BEGIN IMMEDIATE already
 * makes one writer at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "store_sqlite_internal.h"
#include "store_sync.h"

/* "0", "42", "-7": no sign other than '-', no leading zero, fits in 64 bits. */
static bool canonical_integer(const char *text, sqlite3_int64 *value)
{
	const char *digits = text[0] == '-' ? text + 1 : text;
	char *end;

	if (digits[0] < '0' || digits[0] > '9' || (digits[0] == '0' && digits[1] != '\0') ||
	    (text[0] == '-' && digits[0] == '0'))
		return false;
	for (const char *p = digits; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	errno = 0;
	*value = strtoll(text, &end, 10);
	return errno == 0 && *end == '\0';
}

static agenda_err bind_all(sqlite3_stmt *st, size_t n, const char *const *params)
{
	for (size_t i = 0; i < n; i++) {
		char name[24];
		sqlite3_int64 value;
		int index, rc;

		snprintf(name, sizeof name, "$%zu", i + 1);
		index = sqlite3_bind_parameter_index(st, name);
		if (index == 0)
			continue; /* a parameter this statement does not use */
		if (!params[i])
			rc = sqlite3_bind_null(st, index);
		else if (canonical_integer(params[i], &value))
			rc = sqlite3_bind_int64(st, index, value);
		else
			rc = sqlite3_bind_text(st, index, params[i], -1, SQLITE_STATIC);
		if (rc != SQLITE_OK)
			return AG_ERR_STORE;
	}
	return AG_OK;
}

/* Appends the current row to rows (growing cells by doubling). */
static bool keep_row(sqlite3_stmt *st, struct central_rows *rows, size_t *room)
{
	size_t cols = rows->n_cols, need = (rows->n_rows + 1) * cols;

	if (need > *room) {
		size_t bigger = *room ? *room * 2 : 64 * (cols ? cols : 1);
		char **cells;

		while (bigger < need)
			bigger *= 2;
		cells = realloc(rows->cells, bigger * sizeof *cells);
		if (!cells)
			return false;
		rows->cells = cells;
		*room = bigger;
	}
	for (size_t c = 0; c < cols; c++) {
		const unsigned char *text = sqlite3_column_text(st, (int)c);
		char **cell = &rows->cells[rows->n_rows * cols + c];

		*cell = NULL;
		if (text && !(*cell = strdup((const char *)text))) {
			for (size_t k = 0; k < c; k++)
				free(rows->cells[rows->n_rows * cols + k]);
			return false;
		}
	}
	rows->n_rows++;
	return true;
}

static agenda_err sqlite_query(central_store *s, const char *sql, size_t n,
                               const char *const *params, struct central_rows *rows,
                               int64_t *changed, agenda_detail *why)
{
	sqlite3_stmt *st;
	size_t room = 0;
	int rc;
	agenda_err err = central_sqlite_prepare(s, sql, &st, why);

	if (rows)
		memset(rows, 0, sizeof *rows);
	if (err != AG_OK)
		return err;
	if (bind_all(st, n, params) != AG_OK) {
		rc = sqlite3_errcode(central_sqlite_db(s));
		sqlite3_finalize(st);
		return central_sqlite_fail(s, rc ? rc : SQLITE_ERROR, why);
	}
	if (rows)
		rows->n_cols = (size_t)sqlite3_column_count(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rows && !keep_row(st, rows, &room)) {
			sqlite3_finalize(st);
			central_rows_free(rows);
			agenda_detail_set(why, MSG_NOMEM);
			return AG_ERR_NOMEM;
		}
	}
	sqlite3_finalize(st);
	if (changed)
		*changed = sqlite3_changes(central_sqlite_db(s));
	err = central_sqlite_fail(s, rc, why);
	if (err != AG_OK && rows)
		central_rows_free(rows);
	return err;
}

static agenda_err sqlite_lock_changes(central_store *s, agenda_detail *why)
{
	(void)s;
	(void)why;
	return AG_OK;
}

const central_sync_ops central_sqlite_sync_ops = {
        .query = sqlite_query,
        .lock_changes = sqlite_lock_changes,
};
