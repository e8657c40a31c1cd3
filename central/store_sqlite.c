/*
 * store_sqlite.c — central's store in one SQLite file: the embedded default (demo, pilot, one
 * office).
 *
 * Atomic allocation is SQLite's single writer: every write transaction starts with BEGIN
 * IMMEDIATE, so it holds the write lock from its first statement and the free slots it reads
 * are still free when it marks them; other connections wait in the busy handler (up to
 * BUSY_TIMEOUT_MS, then AG_ERR_BUSY). WAL with synchronous=FULL as on the device: a committed
 * allocation survives a power cut, an uncommitted one (a killed client) leaves no trace. The
 * file is created 0600 before SQLite opens it, so its -wal and -shm are private too.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/messages.h"
#include "platform/private_file.h"
#include "schema.h"
#include "store_admin.h"
#include "store_sqlite_internal.h"
#include "store_enrol.h"
#include "store_sync.h"

/* Pool slots on closed days (the partial index slot_free, one probe per closure). */
#define RELEASE_CLOSED_SQL                                                                         \
	"DELETE FROM slot WHERE holder IS NULL AND (questura, day) IN"                             \
	" (SELECT questura, day FROM closure WHERE open = 0)"

/* Long enough for 50 clients queueing on the write lock, short enough to answer a person. */
#define BUSY_TIMEOUT_MS 20000

struct sqlite_impl {
	sqlite3 *db;
	char path[4096];
};

sqlite3 *central_sqlite_db(central_store *s)
{
	return ((struct sqlite_impl *)s->impl)->db;
}

static sqlite3 *db_of(central_store *s)
{
	return central_sqlite_db(s);
}

agenda_err central_sqlite_fail(central_store *s, int rc, agenda_detail *why)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return AG_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		agenda_detail_set(why, MSG_STORE_BUSY);
		return AG_ERR_BUSY;
	case SQLITE_FULL:
		agenda_detail_set(why, MSG_STORE_DISK_FULL);
		return AG_ERR_DISK_FULL;
	case SQLITE_NOMEM:
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		agenda_detail_set(why, MSG_STORE_CORRUPT, ((struct sqlite_impl *)s->impl)->path);
		return AG_ERR_CORRUPT;
	default:
		agenda_detail_set(why, MSG_STORE_FAILED, sqlite3_errmsg(db_of(s)));
		return AG_ERR_STORE;
	}
}

