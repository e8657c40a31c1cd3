/*
 * sync_digest.h — one hash of what the device believes it holds, compared by central.
 *
 * SHA-256 (lowercase hex) of these lines, each ending in '\n':
 *   "a <appointment_id> <questura> <YYYY-MM-DD> <minute>" for each confirmed appointment, sorted
 *       by appointment id (bytewise);
 *   then "s <central slot id>" for each slot with a grant_id whose state is free or booked,
 *       sorted by central id numerically.
 * Central computes the same over the appointments it has confirmed for the device and the slots
 * it holds for it (central/central_digest.c): a difference means the two disagree (a lost
 * change, a tampered table) and central raises digest_mismatch. Stand-alone capacity (no
 * grant_id) is not central's business and is left out.
 */
#ifndef AGENDA_SERVICES_SYNC_DIGEST_H
#define AGENDA_SERVICES_SYNC_DIGEST_H

#include "services/context.h"

#define SYNC_DIGEST_HEX_SIZE 65

agenda_err sync_digest(agenda_ctx *ctx, char hex[SYNC_DIGEST_HEX_SIZE], agenda_detail *why);

#endif
