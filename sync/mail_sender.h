/*
 * mail_sender.h — draining an outbox: the one sender central and the device share.
 *
 * The outbox itself (device SQLite, central SQLite or PostgreSQL) sits behind
 * struct mail_outbox_ops; this file decides the order of things: compose, submit, then mark.
 * Crash rule (I5): a message is marked sent only after the server's 2xx to DATA, so a crash in
 * between sends it again, with the same Message-ID. Back-off is BACKOFF_MAIL (core/backoff.h).
 */
#ifndef AGENDA_SYNC_MAIL_SENDER_H
#define AGENDA_SYNC_MAIL_SENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "platform/clock.h"
#include "sync/smtp_transport.h"

struct mail_item { /* one due message, bodies owned by the outbox implementation */
	int64_t id;
	const char *message_id, *kind, *recipient, *subject, *body;
	const char *attachment_name, *attachment; /* NULL: none */
	const char *attachment_type;              /* NULL: from the name (.csv: text/csv) */
	int attempts;                             /* failed attempts so far */
	int64_t created_at;
};

struct mail_outbox_ops {
	/* The queued message due first at now; AG_ERR_NOT_FOUND when none. *item valid until
	 * release. */
	agenda_err (*next_due)(void *outbox, int64_t now, struct mail_item *item,
	                       agenda_detail *why);
	void (*release)(void *outbox, struct mail_item *item); /* wipes and frees the bodies */
	/* AG_ERR_NOT_FOUND: the message was replaced meanwhile (a newer version): not an error. */
	agenda_err (*mark_sent)(void *outbox, int64_t id, const char *reply, agenda_detail *why);
	agenda_err (*mark_failed)(void *outbox, int64_t id, const char *reply, int64_t next_try,
	                          bool give_up, agenda_detail *why);
};

struct mail_drain_report {
	int sent, retried, given_up; /* messages, this drain */
	bool link_down;              /* stopped because no server was reachable */
	struct smtp_result last;     /* the last attempt's outcome */
};

/*
 * Sends due messages one after the other until none is due, max_messages were tried (0: no
 * limit) or the link is down. Each: mail_compose (Date = now), smtp_send, then mark_sent, or
 * mark_failed with backoff_next(&BACKOFF_MAIL, attempts + 1, now, &next_try) (give_up when it
 * says so or on SMTP_PERMANENT). LINK_DOWN marks nothing and stops. A store error stops and is
 * returned. Settings that no message could be sent with (no host, a sender address or display
 * name that cannot be composed) are AG_ERR_USAGE before any row is touched. *out is always
 * filled.
 */
agenda_err mail_drain(const struct mail_outbox_ops *ops, void *outbox, smtp_session *session,
                      const struct smtp_settings *cfg, const agenda_clock *clock, int max_messages,
                      struct mail_drain_report *out, agenda_detail *why);

#endif
