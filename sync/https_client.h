/*
 * https_client.h — one HTTPS request to agenda-central, on libcurl built over mbedTLS.
 *
 * The device talks to exactly one server, whose CA it pins: the CA's PEM is given in memory and
 * nothing else is trusted (libcurl is built without a system CA bundle). TLS 1.2 is required
 * (mbedTLS 2.28 speaks no 1.3) and the server is reached by host name (mbedTLS does not match
 * IP-address SANs). A client key and certificate (files) add the device's identity for the
 * /v1/device/ routes. Every request is bounded in time (connect and total).
 * The "insecure" mode skips the server check: it exists ONLY for fetching /v1/ca during
 * enrolment, before the CA's fingerprint has been compared with the one the help desk read out.
 * No ops table: there is one transport, and tests run it against a real server on loopback.
 */
#ifndef AGENDA_SYNC_HTTPS_CLIENT_H
#define AGENDA_SYNC_HTTPS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define HTTPS_BODY_MAX           (1024 * 1024) /* central's answers are a few KiB */
#define HTTPS_CONNECT_TIMEOUT_MS 10000
#define HTTPS_TOTAL_TIMEOUT_MS   30000

/* Why a request got no HTTP answer (HTTPS_ANSWERED: it did, whatever its status). */
typedef enum https_failure {
	HTTPS_ANSWERED = 0,
	HTTPS_CONNECT, /* name not resolved, connection refused or reset */
	HTTPS_TLS,     /* handshake failed: not the pinned CA, wrong name, no common suite */
	HTTPS_TIMEOUT, /* connect or total time-out */
	HTTPS_TOO_LARGE,
	HTTPS_OTHER
} https_failure;

struct https_request {
	const char *method;           /* "GET" or "POST" */
	const char *url;              /* https://host:port/path */
	const char *json_body;        /* POST body (Content-Type: application/json); NULL for GET */
	const char *ca_pem;           /* the only trusted CA; required unless insecure */
	bool insecure;                /* ONLY to fetch /v1/ca before checking its fingerprint */
	const char *client_cert_file; /* both or neither: the device's mTLS identity */
	const char *client_key_file;
	long connect_timeout_ms; /* 0: HTTPS_CONNECT_TIMEOUT_MS */
	long total_timeout_ms;   /* 0: HTTPS_TOTAL_TIMEOUT_MS */
};

struct https_response {
	https_failure failure;
	long status; /* HTTP status when failure is HTTPS_ANSWERED */
	char *body;  /* malloc'd, NUL-terminated; free with https_response_free */
	size_t length;
	long retry_after; /* seconds from a Retry-After header, else 0 */
};

/*
 * Sends the request. AG_OK whenever the server answered (any status: look at out->status);
 * otherwise out->failure says why and the detail names the server: AG_ERR_IO for cannot
 * connect, time-out or an oversized answer, AG_ERR_REFUSED for a TLS failure (the server is not
 * the one the CA vouches for), AG_ERR_USAGE for a request that makes no sense — among them an
 * insecure request that would send a body or the device's identity.
 */
agenda_err https_request(const struct https_request *req, struct https_response *out,
                         agenda_detail *why);

void https_response_free(struct https_response *r);

/* The TLS library libcurl runs on, as libcurl names it ("mbedTLS/2.28.3"). */
const char *https_tls_library(void);

#endif
