/*
 * day_list_versions.h — inside the library only: writing the versions of the day lists and
 * their outbox messages, inside the caller's transaction (the close, or the booking change that
 * came after it), so the list sent and the data it reports are always committed together.
 *
 * A Questura's list "changed" when its counts differ from its last version's: rows are only
 * ever added (a booking) or turned from confirmed to cancelled/moved, so every change moves
 * (appointments, cancellations) and equal counts mean the same list.
 */
#ifndef AGENDA_SERVICES_DAY_LIST_VERSIONS_H
#define AGENDA_SERVICES_DAY_LIST_VERSIONS_H

#include "services/day_list.h"

#define DAY_CLOSE_ACTOR_SYSTEM "sistema" /* the automatic close's actor in the audit */

/*
 * For every Questura with appointments fixed on day (with send_empty, every Questura configured
 * too) whose list is new or changed: the next version and, when the Questura has an address,
 * its message. Counts are added to report (may be NULL). Audited with actor.
 */
agenda_err day_list_write_versions(agenda_ctx *ctx, const char *actor, agenda_day day,
                                   bool send_empty, struct day_close_report *report,
                                   agenda_detail *why);

/*
 * A booking change touched an appointment fixed at created_at: when that day is closed, the
 * changed lists get their next version (a RETTIFICA) now, in the caller's transaction.
 */
agenda_err day_list_after_change(agenda_ctx *ctx, const char *actor, int64_t created_at,
                                 agenda_detail *why);

#endif
