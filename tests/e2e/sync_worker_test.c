/*
 * sync_worker_test.c — the kiosk's sync thread (ui/sync_worker.h) on a real device database:
 * when rounds run (at start, every interval, at once on a kick), the jittered back-off after
 * failures and "Sincronizza ora" starting it over, the published status, a device not enrolled
 * (no error, no back-off, the real round), and a bounded stop even while a round is in flight.
 * The round itself is replaced here by functions that count, fail or block: what a round does
 * with central is tested by the sync tests and by the kiosk's e2e scenario "sync".
 *
 * Issue 13: the mail step (at start after the first round, every interval, at once when asked),
 * whether it may drain (link up: stand-alone, or the last round succeeded), the counts and the
 * last failure published from the real outbox, and "Riprova email" queueing the given-up
 * messages again under the technician's name. What a drain does over SMTP is tested by the
 * mail tests and by the kiosk's e2e scenario "mail".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>
#include <unistd.h>

#include "../unit/fixture.h"
#include "core/messages.h"
#include "services/outbox.h"
#include "services/sync_state.h"
#include "sync_worker.h"

struct probe {
	atomic_int calls;
	agenda_err answer;
	bool not_provisioned;
	bool block_until_cancel; /* a request in flight that the cancel flag ends */
	int sleep_ms;            /* a request in flight that ignores it */
	bool records_state;      /* records online/offline in the sync state as the real round */
	int64_t call_ms[64];
};

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static agenda_err probe_round(void *arg, agenda_ctx *ctx, const atomic_bool *cancel,
                              bool *not_provisioned, agenda_detail *why)
{
	struct probe *p = arg;
	int n = atomic_load(&p->calls); /* one writer: the worker thread */

	if (n < 64)
		p->call_ms[n] = now_ms();
	atomic_store(&p->calls, n + 1); /* after the time: a reader that sees n + 1 sees it */
	while (p->block_until_cancel && !atomic_load(cancel))
		usleep(5000);
	if (p->sleep_ms)
		usleep((useconds_t)p->sleep_ms * 1000);
	*not_provisioned = p->not_provisioned;
	if (p->records_state)
		sync_state_set_int(ctx, SYNC_KEY_ONLINE, p->answer == AG_OK, NULL);
	if (p->answer != AG_OK)
		agenda_detail_set(why, MSG_NOMEM);
	return p->answer;
}

static struct sync_worker *start(struct fixture *f, struct probe *p, int interval_s)
{
	struct sync_worker_config c = {.db_path = f->path,
	                               .data_dir = f->dir,
	                               .interval_s = interval_s,
	                               .round = probe_round,
	                               .round_arg = p,
	                               .stop_wait_ms = 300};
	struct sync_worker *w = sync_worker_start(&c);

	assert_non_null(w);
	return w;
}

static void wait_calls(struct probe *p, int n, int max_ms)
{
	int64_t until = now_ms() + max_ms;

	while (atomic_load(&p->calls) < n && now_ms() < until)
		usleep(2000);
}

/* The published status once the worker has finished `rounds` rounds. */
static void wait_rounds(struct sync_worker *w, unsigned long rounds, struct sync_worker_status *s)
{
	int64_t until = now_ms() + 5000;

	do {
		sync_worker_status(w, s);
		if (s->rounds >= rounds && !s->syncing)
			return;
		usleep(2000);
	} while (now_ms() < until);
	fail_msg("only %lu rounds finished", s->rounds);
}

static void rounds_at_start_every_interval_and_on_kick(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.answer = AG_OK};
	struct sync_worker_status s;
	struct sync_worker *w = start(f, &p, 1);
	int64_t t0 = now_ms(), kicked;

	wait_calls(&p, 1, 2000);
	assert_int_equal(atomic_load(&p.calls), 1);
	assert_true(p.call_ms[0] - t0 < 500); /* at once */
	wait_rounds(w, 1, &s);
	assert_true(s.provisioned);
	assert_false(s.has_error);
	assert_int_equal(s.failures, 0);
	wait_calls(&p, 2, 3000);
	assert_true(p.call_ms[1] - p.call_ms[0] >= 900); /* the interval, not sooner */
	assert_true(p.call_ms[1] - p.call_ms[0] < 1600);
	kicked = now_ms();
	sync_worker_kick(w); /* a booking: at once */
	wait_calls(&p, 3, 2000);
	assert_int_equal(atomic_load(&p.calls), 3);
	assert_true(p.call_ms[2] - kicked < 200);
	assert_true(sync_worker_stop(w));
}

