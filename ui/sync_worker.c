/*
 * sync_worker.c — the kiosk's sync thread (sync_worker.h): when to run a round, the back-off,
 * the published status and a bounded stop. What a round does is sync/device_round.h's.
 *
 * Waiting uses the monotonic clock (CLOCK_MONOTONIC condition variable): intervals are real
 * elapsed time even when AGENDA_NOW pins the agenda's clock. Times shown to people (the last
 * successful round) are the agenda clock's, read from the sync state the round records.
 *
 * The mail step (issue 13) has its own due time on the same monotonic clock; a round due and a
 * mail step due in the same wake run one after the other, the round first (its outcome says
 * whether the link is up).
 */
#include "sync_worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/backoff.h"
#include "core/messages.h"
#include "services/sync_state.h"
#include "sync/device_round.h"
#include "sync/enrolment_info.h"
#include "sync/sync_session.h"

/* The real round: the session is opened on first use and kept (connection reuse). */
struct central_round {
	char data_dir[4096];
	sync_session *session;
};

struct sync_worker {
	struct sync_worker_config config;
	char db_path[4096];
	struct central_round central;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* CLOCK_MONOTONIC: a request, a stop or the next round is due */
	pthread_cond_t done; /* the thread is about to end */
	bool requested;      /* a round at once (booking, technician) */
	bool fresh_start;    /* the technician asked: the back-off starts over */
	bool stopping;
	bool finished;
	bool abandoned; /* stop gave up waiting: the thread frees the worker as it ends */
	atomic_bool cancel;
	struct sync_mail mail; /* the default mail step's state (its SMTP session) */
	bool mail_requested;   /* a mail step at once (day closed, "Riprova email") */
	bool mail_retry;       /* first queue the given-up messages again, as mail_actor */
	char mail_actor[SYNC_WORKER_ACTOR_MAX];
	char mail_attempt[OUTBOX_REPLY_MAX]; /* the last attempt's reply, any outcome */
	struct sync_worker_status status;
	agenda_ctx ctx;
	int64_t clock_storage;
};

static int64_t monotonic_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static agenda_err central_round_run(void *arg, agenda_ctx *ctx, const atomic_bool *cancel,
                                    bool *not_provisioned, agenda_detail *why)
{
	struct central_round *c = arg;
	struct sync_round_report report;
	struct enrolment_info enrolment;

	(void)cancel; /* the transport's own time-outs bound a request (HTTPS_TOTAL_TIMEOUT_MS) */
	if (!c->session) {
		enrolment_info_read(ctx, c->data_dir, &enrolment);
		if (!enrolment.provisioned || !enrolment.central_url[0] || !enrolment.has_cert) {
			*not_provisioned = true;
			return AG_ERR_REFUSED;
		}
		agenda_err err = sync_session_open(ctx, c->data_dir, &c->session, why);

		if (err != AG_OK)
			return err;
	}
	memset(&report, 0, sizeof report);
	return sync_round_run(ctx, c->session, &report, why);
}

static agenda_err real_mail_step(void *arg, agenda_ctx *ctx, bool link_up,
                                 struct sync_mail_outcome *out, agenda_detail *why)
{
	return sync_mail_step(arg, ctx, link_up, out, why);
}

static int interval_ms(struct sync_worker *w)
{
	char text[16];
	long s;

	if (w->config.interval_s > 0)
		return w->config.interval_s * 1000;
	if (store_setting_get(w->ctx.store, SYNC_WORKER_SETTING_INTERVAL, text, sizeof text) &&
	    (s = atol(text)) > 0 && s <= 86400)
		return (int)s * 1000;
	return SYNC_WORKER_DEFAULT_INTERVAL * 1000;
}

/* The wait after the failures-th failure in a row: half certain, half drawn from the RNG. */
static int64_t retry_ms(struct sync_worker *w, int failures)
{
	uint32_t random = 0;

	if (rng_fill(&w->ctx.rng, &random, sizeof random) != 0)
		random = 0; /* the shortest wait of the band: still a back-off */
	return backoff_jittered(&BACKOFF_SYNC_MS, failures, random);
}

/* Publishes under the lock what changed; the caller holds no lock. */
static void publish(struct sync_worker *w, const struct sync_worker_status *next)
{
	pthread_mutex_lock(&w->lock);
	w->status = *next;
	w->status.version++;
	pthread_mutex_unlock(&w->lock);
}

/* "sentence (detail)", cut at size: the plain sentence always leads. */
static void join_words(char *out, size_t size, const char *sentence, const char *detail)
{
	int n = snprintf(out, size, "%s (%s)", sentence, detail);

	if (n < 0 || (size_t)n >= size)
		out[size - 1] = '\0'; /* cut inside the detail */
}

