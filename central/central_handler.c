/*
 * central_handler.c — every request of `serve` (central_handler.h).
 */
#include "central_handler.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "central_device_auth.h"
#include "central_enrol_route.h"
#include "central_metrics.h"
#include "central_renew_route.h"
#include "central_reply.h"
#include "central_server.h"
#include "store_enrol.h"

#define DEVICE_PREFIX "/v1/device/"
#define BODY_MAX      CENTRAL_BODY_MAX

/* A request with a body, between libmicrohttpd's callbacks. */
struct request {
	double started; /* central_metrics_clock() at the first callback */
	enum central_route route;
	char device_id[CENTRAL_DEVICE_ID_SIZE];
	char address[INET6_ADDRSTRLEN];
	size_t length;
	bool too_large;
	char body[BODY_MAX + 1];
};

/* The client's IP address as text ("" when unknown): the key of enrolment throttling. */
static void peer_address(struct MHD_Connection *conn, char out[INET6_ADDRSTRLEN])
{
	const union MHD_ConnectionInfo *info =
	        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;

	out[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
		          INET6_ADDRSTRLEN);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		          out, INET6_ADDRSTRLEN);
}

static enum MHD_Result unavailable(struct central_server *srv, struct MHD_Connection *conn,
                                   enum central_route route, agenda_err err,
                                   const agenda_detail *why)
{
	central_server_store_failed(srv, err, why);
	return central_reply_error(conn, route, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
	                           MSG_CENTRAL_UNAVAILABLE);
}

/*
 * The gate of every /v1/device/ request: a client certificate of this CA for clientAuth, and
 * its CN a device of the store that is not revoked. True when it passes; otherwise the 403 (or
 * the 503 of a store that does not answer) is queued in *result.
 */
static bool device_gate(struct central_server *srv, struct MHD_Connection *conn,
                        enum central_route route, char device_id[CENTRAL_DEVICE_ID_SIZE],
                        enum MHD_Result *result)
{
	const union MHD_ConnectionInfo *info =
	        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	enum central_refusal why_refused;
	central_device device;
	agenda_detail why;
	central_store *s;
	agenda_err err;

	if (!central_device_auth(info ? info->tls_session : NULL, device_id, &why_refused)) {
		central_metrics_refused(why_refused);
		*result = central_reply_error(conn, route, MHD_HTTP_FORBIDDEN, "forbidden",
		                              MSG_CENTRAL_FORBIDDEN);
		return false;
	}
	s = central_server_store(srv, &why);
	err = s ? central_store_get_device(s, device_id, false, &device, &why) : AG_ERR_IO;
	if (err == AG_OK && device.revoked_at == 0)
		return true;
	if (err != AG_OK && err != AG_ERR_NOT_FOUND) {
		*result = unavailable(srv, conn, route, err, &why);
		return false;
	}
	central_metrics_refused(REFUSED_REVOKED);
	*result = central_reply_error(conn, route, MHD_HTTP_FORBIDDEN, "revoked",
	                              MSG_CENTRAL_REVOKED);
	return false;
}

static enum MHD_Result metrics(struct central_server *srv, struct MHD_Connection *conn)
{
	struct central_device_counts counts = {0};
	agenda_detail why;
	central_store *s = central_server_store(srv, &why);
	int64_t active = 0, revoked = 0;
	agenda_err err = s ? central_store_count_devices(s, &active, &revoked, &why) : AG_ERR_IO;

	if (err == AG_OK)
		counts = (struct central_device_counts){1, active, revoked};
	else
		central_server_store_failed(srv, err, &why);
	return central_reply(conn, ROUTE_METRICS, MHD_HTTP_OK, CENTRAL_TEXT_PLAIN,
	                     central_metrics_text(&counts));
}

/* GET routes, answered on the first callback. */
static enum MHD_Result answer_get(struct central_server *srv, struct MHD_Connection *conn,
                                  enum central_route route, const char *device_id)
{
	switch (route) {
	case ROUTE_HEALTH:
		return central_reply_json(
		        conn, route, MHD_HTTP_OK,
		        json_pack("{s:s, s:s}", "status", "ok", "version", AGENDA_VERSION));
	case ROUTE_METRICS:
		return metrics(srv, conn);
	case ROUTE_CA:
		return central_reply(conn, route, MHD_HTTP_OK, CENTRAL_PEM,
		                     strdup(srv->issuer.ca_pem));
	default:
		return central_reply_json(conn, route, MHD_HTTP_OK,
		                          json_pack("{s:s}", "device_id", device_id));
	}
}

