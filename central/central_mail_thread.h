/*
 * central_mail_thread.h — serve's sender: one thread that drains central's outbox every
 * interval while mail is configured (settings read at each round, so `mail configure` takes
 * effect without a restart), on its own store connection and SMTP session. Stopping wakes it
 * and waits for the message on the wire, if any (bounded by the SMTP timeout); between messages
 * it checks whether to stop. What it did goes to /metrics (central_mail_metrics.h); it logs
 * an outcome and a reply code only, never a recipient, a reply's text or a body.
 */
#ifndef AGENDA_CENTRAL_MAIL_THREAD_H
#define AGENDA_CENTRAL_MAIL_THREAD_H

#include <pthread.h>
#include <stdbool.h>

#include "core/error.h"

#define CENTRAL_MAIL_INTERVAL_DEFAULT 30 /* seconds */

struct central_mail_thread {
	const char *dir;
	int interval_s;
	/* the thread's own */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool started, stop;
};

/* Starts the thread (signals should be blocked already: it inherits the mask). */
agenda_err central_mail_thread_start(struct central_mail_thread *t, const char *dir, int interval_s,
                                     agenda_detail *why);

/* Stops and joins it; safe when it was never started. */
void central_mail_thread_stop(struct central_mail_thread *t);

#endif
