/*
 * day_list_print.h — one Questura's end-of-day list on the thermal printer: heading, counts and
 * one entry per appointment (date, time, numero pratica, state; then COGNOME Nome), laid out
 * for the printer's columns and queued as ONE job (ESC/POS through the print queue), whatever
 * its length. Characters the printer's code page lacks are drawn as images, as on the slip.
 */
#ifndef AGENDA_PRINT_DAY_LIST_PRINT_H
#define AGENDA_PRINT_DAY_LIST_PRINT_H

#include <stdint.h>

#include "printer/escpos.h"
#include "printer/print_queue.h"
#include "services/day_list.h"
#include "services/operators.h"

/* The list's printer bytes for profile, printed_at (epoch) in the footer; out initialised. */
agenda_err day_list_escpos(const struct day_list *l, const char *site, int64_t printed_at,
                           const printer_profile *profile, escpos_buf *out, agenda_detail *why);

/*
 * Loads questura's list of day (who must be allowed personal data) and queues it on q;
 * *job_id (may be NULL) names the job, to wait for with print_queue_wait.
 */
agenda_err day_list_print(agenda_ctx *ctx, const struct session *who, print_queue *q,
                          agenda_day day, const char *questura, uint64_t *job_id,
                          agenda_detail *why);

#endif
