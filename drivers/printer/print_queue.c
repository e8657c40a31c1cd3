/*
 * print_queue.c — the print worker (see print_queue.h): one thread, one printer, a list of jobs
 * under a mutex, a condition variable for "new job" and "job finished". The worker holds no lock
 * while it talks to the printer, so submitting and reading job states never wait for USB.
 */
#include "printer/print_queue.h"
#include "printer/escpos.h"
#include "platform/deadline.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PRINT_HISTORY_MAX 256 /* finished jobs kept for look-up; failed ones are never dropped */

typedef struct job {
	print_job_info info;
	unsigned char *data;    /* freed when done */
	print_job_done_fn done; /* NULL once called */
	void *done_arg;
	struct job *next;
} job;

struct print_queue {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	pthread_t thread;
	bool stop;
	char uri[256];
	const printer_profile *profile;
	int timeout_ms, poll_ms;
	job *head, *tail;
	size_t count;
	uint64_t next_id;
	unsigned status;
	printer_fault status_fault;
	printer *printer; /* the worker's only */
};

const char *print_job_state_name(print_job_state state)
{
	static const char *const NAMES[] = {"queued", "sending", "done", "failed", "retried"};

	return state >= PRINT_JOB_QUEUED && state <= PRINT_JOB_RETRIED ? NAMES[state] : "unknown";
}

static job *find(print_queue *q, uint64_t id)
{
	for (job *j = q->head; j; j = j->next)
		if (j->info.id == id)
			return j;
	return NULL;
}

/* Drops the oldest finished jobs beyond the history size; failed ones stay. Lock held. */
static void trim(print_queue *q)
{
	job **link = &q->head, *prev = NULL;

	while (q->count > PRINT_HISTORY_MAX && *link) {
		job *j = *link;

		if (j->info.state == PRINT_JOB_DONE || j->info.state == PRINT_JOB_RETRIED) {
			*link = j->next;
			if (q->tail == j)
				q->tail = prev;
			free(j->data);
			free(j);
			q->count--;
		} else {
			prev = j;
			link = &j->next;
		}
	}
}

/* Opens the printer when it is not open; the fault when it cannot. Worker thread only. */
static printer_fault open_fault(print_queue *q)
{
	agenda_detail d;
	printer_fault f = PRINTER_OK;

	if (!q->printer)
		printer_open(q->uri, q->profile, q->timeout_ms, &q->printer, &f, &d);
	return f;
}

static void drop_printer(print_queue *q)
{
	printer_close(q->printer);
	q->printer = NULL;
}

/* Sends one job; returns its fault. Worker thread, no lock held. */
static printer_fault send_job(print_queue *q, const unsigned char *data, size_t len, size_t *sent)
{
	agenda_detail d;
	unsigned flags = 0;
	printer_fault f;

	*sent = 0;
	if ((f = open_fault(q)) != PRINTER_OK)
		return f;
	/* Check before sending: a slip into a printer without paper would be half printed. */
	if (printer_status(q->printer, &flags, &d) != AG_OK) {
		f = q->printer->fault;
		drop_printer(q);
		return f;
	}
	/* What the printer just said is the freshest status the screen can show. */
	pthread_mutex_lock(&q->lock);
	q->status = flags;
	q->status_fault = PRINTER_OK;
	pthread_mutex_unlock(&q->lock);
	if ((f = printer_status_blocking(flags)) != PRINTER_OK)
		return f;
	if (printer_write(q->printer, data, len, sent, &d) != AG_OK) {
		f = q->printer->fault;
		drop_printer(q);
		return f ? f : PRINTER_IO;
	}
	return PRINTER_OK;
}

static void poll_status(print_queue *q)
{
	agenda_detail d;
	unsigned flags = 0;
	printer_fault f = open_fault(q);

	if (f == PRINTER_OK && printer_status(q->printer, &flags, &d) != AG_OK) {
		f = q->printer->fault;
		drop_printer(q);
	}
	pthread_mutex_lock(&q->lock);
	q->status = flags;
	q->status_fault = f;
	pthread_mutex_unlock(&q->lock);
}

