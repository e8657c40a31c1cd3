/*
 * pki_issue.c — writing and signing a certificate from a pki_issue_request (pki_issue.h).
 */
#include "pki/pki_issue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "core/messages.h"
#include "pki/pki_der.h"

int pki_name_is_valid(const char *cn)
{
	size_t n = cn ? strlen(cn) : 0;

	if (n == 0 || n >= PKI_NAME_SIZE)
		return 0;
	/* No ',', '=', '+' or '\\': the name goes into an mbedTLS "CN=...,O=..." string. */
	for (size_t i = 0; i < n; i++) {
		char c = cn[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == ' ' || c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static void distinguished_name(const char *cn, char *out, size_t size)
{
	snprintf(out, size, "CN=%s,O=" PKI_ORGANISATION, cn);
}

/* "YYYYMMDDhhmmss" in UTC, the form mbedtls_x509write_crt_set_validity takes. */
static void x509_time_text(int64_t epoch, char out[15])
{
	time_t t = (time_t)epoch;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 15, "%Y%m%d%H%M%S", &tm);
}

int64_t pki_time_epoch(const mbedtls_x509_time *t)
{
	struct tm tm = {.tm_year = t->year - 1900,
	                .tm_mon = t->mon - 1,
	                .tm_mday = t->day,
	                .tm_hour = t->hour,
	                .tm_min = t->min,
	                .tm_sec = t->sec};

	return (int64_t)timegm(&tm);
}

static int random_serial(const agenda_rng *rng, mbedtls_mpi *serial)
{
	unsigned char bytes[PKI_SERIAL_BYTES];

	if (rng_fill(rng, bytes, sizeof bytes) != 0)
		return -1;
	/* Positive (top bit clear) and a full 16 bytes (next bit set): 126 random bits. */
	bytes[0] = (unsigned char)((bytes[0] & 0x7f) | 0x40);
	return mbedtls_mpi_read_binary(serial, bytes, sizeof bytes);
}

static int add_extensions(mbedtls_x509write_cert *crt, const struct pki_issue_request *req)
{
	unsigned char buf[2048], *start;
	int len, rc;

	if ((rc = mbedtls_x509write_crt_set_basic_constraints(crt, req->is_ca,
	                                                      req->is_ca ? 0 : -1)))
		return rc;
	if ((rc = mbedtls_x509write_crt_set_key_usage(crt, req->key_usage)))
		return rc;
	if ((rc = mbedtls_x509write_crt_set_subject_key_identifier(crt)))
		return rc;
	if ((rc = mbedtls_x509write_crt_set_authority_key_identifier(crt)))
		return rc;
	if (req->eku_oid) {
		len = pki_der_extended_key_usage(buf, sizeof buf, req->eku_oid, req->eku_oid_len,
		                                 &start);
		if (len < 0)
			return MBEDTLS_ERR_X509_BAD_INPUT_DATA;
		rc = mbedtls_x509write_crt_set_extension(
		        crt, MBEDTLS_OID_EXTENDED_KEY_USAGE,
		        MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, start, (size_t)len);
		if (rc)
			return rc;
	}
	if (req->host_count > 0) {
		len = pki_der_subject_alt_names(buf, sizeof buf, req->hosts, req->host_count,
		                                &start);
		if (len < 0)
			return MBEDTLS_ERR_X509_BAD_INPUT_DATA;
		rc = mbedtls_x509write_crt_set_extension(
		        crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
		        MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, start, (size_t)len);
		if (rc)
			return rc;
	}
	return 0;
}

agenda_err pki_issue(const struct pki_issue_request *req, char **pem, agenda_detail *detail)
{
	mbedtls_x509write_cert crt;
	mbedtls_mpi serial;
	char subject[PKI_NAME_SIZE + 32], issuer[PKI_NAME_SIZE + 32], from[15], until[15];
	unsigned char *out = NULL;
	const size_t out_size = 4096;
	int64_t now = clock_now(req->clock);
	agenda_err err = AG_OK;
	int rc;

	*pem = NULL;
	/* The issuer's CN comes from a CA certificate on disk: it goes into the same string form.
	 */
	if (!pki_name_is_valid(req->subject_cn) || !pki_name_is_valid(req->issuer_cn)) {
		const char *bad =
		        pki_name_is_valid(req->subject_cn) ? req->issuer_cn : req->subject_cn;

		agenda_detail_set(detail, MSG_PKI_BAD_NAME, bad ? bad : "");
		return AG_ERR_INVALID;
	}
	if (req->days <= 0 || req->days > PKI_MAX_VALID_DAYS)
		return AG_ERR_USAGE;
	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);
	distinguished_name(req->subject_cn, subject, sizeof subject);
	distinguished_name(req->issuer_cn, issuer, sizeof issuer);
	x509_time_text(now - PKI_BACKDATE, from);
	x509_time_text(now + (int64_t)req->days * 86400, until);
	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, req->subject_key);
	mbedtls_x509write_crt_set_issuer_key(&crt, req->issuer_key);
	if (random_serial(req->rng, &serial) != 0) {
		err = AG_ERR_IO;
		agenda_detail_set(detail, MSG_RNG_FAILED);
		goto done;
	}
	out = calloc(1, out_size);
	if (!out) {
		err = AG_ERR_NOMEM;
		goto done;
	}
	if ((rc = mbedtls_x509write_crt_set_serial(&crt, &serial)) ||
	    (rc = mbedtls_x509write_crt_set_subject_name(&crt, subject)) ||
	    (rc = mbedtls_x509write_crt_set_issuer_name(&crt, issuer)) ||
	    (rc = mbedtls_x509write_crt_set_validity(&crt, from, until)) ||
	    (rc = add_extensions(&crt, req)) ||
	    (rc = mbedtls_x509write_crt_pem(&crt, out, out_size, req->rng->fill, req->rng->ctx))) {
		err = AG_ERR_INVALID;
		agenda_detail_set(detail, MSG_PKI_FAILED, (unsigned)-rc);
		goto done;
	}
	*pem = (char *)out;
	out = NULL;
done:
	free(out);
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&crt);
	return err;
}

