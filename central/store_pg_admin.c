/*
 * store_pg_admin.c — the admin verbs' tables on the PostgreSQL backend (store_admin.h), the same
 * statements as store_sqlite_admin.c in PostgreSQL's dialect, in the transaction store_admin.c
 * holds. A statement that would fail on a constraint is written so that it changes no row
 * instead (INSERT ... SELECT ... WHERE): in PostgreSQL a failed statement aborts the whole
 * transaction, and a practice import must go on past a row whose visa is taken. The practice
 * upsert is prepared once per batch and pipelined (one round trip per batch, not per row).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "store_admin.h"
#include "store_outbox.h"
#include "store_pg_internal.h"

static agenda_err nomem(agenda_detail *why)
{
	agenda_detail_set(why, MSG_NOMEM);
	return AG_ERR_NOMEM;
}

/* Runs a command; *changed (may be NULL) gets how many rows it changed. */
static agenda_err command(central_store *s, const char *sql, int n, const char *const *params,
                          long *changed, agenda_detail *why)
{
	PGresult *r;
	agenda_err err = central_pg_run(s, sql, n, params, PGRES_COMMAND_OK, &r, why);

	if (err == AG_OK && changed)
		*changed = strtol(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return err;
}

/* A malloc'd array of rows elements of size bytes (NULL for none); false when out of memory. */
static bool alloc_rows(void **out, int rows, size_t size)
{
	*out = rows > 0 ? calloc((size_t)rows, size) : NULL;
	return rows == 0 || *out;
}

static int64_t int_at(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static agenda_err pg_set_patron(central_store *s, const char *code, int month, int day,
                                agenda_detail *why)
{
	char m[8], d[8];
	const char *params[] = {code, m, d};
	long changed = 0;
	agenda_err err;

	snprintf(m, sizeof m, "%d", month);
	snprintf(d, sizeof d, "%d", day);
	err = command(s, "UPDATE questura SET patron_month = $2, patron_day = $3 WHERE code = $1",
	              3, params, &changed, why);
	return err == AG_OK && changed == 0 ? AG_ERR_NOT_FOUND : err;
}

static agenda_err pg_list_questure(central_store *s, central_questura **out, size_t *count,
                                   agenda_detail *why)
{
	PGresult *r;
	agenda_err err = central_pg_run(
	        s, "SELECT code, name, patron_month, patron_day, email FROM questura ORDER BY code",
	        0, NULL, PGRES_TUPLES_OK, &r, why);

	if (err != AG_OK)
		return err;
	if (!alloc_rows((void **)out, PQntuples(r), sizeof **out)) {
		PQclear(r);
		return nomem(why);
	}
	for (int i = 0; i < PQntuples(r); i++) {
		central_questura *q = &(*out)[i];

		snprintf(q->code, sizeof q->code, "%s", PQgetvalue(r, i, 0));
		snprintf(q->name, sizeof q->name, "%s", PQgetvalue(r, i, 1));
		q->patron_month = (int)int_at(r, i, 2);
		q->patron_day = (int)int_at(r, i, 3);
		snprintf(q->email, sizeof q->email, "%s", PQgetvalue(r, i, 4));
	}
	*count = (size_t)PQntuples(r);
	PQclear(r);
	return AG_OK;
}

static agenda_err pg_calendar(central_store *s, const char *code, agenda_day from, agenda_day to,
                              struct cal_rules *rules, agenda_detail *why)
{
	char first[16], last[16];
	const char *params[] = {code, first, last};
	struct cal_exception *list;
	PGresult *r;
	agenda_err err;

	snprintf(first, sizeof first, "%" PRId32, from);
	snprintf(last, sizeof last, "%" PRId32, to);
	err = central_pg_run(s, "SELECT patron_month, patron_day FROM questura WHERE code = $1", 1,
	                     params, PGRES_TUPLES_OK, &r, why);
	if (err != AG_OK)
		return err;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return AG_ERR_NOT_FOUND;
	}
	rules->patron_month = (int)int_at(r, 0, 0);
	rules->patron_day = (int)int_at(r, 0, 1);
	PQclear(r);
	err = central_pg_run(s,
	                     "SELECT day, open FROM closure WHERE questura = $1"
	                     " AND day BETWEEN $2 AND $3 ORDER BY day",
	                     3, params, PGRES_TUPLES_OK, &r, why);
	if (err != AG_OK)
		return err;
	if (!alloc_rows((void **)&list, PQntuples(r), sizeof *list)) {
		PQclear(r);
		return nomem(why);
	}
	for (int i = 0; i < PQntuples(r); i++) {
		list[i].day = (agenda_day)int_at(r, i, 0);
		list[i].open = int_at(r, i, 1) != 0;
	}
	rules->exceptions = list;
	rules->exception_count = (size_t)PQntuples(r);
	PQclear(r);
	return AG_OK;
}

static agenda_err pg_put_closure(central_store *s, const char *code, agenda_day day, bool open,
                                 const char *note, size_t *removed, size_t *held,
                                 agenda_detail *why)
{
	char day_text[16];
	const char *params[] = {code, day_text, open ? "1" : "0", note};
	long changed = 0;
	PGresult *r;
	agenda_err err;

	snprintf(day_text, sizeof day_text, "%" PRId32, day);
	err = command(s,
	              "INSERT INTO closure(questura, day, open, note)"
	              " SELECT code, $2::integer, $3::integer, $4::text FROM questura"
	              " WHERE code = $1"
	              " ON CONFLICT(questura, day) DO UPDATE SET open = excluded.open,"
	              " note = excluded.note",
	              4, params, &changed, why);
	if (err != AG_OK)
		return err;
	if (changed == 0)
		return AG_ERR_NOT_FOUND;
	if (open)
		return AG_OK;
	/* Closed: the free pool's slots that day go; those a device holds stay its own. */
	err = command(s, "DELETE FROM slot WHERE questura = $1 AND day = $2 AND holder IS NULL", 2,
	              params, &changed, why);
	if (err != AG_OK)
		return err;
	*removed = (size_t)changed;
	err = central_pg_run(s,
	                     "SELECT count(*) FROM slot WHERE questura = $1 AND day = $2"
	                     " AND holder IS NOT NULL",
	                     2, params, PGRES_TUPLES_OK, &r, why);
	if (err == AG_OK)
		*held = (size_t)int_at(r, 0, 0);
	PQclear(r);
	return err;
}

/* The device's upsert, with the visa guard of store_sqlite_admin.c (a taken visa: no row). */
static const char UPSERT_PRACTICE[] =
        "INSERT INTO practice(numero_pratica, numero_visto, cognome, nome, data_nascita,"
        " nazionalita, tipo, questura, updated_at)"
        " SELECT $1::text, nullif($2::text, ''), $3::text, $4::text, $5::integer, $6::text,"
        " $7::text, $8::text, $9::bigint"
        " WHERE NOT EXISTS (SELECT 1 FROM practice WHERE numero_visto = nullif($2::text, '')"
        " AND numero_pratica <> $1::text)"
        " ON CONFLICT(numero_pratica) DO UPDATE SET numero_visto = excluded.numero_visto,"
        " cognome = excluded.cognome, nome = excluded.nome,"
        " data_nascita = excluded.data_nascita, nazionalita = excluded.nazionalita,"
        " tipo = excluded.tipo, questura = excluded.questura,"
        " status = 'nulla_osta_rilasciato', demo = 0, updated_at = excluded.updated_at";

/* Reads the result of one pipelined upsert (and the NULL that ends it); AG_OK or the error. */
static agenda_err upsert_result(central_store *s, bool *taken, size_t *written, agenda_detail *why)
{
	PGconn *conn = central_pg_conn(s);
	PGresult *r = PQgetResult(conn);
	agenda_err err = AG_OK;

	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
		err = central_pg_fail(s, r, why);
	} else {
		if (strcmp(PQcmdTuples(r), "0") == 0)
			*taken = true;
		else
			(*written)++;
		PQclear(r);
	}
	while ((r = PQgetResult(conn)) != NULL) /* the end of this query's results */
		PQclear(r);
	return err;
}

