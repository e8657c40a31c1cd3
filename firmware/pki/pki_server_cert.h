/*
 * pki_server_cert.h — agenda-central's TLS server certificate, signed by the agenda's CA.
 *
 * Devices reach central by host name (mbedTLS 2.28 does not match IP-address SANs), so the
 * certificate lists every name it answers to as subjectAltName dNSName entries, with extended
 * key usage serverAuth; the subject's CN is the first name.
 */
#ifndef AGENDA_PKI_SERVER_CERT_H
#define AGENDA_PKI_SERVER_CERT_H

#include <stddef.h>

#include <mbedtls/pk.h>

#include "core/error.h"
#include "platform/clock.h"
#include "platform/rng.h"

#define PKI_SERVER_DAYS 825 /* the longest server lifetime browsers ever accepted */

/*
 * A certificate for server_key naming hosts[0..count), signed by the CA (ca_pem and its key),
 * as malloc'd PEM. AG_ERR_INVALID for a bad host name or a CA that does not match its key.
 */
agenda_err pki_server_cert_issue(const agenda_rng *rng, const agenda_clock *clock,
                                 const char *ca_pem, mbedtls_pk_context *ca_key,
                                 mbedtls_pk_context *server_key, const char *const *hosts,
                                 size_t count, int days, char **cert_pem, agenda_detail *detail);

#endif
