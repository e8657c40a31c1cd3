/*
 * store.c — creating, opening, checking and migrating the SQLite file; statement cache;
 * transactions (nested ones as savepoints).
 *
 * A new file is built whole under a temporary name (0600, schema and first settings in place)
 * and linked to its name in one step, so two set-ups racing on a missing file leave exactly one
 * complete database and never a half-made one. An existing file that other users could read is
 * refused before SQLite touches it: it holds applicants' personal data (I7).
 */
#include "store/store.h"

#include <errno.h>
#include <stdbool.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/messages.h"
#include "platform/private_file.h"
#include "store/schema.h"

#define STMT_CACHE_FIRST 64 /* slots of a new cache; it doubles when half full */
#define PATH_MAX_LEN     4096

/* The one name every nested level uses: SQLite's savepoints stack, innermost first. */
#define SAVEPOINT_NAME "store_level"

struct cached_stmt {
	const char *sql; /* the static text's address is the key; NULL: empty slot */
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	char *path;
	struct timespec busy_since; /* when the current wait for another's lock began */
	struct cached_stmt *cache;  /* open addressing on the text's address */
	size_t cache_slots;         /* a power of two */
	size_t cached;
	int depth;    /* open transaction levels: 1 = BEGIN, more = savepoints */
	bool aborted; /* the whole transaction rolled back under open levels */
};

agenda_err store_error(store *s, int rc, agenda_detail *why)
{
	const char *text = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);

	/*
	 * SQLite reports some out-of-space writes as I/O errors (a -shm or WAL file that cannot
	 * grow is SQLITE_IOERR_SHMSIZE / _WRITE): the OS's errno tells the truth.
	 */
	if (s && s->db && (rc & 0xff) == SQLITE_IOERR &&
	    (sqlite3_system_errno(s->db) == ENOSPC || sqlite3_system_errno(s->db) == EDQUOT))
		rc = SQLITE_FULL;
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return AG_OK;
	case SQLITE_FULL:
		agenda_detail_set(why, MSG_STORE_DISK_FULL);
		return AG_ERR_DISK_FULL;
	case SQLITE_IOERR:
		/* A write that hit the end of the disk often surfaces as an I/O error on the WAL.
		 */
		agenda_detail_set(why, MSG_STORE_IO, text);
		return AG_ERR_IO;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		agenda_detail_set(why, MSG_STORE_CORRUPT, s ? s->path : "?");
		return AG_ERR_CORRUPT;
	case SQLITE_NOMEM:
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		/* Another program held the write lock for longer than the busy timeout. */
		agenda_detail_set(why, MSG_STORE_BUSY);
		return AG_ERR_BUSY;
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_READONLY:
		agenda_detail_set(why, MSG_STORE_CANTOPEN, s ? s->path : "?", text);
		return AG_ERR_IO;
	default:
		agenda_detail_set(why, MSG_STORE_FAILED, text);
		return AG_ERR_STORE;
	}
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static agenda_err quick_check(store *s, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = AG_OK;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_error(s, rc, why);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
		agenda_detail_set(why, MSG_STORE_CORRUPT, s->path);
		err = AG_ERR_CORRUPT;
	}
	sqlite3_finalize(st);
	return err;
}

static int table_count(sqlite3 *db, int *count)
{
	return pragma_int(db, "SELECT count(*) FROM sqlite_schema", count);
}

/*
 * Applies migrations user_version+1 .. SCHEMA_VERSION in one transaction. The version is read
 * again under the write lock: another program may have migrated the file meanwhile.
 */
