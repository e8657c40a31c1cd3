/*
 * worklist.h — what the counter must look at by hand after central changed something under an
 * appointment the device had booked (issue 12).
 *
 * Central may revoke a booked slot (closure of the day, the slot taken by another device, a
 * lease that ran out) or cancel an appointment (the practice booked twice, the practice
 * withdrawn). The device never silently drops what an applicant holds a slip for: it adds a
 * worklist item, and an operator calls the applicant and marks the item done. Items carry ids
 * (appointment id, numero di pratica), never names (I7). Items are never deleted.
 */
#ifndef AGENDA_SERVICES_WORKLIST_H
#define AGENDA_SERVICES_WORKLIST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/messages.h"
#include "core/numbers.h"
#include "services/context.h"
#include "services/operators.h"

#define WORKLIST_KIND_MAX   32  /* central's reason token: closure, slot_taken, ... */
#define WORKLIST_ID_MAX     37  /* appointment uuid */
#define WORKLIST_DETAIL_MAX 256 /* free text, ids only */

struct worklist_item {
	int64_t id;
	int64_t created_at;
	char kind[WORKLIST_KIND_MAX];
	char appointment_id[WORKLIST_ID_MAX]; /* "" when none */
	char numero_pratica[PRATICA_MAX];     /* "" when none */
	char detail[WORKLIST_DETAIL_MAX];
	int64_t done_at; /* 0 = open */
	char done_by[USERNAME_MAX];
};

/*
 * Adds an open item inside the caller's transaction (audited as worklist_add). kind is a
 * reason token ([a-z0-9_]+, shorter than WORKLIST_KIND_MAX); appointment_id, numero_pratica and
 * detail may be NULL. *id (may be NULL) gets the new item's id.
 */
agenda_err worklist_add(agenda_ctx *ctx, const char *kind, const char *appointment_id,
                        const char *numero_pratica, const char *detail, int64_t *id,
                        agenda_detail *why);

/* True for a kind worklist_add accepts ([a-z0-9_]+, shorter than WORKLIST_KIND_MAX). */
bool worklist_kind_ok(const char *kind);

/* Visits items: open ones first (oldest first), then done ones (latest done first) unless
 * open_only. */
typedef void (*worklist_visit_fn)(void *arg, const struct worklist_item *item);
agenda_err worklist_list(agenda_ctx *ctx, bool open_only, worklist_visit_fn visit, void *arg,
                         agenda_detail *why);

/* Marks an open item done by the session's operator, audited. AG_ERR_NOT_FOUND for no such
 * item, AG_ERR_EXISTS when it was done already; a tecnico is refused (personal data). */
agenda_err worklist_done(agenda_ctx *ctx, const struct session *who, int64_t id,
                         agenda_detail *why);

agenda_err worklist_open_count(agenda_ctx *ctx, int64_t *count, agenda_detail *why);

/* The catalogue sentence explaining an item's kind to the counter (unknown kinds: a generic
 * "check with central" one). */
agenda_msg worklist_kind_message(const char *kind);

#endif
