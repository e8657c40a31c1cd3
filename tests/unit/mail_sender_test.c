/*
 * mail_sender_test.c — mail_drain's bookkeeping over an in-memory outbox: a server that is not
 * there (a real refused connection on loopback) marks nothing and stops; a row that cannot be
 * composed is given up at once with the reason; a store error stops the drain and is returned;
 * max_messages is honoured; a store that hands back the same message again does not make the
 * drain spin; settings no message could be sent with touch no row. Deliveries and every SMTP
 * fault are in tests/integration/smtp_transport_test.py.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "sync/mail_sender.h"

struct row {
	const char *recipient;
	int attempts;
	int64_t next_try;
	bool sent, failed;
	char reply[512];
};

struct fake_outbox {
	struct row rows[4];
	int count;
	agenda_err next_due_error; /* returned instead of a row when set */
	bool always_first;         /* hands back row 0 whatever its state */
	int released, next_due_calls;
};

static agenda_err fake_next_due(void *outbox, int64_t now, struct mail_item *item,
                                agenda_detail *why)
{
	struct fake_outbox *o = outbox;

	(void)why;
	o->next_due_calls++;
	if (o->next_due_error != AG_OK)
		return o->next_due_error;
	for (int i = 0; i < o->count; i++) {
		struct row *r = &o->rows[i];

		if (o->always_first || (!r->sent && !r->failed && r->next_try <= now)) {
			item->id = i + 1;
			item->message_id =
			        "<elenco.20260504.FO.v1.dev7@forli.agenda-elettronica.it>";
			item->kind = "day_list";
			item->recipient = r->recipient;
			item->subject = "Elenco";
			item->body = "ciao\n";
			item->attempts = r->attempts;
			return AG_OK;
		}
	}
	return AG_ERR_NOT_FOUND;
}

static void fake_release(void *outbox, struct mail_item *item)
{
	((struct fake_outbox *)outbox)->released++;
	memset(item, 0, sizeof *item);
}

static agenda_err fake_mark_sent(void *outbox, int64_t id, const char *reply, agenda_detail *why)
{
	struct row *r = &((struct fake_outbox *)outbox)->rows[id - 1];

	(void)why;
	r->sent = true;
	snprintf(r->reply, sizeof r->reply, "%s", reply);
	return AG_OK;
}

static agenda_err fake_mark_failed(void *outbox, int64_t id, const char *reply, int64_t next_try,
                                   bool give_up, agenda_detail *why)
{
	struct row *r = &((struct fake_outbox *)outbox)->rows[id - 1];

	(void)why;
	r->attempts++;
	r->next_try = next_try;
	r->failed = give_up;
	snprintf(r->reply, sizeof r->reply, "%s", reply);
	return AG_OK;
}

static const struct mail_outbox_ops FAKE_OPS = {fake_next_due, fake_release, fake_mark_sent,
                                                fake_mark_failed};

/* A loopback port nothing listens on: bound, then closed. */
static int closed_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t n = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void settings(struct smtp_settings *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->host, sizeof cfg->host, "127.0.0.1");
	cfg->port = closed_port();
	snprintf(cfg->from, sizeof cfg->from, "agenda@forli.example.it");
	snprintf(cfg->user, sizeof cfg->user, "agenda");
	snprintf(cfg->password, sizeof cfg->password, "secret");
	cfg->timeout_ms = 3000;
}

static void link_down_marks_nothing(void **state)
{
	struct fake_outbox o = {
	        .count = 2, .rows = {{.recipient = "a@example.it"}, {.recipient = "b@example.it"}}};
	int64_t now = 1777887000;
	agenda_clock clock = clock_fixed(&now);
	struct smtp_settings cfg;
	struct mail_drain_report report;
	agenda_detail why;
	smtp_session *s = smtp_session_new();

	(void)state;
	settings(&cfg);
	assert_int_equal(mail_drain(&FAKE_OPS, &o, s, &cfg, &clock, 0, &report, &why), AG_OK);
	assert_true(report.link_down);
	assert_int_equal(report.last.outcome, SMTP_LINK_DOWN);
	assert_int_equal(report.sent + report.retried + report.given_up, 0);
	assert_int_equal(o.next_due_calls, 1); /* stopped at the first */
	assert_int_equal(o.released, 1);
	for (int i = 0; i < 2; i++)
		assert_true(o.rows[i].attempts == 0 && o.rows[i].next_try == 0 && !o.rows[i].sent &&
		            !o.rows[i].failed && o.rows[i].reply[0] == '\0');
	assert_null(strstr(report.last.reply, "secret"));
	smtp_session_free(s);
}

