/*
 * pki_ca.c — the self-signed CA certificate (pki_ca.h).
 */
#include "pki/pki_ca.h"

#include <mbedtls/x509_crt.h>

#include "pki/pki_issue.h"

agenda_err pki_ca_create(const agenda_rng *rng, const agenda_clock *clock,
                         mbedtls_pk_context *ca_key, const char *cn, int days, char **cert_pem,
                         agenda_detail *detail)
{
	struct pki_issue_request req = {
	        .rng = rng,
	        .clock = clock,
	        .subject_cn = cn,
	        .subject_key = ca_key,
	        .issuer_cn = cn,
	        .issuer_key = ca_key,
	        .days = days,
	        .is_ca = 1,
	        .key_usage = MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN,
	};

	return pki_issue(&req, cert_pem, detail);
}
