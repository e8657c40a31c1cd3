/*
 * store_sync.c — the backend-independent half of store_sync.h: rows as text and the calls that
 * reach the store's sync ops.
 */
#include "store_sync.h"

#include <stdlib.h>

void central_rows_free(struct central_rows *rows)
{
	if (!rows)
		return;
	for (size_t i = 0; rows->cells && i < rows->n_rows * rows->n_cols; i++)
		free(rows->cells[i]);
	free(rows->cells);
	rows->cells = NULL;
	rows->n_rows = rows->n_cols = 0;
}

const char *central_rows_text(const struct central_rows *rows, size_t row, size_t col)
{
	const char *cell = rows->cells[row * rows->n_cols + col];

	return cell ? cell : "";
}

int64_t central_rows_int(const struct central_rows *rows, size_t row, size_t col)
{
	return strtoll(central_rows_text(rows, row, col), NULL, 10);
}

int central_rows_null(const struct central_rows *rows, size_t row, size_t col)
{
	return rows->cells[row * rows->n_cols + col] == NULL;
}

agenda_err central_sync_query(central_store *s, const char *sql, size_t n,
                              const char *const *params, struct central_rows *rows,
                              int64_t *changed, agenda_detail *why)
{
	return s->ops->sync->query(s, sql, n, params, rows, changed, why);
}

agenda_err central_sync_lock_changes(central_store *s, agenda_detail *why)
{
	return s->ops->sync->lock_changes(s, why);
}