static void *worker(void *arg)
{
	print_queue *q = arg;
	struct timespec next_poll;

	/* Ask once at start, so the status bar knows the printer before the first poll period. */
	if (q->poll_ms > 0)
		poll_status(q);
	deadline_in(&next_poll, q->poll_ms);
	pthread_mutex_lock(&q->lock);
	while (!q->stop) {
		job *j = q->head;
		size_t sent = 0;
		printer_fault f;

		while (j && j->info.state != PRINT_JOB_QUEUED)
			j = j->next;
		if (!j) {
			if (q->poll_ms <= 0) {
				pthread_cond_wait(&q->changed, &q->lock);
				continue;
			}
			/*
			 * Poll on a fixed schedule: wake-ups for other reasons (a caller asking
			 * about a job) must not keep postponing it, or a cleared fault would stay
			 * on the screen.
			 */
			if (pthread_cond_timedwait(&q->changed, &q->lock, &next_poll) ==
			            ETIMEDOUT &&
			    !q->stop) {
				pthread_mutex_unlock(&q->lock);
				poll_status(q);
				deadline_in(&next_poll, q->poll_ms);
				pthread_mutex_lock(&q->lock);
			}
			continue;
		}
		j->info.state = PRINT_JOB_SENDING;
		pthread_mutex_unlock(&q->lock);
		/* j stays valid: only this thread frees jobs, and never a queued or sending one */
		f = send_job(q, j->data, j->info.bytes, &sent);
		pthread_mutex_lock(&q->lock);
		j->info.sent = sent;
		j->info.fault = f;
		j->info.state = f == PRINTER_OK ? PRINT_JOB_DONE : PRINT_JOB_FAILED;
		q->status_fault = f;
		if (f == PRINTER_OK) {
			free(j->data);
			j->data = NULL;
		}
		pthread_cond_broadcast(&q->changed);
		if (j->done) {
			print_job_info info = j->info;
			print_job_done_fn done = j->done;
			void *done_arg = j->done_arg;

			/* Unlocked: the callback may take time (a store write) and ask the queue.
			 */
			j->done = NULL;
			pthread_mutex_unlock(&q->lock);
			done(done_arg, &info);
			pthread_mutex_lock(&q->lock);
		}
		trim(q);
	}
	pthread_mutex_unlock(&q->lock);
	drop_printer(q);
	return NULL;
}

agenda_err print_queue_start(const print_queue_config *config, print_queue **out)
{
	print_queue *q;

	*out = NULL;
	if (!config || !config->uri || strlen(config->uri) >= sizeof q->uri)
		return AG_ERR_USAGE;
	q = calloc(1, sizeof *q);
	if (!q)
		return AG_ERR_NOMEM;
	snprintf(q->uri, sizeof q->uri, "%s", config->uri);
	q->profile = config->profile ? config->profile : printer_profiles(NULL);
	q->timeout_ms = config->timeout_ms;
	q->poll_ms = config->poll_ms;
	q->next_id = 1;
	q->status = PRINTER_STATUS_UNKNOWN;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->changed, NULL);
	if (pthread_create(&q->thread, NULL, worker, q) != 0) {
		pthread_cond_destroy(&q->changed);
		pthread_mutex_destroy(&q->lock);
		free(q);
		return AG_ERR_NOMEM;
	}
	*out = q;
	return AG_OK;
}

