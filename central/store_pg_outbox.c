/*
 * store_pg_outbox.c — delivering central's outbox on the PostgreSQL backend (store_outbox.h),
 * the statements of store_sqlite_outbox.c in PostgreSQL's dialect, in the transaction
 * store_outbox.c holds. The guarded UPDATE takes the row's lock, so of two senders marking one
 * message only the first changes it; the BEFORE trigger empties a password's body in that row
 * version (old versions go with vacuum, as for every deleted row).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "store_outbox.h"
#include "store_pg_internal.h"

#define ENTRY_COLUMNS                                                                              \
	"SELECT id, message_id, kind, coalesce(topic, ''), recipient, subject, state, attempts,"   \
	" created_at, next_try, coalesce(sent_at, 0), octet_length(body),"                         \
	" coalesce(attachment_name, ''), coalesce(reply, ''), coalesce(last_error, ''),"           \
	" coalesce(octet_length(attachment), 0), body, attachment FROM outbox "

static int64_t int_at(PGresult *r, int col)
{
	return PQgetisnull(r, 0, col) ? 0 : strtoll(PQgetvalue(r, 0, col), NULL, 10);
}

/* A malloc'd copy of column col, or NULL for SQL NULL; false when out of memory. */
static bool copy_text(PGresult *r, int col, char **out)
{
	*out = PQgetisnull(r, 0, col) ? NULL : strdup(PQgetvalue(r, 0, col));
	return PQgetisnull(r, 0, col) || *out;
}

/* Runs a query for at most one message into *out (texts: body and attachment too). */
static agenda_err one_entry(central_store *s, const char *sql, const char *param,
                            central_outbox_entry *out, bool texts, agenda_detail *why)
{
	central_outbox_item *m = &out->item;
	PGresult *r;
	agenda_err err = central_pg_run(s, sql, 1, &param, PGRES_TUPLES_OK, &r, why);

	if (err != AG_OK)
		return err;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return AG_ERR_NOT_FOUND;
	}
	m->id = int_at(r, 0);
	snprintf(m->message_id, sizeof m->message_id, "%s", PQgetvalue(r, 0, 1));
	snprintf(m->kind, sizeof m->kind, "%s", PQgetvalue(r, 0, 2));
	snprintf(m->topic, sizeof m->topic, "%s", PQgetvalue(r, 0, 3));
	snprintf(m->recipient, sizeof m->recipient, "%s", PQgetvalue(r, 0, 4));
	snprintf(m->subject, sizeof m->subject, "%s", PQgetvalue(r, 0, 5));
	snprintf(m->state, sizeof m->state, "%s", PQgetvalue(r, 0, 6));
	m->attempts = (int)int_at(r, 7);
	m->created_at = int_at(r, 8);
	m->next_try = int_at(r, 9);
	m->sent_at = int_at(r, 10);
	m->body_bytes = (size_t)int_at(r, 11);
	snprintf(out->attachment_name, sizeof out->attachment_name, "%s", PQgetvalue(r, 0, 12));
	snprintf(out->reply, sizeof out->reply, "%s", PQgetvalue(r, 0, 13));
	snprintf(out->last_error, sizeof out->last_error, "%s", PQgetvalue(r, 0, 14));
	out->attachment_bytes = (size_t)int_at(r, 15);
	if (texts && (!copy_text(r, 16, &out->body) || !copy_text(r, 17, &out->attachment))) {
		central_outbox_entry_clear(out);
		err = AG_ERR_NOMEM;
		agenda_detail_set(why, MSG_NOMEM);
	}
	/* the result's copy of a body is in libpq's memory: blank it before it is freed */
	if (texts && !PQgetisnull(r, 0, 16))
		memset(PQgetvalue(r, 0, 16), 0, strlen(PQgetvalue(r, 0, 16)));
	PQclear(r);
	return err;
}

static agenda_err pg_next_due(central_store *s, int64_t now, central_outbox_entry *out,
                              agenda_detail *why)
{
	char when[24];

	snprintf(when, sizeof when, "%" PRId64, now);
	return one_entry(s,
	                 ENTRY_COLUMNS "WHERE state = 'queued' AND next_try <= $1"
	                               " ORDER BY next_try, id LIMIT 1",
	                 when, out, true, why);
}

static agenda_err pg_get(central_store *s, int64_t id, central_outbox_entry *out,
                         agenda_detail *why)
{
	char text[24];

	snprintf(text, sizeof text, "%" PRId64, id);
	return one_entry(s, ENTRY_COLUMNS "WHERE id = $1", text, out, false, why);
}

/* $1 id, $2 a time, $3 the server's reply (only where used: PostgreSQL types every parameter
 * from its use); each guarded by the state it expects. */
static const struct {
	const char *sql;
	int params;
} CHANGE_SQL[] = {
        [OUTBOX_CHANGE_SENT] = {"UPDATE outbox SET state = 'sent', reply = $3, sent_at = $2"
                                " WHERE id = $1 AND state = 'queued'",
                                3},
        [OUTBOX_CHANGE_LATER] = {"UPDATE outbox SET attempts = attempts + 1, reply = $3,"
                                 " last_error = $3, next_try = $2"
                                 " WHERE id = $1 AND state = 'queued'",
                                 3},
        [OUTBOX_CHANGE_GIVE_UP] = {"UPDATE outbox SET attempts = attempts + 1, reply = $2,"
                                   " last_error = $2, state = 'failed'"
                                   " WHERE id = $1 AND state = 'queued'",
                                   2},
        [OUTBOX_CHANGE_RETRY] = {"UPDATE outbox SET state = 'queued', attempts = 0, next_try = $2"
                                 " WHERE id = $1 AND state <> 'sent'",
                                 2},
};

static agenda_err pg_change(central_store *s, enum central_outbox_change c, int64_t id,
                            const char *reply, int64_t when, int *changed, agenda_detail *why)
{
	char id_text[24], when_text[24];
	const char *params[3] = {id_text, when_text, reply};
	PGresult *r;
	agenda_err err;

	snprintf(id_text, sizeof id_text, "%" PRId64, id);
	snprintf(when_text, sizeof when_text, "%" PRId64, when);
	if (c == OUTBOX_CHANGE_GIVE_UP)
		params[1] = reply; /* no time: the reply is $2 */
	err = central_pg_run(s, CHANGE_SQL[c].sql, CHANGE_SQL[c].params, params, PGRES_COMMAND_OK,
	                     &r, why);
	if (err == AG_OK)
		*changed = (int)strtol(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return err;
}

static agenda_err pg_counts(central_store *s, central_outbox_counts *out, agenda_detail *why)
{
	PGresult *r;
	agenda_err err = central_pg_run(s, "SELECT state, count(*) FROM outbox GROUP BY state", 0,
	                                NULL, PGRES_TUPLES_OK, &r, why);

	if (err != AG_OK)
		return err;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *state = PQgetvalue(r, i, 0);
		int64_t n = strtoll(PQgetvalue(r, i, 1), NULL, 10);

		if (strcmp(state, "queued") == 0)
			out->queued = n;
		else if (strcmp(state, "sent") == 0)
			out->sent = n;
		else if (strcmp(state, "failed") == 0)
			out->failed = n;
	}
	PQclear(r);
	return AG_OK;
}

const central_outbox_ops central_pg_outbox_ops = {
        .next_due = pg_next_due,
        .get = pg_get,
        .change = pg_change,
        .counts = pg_counts,
};
