/*
 * enrolment_info.h — what this device is enrolled as, read back for the technician.
 *
 * The kiosk's Tecnico screen shows it in place of the activation form once the device is
 * enrolled: the device id (from provisioning, device_identity.h), central's site and address
 * (the settings provision_run records) and until when device.pem is valid. Reading only: it
 * never talks to central and never changes a file. No personal data is involved.
 */
#ifndef AGENDA_SYNC_ENROLMENT_INFO_H
#define AGENDA_SYNC_ENROLMENT_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "services/context.h"
#include "sync/provision.h"

struct enrolment_info {
	bool provisioned; /* the device id came from central (false: a stand-alone device) */
	char device_id[DEVICE_ID_MAX];
	char central_url[PROVISION_URL_MAX]; /* "" when never enrolled */
	char site[PROVISION_SITE_MAX];       /* central's site code, "" when never enrolled */
	bool has_cert;                       /* device.pem is there and readable */
	int64_t not_after;                   /* its expiry, seconds since the epoch */
};

/*
 * Fills out for the device of ctx whose files are in data_dir (device_files.h). Always
 * succeeds in reading what is there: a missing or unreadable certificate leaves has_cert
 * false (the screen then shows no expiry rather than failing).
 */
void enrolment_info_read(agenda_ctx *ctx, const char *data_dir, struct enrolment_info *out);

#endif
