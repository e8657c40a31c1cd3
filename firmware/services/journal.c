/*
 * journal.c — writing journal entries (a UUID entry id, the key central applies it by, I4; the
 * kind, the appointment and the sealed JSON payload) and reading them back for the sync client:
 * batches after a cursor, acknowledgements by entry id, the backlog.
 *
 * The journal table has no index on `acked`, so "the first unacknowledged entry" would mean
 * walking every acknowledged one. Instead journal_ack keeps, in the same transaction, the entry
 * up to which everything is acknowledged (sync_state 'journal_acked_through', by entry_id so that
 * a pruned or renumbered journal can only make it fall back to a full walk, never skip an entry);
 * batches start their walk there.
 */
#include "services/journal.h"

#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "services/journal_payload.h"

#define CURSOR_KEY "journal_acked_through"

agenda_err journal_add(agenda_ctx *ctx, const char *kind, const char *appointment_id,
                       json_t *payload, agenda_detail *why)
{
	static const char SQL[] = "INSERT INTO journal(entry_id, kind, appointment_id, payload,"
	                          " created_at) VALUES(?, ?, ?, ?, ?)";
	char entry_id[JOURNAL_ENTRY_ID_MAX];
	char *text = NULL;
	sqlite3_stmt *st;
	int64_t now = clock_now(&ctx->clock);
	agenda_err err = payload ? rng_uuid(&ctx->rng, entry_id) : AG_ERR_NOMEM;

	if (err != AG_OK) {
		agenda_detail_set(why, err == AG_ERR_NOMEM ? MSG_NOMEM : MSG_RNG_FAILED);
		goto done;
	}
	if (!(text = journal_payload_seal(payload, entry_id, kind, ctx->device_id, now))) {
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
	sqlite3_bind_int64(st, 5, now);
	err = store_step_done(ctx->store, st, why);
done:
	free(text);
	json_decref(payload);
	return err;
}

/* The stored cursor's local id; 0 when unset or its entry is gone. */
static agenda_err stored_cursor(agenda_ctx *ctx, int64_t *cursor, agenda_detail *why)
{
	static const char SQL[] = "SELECT j.id FROM sync_state s JOIN journal j"
	                          " ON j.entry_id = s.value WHERE s.key = '" CURSOR_KEY "'";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	*cursor = 0;
	if (!st)
		return AG_ERR_STORE;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*cursor = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}

agenda_err journal_entry_appointment(agenda_ctx *ctx, const char *entry_id,
                                     char out[JOURNAL_ENTRY_ID_MAX], agenda_detail *why)
{
	static const char SQL[] = "SELECT coalesce(appointment_id, '') FROM journal"
	                          " WHERE entry_id = ?";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	out[0] = '\0';
	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, entry_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_column_text(st, 0, out, JOURNAL_ENTRY_ID_MAX);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return AG_OK;
	return rc == SQLITE_DONE ? AG_ERR_NOT_FOUND : store_error(ctx->store, rc, why);
}

agenda_err journal_cursor(agenda_ctx *ctx, int64_t *cursor, agenda_detail *why)
{
	/* From the stored cursor, the last entry before the first unacknowledged one. */
	static const char SQL[] =
	        "SELECT coalesce((SELECT id FROM journal WHERE id > ?1 AND acked = 0"
	        " ORDER BY id LIMIT 1) - 1, (SELECT max(id) FROM journal), 0)";
	sqlite3_stmt *st;
	agenda_err err = stored_cursor(ctx, cursor, why);
	int rc;

	if (err != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, *cursor);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*cursor = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? AG_OK : store_error(ctx->store, rc, why);
}

agenda_err journal_batch(agenda_ctx *ctx, int64_t after_id, const struct journal_batch_limits *lim,
                         journal_visit_fn visit, void *arg, struct journal_batch_report *out,
                         agenda_detail *why)
{
	static const char SQL[] = "SELECT id, entry_id, kind, appointment_id, payload, created_at"
	                          " FROM journal WHERE id > ? AND acked = 0 ORDER BY id";
	sqlite3_stmt *st;
	int64_t from;
	agenda_err err;
	int rc;

	memset(out, 0, sizeof *out);
	out->last_id = after_id;
	if ((err = stored_cursor(ctx, &from, why)) != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	/* Everything up to the stored cursor is acknowledged: no need to walk it. */
	sqlite3_bind_int64(st, 1, after_id > from ? after_id : from);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct journal_entry e = {.id = sqlite3_column_int64(st, 0),
		                          .entry_id = (const char *)sqlite3_column_text(st, 1),
		                          .kind = (const char *)sqlite3_column_text(st, 2),
		                          .appointment_id =
		                                  (const char *)sqlite3_column_text(st, 3),
		                          .payload = (const char *)sqlite3_column_text(st, 4),
		                          .payload_bytes = (size_t)sqlite3_column_bytes(st, 4),
		                          .created_at = sqlite3_column_int64(st, 5)};

		if (out->entries > 0 && lim && lim->max_bytes &&
		    out->bytes + e.payload_bytes > lim->max_bytes)
			break;
		out->entries++;
		out->bytes += e.payload_bytes;
		out->last_id = e.id;
		if (!visit(&e, arg) ||
		    (lim && lim->max_entries && out->entries >= lim->max_entries))
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}

/* Marks one entry; counts it as acked, already acked or not found. */
static agenda_err ack_one(agenda_ctx *ctx, const char *entry_id, struct journal_ack_report *out,
                          agenda_detail *why)
{
	static const char SQL[] = "UPDATE journal SET acked = 1 WHERE entry_id = ? AND acked = 0";
	static const char EXISTS[] = "SELECT 1 FROM journal WHERE entry_id = ?";
	sqlite3_stmt *st;
	agenda_err err;
	int rc;

	if (!entry_id) {
		out->not_found++;
		return AG_OK;
	}
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, entry_id, -1, SQLITE_STATIC);
	if ((err = store_step_done(ctx->store, st, why)) != AG_OK)
		return err;
	if (sqlite3_changes(store_db(ctx->store)) == 1) {
		out->acked++;
		return AG_OK;
	}
	if (!(st = store_stmt(ctx->store, EXISTS, why)))
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, entry_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		out->already++;
	else if (rc == SQLITE_DONE)
		out->not_found++;
	else
		return store_error(ctx->store, rc, why);
	return AG_OK;
}

/* Moves the stored cursor to the last entry before the first unacknowledged one. */
static agenda_err advance_cursor(agenda_ctx *ctx, agenda_detail *why)
{
	static const char SQL[] =
	        "INSERT INTO sync_state(key, value)"
	        " SELECT '" CURSOR_KEY "', entry_id FROM journal WHERE id > ?1 AND id < coalesce("
	        "  (SELECT id FROM journal WHERE id > ?1 AND acked = 0 ORDER BY id LIMIT 1),"
	        "  9223372036854775807) ORDER BY id DESC LIMIT 1"
	        " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
	sqlite3_stmt *st;
	int64_t from;
	agenda_err err = stored_cursor(ctx, &from, why);

	if (err != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, from);
	return store_step_done(ctx->store, st, why);
}

agenda_err journal_ack(agenda_ctx *ctx, const char *const *entry_ids, size_t n,
                       struct journal_ack_report *out, agenda_detail *why)
{
	agenda_err err;

	memset(out, 0, sizeof *out);
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	for (size_t i = 0; i < n; i++)
		if ((err = ack_one(ctx, entry_ids[i], out, why)) != AG_OK)
			goto done;
	if (out->acked > 0 && (err = advance_cursor(ctx, why)) != AG_OK)
		goto done;
	err = store_commit(ctx->store, why);
done:
	if (err != AG_OK) {
		store_rollback(ctx->store);
		memset(out, 0, sizeof *out);
	}
	return err;
}

agenda_err journal_unacked_count(agenda_ctx *ctx, int64_t *count, agenda_detail *why)
{
	static const char SQL[] = "SELECT count(*) FROM journal WHERE id > ? AND acked = 0";
	sqlite3_stmt *st;
	int64_t from;
	agenda_err err = stored_cursor(ctx, &from, why);
	int rc;

	*count = 0;
	if (err != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, from);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? AG_OK : store_error(ctx->store, rc, why);
}
