/*
 * central_changes.h — central's change log (table `change`, migration 4): what devices learn in
 * the response of a round, in seq order. A change is addressed by exactly one of device (grant,
 * revoke), questura (capacity, practice: devices of a site serving that province), site
 * (operator), or none of them (a Questura record: every device). Its body is the change as the
 * protocol encodes it (sync/protocol_change.h) without its seq, so what a device receives is what
 * was written. Writing takes the change lock first (store_sync.h): seqs appear in order.
 */
#ifndef AGENDA_CENTRAL_CHANGES_H
#define AGENDA_CENTRAL_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "sync/protocol.h"

/* Appends c (its seq ignored) for the addressee; *seq (may be NULL) gets the seq it got. */
agenda_err central_change_add(central_store *s, const struct sync_change *c, const char *device,
                              const char *questura, const char *site, int64_t now, int64_t *seq,
                              agenda_detail *why);

/* A revoke of slot_id for device, with reason ("closure", "lease_expired", ...). */
agenda_err central_change_revoke(central_store *s, const char *device, int64_t slot_id,
                                 const char *reason, int64_t now, agenda_detail *why);

/*
 * The changes for device (enrolled at site) with seq > after, ascending, at most max, malloc'd
 * into *out (free()). *more: more wait; *cursor: the last seq sent when more, else the highest
 * seq that exists (other devices' changes are skipped for good), never below after.
 */
agenda_err central_changes_for(central_store *s, const char *device, const char *site,
                               int64_t after, size_t max, struct sync_change **out, size_t *n,
                               bool *more, int64_t *cursor, agenda_detail *why);

/* True when device has a grant or revoke with seq > after (the digest is not compared then). */
agenda_err central_changes_pending_for_device(central_store *s, const char *device, int64_t after,
                                              bool *pending, agenda_detail *why);

/* The time the admin verbs stamp on their changes: the process clock (AGENDA_NOW in tests). */
int64_t central_changes_now(void);

#endif
