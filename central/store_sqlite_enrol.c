/*
 * store_sqlite_enrol.c — the SQL of enrolment, devices and throttling on SQLite
 * (central_enrol_ops, store_enrol.h). Every write runs inside store_enrol.c's BEGIN IMMEDIATE
 * transaction, so the code read by lock_code cannot change before the transaction ends:
 * SQLite has one writer at a time.
 */
#include <stdio.h>
#include <string.h>

#include "core/messages.h"
#include "store_sqlite_internal.h"
#include "store_enrol.h"

static agenda_err prepare(central_store *s, const char *sql, sqlite3_stmt **st, agenda_detail *why)
{
	*st = NULL;
	return central_sqlite_prepare(s, sql, st, why);
}

/* Binds a time, NULL for 0 (never). */
static void bind_time(sqlite3_stmt *st, int index, int64_t t)
{
	if (t)
		sqlite3_bind_int64(st, index, t);
	else
		sqlite3_bind_null(st, index);
}

static void copy_text(char *out, size_t size, sqlite3_stmt *st, int column)
{
	const unsigned char *text = sqlite3_column_text(st, column);

	snprintf(out, size, "%s", text ? (const char *)text : "");
}

/* Runs a statement that returns no row. */
static agenda_err step_done(central_store *s, sqlite3_stmt *st, agenda_detail *why)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_add_code(central_store *s, const char *code_sha256, const char *site,
                                  int64_t created_at, int64_t expires_at, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = prepare(s, "SELECT 1 FROM site WHERE code = ?1", &st, why);
	int rc;

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		agenda_detail_set(why, MSG_CENTRAL_SITE_UNKNOWN, site);
		return AG_ERR_NOT_FOUND;
	}
	if (rc != SQLITE_ROW)
		return central_sqlite_fail(s, rc, why);
	err = prepare(s,
	              "INSERT INTO enrol_code(code_sha256, site, created_at, expires_at)"
	              " VALUES(?1, ?2, ?3, ?4)",
	              &st, why);
	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, code_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, created_at);
	sqlite3_bind_int64(st, 4, expires_at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return (rc & 0xff) == SQLITE_CONSTRAINT ? AG_ERR_EXISTS : central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_lock_code(central_store *s, const char *code_sha256, central_code_row *row,
                                   bool *found, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = prepare(s,
	                         "SELECT site, expires_at, coalesce(used_at, 0),"
	                         " coalesce(device, '') FROM enrol_code WHERE code_sha256 = ?1",
	                         &st, why);
	int rc;

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, code_sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found) {
		copy_text(row->site, sizeof row->site, st, 0);
		row->expires_at = sqlite3_column_int64(st, 1);
		row->used_at = sqlite3_column_int64(st, 2);
		copy_text(row->device, sizeof row->device, st, 3);
	}
	sqlite3_finalize(st);
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_use_code(central_store *s, const char *code_sha256, int64_t used_at,
                                  const char *device, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = prepare(s,
	                         "UPDATE enrol_code SET used_at = ?2, device = ?3"
	                         " WHERE code_sha256 = ?1 AND used_at IS NULL",
	                         &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, code_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, used_at);
	sqlite3_bind_text(st, 3, device, -1, SQLITE_STATIC);
	err = step_done(s, st, why);
	if (err == AG_OK && sqlite3_changes(central_sqlite_db(s)) != 1) {
		agenda_detail_set(why, MSG_STORE_BUSY); /* cannot happen under BEGIN IMMEDIATE */
		err = AG_ERR_CHANGED;
	}
	return err;
}

static agenda_err sqlite_next_device(central_store *s, const char *site, int64_t *number,
                                     agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = prepare(s,
	                         "UPDATE site SET next_device = next_device + 1 WHERE code = ?1"
	                         " RETURNING next_device - 1",
	                         &st, why);
	int rc;

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*number = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		agenda_detail_set(why, MSG_CENTRAL_SITE_UNKNOWN, site);
		return AG_ERR_NOT_FOUND;
	}
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_add_device(central_store *s, const central_device *d, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = prepare(s,
	                         "INSERT INTO device(id, site, public_key_sha256, certificate,"
	                         " not_after, enrolled_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	                         &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->public_key_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d->certificate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, d->not_after);
	sqlite3_bind_int64(st, 6, d->enrolled_at);
	return step_done(s, st, why);
}

#define DEVICE_COLUMNS                                                                             \
	"id, site, public_key_sha256, not_after, enrolled_at, coalesce(renewed_at, 0),"            \
	" coalesce(revoked_at, 0)"

static void read_device(sqlite3_stmt *st, central_device *d)
{
	copy_text(d->id, sizeof d->id, st, 0);
	copy_text(d->site, sizeof d->site, st, 1);
	copy_text(d->public_key_sha256, sizeof d->public_key_sha256, st, 2);
	d->not_after = sqlite3_column_int64(st, 3);
	d->enrolled_at = sqlite3_column_int64(st, 4);
	d->renewed_at = sqlite3_column_int64(st, 5);
	d->revoked_at = sqlite3_column_int64(st, 6);
}

static agenda_err sqlite_get_device(central_store *s, const char *id, bool with_certificate,
                                    central_device *d, bool *found, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = prepare(
	        s, "SELECT " DEVICE_COLUMNS ", certificate FROM device WHERE id = ?1", &st, why);
	int rc;

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found) {
		read_device(st, d);
		if (with_certificate) {
			d->certificate = strdup((const char *)sqlite3_column_text(st, 7));
			if (!d->certificate) {
				sqlite3_finalize(st);
				agenda_detail_set(why, MSG_NOMEM);
				return AG_ERR_NOMEM;
			}
		}
	}
	sqlite3_finalize(st);
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_list_devices(central_store *s,
                                      agenda_err (*fn)(void *ctx, const central_device *d),
                                      void *ctx, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = prepare(s, "SELECT " DEVICE_COLUMNS " FROM device ORDER BY id", &st, why);
	int rc = SQLITE_DONE;

	if (err != AG_OK)
		return err;
	while (err == AG_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		central_device d = {0};

		read_device(st, &d);
		err = fn(ctx, &d);
	}
	sqlite3_finalize(st);
	return err != AG_OK ? err : central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_revoke_device(central_store *s, const char *id, int64_t revoked_at,
                                       agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err =
	        prepare(s, "UPDATE device SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
	                &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, revoked_at);
	return step_done(s, st, why);
}

static agenda_err sqlite_renew_device(central_store *s, const char *id, const char *certificate,
                                      int64_t not_after, int64_t renewed_at, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = prepare(s,
	                         "UPDATE device SET certificate = ?2, not_after = ?3,"
	                         " renewed_at = ?4 WHERE id = ?1",
	                         &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, certificate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, not_after);
	sqlite3_bind_int64(st, 4, renewed_at);
	return step_done(s, st, why);
}

static agenda_err sqlite_count_devices(central_store *s, int64_t *active, int64_t *revoked,
                                       agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = prepare(s,
	                         "SELECT count(*) FILTER (WHERE revoked_at IS NULL),"
	                         " count(*) FILTER (WHERE revoked_at IS NOT NULL) FROM device",
	                         &st, why);
	int rc;

	if (err != AG_OK)
		return err;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*active = sqlite3_column_int64(st, 0);
		*revoked = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_get_throttle(central_store *s, const char *address,
                                      central_throttle_row *row, bool *found, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = prepare(s,
	                         "SELECT window_start, failures, coalesce(blocked_until, 0)"
	                         " FROM enrol_throttle WHERE address = ?1",
	                         &st, why);
	int rc;

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found) {
		row->window_start = sqlite3_column_int64(st, 0);
		row->failures = sqlite3_column_int64(st, 1);
		row->blocked_until = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_lock_throttle(central_store *s, const char *address,
                                       central_throttle_row *row, agenda_detail *why)
{
	bool found = false;

	/* BEGIN IMMEDIATE already holds the write lock: reading is locking */
	memset(row, 0, sizeof *row);
	return sqlite_get_throttle(s, address, row, &found, why);
}

static agenda_err sqlite_put_throttle(central_store *s, const char *address,
                                      const central_throttle_row *row, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = prepare(s,
	                         "INSERT INTO enrol_throttle(address, window_start, failures,"
	                         " blocked_until) VALUES(?1, ?2, ?3, ?4) ON CONFLICT(address) DO"
	                         " UPDATE SET window_start = excluded.window_start,"
	                         " failures = excluded.failures,"
	                         " blocked_until = excluded.blocked_until",
	                         &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, row->window_start);
	sqlite3_bind_int64(st, 3, row->failures);
	bind_time(st, 4, row->blocked_until);
	return step_done(s, st, why);
}

const central_enrol_ops central_sqlite_enrol_ops = {
        .add_code = sqlite_add_code,
        .lock_code = sqlite_lock_code,
        .use_code = sqlite_use_code,
        .next_device = sqlite_next_device,
        .add_device = sqlite_add_device,
        .get_device = sqlite_get_device,
        .list_devices = sqlite_list_devices,
        .revoke_device = sqlite_revoke_device,
        .renew_device = sqlite_renew_device,
        .count_devices = sqlite_count_devices,
        .lock_throttle = sqlite_lock_throttle,
        .put_throttle = sqlite_put_throttle,
        .get_throttle = sqlite_get_throttle,
};
