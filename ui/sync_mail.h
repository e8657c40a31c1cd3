/*
 * sync_mail.h — what the kiosk's sync thread does for email (issue 13): once a minute it closes
 * a day left open past its close time (day_close_due), then, when a mail server is configured
 * and the link is up, drains the device's outbox (device_mail_drain); it reads back the counts
 * the status bar and Tecnico show. "Riprova email" puts every given-up message back in the queue
 * first (outbox_retry, audited under the technician's name).
 *
 * Everything here runs on the sync thread's own context; the SMTP session (one libcurl handle)
 * is kept between drains like the sync session.
 */
#ifndef AGENDA_UI_SYNC_MAIL_H
#define AGENDA_UI_SYNC_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/booking.h"
#include "services/context.h"
#include "services/outbox.h"
#include "sync/mail_sender.h"

#define SYNC_MAIL_SERVER_MAX 300
#define SYNC_MAIL_DRAIN_MAX  20 /* messages per drain: a long queue leaves room for rounds */

/* What one step did. */
struct sync_mail_outcome {
	bool closed; /* day_close_due closed a day */
	struct day_close_report close;
	bool drained;         /* a drain ran (configured, link up) */
	agenda_err drain_err; /* its result (a store error, not an SMTP failure) */
	struct mail_drain_report drain;
};

/* What the outbox holds now, for the status bar and Tecnico. */
struct sync_mail_counts {
	bool configured;                     /* setting mail.host is set */
	char server[SYNC_MAIL_SERVER_MAX];   /* "host:port" */
	int queued;                          /* waiting, retries included */
	int failed;                          /* given up until a person retries */
	char last_failure[OUTBOX_REPLY_MAX]; /* the newest failed message's reply, "" none */
};

struct sync_mail {
	char data_dir[4096]; /* smtp-password, smtp-ca.pem (device_mail.h) */
	smtp_session *session;
};

/*
 * One step: day_close_due, then a drain when configured and link_up. An error of the close is
 * returned (the drain still runs); the drain's store error is in out->drain_err.
 */
agenda_err sync_mail_step(struct sync_mail *m, agenda_ctx *ctx, bool link_up,
                          struct sync_mail_outcome *out, agenda_detail *why);

/* Frees the kept SMTP session. */
void sync_mail_close(struct sync_mail *m);

/* The counts and the server's name. */
agenda_err sync_mail_counts_read(agenda_ctx *ctx, struct sync_mail_counts *out, agenda_detail *why);

/* Every failed message queued again now (outbox_retry with actor); *retried says how many. */
agenda_err sync_mail_retry_failed(agenda_ctx *ctx, const char *actor, int *retried,
                                  agenda_detail *why);

#endif
