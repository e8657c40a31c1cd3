/*
 * outbox_delivery.c — the outcome of each attempt at sending a message (outbox.h): sent with the
 * server's reply, failed and tried again later, given up, retried by a person.
 *
 * Each is one transaction that changes the row only from the state it expects (a queued message
 * for the sender, anything but sent for a retry), so a sender and a technician acting at once
 * cannot, say, mark sent a message a retry has just reset. The password body is wiped by the
 * schema's trigger inside the same transaction as the 'sent' state, never by this code: no path
 * can mark a password sent and leave it readable.
 */
#include <stdio.h>
#include <string.h>

#include "core/messages.h"
#include "core/text.h"
#include "services/audit.h"
#include "services/outbox.h"

/* Who the audit names for the sender's own records. */
#define OUTBOX_ACTOR "mail"

/* One change of state: its SQL (?1 id, ?2 reply, ?3 a time), its audit record, its refusal. */
struct state_change {
	const char *sql;     /* must change exactly one row */
	const char *actor;   /* who the audit names */
	const char *action;  /* audit action; NULL: no record */
	bool counts_attempt; /* the SQL adds one failed attempt (said in the audit detail) */
	bool retry;          /* refused only when sent (else: refused when not queued) */
	bool sends;          /* the state becomes 'sent' */
};

/*
 * Runs one state change and audits it, in one transaction. When no row changed, says why: no
 * such message, or not in a state the change applies to.
 */
static agenda_err change(agenda_ctx *ctx, const struct state_change *c, int64_t id,
                         const char *message_id, const char *reply, int64_t when,
                         agenda_detail *why)
{
	char clean[OUTBOX_REPLY_MAX], subject[32], detail[64];
	struct outbox_item item;
	sqlite3_stmt *st;
	agenda_err err;

	/* A server's words: kept valid UTF-8 and bounded, whatever it sent. */
	text_utf8_sanitize(reply ? reply : "", clean, sizeof clean);
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if ((err = outbox_get(ctx, id, &item, why)) != AG_OK)
		goto done;
	/* SQLite may give a replaced row's id to its replacement: the sender names the message
	 * it took, and a row that is another message now is not the sender's to mark. */
	if (message_id && strcmp(item.message_id, message_id) != 0) {
		agenda_detail_set(why, MSG_OUTBOX_NOT_FOUND, (long long)id);
		err = AG_ERR_NOT_FOUND;
		goto done;
	}
	if (!(st = store_stmt(ctx->store, c->sql, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, clean, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, when);
	if ((err = store_step_done(ctx->store, st, why)) != AG_OK)
		goto done;
	if (sqlite3_changes(store_db(ctx->store)) != 1) {
		if (c->retry)
			agenda_detail_set(why, MSG_OUTBOX_ALREADY_SENT, (long long)id);
		else
			agenda_detail_set(why, MSG_OUTBOX_NOT_QUEUED, (long long)id, item.state);
		err = AG_ERR_REFUSED;
		goto done;
	}
	if (c->action) {
		/* Ids and counts only: a reply may quote the recipient's address. */
		snprintf(subject, sizeof subject, "outbox:%lld", (long long)id);
		snprintf(detail, sizeof detail, "kind=%s failed_attempts=%d", item.kind,
		         item.attempts + (c->counts_attempt ? 1 : 0));
		if ((err = audit_append(ctx, c->actor, c->action, subject, detail, why)) != AG_OK)
			goto done;
	}
	err = store_commit(ctx->store, why);
	/*
	 * The trigger blanked a password's body in the table; its old page images may still be
	 * in the WAL: fold it in so the clear text leaves the disk now, not at some later
	 * checkpoint.
	 */
	if (err == AG_OK && c->sends && strcmp(item.kind, "password") == 0)
		store_checkpoint(ctx->store);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

agenda_err outbox_mark_sent_as(agenda_ctx *ctx, int64_t id, const char *message_id,
                               const char *reply, agenda_detail *why)
{
	static const struct state_change SENT = {
	        .sql = "UPDATE outbox SET state = 'sent', reply = ?2, sent_at = ?3"
	               " WHERE id = ?1 AND state = 'queued'",
	        .actor = OUTBOX_ACTOR,
	        .action = "mail_sent",
	        .sends = true};

	return change(ctx, &SENT, id, message_id, reply, clock_now(&ctx->clock), why);
}

agenda_err outbox_mark_sent(agenda_ctx *ctx, int64_t id, const char *reply, agenda_detail *why)
{
	return outbox_mark_sent_as(ctx, id, NULL, reply, why);
}

agenda_err outbox_mark_failed_as(agenda_ctx *ctx, int64_t id, const char *message_id,
                                 const char *reply, int64_t next_try, bool give_up,
                                 agenda_detail *why)
{
	static const struct state_change LATER = {
	        .sql = "UPDATE outbox SET attempts = attempts + 1, reply = ?2, last_error = ?2,"
	               " next_try = ?3 WHERE id = ?1 AND state = 'queued'",
	        .actor = OUTBOX_ACTOR};
	static const struct state_change GIVE_UP = {
	        .sql = "UPDATE outbox SET attempts = attempts + 1, reply = ?2, last_error = ?2,"
	               " state = 'failed' WHERE id = ?1 AND state = 'queued'",
	        .actor = OUTBOX_ACTOR,
	        .action = "mail_given_up",
	        .counts_attempt = true};

	return change(ctx, give_up ? &GIVE_UP : &LATER, id, message_id, reply, next_try, why);
}

agenda_err outbox_mark_failed(agenda_ctx *ctx, int64_t id, const char *reply, int64_t next_try,
                              bool give_up, agenda_detail *why)
{
	return outbox_mark_failed_as(ctx, id, NULL, reply, next_try, give_up, why);
}

agenda_err outbox_retry(agenda_ctx *ctx, const char *actor, int64_t id, agenda_detail *why)
{
	/* The last reply stays for the record: ?2 is not used (binding an unused index is
	 * harmless). */
	const struct state_change retry = {
	        .sql = "UPDATE outbox SET state = 'queued', attempts = 0, next_try = ?3"
	               " WHERE id = ?1 AND state <> 'sent'",
	        .actor = actor,
	        .action = "mail_retry",
	        .retry = true};

	return change(ctx, &retry, id, NULL, NULL, clock_now(&ctx->clock), why);
}
