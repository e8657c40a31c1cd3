/*
 * central_reply.h — how agenda-central's server answers: JSON bodies, the contract's error
 * shape {"error","message","message_en"} (Italian first, from the catalogue), and the count of
 * every answer by route for /metrics. Each function queues the answer on the connection.
 */
#ifndef AGENDA_CENTRAL_REPLY_H
#define AGENDA_CENTRAL_REPLY_H

#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "central_metrics.h"
#include "core/error.h"
#include "core/messages.h"

#define CENTRAL_TEXT_PLAIN       "text/plain; version=0.0.4; charset=utf-8"
#define CENTRAL_APPLICATION_JSON "application/json; charset=utf-8"
#define CENTRAL_PEM              "application/x-pem-file"

/* body is malloc'd and taken over (NULL: out of memory, the connection is closed). */
enum MHD_Result central_reply(struct MHD_Connection *conn, enum central_route route,
                              unsigned status, const char *type, char *body);

/* obj is taken over. */
enum MHD_Result central_reply_json(struct MHD_Connection *conn, enum central_route route,
                                   unsigned status, json_t *obj);

/* The error object from a catalogue entry without arguments. */
enum MHD_Result central_reply_error(struct MHD_Connection *conn, enum central_route route,
                                    unsigned status, const char *error, agenda_msg msg);

/* The error object from a filled detail. */
enum MHD_Result central_reply_detail(struct MHD_Connection *conn, enum central_route route,
                                     unsigned status, const char *error, const agenda_detail *why);

/* 429 "throttled" with Retry-After: seconds. */
enum MHD_Result central_reply_throttled(struct MHD_Connection *conn, enum central_route route,
                                        int64_t seconds);

#endif
