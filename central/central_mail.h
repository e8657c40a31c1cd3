/*
 * central_mail.h — central's outbox leaving over SMTP (issue 13): the mail settings in central's
 * folder, the outbox as the shared sender sees it (struct mail_outbox_ops over one store
 * connection), and one drain that `outbox send` and serve's sender thread both run.
 *
 * Settings live beside store.conf: DIR/mail.json (server, port, mode, user, sender; no secret),
 * DIR/smtp-password and DIR/smtp-ca.pem, all 0600. The password is read only to send, kept in
 * struct smtp_settings for one drain and wiped after; no command prints it.
 */
#ifndef AGENDA_CENTRAL_MAIL_H
#define AGENDA_CENTRAL_MAIL_H

#include <stdbool.h>

#include "core/error.h"
#include "platform/clock.h"
#include "store.h"
#include "store_outbox.h"
#include "sync/mail_sender.h"
#include "sync/smtp_transport.h"

#define CENTRAL_MAIL_SETTINGS "mail.json"
#define CENTRAL_MAIL_PASSWORD "smtp-password"
#define CENTRAL_MAIL_CA       "smtp-ca.pem"

/* The outbox handed to mail_drain: a store connection and the message in flight. */
struct central_mail_outbox {
	central_store *store;
	const agenda_clock *clock; /* sent_at */
	central_outbox_entry current;
	/* the last message handed out, kept past release: marks name that version only */
	int64_t in_flight_id;
	char in_flight_message_id[160];
};

/* next_due / release / mark_sent / mark_failed over central_store_outbox_* (store_outbox.h).
 * A mark refused because the row is no longer queued (another sender, a person's retry) is
 * reported as AG_ERR_NOT_FOUND: not this sender's to mark any more, not a store error. */
extern const struct mail_outbox_ops central_mail_outbox_ops;

/* Whether DIR holds mail settings. */
bool central_mail_configured(const char *dir);

/*
 * The settings of DIR into *out, password and CA path included (wipe out->password after use).
 * AG_ERR_NOT_FOUND (why says how to configure) when mail is not configured; AG_ERR_INVALID for
 * a damaged settings file; AG_ERR_IO when a file cannot be read.
 */
agenda_err central_mail_settings_load(const char *dir, struct smtp_settings *out,
                                      agenda_detail *why);

/*
 * Writes DIR's settings from cfg (every field but password and ca_file), then, when given, the
 * password (password non-NULL) and the CA (ca_pem non-NULL), each atomically and 0600.
 * password "" removes the stored one (no AUTH).
 */
agenda_err central_mail_settings_save(const char *dir, const struct smtp_settings *cfg,
                                      const char *password, const char *ca_pem, agenda_detail *why);

/* "starttls" / "smtps"; false for anything else. */
bool central_mail_mode_parse(const char *text, enum smtp_mode *out);
const char *central_mail_mode_name(enum smtp_mode mode);

/*
 * Loads DIR's settings, drains s's outbox (mail_drain, at most max messages, 0: all due) and
 * wipes the password. AG_ERR_NOT_FOUND when mail is not configured. *out is always filled.
 */
agenda_err central_mail_drain(central_store *s, const char *dir, smtp_session *session,
                              const agenda_clock *clock, int max, struct mail_drain_report *out,
                              agenda_detail *why);

#endif
