/*
 * central_sync_route.h — POST /v1/device/sync (one sync round) and POST /v1/device/grant (the
 * online earliest-slot grant), docs/SYNC.md and docs/CENTRAL.md "API".
 *
 * Reached only through the device gate of central_handler.c (client certificate of this CA,
 * device known and not revoked), with the whole body read (at most SYNC_MAX_BODY_BYTES for a
 * round, CENTRAL_BODY_MAX for a grant; more is 413 before these are called). The body is
 * decoded by the protocol's strict decoder (400 naming the field; another version is 400
 * "unsupported_version"); a round whose device_id is not the certificate's device is 403
 * "device_mismatch". Then central_sync_round / central_sync_grant (central_sync.h: one
 * transaction each) at the server's clock (AGENDA_NOW when set) with serve's lease settings,
 * and 200 with the encoded response. A store that does not answer is 503 "unavailable".
 */
#ifndef AGENDA_CENTRAL_SYNC_ROUTE_H
#define AGENDA_CENTRAL_SYNC_ROUTE_H

#include <stddef.h>

#include <microhttpd.h>

#include "central_server.h"

enum MHD_Result central_sync_answer(struct central_server *srv, struct MHD_Connection *conn,
                                    const char *device_id, const char *body, size_t length);

enum MHD_Result central_grant_answer(struct central_server *srv, struct MHD_Connection *conn,
                                     const char *device_id, const char *body, size_t length);

#endif
