/*
 * store.h — the device's one SQLite file: open, migrate, transactions, prepared statements.
 *
 * The file is in WAL mode with synchronous=FULL, so a COMMIT returns only after the log is on
 * disk: a booking is durable before anything shows it (invariant I1). Opening checks that the
 * file is ours (application_id), not from newer firmware (user_version) and sound
 * (PRAGMA quick_check), and refuses it otherwise without writing. A store handle belongs to one
 * thread; each worker opens its own.
 */
#ifndef AGENDA_STORE_STORE_H
#define AGENDA_STORE_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct store store;

enum store_open_flags {
	STORE_OPEN_EXISTING = 0,
	STORE_OPEN_CREATE = 1, /* create the file and the schema if missing */
	STORE_SKIP_CHECK = 2,  /* skip quick_check (benchmarks on very large files) */
	STORE_READ_ONLY = 4    /* diagnostics: never writes, refuses a file that needs migrating */
};

/*
 * How long a statement waits for another program's write lock before AG_ERR_BUSY, and how
 * often it looks again meanwhile (a steady short poll, not SQLite's growing back-off).
 */
#define STORE_BUSY_TIMEOUT_MS 5000
#define STORE_BUSY_POLL_MS    2

/*
 * Process-wide SQLite settings: call once at the start of a program, before any thread and
 * before any store is opened (later calls change nothing). It turns SQLite's memory statistics
 * off: they take a global mutex on every allocation, ~6% of a booking's instructions
 * (docs/PERFORMANCE.md), and nothing here reads them.
 */
void store_process_init(void);

/*
 * Opens the file at path. With STORE_OPEN_CREATE a missing file is made by store_create first.
 * A file (or its -wal/-shm) that group or others may access is refused (AG_ERR_REFUSED, the
 * detail gives the chmod that fixes it); so is an empty path (AG_ERR_USAGE).
 */
agenda_err store_open(const char *path, int flags, store **out, agenda_detail *why);
void store_close(store *s);

/*
 * Creates the database at path atomically, mode 0600 (its folder 0700 if missing): schema and
 * the settings given as key, value, ..., NULL are written under a temporary name that is then
 * linked to path. AG_OK also when another program created path first (its file is kept).
 */
agenda_err store_create(const char *path, const char *const *settings, agenda_detail *why);

/* Folds the WAL into the file and empties it (best effort): old page images leave the disk. */
void store_checkpoint(store *s);

/* The SQLite handle, for the store's own query modules only. */
sqlite3 *store_db(store *s);

/*
 * A prepared statement for a static SQL text, cached by the text's address and reset before it
 * is returned. Each text is prepared once per handle: the cache grows with the number of texts
 * and never evicts. NULL on a prepare error or no memory (detail in why).
 */
sqlite3_stmt *store_stmt(store *s, const char *sql, agenda_detail *why);

/* How many statements the handle has prepared and keeps (for tests and diagnostics). */
size_t store_stmt_count(const store *s);

/*
 * Transactions. The outermost store_begin is BEGIN IMMEDIATE, store_commit its COMMIT (durable
 * before it returns). Called inside an open transaction, store_begin opens a savepoint instead:
 * its store_commit hands the work to the enclosing level (durable only when the outermost
 * commits), its store_rollback undoes that level's work alone, so a service that makes its own
 * transaction can also run inside a caller's. A failed commit leaves nothing half-written and
 * closes its level (a store_rollback after it is harmless); if SQLite itself rolled the whole
 * transaction back (disk full, a failed nested commit), every level still open fails to commit.
 */
agenda_err store_begin(store *s, agenda_detail *why);
agenda_err store_commit(store *s, agenda_detail *why);
void store_rollback(store *s);

/* Maps a SQLite result code to agenda_err and fills a detail (disk full, corrupt, ...). */
agenda_err store_error(store *s, int sqlite_rc, agenda_detail *why);

/* Runs a statement to completion (no rows expected); maps errors. */
agenda_err store_step_done(store *s, sqlite3_stmt *st, agenda_detail *why);

/* Copies a text column into out ("" for NULL), truncating only to size - 1 bytes. */
void store_column_text(sqlite3_stmt *st, int col, char *out, size_t size);

/*
 * Runs a cached single-row query whose one parameter is key (text), or id when key is NULL,
 * and hands the row to read(st, out). AG_ERR_NOT_FOUND when there is no row (why untouched),
 * a mapped store error otherwise.
 */
typedef void (*store_row_fn)(sqlite3_stmt *st, void *out);
agenda_err store_query_one(store *s, const char *sql, const char *key, int64_t id,
                           store_row_fn read, void *out, agenda_detail *why);

/* Settings (key/value) of the device: site, device id, texts. get returns false if unset. */
bool store_setting_get(store *s, const char *key, char *out, size_t size);
agenda_err store_setting_set(store *s, const char *key, const char *value, agenda_detail *why);

/* The path the store was opened on (for messages). */
const char *store_path(const store *s);

#endif
