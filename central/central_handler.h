/*
 * central_handler.h — every request of `serve`, from its first callback to its answer.
 *
 * Routes (docs/CENTRAL.md, "API"):
 *   GET  /v1/health          no certificate needed: {"status":"ok","version":...}
 *   GET  /metrics            Prometheus text (central_metrics.h), no certificate needed
 *   GET  /v1/ca              the CA certificate (PEM), for a device that has no trust anchor yet
 *   POST /v1/enrol           a one-time code and a request -> the device's certificate
 *   GET  /v1/device/whoami   the device id (the client certificate's CN)
 *   POST /v1/device/renew    a new certificate for the device's key
 *   POST /v1/device/sync     one sync round (central_sync_route.h), body up to 8 MiB
 *   POST /v1/device/grant    the online earliest-slot grant (central_sync_route.h)
 * Every /v1/device/ path passes the device gate on the request's first callback, before
 * anything of its body is read: the client certificate (central_device_auth), then the device
 * in the store, not revoked (403 "revoked"). Request bodies are read through libmicrohttpd's
 * upload callbacks into at most CENTRAL_BODY_MAX bytes (a sync round: SYNC_MAX_BODY_BYTES;
 * more: 413), in a buffer grown as the body arrives.
 */
#ifndef AGENDA_CENTRAL_HANDLER_H
#define AGENDA_CENTRAL_HANDLER_H

#include <stddef.h>

#include <microhttpd.h>

#define CENTRAL_BODY_MAX 16384 /* a CSR is under 1 KiB: room to spare, not for abuse */

/* libmicrohttpd's access handler; cls is the struct central_server. */
enum MHD_Result central_handler_answer(void *cls, struct MHD_Connection *conn, const char *url,
                                       const char *method, const char *version,
                                       const char *upload_data, size_t *upload_data_size,
                                       void **con_cls);

/* libmicrohttpd's MHD_OPTION_NOTIFY_COMPLETED: frees what the request kept. */
void central_handler_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                               enum MHD_RequestTerminationCode toe);

#endif