/* After a round: what the sync state now says (the round recorded it), and the round's words. */
static void after_round(struct sync_worker *w, struct sync_worker_status *s, agenda_err err,
                        bool not_provisioned, const agenda_detail *why)
{
	struct sync_status st;
	agenda_detail ignored;

	s->syncing = false;
	s->rounds++;
	s->provisioned = !not_provisioned;
	if (sync_status_read(&w->ctx, &st, &ignored) == AG_OK) {
		s->online = st.online && err == AG_OK;
		s->last_success = st.last_success_at;
		s->entries_waiting = st.entries_waiting;
		s->worklist_open = st.worklist_open;
	} else {
		s->online = err == AG_OK;
	}
	if (not_provisioned) {
		s->online = false;
		s->has_error = false;
		s->failures = 0;
		return;
	}
	if (err == AG_OK) {
		s->has_error = false;
		s->failures = 0;
		return;
	}
	s->failures++;
	s->has_error = true;
	s->last_error = *why;
	s->last_error_plain = *why;
	s->last_error_at = clock_now(&w->ctx.clock);
	/* The state's catalogue sentence says what happens next in plain words; the round's own
	 * detail (which server, what failed) goes after it when there is one. */
	if (st.last_error_msg >= 0 && why->it[0]) {
		agenda_detail plain;

		agenda_detail_set(&plain, st.last_error_msg);
		s->last_error_plain = plain;
		if (strcmp(plain.it, why->it) != 0) {
			join_words(s->last_error.it, sizeof s->last_error.it, plain.it, why->it);
			join_words(s->last_error.en, sizeof s->last_error.en, plain.en, why->en);
		}
	}
}

/*
 * One mail step (the caller holds no lock): the retry a person asked for, the step, then what
 * the outbox now holds. Failures here are shown through the counts, never as a sync error.
 */
static void mail_run(struct sync_worker *w, struct sync_worker_status *s, bool retry,
                     const char *actor)
{
	struct sync_mail_outcome outcome;
	struct sync_mail_counts counts;
	agenda_detail why = {{0}, {0}};
	bool link_up = !s->provisioned || s->online;
	int retried = 0;

	if (retry && sync_mail_retry_failed(&w->ctx, actor, &retried, &why) != AG_OK)
		fprintf(stderr, "mail: retry failed: %s\n", why.en);
	memset(&outcome, 0, sizeof outcome);
	if (w->config.mail(w->config.mail_arg, &w->ctx, link_up, &outcome, &why) != AG_OK)
		fprintf(stderr, "mail: automatic day close failed: %s\n", why.en);
	if (outcome.closed)
		fprintf(stderr, "mail: day closed automatically, %d messages queued\n",
		        outcome.close.messages);
	s->mail_sending = false;
	s->mail_steps++;
	if (outcome.drained) {
		s->mail_link_down = outcome.drain.link_down;
		if (outcome.drain.last.reply[0])
			snprintf(w->mail_attempt, sizeof w->mail_attempt, "%s",
			         outcome.drain.last.reply);
		/* Counts only: never a recipient or a subject in the log. */
		fprintf(stderr, "mail: drain sent %d, retried %d, given up %d%s\n",
		        outcome.drain.sent, outcome.drain.retried, outcome.drain.given_up,
		        outcome.drain.link_down ? ", server unreachable" : "");
	}
	agenda_detail_clear(&why);
	if (sync_mail_counts_read(&w->ctx, &counts, &why) != AG_OK)
		return;
	s->mail_configured = counts.configured;
	snprintf(s->mail_server, sizeof s->mail_server, "%s", counts.server);
	s->mail_queued = counts.queued;
	s->mail_failed = counts.failed;
	snprintf(s->mail_last_reply, sizeof s->mail_last_reply, "%s",
	         counts.failed > 0 && counts.last_failure[0] ? counts.last_failure
	                                                     : w->mail_attempt);
}

static void wait_for_turn(struct sync_worker *w, int64_t due_ms)
{
	while (!w->stopping && !w->requested && !w->mail_requested) {
		int64_t now = monotonic_ms();
		struct timespec until;

		if (now >= due_ms)
			break;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)((due_ms - now) / 1000);
		until.tv_nsec += (long)((due_ms - now) % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->wake, &w->lock, &until);
	}
}

/* A round; called and returns with the lock held. Returns when the next one is due. */
static int64_t round_turn(struct sync_worker *w, struct sync_worker_status *s)
{
	agenda_detail why = {{0}, {0}};
	bool not_provisioned = false;
	agenda_err err;
	int64_t due;

	w->requested = false;
	if (w->fresh_start)
		w->status.failures = 0;
	w->fresh_start = false;
	w->status.syncing = true;
	w->status.version++;
	*s = w->status;
	pthread_mutex_unlock(&w->lock);

	err = w->config.round(w->config.round_arg, &w->ctx, &w->cancel, &not_provisioned, &why);
	after_round(w, s, err, not_provisioned, &why);
	due = monotonic_ms() +
	      (err == AG_OK || not_provisioned ? interval_ms(w) : retry_ms(w, s->failures));

	pthread_mutex_lock(&w->lock);
	s->version = w->status.version + 1;
	w->status = *s;
	return due;
}

