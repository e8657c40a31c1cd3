/*
 * pki_client_cert.c — signing a device's request into its certificate (pki_client_cert.h).
 */
#include "pki/pki_client_cert.h"

#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "core/messages.h"
#include "pki/pki_csr.h"
#include "pki/pki_issue.h"

agenda_err pki_client_cert_issue(const agenda_rng *rng, const agenda_clock *clock,
                                 const char *ca_pem, mbedtls_pk_context *ca_key,
                                 const char *csr_pem, const char *device_id, int days,
                                 char **cert_pem, agenda_detail *detail)
{
	mbedtls_x509_csr csr;
	mbedtls_x509_crt ca;
	char requested[PKI_NAME_SIZE], ca_cn[PKI_NAME_SIZE];
	agenda_err err;

	*cert_pem = NULL;
	if (!pki_name_is_valid(device_id)) {
		agenda_detail_set(detail, MSG_PKI_BAD_NAME, device_id ? device_id : "");
		return AG_ERR_INVALID;
	}
	err = pki_csr_read(csr_pem, &csr, requested, detail);
	if (err != AG_OK)
		return err;
	err = pki_issuer_load(ca_pem, ca_key, &ca, ca_cn, detail);
	if (err != AG_OK) {
		mbedtls_x509_csr_free(&csr);
		return err;
	}
	struct pki_issue_request req = {
	        .rng = rng,
	        .clock = clock,
	        .subject_cn = device_id,
	        .subject_key = &csr.pk,
	        .issuer_cn = ca_cn,
	        .issuer_key = ca_key,
	        .days = days,
	        .key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE,
	        .eku_oid = MBEDTLS_OID_CLIENT_AUTH,
	        .eku_oid_len = MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH),
	};

	err = pki_issue(&req, cert_pem, detail);
	mbedtls_x509_crt_free(&ca);
	mbedtls_x509_csr_free(&csr);
	return err;
}
