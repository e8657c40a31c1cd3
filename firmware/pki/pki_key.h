/*
 * pki_key.h — the ECDSA P-256 keys of the CA, the server and the device.
 *
 * A key is made from the caller's agenda_rng (seeded in tests, so runs repeat), written once
 * as PEM to a private file (0600, platform/private_file.h: never overwritten, so a second
 * "init" cannot silently replace the CA's key) and read back only if nobody else can read it.
 * Keys are plain mbedtls_pk_context values: the caller mbedtls_pk_init()s and _free()s them.
 */
#ifndef AGENDA_PKI_KEY_H
#define AGENDA_PKI_KEY_H

#include <mbedtls/pk.h>

#include "core/error.h"
#include "platform/rng.h"

/* A new P-256 key into an initialised, empty key. AG_ERR_IO when the RNG or mbedTLS fails. */
agenda_err pki_key_generate(const agenda_rng *rng, mbedtls_pk_context *key);

/*
 * Writes the private key as PEM to a new file, mode 0600, atomically. AG_ERR_EXISTS when the
 * file already exists (it is left as it was), AG_ERR_IO otherwise.
 */
agenda_err pki_key_write_file(mbedtls_pk_context *key, const char *path, agenda_detail *detail);

/*
 * Reads a P-256 private key written by pki_key_write_file into an initialised, empty key.
 * AG_ERR_NOT_FOUND (no file), AG_ERR_REFUSED (others may read it), AG_ERR_CORRUPT (not a P-256
 * private key in PEM).
 */
agenda_err pki_key_read_file(const char *path, mbedtls_pk_context *key, agenda_detail *detail);

#endif
