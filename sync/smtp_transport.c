/*
 * smtp_transport.c — one SMTP submission over libcurl (first commit: a placeholder).
 */
#include "sync/smtp_transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct smtp_session {
	int unused;
};

const char *smtp_outcome_name(enum smtp_outcome outcome)
{
	switch (outcome) {
	case SMTP_SENT:
		return "sent";
	case SMTP_LINK_DOWN:
		return "link_down";
	case SMTP_TEMPORARY:
		return "temporary";
	case SMTP_PERMANENT:
		return "permanent";
	}
	return "unknown";
}

smtp_session *smtp_session_new(void)
{
	return calloc(1, sizeof(smtp_session));
}

void smtp_session_free(smtp_session *s)
{
	free(s);
}

void smtp_send(smtp_session *s, const struct smtp_settings *cfg, const char *recipient,
               const char *data, size_t len, struct smtp_result *out)
{
	(void)s;
	(void)cfg;
	(void)recipient;
	(void)data;
	(void)len;
	memset(out, 0, sizeof(*out));
	out->outcome = SMTP_LINK_DOWN;
	snprintf(out->reply, sizeof(out->reply), "not implemented");
}
