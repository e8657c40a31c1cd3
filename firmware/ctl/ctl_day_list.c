/*
 * ctl_day_list.c — the end-of-day lists from the shell (issue 13): `day print` (one Questura's
 * list, or each of the day's, on the printer, one job each), `day configure` (close time and
 * empty lists) and the lines `close-day` adds about the lists and the emails it queued.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "print/day_list_print.h"
#include "print/printer_choice.h"
#include "printer/profile.h"
#include "services/day_list.h"

#define OPTS(a)             (sizeof(a) / sizeof((a)[0]))
#define PRINT_WAIT_EXTRA_MS 15000

void ctl_day_close_report(struct ctl *c, const struct day_close_report *rep)
{
	ctl_say(c, MSG_CTL_DAY_LISTS, rep->versions, rep->messages);
	for (int i = 0; i < rep->without_email && i < DAY_CLOSE_NO_EMAIL_MAX; i++)
		ctl_say(c, MSG_CTL_DAY_NO_EMAIL, rep->no_email[i]);
}

/* Prints one Questura's list and waits for the job: EXIT_OK or the failure printed. */
static int print_one(struct ctl *c, const struct printer_choice *pc, agenda_day day,
                     const char *questura)
{
	print_queue_config cfg = {.uri = pc->uri, .profile = pc->profile};
	agenda_detail why = {{0}, {0}};
	print_job_info info = {0};
	char when[64];
	print_queue *q;
	uint64_t job;
	agenda_err err;

	if (print_queue_start(&cfg, &q) != AG_OK)
		return ctl_fail_msg(c, AG_ERR_NOMEM, MSG_NOMEM);
	err = day_list_print(&c->ctx, &c->session, q, day, questura, &job, &why);
	if (err == AG_OK)
		print_queue_wait(q, job,
		                 printer_profile_print_ms(pc->profile, 65536) + PRINT_WAIT_EXTRA_MS,
		                 &info);
	print_queue_stop(q);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (info.state != PRINT_JOB_DONE) {
		printer_fault fault = info.fault != PRINTER_OK ? info.fault : PRINTER_TIMEOUT;

		printer_fault_detail(fault, &why);
		return ctl_fail_code(c, "printer", EXIT_PRINTER, &why,
		                     json_pack("{s:s, s:s}", "fault", printer_fault_name(fault),
		                               "questura", questura));
	}
	if (c->json) {
		ctl_emit(json_pack("{s:o, s:s, s:s, s:I}", "date", ctl_json_day(day), "questura",
		                   questura, "printer", pc->uri, "bytes", (json_int_t)info.bytes));
	} else {
		date_format_long(day, c->lang, when, sizeof when);
		ctl_say(c, MSG_CTL_DAY_LIST_PRINTED, questura, when, pc->uri);
	}
	return EXIT_OK;
}

int ctl_day_print(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--date", true, NULL},
	                      {"--questura", true, NULL},
	                      {"--printer", true, NULL},
	                      {"--profile", true, NULL}};
	char(*codes)[QUESTURA_CODE_MAX] = NULL;
	agenda_detail why = {{0}, {0}};
	struct printer_choice pc;
	agenda_day day;
	size_t count = 0;
	char when[64];
	int status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0);
	agenda_err err;

	if (status != EXIT_OK || (o[0].value && (status = ctl_parse_day(c, o[0].value, &day))) ||
	    (status = ctl_login(c)))
		return status;
	if (!o[0].value)
		day = agenda_today(&c->ctx, NULL);
	if (printer_choice_resolve(o[2].value, o[3].value, c->ctx.store, &pc, &why) != AG_OK)
		return ctl_usage_detail(c, &why);
	if (o[1].value)
		return print_one(c, &pc, day, o[1].value);
	if ((err = day_list_questure(&c->ctx, day, &codes, &count, &why)) != AG_OK)
		return ctl_fail(c, err, &why);
	if (count == 0 && !c->json) {
		date_format_long(day, c->lang, when, sizeof when);
		ctl_say(c, MSG_CTL_DAY_NOTHING_TO_PRINT, when);
	}
	for (size_t i = 0; i < count && status == EXIT_OK; i++)
		status = print_one(c, &pc, day, codes[i]);
	free(codes);
	return status;
}

int ctl_day_configure(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--close-time", true, NULL}, {"--send-empty", true, NULL}};
	agenda_detail why = {{0}, {0}};
	struct day_close_settings now;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0);
	int minute = -1, send_empty = -1;
	char at[8];
	agenda_err err;

	if (status != EXIT_OK ||
	    (o[0].value && (status = ctl_parse_minute(c, o[0].value, &minute))))
		return status;
	if (o[1].value) {
		if (!strcmp(o[1].value, "yes") || !strcmp(o[1].value, "si") ||
		    !strcmp(o[1].value, "sì"))
			send_empty = 1;
		else if (!strcmp(o[1].value, "no"))
			send_empty = 0;
		else
			return ctl_usage(c, MSG_CTL_DAY_BAD_YESNO, o[1].value);
	}
	if ((status = ctl_open(c, false)))
		return status;
	if ((minute >= 0 || send_empty >= 0) &&
	    (err = day_close_configure(&c->ctx, CTL_ACTOR, minute, send_empty, &why)))
		return ctl_fail(c, err, &why);
	day_close_settings_get(&c->ctx, &now);
	time_format(now.close_minute, at, sizeof at);
	if (c->json)
		ctl_emit(json_pack("{s:s, s:b}", "close_time", at, "send_empty", now.send_empty));
	else
		ctl_say(c, MSG_CTL_DAY_SETTINGS, at,
		        now.send_empty ? (c->lang == LANG_IT ? "sì" : "yes") : "no");
	return EXIT_OK;
}
