/*
 * ctl_sync.c — the device's rounds with central from the shell: `sync now`, `sync status`, and
 * the online grant `book` asks for on a device central manages.
 *
 * Thin on sync/ (sync_session.h, device_round.h, online_grant.h) and services/sync_state.h.
 * `sync now` and `sync status` are a technician's commands (no operator log-in: they show no
 * personal data). Central unreachable is exit 16, like provision and renew.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "services/grants.h"
#include "services/sync_state.h"
#include "sync/device_files.h"
#include "sync/device_round.h"
#include "sync/online_grant.h"
#include "sync/protocol.h"
#include "sync/sync_session.h"

#define OPTS(a) (sizeof(a) / sizeof((a)[0]))

static agenda_err open_session(struct ctl *c, sync_session **s, agenda_detail *why)
{
	char dir[PATH_MAX];

	device_files_data_dir(c->db_path, dir, sizeof dir);
	return sync_session_open(&c->ctx, dir, s, why);
}

static json_t *round_json(const struct sync_round_report *r)
{
	return json_pack("{s:b, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:b, s:I, s:I, s:I, "
	                 "s:I, s:I}",
	                 "synced", 1, "requests", r->requests, "entries_sent", r->entries_sent,
	                 "acked", r->acked, "conflicts", r->conflicts, "changes", r->changes,
	                 "grants", r->grants, "revokes", r->revokes, "worklist_items",
	                 r->worklist_items, "released", r->released, "clock_skew", r->clock_skew,
	                 "cursor", (json_int_t)r->cursor, "lease_end", (json_int_t)r->lease_end,
	                 "central_now", (json_int_t)r->central_now, "entries_waiting",
	                 (json_int_t)r->entries_waiting, "connections", (json_int_t)r->connections);
}

int ctl_sync_now(struct ctl *c, int argc, char **argv)
{
	struct sync_round_report r = {0};
	sync_session *session = NULL;
	agenda_detail why = {{0}, {0}};
	agenda_err err;
	int status = ctl_parse(c, argc, argv, NULL, 0, NULL, 0, 0);

	if (status != EXIT_OK || (status = ctl_open(c, false)))
		return status;
	if ((err = open_session(c, &session, &why)) != AG_OK)
		return ctl_fail(c, err, &why);
	err = sync_round_run(&c->ctx, session, &r, &why);
	sync_session_close(session);
	if (err != AG_OK) {
		json_t *extra =
		        json_pack("{s:I}", "entries_waiting", (json_int_t)r.entries_waiting);

		if (r.server_error[0])
			json_object_set_new(extra, "server_error", json_string(r.server_error));
		if (r.network != HTTPS_ANSWERED && err != AG_ERR_REFUSED) {
			json_object_set_new(extra, "network", json_true());
			return ctl_fail_code(c, "network", EXIT_NETWORK, &why, extra);
		}
		return ctl_fail_with(c, err, &why, extra);
	}
	if (c->json) {
		ctl_emit(round_json(&r));
		return EXIT_OK;
	}
	ctl_say(c, MSG_CTL_SYNC_DONE, r.requests, r.entries_sent, r.acked, r.conflicts, r.changes,
	        r.grants, r.revokes, (long long)r.entries_waiting);
	if (r.worklist_items)
		ctl_say(c, MSG_CTL_SYNC_WORKLIST, r.worklist_items);
	if (r.clock_skew)
		ctl_warn(c, MSG_SYNC_ROUND_CLOCK_SKEW);
	return EXIT_OK;
}

/* The last error's sentence in the run's language ("" when none or unknown). */
static const char *last_error_text(struct ctl *c, const struct sync_status *s, agenda_lang lang)
{
	(void)c;
	return s->last_error_msg >= 0 ? msg_get((agenda_msg)s->last_error_msg, lang) : "";
}

