/*
 * store_pg_enrol.c — the SQL of enrolment, devices and throttling on PostgreSQL
 * (central_enrol_ops, store_enrol.h). Under READ COMMITTED the rules of store_enrol.c hold
 * because what they read is locked first: the code's row (SELECT ... FOR UPDATE: a second key
 * racing for the same code waits, then reads it used), the site's row (the UPDATE that takes
 * next_device), and the address's throttle row (created if missing, then FOR UPDATE), so two
 * servers on one PostgreSQL count every wrong code once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "store_pg_internal.h"
#include "store_enrol.h"

/* A time as a parameter: NULL for 0 (never). */
static const char *time_text(char buf[24], int64_t t)
{
	if (!t)
		return NULL;
	snprintf(buf, 24, "%" PRId64, t);
	return buf;
}

/* A number as a parameter, always given. */
static const char *number_text(char buf[24], int64_t n)
{
	snprintf(buf, 24, "%" PRId64, n);
	return buf;
}

static int64_t number_at(PGresult *r, int row, int column)
{
	return PQgetisnull(r, row, column) ? 0 : strtoll(PQgetvalue(r, row, column), NULL, 10);
}

static void text_at(char *out, size_t size, PGresult *r, int row, int column)
{
	snprintf(out, size, "%s", PQgetvalue(r, row, column));
}

static agenda_err command(central_store *s, const char *sql, int n, const char *const *params,
                          agenda_detail *why)
{
	return central_pg_run(s, sql, n, params, PGRES_COMMAND_OK, NULL, why);
}

static agenda_err pg_add_code(central_store *s, const char *code_sha256, const char *site,
                              int64_t created_at, int64_t expires_at, agenda_detail *why)
{
	char created[24], expires[24];
	const char *params[] = {code_sha256, site, time_text(created, created_at),
	                        time_text(expires, expires_at)};
	PGresult *r;
	agenda_err err = central_pg_run(s, "SELECT 1 FROM site WHERE code = $1", 1, params + 1,
	                                PGRES_TUPLES_OK, &r, why);

	if (err == AG_OK && PQntuples(r) == 0) {
		agenda_detail_set(why, MSG_CENTRAL_SITE_UNKNOWN, site);
		err = AG_ERR_NOT_FOUND;
	}
	PQclear(r);
	if (err != AG_OK)
		return err;
	return command(s,
	               "INSERT INTO enrol_code(code_sha256, site, created_at, expires_at)"
	               " VALUES($1, $2, $3, $4)",
	               4, params, why);
}

static agenda_err pg_lock_code(central_store *s, const char *code_sha256, central_code_row *row,
                               bool *found, agenda_detail *why)
{
	const char *params[] = {code_sha256};
	PGresult *r;
	agenda_err err = central_pg_run(s,
	                                "SELECT site, expires_at, used_at, coalesce(device, '')"
	                                " FROM enrol_code WHERE code_sha256 = $1 FOR UPDATE",
	                                1, params, PGRES_TUPLES_OK, &r, why);

	if (err != AG_OK)
		return err;
	*found = PQntuples(r) == 1;
	if (*found) {
		text_at(row->site, sizeof row->site, r, 0, 0);
		row->expires_at = number_at(r, 0, 1);
		row->used_at = number_at(r, 0, 2);
		text_at(row->device, sizeof row->device, r, 0, 3);
	}
	PQclear(r);
	return AG_OK;
}

static agenda_err pg_use_code(central_store *s, const char *code_sha256, int64_t used_at,
                              const char *device, agenda_detail *why)
{
	char used[24];
	const char *params[] = {code_sha256, time_text(used, used_at), device};
	PGresult *r;
	agenda_err err = central_pg_run(s,
	                                "UPDATE enrol_code SET used_at = $2, device = $3"
	                                " WHERE code_sha256 = $1 AND used_at IS NULL",
	                                3, params, PGRES_COMMAND_OK, &r, why);

	/* the row is locked by lock_code: nobody can have used it meanwhile */
	if (err == AG_OK && strcmp(PQcmdTuples(r), "1") != 0) {
		agenda_detail_set(why, MSG_STORE_BUSY);
		err = AG_ERR_CHANGED;
	}
	PQclear(r);
	return err;
}