static bool is_post_route(enum central_route route)
{
	return route == ROUTE_ENROL || route == ROUTE_DEVICE_RENEW;
}

/* A declared Content-Length above BODY_MAX: refused before reading a byte of it. */
static bool declared_too_large(struct MHD_Connection *conn)
{
	const char *length =
	        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return length && strtoull(length, NULL, 10) > BODY_MAX;
}

static enum MHD_Result too_large(struct MHD_Connection *conn, enum central_route route)
{
	agenda_detail why;

	if (route == ROUTE_ENROL)
		central_metrics_enrol(ENROL_METRIC_TOO_LARGE);
	agenda_detail_set(&why, MSG_CENTRAL_TOO_LARGE, BODY_MAX);
	return central_reply_detail(conn, route, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", &why);
}

/* The request's first callback: headers only. Answers now, or keeps a request for the body. */
static enum MHD_Result first_call(struct central_server *srv, struct MHD_Connection *conn,
                                  const char *url, const char *method, void **con_cls)
{
	enum central_route route = central_route_of(url);
	char device_id[CENTRAL_DEVICE_ID_SIZE] = "";
	char address[INET6_ADDRSTRLEN];
	enum MHD_Result result;
	struct request *req;
	bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;

	if (strncmp(url, DEVICE_PREFIX, strlen(DEVICE_PREFIX)) == 0 &&
	    !device_gate(srv, conn, route, device_id, &result))
		return result;
	if (route == ROUTE_OTHER)
		return central_reply_error(conn, route, MHD_HTTP_NOT_FOUND, "not_found",
		                           MSG_CENTRAL_NOT_FOUND);
	if (is_post_route(route) != post || (!post && strcmp(method, MHD_HTTP_METHOD_GET) != 0))
		return central_reply_error(conn, route, MHD_HTTP_METHOD_NOT_ALLOWED,
		                           "method_not_allowed", MSG_CENTRAL_NOT_FOUND);
	address[0] = '\0';
	if (post) {
		peer_address(conn, address);
		if (route == ROUTE_ENROL && central_enrol_blocked(srv, conn, address, &result))
			return result;
		if (declared_too_large(conn))
			return too_large(conn, route);
	}
	req = malloc(sizeof *req);
	if (!req)
		return MHD_NO;
	req->started = central_metrics_clock();
	req->route = route;
	req->length = 0;
	req->too_large = false;
	memcpy(req->device_id, device_id, sizeof req->device_id);
	memcpy(req->address, address, sizeof req->address);
	*con_cls = req;
	return MHD_YES;
}

/* The one request handler (libmicrohttpd's access handler). */
enum MHD_Result central_handler_answer(void *cls, struct MHD_Connection *conn, const char *url,
                                       const char *method, const char *version,
                                       const char *upload_data, size_t *upload_data_size,
                                       void **con_cls)
{
	struct central_server *srv = cls;
	struct request *req = *con_cls;

	(void)version;
	if (!req) {
		central_metrics_started(central_metrics_clock());
		return first_call(srv, conn, url, method, con_cls);
	}
	central_metrics_started(req->started);
	if (*upload_data_size > 0) {
		/* past the limit the rest is read and dropped: the answer waits for the end */
		if (!req->too_large && *upload_data_size <= BODY_MAX - req->length) {
			memcpy(req->body + req->length, upload_data, *upload_data_size);
			req->length += *upload_data_size;
		} else {
			req->too_large = true;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	req->body[req->length] = '\0';
	if (req->too_large)
		return too_large(conn, req->route);
	/* GETs too are answered once the request is complete: libmicrohttpd 0.9.75 closes the
	 * connection after an answer queued on the first callback (no keep-alive) */
	if (!is_post_route(req->route))
		return answer_get(srv, conn, req->route, req->device_id);
	if (req->route == ROUTE_ENROL)
		return central_enrol_answer(srv, conn, req->address, req->body, req->length);
	return central_renew_answer(srv, conn, req->device_id, req->body, req->length);
}

void central_handler_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                               enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}
