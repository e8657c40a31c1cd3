/*
 * central_site.c — `agenda-central site add|list`: the Sportelli Unici devices and operators
 * belong to. A site names the provinces it serves (their Questure get its bookings, their
 * practices go to its devices) and its Dirigente's address (generated passwords go there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_args.h"
#include "platform/clock.h"
#include "store.h"

static json_t *site_json(const central_site *site)
{
	json_t *provinces = json_array();

	for (size_t i = 0; i < site->province_count; i++)
		json_array_append_new(provinces, json_string(site->provinces[i]));
	return json_pack("{s:s, s:s, s:o, s:s, s:I}", "code", site->code, "city", site->city,
	                 "provinces", provinces, "dirigente", site->dirigente, "created_at",
	                 (json_int_t)site->created_at);
}

/* "RM, LT" into out. */
static void provinces_text(const central_site *site, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < site->province_count && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "",
		                         site->provinces[i]);
}

int central_site_add(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0},
	                          {"--code", true, 1, {0}, 0},
	                          {"--city", true, 1, {0}, 0},
	                          {"--province", true, CENTRAL_SITE_PROVINCES_MAX, {0}, 0},
	                          {"--dirigente", true, 1, {0}, 0}};
	central_site site = {0};
	central_store *s = NULL;
	int64_t seconds = 0;
	agenda_clock clock;
	agenda_detail why;
	agenda_err err;
	int status = central_args_parse(c, argc, argv, o, 5);

	if (status != CENTRAL_EXIT_OK)
		return status;
	if (clock_from_env(&clock, &seconds) != AG_OK)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_ARG, CLOCK_ENV);
	if (strlen(central_opt(&o[1])) > CENTRAL_SITE_CODE_MAX)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_SITE_BAD_CODE,
		                        central_opt(&o[1]), CENTRAL_SITE_CODE_MAX);
	if (strlen(central_opt(&o[2])) > CENTRAL_CITY_MAX)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_SITE_BAD_CITY,
		                        CENTRAL_CITY_MAX);
	if (strlen(central_opt(&o[4])) > CENTRAL_EMAIL_MAX)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_SITE_BAD_EMAIL,
		                        central_opt(&o[4]));
	snprintf(site.code, sizeof site.code, "%s", central_opt(&o[1]));
	snprintf(site.city, sizeof site.city, "%s", central_opt(&o[2]));
	snprintf(site.dirigente, sizeof site.dirigente, "%s", central_opt(&o[4]));
	for (int i = 0; i < o[3].count; i++) {
		if (strlen(o[3].values[i]) != 2)
			return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_SITE_BAD_PROVINCE,
			                        o[3].values[i]);
		snprintf(site.provinces[site.province_count++], sizeof site.provinces[0], "%s",
		         o[3].values[i]);
	}
	site.created_at = clock_now(&clock);
	status = central_open_store(c, central_opt(&o[0]), &s);
	if (status != CENTRAL_EXIT_OK)
		return status;
	err = central_store_add_site(s, &site, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	if (c->json) {
		central_emit(site_json(&site));
	} else {
		char provinces[CENTRAL_SITE_PROVINCES_MAX * 4 + 1];

		provinces_text(&site, provinces, sizeof provinces);
		printf(msg_get(MSG_CENTRAL_SITE_ADDED, c->lang), site.code, site.city, provinces,
		       site.dirigente);
		printf("\n");
	}
	return CENTRAL_EXIT_OK;
}

int central_site_list(const struct central_cli *c, int argc, char **argv)
{
	central_site *sites = NULL;
	central_store *s = NULL;
	size_t count = 0;
	agenda_detail why;
	agenda_err err;
	int status = central_args_open_dir(c, argc, argv, &s);

	if (status != CENTRAL_EXIT_OK)
		return status;
	err = central_store_list_sites(s, &sites, &count, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	if (c->json) {
		json_t *list = json_array();

		for (size_t i = 0; i < count; i++)
			json_array_append_new(list, site_json(&sites[i]));
		central_emit(json_pack("{s:o}", "sites", list));
	} else if (count == 0) {
		printf("%s\n", msg_get(MSG_CENTRAL_SITE_NONE, c->lang));
	}
	for (size_t i = 0; i < count && !c->json; i++) {
		char provinces[CENTRAL_SITE_PROVINCES_MAX * 4 + 1];

		provinces_text(&sites[i], provinces, sizeof provinces);
		printf("%-16s %-24s %-20s %s\n", sites[i].code, sites[i].city, provinces,
		       sites[i].dirigente);
	}
	free(sites);
	return CENTRAL_EXIT_OK;
}