/*
 * One round trip per batch, not per row: the rows go in libpq's pipeline mode (the statement
 * prepared once), then the results are read in order. Per row over a unix socket the round trip
 * dominated (200,000 rows: 37 s); pipelined it does not. A batch of BATCH_ROWS answers is a few
 * tens of kilobytes, well within the socket buffers, so sending all before reading cannot stall.
 * Inside the caller's BEGIN, the pipeline's Sync does not commit.
 */
static agenda_err pg_upsert_practices(central_store *s, const struct practice_row *rows, size_t n,
                                      int64_t now, bool *taken, size_t *written, agenda_detail *why)
{
	PGconn *conn = central_pg_conn(s);
	char(*birth)[16] = malloc(n * sizeof *birth);
	char updated[24];
	PGresult *r;
	agenda_err err = AG_OK;
	size_t sent = 0;

	if (!birth)
		return nomem(why);
	r = PQprepare(conn, "", UPSERT_PRACTICE, 9, NULL);
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
		free(birth);
		return central_pg_fail(s, r, why);
	}
	PQclear(r);
	snprintf(updated, sizeof updated, "%" PRId64, now);
	if (!PQenterPipelineMode(conn)) {
		free(birth);
		return central_pg_fail(s, NULL, why);
	}
	for (; sent < n; sent++) {
		const struct practice_row *p = &rows[sent];
		const char *params[] = {p->numero_pratica,
		                        p->numero_visto,
		                        p->cognome,
		                        p->nome,
		                        birth[sent],
		                        p->nazionalita,
		                        practice_tipo_stored(p->tipo),
		                        p->questura,
		                        updated};

		snprintf(birth[sent], sizeof birth[sent], "%" PRId32, p->data_nascita);
		if (!PQsendQueryPrepared(conn, "", 9, params, NULL, NULL, 0))
			break;
	}
	if (sent < n || !PQpipelineSync(conn))
		err = central_pg_fail(s, NULL, why);
	for (size_t i = 0; i < sent; i++) {
		agenda_err one = upsert_result(s, &taken[i], written, why);

		if (err == AG_OK)
			err = one; /* the first failure; the rest were aborted with it */
	}
	while ((r = PQgetResult(conn)) != NULL && PQresultStatus(r) != PGRES_PIPELINE_SYNC)
		PQclear(r);
	PQclear(r);
	PQexitPipelineMode(conn);
	free(birth);
	return err;
}