static agenda_err sqlite_open(central_store *s, const char *target, agenda_detail *why)
{
	struct sqlite_impl *impl = calloc(1, sizeof *impl);
	mode_t mode = 0;
	int fd, rc;

	if (!impl) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	snprintf(impl->path, sizeof impl->path, "%s", target);
	s->impl = impl;
	/* It will hold operators and practices: private from its first byte (I7). */
	if (private_file_exposed(target, &mode)) {
		agenda_detail_set(why, MSG_STORE_EXPOSED, target, (unsigned)mode, target);
		goto refused;
	}
	/* Only a missing file is created here. close() drops every POSIX lock this process holds
	 * on the file, those of its other connections included (the server's threads): another
	 * process could then checkpoint and delete the WAL under them ("disk I/O error"). */
	if (access(target, F_OK) != 0) {
		fd = private_file_open(target, O_RDWR);
		if (fd < 0) {
			agenda_detail_set(why, MSG_STORE_CANTOPEN, target, strerror(errno));
			goto refused;
		}
		close(fd);
	}
	rc = sqlite3_open_v2(target, &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(impl->db, BUSY_TIMEOUT_MS);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(impl->db,
		                  "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		                  "PRAGMA foreign_keys = ON",
		                  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		agenda_detail_set(why, MSG_STORE_CANTOPEN, target,
		                  impl->db ? sqlite3_errmsg(impl->db) : sqlite3_errstr(rc));
		goto refused;
	}
	return AG_OK;
refused:
	sqlite3_close(impl->db);
	free(impl);
	s->impl = NULL;
	return AG_ERR_IO;
}

static void sqlite_close(central_store *s)
{
	struct sqlite_impl *impl = s->impl;

	sqlite3_close(impl->db);
	free(impl);
	s->impl = NULL;
}

static agenda_err exec(central_store *s, const char *sql, agenda_detail *why)
{
	return central_sqlite_fail(s, sqlite3_exec(db_of(s), sql, NULL, NULL, NULL), why);
}

static agenda_err sqlite_begin(central_store *s, agenda_detail *why)
{
	return exec(s, "BEGIN IMMEDIATE", why);
}

static agenda_err sqlite_commit(central_store *s, agenda_detail *why)
{
	return exec(s, "COMMIT", why);
}

static agenda_err sqlite_rollback(central_store *s)
{
	/* After some errors SQLite has already rolled back: nothing is left to undo then. */
	if (!sqlite3_get_autocommit(db_of(s)))
		sqlite3_exec(db_of(s), "ROLLBACK", NULL, NULL, NULL);
	return AG_OK;
}

agenda_err central_sqlite_prepare(central_store *s, const char *sql, sqlite3_stmt **st,
                                  agenda_detail *why)
{
	return central_sqlite_fail(s, sqlite3_prepare_v2(db_of(s), sql, -1, st, NULL), why);
}

const char *central_sqlite_text(sqlite3_stmt *st, int i)
{
	const unsigned char *text = sqlite3_column_text(st, i);

	return text ? (const char *)text : "";
}

static agenda_err sqlite_create_schema(central_store *s, int *version, agenda_detail *why)
{
	sqlite3_stmt *st = NULL;
	int current = 0;
	agenda_err err = sqlite_begin(s, why);

	if (err == AG_OK)
		err = exec(s, CENTRAL_SCHEMA_TABLE_SQLITE, why);
	if (err == AG_OK)
		err = central_sqlite_prepare(
		        s, "SELECT coalesce(max(version), 0) FROM central_schema", &st, why);
	if (err == AG_OK && sqlite3_step(st) == SQLITE_ROW)
		current = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (err == AG_OK && current > CENTRAL_SCHEMA_VERSION) {
		agenda_detail_set(why, MSG_CENTRAL_SCHEMA_NEWER, current, CENTRAL_SCHEMA_VERSION);
		err = AG_ERR_SCHEMA_NEWER;
	}
	if (err == AG_OK && current < 0) {
		agenda_detail_set(why, MSG_STORE_CORRUPT, ((struct sqlite_impl *)s->impl)->path);
		err = AG_ERR_CORRUPT; /* not a version this program ever wrote */
	}
	/* Migration v takes the store from version v to v + 1. */
	for (int v = current; err == AG_OK && v >= 0 && v < CENTRAL_SCHEMA_VERSION; v++) {
		char record[80];

		snprintf(record, sizeof record, "INSERT INTO central_schema(version) VALUES(%d)",
		         v + 1);
		err = exec(s, CENTRAL_MIGRATIONS[v].sqlite, why);
		if (err == AG_OK)
			err = exec(s, record, why);
		if (err == AG_OK)
			current = v + 1;
	}
	if (err == AG_OK)
		err = sqlite_commit(s, why);
	if (err != AG_OK) {
		sqlite_rollback(s);
		return err;
	}
	*version = current;
	return AG_OK;
}

static agenda_err sqlite_add_questura(central_store *s, const char *code, const char *name,
                                      agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = central_sqlite_prepare(
	        s, "INSERT INTO questura(code, name) VALUES(?1, ?2)", &st, why);
	int rc;

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT) {
		agenda_detail_set(why, MSG_CENTRAL_QUESTURA_EXISTS, code);
		return AG_ERR_EXISTS;
	}
	return central_sqlite_fail(s, rc, why);
}

