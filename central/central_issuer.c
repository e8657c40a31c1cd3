/*
 * central_issuer.c — the CA's key under one mutex, and the reading of device requests
 * (central_issuer.h).
 */
#include "central_issuer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/x509_csr.h>

#include "central_files.h"
#include "core/messages.h"
#include "pki/pki_cert_info.h"
#include "pki/pki_client_cert.h"
#include "pki/pki_csr.h"
#include "pki/pki_key.h"

void central_sha256_hex(const void *data, size_t len, char out[CENTRAL_SHA256_HEX_SIZE])
{
	unsigned char digest[32];

	mbedtls_sha256_ret(data, len, digest, 0);
	for (size_t i = 0; i < sizeof digest; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

agenda_err central_issuer_open(struct central_issuer *is, const char *dir, agenda_detail *why)
{
	char path[CENTRAL_PATH_MAX];
	agenda_err err;

	memset(is, 0, sizeof *is);
	pthread_mutex_init(&is->lock, NULL);
	mbedtls_pk_init(&is->ca_key);
	if (clock_from_env(&is->clock, &is->clock_storage) != AG_OK) {
		agenda_detail_set(why, MSG_CENTRAL_BAD_ARG, CLOCK_ENV);
		return AG_ERR_INVALID;
	}
	central_path(path, dir, CENTRAL_CA_KEY);
	err = pki_key_read_file(path, &is->ca_key, why);
	if (err == AG_OK) {
		central_path(path, dir, CENTRAL_CA_CERT);
		err = central_read_text(path, &is->ca_pem, why);
	}
	if (err == AG_OK && rng_open_system(&is->rng, &is->rng_state) != AG_OK) {
		agenda_detail_set(why, MSG_RNG_FAILED);
		err = AG_ERR_IO;
	}
	return err;
}

void central_issuer_close(struct central_issuer *is)
{
	rng_close(is->rng_state);
	mbedtls_pk_free(&is->ca_key);
	free(is->ca_pem);
	pthread_mutex_destroy(&is->lock);
}

int64_t central_issuer_now(const struct central_issuer *is)
{
	return clock_now(&is->clock);
}

agenda_err central_csr_key_hash(const char *csr_pem, char key_sha256[CENTRAL_SHA256_HEX_SIZE],
                                agenda_detail *why)
{
	unsigned char der[256];
	char requested[PKI_NAME_SIZE];
	mbedtls_x509_csr csr;
	agenda_err err = pki_csr_read(csr_pem, &csr, requested, why);
	int len;

	if (err != AG_OK)
		return err;
	/* mbedtls writes the DER at the end of the buffer and returns its length */
	len = mbedtls_pk_write_pubkey_der(&csr.pk, der, sizeof der);
	mbedtls_x509_csr_free(&csr);
	if (len <= 0) {
		agenda_detail_set(why, MSG_PKI_BAD_CSR);
		return AG_ERR_INVALID;
	}
	central_sha256_hex(der + sizeof der - (size_t)len, (size_t)len, key_sha256);
	return AG_OK;
}

agenda_err central_issuer_sign(struct central_issuer *is, const char *csr_pem,
                               const char *device_id, char **cert_pem, int64_t *not_after,
                               agenda_detail *why)
{
	pki_cert_info info;
	agenda_err err;

	pthread_mutex_lock(&is->lock);
	err = pki_client_cert_issue(&is->rng, &is->clock, is->ca_pem, &is->ca_key, csr_pem,
	                            device_id, PKI_DEVICE_DAYS, cert_pem, why);
	pthread_mutex_unlock(&is->lock);
	if (err == AG_OK)
		err = pki_cert_read_info(*cert_pem, &info, why);
	if (err == AG_OK) {
		*not_after = info.not_after;
	} else if (*cert_pem) {
		free(*cert_pem);
		*cert_pem = NULL;
	}
	return err;
}

agenda_err central_issuer_sign_request(void *ctx, const char *device_id, char **cert_pem,
                                       int64_t *not_after, agenda_detail *why)
{
	const struct central_sign_request *r = ctx;

	return central_issuer_sign(r->issuer, r->csr, device_id, cert_pem, not_after, why);
}