static void bad_row_given_up_with_reason(void **state)
{
	struct fake_outbox o = {
	        .count = 2, .rows = {{.recipient = "not-an-address"}, {.recipient = "also bad"}}};
	int64_t now = 1777887000;
	agenda_clock clock = clock_fixed(&now);
	struct smtp_settings cfg;
	struct mail_drain_report report;
	agenda_detail why;
	smtp_session *s = smtp_session_new();

	(void)state;
	settings(&cfg);
	assert_int_equal(mail_drain(&FAKE_OPS, &o, s, &cfg, &clock, 0, &report, &why), AG_OK);
	assert_int_equal(report.given_up, 2);
	assert_false(report.link_down);
	assert_int_equal(report.last.outcome, SMTP_PERMANENT);
	assert_true(o.rows[0].failed && o.rows[1].failed);
	assert_non_null(strstr(o.rows[0].reply, "\"to\""));
	assert_int_equal(o.released, 2);
	smtp_session_free(s);
}

static void max_messages_and_no_spinning(void **state)
{
	struct fake_outbox o = {
	        .count = 3, .rows = {{.recipient = "x"}, {.recipient = "y"}, {.recipient = "z"}}};
	int64_t now = 1777887000;
	agenda_clock clock = clock_fixed(&now);
	struct smtp_settings cfg;
	struct mail_drain_report report;
	agenda_detail why;
	smtp_session *s = smtp_session_new();

	(void)state;
	settings(&cfg);
	assert_int_equal(mail_drain(&FAKE_OPS, &o, s, &cfg, &clock, 2, &report, &why), AG_OK);
	assert_int_equal(report.given_up, 2);
	assert_false(o.rows[2].failed);

	/* a store that returns the same row again: the drain stops instead of looping */
	struct fake_outbox again = {.count = 1, .always_first = true, .rows = {{.recipient = "x"}}};
	assert_int_equal(mail_drain(&FAKE_OPS, &again, s, &cfg, &clock, 0, &report, &why), AG_OK);
	assert_int_equal(again.next_due_calls, 2);
	assert_int_equal(again.released, 2);
	smtp_session_free(s);
}

static void store_error_stops(void **state)
{
	struct fake_outbox o = {.count = 1, .next_due_error = AG_ERR_BUSY};
	int64_t now = 1777887000;
	agenda_clock clock = clock_fixed(&now);
	struct smtp_settings cfg;
	struct mail_drain_report report;
	agenda_detail why;
	smtp_session *s = smtp_session_new();

	(void)state;
	settings(&cfg);
	assert_int_equal(mail_drain(&FAKE_OPS, &o, s, &cfg, &clock, 0, &report, &why), AG_ERR_BUSY);
	assert_int_equal(report.sent + report.retried + report.given_up, 0);
	smtp_session_free(s);
}

static void bad_settings_touch_nothing(void **state)
{
	struct fake_outbox o = {.count = 1, .rows = {{.recipient = "a@example.it"}}};
	int64_t now = 1777887000;
	agenda_clock clock = clock_fixed(&now);
	struct smtp_settings cfg;
	struct mail_drain_report report;
	agenda_detail why;
	smtp_session *s = smtp_session_new();

	(void)state;
	settings(&cfg);
	cfg.from[0] = '\0';
	assert_int_equal(mail_drain(&FAKE_OPS, &o, s, &cfg, &clock, 0, &report, &why),
	                 AG_ERR_USAGE);
	assert_non_null(strstr(why.en, "(from)"));
	settings(&cfg);
	snprintf(cfg.from_name, sizeof cfg.from_name, "Forl\xec"); /* Latin-1, not UTF-8 */
	assert_int_equal(mail_drain(&FAKE_OPS, &o, s, &cfg, &clock, 0, &report, &why),
	                 AG_ERR_USAGE);
	assert_non_null(strstr(why.en, "(from_name)"));
	settings(&cfg);
	cfg.host[0] = '\0';
	assert_int_equal(mail_drain(&FAKE_OPS, &o, s, &cfg, &clock, 0, &report, &why),
	                 AG_ERR_USAGE);
	assert_int_equal(o.next_due_calls, 0);
	assert_true(o.rows[0].attempts == 0 && !o.rows[0].failed);
	smtp_session_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(link_down_marks_nothing),
	        cmocka_unit_test(bad_row_given_up_with_reason),
	        cmocka_unit_test(max_messages_and_no_spinning),
	        cmocka_unit_test(store_error_stops),
	        cmocka_unit_test(bad_settings_touch_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
