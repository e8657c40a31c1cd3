/*
 * store_pg_internal.h — what the PostgreSQL backend's files share (store_pg.c and one file per
 * concept, store_pg_*.c): the connection and one way to run a statement with text parameters.
 * Not for anyone outside the backend.
 */
#ifndef AGENDA_CENTRAL_STORE_PG_INTERNAL_H
#define AGENDA_CENTRAL_STORE_PG_INTERNAL_H

#include <libpq-fe.h>

#include "store.h"

PGconn *central_pg_conn(central_store *s);

/* Maps a failed result (or a lost connection) to the project's codes; clears r. */
agenda_err central_pg_fail(central_store *s, PGresult *r, agenda_detail *why);

/*
 * Runs sql with text parameters (NULL for SQL NULL); AG_OK when its status is want. *out (may be
 * NULL) keeps the rows for the caller to PQclear. AG_ERR_EXISTS on a unique violation: the
 * caller names what exists.
 */
agenda_err central_pg_run(central_store *s, const char *sql, int nparams, const char *const *params,
                          ExecStatusType want, PGresult **out, agenda_detail *why);

/* sites (store_pg_site.c) */
agenda_err central_pg_add_site(central_store *s, const central_site *site, agenda_detail *why);
agenda_err central_pg_get_site(central_store *s, const char *code, central_site *out,
                               agenda_detail *why);
agenda_err central_pg_list_sites(central_store *s, central_site **out, size_t *count,
                                 agenda_detail *why);

#endif
