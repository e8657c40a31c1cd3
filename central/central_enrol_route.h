/*
 * central_enrol_route.h — POST /v1/enrol: a device's first certificate for a one-time code
 * (docs/CENTRAL.md, "API"; the contract of issue 11).
 *
 * No client certificate: the device has none yet. The address the request comes from is
 * throttled in the store (store_enrol.h): central_enrol_blocked answers 429 with Retry-After
 * before the body is read; central_enrol_answer reads {"code","csr"}, normalises and checks the
 * code (core/enrol_code.h), checks the request's signature, and lets central_store_enrol
 * consume the code and record the device with the certificate signed inside that transaction.
 * Malformed and unknown codes count towards the address's block; nothing about the code, the
 * key or the address is logged or counted in /metrics beyond the outcome's name.
 */
#ifndef AGENDA_CENTRAL_ENROL_ROUTE_H
#define AGENDA_CENTRAL_ENROL_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "central_server.h"

/* True (and the 429 or 503 queued in *result) when the address may not enrol now. */
bool central_enrol_blocked(struct central_server *srv, struct MHD_Connection *conn,
                           const char *address, enum MHD_Result *result);

/* The answer to the whole body. */
enum MHD_Result central_enrol_answer(struct central_server *srv, struct MHD_Connection *conn,
                                     const char *address, const char *body, size_t length);

#endif
