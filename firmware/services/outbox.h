/*
 * outbox.h — email waiting to leave the device.
 *
 * Messages are written in the same transaction as the change they report and sent later by the
 * mail sender (a later issue) with back-off; until then they wait here, so a dead link loses
 * nothing. The Message-ID is chosen by the caller so a resend is recognisable as the same mail.
 *
 * A message with a topic replaces the one of the same topic not yet sent: a password reset
 * leaves one clear password waiting, never two. The schema wipes a password message's body the
 * moment it is marked sent (trigger outbox_sent_password_wiped), and deleted rows leave no bytes
 * in the file (secure_delete; store_checkpoint empties the WAL).
 *
 * The sender's side (outbox_delivery.c): take the next message due, then mark it sent (the
 * server's reply and the time kept) or failed (reply kept, tried again at next_try, or given up
 * as 'failed' until a person retries it). Every message is in exactly one state:
 *   queued --sent--> sent        queued --failed--> queued (later) | failed --retry--> queued
 * Sent and given-up messages are audited; a failed attempt that will be retried is not (the
 * reply is on the row).
 */
#ifndef AGENDA_SERVICES_OUTBOX_H
#define AGENDA_SERVICES_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/context.h"

#define OUTBOX_REPLY_MAX 512 /* a server's reply is kept up to this many bytes (UTF-8) */

struct outbox_message {
	const char *kind;       /* "password", "day_list", ... */
	const char *topic;      /* NULL, or what a newer message of the same topic replaces */
	const char *message_id; /* "<...@...>" */
	const char *recipient;
	const char *subject;
	const char *body;            /* plain text */
	const char *attachment_name; /* optional (NULL) */
	const char *attachment;      /* optional (NULL) */
};

/* Queues one message inside the caller's transaction, replacing a waiting one of its topic. */
agenda_err outbox_queue(agenda_ctx *ctx, const struct outbox_message *m, agenda_detail *why);

/* Drops the waiting message of a topic, if any (an account removed before its mail left). */
agenda_err outbox_drop_topic(agenda_ctx *ctx, const char *topic, agenda_detail *why);

/* Messages not yet sent. */
agenda_err outbox_pending(agenda_ctx *ctx, int *count, agenda_detail *why);

/* One message as stored. body and attachment are filled by outbox_next_due only. */
struct outbox_item {
	int64_t id;
	char message_id[160];
	char kind[24];
	char topic[64];
	char recipient[256];
	char subject[256];
	char attachment_name[128];
	char state[8]; /* "queued", "sent", "failed" */
	int attempts;  /* failed attempts since queued or last retried */
	int64_t created_at;
	int64_t next_try;                  /* epoch seconds; 0: as soon as possible */
	int64_t sent_at;                   /* 0 until sent */
	char reply[OUTBOX_REPLY_MAX];      /* the server's last reply */
	char last_error[OUTBOX_REPLY_MAX]; /* the reply of the last failed attempt */
	size_t body_bytes;
	size_t attachment_bytes; /* 0 when there is no attachment */
	char *body;              /* malloc'd by outbox_next_due; may hold a password */
	char *attachment;        /* same, or NULL */
};

/* Wipes and frees body and attachment (a password never lingers in freed memory). */
void outbox_item_clear(struct outbox_item *item);

/*
 * The queued message due first at now (next_try <= now; earliest next_try, then oldest), with
 * its body and attachment (release with outbox_item_clear). AG_ERR_NOT_FOUND when none is due.
 */
agenda_err outbox_next_due(agenda_ctx *ctx, int64_t now, struct outbox_item *out,
                           agenda_detail *why);

/*
 * The server accepted a queued message: state sent, sent_at now, its reply kept, audited (the
 * trigger wipes a password's body in the same transaction). AG_ERR_NOT_FOUND for no such id,
 * AG_ERR_REFUSED when the message is not queued.
 */
agenda_err outbox_mark_sent(agenda_ctx *ctx, int64_t id, const char *reply, agenda_detail *why);

/*
 * An attempt at a queued message failed: attempts + 1, the reply kept (reply and last_error);
 * queued again for next_try, or, with give_up, left 'failed' (audited) until outbox_retry.
 * The caller picks next_try and give_up, normally with backoff_next(&BACKOFF_MAIL, ...).
 * Errors as outbox_mark_sent.
 */
agenda_err outbox_mark_failed(agenda_ctx *ctx, int64_t id, const char *reply, int64_t next_try,
                              bool give_up, agenda_detail *why);

/*
 * The same two for a sender holding the message it took (next_due's message_id): when row id
 * is another message now (the one taken was replaced and SQLite gave its id to the
 * replacement), AG_ERR_NOT_FOUND and nothing changes.
 */
agenda_err outbox_mark_sent_as(agenda_ctx *ctx, int64_t id, const char *message_id,
                               const char *reply, agenda_detail *why);
agenda_err outbox_mark_failed_as(agenda_ctx *ctx, int64_t id, const char *message_id,
                                 const char *reply, int64_t next_try, bool give_up,
                                 agenda_detail *why);

/*
 * A person asks for a message to go now: a failed or queued one becomes queued with next_try
 * now and a fresh count of attempts (so the back-off starts over); audited with actor.
 * AG_ERR_NOT_FOUND for no such id, AG_ERR_REFUSED for a message already sent.
 */
agenda_err outbox_retry(agenda_ctx *ctx, const char *actor, int64_t id, agenda_detail *why);

/* One message without its body (for showing: a body may hold a password). */
agenda_err outbox_get(agenda_ctx *ctx, int64_t id, struct outbox_item *out, agenda_detail *why);

/* Called per message, oldest first; false stops the listing. The item lives during the call. */
typedef bool (*outbox_visit_fn)(const struct outbox_item *item, void *arg);

/* Lists the messages in a state ("queued", "sent", "failed"; NULL: all), without bodies. */
agenda_err outbox_list(agenda_ctx *ctx, const char *state, outbox_visit_fn visit, void *arg,
                       agenda_detail *why);

#endif
