/*
 * enrolment_info.c — the device's enrolment read back (enrolment_info.h): the identity, the two
 * settings provision_run writes and the certificate's expiry.
 */
#include "sync/enrolment_info.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pki/pki_cert_info.h"
#include "services/device_identity.h"
#include "store/store.h"
#include "sync/device_files.h"

void enrolment_info_read(agenda_ctx *ctx, const char *data_dir, struct enrolment_info *out)
{
	struct device_files files = {0};
	pki_cert_info info;
	char *cert = NULL;

	memset(out, 0, sizeof *out);
	out->provisioned = device_identity_provisioned(ctx);
	snprintf(out->device_id, sizeof out->device_id, "%s", ctx->device_id);
	if (!store_setting_get(ctx->store, DEVICE_CENTRAL_URL_SETTING, out->central_url,
	                       sizeof out->central_url))
		out->central_url[0] = '\0';
	if (!store_setting_get(ctx->store, DEVICE_CENTRAL_SITE_SETTING, out->site,
	                       sizeof out->site))
		out->site[0] = '\0';
	if (device_files_locate(data_dir, &files, NULL) == AG_OK &&
	    device_file_read(files.cert, &cert, NULL) == AG_OK &&
	    pki_cert_read_info(cert, &info, NULL) == AG_OK) {
		out->has_cert = true;
		out->not_after = info.not_after;
	}
	free(cert);
}
