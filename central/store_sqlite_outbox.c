/*
 * store_sqlite_outbox.c — delivering central's outbox on the SQLite backend (store_outbox.h), in
 * the transaction store_outbox.c holds. secure_delete is on before any change, so the page a
 * password's body is wiped from keeps no copy of it (the WAL is emptied after the commit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "store_outbox.h"
#include "store_sqlite_internal.h"

/* Every column of a message except its texts; then body and attachment for next_due. */
#define ENTRY_COLUMNS                                                                              \
	"SELECT id, message_id, kind, coalesce(topic, ''), recipient, subject, state, attempts,"   \
	" created_at, next_try, coalesce(sent_at, 0), length(CAST(body AS BLOB)),"                 \
	" coalesce(attachment_name, ''), coalesce(reply, ''), coalesce(last_error, ''),"           \
	" coalesce(length(CAST(attachment AS BLOB)), 0), body, attachment FROM outbox "

/* A malloc'd copy of column i, or NULL for SQL NULL; false when out of memory. */
static bool copy_text(sqlite3_stmt *st, int i, char **out)
{
	const unsigned char *text = sqlite3_column_text(st, i);

	*out = text ? strdup((const char *)text) : NULL;
	return !text || *out;
}

static agenda_err read_entry(sqlite3_stmt *st, central_outbox_entry *e, bool texts,
                             agenda_detail *why)
{
	central_outbox_item *m = &e->item;

	m->id = sqlite3_column_int64(st, 0);
	snprintf(m->message_id, sizeof m->message_id, "%s", central_sqlite_text(st, 1));
	snprintf(m->kind, sizeof m->kind, "%s", central_sqlite_text(st, 2));
	snprintf(m->topic, sizeof m->topic, "%s", central_sqlite_text(st, 3));
	snprintf(m->recipient, sizeof m->recipient, "%s", central_sqlite_text(st, 4));
	snprintf(m->subject, sizeof m->subject, "%s", central_sqlite_text(st, 5));
	snprintf(m->state, sizeof m->state, "%s", central_sqlite_text(st, 6));
	m->attempts = sqlite3_column_int(st, 7);
	m->created_at = sqlite3_column_int64(st, 8);
	m->next_try = sqlite3_column_int64(st, 9);
	m->sent_at = sqlite3_column_int64(st, 10);
	m->body_bytes = (size_t)sqlite3_column_int64(st, 11);
	snprintf(e->attachment_name, sizeof e->attachment_name, "%s", central_sqlite_text(st, 12));
	snprintf(e->reply, sizeof e->reply, "%s", central_sqlite_text(st, 13));
	snprintf(e->last_error, sizeof e->last_error, "%s", central_sqlite_text(st, 14));
	e->attachment_bytes = (size_t)sqlite3_column_int64(st, 15);
	if (texts && (!copy_text(st, 16, &e->body) || !copy_text(st, 17, &e->attachment))) {
		central_outbox_entry_clear(e);
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	return AG_OK;
}

/* Runs a prepared query for at most one message into *out. */
static agenda_err one_entry(central_store *s, sqlite3_stmt *st, central_outbox_entry *out,
                            bool texts, agenda_detail *why)
{
	int rc = sqlite3_step(st);
	agenda_err err = AG_ERR_NOT_FOUND;

	if (rc == SQLITE_ROW)
		err = read_entry(st, out, texts, why);
	else if (rc != SQLITE_DONE)
		err = central_sqlite_fail(s, rc, why);
	sqlite3_finalize(st);
	return err;
}

static agenda_err sqlite_next_due(central_store *s, int64_t now, central_outbox_entry *out,
                                  agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err =
	        central_sqlite_prepare(s,
	                               ENTRY_COLUMNS "WHERE state = 'queued' AND next_try <= ?1"
	                                             " ORDER BY next_try, id LIMIT 1",
	                               &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_int64(st, 1, now);
	return one_entry(s, st, out, true, why);
}

static agenda_err sqlite_get(central_store *s, int64_t id, central_outbox_entry *out,
                             agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = central_sqlite_prepare(s, ENTRY_COLUMNS "WHERE id = ?1", &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_int64(st, 1, id);
	return one_entry(s, st, out, false, why);
}

/* ?1 id, ?2 the server's reply, ?3 a time (binding one a statement does not use is
 * harmless); each guarded by the state it expects. */
static const char *const CHANGE_SQL[] = {
        [OUTBOX_CHANGE_SENT] = "UPDATE outbox SET state = 'sent', reply = ?2, sent_at = ?3"
                               " WHERE id = ?1 AND state = 'queued'",
        [OUTBOX_CHANGE_LATER] =
                "UPDATE outbox SET attempts = attempts + 1, reply = ?2,"
                " last_error = ?2, next_try = ?3 WHERE id = ?1 AND state = 'queued'",
        [OUTBOX_CHANGE_GIVE_UP] = "UPDATE outbox SET attempts = attempts + 1, reply = ?2,"
                                  " last_error = ?2, state = 'failed'"
                                  " WHERE id = ?1 AND state = 'queued'",
        /* the last reply stays for the record */
        [OUTBOX_CHANGE_RETRY] = "UPDATE outbox SET state = 'queued', attempts = 0, next_try = ?3"
                                " WHERE id = ?1 AND state <> 'sent'",
};

static agenda_err sqlite_change(central_store *s, enum central_outbox_change c, int64_t id,
                                const char *reply, int64_t when, int *changed, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err;
	int rc;

	/* The page the body is wiped from is rewritten without the old bytes. */
	err = central_sqlite_fail(
	        s,
	        sqlite3_exec(central_sqlite_db(s), "PRAGMA secure_delete = ON", NULL, NULL, NULL),
	        why);
	if (err == AG_OK)
		err = central_sqlite_prepare(s, CHANGE_SQL[c], &st, why);
	if (err != AG_OK)
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, reply, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, when);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	*changed = sqlite3_changes(central_sqlite_db(s));
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_counts(central_store *s, central_outbox_counts *out, agenda_detail *why)
{
	sqlite3_stmt *st;
	int rc;
	agenda_err err = central_sqlite_prepare(
	        s, "SELECT state, count(*) FROM outbox GROUP BY state", &st, why);

	if (err != AG_OK)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = central_sqlite_text(st, 0);
		int64_t n = sqlite3_column_int64(st, 1);

		if (strcmp(state, "queued") == 0)
			out->queued = n;
		else if (strcmp(state, "sent") == 0)
			out->sent = n;
		else if (strcmp(state, "failed") == 0)
			out->failed = n;
	}
	sqlite3_finalize(st);
	return central_sqlite_fail(s, rc, why);
}

const central_outbox_ops central_sqlite_outbox_ops = {
        .next_due = sqlite_next_due,
        .get = sqlite_get,
        .change = sqlite_change,
        .counts = sqlite_counts,
};