static agenda_err migrate(store *s, agenda_detail *why)
{
	int from = SCHEMA_VERSION;
	int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = pragma_int(s->db, "PRAGMA user_version", &from);
	for (int v = from; rc == SQLITE_OK && v < SCHEMA_VERSION; v++)
		rc = sqlite3_exec(s->db, SCHEMA_MIGRATIONS[v], NULL, NULL, NULL);
	if (rc == SQLITE_OK && from < SCHEMA_VERSION) {
		char pragma[96];

		snprintf(pragma, sizeof pragma,
		         "PRAGMA user_version = %d; PRAGMA application_id = %d", SCHEMA_VERSION,
		         SCHEMA_APPLICATION_ID);
		rc = sqlite3_exec(s->db, pragma, NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		agenda_err err = store_error(s, rc, why);

		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return err;
	}
	return AG_OK;
}

/* Checks identity and version of an opened file; migrates it when allowed. */
static agenda_err check_and_migrate(store *s, int flags, agenda_detail *why)
{
	int app_id = 0, version = 0, tables = 0, rc;

	rc = pragma_int(s->db, "PRAGMA application_id", &app_id);
	if (rc == SQLITE_OK)
		rc = pragma_int(s->db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = table_count(s->db, &tables);
	if (rc != SQLITE_OK)
		return store_error(s, rc, why);
	if (app_id != SCHEMA_APPLICATION_ID && (app_id != 0 || tables > 0 || version > 0)) {
		agenda_detail_set(why, MSG_STORE_FOREIGN, s->path);
		return AG_ERR_CORRUPT;
	}
	if (version > SCHEMA_VERSION) {
		agenda_detail_set(why, MSG_STORE_NEWER, s->path, version, SCHEMA_VERSION);
		return AG_ERR_SCHEMA_NEWER;
	}
	if (!(flags & STORE_SKIP_CHECK) && tables > 0) {
		agenda_err err = quick_check(s, why);

		if (err != AG_OK)
			return err;
	}
	if (version == SCHEMA_VERSION)
		return AG_OK;
	if (version == 0 && !(flags & STORE_OPEN_CREATE)) {
		agenda_detail_set(why, MSG_STORE_NOT_INITIALISED, s->path);
		return AG_ERR_NOT_FOUND;
	}
	if (flags & STORE_READ_ONLY) {
		agenda_detail_set(why, MSG_STORE_NEEDS_MIGRATION, s->path);
		return AG_ERR_REFUSED;
	}
	return migrate(s, why);
}

/*
 * Waiting for another program's write lock: poll every STORE_BUSY_POLL_MS until
 * STORE_BUSY_TIMEOUT_MS have passed. SQLite's own sqlite3_busy_timeout backs off to 100 ms
 * sleeps, so a booking could sleep through the short gaps an import leaves between its batches;
 * a steady short poll takes the lock within milliseconds of its release.
 */
static int busy_poll(void *arg, int count)
{
	store *s = arg;
	struct timespec now, nap = {0, STORE_BUSY_POLL_MS * 1000000L};
	long waited_ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (count == 0)
		s->busy_since = now;
	waited_ms = (long)(now.tv_sec - s->busy_since.tv_sec) * 1000 +
	            (now.tv_nsec - s->busy_since.tv_nsec) / 1000000;
	if (waited_ms >= STORE_BUSY_TIMEOUT_MS)
		return 0; /* give up: SQLITE_BUSY, shown as "attendere" (AG_ERR_BUSY) */
	nanosleep(&nap, NULL);
	return 1;
}

void store_process_init(void)
{
	/* SQLITE_MISUSE once SQLite has initialised (a second call, a library that came first):
	 * then the statistics simply stay on. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Opens the SQLite connection on path and sets what every connection of ours needs. */
static agenda_err connect(store *s, int oflags, agenda_detail *why)
{
	int rc = sqlite3_open_v2(s->path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK)
		return store_error(s, rc, why);
	sqlite3_busy_handler(s->db, busy_poll, s);
	sqlite3_extended_result_codes(s->db, 1);
	return AG_OK;
}

/* Refuses path, path-wal or path-shm when another user could read it (I7). */
static agenda_err check_private(const char *path, agenda_detail *why)
{
	static const char *const SUFFIXES[] = {"", "-wal", "-shm"};
	char name[PATH_MAX_LEN];
	mode_t mode;

	for (size_t i = 0; i < sizeof SUFFIXES / sizeof SUFFIXES[0]; i++) {
		snprintf(name, sizeof name, "%s%s", path, SUFFIXES[i]);
		if (private_file_exposed(name, &mode)) {
			agenda_detail_set(why, MSG_STORE_EXPOSED, name, (unsigned)mode, name);
			return AG_ERR_REFUSED;
		}
	}
	return AG_OK;
}

static store *store_new(const char *path)
{
	store *s = calloc(1, sizeof *s);

	if (s && !(s->path = strdup(path))) {
		free(s);
		return NULL;
	}
	return s;
}

/* Schema and first settings into a fresh file, then one link(2) gives it its real name. */
agenda_err store_create(const char *path, const char *const *settings, agenda_detail *why)
{
	size_t n = path ? strlen(path) : 0;
	char tmp[PATH_MAX_LEN], *dir;
	store *s;
	agenda_err err = AG_OK;
	int fd;

	if (n == 0) {
		agenda_detail_set(why, MSG_STORE_NO_PATH);
		return AG_ERR_USAGE;
	}
	if (n + sizeof ".new-XXXXXX" > sizeof tmp) {
		agenda_detail_set(why, MSG_STORE_CANTOPEN, path, strerror(ENAMETOOLONG));
		return AG_ERR_IO;
	}
	snprintf(tmp, sizeof tmp, "%s", path);
	dir = dirname(tmp);
	if (private_dir_make(dir) != 0) {
		agenda_detail_set(why, MSG_STORE_CANTOPEN, path, strerror(errno));
		return AG_ERR_IO;
	}
	snprintf(tmp, sizeof tmp, "%s.new-XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) { /* 0600 whatever the umask */
		agenda_detail_set(why, MSG_STORE_CANTOPEN, path, strerror(errno));
		return AG_ERR_IO;
	}
	close(fd);
	if (!(s = store_new(tmp))) {
		unlink(tmp);
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	err = connect(s, SQLITE_OPEN_READWRITE, why);
	/*
	 * WAL before the file gets its name: the mode is kept in the file's header, so programs
	 * opening it at once never race to switch it (two switches from rollback mode can make
	 * one of them fail at once with SQLITE_BUSY, no busy handler asked).
	 */
	if (err == AG_OK &&
	    sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK)
		err = store_error(s, sqlite3_errcode(s->db), why);
	if (err == AG_OK)
		err = migrate(s, why);
	for (int i = 0; err == AG_OK && settings && settings[i]; i += 2)
		err = store_setting_set(s, settings[i], settings[i + 1], why);
	store_close(s);
	if (err == AG_OK && link(tmp, path) != 0 && errno != EEXIST) {
		agenda_detail_set(why, MSG_STORE_CANTOPEN, path, strerror(errno));
		err = AG_ERR_IO;
	}
	if (err == AG_OK)
		private_file_sync_parent(path); /* the new name, not only the bytes, is on disk */
	/* EEXIST: another program created it first; theirs is as good as ours. */
	unlink(tmp);
	return err;
}

agenda_err store_open(const char *path, int flags, store **out, agenda_detail *why)
{
	int oflags = (flags & STORE_READ_ONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	store *s = NULL;
	agenda_err err;
	int rc;

	*out = NULL;
	if (!path || !path[0]) {
		agenda_detail_set(why, MSG_STORE_NO_PATH);
		return AG_ERR_USAGE;
	}
	if (access(path, F_OK) != 0) {
		if (!(flags & STORE_OPEN_CREATE) || (flags & STORE_READ_ONLY)) {
			agenda_detail_set(why, MSG_STORE_NOT_INITIALISED, path);
			return AG_ERR_NOT_FOUND;
		}
		if ((err = store_create(path, NULL, why)) != AG_OK)
			return err;
	}
	if ((err = check_private(path, why)) != AG_OK)
		return err;
	if (!(s = store_new(path))) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	if ((err = connect(s, oflags, why)) != AG_OK)
		goto fail;
	/*
	 * Read the header before anything writes: journal_mode=WAL on a foreign or corrupt file
	 * would already change it. NOTADB shows up here for files that are not SQLite at all.
	 */
	err = check_and_migrate(s, flags, why);
	if (err != AG_OK)
		goto fail;
	if (!(flags & STORE_READ_ONLY)) {
		/* secure_delete: a deleted row (a replaced password message) leaves no bytes
		 * behind. */
		rc = sqlite3_exec(s->db,
		                  "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		                  "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;",
		                  NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			err = store_error(s, rc, why);
			goto fail;
		}
	}
	*out = s;
	return AG_OK;
fail:
	store_close(s);
	return err;
}

void store_checkpoint(store *s)
{
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

void store_close(store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cache_slots; i++)
		if (s->cache[i].sql)
			sqlite3_finalize(s->cache[i].stmt);
	free(s->cache);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

sqlite3 *store_db(store *s)
{
	return s->db;
}

const char *store_path(const store *s)
{
	return s->path;
}

/* Fibonacci hashing of the text's address: static strings are close together. */
static size_t cache_index(const char *sql, size_t slots)
{
	uint64_t h = (uint64_t)(uintptr_t)sql * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (slots - 1);
}

static struct cached_stmt *cache_find(struct cached_stmt *cache, size_t slots, const char *sql)
{
	size_t i = cache_index(sql, slots);

	while (cache[i].sql && cache[i].sql != sql)
		i = (i + 1) & (slots - 1);
	return &cache[i];
}

/* Doubles the table (or makes the first one); false when out of memory. */
static bool cache_grow(store *s)
{
	size_t slots = s->cache_slots ? s->cache_slots * 2 : STMT_CACHE_FIRST;
	struct cached_stmt *bigger = calloc(slots, sizeof *bigger);

	if (!bigger)
		return false;
	for (size_t i = 0; i < s->cache_slots; i++)
		if (s->cache[i].sql)
			*cache_find(bigger, slots, s->cache[i].sql) = s->cache[i];
	free(s->cache);
	s->cache = bigger;
	s->cache_slots = slots;
	return true;
}

/*
 * Every static text is prepared once per connection and kept: the cache grows (never evicts)
 * as the services add statements, so no statement is ever silently prepared again per call.
 */
sqlite3_stmt *store_stmt(store *s, const char *sql, agenda_detail *why)
{
	struct cached_stmt *slot;
	sqlite3_stmt *st;
	int rc;

	if (s->cache_slots) {
		slot = cache_find(s->cache, s->cache_slots, sql);
		if (slot->sql) {
			sqlite3_reset(slot->stmt);
			sqlite3_clear_bindings(slot->stmt);
			return slot->stmt;
		}
	}
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		store_error(s, rc, why);
		return NULL;
	}
	if ((s->cached + 1) * 2 > s->cache_slots && !cache_grow(s)) {
		sqlite3_finalize(st);
		agenda_detail_set(why, MSG_NOMEM);
		return NULL;
	}
	slot = cache_find(s->cache, s->cache_slots, sql);
	slot->sql = sql;
	slot->stmt = st;
	s->cached++;
	return st;
}

size_t store_stmt_count(const store *s)
{
	return s->cached;
}

agenda_err store_step_done(store *s, sqlite3_stmt *st, agenda_detail *why)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return AG_OK;
	return store_error(s, rc, why);
}

/* Runs one of the transaction statements, prepared once like any other. */
static int run_control(store *s, const char *sql)
{
	sqlite3_stmt *st = store_stmt(s, sql, NULL);
	int rc;

	if (!st)
		return sqlite3_errcode(s->db) != SQLITE_OK ? sqlite3_errcode(s->db) : SQLITE_NOMEM;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static const char BEGIN_SQL[] = "BEGIN IMMEDIATE";
static const char COMMIT_SQL[] = "COMMIT";
static const char ROLLBACK_SQL[] = "ROLLBACK";
static const char SAVEPOINT_SQL[] = "SAVEPOINT " SAVEPOINT_NAME;
static const char RELEASE_SQL[] = "RELEASE " SAVEPOINT_NAME;
static const char ROLLBACK_TO_SQL[] = "ROLLBACK TO " SAVEPOINT_NAME;

/*
 * The transaction under open levels is gone (SQLite rolls a whole transaction back on some
 * errors, e.g. a full disk; or a nested commit failed): every open level now fails to commit.
 */
static void abort_levels(store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		run_control(s, ROLLBACK_SQL);
	s->aborted = s->depth > 0;
}

agenda_err store_begin(store *s, agenda_detail *why)
{
	int rc;

	if (s->depth > 0 && (s->aborted || sqlite3_get_autocommit(s->db))) {
		/* Nothing to nest in: the enclosing transaction was already rolled back. */
		s->aborted = true;
		agenda_detail_set(why, MSG_STORE_FAILED, "transaction rolled back");
		return AG_ERR_STORE;
	}
	rc = run_control(s, s->depth == 0 ? BEGIN_SQL : SAVEPOINT_SQL);
	if (rc != SQLITE_OK)
		return store_error(s, rc, why);
	s->depth++;
	return AG_OK;
}

agenda_err store_commit(store *s, agenda_detail *why)
{
	agenda_err err;
	int rc;

	if (s->depth > 1 && !s->aborted && !sqlite3_get_autocommit(s->db)) {
		/* A nested level's work joins its parent's; it is durable with the outermost. */
		if ((rc = run_control(s, RELEASE_SQL)) == SQLITE_OK) {
			s->depth--;
			return AG_OK;
		}
	} else if (s->depth <= 1 && !s->aborted) {
		rc = run_control(s, COMMIT_SQL);
		if (rc == SQLITE_OK) {
			s->depth = 0;
			return AG_OK;
		}
	} else {
		rc = SQLITE_ABORT; /* an enclosing or inner failure already rolled it all back */
	}
	/* SQLite may keep the transaction open after a failed COMMIT (e.g. SQLITE_FULL). */
	err = rc == SQLITE_ABORT ? AG_ERR_STORE : store_error(s, rc, why);
	if (rc == SQLITE_ABORT)
		agenda_detail_set(why, MSG_STORE_FAILED, "transaction rolled back");
	abort_levels(s);
	if (s->depth > 0)
		s->depth--;
	s->aborted = s->depth > 0;
	return err;
}

void store_rollback(store *s)
{
	if (s->depth > 1 && !s->aborted && !sqlite3_get_autocommit(s->db) &&
	    run_control(s, ROLLBACK_TO_SQL) == SQLITE_OK &&
	    run_control(s, RELEASE_SQL) == SQLITE_OK) {
		s->depth--; /* only this level's work is undone; the parent goes on */
		return;
	}
	if (s->depth > 1)
		abort_levels(s);
	else if (!sqlite3_get_autocommit(s->db))
		run_control(s, ROLLBACK_SQL);
	if (s->depth > 0)
		s->depth--;
	s->aborted = s->aborted && s->depth > 0;
}

void store_column_text(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	size_t n = t ? (size_t)sqlite3_column_bytes(st, col) : 0;

	if (size == 0)
		return;
	if (n >= size)
		n = size - 1; /* may cut a UTF-8 sequence, as snprintf did */
	memcpy(out, t ? t : "", n);
	out[n] = '\0';
}

agenda_err store_query_one(store *s, const char *sql, const char *key, int64_t id,
                           store_row_fn read, void *out, agenda_detail *why)
{
	sqlite3_stmt *st = store_stmt(s, sql, why);
	int rc;

	if (!st)
		return AG_ERR_STORE;
	if (key)
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return AG_OK;
	return rc == SQLITE_DONE ? AG_ERR_NOT_FOUND : store_error(s, rc, why);
}

bool store_setting_get(store *s, const char *key, char *out, size_t size)
{
	static const char SQL[] = "SELECT value FROM setting WHERE key = ?";
	sqlite3_stmt *st = store_stmt(s, SQL, NULL);
	bool found = false;

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
		found = true;
	}
	sqlite3_reset(st);
	return found;
}

agenda_err store_setting_set(store *s, const char *key, const char *value, agenda_detail *why)
{
	static const char SQL[] = "INSERT INTO setting(key, value) VALUES(?, ?)"
	                          " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
	sqlite3_stmt *st = store_stmt(s, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return store_step_done(s, st, why);
}
