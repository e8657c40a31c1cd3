/*
 * central_device_alert.c — `agenda-central device clear-alert --dir DIR --device ID`: after
 * someone has looked at a device flagged by a round (its audit chain cut or rewritten, its file
 * edited behind the library's back: central_sync.h), the alert is cleared so the next problem
 * is seen again. Clearing a device without an alert says so (exit 0); an unknown device exit 3.
 * The device is `--device ID` or, as the contract writes it, a lone `ID`.
 */
#include <stdio.h>
#include <string.h>

#include "central_args.h"
#include "central_sync.h"

/*
 * `device clear-alert --dir DIR ID`: the positional ID moved out of argv into --device's place,
 * so the options still go through the one parser (which names anything left over).
 */
static int positional_device(int *argc, char **argv, char **with_device)
{
	int kept = 0, found = 0;

	for (int i = 0; i < *argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0) {
			argv[kept++] = argv[i];
			if (i + 1 < *argc)
				argv[kept++] = argv[++i];
		} else if (!found++) {
			with_device[0] = "--device";
			with_device[1] = argv[i];
		} else {
			argv[kept++] = argv[i];
		}
	}
	*argc = kept;
	return found ? 1 : 0;
}

int central_device_clear_alert(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0}, {"--device", true, 1, {0}, 0}};
	struct central_device_sync before;
	central_store *s = NULL;
	char *with_device[2];
	char *args[64];
	agenda_detail why;
	agenda_err err;
	bool had = false;
	int status, n;

	if (argc > 60)
		return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_BAD_ARG, argv[60]);
	memcpy(args, argv, (size_t)argc * sizeof *argv);
	n = argc;
	if (positional_device(&n, args, with_device)) {
		args[n++] = with_device[0];
		args[n++] = with_device[1];
	}
	status = central_args_parse(c, n, args, o, 2);
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
