/*
 * status.c — counting what the status bar shows, in one read transaction.
 */
#include "services/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/journal.h"
#include "services/outbox.h"
#include "services/slots.h"
#include "services/sync_state.h"
#include "store/schema.h"

static int64_t count(agenda_ctx *ctx, const char *sql, int64_t arg, int *rc_out)
{
	sqlite3_stmt *st = store_stmt(ctx->store, sql, NULL);
	int64_t n = 0;
	int rc;

	if (!st) {
		*rc_out = SQLITE_ERROR;
		return 0;
	}
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, arg);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else if (*rc_out == SQLITE_OK)
		*rc_out = rc;
	sqlite3_reset(st);
	return n;
}

agenda_err device_status_read(agenda_ctx *ctx, struct device_status *out, agenda_detail *why)
{
	static const char LIVE[] = "SELECT count(*) FROM appointment WHERE state = 'confirmed'";
	int rc = SQLITE_OK;
	int64_t journal = 0;
	agenda_err err;

	memset(out, 0, sizeof *out);
	store_setting_get(ctx->store, "site", out->site, sizeof out->site);
	snprintf(out->device_id, sizeof out->device_id, "%s", ctx->device_id);
	/* The sync round records its last success in sync_state (issue 12); the older setting
	 * stays readable for a file written before. */
	if (sync_state_get_int(ctx, SYNC_KEY_LAST_SUCCESS_AT, 0, &out->last_sync, NULL) != AG_OK ||
	    out->last_sync == 0) {
		char last[32];

		out->last_sync = 0;
		if (store_setting_get(ctx->store, "last_sync", last, sizeof last))
			out->last_sync = strtoll(last, NULL, 10);
	}
	out->schema_version = SCHEMA_VERSION;
	out->firmware_version = AGENDA_VERSION;
	out->appointments_live = count(ctx, LIVE, 0, &rc);
	if (rc != SQLITE_OK)
		return store_error(ctx->store, rc, why);
	if ((err = journal_unacked_count(ctx, &journal, why)) ||
	    (err = outbox_pending(ctx, &out->outbox_pending, why)))
		return err;
	out->journal_pending = (int)journal;
	/* Only the slots this device holds: another device's are not its to book. */
	return slots_count_free(ctx, agenda_today(ctx, NULL), &out->slots_free, why);
}
