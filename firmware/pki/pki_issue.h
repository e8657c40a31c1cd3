/*
 * pki_issue.h — what every certificate the agenda issues has in common (internal to pki/).
 *
 * One function writes and signs a certificate from a request: a random positive 16-byte
 * serial, validity from the injected clock (notBefore an hour early so a device whose clock
 * lags a little still accepts a certificate issued a moment ago), subject and issuer
 * "CN=<name>,O=Agenda Elettronica", key identifiers, basicConstraints, keyUsage and, built by
 * pki_der.c, subjectAltName and extendedKeyUsage. pki_ca.c, pki_server_cert.c and
 * pki_client_cert.c only fill the request.
 */
#ifndef AGENDA_PKI_ISSUE_H
#define AGENDA_PKI_ISSUE_H

#include <stddef.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "core/error.h"
#include "platform/clock.h"
#include "platform/rng.h"

#define PKI_NAME_SIZE      65 /* a common name of at most 64 characters + NUL */
#define PKI_ORGANISATION   "Agenda Elettronica"
#define PKI_BACKDATE       3600
#define PKI_SERIAL_BYTES   16
#define PKI_MAX_VALID_DAYS 7300

struct pki_issue_request {
	const agenda_rng *rng;
	const agenda_clock *clock;
	const char *subject_cn;
	mbedtls_pk_context *subject_key; /* its public half goes in the certificate */
	const char *issuer_cn;           /* equal to subject_cn for the self-signed CA */
	mbedtls_pk_context *issuer_key;
	int days;
	int is_ca;
	unsigned int key_usage; /* MBEDTLS_X509_KU_* */
	const char *eku_oid;    /* MBEDTLS_OID_SERVER_AUTH / _CLIENT_AUTH, or NULL */
	size_t eku_oid_len;
	const char *const *hosts; /* dNSName list for subjectAltName, or NULL */
	size_t host_count;
};

/* The signed certificate as a malloc'd PEM string (caller frees) in *pem. */
agenda_err pki_issue(const struct pki_issue_request *req, char **pem, agenda_detail *detail);

/* True for 1..64 characters among letters, digits, space, '.', '-', '_'. */
int pki_name_is_valid(const char *cn);

/* The CN of a parsed certificate's subject into out; AG_ERR_INVALID when it has none. */
agenda_err pki_subject_cn(const mbedtls_x509_crt *crt, char out[PKI_NAME_SIZE]);

/*
 * Parses the CA certificate, checks it is a CA and that ca_key is its key, and copies its CN.
 * On success *ca is parsed (caller mbedtls_x509_crt_free()s it); on failure it is freed.
 */
agenda_err pki_issuer_load(const char *ca_pem, mbedtls_pk_context *ca_key, mbedtls_x509_crt *ca,
                           char ca_cn[PKI_NAME_SIZE], agenda_detail *detail);

/* Seconds since the epoch of an X.509 time (UTC). */
int64_t pki_time_epoch(const mbedtls_x509_time *t);

#endif
