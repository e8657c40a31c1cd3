/*
 * convocation.h — the convocation slip of an appointment, and what became of printing it.
 *
 * Builds the slip (core/slip.h) from the store: appointment, practice, Questura, site and the
 * configured "what to bring" text; the slip says DUPLICATO when the appointment was printed
 * before. Print outcomes are recorded on the appointment, so the reprint queue (confirmed
 * appointments whose slip was never printed, failed or not) survives a restart. Printing and
 * recording together is print/convocation_print.h. Printing
 * never changes a booking (invariant I1): these calls touch only the print columns.
 */
#ifndef AGENDA_SERVICES_CONVOCATION_H
#define AGENDA_SERVICES_CONVOCATION_H

#include "core/slip.h"
#include "services/booking.h"
#include "services/questure.h"

/* The slip's input with the storage its strings point into. */
struct convocation {
	slip_input in;
	struct booking booking;
	struct practice practice;
	struct questura questura;
	char city[FIELD_MAX];
	char what_to_bring[512];
};

/* Fills *out for printing now on paper of `columns` characters (48, 42 or 32). */
agenda_err convocation_load(agenda_ctx *ctx, const struct session *who, const char *appointment_id,
                            int columns, struct convocation *out, agenda_detail *why);

/* Loads and lays out in one call. */
agenda_err convocation_slip(agenda_ctx *ctx, const struct session *who, const char *appointment_id,
                            int columns, slip *out, agenda_detail *why);

enum print_outcome { PRINT_OUTCOME_DONE = 0, PRINT_OUTCOME_FAILED };

/*
 * Records a print attempt: DONE counts a print (the next slip is a DUPLICATO), FAILED keeps the
 * appointment in the reprint queue with the reason (a printer_fault_name, e.g. "paper_out").
 * Journal and audit record both.
 */
agenda_err convocation_record(agenda_ctx *ctx, const struct session *who,
                              const char *appointment_id, enum print_outcome outcome,
                              const char *reason, agenda_detail *why);

/*
 * Confirmed appointments whose slip was not printed, oldest first: the last print failed, or
 * none was ever recorded (a crash or a power cut between booking and print outcome, a print
 * still under way, a job dropped at shutdown). A slip the applicant did not get must not be
 * forgotten, so "not printed" is the rule, not "failed".
 */
agenda_err convocation_reprint_queue(agenda_ctx *ctx, const struct session *who,
                                     booking_visit_fn visit, void *arg, agenda_detail *why);

#endif
