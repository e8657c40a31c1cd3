/*
 * central_mail_thread.c — serve's sender thread (central_mail_thread.h): a round every interval,
 * one message per drain call so a stop request is seen between messages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "central_mail.h"
#include "central_mail_metrics.h"
#include "central_mail_thread.h"
#include "central_store_dir.h"
#include "core/messages.h"

static bool stopping(struct central_mail_thread *t)
{
	bool stop;

	pthread_mutex_lock(&t->lock);
	stop = t->stop;
	pthread_mutex_unlock(&t->lock);
	return stop;
}

/* Sends what is due, one message at a time until none is or the server is unreachable. A
 * store error drops the connection (the next round opens a new one). */
static void round_of(struct central_mail_thread *t, central_store **s, smtp_session *session)
{
	agenda_clock clock;
	int64_t pinned = 0;
	agenda_detail why;

	if (!central_mail_configured(t->dir) || clock_from_env(&clock, &pinned) != AG_OK)
		return;
	if (!*s && central_store_open_dir(t->dir, s, &why) != AG_OK) {
		fprintf(stderr, "agenda-central: mail: %s\n", why.en);
		return;
	}
	while (!stopping(t)) {
		struct mail_drain_report rep;
		agenda_err err = central_mail_drain(*s, t->dir, session, &clock, 1, &rep, &why);

		central_mail_metrics_drain(&rep);
		/* the outcome and the code only: a reply may quote the recipient (it is on the row,
		 * for `outbox show`) */
		if (rep.given_up || rep.retried)
			fprintf(stderr, "agenda-central: mail: %s (%d)\n",
			        smtp_outcome_name(rep.last.outcome), rep.last.code);
		if (err != AG_OK) {
			fprintf(stderr, "agenda-central: mail: %s\n", why.en);
			/* settings trouble leaves the connection good; a store error drops it */
			if (err != AG_ERR_NOT_FOUND && err != AG_ERR_INVALID &&
			    err != AG_ERR_USAGE) {
				central_store_close(*s);
				*s = NULL;
			}
			return;
		}
		if (rep.link_down || rep.sent + rep.retried + rep.given_up == 0)
			return;
	}
}

static void *run(void *arg)
{
	struct central_mail_thread *t = arg;
	smtp_session *session = smtp_session_new();
	central_store *s = NULL;

	while (session && !stopping(t)) {
		struct timespec until;

		round_of(t, &s, session);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += t->interval_s;
		pthread_mutex_lock(&t->lock);
		while (!t->stop && pthread_cond_timedwait(&t->wake, &t->lock, &until) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&t->lock);
	}
	if (!session)
		fprintf(stderr, "agenda-central: mail: cannot start an SMTP session\n");
	smtp_session_free(session);
	central_store_close(s);
	return NULL;
}

agenda_err central_mail_thread_start(struct central_mail_thread *t, const char *dir, int interval_s,
                                     agenda_detail *why)
{
	memset(t, 0, sizeof *t);
	t->dir = dir;
	t->interval_s = interval_s;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->wake, NULL);
	if (pthread_create(&t->thread, NULL, run, t) != 0) {
		pthread_cond_destroy(&t->wake);
		pthread_mutex_destroy(&t->lock);
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	t->started = true;
	return AG_OK;
}

void central_mail_thread_stop(struct central_mail_thread *t)
{
	if (!t->started)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->wake);
	pthread_mutex_destroy(&t->lock);
	t->started = false;
}
