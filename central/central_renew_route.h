/*
 * central_renew_route.h — POST /v1/device/renew: a new certificate for an enrolled device.
 *
 * Reached only through the device gate of central_serve.c (client certificate of this CA,
 * device known and not revoked). The body {"csr"} must be signed by the device's own key —
 * the one its first certificate was issued for — so a stolen certificate without its key
 * cannot be renewed into a key of the thief's choosing. The answer is the new certificate,
 * same CN, new serial and validity; the device table keeps the newest.
 */
#ifndef AGENDA_CENTRAL_RENEW_ROUTE_H
#define AGENDA_CENTRAL_RENEW_ROUTE_H

#include <stddef.h>

#include <microhttpd.h>

#include "central_server.h"

enum MHD_Result central_renew_answer(struct central_server *srv, struct MHD_Connection *conn,
                                     const char *device_id, const char *body, size_t length);

#endif
