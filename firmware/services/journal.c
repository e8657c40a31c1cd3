/*
 * journal.c — writing journal entries: a UUID entry id (the key central applies it by, I4), the
 * kind, the appointment and a compact JSON payload with sorted keys.
 */
#include "services/journal.h"

#include <stdlib.h>

#include "core/messages.h"

agenda_err journal_add(agenda_ctx *ctx, const char *kind, const char *appointment_id,
                       json_t *payload, agenda_detail *why)
{
	static const char SQL[] = "INSERT INTO journal(entry_id, kind, appointment_id, payload,"
	                          " created_at) VALUES(?, ?, ?, ?, ?)";
	char entry_id[37];
	char *text = NULL;
	sqlite3_stmt *st;
	agenda_err err = rng_uuid(&ctx->rng, entry_id);

	if (err != AG_OK) {
		agenda_detail_set(why, MSG_RNG_FAILED);
		goto done;
	}
	json_object_set_new(payload, "entry_id", json_string(entry_id));
	json_object_set_new(payload, "kind", json_string(kind));
	json_object_set_new(payload, "device", json_string(ctx->device_id));
	json_object_set_new(payload, "at", json_integer(clock_now(&ctx->clock)));
	if (!(text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS))) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
		goto done;
	}
	if (!(st = store_stmt(ctx->store, SQL, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_text(st, 1, entry_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, appointment_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, clock_now(&ctx->clock));
	err = store_step_done(ctx->store, st, why);
done:
	free(text);
	json_decref(payload);
	return err;
}
