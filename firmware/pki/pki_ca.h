/*
 * pki_ca.h — the agenda's own certification authority.
 *
 * agenda-central init makes one: a self-signed certificate over an ECDSA P-256 key
 * (pki_key.h) with basicConstraints CA:true (path length 0: it signs servers and devices,
 * never another CA) and keyUsage keyCertSign | cRLSign. Its fingerprint (pki_fingerprint.h)
 * is what the help desk reads out so the technician can check the device talks to this CA.
 */
#ifndef AGENDA_PKI_CA_H
#define AGENDA_PKI_CA_H

#include <mbedtls/pk.h>

#include "core/error.h"
#include "platform/clock.h"
#include "platform/rng.h"

#define PKI_CA_DAYS 3650 /* ten years: replacing it means re-enrolling every device */

/* The CA certificate for ca_key, named cn, valid from now for days, as malloc'd PEM. */
agenda_err pki_ca_create(const agenda_rng *rng, const agenda_clock *clock,
                         mbedtls_pk_context *ca_key, const char *cn, int days, char **cert_pem,
                         agenda_detail *detail);

#endif
