/*
 * print_queue.h — print jobs on a worker thread, so the kiosk's UI thread never waits for USB.
 *
 * A job is a copy of the bytes of one slip plus the booking reference it belongs to; it goes
 * queued -> sending -> done, or failed with a printer_fault. Failed jobs keep their bytes and
 * stay in the reprint queue until retried (print_queue_retry sends the same bytes again as a new
 * job). The queue never touches bookings: a printer fault cannot undo one (invariant I1). When
 * idle the worker asks the printer's status every poll_ms, reopening it if it went away (the
 * periodic rescan), so the UI can show "paper nearly finished" before the next slip.
 *
 * A job may carry a completion callback (print_queue_submit_slip_then): the worker calls it once,
 * on its own thread and without the queue's lock, when the job is done or failed. That is how
 * the print outcome reaches the store (firmware/print/convocation_print.h) without anyone
 * following the job. The queue itself knows nothing of bookings or sessions.
 */
#ifndef AGENDA_DRIVERS_PRINT_QUEUE_H
#define AGENDA_DRIVERS_PRINT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/slip.h"
#include "printer/printer.h"

typedef enum print_job_state {
	PRINT_JOB_QUEUED = 0,
	PRINT_JOB_SENDING,
	PRINT_JOB_DONE,
	PRINT_JOB_FAILED,
	PRINT_JOB_RETRIED /* failed, then sent again as another job */
} print_job_state;

#define PRINT_REFERENCE_MAX 64

typedef struct print_job_info {
	uint64_t id;
	print_job_state state;
	printer_fault fault; /* PRINTER_OK unless failed */
	char reference[PRINT_REFERENCE_MAX];
	size_t bytes, sent;
	uint64_t retry_of;  /* 0, or the failed job this one repeats */
	int missing_glyphs; /* characters of the slip no font could draw (escpos.h): warn */
} print_job_info;

typedef struct print_queue_config {
	const char *uri;                /* printer URI, see printer.h */
	const printer_profile *profile; /* NULL: chosen by the backend */
	int timeout_ms;                 /* per write; 0: sized from the profile */
	int poll_ms;                    /* idle status poll; 0: none */
} print_queue_config;

typedef struct print_queue print_queue;

/*
 * Called once per job submitted with it: on the print worker thread when the job is done or
 * failed, or from print_queue_stop with info->state PRINT_JOB_QUEUED when the job was dropped
 * before a byte was sent. It may call print_queue_job and print_queue_failed, and must not call
 * print_queue_stop.
 */
typedef void (*print_job_done_fn)(void *arg, const print_job_info *info);

/* Starts the worker. The printer is opened by the worker when the first job or poll needs it. */
agenda_err print_queue_start(const print_queue_config *config, print_queue **out);

/*
 * Stops the worker after the job being sent (and its callback) and frees the queue. Queued jobs
 * are dropped; their callbacks are called with state PRINT_JOB_QUEUED.
 */
void print_queue_stop(print_queue *q);

/* Queues a copy of data; never blocks on the printer. *id names the job. */
agenda_err print_queue_submit(print_queue *q, const char *reference, const unsigned char *data,
                              size_t len, uint64_t *id);

/*
 * Encodes a slip for the queue's profile (on the caller's thread, ~0.1 ms; a few ms when lines
 * are drawn as images) and queues it. The job's missing_glyphs says whether some character
 * could not be drawn (printed as an empty box): the caller should warn the operator.
 */
agenda_err print_queue_submit_slip(print_queue *q, const slip *s, uint64_t *id);

/* The same, with done(arg, info) called when the job ends (see print_job_done_fn). */
agenda_err print_queue_submit_slip_then(print_queue *q, const slip *s, print_job_done_fn done,
                                        void *arg, uint64_t *id);

/* A snapshot of a job; AG_ERR_NOT_FOUND for an unknown id. */
agenda_err print_queue_job(print_queue *q, uint64_t id, print_job_info *out);

/* Waits until the job is done or failed, at most timeout_ms (AG_ERR_IO with the job as it is). */
agenda_err print_queue_wait(print_queue *q, uint64_t id, int timeout_ms, print_job_info *out);

/*
 * Sends a failed job's bytes again as a new job, without a callback (its arg may be gone);
 * AG_ERR_REFUSED unless the job failed.
 */
agenda_err print_queue_retry(print_queue *q, uint64_t id, uint64_t *new_id);

/* Ids of failed jobs not yet retried (the reprint queue), oldest first; returns how many. */
size_t print_queue_failed(print_queue *q, uint64_t *ids, size_t max);

/* The status last seen by the worker (PRINTER_STATUS_*), and the fault if it could not ask. */
unsigned print_queue_printer_status(print_queue *q, printer_fault *fault);

/* The profile jobs are encoded for. */
const printer_profile *print_queue_profile(const print_queue *q);

const char *print_job_state_name(print_job_state state);

#endif
