/*
 * store.h — agenda-central's storage: one narrow interface in the domain's words, two backends.
 *
 * SQLite (store_sqlite.c) is the embedded default: demo, pilot, one office. PostgreSQL 15
 * (store_pg.c, libpq) is the backend for the whole country. Both implement central_store_ops
 * with the same meaning; the schema of each, in its own dialect, sits side by side in schema.c.
 *
 * A slot lives in central's pool (no holder) until `allocate` hands it to one device (the holder,
 * by device id) and `release` hands it back. Allocation is atomic in the database itself — row
 * locks with SKIP LOCKED on PostgreSQL, the single writer of BEGIN IMMEDIATE on SQLite — so any
 * number of clients, each on its own connection, never receive the same slot twice.
 *
 * One central_store is one connection: not shared between threads (each thread opens its own).
 */
#ifndef AGENDA_CENTRAL_STORE_H
#define AGENDA_CENTRAL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/error.h"

/* The newest schema version this build knows (schema.c); a store at a newer one is refused. */
#define CENTRAL_SCHEMA_VERSION 5

#define CENTRAL_QUESTURA_CODE_MAX 16 /* "RM", "MI": province codes and a little room */
#define CENTRAL_HOLDER_MAX        64 /* a device id */

/* A Sportello Unico: where devices are enrolled and operators work (site add). */
#define CENTRAL_SITE_CODE_MAX      16 /* "ROMA", "MILANO2": upper-case letters and digits */
#define CENTRAL_SITE_PROVINCES_MAX 12
#define CENTRAL_CITY_MAX           100
#define CENTRAL_EMAIL_MAX          254

typedef struct central_site {
	char code[CENTRAL_SITE_CODE_MAX + 1];
	char city[CENTRAL_CITY_MAX + 1];
	char dirigente[CENTRAL_EMAIL_MAX + 1];         /* the head of the office's address */
	char provinces[CENTRAL_SITE_PROVINCES_MAX][3]; /* province codes = Questura codes served */
	size_t province_count;
	int64_t created_at; /* unix seconds */
} central_site;

/* One slot as central hands it out. */
typedef struct central_slot {
	int64_t id;
	agenda_day day;
	int minute; /* minutes since local midnight, as on the device */
} central_slot;

typedef struct central_store central_store;
struct central_admin_ops;
struct central_sync_ops;

/*
 * What a backend implements. The caller (store.c) has checked arguments and opened a
 * transaction where one is needed: begin/commit/rollback bracket every write below, and
 * allocate and release run inside that transaction.
 */
typedef struct central_store_ops {
	const char *name; /* "sqlite", "postgresql" */
	/* target is what follows the scheme prefix: a file path, or a libpq connection string. */
	agenda_err (*open)(central_store *s, const char *target, agenda_detail *why);
	void (*close)(central_store *s);
	/* SQLite: BEGIN IMMEDIATE (the write lock now, not at the first write); PostgreSQL: BEGIN.
	 */
	agenda_err (*begin)(central_store *s, agenda_detail *why);
	agenda_err (*commit)(central_store *s, agenda_detail *why);
	agenda_err (*rollback)(central_store *s);
	/* Applies the missing migrations in its own transaction; *version gets the result. */
	agenda_err (*create_schema)(central_store *s, int *version, agenda_detail *why);
	agenda_err (*add_questura)(central_store *s, const char *code, const char *name,
	                           agenda_detail *why);
	/* Adds one slot per minute on that day; minutes already there are kept (*added counts). */
	agenda_err (*add_slots)(central_store *s, const char *questura, agenda_day day,
	                        const int *minutes, size_t count, size_t *added,
	                        agenda_detail *why);
	/* Up to max free slots of questura in [first, last], earliest first, to holder. */
	agenda_err (*allocate)(central_store *s, const char *questura, agenda_day first,
	                       agenda_day last, const char *holder, size_t max, central_slot *out,
	                       size_t *got, agenda_detail *why);
	/* Back to the pool: those of ids that holder holds (*released counts them). */
	agenda_err (*release)(central_store *s, const char *holder, const int64_t *ids,
	                      size_t count, size_t *released, agenda_detail *why);
	/* Slots held by holder; NULL holder: slots free in central's pool. */
	agenda_err (*count)(central_store *s, const char *holder, int64_t *count,
	                    agenda_detail *why);

	/* sites (store_*_site.c) */
	agenda_err (*add_site)(central_store *s, const central_site *site, agenda_detail *why);
	/* AG_ERR_NOT_FOUND when there is no such site. */
	agenda_err (*get_site)(central_store *s, const char *code, central_site *out,
	                       agenda_detail *why);
	/* Every site by code into a malloc'd array (*out NULL when there are none). */
	agenda_err (*list_sites)(central_store *s, central_site **out, size_t *count,
	                         agenda_detail *why);

	/* the admin verbs' tables: Questure, closures, practices, operators, outbox */
	const struct central_admin_ops *admin; /* store_admin.h */
	/* enrolment, devices, throttling (store_enrol.h, i11-enrol) */
	const struct central_enrol_ops *enrol;
	/* sync: grants, change log, applied entries (store_sync.h, i12-cstore) */
	const struct central_sync_ops *sync;
} central_store_ops;