static void failures_back_off_with_jitter_and_now_starts_over(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.answer = AG_ERR_IO};
	struct sync_worker_status s;
	struct sync_worker *w = start(f, &p, 1);
	int64_t gap, asked;

	wait_calls(&p, 3, 12000);
	assert_int_equal(atomic_load(&p.calls), 3);
	/* BACKOFF_SYNC_MS: after the 1st failure 1-2 s, after the 2nd 2-4 s (not the 1 s interval)
	 */
	gap = p.call_ms[1] - p.call_ms[0];
	assert_true(gap >= 950 && gap <= 2200);
	gap = p.call_ms[2] - p.call_ms[1];
	assert_true(gap >= 1950 && gap <= 4200);
	wait_rounds(w, 3, &s);
	assert_true(s.has_error);
	assert_false(s.online);
	assert_true(s.failures >= 3);
	assert_string_equal(s.last_error.it, msg_get(MSG_NOMEM, LANG_IT));
	assert_true(s.last_error_at > 0);
	/* The technician's "Sincronizza ora": at once, and the count starts over. */
	asked = now_ms();
	sync_worker_now(w);
	wait_calls(&p, 4, 2000);
	assert_true(p.call_ms[3] - asked < 200);
	wait_rounds(w, 4, &s);
	assert_int_equal(s.failures, 1);
	/* Central back: the next round (1-2 s later) succeeds and clears the error. */
	p.answer = AG_OK;
	wait_rounds(w, 5, &s);
	assert_false(s.has_error);
	assert_int_equal(s.failures, 0);
	assert_true(sync_worker_stop(w));
}

static void not_enrolled_is_no_error(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.answer = AG_ERR_REFUSED, .not_provisioned = true};
	struct sync_worker_status s;
	struct sync_worker *w = start(f, &p, 1);

	wait_rounds(w, 1, &s);
	assert_false(s.provisioned);
	assert_false(s.online);
	assert_false(s.has_error);
	assert_int_equal(s.failures, 0);
	assert_true(sync_worker_stop(w));
}

/* The real round on a stand-alone device: nothing is sent, the device is "not enrolled". */
static void real_round_on_a_standalone_device(void **state)
{
	struct fixture *f = *state;
	struct sync_worker_config c = {.db_path = f->path, .data_dir = f->dir, .interval_s = 60};
	struct sync_worker_status s;
	struct sync_worker *w = sync_worker_start(&c);

	assert_non_null(w);
	wait_rounds(w, 1, &s);
	assert_false(s.provisioned);
	assert_false(s.has_error);
	assert_true(sync_worker_stop(w));
}

static void stop_is_bounded_mid_round(void **state)
{
	struct fixture *f = *state;
	struct probe cancellable = {.answer = AG_OK, .block_until_cancel = true};
	static struct probe stuck = {.answer = AG_OK, .sleep_ms = 1500};
	struct sync_worker *w = start(f, &cancellable, 60);
	int64_t t0;

	wait_calls(&cancellable, 1, 2000);
	t0 = now_ms();
	assert_true(sync_worker_stop(w)); /* the round sees the cancel flag and ends */
	assert_true(now_ms() - t0 < 300);

	/* A request that ignores the flag: stop returns after its wait (300 ms here), the thread
	 * finishes on its own later with its state kept for it. */
	w = start(f, &stuck, 60);
	wait_calls(&stuck, 1, 2000);
	t0 = now_ms();
	assert_false(sync_worker_stop(w));
	assert_true(now_ms() - t0 >= 250 && now_ms() - t0 < 700);
	usleep(1700 * 1000); /* let it end before the fixture's database goes */
}

