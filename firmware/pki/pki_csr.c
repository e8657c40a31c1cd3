/*
 * pki_csr.c — making and checking certificate requests (pki_csr.h).
 */
#include "pki/pki_csr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509_csr.h>

#include "core/messages.h"

agenda_err pki_csr_create(const agenda_rng *rng, mbedtls_pk_context *key, const char *cn,
                          char **csr_pem, agenda_detail *detail)
{
	mbedtls_x509write_csr req;
	char subject[PKI_NAME_SIZE + 32];
	const size_t size = 2048;
	unsigned char *out;
	agenda_err err = AG_OK;
	int rc;

	*csr_pem = NULL;
	if (!pki_name_is_valid(cn)) {
		agenda_detail_set(detail, MSG_PKI_BAD_NAME, cn ? cn : "");
		return AG_ERR_INVALID;
	}
	out = calloc(1, size);
	if (!out)
		return AG_ERR_NOMEM;
	mbedtls_x509write_csr_init(&req);
	mbedtls_x509write_csr_set_md_alg(&req, MBEDTLS_MD_SHA256);
	mbedtls_x509write_csr_set_key(&req, key);
	snprintf(subject, sizeof subject, "CN=%s,O=" PKI_ORGANISATION, cn);
	if ((rc = mbedtls_x509write_csr_set_subject_name(&req, subject)) ||
	    (rc = mbedtls_x509write_csr_pem(&req, out, size, rng->fill, rng->ctx))) {
		agenda_detail_set(detail, MSG_PKI_FAILED, (unsigned)-rc);
		err = AG_ERR_INVALID;
		free(out);
	} else {
		*csr_pem = (char *)out;
	}
	mbedtls_x509write_csr_free(&req);
	return err;
}

static int signature_is_valid(mbedtls_x509_csr *csr)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(csr->sig_md);
	unsigned char hash[MBEDTLS_MD_MAX_SIZE];

	if (!md || mbedtls_md(md, csr->cri.p, csr->cri.len, hash) != 0)
		return 0;
	return mbedtls_pk_verify_ext(csr->sig_pk, csr->sig_opts, &csr->pk, csr->sig_md, hash,
	                             mbedtls_md_get_size(md), csr->sig.p, csr->sig.len) == 0;
}

agenda_err pki_csr_read(const char *csr_pem, mbedtls_x509_csr *csr,
                        char requested_cn[PKI_NAME_SIZE], agenda_detail *detail)
{
	mbedtls_x509_csr_init(csr);
	requested_cn[0] = '\0';
	if (!csr_pem ||
	    mbedtls_x509_csr_parse(csr, (const unsigned char *)csr_pem, strlen(csr_pem) + 1) != 0 ||
	    mbedtls_pk_get_type(&csr->pk) != MBEDTLS_PK_ECKEY ||
	    mbedtls_pk_ec(csr->pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1 ||
	    !signature_is_valid(csr)) {
		mbedtls_x509_csr_free(csr);
		agenda_detail_set(detail, MSG_PKI_BAD_CSR);
		return AG_ERR_INVALID;
	}
	for (const mbedtls_x509_name *n = &csr->subject; n; n = n->next)
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0 &&
		    n->val.len < PKI_NAME_SIZE) {
			memcpy(requested_cn, n->val.p, n->val.len);
			requested_cn[n->val.len] = '\0';
			break;
		}
	return AG_OK;
}
