/*
 * central_questura.c — `agenda-central questura add|list|set`: the Questure whose agenda central
 * keeps, by their province's code. A Questura's calendar is the national one plus its city's
 * patron saint (known for the cities core/calendar.c lists, else given with --patron) and its
 * closures (central_calendar.c). Its address (--email) is where the devices send the lists of
 * appointments they fixed each day (issue 13); it reaches them with the Questura at their next
 * sync.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "central_args.h"
#include "store_admin.h"

/* "06-29", or "" when there is none. */
static void patron_text(const central_questura *q, char out[8])
{
	out[0] = '\0';
	if (q->patron_month)
		snprintf(out, 8, "%02d-%02d", q->patron_month % 100, q->patron_day % 100);
}

static json_t *questura_json(const central_questura *q)
{
	char patron[8];

	patron_text(q, patron);
	return json_pack("{s:s, s:s, s:s?, s:s?}", "code", q->code, "name", q->name, "patron",
	                 patron[0] ? patron : NULL, "email", q->email[0] ? q->email : NULL);
}

/* The city a Questura's name holds: "Questura di Roma" and "Roma" both give "Roma". */
static const char *city_of(const char *name)
{
	static const char PREFIX[] = "questura di ";

	return strncasecmp(name, PREFIX, sizeof PREFIX - 1) == 0 ? name + sizeof PREFIX - 1 : name;
}

/* --patron MM-DD, or the patron of the city the name holds; false when the text is malformed. */
static bool read_patron(const char *text, central_questura *q)
{
	char tail;

	if (text)
		return sscanf(text, "%2d-%2d%c", &q->patron_month, &q->patron_day, &tail) == 2;
	if (!cal_patron_for_city(city_of(q->name), &q->patron_month, &q->patron_day))
		q->patron_month = q->patron_day = 0; /* none on file: national calendar only */
	return true;
}

int central_questura_add(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0},
	                          {"--code", true, 1, {0}, 0},
	                          {"--name", true, 1, {0}, 0},
	                          {"--patron", false, 1, {0}, 0},
	                          {"--email", false, 1, {0}, 0}};
	central_questura q = {0};
	central_store *s = NULL;
	agenda_detail why;
	agenda_err err;
	char patron[8];
	int status = central_args_parse(c, argc, argv, o, 5);

	if (status != CENTRAL_EXIT_OK)
		return status;
	snprintf(q.code, sizeof q.code, "%s", central_opt(&o[1]));
	if (strlen(central_opt(&o[2])) > CENTRAL_QUESTURA_NAME_MAX)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_QUESTURA_BAD_NAME,
		                        CENTRAL_QUESTURA_NAME_MAX);
	snprintf(q.name, sizeof q.name, "%s", central_opt(&o[2]));
	if (!read_patron(central_opt(&o[3]), &q))
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_PATRON_TEXT,
		                        central_opt(&o[3]));
	if (central_opt(&o[4]) && strlen(central_opt(&o[4])) > CENTRAL_QUESTURA_EMAIL_MAX)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_QUESTURA_BAD_EMAIL,
		                        central_opt(&o[4]), CENTRAL_QUESTURA_EMAIL_MAX);
	snprintf(q.email, sizeof q.email, "%s", central_opt(&o[4]) ? central_opt(&o[4]) : "");
	status = central_open_store(c, central_opt(&o[0]), &s);
	if (status != CENTRAL_EXIT_OK)
		return status;
	err = central_store_add_questura_full(s, &q, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	patron_text(&q, patron);
	if (c->json) {
		central_emit(questura_json(&q));
	} else {
		printf(msg_get(MSG_CENTRAL_QUESTURA_ADDED, c->lang), q.code, q.name,
		       patron[0] ? patron : msg_get(MSG_CENTRAL_NO_PATRON, c->lang));
		printf("\n");
	}
	return CENTRAL_EXIT_OK;
}

int central_questura_list(const struct central_cli *c, int argc, char **argv)
{
	central_questura *list = NULL;
	central_store *s = NULL;
	size_t count = 0;
	agenda_detail why;
	agenda_err err;
	int status = central_args_open_dir(c, argc, argv, &s);

	if (status != CENTRAL_EXIT_OK)
		return status;
	err = central_store_list_questure(s, &list, &count, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	if (c->json) {
		json_t *array = json_array();

		for (size_t i = 0; i < count; i++)
			json_array_append_new(array, questura_json(&list[i]));
		central_emit(json_pack("{s:o}", "questure", array));
	} else if (count == 0) {
		printf("%s\n", msg_get(MSG_CENTRAL_QUESTURA_NONE, c->lang));
	}
	for (size_t i = 0; i < count && !c->json; i++) {
		char patron[8];

		patron_text(&list[i], patron);
		printf("%-4s %-40s %-5s %s\n", list[i].code, list[i].name, patron[0] ? patron : "-",
		       list[i].email[0] ? list[i].email : "-");
	}
	free(list);
	return CENTRAL_EXIT_OK;
}

int central_questura_set(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0},
	                          {"--code", true, 1, {0}, 0},
	                          {"--email", false, 1, {0}, 0}}; /* given, but "" clears it */
	central_store *s = NULL;
	agenda_detail why;
	agenda_err err;
	const char *email;
	int status = central_args_parse(c, argc, argv, o, 3);

	if (status != CENTRAL_EXIT_OK)
		return status;
	if (!(email = central_opt(&o[2])))
		return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_MISSING, "--email");
	status = central_open_store(c, central_opt(&o[0]), &s);
	if (status != CENTRAL_EXIT_OK)
		return status;
	err = central_store_set_questura_email(s, central_opt(&o[1]), email, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	if (c->json) {
		central_emit(json_pack("{s:s, s:s?}", "code", central_opt(&o[1]), "email",
		                       email[0] ? email : NULL));
	} else {
		printf(msg_get(MSG_CENTRAL_QUESTURA_EMAIL_SET, c->lang), central_opt(&o[1]),
		       email[0] ? email : msg_get(MSG_CENTRAL_QUESTURA_EMAIL_NONE, c->lang));
		printf("\n");
	}
	return CENTRAL_EXIT_OK;
}
