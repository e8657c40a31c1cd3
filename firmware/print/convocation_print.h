/*
 * convocation_print.h — print an appointment's convocation slip and record what became of it,
 * in the library, for the kiosk and agendactl alike.
 *
 * convocation_print loads the slip, queues it on the print queue with a completion callback and
 * returns at once. When the job ends, the print worker thread records the outcome
 * (convocation_record: printed, or failed with the printer's reason) through its own agenda_ctx
 * opened on the same database file (one agenda_ctx per thread), under a copy of the session
 * that asked: logging out, or another operator logging in, while the slip prints changes nothing
 * about who the audit says printed it. Then it calls the caller's callback (the kiosk wakes its
 * screen, agendactl's waiter returns). A crash before the outcome leaves the slip "none": it is
 * in the reprint queue all the same (convocation_reprint_queue).
 *
 * Why a module of its own: drivers/ must not depend on services/ or store/, and services/ does
 * not know printers. This is the one place that links both (docs/ARCHITECTURE.md).
 */
#ifndef AGENDA_PRINT_CONVOCATION_PRINT_H
#define AGENDA_PRINT_CONVOCATION_PRINT_H

#include "printer/print_queue.h"
#include "services/convocation.h"

/* What the caller's callback is told. */
struct convocation_printed {
	char appointment_id[APPOINTMENT_ID_MAX];
	char username[USERNAME_MAX]; /* the session the outcome is recorded under */
	/*
	 * How the job ended: PRINT_JOB_DONE or PRINT_JOB_FAILED (job.fault says why). State
	 * PRINT_JOB_QUEUED: dropped unsent when the queue stopped; nothing is recorded and the slip
	 * stays in the reprint queue.
	 */
	print_job_info job;
	agenda_err recorded; /* AG_OK: the outcome is in the store; otherwise why says why not */
	agenda_detail why;
};

/* Called once per successful convocation_print, on the print worker thread (see above). */
typedef void (*convocation_printed_fn)(void *arg, const struct convocation_printed *printed);

/*
 * Loads the slip of appointment_id for who (on the caller's thread and ctx; the slip is laid
 * out for the queue's profile), queues it and returns; *job_id (when not NULL) names the job.
 * done may be NULL. On an error nothing is queued and done is never called.
 */
agenda_err convocation_print(agenda_ctx *ctx, const struct session *who, print_queue *q,
                             const char *appointment_id, convocation_printed_fn done, void *arg,
                             uint64_t *job_id, agenda_detail *why);

/*
 * For a program that waits (agendactl): convocation_print, then waits at most timeout_ms for the
 * outcome to be recorded. AG_OK with *out filled when it was; AG_ERR_IO on the time-out (the
 * job goes on; stopping the queue ends it and records what happened). Other errors: as
 * convocation_print.
 */
agenda_err convocation_print_wait(agenda_ctx *ctx, const struct session *who, print_queue *q,
                                  const char *appointment_id, int timeout_ms,
                                  struct convocation_printed *out, agenda_detail *why);

#endif