agenda_err pki_subject_cn(const mbedtls_x509_crt *crt, char out[PKI_NAME_SIZE])
{
	for (const mbedtls_x509_name *n = &crt->subject; n; n = n->next) {
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0 &&
		    n->val.len < PKI_NAME_SIZE) {
			memcpy(out, n->val.p, n->val.len);
			out[n->val.len] = '\0';
			return AG_OK;
		}
	}
	return AG_ERR_INVALID;
}

agenda_err pki_issuer_load(const char *ca_pem, mbedtls_pk_context *ca_key, mbedtls_x509_crt *ca,
                           char ca_cn[PKI_NAME_SIZE], agenda_detail *detail)
{
	agenda_err err = AG_OK;

	mbedtls_x509_crt_init(ca);
	if (!ca_pem ||
	    mbedtls_x509_crt_parse(ca, (const unsigned char *)ca_pem, strlen(ca_pem) + 1) ||
	    pki_subject_cn(ca, ca_cn) != AG_OK) {
		err = AG_ERR_INVALID;
		agenda_detail_set(detail, MSG_PKI_BAD_CERT);
	} else if (!ca->ca_istrue) {
		err = AG_ERR_INVALID;
		agenda_detail_set(detail, MSG_PKI_NOT_A_CA);
	} else if (mbedtls_pk_check_pair(&ca->pk, ca_key) != 0) {
		err = AG_ERR_INVALID;
		agenda_detail_set(detail, MSG_PKI_CA_KEY_MISMATCH);
	}
	if (err != AG_OK)
		mbedtls_x509_crt_free(ca);
	return err;
}
