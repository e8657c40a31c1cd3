/*
 * outbox.c — queueing email in the outbox table.
 */
#include "services/outbox.h"

agenda_err outbox_queue(agenda_ctx *ctx, const char *kind, const char *message_id,
                        const char *recipient, const char *subject, const char *body,
                        const char *attachment_name, const char *attachment, agenda_detail *why)
{
	static const char SQL[] =
	        "INSERT INTO outbox(message_id, kind, recipient, subject, body,"
	        " attachment_name, attachment, created_at) VALUES(?,?,?,?,?,?,?,?)";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, attachment_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, attachment, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, clock_now(&ctx->clock));
	return store_step_done(ctx->store, st, why);
}

agenda_err outbox_pending(agenda_ctx *ctx, int *count, agenda_detail *why)
{
	static const char SQL[] = "SELECT count(*) FROM outbox WHERE state = 'queued'";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	if (!st)
		return AG_ERR_STORE;
	rc = sqlite3_step(st);
	*count = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? AG_OK : store_error(ctx->store, rc, why);
}
