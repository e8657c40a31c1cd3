/*
 * pki_verify.h — does a certificate chain to the agenda's CA, now, for this use?
 *
 * mbedtls_x509_crt_verify checks the signature chain but judges validity against the system
 * time; here "now" is the injected clock, so central's tests (and a device whose clock is set
 * by hand) decide expiry the same way. The certificate must also be an end-entity one whose
 * extended key usage allows the purpose: a server certificate cannot log a device in.
 * Revocation is central's (its device table), not this function's.
 */
#ifndef AGENDA_PKI_VERIFY_H
#define AGENDA_PKI_VERIFY_H

#include "core/error.h"
#include "platform/clock.h"

typedef enum pki_purpose { PKI_PURPOSE_SERVER, PKI_PURPOSE_CLIENT } pki_purpose;

/*
 * AG_OK when cert_pem is signed by the CA in ca_pem, both are valid at clock's now, and the
 * certificate is for purpose. AG_ERR_REFUSED otherwise, the detail saying why (another CA,
 * expired, not yet valid, wrong use); AG_ERR_INVALID when either cannot be read.
 */
agenda_err pki_verify(const char *cert_pem, const char *ca_pem, const agenda_clock *clock,
                      pki_purpose purpose, agenda_detail *detail);

#endif
