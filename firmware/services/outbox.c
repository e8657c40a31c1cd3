/*
 * outbox.c — queueing email in the outbox table and reading it back: the next message due (with
 * its body, for the sender), one message or a list (without bodies, for people). Marking the
 * outcome of an attempt is outbox_delivery.c.
 */
#include "services/outbox.h"

#include <stdlib.h>
#include <string.h>

#include "core/messages.h"

/* The columns every read shares; bodies are only counted here. */
#define OUTBOX_SELECT                                                                              \
	"SELECT id, message_id, kind, coalesce(topic, ''), recipient, subject,"                    \
	" coalesce(attachment_name, ''), state, attempts, created_at, next_try,"                   \
	" coalesce(sent_at, 0), coalesce(reply, ''), coalesce(last_error, ''),"                    \
	" length(CAST(body AS BLOB)), coalesce(length(CAST(attachment AS BLOB)), 0) FROM outbox "

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

static void read_item(sqlite3_stmt *st, void *arg)
{
	struct outbox_item *it = arg;

	memset(it, 0, sizeof *it);
	it->id = sqlite3_column_int64(st, 0);
	store_column_text(st, 1, it->message_id, sizeof it->message_id);
	store_column_text(st, 2, it->kind, sizeof it->kind);
	store_column_text(st, 3, it->topic, sizeof it->topic);
	store_column_text(st, 4, it->recipient, sizeof it->recipient);
	store_column_text(st, 5, it->subject, sizeof it->subject);
	store_column_text(st, 6, it->attachment_name, sizeof it->attachment_name);
	store_column_text(st, 7, it->state, sizeof it->state);
	it->attempts = sqlite3_column_int(st, 8);
	it->created_at = sqlite3_column_int64(st, 9);
	it->next_try = sqlite3_column_int64(st, 10);
	it->sent_at = sqlite3_column_int64(st, 11);
	store_column_text(st, 12, it->reply, sizeof it->reply);
	store_column_text(st, 13, it->last_error, sizeof it->last_error);
	it->body_bytes = (size_t)sqlite3_column_int64(st, 14);
	it->attachment_bytes = (size_t)sqlite3_column_int64(st, 15);
}

void outbox_item_clear(struct outbox_item *item)
{
	if (item->body) {
		explicit_bzero(item->body, item->body_bytes);
		free(item->body);
	}
	if (item->attachment) {
		explicit_bzero(item->attachment, item->attachment_bytes);
		free(item->attachment);
	}
	item->body = item->attachment = NULL;
}

agenda_err outbox_get(agenda_ctx *ctx, int64_t id, struct outbox_item *out, agenda_detail *why)
{
	static const char SQL[] = OUTBOX_SELECT "WHERE id = ?";
	agenda_err err = store_query_one(ctx->store, SQL, NULL, id, read_item, out, why);

	if (err == AG_ERR_NOT_FOUND)
		agenda_detail_set(why, MSG_OUTBOX_NOT_FOUND, (long long)id);
	return err;
}

/* A copy of a text column that may be large (malloc'd; NULL for NULL) and its length. */
static agenda_err copy_column(sqlite3_stmt *st, int col, char **out, size_t *bytes)
{
	const unsigned char *text = sqlite3_column_text(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);

	*out = NULL;
	*bytes = 0;
	if (!text)
		return AG_OK;
	if (!(*out = malloc(n + 1)))
		return AG_ERR_NOMEM;
	memcpy(*out, text, n + 1);
	*bytes = n; /* what outbox_item_clear wipes: the copy, whatever the row says now */
	return AG_OK;
}

agenda_err outbox_next_due(agenda_ctx *ctx, int64_t now, struct outbox_item *out,
                           agenda_detail *why)
{
	/* Served by the partial index outbox_due: only queued rows, in next_try order. */
	static const char DUE[] = "SELECT id FROM outbox WHERE state = 'queued' AND next_try <= ?"
	                          " ORDER BY next_try, id LIMIT 1";
	static const char BODY[] = "SELECT body, attachment FROM outbox WHERE id = ?";
	sqlite3_stmt *st;
	int64_t id = 0;
	agenda_err err;
	int rc;

	memset(out, 0, sizeof *out);
	if (!(st = store_stmt(ctx->store, DUE, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return AG_ERR_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_error(ctx->store, rc, why);
	if ((err = outbox_get(ctx, id, out, why)) != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, BODY, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		err = rc == SQLITE_DONE ? AG_ERR_NOT_FOUND : store_error(ctx->store, rc, why);
	else if ((err = copy_column(st, 0, &out->body, &out->body_bytes)) == AG_OK)
		err = copy_column(st, 1, &out->attachment, &out->attachment_bytes);
	sqlite3_reset(st);
	if (err == AG_OK && !out->body)
		err = AG_ERR_NOMEM; /* body is NOT NULL: only a failed copy gets here */
	if (err != AG_OK) {
		if (err == AG_ERR_NOMEM)
			agenda_detail_set(why, MSG_NOMEM);
		outbox_item_clear(out);
	}
	return err;
}

agenda_err outbox_list(agenda_ctx *ctx, const char *state, outbox_visit_fn visit, void *arg,
                       agenda_detail *why)
{
	static const char SQL[] = OUTBOX_SELECT "WHERE ?1 IS NULL OR state = ?1 ORDER BY id";
	struct outbox_item item;
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_item(st, &item);
		if (!visit(&item, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}
