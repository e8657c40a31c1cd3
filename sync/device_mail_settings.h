/*
 * device_mail_settings.h — the device's SMTP settings: what `agendactl mail configure` records
 * and what the sender loads before each drain.
 *
 * Plain settings live in the store (mail.host, mail.port, mail.mode, mail.user, mail.from,
 * mail.from_name, mail.timeout_ms); the password and the server's CA are private files of the
 * data folder (smtp-password, smtp-ca.pem, 0600, replaced atomically as device.key's
 * neighbours are). The password is read only to send: no function here returns it to a
 * caller that shows things, and the status says only whether it is set.
 */
#ifndef AGENDA_SYNC_DEVICE_MAIL_SETTINGS_H
#define AGENDA_SYNC_DEVICE_MAIL_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "services/context.h"
#include "services/outbox.h"
#include "sync/smtp_transport.h"

#define MAIL_SETTING_HOST       "mail.host"
#define MAIL_SETTING_PORT       "mail.port"
#define MAIL_SETTING_MODE       "mail.mode" /* "starttls" | "smtps" */
#define MAIL_SETTING_USER       "mail.user"
#define MAIL_SETTING_FROM       "mail.from"
#define MAIL_SETTING_FROM_NAME  "mail.from_name"
#define MAIL_SETTING_TIMEOUT_MS "mail.timeout_ms"
#define MAIL_PASSWORD_FILE      "smtp-password"
#define MAIL_CA_FILE            "smtp-ca.pem"
#define MAIL_DEFAULT_TIMEOUT_MS 30000

/* What `mail configure` changes: NULL (or port/timeout 0) leaves the stored value alone. */
struct device_mail_config {
	const char *host;
	int port; /* 1..65535; 0: unchanged; -1: back to the mode's default */
	const char *mode;
	const char *user; /* "" removes the user and the password file */
	const char *password;
	const char *ca_pem; /* the CA certificate(s), PEM text */
	const char *from;
	const char *from_name;
	int timeout_ms;
};

/*
 * Records the settings given (validated), writes the password and CA files, and audits the
 * change under actor (the detail names host, port, mode and whether a user and password are
 * set, never the password). A host and a from address must be in force afterwards.
 */
agenda_err device_mail_configure(agenda_ctx *ctx, const char *data_dir, const char *actor,
                                 const struct device_mail_config *cfg, agenda_detail *why);

/* True when a mail server is recorded (mail.host set). */
bool device_mail_configured(agenda_ctx *ctx);

/*
 * Everything smtp_send needs, the password included (the caller wipes *out with
 * explicit_bzero after use). AG_ERR_USAGE with the words to run `mail configure` when mail is
 * not configured; the password file's errors (missing, readable by others) as they are.
 */
agenda_err device_mail_load(agenda_ctx *ctx, const char *data_dir, struct smtp_settings *out,
                            agenda_detail *why);

/* What `mail status` and the kiosk's Tecnico show: settings without the password, counts. */
struct device_mail_status {
	bool configured;
	struct smtp_settings settings; /* password always empty here */
	bool password_set;             /* the password file exists */
	bool ca_set;                   /* smtp-ca.pem exists (else the system's CAs) */
	int queued, sent, failed;      /* outbox messages by state */
	int retrying;                  /* queued ones that already failed at least once */
	int64_t last_failure_id;       /* the newest unsent message with a failed attempt, 0 */
	char last_failure[OUTBOX_REPLY_MAX]; /* its server reply, "" when none */
};

agenda_err device_mail_status_read(agenda_ctx *ctx, const char *data_dir,
                                   struct device_mail_status *out, agenda_detail *why);

/* "starttls" / "smtps". */
const char *device_mail_mode_name(enum smtp_mode mode);

#endif
