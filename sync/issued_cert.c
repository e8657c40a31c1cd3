/*
 * issued_cert.c — checks a certificate central issued before the device stores it.
 */
#include "sync/issued_cert.h"

#include <string.h>

#include <mbedtls/x509_crt.h>

#include "core/messages.h"
#include "pki/pki_verify.h"

/* Whether the (first) certificate in cert_pem holds the public half of key. */
static bool holds_key(const char *cert_pem, mbedtls_pk_context *key)
{
	mbedtls_x509_crt crt;
	bool ours;

	mbedtls_x509_crt_init(&crt);
	ours = mbedtls_x509_crt_parse(&crt, (const unsigned char *)cert_pem,
	                              strlen(cert_pem) + 1) == 0 &&
	       mbedtls_pk_check_pair(&crt.pk, key) == 0;
	mbedtls_x509_crt_free(&crt);
	return ours;
}

agenda_err issued_cert_check(const char *cert_pem, const char *ca_pem, const agenda_clock *clock,
                             mbedtls_pk_context *key, const char *expected_cn, pki_cert_info *info,
                             agenda_detail *why)
{
	agenda_err err = pki_verify(cert_pem, ca_pem, clock, PKI_PURPOSE_CLIENT, why);

	if (err != AG_OK)
		return AG_ERR_REFUSED;
	if (pki_cert_read_info(cert_pem, info, why) != AG_OK)
		return AG_ERR_REFUSED;
	if (!holds_key(cert_pem, key)) {
		agenda_detail_set(why, MSG_SYNC_CERT_NOT_OURS);
		return AG_ERR_REFUSED;
	}
	if (expected_cn && strcmp(info->common_name, expected_cn) != 0) {
		agenda_detail_set(why, MSG_SYNC_CERT_NAME, info->common_name, expected_cn);
		return AG_ERR_REFUSED;
	}
	return AG_OK;
}
