/*
 * ctl_outbox.c — `agendactl outbox list|show|retry`: what email waits to leave the device, what
 * the mail server answered, and sending again a message the sender gave up on.
 *
 * No log-in, like the other technician commands: no body is ever shown (a body may hold a
 * generated password or a day's list of applicants), only its size; recipient, subject and the
 * server's replies are shown as stored. A retry is audited under `agendactl`.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "services/outbox.h"
#include "sync/device_files.h"
#include "sync/device_mail.h"
#include "sync/device_mail_settings.h"

#define OPTS(a) (sizeof(a) / sizeof((a)[0]))

static json_t *item_json(const struct outbox_item *it)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:i, s:o, s:o, s:o, s:s, s:s, s:I,"
	                 " s:o, s:I}",
	                 "id", (json_int_t)it->id, "state", it->state, "kind", it->kind,
	                 "message_id", it->message_id, "topic",
	                 it->topic[0] ? json_string(it->topic) : json_null(), "recipient",
	                 it->recipient, "subject", it->subject, "attempts", it->attempts,
	                 "created_at", ctl_json_epoch(it->created_at), "next_try",
	                 ctl_json_epoch(it->next_try), "sent_at", ctl_json_epoch(it->sent_at),
	                 "reply", it->reply, "last_error", it->last_error, "body_bytes",
	                 (json_int_t)it->body_bytes, "attachment_name",
	                 it->attachment_name[0] ? json_string(it->attachment_name) : json_null(),
	                 "attachment_bytes", (json_int_t)it->attachment_bytes);
}

/* "2026-05-04T09:00:00" or "-" for 0, for plain text. */
static const char *when(int64_t epoch, char *out, size_t size)
{
	json_t *j = ctl_json_epoch(epoch);

	snprintf(out, size, "%s", json_is_string(j) ? json_string_value(j) : "-");
	json_decref(j);
	return out;
}

static bool print_line(const struct outbox_item *it, void *arg)
{
	struct ctl *c = arg;

	if (c->json) {
		ctl_emit(item_json(it));
	} else {
		char created[24];

		ctl_say(c, MSG_CTL_OUTBOX_LINE, (long long)it->id, it->state, it->kind,
		        when(it->created_at, created, sizeof created), it->attempts, it->subject);
	}
	return true;
}

int ctl_outbox_list(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--state", true, NULL}};
	agenda_detail why = {{0}, {0}};
	int status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	if (o[0].value && strcmp(o[0].value, "queued") != 0 && strcmp(o[0].value, "sent") != 0 &&
	    strcmp(o[0].value, "failed") != 0)
		return ctl_usage(c, MSG_OUTBOX_BAD_STATE, o[0].value);
	if ((status = ctl_open(c, false)))
		return status;
	err = outbox_list(&c->ctx, o[0].value, print_line, c, &why);
	return err == AG_OK ? EXIT_OK : ctl_fail(c, err, &why);
}

/* The message id argument: a whole number from 1. */
static int parse_id(struct ctl *c, const char *text, int64_t *id)
{
	int value;
	int status = ctl_parse_int(c, "ID", text, 1, INT32_MAX, &value);

	*id = value;
	return status;
}

int ctl_outbox_show(struct ctl *c, int argc, char **argv)
{
	agenda_detail why = {{0}, {0}};
	struct outbox_item it;
	char created[24], next[24], sent[24];
	const char *arg;
	int64_t id;
	int status = ctl_parse(c, argc, argv, NULL, 0, &arg, 1, 1);
	agenda_err err;

	if (status != EXIT_OK || (status = parse_id(c, arg, &id)) || (status = ctl_open(c, false)))
		return status;
	if ((err = outbox_get(&c->ctx, id, &it, &why)) != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json) {
		ctl_emit(item_json(&it));
		return EXIT_OK;
	}
	ctl_say(c, MSG_CTL_OUTBOX_SHOW, (long long)it.id, it.state, it.kind, it.message_id,
	        it.recipient, it.subject, when(it.created_at, created, sizeof created), it.attempts,
	        strcmp(it.state, "queued") != 0           ? "-"
	        : it.next_try <= clock_now(&c->ctx.clock) ? msg_get(MSG_CTL_OUTBOX_NOW, c->lang)
	                                                  : when(it.next_try, next, sizeof next),
	        when(it.sent_at, sent, sizeof sent), it.reply[0] ? it.reply : "-",
	        it.last_error[0] ? it.last_error : "-", (long long)it.body_bytes,
	        it.attachment_name[0] ? it.attachment_name : "-");
	return EXIT_OK;
}

