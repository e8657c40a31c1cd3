/*
 * sync_session.h — the device's kept connection to its central, for rounds and grants.
 *
 * A round may be several requests (more changes, more entries), the kiosk's worker makes one
 * every minute and an online booking asks for a grant in between: one libcurl handle is kept
 * for all of them, so the TCP connection and the TLS session are reused while central keeps
 * them open. The transport is https_client's (https_transport.h): central's CA pinned from
 * ca.pem, the device's identity from device.key + device.pem in the data folder, TLS 1.2+,
 * every request bounded in time; answers up to SYNC_MAX_BODY_BYTES. One session per thread.
 */
#ifndef AGENDA_SYNC_SYNC_SESSION_H
#define AGENDA_SYNC_SYNC_SESSION_H

#include <stdbool.h>

#include "services/context.h"
#include "sync/https_client.h"

typedef struct sync_session sync_session;

/*
 * Opens a session for the central the device is enrolled with (setting central_url), with the
 * identity files in data_dir (device_files.h). AG_ERR_REFUSED with MSG_SYNC_NOT_PROVISIONED
 * when the device is not enrolled; the files' own errors when one is missing or exposed.
 * Nothing is sent until the first request.
 */
agenda_err sync_session_open(agenda_ctx *ctx, const char *data_dir, sync_session **out,
                             agenda_detail *why);

/*
 * POSTs json to central's path ("/v1/device/sync") within total_ms (0: HTTPS_TOTAL_TIMEOUT_MS;
 * connecting gets at most the same). Same contract as https_request: AG_OK whenever central
 * answered, whatever the status; out->failure says why not otherwise.
 */
agenda_err sync_session_post(sync_session *s, const char *path, const char *json, long total_ms,
                             struct https_response *out, agenda_detail *why);

/* New connections the session has opened so far (1 after many requests = reused). */
long sync_session_connections(const sync_session *s);

void sync_session_close(sync_session *s);

#endif
