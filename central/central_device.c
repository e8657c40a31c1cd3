/*
 * central_device.c — `agenda-central device list|revoke --dir DIR`: the help desk's view of
 * the enrolled devices, and revocation.
 *
 * list prints every device (id, site, enrolled, certificate expiry, revoked) in id order;
 * revoke --device ID marks it revoked: the server refuses its next request on any
 * /v1/device/ route (403 "revoked") whatever its certificate says, since the store, not the
 * certificate, is the authority. Revoking twice keeps the first time. An unknown device is
 * not found (exit 3).
 *
 * Since issue 12 list also shows each device's sync state (last round, cursor, slots held and
 * their lease end) and its tamper alert (audit chain cut or rewritten, digest mismatch), which
 * stays until `device clear-alert ID` once the help desk has looked at the device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_args.h"
#include "central_sync.h"
#include "central_time.h"
#include "platform/clock.h"
#include "store_enrol.h"

/* What list prints of one device: its row, then its sync state (read after the listing, so
 * that no store call runs inside another's callback). */
struct listed_device {
	char id[CENTRAL_DEVICE_ID_MAX + 1];
	char site[CENTRAL_SITE_CODE_MAX + 1];
	int64_t enrolled_at, not_after, renewed_at, revoked_at;
	struct central_device_sync sync;
};

struct device_listing {
	struct listed_device *items;
	size_t count, capacity;
};

static json_t *time_or_null(int64_t t)
{
	char text[CENTRAL_TIME_SIZE];

	if (!t)
		return json_null();
	central_time_text(t, text);
	return json_string(text);
}

static agenda_err keep_device(void *ctx, const central_device *d)
{
	struct device_listing *list = ctx;
	struct listed_device *item;

	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 16;
		struct listed_device *grown = realloc(list->items, capacity * sizeof *grown);

		if (!grown)
			return AG_ERR_NOMEM;
		list->items = grown;
		list->capacity = capacity;
	}
	item = &list->items[list->count++];
	memset(item, 0, sizeof *item);
	snprintf(item->id, sizeof item->id, "%s", d->id);
	snprintf(item->site, sizeof item->site, "%s", d->site);
	item->enrolled_at = d->enrolled_at;
	item->not_after = d->not_after;
	item->renewed_at = d->renewed_at;
	item->revoked_at = d->revoked_at;
	return AG_OK;
}

static json_t *device_json(const struct listed_device *d)
{
	const struct central_device_sync *s = &d->sync;

	return json_pack(
	        "{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:o}", "device_id", d->id,
	        "site", d->site, "enrolled_at", time_or_null(d->enrolled_at), "not_after",
	        time_or_null(d->not_after), "renewed_at", time_or_null(d->renewed_at), "revoked_at",
	        time_or_null(d->revoked_at), "last_round_at", time_or_null(s->last_round_at),
	        "cursor", (json_int_t)s->cursor_sent, "held", (json_int_t)s->held, "lease_end",
	        time_or_null(s->lease_end), "alert",
	        s->alert == CENTRAL_ALERT_NONE ? json_null()
	                                       : json_string(central_alert_name(s->alert)),
	        "alert_at", time_or_null(s->alert_at));
}

/* One line: id, site, enrolment, expiry, then revoked, sync state and alert when there are. */
static void print_device(const struct central_cli *c, const struct listed_device *d)
{
	const struct central_device_sync *s = &d->sync;
	char enrolled[CENTRAL_TIME_SIZE], expires[CENTRAL_TIME_SIZE], when[CENTRAL_TIME_SIZE];
	char mark[512] = "";
	size_t len = 0;

	central_time_text(d->enrolled_at, enrolled);
	central_time_text(d->not_after, expires);
	if (d->revoked_at) {
		central_time_text(d->revoked_at, when);
		len += (size_t)snprintf(mark + len, sizeof mark - len,
		                        msg_get(MSG_CENTRAL_DEVICE_REVOKED_MARK, c->lang), when);
	}
	if (s->last_round_at) {
		char lease[CENTRAL_TIME_SIZE];

		central_time_text(s->last_round_at, when);
		central_time_text(s->lease_end, lease);
		len += (size_t)snprintf(mark + len, sizeof mark - len,
		                        msg_get(MSG_CENTRAL_DEVICE_SYNC_MARK, c->lang), when,
		                        (long long)s->cursor_sent, (long long)s->held,
		                        s->lease_end ? lease : "-");
	} else {
		len += (size_t)snprintf(mark + len, sizeof mark - len, "%s",
		                        msg_get(MSG_CENTRAL_DEVICE_NEVER_SYNCED, c->lang));
	}
	if (s->alert != CENTRAL_ALERT_NONE && len < sizeof mark) {
		central_time_text(s->alert_at, when);
		snprintf(mark + len, sizeof mark - len,
		         msg_get(MSG_CENTRAL_DEVICE_ALERT_SINCE, c->lang),
		         central_alert_name(s->alert), when);
	}
	printf(msg_get(MSG_CENTRAL_DEVICE_LINE, c->lang), d->id, d->site, enrolled, expires, mark);
	printf("\n");
}

static void print_listing(const struct central_cli *c, const struct device_listing *list)
{
	json_t *devices = c->json ? json_array() : NULL;

	for (size_t i = 0; i < list->count; i++) {
		if (c->json)
			json_array_append_new(devices, device_json(&list->items[i]));
		else
			print_device(c, &list->items[i]);
	}
	if (c->json)
		central_emit(json_pack("{s:o}", "devices", devices));
	else if (list->count == 0)
		printf("%s\n", msg_get(MSG_CENTRAL_NO_DEVICES, c->lang));
	fflush(stdout);
}

int central_device_list(const struct central_cli *c, int argc, char **argv)
{
	struct device_listing list = {NULL, 0, 0};
	central_store *s = NULL;
	agenda_detail why;
	agenda_err err;
	int status = central_args_open_dir(c, argc, argv, &s);

	if (status != CENTRAL_EXIT_OK)
		return status;
	err = central_store_list_devices(s, keep_device, &list, &why);
	for (size_t i = 0; err == AG_OK && i < list.count; i++)
		err = central_sync_device_state(s, list.items[i].id, &list.items[i].sync, &why);
	central_store_close(s);
	if (err == AG_OK)
		print_listing(c, &list);
	free(list.items);
	return err == AG_OK ? CENTRAL_EXIT_OK : central_fail(c, err, &why);
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
