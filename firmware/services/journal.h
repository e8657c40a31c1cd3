/*
 * journal.h — the outbound journal: every change central must learn, written in the same
 * transaction as the change itself, in order, until central acknowledges it (invariant I4).
 * Payloads carry ids (appointment, practice number, operator user name), never names (I7).
 */
#ifndef AGENDA_SERVICES_JOURNAL_H
#define AGENDA_SERVICES_JOURNAL_H

#include <jansson.h>

#include "services/context.h"

/*
 * Appends an entry inside the caller's transaction. Adds entry_id, kind, device and at to the
 * payload, which it takes ownership of (NULL payload: AG_ERR_NOMEM). appointment_id may be NULL.
 */
agenda_err journal_add(agenda_ctx *ctx, const char *kind, const char *appointment_id,
                       json_t *payload, agenda_detail *why);

#endif
