/*
 * store_sync.h — the sync tables' seam (migration 4): grants, the change log, central's copy of
 * the devices' appointments, applied journal entries and each device's sync state.
 *
 * The round's rules are many and must mean the same on both backends, so they are written once
 * (central_sync.c, central_changes.c, central_digest.c) in the SQL both dialects share, and each
 * backend only runs a statement: `query` takes `$1`, `$2`… parameters as text (SQLite binds a
 * canonical decimal integer as an integer so comparisons and arithmetic keep their meaning;
 * PostgreSQL infers each type from its use, CAST where it cannot) and gives the rows back as text.
 * `lock_changes` is what makes change seqs appear in order on PostgreSQL: every transaction that
 * writes to `change` takes one transaction-scoped advisory lock first (SQLite's BEGIN IMMEDIATE
 * already serialises writers). Every call runs inside the caller's transaction.
 */
#ifndef AGENDA_CENTRAL_STORE_SYNC_H
#define AGENDA_CENTRAL_STORE_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Rows as text, row-major; a cell is NULL for SQL NULL. Free with central_rows_free. */
struct central_rows {
	size_t n_rows, n_cols;
	char **cells;
};

void central_rows_free(struct central_rows *rows);
/* Cell (row, col): text, "" for NULL; as an integer, 0 for NULL. */
const char *central_rows_text(const struct central_rows *rows, size_t row, size_t col);
int64_t central_rows_int(const struct central_rows *rows, size_t row, size_t col);
/* True when the cell is SQL NULL. */
int central_rows_null(const struct central_rows *rows, size_t row, size_t col);

typedef struct central_sync_ops {
	/* Runs sql with params[0..n) as $1..$n (NULL: SQL NULL). rows (may be NULL) gets what it
	 * returns; *changed (may be NULL) the rows it inserted, updated or deleted. */
	agenda_err (*query)(central_store *s, const char *sql, size_t n, const char *const *params,
	                    struct central_rows *rows, int64_t *changed, agenda_detail *why);
	/* Serialises writers of `change` until the transaction ends (no-op on SQLite). */
	agenda_err (*lock_changes)(central_store *s, agenda_detail *why);
} central_sync_ops;

extern const central_sync_ops central_sqlite_sync_ops;
extern const central_sync_ops central_pg_sync_ops;

/* The store's ops (s->ops->sync), for the files that hold the rules. */
agenda_err central_sync_query(central_store *s, const char *sql, size_t n,
                              const char *const *params, struct central_rows *rows,
                              int64_t *changed, agenda_detail *why);
agenda_err central_sync_lock_changes(central_store *s, agenda_detail *why);

#endif