/* A mail step that records when it ran and whether the link was up; it sends nothing. */
struct mail_probe {
	atomic_int calls;
	atomic_bool link_up[64];
	int64_t call_ms[64];
};

static agenda_err probe_mail(void *arg, agenda_ctx *ctx, bool link_up,
                             struct sync_mail_outcome *out, agenda_detail *why)
{
	struct mail_probe *p = arg;
	int n = atomic_load(&p->calls);

	(void)ctx;
	(void)why;
	memset(out, 0, sizeof *out);
	if (n < 64) {
		p->call_ms[n] = now_ms();
		atomic_store(&p->link_up[n], link_up);
	}
	atomic_store(&p->calls, n + 1);
	return AG_OK;
}

static struct sync_worker *start_mail(struct fixture *f, struct probe *p, struct mail_probe *m,
                                      int mail_interval_s)
{
	struct sync_worker_config c = {.db_path = f->path,
	                               .data_dir = f->dir,
	                               .interval_s = 60,
	                               .round = probe_round,
	                               .round_arg = p,
	                               .stop_wait_ms = 300,
	                               .mail_interval_s = mail_interval_s,
	                               .mail = probe_mail,
	                               .mail_arg = m};
	struct sync_worker *w = sync_worker_start(&c);

	assert_non_null(w);
	return w;
}

static void wait_mail(struct sync_worker *w, unsigned long steps, struct sync_worker_status *s)
{
	int64_t until = now_ms() + 5000;

	do {
		sync_worker_status(w, s);
		if (s->mail_steps >= steps && !s->mail_sending)
			return;
		usleep(2000);
	} while (now_ms() < until);
	fail_msg("only %lu mail steps finished", s->mail_steps);
}

static void mail_step_at_start_every_interval_and_when_asked(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.answer = AG_ERR_REFUSED, .not_provisioned = true};
	struct mail_probe m = {0};
	struct sync_worker_status s;
	struct sync_worker *w = start_mail(f, &p, &m, 1);
	int64_t t0 = now_ms(), asked;

	wait_mail(w, 1, &s);
	assert_true(m.call_ms[0] - t0 < 500);       /* at once, after the first round */
	assert_int_equal(atomic_load(&p.calls), 1); /* the round came first */
	assert_true(atomic_load(&m.link_up[0]));    /* stand-alone: the link is up */
	wait_mail(w, 2, &s);
	assert_true(m.call_ms[1] - m.call_ms[0] >= 900); /* its own interval */
	assert_true(m.call_ms[1] - m.call_ms[0] < 1600);
	assert_int_equal(atomic_load(&p.calls), 1); /* rounds keep theirs (60 s) */
	asked = now_ms();
	sync_worker_mail_now(w); /* the day was just closed */
	wait_mail(w, 3, &s);
	assert_true(m.call_ms[2] - asked < 200);
	assert_true(sync_worker_stop(w));
}

static void mail_waits_for_the_link_of_an_enrolled_device(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.answer = AG_ERR_IO, .records_state = true};
	struct mail_probe m = {0};
	struct sync_worker_status s;
	struct sync_worker *w = start_mail(f, &p, &m, 60);

	wait_mail(w, 1, &s);
	assert_true(s.provisioned);
	assert_false(s.online);
	assert_false(atomic_load(&m.link_up[0])); /* central unreachable: no drain */
	p.answer = AG_OK;
	sync_worker_now(w);
	wait_rounds(w, 2, &s);
	assert_true(s.online);
	sync_worker_mail_now(w);
	wait_mail(w, 2, &s);
	assert_true(atomic_load(&m.link_up[1])); /* the last round succeeded */
	assert_true(sync_worker_stop(w));
}

/* Queues one message and gives it up as the server's 5xx would; returns its id. */
static int64_t given_up_message(struct fixture *f, const char *reply)
{
	struct outbox_message msg = {.kind = "day_list",
	                             .message_id = "<elenco.20260504.RM.v1.T@roma.test>",
	                             .recipient = "questura@example.test",
	                             .subject = "Elenco",
	                             .body = "corpo"};
	struct outbox_item it;
	int64_t id;

	assert_int_equal(store_begin(f->ctx.store, NULL), AG_OK);
	assert_int_equal(outbox_queue(&f->ctx, &msg, NULL), AG_OK);
	assert_int_equal(store_commit(f->ctx.store, NULL), AG_OK);
	assert_int_equal(outbox_next_due(&f->ctx, f->now, &it, NULL), AG_OK);
	id = it.id;
	outbox_item_clear(&it);
	assert_int_equal(outbox_mark_failed(&f->ctx, id, reply, 0, true, NULL), AG_OK);
	return id;
}

