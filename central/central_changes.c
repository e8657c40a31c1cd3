/*
 * central_changes.c — writing and reading central's change log (central_changes.h). A body is
 * the protocol's own JSON of the change without "seq"; reading puts the seq back and decodes it
 * with the protocol's strict reader, so a body central could not send is an error here, not on
 * a device.
 */
#include "central_changes.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "platform/clock.h"
#include "store_sync.h"
#include "sync/protocol_change.h"

#define I64(buf, v) snprintf((buf), sizeof(buf), "%" PRId64, (int64_t)(v))

static agenda_err nomem(agenda_detail *why)
{
	agenda_detail_set(why, MSG_NOMEM);
	return AG_ERR_NOMEM;
}

agenda_err central_change_add(central_store *s, const struct sync_change *c, const char *device,
                              const char *questura, const char *site, int64_t now, int64_t *seq,
                              agenda_detail *why)
{
	json_t *o = sync_change_json(c);
	char *body = NULL, created[24];
	struct central_rows rows = {0};
	agenda_err err;

	if (!o)
		return nomem(why);
	json_object_del(o, "seq");
	body = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (!body)
		return nomem(why);
	I64(created, now);
	err = central_sync_lock_changes(s, why);
	if (err == AG_OK) {
		const char *params[] = {
		        sync_change_type_name(c->type), device, questura, site, body, created};

		err = central_sync_query(s,
		                         "INSERT INTO change(type, device, questura, site, body,"
		                         " created_at) VALUES($1, $2, $3, $4, $5, $6)"
		                         " RETURNING seq",
		                         6, params, &rows, NULL, why);
	}
	if (err == AG_OK && seq)
		*seq = rows.n_rows == 1 ? central_rows_int(&rows, 0, 0) : 0;
	central_rows_free(&rows);
	free(body);
	return err;
}

agenda_err central_change_revoke(central_store *s, const char *device, int64_t slot_id,
                                 const char *reason, int64_t now, agenda_detail *why)
{
	struct sync_change c;

	memset(&c, 0, sizeof c);
	c.type = SYNC_CHANGE_REVOKE;
	c.u.revoke.slot_id = slot_id;
	snprintf(c.u.revoke.reason, sizeof c.u.revoke.reason, "%s", reason);
	return central_change_add(s, &c, device, NULL, NULL, now, NULL, why);
}

/* One stored body back into a change with its seq. */
static agenda_err decode_body(int64_t seq, const char *body, struct sync_change *out,
                              agenda_detail *why)
{
	json_t *o = json_loads(body, 0, NULL);
	agenda_err err;

	if (!o || json_object_set_new(o, "seq", json_integer(seq)) != 0) {
		json_decref(o);
		agenda_detail_set(why, MSG_STORE_FAILED, "change body");
		return AG_ERR_STORE;
	}
	err = sync_change_read(o, "change", out, why);
	json_decref(o);
	return err;
}

agenda_err central_changes_for(central_store *s, const char *device, const char *site,
                               int64_t after, size_t max, struct sync_change **out, size_t *n,
                               bool *more, int64_t *cursor, agenda_detail *why)
{
	char after_text[24], limit[24];
	const char *params[] = {after_text, device, site, limit};
	struct central_rows rows = {0};
	agenda_err err;
	size_t take;

	*out = NULL;
	*n = 0;
	*more = false;
	*cursor = after;
	I64(after_text, after);
	I64(limit, max + 1); /* one more than sent says whether more wait */
	err = central_sync_query(
	        s,
	        "SELECT seq, body FROM change WHERE seq > $1 AND (device = $2 OR site = $3"
	        " OR questura IN (SELECT province FROM site_province WHERE site = $3)"
	        " OR (device IS NULL AND questura IS NULL AND site IS NULL))"
	        " ORDER BY seq LIMIT $4",
	        4, params, &rows, NULL, why);
	if (err != AG_OK)
		return err;
	take = rows.n_rows > max ? max : rows.n_rows;
	*more = rows.n_rows > max;
	if (take > 0 && !(*out = calloc(take, sizeof **out)))
		err = nomem(why);
	for (size_t i = 0; err == AG_OK && i < take; i++)
		err = decode_body(central_rows_int(&rows, i, 0), central_rows_text(&rows, i, 1),
		                  &(*out)[i], why);
	central_rows_free(&rows);
	if (err == AG_OK && *more) {
		*cursor = (*out)[take - 1].seq;
	} else if (err == AG_OK) {
		err = central_sync_query(s, "SELECT coalesce(max(seq), 0) FROM change", 0, NULL,
		                         &rows, NULL, why);
		if (err == AG_OK && rows.n_rows == 1 && central_rows_int(&rows, 0, 0) > after)
			*cursor = central_rows_int(&rows, 0, 0);
		central_rows_free(&rows);
	}
	if (err != AG_OK) {
		free(*out);
		*out = NULL;
		return err;
	}
	*n = take;
	return AG_OK;
}

agenda_err central_changes_pending_for_device(central_store *s, const char *device, int64_t after,
                                              bool *pending, agenda_detail *why)
{
	char after_text[24];
	const char *params[] = {device, after_text};
	struct central_rows rows = {0};
	agenda_err err;

	I64(after_text, after);
	err = central_sync_query(s,
	                         "SELECT count(*) FROM change WHERE device = $1 AND seq > $2"
	                         " AND type IN ('grant', 'revoke')",
	                         2, params, &rows, NULL, why);
	*pending = err == AG_OK && rows.n_rows == 1 && central_rows_int(&rows, 0, 0) > 0;
	central_rows_free(&rows);
	return err;
}

int64_t central_changes_now(void)
{
	agenda_clock clock;
	int64_t storage = 0;

	if (clock_from_env(&clock, &storage) != AG_OK)
		return 0;
	return clock_now(&clock);
}
