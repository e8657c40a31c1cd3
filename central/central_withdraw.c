/*
 * central_withdraw.c — `agenda-central practice withdraw --numero NUMERO`: the practice is
 * withdrawn (status `ritirata`, a practice change for the devices of its province); a confirmed
 * appointment central knows of is cancelled and its device gets a `withdrawn` revoke for that
 * slot, so at its next round it cancels its copy and puts the applicant on its worklist
 * (central_change_admin.h). Exit 3 for an unknown practice.
 */
#include <stdio.h>

#include "central_args.h"
#include "central_change_admin.h"
#include "platform/clock.h"

int central_practice_withdraw(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0}, {"--numero", true, 1, {0}, 0}};
	central_store *s = NULL;
	int64_t seconds = 0;
	bool cancelled = false;
	agenda_clock clock;
	agenda_detail why;
	agenda_err err;
	int status = central_args_parse(c, argc, argv, o, 2);

	if (status != CENTRAL_EXIT_OK)
		return status;
	if (clock_from_env(&clock, &seconds) != AG_OK)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_ARG, CLOCK_ENV);
	if ((status = central_open_store(c, central_opt(&o[0]), &s)) != CENTRAL_EXIT_OK)
		return status;
	err = central_store_withdraw_practice(s, central_opt(&o[1]), clock_now(&clock), &cancelled,
	                                      &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	if (c->json) {
		central_emit(json_pack("{s:s, s:s, s:b}", "numero_pratica", central_opt(&o[1]),
		                       "status", "ritirata", "appointment_cancelled", cancelled));
	} else {
		printf(msg_get(MSG_CENTRAL_PRACTICE_WITHDRAWN, c->lang), central_opt(&o[1]),
		       cancelled ? msg_get(MSG_CENTRAL_PRACTICE_WITHDRAWN_APPOINTMENT, c->lang)
		                 : "");
		printf("\n");
	}
	fflush(stdout);
	return CENTRAL_EXIT_OK;
}
