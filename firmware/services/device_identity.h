/*
 * device_identity.h — the device id that names the holder of this device's slots.
 *
 * A new database gets a random id (context.c), so a stand-alone device works at once. When a
 * device is provisioned for central, central's id replaces it exactly once: the slots it holds
 * follow the new id in the same transaction, and any later attempt to assign another id is
 * refused (two holders for one device would let central grant its slots twice). Assigning the
 * same id again is harmless, so a provisioning step that was cut can be repeated.
 */
#ifndef AGENDA_SERVICES_DEVICE_IDENTITY_H
#define AGENDA_SERVICES_DEVICE_IDENTITY_H

#include <stdbool.h>

#include "services/context.h"

/* Whether the id was assigned by provisioning (false: the random one of a stand-alone device). */
bool device_identity_provisioned(agenda_ctx *ctx);

/*
 * Assigns id (1..39 of A-Z a-z 0-9 . _ -) in place of the random one, moving held slots to it,
 * with an audit record; updates ctx->device_id. AG_ERR_INVALID for a malformed id,
 * AG_ERR_REFUSED when another id was already assigned; AG_OK when this same id was.
 */
agenda_err device_identity_assign(agenda_ctx *ctx, const char *actor, const char *id,
                                  agenda_detail *why);

#endif