void print_queue_stop(print_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	/* Never sent: each callback learns it (state still queued) while the queue is whole. */
	for (job *j = q->head; j; j = j->next)
		if (j->done) {
			print_job_done_fn done = j->done;

			j->done = NULL;
			done(j->done_arg, &j->info);
		}
	while (q->head) {
		job *j = q->head;

		q->head = j->next;
		free(j->data);
		free(j);
	}
	pthread_cond_destroy(&q->changed);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* Appends a job and wakes the worker. Lock held. */
static void link_job(print_queue *q, job *j, uint64_t *id)
{
	j->info.id = q->next_id++;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	q->count++;
	if (id)
		*id = j->info.id;
	pthread_cond_broadcast(&q->changed);
}

struct job_request {
	const char *reference;
	const unsigned char *data;
	size_t len;
	int missing_glyphs;
	print_job_done_fn done;
	void *done_arg;
};

static agenda_err enqueue(print_queue *q, const struct job_request *r, uint64_t *id)
{
	job *j;

	if (!r->data || !r->len)
		return AG_ERR_USAGE;
	j = calloc(1, sizeof *j);
	if (!j || !(j->data = malloc(r->len))) {
		free(j);
		return AG_ERR_NOMEM;
	}
	memcpy(j->data, r->data, r->len);
	j->info.bytes = r->len;
	j->info.missing_glyphs = r->missing_glyphs;
	j->done = r->done;
	j->done_arg = r->done_arg;
	snprintf(j->info.reference, sizeof j->info.reference, "%s",
	         r->reference ? r->reference : "");
	pthread_mutex_lock(&q->lock);
	link_job(q, j, id);
	pthread_mutex_unlock(&q->lock);
	return AG_OK;
}

agenda_err print_queue_submit(print_queue *q, const char *reference, const unsigned char *data,
                              size_t len, uint64_t *id)
{
	struct job_request r = {.reference = reference, .data = data, .len = len};

	return enqueue(q, &r, id);
}

agenda_err print_queue_submit_slip(print_queue *q, const slip *s, uint64_t *id)
{
	return print_queue_submit_slip_then(q, s, NULL, NULL, id);
}

agenda_err print_queue_submit_slip_then(print_queue *q, const slip *s, print_job_done_fn done,
                                        void *arg, uint64_t *id)
{
	escpos_buf b;
	escpos_slip_report report;
	const slip_line *qr = slip_find_qr(s);
	agenda_err err;

	escpos_buf_init(&b);
	err = escpos_render_slip_report(s, q->profile, &b, &report);
	if (err == AG_OK) {
		struct job_request r = {.reference = qr ? qr->text : "",
		                        .data = b.data,
		                        .len = b.len,
		                        .missing_glyphs = report.missing,
		                        .done = done,
		                        .done_arg = arg};

		err = enqueue(q, &r, id);
	}
	escpos_buf_free(&b);
	return err;
}

agenda_err print_queue_job(print_queue *q, uint64_t id, print_job_info *out)
{
	job *j;

	pthread_mutex_lock(&q->lock);
	j = find(q, id);
	if (j)
		*out = j->info;
	pthread_mutex_unlock(&q->lock);
	return j ? AG_OK : AG_ERR_NOT_FOUND;
}

agenda_err print_queue_wait(print_queue *q, uint64_t id, int timeout_ms, print_job_info *out)
{
	struct timespec until;
	agenda_err err = AG_ERR_IO;
	job *j;

	deadline_in(&until, timeout_ms);
	pthread_mutex_lock(&q->lock);
	for (;;) {
		j = find(q, id);
		if (!j) {
			err = AG_ERR_NOT_FOUND;
			break;
		}
		*out = j->info;
		if (j->info.state != PRINT_JOB_QUEUED && j->info.state != PRINT_JOB_SENDING) {
			err = AG_OK;
			break;
		}
		if (pthread_cond_timedwait(&q->changed, &q->lock, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&q->lock);
	return err;
}

agenda_err print_queue_retry(print_queue *q, uint64_t id, uint64_t *new_id)
{
	job *j, *again;
	agenda_err err = AG_OK;

	pthread_mutex_lock(&q->lock);
	j = find(q, id);
	if (!j || j->info.state != PRINT_JOB_FAILED) {
		err = j ? AG_ERR_REFUSED : AG_ERR_NOT_FOUND;
		goto done;
	}
	again = calloc(1, sizeof *again);
	if (!again) {
		err = AG_ERR_NOMEM;
		goto done;
	}
	/* The new job takes the failed one's bytes over; the failed one is marked retried. */
	again->data = j->data;
	again->info.bytes = j->info.bytes;
	again->info.retry_of = id;
	again->info.missing_glyphs = j->info.missing_glyphs;
	memcpy(again->info.reference, j->info.reference, sizeof again->info.reference);
	j->data = NULL;
	j->info.state = PRINT_JOB_RETRIED;
	link_job(q, again, new_id);
done:
	pthread_mutex_unlock(&q->lock);
	return err;
}

size_t print_queue_failed(print_queue *q, uint64_t *ids, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&q->lock);
	for (job *j = q->head; j; j = j->next)
		if (j->info.state == PRINT_JOB_FAILED) {
			if (n < max)
				ids[n] = j->info.id;
			n++;
		}
	pthread_mutex_unlock(&q->lock);
	return n;
}

unsigned print_queue_printer_status(print_queue *q, printer_fault *fault)
{
	unsigned flags;

	pthread_mutex_lock(&q->lock);
	flags = q->status;
	if (fault)
		*fault = q->status_fault;
	pthread_mutex_unlock(&q->lock);
	return flags;
}

const printer_profile *print_queue_profile(const print_queue *q)
{
	return q->profile;
}
