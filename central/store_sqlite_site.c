/*
 * store_sqlite_site.c — sites on the SQLite backend: a site row and one site_province row per
 * province served, written in the caller's transaction (store_site.c opens it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "store_sqlite_internal.h"

agenda_err central_sqlite_add_site(central_store *s, const central_site *site, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err =
	        central_sqlite_prepare(s,
	                               "INSERT INTO site(code, city, dirigente, created_at)"
	                               " VALUES(?1, ?2, ?3, ?4)",
	                               &st, why);
	int rc;

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, site->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, site->city, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, site->dirigente, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, site->created_at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return AG_ERR_EXISTS; /* store_site.c names it */
	err = central_sqlite_fail(s, rc, why);
	if (err == AG_OK)
		err = central_sqlite_prepare(
		        s, "INSERT INTO site_province(site, province) VALUES(?1, ?2)", &st, why);
	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, site->code, -1, SQLITE_STATIC);
	for (size_t i = 0; i < site->province_count && err == AG_OK; i++) {
		sqlite3_bind_text(st, 2, site->provinces[i], -1, SQLITE_STATIC);
		err = central_sqlite_fail(s, sqlite3_step(st), why);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return err;
}

/* The provinces of site->code, in order, into site. */
static agenda_err read_provinces(central_store *s, central_site *site, agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = central_sqlite_prepare(
	        s, "SELECT province FROM site_province WHERE site = ?1 ORDER BY province", &st,
	        why);
	int rc = SQLITE_DONE;

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, site->code, -1, SQLITE_STATIC);
	site->province_count = 0;
	while (site->province_count < CENTRAL_SITE_PROVINCES_MAX &&
	       (rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(site->provinces[site->province_count++], sizeof site->provinces[0], "%s",
		         central_sqlite_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? AG_OK : central_sqlite_fail(s, rc, why);
}

static void read_row(sqlite3_stmt *st, central_site *site)
{
	memset(site, 0, sizeof *site);
	snprintf(site->code, sizeof site->code, "%s", central_sqlite_text(st, 0));
	snprintf(site->city, sizeof site->city, "%s", central_sqlite_text(st, 1));
	snprintf(site->dirigente, sizeof site->dirigente, "%s", central_sqlite_text(st, 2));
	site->created_at = sqlite3_column_int64(st, 3);
}

agenda_err central_sqlite_get_site(central_store *s, const char *code, central_site *out,
                                   agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = central_sqlite_prepare(
	        s, "SELECT code, city, dirigente, created_at FROM site WHERE code = ?1", &st, why);
	int rc;

	if (err != AG_OK)
		return err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return AG_ERR_NOT_FOUND;
	err = central_sqlite_fail(s, rc, why);
	return err == AG_OK ? read_provinces(s, out, why) : err;
}

agenda_err central_sqlite_list_sites(central_store *s, central_site **out, size_t *count,
                                     agenda_detail *why)
{
	sqlite3_stmt *st;
	agenda_err err = central_sqlite_prepare(
	        s, "SELECT code, city, dirigente, created_at FROM site ORDER BY code", &st, why);
	size_t room = 0;
	int rc = SQLITE_DONE;

	if (err != AG_OK)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*count == room) {
			size_t more = room ? room * 2 : 8;
			central_site *grown = realloc(*out, more * sizeof **out);

			if (!grown) {
				sqlite3_finalize(st);
				agenda_detail_set(why, MSG_NOMEM);
				return AG_ERR_NOMEM;
			}
			*out = grown;
			room = more;
		}
		read_row(st, &(*out)[(*count)++]);
	}
	sqlite3_finalize(st);
	err = central_sqlite_fail(s, rc, why);
	for (size_t i = 0; i < *count && err == AG_OK; i++)
		err = read_provinces(s, &(*out)[i], why);
	return err;
}
