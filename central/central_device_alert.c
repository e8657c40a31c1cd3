/*
 * central_device_alert.c — `agenda-central device clear-alert --dir DIR --device ID`: after
 * someone has looked at a device flagged by a round (its audit chain cut or rewritten, its file
 * edited behind the library's back: central_sync.h), the alert is cleared so the next problem
 * is seen again. Clearing a device without an alert says so (exit 0); an unknown device exit 3.
 */
#include <stdio.h>

#include "central_args.h"
#include "central_sync.h"

int central_device_clear_alert(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0}, {"--device", true, 1, {0}, 0}};
	struct central_device_sync before;
	central_store *s = NULL;
	agenda_detail why;
	agenda_err err;
	bool had = false;
	int status = central_args_parse(c, argc, argv, o, 2);

	if (status != CENTRAL_EXIT_OK)
		return status;
	if ((status = central_open_store(c, central_opt(&o[0]), &s)) != CENTRAL_EXIT_OK)
		return status;
	err = central_sync_device_state(s, central_opt(&o[1]), &before, &why);
	if (err == AG_OK)
		err = central_sync_clear_alert(s, central_opt(&o[1]), &had, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	if (c->json) {
		central_emit(json_pack("{s:s, s:o}", "device_id", central_opt(&o[1]), "cleared",
		                       had ? json_string(central_alert_name(before.alert))
		                           : json_null()));
	} else if (had) {
		printf(msg_get(MSG_CENTRAL_ALERT_CLEARED, c->lang), central_opt(&o[1]),
		       central_alert_name(before.alert));
		printf("\n");
	} else {
		printf(msg_get(MSG_CENTRAL_ALERT_NONE, c->lang), central_opt(&o[1]));
		printf("\n");
	}
	fflush(stdout);
	return CENTRAL_EXIT_OK;
}
