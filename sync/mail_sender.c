/*
 * mail_sender.c — draining an outbox through one SMTP session (mail_sender.h).
 *
 * For each due message: compose it (Date = now), submit it, then record the outcome. The order
 * is the crash rule (I5): the row is marked sent only after the server's 2xx to DATA, so a crash
 * in between sends it again — with the same Message-ID, since the bytes depend only on the row
 * and the Date. A link that is down is not an attempt: nothing is marked and the drain stops,
 * so a device that is offline all day does not burn its 30 attempts. The composed bytes (which
 * may hold a password) are wiped before they are freed.
 */
#include "sync/mail_sender.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backoff.h"
#include "core/messages.h"
#include "sync/mail_message.h"

/* The attachment's MIME type when the outbox does not say: the project sends CSV lists. */
static const char *type_of(const struct mail_item *item)
{
	const char *dot;

	if (item->attachment_type)
		return item->attachment_type;
	dot = item->attachment_name ? strrchr(item->attachment_name, '.') : NULL;
	if (dot && strcmp(dot, ".csv") == 0)
		return "text/csv";
	if (dot && strcmp(dot, ".txt") == 0)
		return "text/plain";
	return NULL;
}

/* Composes and submits one message; the item is released as soon as its bytes are composed. */
static void submit(const struct mail_outbox_ops *ops, void *outbox, smtp_session *session,
                   const struct smtp_settings *cfg, struct mail_item *item, int64_t now,
                   struct smtp_result *result)
{
	struct mail_message m = {
	        .message_id = item->message_id,
	        .from = cfg->from,
	        .from_name = cfg->from_name[0] ? cfg->from_name : NULL,
	        .to = item->recipient,
	        .subject = item->subject,
	        .body = item->body,
	        .attachment_name = item->attachment_name,
	        .attachment = item->attachment,
	        .attachment_type = type_of(item),
	        .date = now,
	};
	agenda_detail composing;
	char recipient[320];
	char *data = NULL;
	size_t length = 0;
	agenda_err err;

	agenda_detail_clear(&composing);
	err = mail_compose(&m, &data, &length, &composing);
	snprintf(recipient, sizeof recipient, "%s", item->recipient ? item->recipient : "");
	ops->release(outbox, item);
	if (err != AG_OK) {
		/* the row itself is wrong (a bad address, say): no retry will mend it */
		memset(result, 0, sizeof *result);
		result->outcome = err == AG_ERR_NOMEM ? SMTP_TEMPORARY : SMTP_PERMANENT;
		snprintf(result->reply, sizeof result->reply, "%s", composing.en);
		return;
	}
	smtp_send(session, cfg, recipient, data, length, result);
	explicit_bzero(data, length);
	free(data);
}

/*
 * The settings' part of every message (server, sender, display name) checked once, before any
 * row is touched: a sender address mistyped in the configuration must not give up every queued
 * message as if each one were wrong.
 */
static agenda_err check_settings(const struct smtp_settings *cfg, agenda_detail *why)
{
	struct mail_message probe = {
	        .message_id = "<settings-check@agenda-elettronica.it>",
	        .from = cfg->from,
	        .from_name = cfg->from_name[0] ? cfg->from_name : NULL,
	        .to = "settings-check@agenda-elettronica.it",
	        .subject = "",
	        .body = "",
	};
	agenda_detail composing;
	char *data = NULL;
	size_t length = 0;

	if (!cfg->host[0]) {
		agenda_detail_set(why, MSG_MAIL_SETTINGS_INVALID, "host");
		return AG_ERR_USAGE;
	}
	if (mail_compose(&probe, &data, &length, &composing) != AG_OK) {
		agenda_detail_set(why, MSG_MAIL_SETTINGS_INVALID,
		                  cfg->from_name[0] && strstr(composing.en, "from_name")
		                          ? "from_name"
		                          : "from");
		return AG_ERR_USAGE;
	}
	free(data);
	return AG_OK;
}

agenda_err mail_drain(const struct mail_outbox_ops *ops, void *outbox, smtp_session *session,
                      const struct smtp_settings *cfg, const agenda_clock *clock, int max_messages,
                      struct mail_drain_report *out, agenda_detail *why)
{
	int64_t previous_id = 0;
	bool have_previous = false;

	memset(out, 0, sizeof *out);
	if (check_settings(cfg, why) != AG_OK)
		return AG_ERR_USAGE;
	for (int tried = 0; max_messages <= 0 || tried < max_messages; tried++) {
		struct mail_item item;
		struct smtp_result result;
		int64_t now = clock_now(clock), id, next_try = now;
		int attempts;
		bool give_up;
		agenda_err err;

		memset(&item, 0, sizeof item);
		err = ops->next_due(outbox, now, &item, why);
		if (err == AG_ERR_NOT_FOUND) {
			agenda_detail_clear(why);
			return AG_OK;
		}
		if (err != AG_OK)
			return err;
		id = item.id;
		attempts = item.attempts;
		if (have_previous && id == previous_id) {
			/* the store handed back the message it was just told about: stop rather
			 * than spin (its next_try is in the future, or it was replaced by itself)
			 */
			ops->release(outbox, &item);
			return AG_OK;
		}
		previous_id = id;
		have_previous = true;
		submit(ops, outbox, session, cfg, &item, now, &result);
		out->last = result;
		switch (result.outcome) {
		case SMTP_SENT:
			err = ops->mark_sent(outbox, id, result.reply, why);
			out->sent++;
			break;
		case SMTP_LINK_DOWN:
			out->link_down = true;
			return AG_OK;
		case SMTP_TEMPORARY:
		case SMTP_PERMANENT:
			give_up = result.outcome == SMTP_PERMANENT ||
			          backoff_next(&BACKOFF_MAIL, attempts + 1, now, &next_try);
			err = ops->mark_failed(outbox, id, result.reply, next_try, give_up, why);
			if (give_up)
				out->given_up++;
			else
				out->retried++;
			break;
		}
		if (err ==
		    AG_ERR_NOT_FOUND) /* replaced meanwhile by a newer version: not an error */
			agenda_detail_clear(why);
		else if (err != AG_OK)
			return err;
	}
	return AG_OK;
}
