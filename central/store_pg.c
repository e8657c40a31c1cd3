/*
 * store_pg.c — central's store on PostgreSQL 15 through libpq: the backend for the whole
 * country (replicas and failover are PostgreSQL's business, not ours).
 *
 * Atomic allocation is row locking: allocate is one UPDATE whose sub-select takes the earliest
 * free slots FOR UPDATE SKIP LOCKED, so concurrent clients each lock different rows instead of
 * queueing on the same ones, and RETURNING tells each exactly what it got. Under READ COMMITTED
 * a row that another transaction took after our snapshot is dropped when its lock is
 * re-checked, so a round may return fewer rows than asked: allocate repeats with a fresh
 * snapshot until it has enough or a round finds nothing. A client that dies mid-transaction
 * holds nothing: the server rolls its transaction back when the connection drops.
 * The sub-select orders by (day, minute) alone — unique within a Questura — so it reads the
 * partial index slot_free in order and stops after n rows; adding id to the order made the
 * planner sort every free slot of the range when the table had no statistics yet (a fresh
 * pool: 86 ms a call instead of 3 ms at 100,000 slots).
 * Migrations serialise on a transaction-scoped advisory lock so concurrent set-ups are safe.
 */
#include "store.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "schema.h"
#include "store_admin.h"
#include "store_pg_internal.h"
#include "store_enrol.h"
#include "store_sync.h"

/* Any fixed number: the advisory lock that serialises schema changes (ASCII "AGCENTRL"). */
#define SCHEMA_LOCK_KEY "4702554503784280"

PGconn *central_pg_conn(central_store *s)
{
	return s->impl;
}

static PGconn *conn_of(central_store *s)
{
	return s->impl;
}

/* CREATE TABLE IF NOT EXISTS and friends send notices: libpq would print them on stderr. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

agenda_err central_pg_fail(central_store *s, PGresult *r, agenda_detail *why)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *text = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_of(s));
	agenda_err err = AG_ERR_STORE;

	if (PQstatus(conn_of(s)) != CONNECTION_OK) {
		agenda_detail_set(why, MSG_CENTRAL_CONNECT, "PostgreSQL",
		                  PQerrorMessage(conn_of(s)));
		err = AG_ERR_IO;
	} else if (state && strcmp(state, "23505") == 0) {
		err = AG_ERR_EXISTS; /* the caller names what exists */
	} else if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	                     strcmp(state, "55P03") == 0)) {
		agenda_detail_set(why, MSG_STORE_BUSY);
		err = AG_ERR_BUSY;
	} else if (state && strcmp(state, "53100") == 0) {
		agenda_detail_set(why, MSG_STORE_DISK_FULL);
		err = AG_ERR_DISK_FULL;
	} else if (state && strcmp(state, "53200") == 0) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
	} else {
		agenda_detail_set(why, MSG_STORE_FAILED, text);
	}
	PQclear(r);
	return err;
}

agenda_err central_pg_run(central_store *s, const char *sql, int nparams, const char *const *params,
                          ExecStatusType want, PGresult **out, agenda_detail *why)
{
	PGresult *r = PQexecParams(conn_of(s), sql, nparams, NULL, params, NULL, NULL, 0);

	if (out)
		*out = NULL;
	if (!r || PQresultStatus(r) != want)
		return central_pg_fail(s, r, why);
	if (out)
		*out = r;
	else
		PQclear(r);
	return AG_OK;
}

static agenda_err command(central_store *s, const char *sql, agenda_detail *why)
{
	return central_pg_run(s, sql, 0, NULL, PGRES_COMMAND_OK, NULL, why);
}

static agenda_err pg_open(central_store *s, const char *target, agenda_detail *why)
{
	PGconn *conn = PQconnectdb(target);

	if (!conn) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		/* Not the target itself: a connection string may carry a password. */
		agenda_detail_set(why, MSG_CENTRAL_CONNECT, "PostgreSQL", PQerrorMessage(conn));
		PQfinish(conn);
		return AG_ERR_IO;
	}
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	s->impl = conn;
	return AG_OK;
}

static void pg_close(central_store *s)
{
	PQfinish(conn_of(s));
	s->impl = NULL;
}

static agenda_err pg_begin(central_store *s, agenda_detail *why)
{
	return command(s, "BEGIN", why);
}

static agenda_err pg_commit(central_store *s, agenda_detail *why)
{
	PGresult *r = PQexec(conn_of(s), "COMMIT");

	/* COMMIT of a transaction that had failed answers "ROLLBACK" with a success status. */
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK || strcmp(PQcmdStatus(r), "COMMIT") != 0)
		return central_pg_fail(s, r, why);
	PQclear(r);
	return AG_OK;
}

