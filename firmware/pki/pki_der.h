/*
 * pki_der.h — the DER of the two extensions mbedTLS 2.28 cannot set itself.
 *
 * mbedtls_x509write_crt has no setter for subjectAltName or extendedKeyUsage (3.x added them),
 * so the issuing code builds their values here and adds them with
 * mbedtls_x509write_crt_set_extension. Both write backwards into the end of a caller's buffer,
 * as mbedTLS's asn1write does, and report where the value starts.
 */
#ifndef AGENDA_PKI_DER_H
#define AGENDA_PKI_DER_H

#include <stddef.h>

/* Longest host name accepted (RFC 1035). */
#define PKI_HOST_MAX 253

/*
 * SubjectAltName ::= SEQUENCE OF GeneralName, each a dNSName. Host names must be non-empty
 * letters, digits, '-', '.' (and a leading "*." wildcard is not accepted). Returns the length
 * written at *start (inside buf[0..size)), or -1 when a name is invalid or the buffer too small.
 */
int pki_der_subject_alt_names(unsigned char *buf, size_t size, const char *const *hosts,
                              size_t count, unsigned char **start);

/* ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId, with the single purpose oid (oid_len bytes). */
int pki_der_extended_key_usage(unsigned char *buf, size_t size, const char *oid, size_t oid_len,
                               unsigned char **start);

/* True when host is a DNS name pki_der_subject_alt_names accepts. */
int pki_der_host_is_valid(const char *host);

#endif
