/*
 * central_outbox_cli.c — `agenda-central outbox show|retry|send` (issue 13): one message and the
 * server's replies (never its text: it may hold a password), a failed message queued again by a
 * person, and a drain now (the same one serve's sender thread runs, central_mail.h). send's exit
 * says what is left: 0 every due message went, 16 no server was reachable (nothing touched),
 * 12 some are waiting for a retry or were given up (the server's reply is in the message).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_args.h"
#include "central_mail.h"
#include "central_time.h"

/* --id N into *id; false after saying why (exit 9). */
static bool parse_id(const struct central_cli *c, const struct central_opt *o, int64_t *id,
                     int *status)
{
	const char *text = central_opt(o);
	char *end;
	long long value = strtoll(text, &end, 10);

	if (*text && !*end && value > 0) {
		*id = value;
		return true;
	}
	*status = central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_NUMBER, o->name, text, 1,
	                           2147483647);
	return false;
}

/* A time, or "" for 0 (not yet). */
static const char *time_or(int64_t seconds, char out[CENTRAL_TIME_SIZE], const char *none)
{
	if (!seconds)
		return none;
	central_time_text(seconds, out);
	return out;
}

static void show(const struct central_cli *c, const central_outbox_entry *e)
{
	const central_outbox_item *m = &e->item;
	char created[CENTRAL_TIME_SIZE], next[CENTRAL_TIME_SIZE], sent[CENTRAL_TIME_SIZE];

	if (c->json) {
		central_emit(json_pack(
		        "{s:I, s:s, s:s, s:s, s:s?, s:s, s:s, s:i, s:I, s:I, s:o?, s:s?, s:s?, s:I,"
		        " s:s?}",
		        "id", (json_int_t)m->id, "state", m->state, "kind", m->kind, "message_id",
		        m->message_id, "topic", m->topic[0] ? m->topic : NULL, "recipient",
		        m->recipient, "subject", m->subject, "attempts", m->attempts, "created_at",
		        (json_int_t)m->created_at, "next_try", (json_int_t)m->next_try, "sent_at",
		        m->sent_at ? json_integer(m->sent_at) : NULL, "reply",
		        e->reply[0] ? e->reply : NULL, "last_error",
		        e->last_error[0] ? e->last_error : NULL, "body_bytes",
		        (json_int_t)m->body_bytes, "attachment",
		        e->attachment_name[0] ? e->attachment_name : NULL));
		return;
	}
	printf(msg_get(MSG_CTL_OUTBOX_SHOW, c->lang), (long long)m->id, m->state, m->kind,
	       m->message_id, m->recipient, m->subject, time_or(m->created_at, created, "-"),
	       m->attempts,
	       strcmp(m->state, "queued") == 0
	               ? time_or(m->next_try, next, msg_get(MSG_CTL_OUTBOX_NOW, c->lang))
	               : "-",
	       time_or(m->sent_at, sent, "-"), e->reply[0] ? e->reply : "-",
	       e->last_error[0] ? e->last_error : "-", (long long)m->body_bytes,
	       e->attachment_name[0] ? e->attachment_name : "-");
	printf("\n");
}

/* show (retry false) or retry of --id N. */
static int one_message(const struct central_cli *c, int argc, char **argv, bool retry)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0}, {"--id", true, 1, {0}, 0}};
	central_outbox_entry e;
	central_store *s = NULL;
	int64_t id = 0, pinned = 0;
	agenda_clock clock;
	agenda_detail why;
	agenda_err err;
	int status = central_args_parse(c, argc, argv, o, 2);

	if (status != CENTRAL_EXIT_OK || !parse_id(c, &o[1], &id, &status))
		return status;
	if (clock_from_env(&clock, &pinned) != AG_OK)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_ARG, CLOCK_ENV);
	if ((status = central_open_store(c, central_opt(&o[0]), &s)) != CENTRAL_EXIT_OK)
		return status;
	err = retry ? central_store_outbox_retry(s, id, clock_now(&clock), &why) : AG_OK;
	if (err == AG_OK)
		err = central_store_outbox_get(s, id, &e, &why);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	if (!retry) {
		show(c, &e);
	} else if (c->json) {
		central_emit(json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", e.item.state));
	} else {
		printf(msg_get(MSG_CTL_OUTBOX_RETRIED, c->lang), (long long)id);
		printf("\n");
	}
	return CENTRAL_EXIT_OK;
}

int central_outbox_show(const struct central_cli *c, int argc, char **argv)
{
	return one_message(c, argc, argv, false);
}

int central_outbox_retry(const struct central_cli *c, int argc, char **argv)
{
	return one_message(c, argc, argv, true);
}

/* The exit of a drain that ran: what is left decides it. */
static int send_report(const struct central_cli *c, const struct mail_drain_report *r)
{
	int status = r->link_down                   ? CENTRAL_EXIT_NETWORK
	             : r->retried + r->given_up > 0 ? CENTRAL_EXIT_PARTIAL
	                                            : CENTRAL_EXIT_OK;

	if (c->json) {
		central_emit(json_pack("{s:i, s:i, s:i, s:b, s:s, s:i, s:s, s:i}", "sent", r->sent,
		                       "retried", r->retried, "given_up", r->given_up, "link_down",
		                       r->link_down, "last_outcome",
		                       smtp_outcome_name(r->last.outcome), "last_code",
		                       r->last.code, "last_reply", r->last.reply, "exit", status));
		return status;
	}
	printf(msg_get(MSG_CENTRAL_OUTBOX_SEND_DONE, c->lang), r->sent, r->retried, r->given_up);
	printf("\n");
	if (status != CENTRAL_EXIT_OK) {
		fprintf(stderr, "agenda-central: ");
		fprintf(stderr,
		        msg_get(status == CENTRAL_EXIT_NETWORK ? MSG_CENTRAL_OUTBOX_LINK_DOWN
		                                               : MSG_CENTRAL_OUTBOX_LEFT,
		                c->lang),
		        r->last.reply);
		fprintf(stderr, "\n");
	}
	return status;
}

int central_outbox_send(const struct central_cli *c, int argc, char **argv)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0}, {"--max", false, 1, {0}, 0}};
	struct mail_drain_report report;
	smtp_session *session = NULL;
	central_store *s = NULL;
	int64_t pinned = 0, max = 0;
	agenda_clock clock;
	agenda_detail why;
	agenda_err err;
	int status = central_args_parse(c, argc, argv, o, 2);

	if (status != CENTRAL_EXIT_OK || (central_opt(&o[1]) && !parse_id(c, &o[1], &max, &status)))
		return status;
	if (clock_from_env(&clock, &pinned) != AG_OK)
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_ARG, CLOCK_ENV);
	if (!central_mail_configured(central_opt(&o[0])))
		return central_fail_msg(c, AG_ERR_NOT_FOUND, MSG_CENTRAL_MAIL_NOT_CONFIGURED,
		                        central_opt(&o[0]));
	if ((status = central_open_store(c, central_opt(&o[0]), &s)) != CENTRAL_EXIT_OK)
		return status;
	if (!(session = smtp_session_new())) {
		central_store_close(s);
		return central_fail_msg(c, AG_ERR_NOMEM, MSG_NOMEM);
	}
	err = central_mail_drain(s, central_opt(&o[0]), session, &clock, (int)max, &report, &why);
	smtp_session_free(session);
	central_store_close(s);
	if (err != AG_OK)
		return central_fail(c, err, &why);
	return send_report(c, &report);
}
