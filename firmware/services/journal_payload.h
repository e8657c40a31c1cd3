/*
 * journal_payload.h — the one place that turns a change into the JSON central receives.
 *
 * Each builder returns the body of one journal entry (a new jansson object, NULL when out of
 * memory) for journal_add, which seals it with the envelope (journal_payload_seal). The field
 * names are the contract with central and are documented in docs/JOURNAL.md: a change here is a
 * change of that document. Payloads carry ids (appointment id, numero di pratica, Questura code,
 * operator user name), never an applicant's name (invariant I7).
 */
#ifndef AGENDA_SERVICES_JOURNAL_PAYLOAD_H
#define AGENDA_SERVICES_JOURNAL_PAYLOAD_H

#include <jansson.h>
#include <stdint.h>

#include "core/date.h"
#include "services/booking.h"

/* The kinds of entry (journal.kind and the payload's "kind"). */
#define JOURNAL_KIND_BOOK         "book"
#define JOURNAL_KIND_CANCEL       "cancel"
#define JOURNAL_KIND_MOVE         "move"
#define JOURNAL_KIND_PRINT        "print"
#define JOURNAL_KIND_MODELLO209   "modello209"
#define JOURNAL_KIND_PRINT_FAILED "print_failed"
#define JOURNAL_KIND_CLOSE_DAY    "close_day"

/* A confirmed booking: the appointment, where and when, who; deferred_from when deferred. */
json_t *journal_payload_book(const struct booking *b);

/* A move: the new appointment as for a booking, plus the one it replaces and why. */
json_t *journal_payload_move(const struct booking *moved_to, const char *replaces,
                             const char *reason);

/* A cancellation of a confirmed appointment. */
json_t *journal_payload_cancel(const char *appointment_id, const char *reason,
                               const char *operator_username);

/*
 * A slip printed (prints = the count including this one) or a Modello 209 handed over (prints =
 * the count so far): both say which appointment, who, and how many slips it has.
 */
json_t *journal_payload_print(const char *appointment_id, const char *operator_username,
                              int prints);

/* A print that failed, with the printer's fault name ("" when none was given). */
json_t *journal_payload_print_failed(const char *appointment_id, const char *reason);

/* A day closed: the day, the close's version and its counts. */
json_t *journal_payload_close_day(agenda_day day, int version, int appointments, int cancellations);

/*
 * Adds the envelope every entry carries (entry_id, kind, device, at) to payload and returns it
 * as compact JSON with sorted keys (malloc'd; NULL when out of memory). Does not free payload.
 */
char *journal_payload_seal(json_t *payload, const char *entry_id, const char *kind,
                           const char *device_id, int64_t at);

#endif
