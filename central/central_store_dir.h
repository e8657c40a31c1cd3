/*
 * central_store_dir.h — central's folder names its store: `init` writes the target (a SQLite
 * path or a PostgreSQL connection string, which may carry a password: 0600) into
 * DIR/store.conf, and every other verb and `serve` open the store through it, so one
 * `--dir` is all a command needs.
 */
#ifndef AGENDA_CENTRAL_STORE_DIR_H
#define AGENDA_CENTRAL_STORE_DIR_H

#include "store.h"

#define CENTRAL_STORE_CONF "store.conf"

/* Writes DIR/store.conf (0600, never over an existing one). */
agenda_err central_store_conf_write(const char *dir, const char *target, agenda_detail *why);

/*
 * Opens the store DIR/store.conf names and brings its schema up to date (migrations are
 * idempotent and safe when several processes run them). AG_ERR_NOT_FOUND when DIR is not a
 * central folder; on failure *out is NULL and why says what went wrong.
 */
agenda_err central_store_open_dir(const char *dir, central_store **out, agenda_detail *why);

#endif