static agenda_err pg_next_device(central_store *s, const char *site, int64_t *number,
                                 agenda_detail *why)
{
	const char *params[] = {site};
	PGresult *r;
	agenda_err err = central_pg_run(s,
	                                "UPDATE site SET next_device = next_device + 1"
	                                " WHERE code = $1 RETURNING next_device - 1",
	                                1, params, PGRES_TUPLES_OK, &r, why);

	if (err == AG_OK && PQntuples(r) != 1) {
		agenda_detail_set(why, MSG_CENTRAL_SITE_UNKNOWN, site);
		err = AG_ERR_NOT_FOUND;
	} else if (err == AG_OK) {
		*number = number_at(r, 0, 0);
	}
	PQclear(r);
	return err;
}

static agenda_err pg_add_device(central_store *s, const central_device *d, agenda_detail *why)
{
	char not_after[24], enrolled[24];
	const char *params[] = {d->id,
	                        d->site,
	                        d->public_key_sha256,
	                        d->certificate,
	                        time_text(not_after, d->not_after),
	                        time_text(enrolled, d->enrolled_at)};

	return command(s,
	               "INSERT INTO device(id, site, public_key_sha256, certificate, not_after,"
	               " enrolled_at) VALUES($1, $2, $3, $4, $5, $6)",
	               6, params, why);
}

#define DEVICE_COLUMNS "id, site, public_key_sha256, not_after, enrolled_at, renewed_at, revoked_at"

static void read_device(PGresult *r, int i, central_device *d)
{
	text_at(d->id, sizeof d->id, r, i, 0);
	text_at(d->site, sizeof d->site, r, i, 1);
	text_at(d->public_key_sha256, sizeof d->public_key_sha256, r, i, 2);
	d->not_after = number_at(r, i, 3);
	d->enrolled_at = number_at(r, i, 4);
	d->renewed_at = number_at(r, i, 5);
	d->revoked_at = number_at(r, i, 6);
}

static agenda_err pg_get_device(central_store *s, const char *id, bool with_certificate,
                                central_device *d, bool *found, agenda_detail *why)
{
	const char *params[] = {id};
	PGresult *r;
	agenda_err err = central_pg_run(
	        s, "SELECT " DEVICE_COLUMNS ", certificate FROM device WHERE id = $1", 1, params,
	        PGRES_TUPLES_OK, &r, why);

	if (err != AG_OK)
		return err;
	*found = PQntuples(r) == 1;
	if (*found) {
		read_device(r, 0, d);
		if (with_certificate && !(d->certificate = strdup(PQgetvalue(r, 0, 7)))) {
			agenda_detail_set(why, MSG_NOMEM);
			err = AG_ERR_NOMEM;
		}
	}
	PQclear(r);
	return err;
}

static agenda_err pg_list_devices(central_store *s,
                                  agenda_err (*fn)(void *ctx, const central_device *d), void *ctx,
                                  agenda_detail *why)
{
	PGresult *r;
	agenda_err err = central_pg_run(s, "SELECT " DEVICE_COLUMNS " FROM device ORDER BY id", 0,
	                                NULL, PGRES_TUPLES_OK, &r, why);

	if (err != AG_OK)
		return err;
	for (int i = 0; i < PQntuples(r) && err == AG_OK; i++) {
		central_device d = {0};

		read_device(r, i, &d);
		err = fn(ctx, &d);
	}
	PQclear(r);
	return err;
}

static agenda_err pg_revoke_device(central_store *s, const char *id, int64_t revoked_at,
                                   agenda_detail *why)
{
	char when[24];
	const char *params[] = {id, time_text(when, revoked_at)};

	return command(s, "UPDATE device SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
	               2, params, why);
}

