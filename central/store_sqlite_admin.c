/*
 * store_sqlite_admin.c — the admin verbs' tables on the SQLite backend (store_admin.h): every
 * call runs in the transaction store_admin.c holds. Statements are prepared per call (these
 * are an administrator's commands, not a hot path) except the practice upsert, prepared once
 * per batch. A password message that is replaced is deleted with secure_delete on, and the WAL
 * is emptied afterwards (forget_deleted), so the old clear password is not left in the files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "store_admin.h"
#include "store_outbox.h"
#include "store_sqlite_internal.h"

/* Grows *array (of size bytes each) to hold one more than *count; false when out of memory. */
static bool grow(void **array, size_t size, size_t count, size_t *room)
{
	void *bigger;

	if (count < *room)
		return true;
	bigger = realloc(*array, (*room ? *room * 2 : 16) * size);
	if (!bigger)
		return false;
	*array = bigger;
	*room = *room ? *room * 2 : 16;
	return true;
}

static agenda_err nomem(agenda_detail *why)
{
	agenda_detail_set(why, MSG_NOMEM);
	return AG_ERR_NOMEM;
}

/* Runs a prepared statement to its end; *changes (may be NULL) gets the rows it changed. */
static agenda_err step_done(central_store *s, sqlite3_stmt *st, int *changes, agenda_detail *why)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (changes)
		*changes = sqlite3_changes(central_sqlite_db(s));
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_set_patron(central_store *s, const char *code, int month, int day,
                                    agenda_detail *why)
{
	sqlite3_stmt *st;
	int changes = 0;
	agenda_err err = central_sqlite_prepare(
	        s, "UPDATE questura SET patron_month = ?2, patron_day = ?3 WHERE code = ?1", &st,
	        why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, month);
	sqlite3_bind_int(st, 3, day);
	err = step_done(s, st, &changes, why);
	return err == AG_OK && changes == 0 ? AG_ERR_NOT_FOUND : err;
}

static agenda_err sqlite_list_questure(central_store *s, central_questura **out, size_t *count,
                                       agenda_detail *why)
{
	sqlite3_stmt *st;
	size_t room = 0;
	int rc;
	agenda_err err = central_sqlite_prepare(
	        s, "SELECT code, name, patron_month, patron_day, email FROM questura ORDER BY code",
	        &st, why);

	if (err != AG_OK)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		central_questura *q;

		if (!grow((void **)out, sizeof **out, *count, &room)) {
			sqlite3_finalize(st);
			return nomem(why);
		}
		q = &(*out)[(*count)++];
		memset(q, 0, sizeof *q);
		snprintf(q->code, sizeof q->code, "%s", central_sqlite_text(st, 0));
		snprintf(q->name, sizeof q->name, "%s", central_sqlite_text(st, 1));
		q->patron_month = sqlite3_column_int(st, 2);
		q->patron_day = sqlite3_column_int(st, 3);
		snprintf(q->email, sizeof q->email, "%s", central_sqlite_text(st, 4));
	}
	sqlite3_finalize(st);
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_calendar(central_store *s, const char *code, agenda_day from,
                                  agenda_day to, struct cal_rules *rules, agenda_detail *why)
{
	struct cal_exception *list = NULL;
	size_t room = 0;
	sqlite3_stmt *st;
	int rc;
	agenda_err err = central_sqlite_prepare(
	        s, "SELECT patron_month, patron_day FROM questura WHERE code = ?1", &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rules->patron_month = sqlite3_column_int(st, 0);
		rules->patron_day = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return AG_ERR_NOT_FOUND;
	if ((err = central_sqlite_fail(s, rc, why)) != AG_OK)
		return err;
	err = central_sqlite_prepare(s,
	                             "SELECT day, open FROM closure WHERE questura = ?1"
	                             " AND day BETWEEN ?2 AND ?3 ORDER BY day",
	                             &st, why);
	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!grow((void **)&list, sizeof *list, rules->exception_count, &room)) {
			sqlite3_finalize(st);
			free(list);
			return nomem(why);
		}
		list[rules->exception_count].day = (agenda_day)sqlite3_column_int(st, 0);
		list[rules->exception_count++].open = sqlite3_column_int(st, 1) != 0;
	}
	sqlite3_finalize(st);
	rules->exceptions = list;
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_put_closure(central_store *s, const char *code, agenda_day day, bool open,
                                     const char *note, size_t *removed, size_t *held,
                                     agenda_detail *why)
{
	sqlite3_stmt *st;
	int changes = 0, rc;
	agenda_err err = central_sqlite_prepare(
	        s,
	        "INSERT INTO closure(questura, day, open, note)"
	        " SELECT code, ?2, ?3, ?4 FROM questura WHERE code = ?1"
	        " ON CONFLICT(questura, day) DO UPDATE SET open = excluded.open,"
	        " note = excluded.note",
	        &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, day);
	sqlite3_bind_int(st, 3, open);
	sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
	if ((err = step_done(s, st, &changes, why)) != AG_OK)
		return err;
	if (changes == 0)
		return AG_ERR_NOT_FOUND; /* no such Questura */
	if (open)
		return AG_OK;
	/* Closed: the free pool's slots that day go; those a device holds stay its own. */
	err = central_sqlite_prepare(s,
	                             "DELETE FROM slot WHERE questura = ?1 AND day = ?2"
	                             " AND holder IS NULL",
	                             &st, why);
	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, day);
	if ((err = step_done(s, st, &changes, why)) != AG_OK)
		return err;
	*removed = (size_t)changes;
	err = central_sqlite_prepare(s,
	                             "SELECT count(*) FROM slot WHERE questura = ?1 AND day = ?2"
	                             " AND holder IS NOT NULL",
	                             &st, why);
	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, day);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*held = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? AG_OK : central_sqlite_fail(s, rc, why);
}

