/*
 * device_mail.h — the device's outbox behind the shared sender (sync/mail_sender.h).
 *
 * The outbox is services/outbox.h (SQLite, the same file as the bookings); this file adapts it
 * to struct mail_outbox_ops and runs one drain with the device's settings
 * (device_mail_settings.h). agendactl `outbox send` and the kiosk's worker both call
 * device_mail_drain; two drains at once may both send a message (the same Message-ID), never
 * lose one: the row is marked sent only after the server accepted it.
 */
#ifndef AGENDA_SYNC_DEVICE_MAIL_H
#define AGENDA_SYNC_DEVICE_MAIL_H

#include "services/context.h"
#include "services/outbox.h"
#include "sync/mail_sender.h"

/* The outbox as the sender sees it: pass a struct device_mail_outbox as the void *outbox. */
struct device_mail_outbox {
	agenda_ctx *ctx;
	struct outbox_item current; /* the message handed out by next_due, until release */
};
extern const struct mail_outbox_ops DEVICE_MAIL_OUTBOX_OPS;

/*
 * Loads the settings and the password (device_mail_load), drains the due messages (at most
 * max, 0: all) through session (NULL: a session of its own for this call) and wipes the
 * password. AG_ERR_USAGE when mail is not configured; *out is always filled.
 */
agenda_err device_mail_drain(agenda_ctx *ctx, const char *data_dir, smtp_session *session, int max,
                             struct mail_drain_report *out, agenda_detail *why);

#endif
