/*
 * pki_verify.c — chain, validity at the injected clock and key purpose (pki_verify.h).
 */
#include "pki/pki_verify.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "core/messages.h"
#include "pki/pki_issue.h"

/* mbedTLS's own verdict on time is the system clock's: it is replaced by the injected one. */
#define SYSTEM_TIME_FLAGS (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)

static void utc_text(int64_t epoch, char out[32])
{
	time_t t = (time_t)epoch;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
}

/* Refusal when now is outside crt's validity, else AG_OK. */
static agenda_err check_time(const mbedtls_x509_crt *crt, int64_t now, agenda_detail *detail)
{
	int64_t from = pki_time_epoch(&crt->valid_from), until = pki_time_epoch(&crt->valid_to);
	char when[32];

	if (now < from) {
		utc_text(from, when);
		agenda_detail_set(detail, MSG_PKI_NOT_YET_VALID, when);
		return AG_ERR_REFUSED;
	}
	if (now > until) {
		utc_text(until, when);
		agenda_detail_set(detail, MSG_PKI_EXPIRED, when);
		return AG_ERR_REFUSED;
	}
	return AG_OK;
}

static int parse(mbedtls_x509_crt *crt, const char *pem)
{
	return pem && mbedtls_x509_crt_parse(crt, (const unsigned char *)pem, strlen(pem) + 1) == 0;
}

agenda_err pki_verify(const char *cert_pem, const char *ca_pem, const agenda_clock *clock,
                      pki_purpose purpose, agenda_detail *detail)
{
	const char *oid =
	        purpose == PKI_PURPOSE_SERVER ? MBEDTLS_OID_SERVER_AUTH : MBEDTLS_OID_CLIENT_AUTH;
	size_t oid_len = purpose == PKI_PURPOSE_SERVER ? MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)
	                                               : MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH);
	mbedtls_x509_crt crt, ca;
	uint32_t flags = 0;
	int64_t now = clock_now(clock);
	agenda_err err = AG_OK;

	mbedtls_x509_crt_init(&crt);
	mbedtls_x509_crt_init(&ca);
	if (!parse(&crt, cert_pem) || !parse(&ca, ca_pem)) {
		agenda_detail_set(detail, MSG_PKI_BAD_CERT);
		err = AG_ERR_INVALID;
		goto done;
	}
	if (mbedtls_x509_crt_verify(&crt, &ca, NULL, NULL, &flags, NULL, NULL) != 0 &&
	    (flags & ~(uint32_t)SYSTEM_TIME_FLAGS) != 0) {
		agenda_detail_set(detail, (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
		                                  ? MSG_PKI_FOREIGN
		                                  : MSG_PKI_WRONG_PURPOSE);
		err = AG_ERR_REFUSED;
		goto done;
	}
	if ((err = check_time(&crt, now, detail)) != AG_OK ||
	    (err = check_time(&ca, now, detail)) != AG_OK)
		goto done;
	/* No EKU at all would pass mbedTLS's check: an end-entity certificate of ours always has
	 * one. */
	if (crt.ca_istrue || !(crt.ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE) ||
	    mbedtls_x509_crt_check_extended_key_usage(&crt, oid, oid_len) != 0) {
		agenda_detail_set(detail, MSG_PKI_WRONG_PURPOSE);
		err = AG_ERR_REFUSED;
	}
done:
	mbedtls_x509_crt_free(&crt);
	mbedtls_x509_crt_free(&ca);
	return err;
}
