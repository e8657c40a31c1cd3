/*
 * central_issuer.h — the server's signer of device certificates (enrolment and renewal).
 *
 * Holds the CA's key and certificate from central's folder, the RNG and the clock for the
 * life of `serve`. mbedTLS 2.28 is built without its threading layer and caches a table in
 * the key's curve group at the first signature, so the key and the CTR-DRBG are shared under
 * one mutex: one signature at a time (a few milliseconds; enrolment is rare). It also reads a
 * device's request: its signature is checked and its public key identified by the SHA-256 of
 * its DER (SubjectPublicKeyInfo), which is what the device table keeps to recognise the same
 * key sending the same code again.
 */
#ifndef AGENDA_CENTRAL_ISSUER_H
#define AGENDA_CENTRAL_ISSUER_H

#include <pthread.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#include "core/error.h"
#include "platform/clock.h"
#include "platform/rng.h"

#define CENTRAL_SHA256_HEX_SIZE 65 /* 64 lower-case hex digits + NUL */

struct central_issuer {
	pthread_mutex_t lock;
	mbedtls_pk_context ca_key;
	char *ca_pem;
	agenda_rng rng;
	struct rng_state *rng_state;
	agenda_clock clock;
	int64_t clock_storage;
};

/* Reads DIR/ca.key and DIR/ca.pem, opens the system RNG, the clock of AGENDA_NOW or the system. */
agenda_err central_issuer_open(struct central_issuer *is, const char *dir, agenda_detail *why);
void central_issuer_close(struct central_issuer *is);

int64_t central_issuer_now(const struct central_issuer *is);

/*
 * Checks a device's request (PEM): parsed, P-256, signed by its own key. key_sha256 gets the
 * hex SHA-256 of its public key. AG_ERR_INVALID otherwise.
 */
agenda_err central_csr_key_hash(const char *csr_pem, char key_sha256[CENTRAL_SHA256_HEX_SIZE],
                                agenda_detail *why);

/* The certificate for the key of csr_pem with CN device_id (malloc'd PEM) and its notAfter. */
agenda_err central_issuer_sign(struct central_issuer *is, const char *csr_pem,
                               const char *device_id, char **cert_pem, int64_t *not_after,
                               agenda_detail *why);

/* What central_issuer_sign_request needs: the signer and the device's request (PEM). */
struct central_sign_request {
	struct central_issuer *issuer;
	const char *csr;
};

/*
 * central_issuer_sign with ctx a struct central_sign_request: the shape of the store's
 * central_sign_fn (store_enrol.h), so the store can have the certificate signed inside its
 * transaction.
 */
agenda_err central_issuer_sign_request(void *ctx, const char *device_id, char **cert_pem,
                                       int64_t *not_after, agenda_detail *why);

/* Lower-case hex SHA-256 of len bytes. */
void central_sha256_hex(const void *data, size_t len, char out[CENTRAL_SHA256_HEX_SIZE]);

#endif
