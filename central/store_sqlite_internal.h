/*
 * store_sqlite_internal.h — what the SQLite backend's files share (store_sqlite.c and one file
 * per concept, store_sqlite_*.c): the connection, error mapping and statement preparation.
 * Not for anyone outside the backend.
 */
#ifndef AGENDA_CENTRAL_STORE_SQLITE_INTERNAL_H
#define AGENDA_CENTRAL_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

sqlite3 *central_sqlite_db(central_store *s);

/* Maps an SQLite result code to the project's (AG_OK for OK, DONE and ROW), filling why. */
agenda_err central_sqlite_fail(central_store *s, int rc, agenda_detail *why);

agenda_err central_sqlite_prepare(central_store *s, const char *sql, sqlite3_stmt **st,
                                  agenda_detail *why);

/* Column i as text, never NULL ("" for NULL). */
const char *central_sqlite_text(sqlite3_stmt *st, int i);

/* sites (store_sqlite_site.c) */
agenda_err central_sqlite_add_site(central_store *s, const central_site *site, agenda_detail *why);
agenda_err central_sqlite_get_site(central_store *s, const char *code, central_site *out,
                                   agenda_detail *why);
agenda_err central_sqlite_list_sites(central_store *s, central_site **out, size_t *count,
                                     agenda_detail *why);

#endif
