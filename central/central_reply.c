/*
 * central_reply.c — the server's answers (central_reply.h).
 */
#include "central_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Queues body with its type and, when name is not NULL, one more header. */
static enum MHD_Result send_body(struct MHD_Connection *conn, enum central_route route,
                                 unsigned status, const char *type, char *body, const char *name,
                                 const char *value)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	central_metrics_count(route, status);
	if (!body)
		return MHD_NO; /* out of memory: libmicrohttpd closes the connection */
	r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (name)
		MHD_add_response_header(r, name, value);
	ok = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ok;
}

enum MHD_Result central_reply(struct MHD_Connection *conn, enum central_route route,
                              unsigned status, const char *type, char *body)
{
	return send_body(conn, route, status, type, body, NULL, NULL);
}

static char *dump(json_t *obj)
{
	char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;

	json_decref(obj);
	return text;
}

enum MHD_Result central_reply_json(struct MHD_Connection *conn, enum central_route route,
                                   unsigned status, json_t *obj)
{
	return central_reply(conn, route, status, CENTRAL_APPLICATION_JSON, dump(obj));
}

static json_t *error_object(const char *error, const char *it, const char *en)
{
	return json_pack("{s:s, s:s, s:s}", "error", error, "message", it, "message_en", en);
}

enum MHD_Result central_reply_error(struct MHD_Connection *conn, enum central_route route,
                                    unsigned status, const char *error, agenda_msg msg)
{
	return central_reply_json(
	        conn, route, status,
	        error_object(error, msg_get(msg, LANG_IT), msg_get(msg, LANG_EN)));
}

enum MHD_Result central_reply_detail(struct MHD_Connection *conn, enum central_route route,
                                     unsigned status, const char *error, const agenda_detail *why)
{
	return central_reply_json(conn, route, status, error_object(error, why->it, why->en));
}

enum MHD_Result central_reply_throttled(struct MHD_Connection *conn, enum central_route route,
                                        int64_t seconds)
{
	char value[24];
	agenda_detail why;
	int minutes = (int)((seconds + 59) / 60);

	snprintf(value, sizeof value, "%lld", (long long)seconds);
	agenda_detail_set(&why, MSG_CENTRAL_THROTTLED, minutes);
	return send_body(conn, route, 429, CENTRAL_APPLICATION_JSON,
	                 dump(error_object("throttled", why.it, why.en)),
	                 MHD_HTTP_HEADER_RETRY_AFTER, value);
}
