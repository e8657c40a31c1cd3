/*
 * https_transport.h — what every HTTPS exchange with central shares, whoever owns the handle.
 *
 * https_client.c makes a fresh libcurl handle per request (enrolment, renewal: a handful a day);
 * sync_session.c keeps one handle between requests so rounds reuse the connection and the TLS
 * session. Both configure the handle, read the answer and classify failures here, so the pinned
 * CA, TLS 1.2+, the bounds and the technician's words are the same on every path.
 * Internal to sync/: programs use https_client.h or sync_session.h.
 */
#ifndef AGENDA_SYNC_HTTPS_TRANSPORT_H
#define AGENDA_SYNC_HTTPS_TRANSPORT_H

#include <stddef.h>

#include <curl/curl.h>

#include "sync/https_client.h"

/* A request that makes no sense (no URL, no pinned CA, insecure with a secret...): AG_ERR_USAGE. */
agenda_err https_request_check(const struct https_request *req, struct https_response *out,
                               agenda_detail *why);

/*
 * Sets req's options on curl (a new or reset handle), performs it and reads the answer into
 * out, up to body_max bytes. Same contract as https_request (https_client.h).
 */
agenda_err https_perform(CURL *curl, const struct https_request *req, size_t body_max,
                         struct https_response *out, agenda_detail *why);

#endif
