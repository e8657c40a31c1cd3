/*
 * smtp_transport.h — one SMTP submission over libcurl on mbedTLS.
 *
 * Always encrypted (STARTTLS required, or implicit TLS), TLS 1.2 at least, the server checked
 * against a CA file. The outcome is classified for the outbox: sent, link down (not an attempt),
 * temporary (counted, retried with back-off) or permanent (given up until a person retries).
 * The server's last reply is kept so a person can read why. Nothing here logs a body, a
 * recipient or the password.
 */
#ifndef AGENDA_SYNC_SMTP_TRANSPORT_H
#define AGENDA_SYNC_SMTP_TRANSPORT_H

#include <stddef.h>

enum smtp_mode { SMTP_MODE_STARTTLS = 0, SMTP_MODE_SMTPS }; /* no plain-text mode */

struct smtp_settings {
	char host[256];
	int port; /* 0: 587 for STARTTLS, 465 for SMTPS */
	enum smtp_mode mode;
	char user[128];      /* empty: no AUTH */
	char password[256];  /* loaded by the caller from its 0600 file; wipe after use */
	char from[256];      /* envelope and header From */
	char from_name[128]; /* header display name, may be empty */
	char ca_file[4096];  /* PEM the server's certificate must chain to; empty: system CAs */
	int timeout_ms;      /* one whole attempt; 0: 30000 */
};

enum smtp_outcome {
	SMTP_SENT = 0,  /* 2xx after DATA: reply kept */
	SMTP_LINK_DOWN, /* nothing reached a server (resolve, connect refused/timed out):
	                   not an attempt, the message is untouched */
	SMTP_TEMPORARY, /* 4xx, TLS or AUTH trouble, a stall or cut mid-session: attempt counted */
	SMTP_PERMANENT  /* 5xx to MAIL/RCPT/DATA: given up at once (a person fixes and retries) */
};

struct smtp_result {
	enum smtp_outcome outcome;
	int code;        /* last SMTP reply code, 0 when none */
	char reply[512]; /* last reply line(s) from the server, or what failed, printable UTF-8 */
};

/* Stable English name of an outcome ("sent", "link_down", "temporary", "permanent"). */
const char *smtp_outcome_name(enum smtp_outcome outcome);

typedef struct smtp_session smtp_session; /* one CURL handle, reused between messages */

/* NULL when out of memory or libcurl cannot start. */
smtp_session *smtp_session_new(void);
void smtp_session_free(smtp_session *s); /* NULL is fine */

/*
 * Submits data (a composed message, CRLF) to recipient with cfg's server and envelope sender.
 * Always fills *out. The password is handed to libcurl for this call only and cleared from
 * the handle before returning; cfg stays the caller's to wipe.
 */
void smtp_send(smtp_session *s, const struct smtp_settings *cfg, const char *recipient,
               const char *data, size_t len, struct smtp_result *out);

#endif