int ctl_outbox_retry(struct ctl *c, int argc, char **argv)
{
	agenda_detail why = {{0}, {0}};
	struct outbox_item it;
	const char *arg;
	int64_t id;
	int status = ctl_parse(c, argc, argv, NULL, 0, &arg, 1, 1);
	agenda_err err;

	if (status != EXIT_OK || (status = parse_id(c, arg, &id)) || (status = ctl_open(c, false)))
		return status;
	if ((err = outbox_retry(&c->ctx, CTL_ACTOR, id, &why)) != AG_OK ||
	    (err = outbox_get(&c->ctx, id, &it, &why)) != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json)
		ctl_emit(item_json(&it));
	else
		ctl_say(c, MSG_CTL_OUTBOX_RETRIED, (long long)id);
	return EXIT_OK;
}

/*
 * outbox send: one drain now (sync/device_mail.h). Exit 0 when nothing failed; 16 when the
 * server could not be reached (no attempt counted); 17 when the server refused or deferred a
 * message (its reply is in the message and on the row). A store error is reported as such.
 */
int ctl_outbox_send(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--max", true, NULL}};
	struct mail_drain_report r;
	struct device_mail_status s;
	agenda_detail why = {{0}, {0}}, said = {{0}, {0}};
	char dir[PATH_MAX];
	const char *reply;
	int max = 0, status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0);
	agenda_err err;
	json_t *out;

	if (status != EXIT_OK ||
	    (o[0].value && (status = ctl_parse_int(c, "--max", o[0].value, 1, 100000, &max))) ||
	    (status = ctl_open(c, false)))
		return status;
	device_files_data_dir(c->db_path, dir, sizeof dir);
	err = device_mail_drain(&c->ctx, dir, NULL, max, &r, &why);
	if (err == AG_ERR_USAGE)
		return ctl_usage_detail(c, &why);
	if (err != AG_OK || (err = device_mail_status_read(&c->ctx, dir, &s, &why)) != AG_OK)
		return ctl_fail(c, err, &why);
	reply = r.last.reply[0] ? r.last.reply : "-";
	out = json_pack("{s:i, s:i, s:i, s:b, s:i, s:i, s:s, s:i, s:s}", "sent", r.sent, "retried",
	                r.retried, "given_up", r.given_up, "link_down", r.link_down, "queued",
	                s.queued, "failed", s.failed, "last_outcome",
	                smtp_outcome_name(r.last.outcome), "last_code", r.last.code, "last_reply",
	                r.last.reply);
	if (r.sent + r.retried + r.given_up == 0 && !r.link_down)
		json_object_set_new(out, "last_outcome", json_null());
	if (!c->json)
		ctl_say(c, MSG_CTL_OUTBOX_SENT, r.sent, r.retried, r.given_up, s.queued, s.failed);
	if (r.link_down) {
		agenda_detail_set(&said, MSG_CTL_OUTBOX_LINK_DOWN, reply);
		json_object_set_new(out, "network", json_true());
		return ctl_fail_code(c, "network", EXIT_NETWORK, &said, out);
	}
	if (r.retried || r.given_up) {
		agenda_detail_set(&said, MSG_CTL_OUTBOX_NOT_ALL_SENT, reply);
		return ctl_fail_code(c, "mail", EXIT_MAIL, &said, out);
	}
	if (c->json) {
		ctl_emit(out);
		return EXIT_OK;
	}
	json_decref(out);
	if (r.sent)
		ctl_say(c, MSG_CTL_OUTBOX_LAST_REPLY, reply);
	return EXIT_OK;
}