static agenda_err pg_renew_device(central_store *s, const char *id, const char *certificate,
                                  int64_t not_after, int64_t renewed_at, agenda_detail *why)
{
	char after[24], renewed[24];
	const char *params[] = {id, certificate, time_text(after, not_after),
	                        time_text(renewed, renewed_at)};

	return command(s,
	               "UPDATE device SET certificate = $2, not_after = $3, renewed_at = $4"
	               " WHERE id = $1",
	               4, params, why);
}

static agenda_err pg_count_devices(central_store *s, int64_t *active, int64_t *revoked,
                                   agenda_detail *why)
{
	PGresult *r;
	agenda_err err = central_pg_run(s,
	                                "SELECT count(*) FILTER (WHERE revoked_at IS NULL),"
	                                " count(*) FILTER (WHERE revoked_at IS NOT NULL)"
	                                " FROM device",
	                                0, NULL, PGRES_TUPLES_OK, &r, why);

	if (err == AG_OK) {
		*active = number_at(r, 0, 0);
		*revoked = number_at(r, 0, 1);
	}
	PQclear(r);
	return err;
}

static agenda_err read_throttle(central_store *s, const char *sql, const char *address,
                                central_throttle_row *row, bool *found, agenda_detail *why)
{
	const char *params[] = {address};
	PGresult *r;
	agenda_err err = central_pg_run(s, sql, 1, params, PGRES_TUPLES_OK, &r, why);

	if (err != AG_OK)
		return err;
	*found = PQntuples(r) == 1;
	if (*found) {
		row->window_start = number_at(r, 0, 0);
		row->failures = number_at(r, 0, 1);
		row->blocked_until = number_at(r, 0, 2);
	}
	PQclear(r);
	return AG_OK;
}

static agenda_err pg_get_throttle(central_store *s, const char *address, central_throttle_row *row,
                                  bool *found, agenda_detail *why)
{
	return read_throttle(s,
	                     "SELECT window_start, failures, blocked_until FROM enrol_throttle"
	                     " WHERE address = $1",
	                     address, row, found, why);
}

static agenda_err pg_lock_throttle(central_store *s, const char *address, central_throttle_row *row,
                                   agenda_detail *why)
{
	const char *params[] = {address};
	bool found = false;
	/* a first failure from two servers at once: one inserts, the other waits, then finds it */
	agenda_err err = command(s,
	                         "INSERT INTO enrol_throttle(address, window_start, failures)"
	                         " VALUES($1, 0, 0) ON CONFLICT (address) DO NOTHING",
	                         1, params, why);

	memset(row, 0, sizeof *row);
	if (err == AG_OK)
		err = read_throttle(
		        s,
		        "SELECT window_start, failures, blocked_until FROM enrol_throttle"
		        " WHERE address = $1 FOR UPDATE",
		        address, row, &found, why);
	return err;
}

static agenda_err pg_put_throttle(central_store *s, const char *address,
                                  const central_throttle_row *row, agenda_detail *why)
{
	char start[24], failures[24], blocked[24];
	const char *params[] = {address, number_text(start, row->window_start),
	                        number_text(failures, row->failures),
	                        time_text(blocked, row->blocked_until)};

	return command(s,
	               "UPDATE enrol_throttle SET window_start = $2, failures = $3,"
	               " blocked_until = $4 WHERE address = $1",
	               4, params, why);
}

const central_enrol_ops central_pg_enrol_ops = {
        .add_code = pg_add_code,
        .lock_code = pg_lock_code,
        .use_code = pg_use_code,
        .next_device = pg_next_device,
        .add_device = pg_add_device,
        .get_device = pg_get_device,
        .list_devices = pg_list_devices,
        .revoke_device = pg_revoke_device,
        .renew_device = pg_renew_device,
        .count_devices = pg_count_devices,
        .lock_throttle = pg_lock_throttle,
        .put_throttle = pg_put_throttle,
        .get_throttle = pg_get_throttle,
};