struct central_store {
	const central_store_ops *ops;
	int depth;  /* 1 inside a transaction the caller opened with central_store_begin */
	void *impl; /* the backend's own state */
};

extern const central_store_ops central_store_sqlite_ops;
extern const central_store_ops central_store_pg_ops;

/*
 * Opens a store named by a target:
 *   "sqlite:/var/lib/agenda-central/central.db" or a plain path   the SQLite backend
 *   "postgresql://user@/db?host=/run/postgresql" (or postgres://)  PostgreSQL, a libpq URI
 *   "pg:host=/run/postgresql dbname=agenda"                        PostgreSQL, libpq key=value
 * The schema is not touched: call central_store_create_schema. On success *out is the caller's
 * (central_store_close); on failure it is NULL and why says what went wrong.
 */
agenda_err central_store_open(const char *target, central_store **out, agenda_detail *why);

/* Safe on NULL; rolls back a transaction left open. */
void central_store_close(central_store *s);

/* "sqlite" or "postgresql". */
const char *central_store_backend(const central_store *s);

/*
 * Explicit transactions, for a caller that groups several calls (one level, no nesting).
 * Outside one, every call below is its own transaction. After a failed call inside one, the
 * caller rolls back.
 */
agenda_err central_store_begin(central_store *s, agenda_detail *why);
agenda_err central_store_commit(central_store *s, agenda_detail *why);
void central_store_rollback(central_store *s);

/*
 * Creates the schema or brings it to CENTRAL_SCHEMA_VERSION; idempotent, and safe when several
 * processes do it at once. AG_ERR_SCHEMA_NEWER when the store was made by a newer build.
 */
agenda_err central_store_create_schema(central_store *s, int *version, agenda_detail *why);

/* AG_ERR_EXISTS when the code is taken; AG_ERR_INVALID for an empty or overlong code. */
agenda_err central_store_add_questura(central_store *s, const char *code, const char *name,
                                      agenda_detail *why);

/*
 * A day's capacity: one slot per minute in minutes[] (each 0..1439) for questura on day, into
 * central's pool. Minutes that already have a slot are left as they are; *added (may be NULL)
 * says how many are new. AG_ERR_NOT_FOUND for an unknown questura.
 */
agenda_err central_store_add_slots(central_store *s, const char *questura, agenda_day day,
                                   const int *minutes, size_t count, size_t *added,
                                   agenda_detail *why);

/*
 * Moves up to max free slots of questura with day in [first, last] from central's pool to
 * holder, earliest first, atomically: concurrent callers never get the same slot. out (room
 * for max) gets them sorted by day, minute, id; *got how many. Fewer than max (even 0) means
 * the pool had no more free slots that no other transaction was taking at that moment.
 */
agenda_err central_store_allocate(central_store *s, const char *questura, agenda_day first,
                                  agenda_day last, const char *holder, size_t max,
                                  central_slot *out, size_t *got, agenda_detail *why);

/* Hands back to the pool those of ids that holder holds; *released (may be NULL) counts them. */
agenda_err central_store_release(central_store *s, const char *holder, const int64_t *ids,
                                 size_t count, size_t *released, agenda_detail *why);

/* Slots held by holder, or with holder NULL the slots free in central's pool. */
agenda_err central_store_count(central_store *s, const char *holder, int64_t *count,
                               agenda_detail *why);

/*
 * Adds a site (created_at is set by the caller). AG_ERR_INVALID, with why naming the field, for
 * a code not of 1..16 upper-case letters and digits, an empty or overlong city, an address that
 * is not one, no province or one that is not an Italian province code, or a province twice;
 * AG_ERR_EXISTS for a code already taken.
 */
agenda_err central_store_add_site(central_store *s, const central_site *site, agenda_detail *why);

/* The site with that code into *out; AG_ERR_NOT_FOUND (why says so) when there is none. */
agenda_err central_store_get_site(central_store *s, const char *code, central_site *out,
                                  agenda_detail *why);

/* Every site, ordered by code, as a malloc'd array for the caller to free. */
agenda_err central_store_list_sites(central_store *s, central_site **out, size_t *count,
                                    agenda_detail *why);

#endif
