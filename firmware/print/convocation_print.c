/*
 * convocation_print.c — a slip queued with a completion that records its outcome
 * (convocation_print.h). The request carries everything the print worker thread needs to record
 * on its own: the database path, the clock, a copy of the session and the appointment id.
 * Each completion opens its own agenda_ctx for the one write and closes it: jobs are seconds
 * apart, and a connection kept open on the print thread would outlive the caller's.
 */
#include "print/convocation_print.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/messages.h"
#include "services/context.h"
#include "platform/deadline.h"

struct print_request {
	char db_path[PATH_MAX];
	agenda_clock clock;
	struct session who;
	char appointment_id[APPOINTMENT_ID_MAX];
	convocation_printed_fn done;
	void *arg;
};

/* The outcome, written through a connection of the print worker thread's own. */
static agenda_err record(const struct print_request *r, const print_job_info *job,
                         agenda_detail *why)
{
	bool printed = job->state == PRINT_JOB_DONE;
	struct rng_state *rng_state;
	agenda_rng rng;
	agenda_ctx ctx;
	agenda_err err = rng_open_system(&rng, &rng_state);

	if (err != AG_OK) {
		agenda_detail_set(why, MSG_RNG_FAILED);
		return err;
	}
	/* The caller's own open already checked this file: no second quick_check per slip. */
	err = agenda_ctx_open_with(&ctx, r->db_path, STORE_SKIP_CHECK, r->clock, rng, why);
	if (err != AG_OK) {
		rng_close(rng_state);
		return err;
	}
	ctx.rng_state = rng_state; /* closed with the context */
	err = convocation_record(&ctx, &r->who, r->appointment_id,
	                         printed ? PRINT_OUTCOME_DONE : PRINT_OUTCOME_FAILED,
	                         printed ? NULL : printer_fault_name(job->fault), why);
	agenda_ctx_close(&ctx);
	return err;
}

/* print_job_done_fn: on the print worker thread, or from print_queue_stop for a dropped job. */
static void job_ended(void *arg, const print_job_info *job)
{
	struct print_request *r = arg;
	struct convocation_printed printed;

	memset(&printed, 0, sizeof printed);
	memcpy(printed.appointment_id, r->appointment_id, sizeof printed.appointment_id);
	memcpy(printed.username, r->who.username, sizeof printed.username);
	printed.job = *job;
	if (job->state == PRINT_JOB_DONE || job->state == PRINT_JOB_FAILED) {
		printed.recorded = record(r, job, &printed.why);
	} else {
		printed.recorded = AG_ERR_IO;
		agenda_detail_set(&printed.why, MSG_PRINT_NOT_SENT);
	}
	if (r->done)
		r->done(r->arg, &printed);
	explicit_bzero(r, sizeof *r);
	free(r);
}

agenda_err convocation_print(agenda_ctx *ctx, const struct session *who, print_queue *q,
                             const char *appointment_id, convocation_printed_fn done, void *arg,
                             uint64_t *job_id, agenda_detail *why)
{
	const printer_profile *profile = print_queue_profile(q);
	const char *path = store_path(ctx->store);
	struct print_request *r = NULL;
	slip *s = NULL;
	agenda_err err;

	if (!path || strlen(path) >= sizeof r->db_path) {
		agenda_detail_set(why, MSG_STORE_NO_PATH);
		return AG_ERR_USAGE;
	}
	r = calloc(1, sizeof *r);
	s = malloc(sizeof *s);
	if (!r || !s) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
		goto done;
	}
	err = convocation_slip(ctx, who, appointment_id, profile->columns, s, why);
	if (err != AG_OK)
		goto done;
	memcpy(r->db_path, path, strlen(path) + 1);
	r->clock = ctx->clock;
	r->who = *who; /* a copy: the caller's session may be wiped while the slip prints */
	snprintf(r->appointment_id, sizeof r->appointment_id, "%s", appointment_id);
	r->done = done;
	r->arg = arg;
	err = print_queue_submit_slip_then(q, s, job_ended, r, job_id);
	if (err == AG_OK)
		r = NULL; /* the job owns it now */
	else
		agenda_detail_set(why, MSG_NOMEM);
done:
	if (r)
		explicit_bzero(r, sizeof *r);
	free(r);
	free(s);
	return err;
}

/* A waiter shared by the waiting thread and the completion: the last one out frees it. */
struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t ended_cond;
	int refs;
	bool ended;
	struct convocation_printed printed;
};

static void waiter_release(struct waiter *w)
{
	bool last;

	pthread_mutex_lock(&w->lock);
	last = --w->refs == 0;
	pthread_mutex_unlock(&w->lock);
	if (!last)
		return;
	pthread_cond_destroy(&w->ended_cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static void waiter_wake(void *arg, const struct convocation_printed *printed)
{
	struct waiter *w = arg;

	pthread_mutex_lock(&w->lock);
	w->printed = *printed;
	w->ended = true;
	pthread_cond_broadcast(&w->ended_cond);
	pthread_mutex_unlock(&w->lock);
	waiter_release(w);
}

agenda_err convocation_print_wait(agenda_ctx *ctx, const struct session *who, print_queue *q,
                                  const char *appointment_id, int timeout_ms,
                                  struct convocation_printed *out, agenda_detail *why)
{
	struct waiter *w = calloc(1, sizeof *w);
	struct timespec until;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if (!w) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->ended_cond, NULL);
	w->refs = 2; /* this thread and the completion */
	err = convocation_print(ctx, who, q, appointment_id, waiter_wake, w, NULL, why);
	if (err != AG_OK) {
		w->refs = 1; /* no completion will come */
		waiter_release(w);
		return err;
	}
	deadline_in(&until, timeout_ms);
	pthread_mutex_lock(&w->lock);
	while (!w->ended)
		if (pthread_cond_timedwait(&w->ended_cond, &w->lock, &until) == ETIMEDOUT)
			break;
	if (w->ended)
		*out = w->printed;
	else
		err = AG_ERR_IO;
	pthread_mutex_unlock(&w->lock);
	waiter_release(w);
	return err;
}