static void counts_published_and_retry_queues_again(void **state)
{
	static const char REPLY[] = "550 5.1.1 mailbox unavailable";
	struct fixture *f = *state;
	struct probe p = {.answer = AG_ERR_REFUSED, .not_provisioned = true};
	struct mail_probe m = {0};
	struct sync_worker_status s;
	struct sync_worker *w;
	struct outbox_item it;
	int64_t id = given_up_message(f, REPLY);

	assert_int_equal(store_setting_set(f->ctx.store, "mail.host", "localhost", NULL), AG_OK);
	assert_int_equal(store_setting_set(f->ctx.store, "mail.port", "2525", NULL), AG_OK);
	w = start_mail(f, &p, &m, 60);
	wait_mail(w, 1, &s);
	assert_true(s.mail_configured);
	assert_string_equal(s.mail_server, "localhost:2525");
	assert_int_equal(s.mail_failed, 1);
	assert_int_equal(s.mail_queued, 0);
	assert_string_equal(s.mail_last_reply, REPLY);

	sync_worker_mail_retry(w, "tecnico.uno"); /* "Riprova email" */
	wait_mail(w, 2, &s);
	assert_int_equal(s.mail_failed, 0);
	assert_int_equal(s.mail_queued, 1);
	assert_true(sync_worker_stop(w));
	assert_int_equal(outbox_get(&f->ctx, id, &it, NULL), AG_OK);
	assert_string_equal(it.state, "queued");
	assert_int_equal(it.attempts, 0); /* the back-off starts over */
	assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE actor = 'tecnico.uno'"
	                                  " AND action = 'mail_retry'"),
	                 1);
}

/* The real step on a database with no mail server: no drain, the counts still read. */
static void real_mail_step_without_a_server(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.answer = AG_ERR_REFUSED, .not_provisioned = true};
	struct sync_worker_config c = {.db_path = f->path,
	                               .data_dir = f->dir,
	                               .interval_s = 60,
	                               .round = probe_round,
	                               .round_arg = &p};
	struct sync_worker_status s;
	struct sync_worker *w;

	given_up_message(f, "554 rifiutato");
	w = sync_worker_start(&c);
	assert_non_null(w);
	wait_mail(w, 1, &s);
	assert_false(s.mail_configured);
	assert_int_equal(s.mail_failed, 1);
	assert_false(s.mail_link_down);
	assert_true(sync_worker_stop(w));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(rounds_at_start_every_interval_and_on_kick,
	                                        fixture_setup, fixture_teardown),
	        cmocka_unit_test_setup_teardown(failures_back_off_with_jitter_and_now_starts_over,
	                                        fixture_setup, fixture_teardown),
	        cmocka_unit_test_setup_teardown(not_enrolled_is_no_error, fixture_setup,
	                                        fixture_teardown),
	        cmocka_unit_test_setup_teardown(real_round_on_a_standalone_device, fixture_setup,
	                                        fixture_teardown),
	        cmocka_unit_test_setup_teardown(stop_is_bounded_mid_round, fixture_setup,
	                                        fixture_teardown),
	        cmocka_unit_test_setup_teardown(mail_step_at_start_every_interval_and_when_asked,
	                                        fixture_setup, fixture_teardown),
	        cmocka_unit_test_setup_teardown(mail_waits_for_the_link_of_an_enrolled_device,
	                                        fixture_setup, fixture_teardown),
	        cmocka_unit_test_setup_teardown(counts_published_and_retry_queues_again,
	                                        fixture_setup, fixture_teardown),
	        cmocka_unit_test_setup_teardown(real_mail_step_without_a_server, fixture_setup,
	                                        fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
