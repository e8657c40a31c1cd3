/*
 * pki_cert_info.c — CN and validity read back from a certificate (pki_cert_info.h).
 */
#include "pki/pki_cert_info.h"

#include <string.h>

#include <mbedtls/x509_crt.h>

#include "core/messages.h"

agenda_err pki_cert_read_info(const char *cert_pem, pki_cert_info *info, agenda_detail *detail)
{
	mbedtls_x509_crt crt;
	agenda_err err = AG_OK;

	memset(info, 0, sizeof *info);
	mbedtls_x509_crt_init(&crt);
	if (!cert_pem ||
	    mbedtls_x509_crt_parse(&crt, (const unsigned char *)cert_pem, strlen(cert_pem) + 1) ||
	    pki_subject_cn(&crt, info->common_name) != AG_OK) {
		agenda_detail_set(detail, MSG_PKI_BAD_CERT);
		err = AG_ERR_INVALID;
	} else {
		info->not_before = pki_time_epoch(&crt.valid_from);
		info->not_after = pki_time_epoch(&crt.valid_to);
		info->is_ca = crt.ca_istrue;
	}
	mbedtls_x509_crt_free(&crt);
	return err;
}
