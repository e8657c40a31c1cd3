/*
 * status.h — what the kiosk's status bar and the technician's screen show about the device:
 * pending journal entries (not yet acknowledged by central), queued email, last sync, site and
 * device id, versions. No personal data: a tecnico may read all of it.
 */
#ifndef AGENDA_SERVICES_STATUS_H
#define AGENDA_SERVICES_STATUS_H

#include <stdint.h>

#include "services/context.h"

struct device_status {
	char site[64];
	char device_id[DEVICE_ID_MAX];
	int journal_pending; /* entries central has not acknowledged */
	int outbox_pending;  /* email not yet sent */
	int64_t last_sync;   /* epoch seconds of the last successful sync; 0 = never */
	int schema_version;
	const char *firmware_version;
	int64_t appointments_live; /* confirmed appointments on the device */
	int64_t slots_free;        /* free held slots from today on */
};

agenda_err device_status_read(agenda_ctx *ctx, struct device_status *out, agenda_detail *why);

#endif
