/*
 * protocol_change.h — one item of a response's "changes": a flat JSON object with the change
 * seq, its type ("grant", "revoke", "capacity", "practice", "operator", "questura") and that
 * type's fields (docs/SYNC.md). Used by protocol_response.c.
 */
#ifndef AGENDA_SYNC_PROTOCOL_CHANGE_H
#define AGENDA_SYNC_PROTOCOL_CHANGE_H

#include <jansson.h>

#include "sync/protocol.h"

/* New reference, or NULL when out of memory. */
json_t *sync_change_json(const struct sync_change *c);

/* Strict read of item (named where in messages) into *out. */
agenda_err sync_change_read(json_t *item, const char *where, struct sync_change *out,
                            agenda_detail *why);

#endif
