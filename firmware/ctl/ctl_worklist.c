/*
 * ctl_worklist.c — `agendactl worklist [--all]` and `agendactl worklist done ID`: the items an
 * operator must look at by hand after central changed something under a booked appointment
 * (services/worklist.h). Both log in: items name practice numbers, so a tecnico is refused.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ctl/ctl.h"
#include "services/worklist.h"

struct worklist_sink {
	struct ctl *c;
	int count;
};

static void print_item(void *arg, const struct worklist_item *it)
{
	struct worklist_sink *sink = arg;
	struct ctl *c = sink->c;
	agenda_day day;
	int minute;
	char when[DATE_TEXT_MAX];

	sink->count++;
	if (c->json) {
		ctl_emit(json_pack(
		        "{s:I, s:s, s:o, s:s?, s:s?, s:s, s:s, s:o, s:s?}", "id",
		        (json_int_t)it->id, "kind", it->kind, "created_at",
		        ctl_json_epoch(it->created_at), "appointment_id",
		        it->appointment_id[0] ? it->appointment_id : NULL, "numero_pratica",
		        it->numero_pratica[0] ? it->numero_pratica : NULL, "detail", it->detail,
		        "what", msg_get(worklist_kind_message(it->kind), c->lang), "done_at",
		        ctl_json_epoch(it->done_at), "done_by",
		        it->done_by[0] ? it->done_by : NULL));
		return;
	}
	clock_local(it->created_at, &day, &minute);
	date_format(day, when, sizeof when);
	ctl_say(c, it->done_at ? MSG_CTL_WORKLIST_LINE_DONE : MSG_CTL_WORKLIST_LINE,
	        (long long)it->id, when, minute / 60, minute % 60,
	        it->numero_pratica[0] ? it->numero_pratica : "-",
	        it->appointment_id[0] ? it->appointment_id : "-",
	        msg_get(worklist_kind_message(it->kind), c->lang), it->done_by);
}

int ctl_worklist(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"--all", false, NULL}};
	struct worklist_sink sink = {c, 0};
	agenda_detail why = {{0}, {0}};
	int status = ctl_parse(c, argc, argv, opts, 1, NULL, 0, 0);
	agenda_err err;

	if (status != EXIT_OK || (status = ctl_login(c)))
		return status;
	if ((err = session_require_personal_data(&c->session, &why)) ||
	    (err = worklist_list(&c->ctx, opts[0].value == NULL, print_item, &sink, &why)))
		return ctl_fail(c, err, &why);
	if (!c->json)
		ctl_say(c, MSG_CTL_WORKLIST_COUNT, sink.count);
	return EXIT_OK;
}

int ctl_worklist_done(struct ctl *c, int argc, char **argv)
{
	agenda_detail why = {{0}, {0}};
	const char *text = NULL;
	int status = ctl_parse(c, argc, argv, NULL, 0, &text, 1, 1);
	agenda_err err;
	long long id;
	char *end;

	if (status != EXIT_OK)
		return status;
	id = strtoll(text, &end, 10);
	if (end == text || *end || id <= 0)
		return ctl_usage(c, MSG_CTL_WORKLIST_BAD_ID, text);
	if ((status = ctl_login(c)))
		return status;
	if ((err = worklist_done(&c->ctx, &c->session, id, &why)) != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json)
		ctl_emit(json_pack("{s:I, s:b}", "id", (json_int_t)id, "done", 1));
	else
		ctl_say(c, MSG_CTL_WORKLIST_DONE, id);
	return EXIT_OK;
}
