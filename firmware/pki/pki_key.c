/*
 * pki_key.c — generating, saving and loading P-256 private keys (pki_key.h).
 */
#include "pki/pki_key.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <mbedtls/ecp.h>
#include <mbedtls/platform_util.h>

#include "core/messages.h"
#include "platform/private_file.h"

agenda_err pki_key_generate(const agenda_rng *rng, mbedtls_pk_context *key)
{
	if (mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0)
		return AG_ERR_IO;
	/* agenda_rng's fill has mbedTLS's f_rng signature: the RNG seam reaches mbedTLS as is. */
	if (mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key), rng->fill,
	                        rng->ctx) != 0)
		return AG_ERR_IO;
	return AG_OK;
}

agenda_err pki_key_write_file(mbedtls_pk_context *key, const char *path, agenda_detail *detail)
{
	unsigned char pem[1024];
	agenda_err err = AG_OK;

	if (mbedtls_pk_write_key_pem(key, pem, sizeof pem) != 0) {
		err = AG_ERR_INVALID;
		agenda_detail_set(detail, MSG_PKI_KEY_UNWRITABLE, path, "mbedTLS");
		goto done;
	}
	if (private_file_create_once(path, pem, strlen((const char *)pem)) != 0) {
		err = errno == EEXIST ? AG_ERR_EXISTS : AG_ERR_IO;
		agenda_detail_set(detail,
		                  errno == EEXIST ? MSG_PKI_KEY_EXISTS : MSG_PKI_KEY_UNWRITABLE,
		                  path, strerror(errno));
	}
done:
	mbedtls_platform_zeroize(pem, sizeof pem);
	return err;
}

agenda_err pki_key_read_file(const char *path, mbedtls_pk_context *key, agenda_detail *detail)
{
	struct stat st;
	mode_t mode;

	if (stat(path, &st) != 0) {
		agenda_detail_set(detail, MSG_PKI_KEY_MISSING, path);
		return AG_ERR_NOT_FOUND;
	}
	if (private_file_exposed(path, &mode)) {
		agenda_detail_set(detail, MSG_PKI_KEY_EXPOSED, path, (unsigned)mode, path);
		return AG_ERR_REFUSED;
	}
	if (mbedtls_pk_parse_keyfile(key, path, NULL) != 0 ||
	    mbedtls_pk_get_type(key) != MBEDTLS_PK_ECKEY ||
	    mbedtls_pk_ec(*key)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
		mbedtls_pk_free(key);
		mbedtls_pk_init(key);
		agenda_detail_set(detail, MSG_PKI_KEY_DAMAGED, path);
		return AG_ERR_CORRUPT;
	}
	return AG_OK;
}
