/*
 * device_identity.c — assigning the provisioned device id once (see device_identity.h).
 *
 * Settings: device_id (the current id) and device_id_origin ('provisioned' once assigned;
 * absent for the random id of creation). Both change in one IMMEDIATE transaction with the
 * slots' holder, so two technicians' commands racing on one device leave exactly one id.
 */
#include "services/device_identity.h"

#include <stdio.h>
#include <string.h>

#include "core/messages.h"
#include "services/audit.h"
#include "services/slots.h"

static const char ORIGIN_KEY[] = "device_id_origin";
static const char PROVISIONED[] = "provisioned";

static bool id_well_formed(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n >= DEVICE_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool device_identity_provisioned(agenda_ctx *ctx)
{
	char origin[16];

	return store_setting_get(ctx->store, ORIGIN_KEY, origin, sizeof origin) &&
	       strcmp(origin, PROVISIONED) == 0;
}

agenda_err device_identity_assign(agenda_ctx *ctx, const char *actor, const char *id,
                                  agenda_detail *why)
{
	char old[DEVICE_ID_MAX] = "", detail[2 * DEVICE_ID_MAX + 8];
	agenda_err err;

	if (!id_well_formed(id)) {
		agenda_detail_set(why, MSG_DEVICE_ID_BAD, DEVICE_ID_MAX - 1);
		return AG_ERR_INVALID;
	}
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	/* Read under the write lock: another program may have assigned it meanwhile. */
	store_setting_get(ctx->store, "device_id", old, sizeof old);
	if (device_identity_provisioned(ctx)) {
		store_rollback(ctx->store);
		if (strcmp(old, id) == 0)
			return AG_OK;
		agenda_detail_set(why, MSG_DEVICE_ID_ASSIGNED, old);
		return AG_ERR_REFUSED;
	}
	snprintf(detail, sizeof detail, "%s -> %s", old, id);
	if ((err = slots_change_holder(ctx, old, id, why)) ||
	    (err = store_setting_set(ctx->store, "device_id", id, why)) ||
	    (err = store_setting_set(ctx->store, ORIGIN_KEY, PROVISIONED, why)) ||
	    (err = audit_append(ctx, actor, "device_id_assigned", id, detail, why)) ||
	    (err = store_commit(ctx->store, why))) {
		store_rollback(ctx->store);
		return err;
	}
	snprintf(ctx->device_id, sizeof ctx->device_id, "%s", id);
	return AG_OK;
}
