/*
 * pki_csr.h — the certificate request a device sends with its enrolment code.
 *
 * The device signs a PKCS#10 request over its own P-256 key (which never leaves it) with the
 * subject CN it asks for; central reads the request back, checks its signature (proof the
 * sender holds the key) and issues the device certificate (pki_client_cert.h).
 */
#ifndef AGENDA_PKI_CSR_H
#define AGENDA_PKI_CSR_H

#include <mbedtls/pk.h>
#include <mbedtls/x509_csr.h>

#include "core/error.h"
#include "pki/pki_issue.h"
#include "platform/rng.h"

/* A request for key with subject "CN=<cn>,O=Agenda Elettronica", as malloc'd PEM. */
agenda_err pki_csr_create(const agenda_rng *rng, mbedtls_pk_context *key, const char *cn,
                          char **csr_pem, agenda_detail *detail);

/*
 * Parses a request and checks its self-signature; on success *csr is parsed (caller
 * mbedtls_x509_csr_free()s it) and requested_cn holds the CN asked for ("" when none).
 * AG_ERR_INVALID when it is malformed, not P-256 or not signed by its own key.
 */
agenda_err pki_csr_read(const char *csr_pem, mbedtls_x509_csr *csr,
                        char requested_cn[PKI_NAME_SIZE], agenda_detail *detail);

#endif
