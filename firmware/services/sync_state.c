/*
 * sync_state.c — typed accessors over the sync_state key/value table (keys in sync_state.h),
 * and the one read of everything the status bar and `agendactl sync status` show.
 */
#include "services/sync_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "services/clock_trust.h"
#include "services/journal.h"
#include "services/worklist.h"

agenda_err sync_state_get_text(agenda_ctx *ctx, const char *key, char *out, size_t size,
                               agenda_detail *why)
{
	static const char SQL[] = "SELECT value FROM sync_state WHERE key = ?";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	if (size)
		out[0] = '\0';
	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_column_text(st, 0, out, size);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return AG_OK;
	return rc == SQLITE_DONE ? AG_ERR_NOT_FOUND : store_error(ctx->store, rc, why);
}

agenda_err sync_state_set_text(agenda_ctx *ctx, const char *key, const char *value,
                               agenda_detail *why)
{
	static const char SQL[] = "INSERT INTO sync_state(key, value) VALUES(?, ?)"
	                          " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return store_step_done(ctx->store, st, why);
}

agenda_err sync_state_unset(agenda_ctx *ctx, const char *key, agenda_detail *why)
{
	static const char SQL[] = "DELETE FROM sync_state WHERE key = ?";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	return store_step_done(ctx->store, st, why);
}

agenda_err sync_state_get_int(agenda_ctx *ctx, const char *key, int64_t fallback, int64_t *out,
                              agenda_detail *why)
{
	char text[32], *end;
	agenda_err err = sync_state_get_text(ctx, key, text, sizeof text, why);
	long long v;

	*out = fallback;
	if (err == AG_ERR_NOT_FOUND)
		return AG_OK;
	if (err != AG_OK)
		return err;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno == 0 && end != text && *end == '\0')
		*out = v;
	return AG_OK;
}

agenda_err sync_state_set_int(agenda_ctx *ctx, const char *key, int64_t value, agenda_detail *why)
{
	char text[32];

	snprintf(text, sizeof text, "%lld", (long long)value);
	return sync_state_set_text(ctx, key, text, why);
}

bool sync_state_central_managed(agenda_ctx *ctx)
{
	int64_t managed = 0;

	return sync_state_get_int(ctx, SYNC_KEY_CENTRAL_MANAGED, 0, &managed, NULL) == AG_OK &&
	       managed == 1;
}

agenda_err sync_status_read(agenda_ctx *ctx, struct sync_status *out, agenda_detail *why)
{
	int64_t online = 0;
	agenda_err err;

	memset(out, 0, sizeof *out);
	out->last_error_msg = -1;
	out->central_managed = sync_state_central_managed(ctx);
	if ((err = sync_state_get_int(ctx, SYNC_KEY_ONLINE, 0, &online, why)) ||
	    (err = sync_state_get_int(ctx, SYNC_KEY_LAST_SUCCESS_AT, 0, &out->last_success_at,
	                              why)) ||
	    (err = sync_state_get_int(ctx, SYNC_KEY_CURSOR, 0, &out->cursor, why)) ||
	    (err = sync_state_get_int(ctx, SYNC_KEY_LEASE_END, 0, &out->lease_end, why)) ||
	    (err = sync_state_get_int(ctx, SYNC_KEY_CLOCK_SYNCED_AT, 0, &out->clock_synced_at,
	                              why)) ||
	    (err = sync_state_get_int(ctx, SYNC_KEY_LAST_ERROR_AT, 0, &out->last_error_at, why)) ||
	    (err = journal_unacked_count(ctx, &out->entries_waiting, why)) ||
	    (err = worklist_open_count(ctx, &out->worklist_open, why)))
		return err;
	out->online = online == 1;
	err = sync_state_get_text(ctx, SYNC_KEY_LAST_ERROR, out->last_error, sizeof out->last_error,
	                          why);
	if (err != AG_OK && err != AG_ERR_NOT_FOUND)
		return err;
	if (out->last_error[0])
		out->last_error_msg = (int)msg_by_name(out->last_error);
	out->clock_trusted = clock_trust(ctx);
	return AG_OK;
}
