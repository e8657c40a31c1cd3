/*
 * central_change_practice.c — the practice changes of an import batch, set-based: the batch's
 * practices are read once before the upsert and once after (one statement each), compared in
 * memory, and those inserted or changed become change rows in a few multi-row INSERTs. A 50,000
 * row import stays a few statements per batch of 1,000, as it was before the change log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_change_admin.h"
#include "central_sync_internal.h"
#include "core/messages.h"
#include "store_sync.h"
#include "sync/protocol_change.h"

#define PRACTICE_SELECT                                                                            \
	"SELECT numero_pratica, numero_visto, cognome, nome, data_nascita, nazionalita, tipo,"     \
	" questura, status FROM practice WHERE numero_pratica IN ("
#define PRACTICE_FIELDS 9
#define INSERT_ROWS     500 /* change rows per INSERT: 1,500 parameters */

static agenda_err nomem(agenda_detail *why)
{
	agenda_detail_set(why, MSG_NOMEM);
	return AG_ERR_NOMEM;
}

agenda_err central_practices_read(central_store *s, const struct practice_row *rows, size_t n,
                                  struct central_rows *out, agenda_detail *why)
{
	size_t size = sizeof PRACTICE_SELECT + n * 10 + 2;
	const char **params = calloc(n ? n : 1, sizeof *params);
	char *sql = malloc(size);
	size_t used;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if (!params || !sql) {
		free(params);
		free(sql);
		return nomem(why);
	}
	used = (size_t)snprintf(sql, size, "%s", PRACTICE_SELECT);
	for (size_t i = 0; i < n; i++) {
		params[i] = rows[i].numero_pratica;
		used += (size_t)snprintf(sql + used, size - used, "%s$%zu", i ? ", " : "", i + 1);
	}
	snprintf(sql + used, size - used, ")");
	err = n ? central_sync_query(s, sql, n, params, out, NULL, why) : AG_OK;
	free(params);
	free(sql);
	return err;
}

/* A row of a read by its numero_pratica, for sorting and searching bytewise. */
struct keyed {
	const char *numero;
	size_t row;
};

static int by_numero(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->numero, ((const struct keyed *)b)->numero);
}

static struct keyed *sorted_index(const struct central_rows *rows)
{
	struct keyed *index = malloc((rows->n_rows ? rows->n_rows : 1) * sizeof *index);

	if (!index)
		return NULL;
	for (size_t i = 0; i < rows->n_rows; i++) {
		index[i].numero = central_rows_text(rows, i, 0);
		index[i].row = i;
	}
	qsort(index, rows->n_rows, sizeof *index, by_numero);
	return index;
}

/* True when before has a row with after's row r, field for field. */
static bool unchanged(const struct central_rows *before, const struct keyed *index,
                      const struct central_rows *after, size_t r)
{
	struct keyed key = {central_rows_text(after, r, 0), 0};
	const struct keyed *found = bsearch(&key, index, before->n_rows, sizeof *index, by_numero);

	for (size_t c = 1; found && c < PRACTICE_FIELDS; c++)
		if (strcmp(central_rows_text(before, found->row, c),
		           central_rows_text(after, r, c)))
			return false;
	return found != NULL;
}

/* The practice change of row r as its body text (malloc'd). */
static char *practice_body(const struct central_rows *rows, size_t r)
{
	struct sync_change c;
	struct sync_practice *p = &c.u.practice;
	json_t *o;
	char *body;

	memset(&c, 0, sizeof c);
	c.type = SYNC_CHANGE_PRACTICE;
	snprintf(p->numero_pratica, sizeof p->numero_pratica, "%s", central_rows_text(rows, r, 0));
	snprintf(p->numero_visto, sizeof p->numero_visto, "%s", central_rows_text(rows, r, 1));
	snprintf(p->cognome, sizeof p->cognome, "%s", central_rows_text(rows, r, 2));
	snprintf(p->nome, sizeof p->nome, "%s", central_rows_text(rows, r, 3));
	date_format((agenda_day)central_rows_int(rows, r, 4), p->data_nascita,
	            sizeof p->data_nascita);
	snprintf(p->nazionalita, sizeof p->nazionalita, "%s", central_rows_text(rows, r, 5));
	snprintf(p->tipo, sizeof p->tipo, "%s", central_rows_text(rows, r, 6));
	snprintf(p->questura, sizeof p->questura, "%s", central_rows_text(rows, r, 7));
	snprintf(p->status, sizeof p->status, "%s", central_rows_text(rows, r, 8));
	if (!(o = sync_change_json(&c)))
		return NULL;
	json_object_del(o, "seq");
	body = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return body;
}

/* One multi-row INSERT of the changes of after's rows picked[0..n). */
static agenda_err insert_changes(central_store *s, const struct central_rows *after,
                                 const size_t *picked, size_t n, const char *created,
                                 agenda_detail *why)
{
	size_t size = 128 + n * 64, used;
	char *sql = malloc(size), **bodies = calloc(n, sizeof *bodies);
	const char **params = calloc(n * 2 + 1, sizeof *params);
	agenda_err err = AG_OK;

	if (!sql || !bodies || !params)
		err = nomem(why);
	used = sql ? (size_t)snprintf(sql, size,
	                              "INSERT INTO change(type, device, questura, site, body,"
	                              " created_at) VALUES")
	           : 0;
	for (size_t i = 0; err == AG_OK && i < n; i++) {
		if (!(bodies[i] = practice_body(after, picked[i]))) {
			err = nomem(why);
			break;
		}
		params[2 * i] = central_rows_text(after, picked[i], 7);
		params[2 * i + 1] = bodies[i];
		used += (size_t)snprintf(
		        sql + used, size - used,
		        "%s('practice', NULL, $%zu, NULL, $%zu, CAST($%zu AS bigint))",
		        i ? ", " : " ", 2 * i + 1, 2 * i + 2, 2 * n + 1);
	}
	if (err == AG_OK) {
		params[2 * n] = created;
		err = central_sync_query(s, sql, 2 * n + 1, params, NULL, NULL, why);
	}
	for (size_t i = 0; bodies && i < n; i++)
		free(bodies[i]);
	free(bodies);
	free(params);
	free(sql);
	return err;
}

agenda_err central_changes_practices(central_store *s, const struct central_rows *before,
                                     const struct central_rows *after, int64_t now,
                                     agenda_detail *why)
{
	struct keyed *index = sorted_index(before);
	size_t *picked = NULL, n = 0;
	char created[24];
	agenda_err err = AG_OK;

	if (!index || !(picked = malloc((after->n_rows ? after->n_rows : 1) * sizeof *picked))) {
		free(index);
		return nomem(why);
	}
	I64(created, now);
	for (size_t r = 0; r < after->n_rows; r++)
		if (!unchanged(before, index, after, r))
			picked[n++] = r;
	if (n > 0)
		err = central_sync_lock_changes(s, why);
	for (size_t i = 0; err == AG_OK && i < n; i += INSERT_ROWS)
		err = insert_changes(s, after, picked + i,
		                     n - i < INSERT_ROWS ? n - i : INSERT_ROWS, created, why);
	free(index);
	free(picked);
	return err;
}