static void status_json(struct ctl *c, const struct sync_status *s, int64_t held)
{
	json_t *o = json_pack(
	        "{s:b, s:b, s:o, s:I, s:I, s:o, s:b, s:o, s:I}", "central_managed",
	        s->central_managed, "online", s->online, "last_success",
	        ctl_json_epoch(s->last_success_at), "entries_waiting",
	        (json_int_t)s->entries_waiting, "cursor", (json_int_t)s->cursor, "lease_end",
	        ctl_json_epoch(s->lease_end), "clock_trusted", s->clock_trusted, "clock_synced_at",
	        ctl_json_epoch(s->clock_synced_at), "worklist_open", (json_int_t)s->worklist_open);

	json_object_set_new(o, "slots_held", json_integer(held));
	if (s->last_error[0]) {
		json_object_set_new(o, "last_error", json_string(s->last_error));
		json_object_set_new(o, "last_error_at", ctl_json_epoch(s->last_error_at));
		json_object_set_new(o, "last_error_it",
		                    json_string(last_error_text(c, s, LANG_IT)));
		json_object_set_new(o, "last_error_en",
		                    json_string(last_error_text(c, s, LANG_EN)));
	} else {
		json_object_set_new(o, "last_error", json_null());
	}
	ctl_emit(o);
}

/* "2026-05-04T09:30:00" local, or "mai"/"never". */
static void when_text(struct ctl *c, int64_t epoch, char *out, size_t size)
{
	json_t *j = ctl_json_epoch(epoch);

	snprintf(out, size, "%s",
	         json_is_string(j) ? json_string_value(j) : msg_get(MSG_UI_STATUS_NEVER, c->lang));
	json_decref(j);
}

int ctl_sync_status(struct ctl *c, int argc, char **argv)
{
	struct sync_status s;
	agenda_detail why = {{0}, {0}};
	int64_t held = 0, earliest = 0;
	char when[32];
	agenda_err err;
	int status = ctl_parse(c, argc, argv, NULL, 0, NULL, 0, 0);

	if (status != EXIT_OK || (status = ctl_open(c, false)))
		return status;
	if ((err = sync_status_read(&c->ctx, &s, &why)) != AG_OK ||
	    (err = grants_count(&c->ctx, &held, &earliest, &why)) != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json) {
		status_json(c, &s, held);
		return EXIT_OK;
	}
	if (!s.central_managed)
		ctl_say(c, MSG_CTL_SYNC_STATUS_STANDALONE);
	ctl_say(c, s.online ? MSG_CTL_SYNC_STATUS_ONLINE : MSG_CTL_SYNC_STATUS_OFFLINE);
	when_text(c, s.last_success_at, when, sizeof when);
	ctl_say(c, MSG_CTL_SYNC_STATUS_LAST, when);
	ctl_say(c, MSG_CTL_SYNC_STATUS_WAITING, (long long)s.entries_waiting);
	ctl_say(c, MSG_CTL_SYNC_STATUS_CURSOR, (long long)s.cursor);
	when_text(c, s.lease_end, when, sizeof when);
	ctl_say(c, MSG_CTL_SYNC_STATUS_LEASE, (long long)held, when);
	ctl_say(c, MSG_CTL_SYNC_STATUS_CLOCK,
	        msg_get(s.clock_trusted ? MSG_CTL_YES : MSG_CTL_NO, c->lang));
	ctl_say(c, MSG_CTL_SYNC_STATUS_WORKLIST, (long long)s.worklist_open);
	if (s.last_error[0]) {
		when_text(c, s.last_error_at, when, sizeof when);
		ctl_say(c, MSG_CTL_SYNC_STATUS_ERROR, when, last_error_text(c, &s, c->lang));
	}
	return EXIT_OK;
}

/*
 * sync configure: the settings that shape a round and the online grant. Each option given is
 * stored as it is (checked for range); the JSON answer lists every one in force.
 */