/*
 * The device's upsert (services/practices.c) with one guard: a row whose visa number is another
 * practice's is not written (no row changes) instead of failing, so the batch goes on.
 */
static const char UPSERT_PRACTICE[] =
        "INSERT INTO practice(numero_pratica, numero_visto, cognome, nome, data_nascita,"
        " nazionalita, tipo, questura, updated_at)"
        " SELECT ?1, nullif(?2, ''), ?3, ?4, ?5, ?6, ?7, ?8, ?9"
        " WHERE NOT EXISTS (SELECT 1 FROM practice WHERE numero_visto = nullif(?2, '')"
        " AND numero_pratica <> ?1)"
        " ON CONFLICT(numero_pratica) DO UPDATE SET numero_visto = excluded.numero_visto,"
        " cognome = excluded.cognome, nome = excluded.nome,"
        " data_nascita = excluded.data_nascita, nazionalita = excluded.nazionalita,"
        " tipo = excluded.tipo, questura = excluded.questura,"
        " status = 'nulla_osta_rilasciato', demo = 0, updated_at = excluded.updated_at";

static agenda_err sqlite_upsert_practices(central_store *s, const struct practice_row *rows,
                                          size_t n, int64_t now, bool *taken, size_t *written,
                                          agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = central_sqlite_prepare(s, UPSERT_PRACTICE, &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_int64(st, 9, now);
	for (size_t i = 0; i < n && err == AG_OK; i++) {
		const struct practice_row *p = &rows[i];

		sqlite3_bind_text(st, 1, p->numero_pratica, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, p->numero_visto, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, p->cognome, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, p->nome, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, p->data_nascita);
		sqlite3_bind_text(st, 6, p->nazionalita, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, practice_tipo_stored(p->tipo), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, p->questura, -1, SQLITE_STATIC);
		err = central_sqlite_fail(s, sqlite3_step(st), why);
		if (err == AG_OK && sqlite3_changes(central_sqlite_db(s)) == 0)
			taken[i] = true;
		else if (err == AG_OK)
			(*written)++;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return err;
}

static agenda_err sqlite_add_operator(central_store *s, const central_operator *op,
                                      const char *hash, agenda_detail *why)
{
	sqlite3_stmt *st;
	int rc;
	agenda_err err = central_sqlite_prepare(
	        s,
	        "INSERT INTO operator(username, role, site, password_hash, created_at,"
	        " updated_at) SELECT ?1, ?2, code, ?4, ?5, ?5 FROM site WHERE code = ?3",
	        &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, op->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, operator_role_name(op->role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, op->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, op->created_at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return AG_ERR_EXISTS;
	if ((err = central_sqlite_fail(s, rc, why)) != AG_OK)
		return err;
	return sqlite3_changes(central_sqlite_db(s)) == 0 ? AG_ERR_NOT_FOUND : AG_OK;
}

#define OPERATOR_COLUMNS                                                                           \
	"SELECT username, role, site, failures, locked_until, created_at, updated_at FROM "        \
	"operator "

static void read_operator(sqlite3_stmt *st, central_operator *op)
{
	memset(op, 0, sizeof *op);
	snprintf(op->username, sizeof op->username, "%s", central_sqlite_text(st, 0));
	operator_role_parse(central_sqlite_text(st, 1), &op->role);
	snprintf(op->site, sizeof op->site, "%s", central_sqlite_text(st, 2));
	op->failures = sqlite3_column_int(st, 3);
	op->locked_until = sqlite3_column_int64(st, 4);
	op->created_at = sqlite3_column_int64(st, 5);
	op->updated_at = sqlite3_column_int64(st, 6);
}

static agenda_err sqlite_get_operator(central_store *s, const char *username, central_operator *out,
                                      agenda_detail *why)
{
	sqlite3_stmt *st;
	int rc;
	agenda_err err =
	        central_sqlite_prepare(s, OPERATOR_COLUMNS "WHERE username = ?1", &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_operator(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return AG_ERR_NOT_FOUND;
	return rc == SQLITE_ROW ? AG_OK : central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_reset_operator(central_store *s, const char *username, const char *hash,
                                        int64_t now, agenda_detail *why)
{
	sqlite3_stmt *st;
	int changes = 0;
	agenda_err err = central_sqlite_prepare(
	        s,
	        "UPDATE operator SET password_hash = coalesce(?2, password_hash), failures = 0,"
	        " locked_until = 0, updated_at = ?3 WHERE username = ?1",
	        &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	if (hash)
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	err = step_done(s, st, &changes, why);
	return err == AG_OK && changes == 0 ? AG_ERR_NOT_FOUND : err;
}

static agenda_err sqlite_list_operators(central_store *s, const char *site, central_operator **out,
                                        size_t *count, agenda_detail *why)
{
	sqlite3_stmt *st;
	size_t room = 0;
	int rc;
	agenda_err err = central_sqlite_prepare(
	        s, OPERATOR_COLUMNS "WHERE ?1 IS NULL OR site = ?1 ORDER BY username", &st, why);

	if (err != AG_OK)
		return err;
	if (site)
		sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!grow((void **)out, sizeof **out, *count, &room)) {
			sqlite3_finalize(st);
			return nomem(why);
		}
		read_operator(st, &(*out)[(*count)++]);
	}
	sqlite3_finalize(st);
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_queue_mail(central_store *s, const central_mail *m, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err;

	/* A replaced message may hold a clear password: its bytes are zeroed, not just unlinked. */
	err = central_sqlite_fail(
	        s,
	        sqlite3_exec(central_sqlite_db(s), "PRAGMA secure_delete = ON", NULL, NULL, NULL),
	        why);
	if (err == AG_OK && m->topic)
		err = central_sqlite_prepare(
		        s, "DELETE FROM outbox WHERE topic = ?1 AND state <> 'sent'", &st, why);
	if (err == AG_OK && m->topic) {
		sqlite3_bind_text(st, 1, m->topic, -1, SQLITE_STATIC);
		err = step_done(s, st, NULL, why);
	}
	if (err == AG_OK)
		err = central_sqlite_prepare(
		        s,
		        "INSERT INTO outbox(message_id, kind, topic, recipient,"
		        " subject, body, created_at)"
		        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		        &st, why);
	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, m->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->kind, -1, SQLITE_STATIC);
	if (m->topic)
		sqlite3_bind_text(st, 3, m->topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, m->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, m->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, m->created_at);
	return step_done(s, st, NULL, why);
}

static agenda_err sqlite_list_outbox(central_store *s, central_outbox_item **out, size_t *count,
                                     agenda_detail *why)
{
	sqlite3_stmt *st;
	size_t room = 0;
	int rc;
	agenda_err err = central_sqlite_prepare(
	        s,
	        "SELECT id, message_id, kind, coalesce(topic, ''), recipient, subject, state,"
	        " attempts, created_at, next_try, coalesce(sent_at, 0), length(CAST(body AS BLOB))"
	        " FROM outbox ORDER BY id",
	        &st, why);

	if (err != AG_OK)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		central_outbox_item *m;

		if (!grow((void **)out, sizeof **out, *count, &room)) {
			sqlite3_finalize(st);
			return nomem(why);
		}
		m = &(*out)[(*count)++];
		memset(m, 0, sizeof *m);
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
	}
	sqlite3_finalize(st);
	return central_sqlite_fail(s, rc, why);
}

static void sqlite_forget_deleted(central_store *s)
{
	/* The deleted row's old page images may still sit in the WAL until it is checkpointed. */
	sqlite3_exec(central_sqlite_db(s), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
}

const central_admin_ops central_sqlite_admin_ops = {
        .set_patron = sqlite_set_patron,
        .list_questure = sqlite_list_questure,
        .calendar = sqlite_calendar,
        .put_closure = sqlite_put_closure,
        .upsert_practices = sqlite_upsert_practices,
        .add_operator = sqlite_add_operator,
        .get_operator = sqlite_get_operator,
        .reset_operator = sqlite_reset_operator,
        .list_operators = sqlite_list_operators,
        .queue_mail = sqlite_queue_mail,
        .list_outbox = sqlite_list_outbox,
        .forget_deleted = sqlite_forget_deleted,
        .outbox = &central_sqlite_outbox_ops, /* issue 13 */
};
