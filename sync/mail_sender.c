/*
 * mail_sender.c — draining an outbox (first commit: a placeholder that sends nothing).
 */
#include "sync/mail_sender.h"

#include <string.h>

agenda_err mail_drain(const struct mail_outbox_ops *ops, void *outbox, smtp_session *session,
                      const struct smtp_settings *cfg, const agenda_clock *clock, int max_messages,
                      struct mail_drain_report *out, agenda_detail *why)
{
	(void)ops;
	(void)outbox;
	(void)session;
	(void)cfg;
	(void)clock;
	(void)max_messages;
	(void)why;
	memset(out, 0, sizeof(*out));
	return AG_OK;
}
