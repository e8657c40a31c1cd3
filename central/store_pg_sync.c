/*
 * store_pg_sync.c — the sync tables' one statement runner on PostgreSQL (store_sync.h): text
 * parameters whose types the server infers from their use, rows copied out as text, and the
 * transaction-scoped advisory lock that every writer of `change` takes first, so that change
 * seqs become visible in the order they were given (a device never reads seq 10 while 9 is still
 * uncommitted, then moves its cursor past 9 for good).
 */
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "store_pg_internal.h"
#include "store_sync.h"

/* Any fixed number, not the schema's: ASCII "AGCHANGE". */
#define CHANGE_LOCK_KEY "4702436572414757"

static agenda_err pg_query(central_store *s, const char *sql, size_t n, const char *const *params,
                           struct central_rows *rows, int64_t *changed, agenda_detail *why)
{
	PGresult *r = PQexecParams(central_pg_conn(s), sql, (int)n, NULL, params, NULL, NULL, 0);
	ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;

	if (rows)
		memset(rows, 0, sizeof *rows);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		return central_pg_fail(s, r, why);
	if (changed) {
		const char *tuples = PQcmdTuples(r);

		*changed = tuples[0] ? strtoll(tuples, NULL, 10) : 0;
	}
	if (rows && status == PGRES_TUPLES_OK) {
		size_t nr = (size_t)PQntuples(r), nc = (size_t)PQnfields(r);

		rows->n_cols = nc;
		if (nr * nc > 0 && !(rows->cells = calloc(nr * nc, sizeof *rows->cells))) {
			PQclear(r);
			agenda_detail_set(why, MSG_NOMEM);
			return AG_ERR_NOMEM;
		}
		rows->n_rows = nr;
		for (size_t i = 0; i < nr; i++)
			for (size_t c = 0; c < nc; c++) {
				if (PQgetisnull(r, (int)i, (int)c))
					continue;
				rows->cells[i * nc + c] = strdup(PQgetvalue(r, (int)i, (int)c));
				if (!rows->cells[i * nc + c]) {
					PQclear(r);
					central_rows_free(rows);
					agenda_detail_set(why, MSG_NOMEM);
					return AG_ERR_NOMEM;
				}
			}
	}
	PQclear(r);
	return AG_OK;
}

static agenda_err pg_lock_changes(central_store *s, agenda_detail *why)
{
	return central_pg_run(s, "SELECT pg_advisory_xact_lock(" CHANGE_LOCK_KEY ")", 0, NULL,
	                      PGRES_TUPLES_OK, NULL, why);
}

const central_sync_ops central_pg_sync_ops = {
        .query = pg_query,
        .lock_changes = pg_lock_changes,
};