static agenda_err questura_known(central_store *s, const char *code, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err =
	        central_sqlite_prepare(s, "SELECT 1 FROM questura WHERE code = ?1", &st, why);
	int rc;

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		agenda_detail_set(why, MSG_CENTRAL_QUESTURA_UNKNOWN, code);
		return AG_ERR_NOT_FOUND;
	}
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_add_slots(central_store *s, const char *questura, agenda_day day,
                                   const int *minutes, size_t count, size_t *added,
                                   agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = questura_known(s, questura, why);

	if (err == AG_OK)
		err = central_sqlite_prepare(
		        s,
		        "INSERT INTO slot(questura, day, minute) VALUES(?1, ?2, ?3)"
		        " ON CONFLICT DO NOTHING",
		        &st, why);
	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, questura, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, day);
	for (size_t i = 0; i < count && err == AG_OK; i++) {
		sqlite3_bind_int(st, 3, minutes[i]);
		err = central_sqlite_fail(s, sqlite3_step(st), why);
		*added += (size_t)sqlite3_changes(db_of(s));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return err;
}

static agenda_err sqlite_allocate(central_store *s, const char *questura, agenda_day first,
                                  agenda_day last, const char *holder, size_t max,
                                  central_slot *out, size_t *got, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err;
	int rc = SQLITE_DONE;

	/* Inside BEGIN IMMEDIATE: nobody else writes between the SELECT and the UPDATE. */
	err = central_sqlite_prepare(
	        s,
	        "UPDATE slot SET holder = ?1 WHERE id IN (SELECT id FROM slot"
	        " WHERE questura = ?2 AND day BETWEEN ?3 AND ?4 AND holder IS NULL"
	        " ORDER BY day, minute LIMIT ?5)"
	        " RETURNING id, day, minute",
	        &st, why);
	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, holder, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, questura, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, first);
	sqlite3_bind_int(st, 4, last);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)max);
	while (*got < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		out[*got].id = sqlite3_column_int64(st, 0);
		out[*got].day = sqlite3_column_int(st, 1);
		out[*got].minute = sqlite3_column_int(st, 2);
		(*got)++;
	}
	sqlite3_finalize(st);
	return central_sqlite_fail(s, rc, why);
}

static agenda_err sqlite_release(central_store *s, const char *holder, const int64_t *ids,
                                 size_t count, size_t *released, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = central_sqlite_prepare(
	        s, "UPDATE slot SET holder = NULL WHERE id = ?1 AND holder = ?2", &st, why);

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 2, holder, -1, SQLITE_STATIC);
	for (size_t i = 0; i < count && err == AG_OK; i++) {
		sqlite3_bind_int64(st, 1, ids[i]);
		err = central_sqlite_fail(s, sqlite3_step(st), why);
		*released += (size_t)sqlite3_changes(db_of(s));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	/* a slot handed back on a day closed meanwhile leaves the pool (closure add took the rest)
	 */
	if (err == AG_OK && *released > 0)
		err = exec(s, RELEASE_CLOSED_SQL, why);
	return err;
}

static agenda_err sqlite_count(central_store *s, const char *holder, int64_t *count,
                               agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err =
	        central_sqlite_prepare(s,
	                               holder ? "SELECT count(*) FROM slot WHERE holder = ?1"
	                                      : "SELECT count(*) FROM slot WHERE holder IS NULL",
	                               &st, why);
	int rc;

	if (err != AG_OK)
		return err;
	if (holder)
		sqlite3_bind_text(st, 1, holder, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? AG_OK : central_sqlite_fail(s, rc, why);
}

const central_store_ops central_store_sqlite_ops = {
        .name = "sqlite",
        .open = sqlite_open,
        .close = sqlite_close,
        .begin = sqlite_begin,
        .commit = sqlite_commit,
        .rollback = sqlite_rollback,
        .create_schema = sqlite_create_schema,
        .add_questura = sqlite_add_questura,
        .add_slots = sqlite_add_slots,
        .allocate = sqlite_allocate,
        .release = sqlite_release,
        .count = sqlite_count,
        .add_site = central_sqlite_add_site,
        .get_site = central_sqlite_get_site,
        .list_sites = central_sqlite_list_sites,
        .admin = &central_sqlite_admin_ops,
        .enrol = &central_sqlite_enrol_ops, /* store_sqlite_enrol.c (i11-enrol) */
        .sync = &central_sqlite_sync_ops,   /* store_*_sync.c (i12-cstore) */
};
