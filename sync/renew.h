/*
 * renew.h — renewing the device's certificate before it expires, over its current identity.
 *
 * The device asks central (POST /v1/device/renew, mutual TLS with device.key + device.pem,
 * central checked against ca.pem) for a new certificate for the same key; central answers with
 * the same CN and a later notAfter. The new certificate is checked like at enrolment
 * (issued_cert.h) and replaces device.pem atomically: a cut run leaves the old, still valid
 * certificate, and running again renews. A revoked device is refused by central (403 revoked).
 * The device renews when fewer than RENEW_BEFORE_DAYS remain (agendactl renew --if-due, run
 * daily) or when asked (agendactl renew).
 */
#ifndef AGENDA_SYNC_RENEW_H
#define AGENDA_SYNC_RENEW_H

#include <stdbool.h>
#include <stdint.h>

#include "pki/pki_cert_info.h"
#include "services/context.h"
#include "sync/central_answer.h"
#include "sync/https_client.h"

#define RENEW_BEFORE_DAYS 30

struct renew_result {
	char device_id[DEVICE_ID_MAX];
	bool renewed;          /* false: not due (with only_if_due), nothing was sent */
	int64_t not_after;     /* the certificate now in device.pem */
	https_failure network; /* HTTPS_ANSWERED unless central could not be reached */
	char server_error[CENTRAL_TOKEN_SIZE];
};

/* True when fewer than RENEW_BEFORE_DAYS days remain before cert's notAfter at now. */
bool renew_due(const pki_cert_info *cert, int64_t now);

/*
 * Renews the certificate in data_dir (device_files.h), or only when due if only_if_due.
 * AG_ERR_REFUSED when the device is not enrolled or central refuses (revoked, forbidden),
 * AG_ERR_IO with out->network set when central could not be reached, AG_ERR_NOT_FOUND or
 * AG_ERR_REFUSED when an identity file is missing or exposed.
 */
agenda_err renew_run(agenda_ctx *ctx, const char *data_dir, bool only_if_due, long timeout_ms,
                     struct renew_result *out, agenda_detail *why);

#endif