static agenda_err pg_rollback(central_store *s)
{
	PQclear(PQexec(conn_of(s), "ROLLBACK"));
	return AG_OK;
}

static agenda_err pg_create_schema(central_store *s, int *version, agenda_detail *why)
{
	PGresult *r = NULL;
	int current = 0;
	agenda_err err = pg_begin(s, why);

	if (err == AG_OK)
		err = central_pg_run(s, "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK_KEY ")", 0,
		                     NULL, PGRES_TUPLES_OK, NULL, why);
	if (err == AG_OK)
		err = command(s, CENTRAL_SCHEMA_TABLE_PG, why);
	if (err == AG_OK)
		err = central_pg_run(s, "SELECT coalesce(max(version), 0) FROM central_schema", 0,
		                     NULL, PGRES_TUPLES_OK, &r, why);
	if (err == AG_OK)
		current = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (err == AG_OK && current > CENTRAL_SCHEMA_VERSION) {
		agenda_detail_set(why, MSG_CENTRAL_SCHEMA_NEWER, current, CENTRAL_SCHEMA_VERSION);
		err = AG_ERR_SCHEMA_NEWER;
	}
	if (err == AG_OK && current < 0) {
		agenda_detail_set(why, MSG_STORE_CORRUPT, "PostgreSQL");
		err = AG_ERR_CORRUPT; /* not a version this program ever wrote */
	}
	/* Migration v takes the store from version v to v + 1. */
	for (int v = current; err == AG_OK && v >= 0 && v < CENTRAL_SCHEMA_VERSION; v++) {
		char number[16];

		snprintf(number, sizeof number, "%d", v + 1);
		/* PQexec: a migration is several statements, which PQexecParams refuses. */
		r = PQexec(conn_of(s), CENTRAL_MIGRATIONS[v].postgresql);
		err = r && PQresultStatus(r) == PGRES_COMMAND_OK ? AG_OK
		                                                 : central_pg_fail(s, r, why);
		if (err == AG_OK) {
			const char *params[] = {number};

			PQclear(r);
			err = central_pg_run(s, "INSERT INTO central_schema(version) VALUES($1)", 1,
			                     params, PGRES_COMMAND_OK, NULL, why);
		}
		if (err == AG_OK)
			current = v + 1;
	}
	if (err == AG_OK)
		err = pg_commit(s, why);
	if (err != AG_OK) {
		pg_rollback(s);
		return err;
	}
	*version = current;
	return AG_OK;
}

static agenda_err pg_add_questura(central_store *s, const char *code, const char *name,
                                  agenda_detail *why)
{
	const char *params[] = {code, name};
	agenda_err err = central_pg_run(s, "INSERT INTO questura(code, name) VALUES($1, $2)", 2,
	                                params, PGRES_COMMAND_OK, NULL, why);

	if (err == AG_ERR_EXISTS)
		agenda_detail_set(why, MSG_CENTRAL_QUESTURA_EXISTS, code);
	return err;
}

static agenda_err questura_known(central_store *s, const char *code, agenda_detail *why)
{
	const char *params[] = {code};
	PGresult *r;
	agenda_err err = central_pg_run(s, "SELECT 1 FROM questura WHERE code = $1", 1, params,
	                                PGRES_TUPLES_OK, &r, why);

	if (err == AG_OK && PQntuples(r) == 0) {
		agenda_detail_set(why, MSG_CENTRAL_QUESTURA_UNKNOWN, code);
		err = AG_ERR_NOT_FOUND;
	}
	PQclear(r);
	return err;
}

/* "{1,2,3}": a PostgreSQL array literal of n integers (caller frees); NULL when out of memory. */
static char *array_literal(const int64_t *wide, const int *narrow, size_t n)
{
	size_t size = 2 + n * 21 + 1, used = 0;
	char *text = malloc(size);

	if (!text)
		return NULL;
	text[used++] = '{';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, size - used, "%s%" PRId64, i ? "," : "",
		                         wide ? wide[i] : (int64_t)narrow[i]);
	snprintf(text + used, size - used, "}");
	return text;
}