/* A mail step, with the retry a person asked for; called and returns with the lock held. */
static void mail_turn(struct sync_worker *w, struct sync_worker_status *s)
{
	bool retry = w->mail_retry;
	char actor[SYNC_WORKER_ACTOR_MAX];

	snprintf(actor, sizeof actor, "%s", w->mail_actor);
	w->mail_requested = false;
	w->mail_retry = false;
	w->status.mail_sending = true;
	w->status.version++;
	*s = w->status;
	pthread_mutex_unlock(&w->lock);

	mail_run(w, s, retry, actor);

	pthread_mutex_lock(&w->lock);
	s->version = w->status.version + 1;
	w->status = *s;
}

static void destroy(struct sync_worker *w)
{
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static void *thread_main(void *arg)
{
	struct sync_worker *w = arg;
	struct sync_worker_status s = {0};
	agenda_detail why = {{0}, {0}};
	agenda_clock clock;
	bool open = false, abandoned;
	int64_t due = monotonic_ms(); /* the first round at once, then the first mail step */
	int64_t mail_due = due;
	int64_t mail_every =
	        (int64_t)(w->config.mail_interval_s > 0 ? w->config.mail_interval_s
	                                                : SYNC_WORKER_MAIL_INTERVAL_S) *
	        1000;

	if (clock_from_env(&clock, &w->clock_storage) == AG_OK &&
	    agenda_ctx_open(&w->ctx, w->db_path, false, clock, &why) == AG_OK)
		open = true;
	if (!open) {
		s.has_error = true;
		s.last_error = why;
		publish(w, &s);
	}
	pthread_mutex_lock(&w->lock);
	while (open && !w->stopping) {
		wait_for_turn(w, due < mail_due ? due : mail_due);
		if (w->stopping)
			break;
		if (w->requested || monotonic_ms() >= due)
			due = round_turn(w, &s);
		if (!w->stopping && (w->mail_requested || monotonic_ms() >= mail_due)) {
			mail_turn(w, &s);
			mail_due = monotonic_ms() + mail_every;
		}
	}
	pthread_mutex_unlock(&w->lock);
	if (w->central.session)
		sync_session_close(w->central.session);
	w->central.session = NULL;
	sync_mail_close(&w->mail);
	if (open)
		agenda_ctx_close(&w->ctx);
	pthread_mutex_lock(&w->lock);
	w->finished = true;
	abandoned = w->abandoned;
	pthread_cond_signal(&w->done);
	pthread_mutex_unlock(&w->lock);
	if (abandoned)
		destroy(w);
	return NULL;
}

struct sync_worker *sync_worker_start(const struct sync_worker_config *config)
{
	struct sync_worker *w = calloc(1, sizeof *w);
	pthread_condattr_t attr;

	if (!w)
		return NULL;
	w->config = *config;
	snprintf(w->db_path, sizeof w->db_path, "%s", config->db_path);
	w->config.db_path = w->db_path;
	snprintf(w->central.data_dir, sizeof w->central.data_dir, "%s",
	         config->data_dir ? config->data_dir : ".");
	if (!w->config.round) {
		w->config.round = central_round_run;
		w->config.round_arg = &w->central;
	}
	snprintf(w->mail.data_dir, sizeof w->mail.data_dir, "%s", w->central.data_dir);
	if (!w->config.mail) {
		w->config.mail = real_mail_step;
		w->config.mail_arg = &w->mail;
	}
	if (w->config.stop_wait_ms <= 0)
		w->config.stop_wait_ms = SYNC_WORKER_STOP_WAIT_MS;
	atomic_init(&w->cancel, false);
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&w->done, NULL);
	if (pthread_create(&w->thread, NULL, thread_main, w) != 0) {
		destroy(w);
		return NULL;
	}
	return w;
}

void sync_worker_kick(struct sync_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->requested = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void sync_worker_now(struct sync_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->requested = true;
	w->fresh_start = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void sync_worker_mail_now(struct sync_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->mail_requested = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void sync_worker_mail_retry(struct sync_worker *w, const char *actor)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->mail_requested = true;
	w->mail_retry = true;
	snprintf(w->mail_actor, sizeof w->mail_actor, "%s", actor ? actor : "agenda-kiosk");
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void sync_worker_status(struct sync_worker *w, struct sync_worker_status *out)
{
	if (!w) {
		memset(out, 0, sizeof *out);
		return;
	}
	pthread_mutex_lock(&w->lock);
	*out = w->status;
	pthread_mutex_unlock(&w->lock);
}

bool sync_worker_stop(struct sync_worker *w)
{
	struct timespec until;
	bool finished;

	if (!w)
		return true;
	atomic_store(&w->cancel, true);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += w->config.stop_wait_ms / 1000;
	until.tv_nsec += (long)(w->config.stop_wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->wake);
	while (!w->finished)
		if (pthread_cond_timedwait(&w->done, &w->lock, &until) != 0)
			break;
	finished = w->finished;
	w->abandoned = !finished;
	pthread_mutex_unlock(&w->lock);
	if (!finished) {
		/* A request still in flight: it ends within the transport's bound (or with the
		 * process); the thread frees the worker as it ends. */
		pthread_detach(w->thread);
		return false;
	}
	pthread_join(w->thread, NULL);
	destroy(w);
	return true;
}
