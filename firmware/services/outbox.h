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
 */
#ifndef AGENDA_SERVICES_OUTBOX_H
#define AGENDA_SERVICES_OUTBOX_H

#include "services/context.h"

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

#endif
