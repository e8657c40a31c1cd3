/*
 * issued_cert.h — is the certificate central just issued really this device's?
 *
 * Enrolment and renewal both receive a certificate over the network and must not store one
 * that would lock the device out: it must chain to the pinned CA, be valid now (the injected
 * clock), be for client authentication, carry this device's public key (the key never left
 * the device, so a certificate for any other key is useless or hostile), and name the expected
 * device id. Only then is it written (device_files.h).
 */
#ifndef AGENDA_SYNC_ISSUED_CERT_H
#define AGENDA_SYNC_ISSUED_CERT_H

#include <mbedtls/pk.h>

#include "core/error.h"
#include "pki/pki_cert_info.h"
#include "platform/clock.h"

/*
 * AG_OK when cert_pem passes every check above; info gets its CN and validity. expected_cn may
 * be NULL (enrolment: central chooses the id, which the caller compares with the JSON's).
 * AG_ERR_REFUSED (with why) otherwise.
 */
agenda_err issued_cert_check(const char *cert_pem, const char *ca_pem, const agenda_clock *clock,
                             mbedtls_pk_context *key, const char *expected_cn, pki_cert_info *info,
                             agenda_detail *why);

#endif
