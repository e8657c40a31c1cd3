/*
 * central_applied.c — exactly once by entry id, in bulk: the outcomes already stored for a
 * request's entries are read in one statement (a round of 500 entries would otherwise ask 500
 * times), and the entries applied in the round are recorded with multi-row INSERTs at its end,
 * in the same transaction. Outcomes are final: a repeated entry gets the ack or the conflict it
 * got the first time.
 */
#include <stdlib.h>
#include <string.h>

#include "central_sync_internal.h"
#include "core/messages.h"
#include "store_sync.h"

#define RECORD_ROWS 100 /* journal_applied rows per INSERT: 800 parameters */

struct keyed {
	const char *entry_id;
	size_t row;
};

struct central_applied {
	struct central_rows rows; /* entry_id, outcome, reason, action */
	struct keyed *index;      /* sorted by entry_id, bytewise */
};

static int by_entry(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->entry_id, ((const struct keyed *)b)->entry_id);
}

static agenda_err nomem(agenda_detail *why)
{
	agenda_detail_set(why, MSG_NOMEM);
	return AG_ERR_NOMEM;
}

agenda_err central_applied_load(struct central_round *r, const struct sync_request *req,
                                struct central_applied **out, agenda_detail *why)
{
	static const char head[] =
	        "SELECT entry_id, outcome, reason, action FROM journal_applied WHERE entry_id IN (";
	size_t n = req->n_entries, size = sizeof head + n * 10 + 2, used;
	struct central_applied *a = calloc(1, sizeof *a);
	const char **params = calloc(n ? n : 1, sizeof *params);
	char *sql = malloc(size);
	agenda_err err = AG_OK;

	*out = NULL;
	if (!a || !params || !sql) {
		free(a);
		free(params);
		free(sql);
		return nomem(why);
	}
	used = (size_t)snprintf(sql, size, "%s", head);
	for (size_t i = 0; i < n; i++) {
		params[i] = req->entries[i].entry_id;
		used += (size_t)snprintf(sql + used, size - used, "%s$%zu", i ? ", " : "", i + 1);
	}
	snprintf(sql + used, size - used, ")");
	if (n > 0)
		err = central_sync_query(r->s, sql, n, params, &a->rows, NULL, why);
	free(params);
	free(sql);
	if (err == AG_OK &&
	    !(a->index = malloc((a->rows.n_rows ? a->rows.n_rows : 1) * sizeof *a->index)))
		err = nomem(why);
	if (err != AG_OK) {
		central_applied_free(a);
		return err;
	}
	for (size_t i = 0; i < a->rows.n_rows; i++) {
		a->index[i].entry_id = central_rows_text(&a->rows, i, 0);
		a->index[i].row = i;
	}
	qsort(a->index, a->rows.n_rows, sizeof *a->index, by_entry);
	*out = a;
	return AG_OK;
}

bool central_applied_find(const struct central_applied *a, const char *entry_id,
                          struct central_outcome *out)
{
	struct keyed key = {entry_id, 0};
	const struct keyed *hit =
	        bsearch(&key, a->index, a->rows.n_rows, sizeof *a->index, by_entry);

	memset(out, 0, sizeof *out);
	if (!hit)
		return false;
	if (strcmp(central_rows_text(&a->rows, hit->row, 1), "conflict") == 0) {
		out->conflict = true;
		snprintf(out->reason, sizeof out->reason, "%s",
		         central_rows_text(&a->rows, hit->row, 2));
		out->action = strcmp(central_rows_text(&a->rows, hit->row, 3), "cancel_copy") == 0
		                      ? SYNC_ACTION_CANCEL_COPY
		                      : SYNC_ACTION_WORKLIST;
	}
	return true;
}

void central_applied_free(struct central_applied *a)
{
	if (!a)
		return;
	central_rows_free(&a->rows);
	free(a->index);
	free(a);
}

/* One INSERT of entries[0..n) (n <= RECORD_ROWS). */
static agenda_err record_some(struct central_round *r, const struct sync_entry *const *entries,
                              const struct central_outcome *outcomes, size_t n, agenda_detail *why)
{
	char seqs[RECORD_ROWS][24], at[24], *sql;
	const char **params = calloc(n * 6 + 2, sizeof *params);
	size_t size = 160 + n * 120, used;
	agenda_err err;

	if (!params || !(sql = malloc(size))) {
		free(params);
		return nomem(why);
	}
	I64(at, r->now);
	params[0] = r->device;
	params[1] = at;
	used = (size_t)snprintf(sql, size,
	                        "INSERT INTO journal_applied(entry_id, device, seq, kind, outcome,"
	                        " reason, action, applied_at) VALUES");
	for (size_t i = 0; i < n; i++) {
		const struct central_outcome *o = &outcomes[i];
		size_t p = 2 + 6 * i;

		I64(seqs[i], entries[i]->seq);
		params[p] = entries[i]->entry_id;
		params[p + 1] = seqs[i];
		params[p + 2] = entries[i]->kind;
		params[p + 3] = o->conflict ? "conflict" : "ack";
		params[p + 4] = o->conflict ? o->reason : NULL;
		params[p + 5] = o->conflict ? sync_action_name(o->action) : NULL;
		used += (size_t)snprintf(
		        sql + used, size - used,
		        "%s($%zu, $1, CAST($%zu AS bigint), $%zu, $%zu, $%zu, $%zu,"
		        " CAST($2 AS bigint))",
		        i ? ", " : " ", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6);
	}
	err = central_sync_query(r->s, sql, 2 + 6 * n, params, NULL, NULL, why);
	free(params);
	free(sql);
	return err;
}

agenda_err central_applied_record(struct central_round *r, const struct sync_entry *const *entries,
                                  const struct central_outcome *outcomes, size_t n,
                                  agenda_detail *why)
{
	agenda_err err = AG_OK;

	for (size_t i = 0; err == AG_OK && i < n; i += RECORD_ROWS)
		err = record_some(r, entries + i, outcomes + i,
		                  n - i < RECORD_ROWS ? n - i : RECORD_ROWS, why);
	return err;
}
