/*
 * outbox.h — email waiting to leave the device.
 *
 * Messages are written in the same transaction as the change they report and sent later by the
 * mail sender (a later issue) with back-off; until then they wait here, so a dead link loses
 * nothing. The Message-ID is chosen by the caller so a resend is recognisable as the same mail.
 */
#ifndef AGENDA_SERVICES_OUTBOX_H
#define AGENDA_SERVICES_OUTBOX_H

#include "services/context.h"

/* Queues one message (plain text body; attachment optional, may be NULL). */
agenda_err outbox_queue(agenda_ctx *ctx, const char *kind, const char *message_id,
                        const char *recipient, const char *subject, const char *body,
                        const char *attachment_name, const char *attachment, agenda_detail *why);

/* Messages not yet sent. */
agenda_err outbox_pending(agenda_ctx *ctx, int *count, agenda_detail *why);

#endif
