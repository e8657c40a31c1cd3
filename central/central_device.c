/*
 * central_device.c — `agenda-central device list|revoke --dir DIR`: the help desk's view of
 * the enrolled devices, and revocation.
 *
 * list prints every device (id, site, enrolled, certificate expiry, revoked) in id order;
 * revoke --device ID marks it revoked: the server refuses its next request on any
 * /v1/device/ route (403 "revoked") whatever its certificate says, since the store, not the
 * certificate, is the authority. Revoking twice keeps the first time. An unknown device is
 * not found (exit 3).
 */
#include <stdio.h>
#include <string.h>

#include "central_args.h"
#include "central_time.h"
#include "platform/clock.h"
#include "central_sync.h"
#include "store_enrol.h"

struct list_output {
	const struct central_cli *c;
	json_t *devices;
	int count;
	central_store *s; /* for each device's sync state (issue 12: its alert, last round) */
};

static json_t *time_or_null(int64_t t)
{
	char text[CENTRAL_TIME_SIZE];

	if (!t)
		return json_null();
	central_time_text(t, text);
	return json_string(text);
}

static agenda_err print_device(void *ctx, const central_device *d)
{
	struct list_output *out = ctx;
	char enrolled[CENTRAL_TIME_SIZE], expires[CENTRAL_TIME_SIZE];
	char mark[128] = "";
	struct central_device_sync sync;
	agenda_detail why;
	agenda_err err = central_sync_device_state(out->s, d->id, &sync, &why);

	if (err != AG_OK)
		return err;
	out->count++;
	if (out->c->json) {
		json_t *item = json_pack(
		        "{s:s, s:s, s:o, s:o, s:o, s:o}", "device_id", d->id, "site", d->site,
		        "enrolled_at", time_or_null(d->enrolled_at), "not_after",
		        time_or_null(d->not_after), "renewed_at", time_or_null(d->renewed_at),
		        "revoked_at", time_or_null(d->revoked_at));

		/* issue 12: the sync state, the first tamper alert until clear-alert */
		json_object_set_new(item, "last_sync_at", time_or_null(sync.last_round_at));
		json_object_set_new(item, "slots_held", json_integer(sync.held));
		json_object_set_new(item, "alert",
		                    sync.alert ? json_string(central_alert_name(sync.alert))
		                               : json_null());
		json_array_append_new(out->devices, item);
		return AG_OK;
	}
	central_time_text(d->enrolled_at, enrolled);
	central_time_text(d->not_after, expires);
	if (d->revoked_at) {
		char revoked[CENTRAL_TIME_SIZE];

		central_time_text(d->revoked_at, revoked);
		snprintf(mark, sizeof mark, msg_get(MSG_CENTRAL_DEVICE_REVOKED_MARK, out->c->lang),
		         revoked);
	}
	if (sync.alert) {
		size_t used = strlen(mark);

		snprintf(mark + used, sizeof mark - used,
		         msg_get(MSG_CENTRAL_DEVICE_ALERT_MARK, out->c->lang),
		         central_alert_name(sync.alert));
	}
	printf(msg_get(MSG_CENTRAL_DEVICE_LINE, out->c->lang), d->id, d->site, enrolled, expires,
	       mark);
	printf("\n");
	return AG_OK;
}

int central_device_list(const struct central_cli *c, int argc, char **argv)
{
	struct list_output out = {c, NULL, 0, NULL};
	central_store *s = NULL;
	agenda_detail why;
	agenda_err err;
	int status = central_args_open_dir(c, argc, argv, &s);

	if (status != CENTRAL_EXIT_OK)
		return status;
	out.devices = json_array();
	out.s = s;
	err = central_store_list_devices(s, print_device, &out, &why);
	central_store_close(s);
	if (err != AG_OK) {
		json_decref(out.devices);
		return central_fail(c, err, &why);
	}
	if (c->json) {
		central_emit(json_pack("{s:o}", "devices", out.devices));
		return CENTRAL_EXIT_OK;
	}
	json_decref(out.devices);
	if (out.count == 0)
		printf("%s\n", msg_get(MSG_CENTRAL_NO_DEVICES, c->lang));
	fflush(stdout);
	return CENTRAL_EXIT_OK;
}

int central_device_revoke(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0}, {"--device", true, 1, {0}, 0}};
	char when[CENTRAL_TIME_SIZE];
	int64_t clock_storage = 0;
	central_store *s = NULL;
	central_device d;
	agenda_clock clock;
	agenda_detail why;
	agenda_err err;
	int status = central_args_parse(c, argc, argv, o, 2);

	if (status != CENTRAL_EXIT_OK)
		return status;
	if (clock_from_env(&clock, &clock_storage) != AG_OK)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_ARG, CLOCK_ENV);
	status = central_open_store(c, central_opt(&o[0]), &s);
	if (status != CENTRAL_EXIT_OK)
		return status;
	err = central_store_revoke_device(s, central_opt(&o[1]), clock_now(&clock), &d, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	central_time_text(d.revoked_at, when);
	if (c->json) {
		central_emit(json_pack("{s:s, s:s}", "device_id", d.id, "revoked_at", when));
	} else {
		printf(msg_get(MSG_CENTRAL_DEVICE_REVOKE_DONE, c->lang), d.id, when);
		printf("\n");
	}
	central_device_clear(&d);
	fflush(stdout);
	return CENTRAL_EXIT_OK;
}
