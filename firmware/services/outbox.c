/*
 * outbox.c — queueing email in the outbox table (outbox.h).
 */
#include "services/outbox.h"

agenda_err outbox_drop_topic(agenda_ctx *ctx, const char *topic, agenda_detail *why)
{
	static const char SQL[] = "DELETE FROM outbox WHERE topic = ? AND state <> 'sent'";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, topic, -1, SQLITE_STATIC);
	return store_step_done(ctx->store, st, why);
}

agenda_err outbox_queue(agenda_ctx *ctx, const struct outbox_message *m, agenda_detail *why)
{
	static const char SQL[] =
	        "INSERT INTO outbox(message_id, kind, topic, recipient, subject, body,"
	        " attachment_name, attachment, created_at) VALUES(?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *st;
	agenda_err err;

	if (m->topic && (err = outbox_drop_topic(ctx, m->topic, why)) != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, m->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, m->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, m->body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, m->attachment_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, m->attachment, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, clock_now(&ctx->clock));
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
