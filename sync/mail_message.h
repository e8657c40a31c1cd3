/*
 * mail_message.h — one RFC 5322 message, composed deterministically.
 *
 * The outbox stores rows (recipient, subject, body, attachment), not wire bytes; mail_compose
 * turns a row into the bytes an SMTP server receives. The result depends only on the fields and
 * the Date, so a message sent again after a crash carries the same Message-ID and MIME boundary
 * (contract I5). Pure: no clock, no I/O; the device and agenda-central both link it.
 */
#ifndef AGENDA_SYNC_MAIL_MESSAGE_H
#define AGENDA_SYNC_MAIL_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct mail_message {
	const char *message_id;      /* "<...@...>" as stored in the outbox */
	const char *from;            /* bare address */
	const char *from_name;       /* UTF-8 display name or NULL */
	const char *to;              /* bare address */
	const char *subject;         /* UTF-8; RFC 2047 encoded-words when not ASCII */
	const char *body;            /* UTF-8 plain text, '\n' line ends */
	const char *attachment_name; /* NULL: a single text/plain part */
	const char *attachment;      /* UTF-8 text */
	const char *attachment_type; /* e.g. "text/csv"; NULL: "application/octet-stream" */
	int64_t date;                /* epoch seconds: Date header in Europe/Rome with its offset */
};

/*
 * CRLF line ends, MIME-Version 1.0, text parts charset=utf-8 quoted-printable, multipart/mixed
 * with a boundary derived from the Message-ID when there is an attachment. *out malloc'd (the
 * caller frees it, after wiping it when the body was a secret); *len excludes the final NUL.
 * AG_ERR_INVALID when a required field is missing or a header field holds a line break.
 */
agenda_err mail_compose(const struct mail_message *m, char **out, size_t *len, agenda_detail *why);

#endif
