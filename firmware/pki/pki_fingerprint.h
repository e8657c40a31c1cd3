/*
 * pki_fingerprint.h — a certificate's fingerprint, made to be read out over the phone.
 *
 * The SHA-256 of the certificate's DER (what `openssl x509 -fingerprint -sha256` prints), as
 * 64 upper-case hex digits in 16 groups of 4: "AB12 CD34 ...". The help desk reads the CA's
 * out; the technician types it (agendactl provision --ca-fingerprint) and the device compares
 * it with the CA central sends, ignoring spaces, colons, dashes and case, so OpenSSL's
 * "AB:12:CD:..." form matches too.
 */
#ifndef AGENDA_PKI_FINGERPRINT_H
#define AGENDA_PKI_FINGERPRINT_H

#include <stdbool.h>

#include "core/error.h"

#define PKI_FINGERPRINT_SIZE 80 /* 64 hex digits + 15 spaces + NUL */

/* The fingerprint of the (first) certificate in cert_pem. AG_ERR_INVALID when unreadable. */
agenda_err pki_fingerprint(const char *cert_pem, char out[PKI_FINGERPRINT_SIZE],
                           agenda_detail *detail);

/*
 * True when both texts hold the same 64 hex digits, whatever the spaces, colons, dashes and
 * case; false when either holds anything else or fewer or more digits.
 */
bool pki_fingerprint_equal(const char *a, const char *b);

#endif
