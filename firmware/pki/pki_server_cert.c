/*
 * pki_server_cert.c — the server certificate with its host names (pki_server_cert.h).
 */
#include "pki/pki_server_cert.h"

#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "core/messages.h"
#include "pki/pki_der.h"
#include "pki/pki_issue.h"

agenda_err pki_server_cert_issue(const agenda_rng *rng, const agenda_clock *clock,
                                 const char *ca_pem, mbedtls_pk_context *ca_key,
                                 mbedtls_pk_context *server_key, const char *const *hosts,
                                 size_t count, int days, char **cert_pem, agenda_detail *detail)
{
	mbedtls_x509_crt ca;
	char ca_cn[PKI_NAME_SIZE];
	agenda_err err;

	*cert_pem = NULL;
	if (count == 0) {
		agenda_detail_set(detail, MSG_PKI_BAD_HOST, "");
		return AG_ERR_INVALID;
	}
	for (size_t i = 0; i < count; i++) {
		/* The first name is also the CN, which holds at most 64 characters. */
		if (!pki_der_host_is_valid(hosts[i]) || (i == 0 && !pki_name_is_valid(hosts[0]))) {
			agenda_detail_set(detail, MSG_PKI_BAD_HOST, hosts[i] ? hosts[i] : "");
			return AG_ERR_INVALID;
		}
	}
	err = pki_issuer_load(ca_pem, ca_key, &ca, ca_cn, detail);
	if (err != AG_OK)
		return err;
	struct pki_issue_request req = {
	        .rng = rng,
	        .clock = clock,
	        .subject_cn = hosts[0],
	        .subject_key = server_key,
	        .issuer_cn = ca_cn,
	        .issuer_key = ca_key,
	        .days = days,
	        .key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE,
	        .eku_oid = MBEDTLS_OID_SERVER_AUTH,
	        .eku_oid_len = MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH),
	        .hosts = hosts,
	        .host_count = count,
	};

	err = pki_issue(&req, cert_pem, detail);
	mbedtls_x509_crt_free(&ca);
	return err;
}
