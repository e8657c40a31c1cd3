/*
 * mail_send_tool.c — drives the mail library (agenda_mail) the way the device and central do,
 * for tests/integration/smtp_transport_test.py, mail_compose_test.py and the bench:
 *
 *   mail_send_tool compose --message-id ID --from A [--from-name N] --to A --subject S
 *                          --body-file F [--attachment-name N --attachment-file F
 *                          [--attachment-type T]] --date EPOCH          (.eml on stdout)
 *   mail_send_tool drain --outbox FILE.json --host H --port P --mode starttls|smtps
 *                        --from A [--from-name N] [--ca-file PEM] [--user U --password-file F]
 *                        [--timeout-ms N] [--max N] [--now EPOCH]   (report as JSON on stdout)
 *
 * The outbox is a JSON file ({"messages": [{id, message_id, kind, recipient, subject, body,
 * attachment_name, attachment, state queued|sent|failed, attempts, next_try, reply,
 * "replaced": true to answer NOT_FOUND when marked, as a row replaced by a newer version
 * does: it becomes "superseded"}]}) read into memory behind
 * struct mail_outbox_ops, drained by mail_drain, written back.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/clock.h"
#include "sync/mail_message.h"
#include "sync/mail_sender.h"

struct json_outbox {
	json_t *messages; /* the array in the file */
};

static const char *text_of(json_t *message, const char *key)
{
	return json_string_value(json_object_get(message, key));
}

static agenda_err outbox_next_due(void *outbox, int64_t now, struct mail_item *item,
                                  agenda_detail *why)
{
	struct json_outbox *o = outbox;
	json_t *best = NULL;

	(void)why;
	for (size_t i = 0; i < json_array_size(o->messages); i++) {
		json_t *m = json_array_get(o->messages, i);
		const char *state = text_of(m, "state");
		json_int_t next = json_integer_value(json_object_get(m, "next_try"));

		if (state && strcmp(state, "queued") == 0 && next <= now &&
		    (!best || next < json_integer_value(json_object_get(best, "next_try"))))
			best = m;
	}
	if (!best)
		return AG_ERR_NOT_FOUND;
	item->id = json_integer_value(json_object_get(best, "id"));
	item->message_id = text_of(best, "message_id");
	item->kind = text_of(best, "kind");
	item->recipient = text_of(best, "recipient");
	item->subject = text_of(best, "subject");
	item->body = text_of(best, "body");
	item->attachment_name = text_of(best, "attachment_name");
	item->attachment = text_of(best, "attachment");
	item->attempts = (int)json_integer_value(json_object_get(best, "attempts"));
	return AG_OK;
}

static void outbox_release(void *outbox, struct mail_item *item)
{
	(void)outbox;
	memset(item, 0, sizeof *item); /* the strings stay in the JSON tree */
}

static json_t *find(struct json_outbox *o, int64_t id)
{
	size_t i;
	json_t *m;

	json_array_foreach(o->messages, i, m)
	{
		if (json_integer_value(json_object_get(m, "id")) != id)
			continue;
		if (!json_is_true(json_object_get(m, "replaced")))
			return m;
		/* a newer version took its place meanwhile: this row is no longer the message */
		json_object_set_new(m, "state", json_string("superseded"));
		return NULL;
	}
	return NULL;
}

static agenda_err outbox_mark_sent(void *outbox, int64_t id, const char *reply, agenda_detail *why)
{
	json_t *m = find(outbox, id);

	(void)why;
	if (!m)
		return AG_ERR_NOT_FOUND;
	json_object_set_new(m, "state", json_string("sent"));
	json_object_set_new(m, "reply", json_string(reply));
	return AG_OK;
}

static agenda_err outbox_mark_failed(void *outbox, int64_t id, const char *reply, int64_t next_try,
                                     bool give_up, agenda_detail *why)
{
	json_t *m = find(outbox, id);

	(void)why;
	if (!m)
		return AG_ERR_NOT_FOUND;
	json_object_set_new(m, "state", json_string(give_up ? "failed" : "queued"));
	json_object_set_new(m, "reply", json_string(reply));
	json_object_set_new(m, "next_try", json_integer(next_try));
	json_object_set_new(m, "attempts",
	                    json_integer(json_integer_value(json_object_get(m, "attempts")) + 1));
	return AG_OK;
}

static const struct mail_outbox_ops json_outbox_ops = {
        .next_due = outbox_next_due,
        .release = outbox_release,
        .mark_sent = outbox_mark_sent,
        .mark_failed = outbox_mark_failed,
};

static const char *option(int argc, char **argv, const char *name)
{
	for (int i = 2; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)n + 1)) != NULL) {
		if (fread(data, 1, (size_t)n, f) != (size_t)n) {
			free(data);
			data = NULL;
		} else {
			data[n] = '\0';
		}
	}
	fclose(f);
	return data;
}