static agenda_err pg_add_slots(central_store *s, const char *questura, agenda_day day,
                               const int *minutes, size_t count, size_t *added, agenda_detail *why)
{
	char day_text[16], *list;
	PGresult *r;
	agenda_err err = questura_known(s, questura, why);

	if (err != AG_OK)
		return err;
	list = array_literal(NULL, minutes, count);
	if (!list) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	snprintf(day_text, sizeof day_text, "%" PRId32, day);
	{
		const char *params[] = {questura, day_text, list};

		err = central_pg_run(s,
		                     "INSERT INTO slot(questura, day, minute)"
		                     " SELECT $1, $2, unnest($3::integer[]) ON CONFLICT DO NOTHING",
		                     3, params, PGRES_COMMAND_OK, &r, why);
	}
	if (err == AG_OK)
		*added = (size_t)strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	free(list);
	return err;
}

static agenda_err pg_allocate(central_store *s, const char *questura, agenda_day first,
                              agenda_day last, const char *holder, size_t max, central_slot *out,
                              size_t *got, agenda_detail *why)
{
	char first_text[16], last_text[16], limit[24];
	const char *params[] = {holder, questura, first_text, last_text, limit};
	agenda_err err = AG_OK;
	int rows = 1;

	snprintf(first_text, sizeof first_text, "%" PRId32, first);
	snprintf(last_text, sizeof last_text, "%" PRId32, last);
	while (err == AG_OK && rows > 0 && *got < max) {
		PGresult *r;

		snprintf(limit, sizeof limit, "%zu", max - *got);
		err = central_pg_run(
		        s,
		        "UPDATE slot SET holder = $1 WHERE id IN (SELECT id FROM slot"
		        " WHERE questura = $2 AND day BETWEEN $3 AND $4 AND holder IS NULL"
		        " ORDER BY day, minute LIMIT $5 FOR UPDATE SKIP LOCKED)"
		        " RETURNING id, day, minute",
		        5, params, PGRES_TUPLES_OK, &r, why);
		if (err != AG_OK)
			break;
		rows = PQntuples(r);
		for (int i = 0; i < rows && *got < max; i++) {
			out[*got].id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
			out[*got].day = (agenda_day)strtol(PQgetvalue(r, i, 1), NULL, 10);
			out[*got].minute = (int)strtol(PQgetvalue(r, i, 2), NULL, 10);
			(*got)++;
		}
		PQclear(r);
	}
	return err;
}

static agenda_err pg_release(central_store *s, const char *holder, const int64_t *ids, size_t count,
                             size_t *released, agenda_detail *why)
{
	char *list = array_literal(ids, NULL, count);
	PGresult *r;
	agenda_err err;

	if (!list) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	{
		const char *params[] = {holder, list};

		err = central_pg_run(s,
		                     "UPDATE slot SET holder = NULL"
		                     " WHERE holder = $1 AND id = ANY($2::bigint[])",
		                     2, params, PGRES_COMMAND_OK, &r, why);
	}
	if (err == AG_OK)
		*released = (size_t)strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	free(list);
	/* a slot handed back on a day closed meanwhile leaves the pool (closure add took the rest)
	 */
	if (err == AG_OK && *released > 0)
		err = command(s,
		              "DELETE FROM slot WHERE holder IS NULL AND (questura, day) IN"
		              " (SELECT questura, day FROM closure WHERE open = 0)",
		              why);
	return err;
}

static agenda_err pg_count(central_store *s, const char *holder, int64_t *count, agenda_detail *why)
{
	const char *params[] = {holder};
	PGresult *r;
	agenda_err err =
	        holder ? central_pg_run(s, "SELECT count(*) FROM slot WHERE holder = $1", 1, params,
	                                PGRES_TUPLES_OK, &r, why)
	               : central_pg_run(s, "SELECT count(*) FROM slot WHERE holder IS NULL", 0,
	                                NULL, PGRES_TUPLES_OK, &r, why);

	if (err == AG_OK)
		*count = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return err;
}

const central_store_ops central_store_pg_ops = {
        .name = "postgresql",
        .open = pg_open,
        .close = pg_close,
        .begin = pg_begin,
        .commit = pg_commit,
        .rollback = pg_rollback,
        .create_schema = pg_create_schema,
        .add_questura = pg_add_questura,
        .add_slots = pg_add_slots,
        .allocate = pg_allocate,
        .release = pg_release,
        .count = pg_count,
        .add_site = central_pg_add_site,
        .get_site = central_pg_get_site,
        .list_sites = central_pg_list_sites,
        .admin = &central_pg_admin_ops,
        .enrol = &central_pg_enrol_ops, /* store_pg_enrol.c (i11-enrol) */
        .sync = &central_pg_sync_ops,   /* store_*_sync.c (i12-cstore) */
};
