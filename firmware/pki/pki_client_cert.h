/*
 * pki_client_cert.h — the device certificate central issues at enrolment.
 *
 * Central signs the device's request (pki_csr.h) with the agenda's CA: the subject's CN is the
 * device id central chooses (not the name the device asked for), extended key usage
 * clientAuth, valid for the given days. The device presents it on every mutual-TLS request and
 * reads its device id back from it (pki_cert_info.h).
 */
#ifndef AGENDA_PKI_CLIENT_CERT_H
#define AGENDA_PKI_CLIENT_CERT_H

#include <mbedtls/pk.h>

#include "core/error.h"
#include "platform/clock.h"
#include "platform/rng.h"

#define PKI_DEVICE_DAYS 397 /* about 13 months: the device renews it before expiry */

/*
 * The certificate for the key in csr_pem, CN = device_id, as malloc'd PEM. AG_ERR_INVALID for
 * a malformed or badly signed request, a bad device id, or a CA that does not match its key.
 */
agenda_err pki_client_cert_issue(const agenda_rng *rng, const agenda_clock *clock,
                                 const char *ca_pem, mbedtls_pk_context *ca_key,
                                 const char *csr_pem, const char *device_id, int days,
                                 char **cert_pem, agenda_detail *detail);

#endif