int ctl_sync_configure(struct ctl *c, int argc, char **argv)
{
	static const struct {
		const char *option, *setting;
		int min, max, fallback;
	} knobs[] = {
	        {"--hold-days", GRANT_SETTING_HOLD_DAYS, 1, SYNC_MAX_DEMAND_DAYS,
	         GRANT_DEFAULT_HOLD_DAYS},
	        {"--low-water", GRANT_SETTING_LOW_WATER, 1, SYNC_MAX_DEMAND_SLOTS,
	         GRANT_DEFAULT_LOW_WATER},
	        {"--hand-back-days", ROUND_SETTING_HAND_BACK_DAYS, 0, 3660,
	         ROUND_DEFAULT_HAND_BACK_DAYS},
	        {"--grant-timeout-ms", ONLINE_GRANT_SETTING_TIMEOUT_MS, 100, 60000,
	         ONLINE_GRANT_DEFAULT_TIMEOUT_MS},
	        {"--interval-s", ROUND_SETTING_INTERVAL_S, 10, 86400, ROUND_DEFAULT_INTERVAL_S},
	};
	struct ctl_opt o[OPTS(knobs)];
	agenda_detail why = {{0}, {0}};
	json_t *out = json_object();
	int status;

	for (size_t i = 0; i < OPTS(knobs); i++)
		o[i] = (struct ctl_opt){knobs[i].option, true, NULL};
	if ((status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0)) ||
	    (status = ctl_open(c, false)))
		goto done;
	for (size_t i = 0; i < OPTS(knobs); i++) {
		char text[16];
		int value = knobs[i].fallback;
		agenda_err err;

		if (o[i].value) {
			if ((status = ctl_parse_int(c, knobs[i].option, o[i].value, knobs[i].min,
			                            knobs[i].max, &value)))
				goto done;
			snprintf(text, sizeof text, "%d", value);
			if ((err = store_setting_set(c->ctx.store, knobs[i].setting, text, &why))) {
				status = ctl_fail(c, err, &why);
				goto done;
			}
		} else if (store_setting_get(c->ctx.store, knobs[i].setting, text, sizeof text)) {
			value = atoi(text);
		}
		json_object_set_new(out, knobs[i].setting, json_integer(value));
		if (!c->json)
			ctl_say(c, MSG_CTL_SYNC_SETTING, knobs[i].setting, value);
	}
	if (c->json) {
		ctl_emit(out);
		out = NULL;
	}
done:
	json_decref(out);
	return status;
}

bool ctl_book_goes_online(struct ctl *c)
{
	return sync_state_central_managed(&c->ctx);
}

agenda_err ctl_book_online(struct ctl *c, int64_t practice_id, const struct booking_options *opt,
                           struct booking *b, json_t **extra, agenda_detail *why)
{
	struct online_grant_outcome o = {0};
	sync_session *session = NULL;
	agenda_detail ignored;
	agenda_err err;

	/* No session (files missing, not enrolled): the booking goes on from what is held. */
	if (open_session(c, &session, &ignored) != AG_OK)
		session = NULL;
	err = sync_book_online(&c->ctx, session, &c->session, practice_id, opt, b, &o, why);
	sync_session_close(session);
	if (err != AG_OK)
		return err;
	*extra = json_pack("{s:b, s:b, s:b, s:s, s:I}", "online", o.online, "granted", o.granted,
	                   "from_central", o.from_central, "source",
	                   o.from_central ? "central_pool" : "device", "grant_ms",
	                   (json_int_t)o.elapsed_ms);
	return AG_OK;
}

void ctl_book_source_say(struct ctl *c, const json_t *extra)
{
	if (json_is_true(json_object_get(extra, "from_central")))
		ctl_say(c, MSG_CTL_BOOK_FROM_CENTRAL);
	else if (json_is_true(json_object_get(extra, "online")))
		ctl_say(c, MSG_CTL_BOOK_ONLINE_HELD);
	else
		ctl_say(c, MSG_CTL_BOOK_OFFLINE);
}
