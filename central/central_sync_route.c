/*
 * central_sync_route.c — POST /v1/device/sync and /v1/device/grant (central_sync_route.h).
 */
#include "central_sync_route.h"

#include <string.h>

#include "central_reply.h"
#include "central_sync_metrics.h"

/* A request the protocol's decoder refused: 400, the message names the field or the version. */
static enum MHD_Result refused_body(struct MHD_Connection *conn, enum central_route route,
                                    agenda_err err, const agenda_detail *why)
{
	if (err == AG_ERR_NOMEM)
		return central_reply_error(conn, route, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
		                           MSG_CENTRAL_UNAVAILABLE);
	return central_reply_detail(conn, route, MHD_HTTP_BAD_REQUEST,
	                            err == AG_ERR_REFUSED ? "unsupported_version" : "bad_request",
	                            why);
}

/* What central_sync_round / central_sync_grant failing means for the device. */
static enum MHD_Result store_refused(struct central_server *srv, struct MHD_Connection *conn,
                                     enum central_route route, agenda_err err,
                                     const agenda_detail *why)
{
	switch (err) {
	case AG_ERR_REFUSED: /* revoked (or forgotten) between the gate and the round */
		return central_reply_error(conn, route, MHD_HTTP_FORBIDDEN, "revoked",
		                           MSG_CENTRAL_REVOKED);
	case AG_ERR_INVALID: /* a request the store cannot take (checked by the decoder first) */
		return central_reply_detail(conn, route, MHD_HTTP_BAD_REQUEST, "bad_request", why);
	default:
		central_server_store_failed(srv, err, why);
		return central_reply_error(conn, route, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
		                           MSG_CENTRAL_UNAVAILABLE);
	}
}

/* An encoded response (malloc'd text, taken over) as 200, or 500 when it could not be made. */
static enum MHD_Result encoded(struct MHD_Connection *conn, enum central_route route, char *text)
{
	if (!text)
		return central_reply_error(conn, route, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
		                           MSG_NOMEM);
	return central_reply(conn, route, MHD_HTTP_OK, CENTRAL_APPLICATION_JSON, text);
}

enum MHD_Result central_sync_answer(struct central_server *srv, struct MHD_Connection *conn,
                                    const char *device_id, const char *body, size_t length)
{
	const enum central_route route = ROUTE_DEVICE_SYNC;
	struct central_round_report rep;
	struct sync_response res;
	struct sync_request req;
	agenda_detail why;
	central_store *s;
	enum MHD_Result result;
	agenda_err err = sync_request_decode(body, length, &req, &why);

	if (err != AG_OK)
		return refused_body(conn, route, err, &why);
	if (strcmp(req.device_id, device_id) != 0) {
		/* a device speaks for itself only: its certificate says who it is */
		agenda_detail_set(&why, MSG_CENTRAL_SYNC_OTHER_DEVICE, req.device_id);
		sync_request_free(&req);
		return central_reply_detail(conn, route, MHD_HTTP_FORBIDDEN, "device_mismatch",
		                            &why);
	}
	memset(&res, 0, sizeof res);
	memset(&rep, 0, sizeof rep);
	s = central_server_store(srv, &why);
	err = s ? central_sync_round(s, device_id, &req, &srv->sync,
	                             central_issuer_now(&srv->issuer), &res, &rep, &why)
	        : AG_ERR_IO;
	sync_request_free(&req);
	if (err != AG_OK)
		return store_refused(srv, conn, route, err, &why);
	central_sync_metrics_round(&rep, &res);
	result = encoded(conn, route, sync_response_encode(&res, &err));
	sync_response_free(&res);
	return result;
}

enum MHD_Result central_grant_answer(struct central_server *srv, struct MHD_Connection *conn,
                                     const char *device_id, const char *body, size_t length)
{
	const enum central_route route = ROUTE_DEVICE_GRANT;
	struct sync_grant_response res;
	struct sync_grant_request req;
	agenda_detail why;
	central_store *s;
	agenda_err err = sync_grant_request_decode(body, length, &req, &why);

	if (err != AG_OK)
		return refused_body(conn, route, err, &why);
	memset(&res, 0, sizeof res);
	s = central_server_store(srv, &why);
	err = s ? central_sync_grant(s, device_id, &req, &srv->sync,
	                             central_issuer_now(&srv->issuer), &res, &why)
	        : AG_ERR_IO;
	if (err != AG_OK)
		return store_refused(srv, conn, route, err, &why);
	central_sync_metrics_grant(res.granted);
	return encoded(conn, route, sync_grant_response_encode(&res, &err));
}