static int compose(int argc, char **argv)
{
	const char *body_file = option(argc, argv, "--body-file");
	const char *attachment_file = option(argc, argv, "--attachment-file");
	const char *date = option(argc, argv, "--date");
	char *body = body_file ? read_file(body_file) : NULL;
	char *attachment = attachment_file ? read_file(attachment_file) : NULL;
	struct mail_message m = {
	        .message_id = option(argc, argv, "--message-id"),
	        .from = option(argc, argv, "--from"),
	        .from_name = option(argc, argv, "--from-name"),
	        .to = option(argc, argv, "--to"),
	        .subject = option(argc, argv, "--subject"),
	        .body = body,
	        .attachment_name = option(argc, argv, "--attachment-name"),
	        .attachment = attachment,
	        .attachment_type = option(argc, argv, "--attachment-type"),
	        .date = date ? strtoll(date, NULL, 10) : 0,
	};
	agenda_detail why;
	char *out = NULL;
	size_t len = 0;
	agenda_err err = mail_compose(&m, &out, &len, &why);

	if (err == AG_OK)
		fwrite(out, 1, len, stdout);
	else
		fprintf(stderr, "mail_send_tool: %s\n", why.en);
	free(out);
	free(body);
	free(attachment);
	return err == AG_OK ? 0 : 2;
}

static void copy_option(char *out, size_t size, int argc, char **argv, const char *name)
{
	const char *value = option(argc, argv, name);

	snprintf(out, size, "%s", value ? value : "");
}

static int drain(int argc, char **argv)
{
	const char *outbox_path = option(argc, argv, "--outbox");
	const char *password_file = option(argc, argv, "--password-file");
	const char *mode = option(argc, argv, "--mode");
	const char *now_text = option(argc, argv, "--now");
	const char *value;
	struct smtp_settings cfg = {0};
	struct mail_drain_report report;
	struct json_outbox outbox;
	json_error_t json_error;
	json_t *root = outbox_path ? json_load_file(outbox_path, 0, &json_error) : NULL;
	int64_t fixed_now = now_text ? strtoll(now_text, NULL, 10) : 0;
	agenda_clock clock = now_text ? clock_fixed(&fixed_now) : clock_system();
	smtp_session *session = smtp_session_new();
	agenda_detail why;
	agenda_err err;

	if (!root || !session) {
		fprintf(stderr, "mail_send_tool: cannot read the outbox or start libcurl\n");
		return 2;
	}
	outbox.messages = json_object_get(root, "messages");
	copy_option(cfg.host, sizeof cfg.host, argc, argv, "--host");
	copy_option(cfg.user, sizeof cfg.user, argc, argv, "--user");
	copy_option(cfg.from, sizeof cfg.from, argc, argv, "--from");
	copy_option(cfg.from_name, sizeof cfg.from_name, argc, argv, "--from-name");
	copy_option(cfg.ca_file, sizeof cfg.ca_file, argc, argv, "--ca-file");
	cfg.port = (value = option(argc, argv, "--port")) ? atoi(value) : 0;
	cfg.timeout_ms = (value = option(argc, argv, "--timeout-ms")) ? atoi(value) : 0;
	cfg.mode = mode && strcmp(mode, "smtps") == 0 ? SMTP_MODE_SMTPS : SMTP_MODE_STARTTLS;
	if (password_file) {
		char *password = read_file(password_file);

		if (password) {
			password[strcspn(password, "\r\n")] = '\0';
			snprintf(cfg.password, sizeof cfg.password, "%s", password);
			explicit_bzero(password, strlen(password));
			free(password);
		}
	}
	value = option(argc, argv, "--max");
	err = mail_drain(&json_outbox_ops, &outbox, session, &cfg, &clock, value ? atoi(value) : 0,
	                 &report, &why);
	explicit_bzero(cfg.password, sizeof cfg.password);
	smtp_session_free(session);
	if (json_dump_file(root, outbox_path, JSON_INDENT(1)) != 0)
		fprintf(stderr, "mail_send_tool: cannot write %s: %s\n", outbox_path,
		        strerror(errno));
	json_t *out =
	        json_pack("{s:s, s:i, s:i, s:i, s:b, s:{s:s, s:i, s:s}}", "result",
	                  agenda_err_name(err), "sent", report.sent, "retried", report.retried,
	                  "given_up", report.given_up, "link_down", report.link_down, "last",
	                  "outcome", smtp_outcome_name(report.last.outcome), "code",
	                  report.last.code, "reply", report.last.reply);
	char *text = json_dumps(out, 0);
	printf("%s\n", text);
	free(text);
	json_decref(out);
	json_decref(root);
	return err == AG_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "compose") == 0)
		return compose(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "drain") == 0)
		return drain(argc, argv);
	fprintf(stderr, "usage: mail_send_tool compose|drain OPTIONS (see the file's header)\n");
	return 2;
}
