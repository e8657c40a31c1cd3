/*
 * store_pg_site.c — sites on the PostgreSQL backend: a site row and one site_province row per
 * province served, written in the caller's transaction (store_site.c opens it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "store_pg_internal.h"

agenda_err central_pg_add_site(central_store *s, const central_site *site, agenda_detail *why)
{
	char created[24];
	const char *params[] = {site->code, site->city, site->dirigente, created};
	agenda_err err;

	snprintf(created, sizeof created, "%" PRId64, site->created_at);
	err = central_pg_run(s,
	                     "INSERT INTO site(code, city, dirigente, created_at)"
	                     " VALUES($1, $2, $3, $4)",
	                     4, params, PGRES_COMMAND_OK, NULL, why);
	for (size_t i = 0; i < site->province_count && err == AG_OK; i++) {
		const char *pair[] = {site->code, site->provinces[i]};

		err = central_pg_run(s, "INSERT INTO site_province(site, province) VALUES($1, $2)",
		                     2, pair, PGRES_COMMAND_OK, NULL, why);
	}
	return err;
}

/* Rows of code, city, dirigente, created_at, provinces (comma-separated) into sites[]. */
static void read_rows(PGresult *r, central_site *sites)
{
	for (int i = 0; i < PQntuples(r); i++) {
		central_site *site = &sites[i];
		const char *p = PQgetvalue(r, i, 4);

		memset(site, 0, sizeof *site);
		snprintf(site->code, sizeof site->code, "%s", PQgetvalue(r, i, 0));
		snprintf(site->city, sizeof site->city, "%s", PQgetvalue(r, i, 1));
		snprintf(site->dirigente, sizeof site->dirigente, "%s", PQgetvalue(r, i, 2));
		site->created_at = strtoll(PQgetvalue(r, i, 3), NULL, 10);
		while (*p && site->province_count < CENTRAL_SITE_PROVINCES_MAX) {
			size_t n = strcspn(p, ",");

			snprintf(site->provinces[site->province_count++], sizeof site->provinces[0],
			         "%.*s", (int)n, p);
			p += n + (p[n] == ',');
		}
	}
}

#define SITE_SELECT                                                                                \
	"SELECT code, city, dirigente, created_at, coalesce((SELECT string_agg(province, ','"      \
	" ORDER BY province) FROM site_province WHERE site = code), '') FROM site"

agenda_err central_pg_get_site(central_store *s, const char *code, central_site *out,
                               agenda_detail *why)
{
	const char *params[] = {code};
	PGresult *r;
	agenda_err err = central_pg_run(s, SITE_SELECT " WHERE code = $1", 1, params,
	                                PGRES_TUPLES_OK, &r, why);

	if (err != AG_OK)
		return err;
	if (PQntuples(r) == 0)
		err = AG_ERR_NOT_FOUND;
	else
		read_rows(r, out);
	PQclear(r);
	return err;
}

agenda_err central_pg_list_sites(central_store *s, central_site **out, size_t *count,
                                 agenda_detail *why)
{
	PGresult *r;
	agenda_err err =
	        central_pg_run(s, SITE_SELECT " ORDER BY code", 0, NULL, PGRES_TUPLES_OK, &r, why);

	if (err != AG_OK)
		return err;
	if (PQntuples(r) > 0) {
		*out = calloc((size_t)PQntuples(r), sizeof **out);
		if (!*out) {
			PQclear(r);
			agenda_detail_set(why, MSG_NOMEM);
			return AG_ERR_NOMEM;
		}
		read_rows(r, *out);
		*count = (size_t)PQntuples(r);
	}
	PQclear(r);
	return AG_OK;
}