static agenda_err pg_add_operator(central_store *s, const central_operator *op, const char *hash,
                                  agenda_detail *why)
{
	char created[24];
	const char *params[] = {op->username, operator_role_name(op->role), op->site, hash,
	                        created};
	long changed = 0;
	agenda_err err;

	snprintf(created, sizeof created, "%" PRId64, op->created_at);
	err = command(s,
	              "INSERT INTO operator(username, role, site, password_hash, created_at,"
	              " updated_at) SELECT $1::text, $2::text, code, $4::text, $5::bigint,"
	              " $5::bigint FROM site WHERE code = $3",
	              5, params, &changed, why);
	return err == AG_OK && changed == 0 ? AG_ERR_NOT_FOUND : err;
}

#define OPERATOR_COLUMNS                                                                           \
	"SELECT username, role, site, failures, locked_until, created_at, updated_at FROM "        \
	"operator "

static void read_operator(PGresult *r, int i, central_operator *op)
{
	memset(op, 0, sizeof *op);
	snprintf(op->username, sizeof op->username, "%s", PQgetvalue(r, i, 0));
	operator_role_parse(PQgetvalue(r, i, 1), &op->role);
	snprintf(op->site, sizeof op->site, "%s", PQgetvalue(r, i, 2));
	op->failures = (int)int_at(r, i, 3);
	op->locked_until = int_at(r, i, 4);
	op->created_at = int_at(r, i, 5);
	op->updated_at = int_at(r, i, 6);
}

static agenda_err pg_get_operator(central_store *s, const char *username, central_operator *out,
                                  agenda_detail *why)
{
	const char *params[] = {username};
	PGresult *r;
	agenda_err err = central_pg_run(s, OPERATOR_COLUMNS "WHERE username = $1", 1, params,
	                                PGRES_TUPLES_OK, &r, why);

	if (err != AG_OK)
		return err;
	if (PQntuples(r) == 0)
		err = AG_ERR_NOT_FOUND;
	else
		read_operator(r, 0, out);
	PQclear(r);
	return err;
}

static agenda_err pg_reset_operator(central_store *s, const char *username, const char *hash,
                                    int64_t now, agenda_detail *why)
{
	char updated[24];
	const char *params[] = {username, hash, updated};
	long changed = 0;
	agenda_err err;

	snprintf(updated, sizeof updated, "%" PRId64, now);
	err = command(s,
	              "UPDATE operator SET password_hash = coalesce($2, password_hash),"
	              " failures = 0, locked_until = 0, updated_at = $3 WHERE username = $1",
	              3, params, &changed, why);
	return err == AG_OK && changed == 0 ? AG_ERR_NOT_FOUND : err;
}

static agenda_err pg_list_operators(central_store *s, const char *site, central_operator **out,
                                    size_t *count, agenda_detail *why)
{
	const char *params[] = {site};
	PGresult *r;
	agenda_err err = central_pg_run(
	        s, OPERATOR_COLUMNS "WHERE $1::text IS NULL OR site = $1 ORDER BY username", 1,
	        params, PGRES_TUPLES_OK, &r, why);

	if (err != AG_OK)
		return err;
	if (!alloc_rows((void **)out, PQntuples(r), sizeof **out)) {
		PQclear(r);
		return nomem(why);
	}
	for (int i = 0; i < PQntuples(r); i++)
		read_operator(r, i, &(*out)[i]);
	*count = (size_t)PQntuples(r);
	PQclear(r);
	return AG_OK;
}

static agenda_err pg_queue_mail(central_store *s, const central_mail *m, agenda_detail *why)
{
	agenda_err err = AG_OK;

	if (m->topic)
		err = command(s, "DELETE FROM outbox WHERE topic = $1 AND state <> 'sent'", 1,
		              &m->topic, NULL, why);
	if (err == AG_OK) {
		char created[24];
		const char *params[] = {m->message_id, m->kind, m->topic, m->recipient,
		                        m->subject,    m->body, created};

		snprintf(created, sizeof created, "%" PRId64, m->created_at);
		err = command(
		        s,
		        "INSERT INTO outbox(message_id, kind, topic, recipient, subject, body,"
		        " created_at) VALUES($1, $2, $3, $4, $5, $6, $7)",
		        7, params, NULL, why);
	}
	return err;
}

static agenda_err pg_list_outbox(central_store *s, central_outbox_item **out, size_t *count,
                                 agenda_detail *why)
{
	PGresult *r;
	agenda_err err = central_pg_run(
	        s,
	        "SELECT id, message_id, kind, coalesce(topic, ''), recipient, subject, state,"
	        " attempts, created_at, next_try, coalesce(sent_at, 0), octet_length(body)"
	        " FROM outbox ORDER BY id",
	        0, NULL, PGRES_TUPLES_OK, &r, why);

	if (err != AG_OK)
		return err;
	if (!alloc_rows((void **)out, PQntuples(r), sizeof **out)) {
		PQclear(r);
		return nomem(why);
	}
	for (int i = 0; i < PQntuples(r); i++) {
		central_outbox_item *o = &(*out)[i];

		o->id = int_at(r, i, 0);
		snprintf(o->message_id, sizeof o->message_id, "%s", PQgetvalue(r, i, 1));
		snprintf(o->kind, sizeof o->kind, "%s", PQgetvalue(r, i, 2));
		snprintf(o->topic, sizeof o->topic, "%s", PQgetvalue(r, i, 3));
		snprintf(o->recipient, sizeof o->recipient, "%s", PQgetvalue(r, i, 4));
		snprintf(o->subject, sizeof o->subject, "%s", PQgetvalue(r, i, 5));
		snprintf(o->state, sizeof o->state, "%s", PQgetvalue(r, i, 6));
		o->attempts = (int)int_at(r, i, 7);
		o->created_at = int_at(r, i, 8);
		o->next_try = int_at(r, i, 9);
		o->sent_at = int_at(r, i, 10);
		o->body_bytes = (size_t)int_at(r, i, 11);
	}
	*count = (size_t)PQntuples(r);
	PQclear(r);
	return AG_OK;
}

/* Dead row versions go with PostgreSQL's vacuum; nothing this connection can force safely. */
static void pg_forget_deleted(central_store *s)
{
	(void)s;
}

const central_admin_ops central_pg_admin_ops = {
        .set_patron = pg_set_patron,
        .list_questure = pg_list_questure,
        .calendar = pg_calendar,
        .put_closure = pg_put_closure,
        .upsert_practices = pg_upsert_practices,
        .add_operator = pg_add_operator,
        .get_operator = pg_get_operator,
        .reset_operator = pg_reset_operator,
        .list_operators = pg_list_operators,
        .queue_mail = pg_queue_mail,
        .list_outbox = pg_list_outbox,
        .forget_deleted = pg_forget_deleted,
        .outbox = &central_pg_outbox_ops, /* issue 13 */
};
