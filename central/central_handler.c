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
#include "central_mail_metrics.h"
#include "central_metrics.h"
#include "central_renew_route.h"
#include "central_reply.h"
#include "central_server.h"
#include "central_sync_metrics.h"
#include "central_sync_route.h"
#include "store_enrol.h"

#define DEVICE_PREFIX "/v1/device/"
#define BODY_MAX      CENTRAL_BODY_MAX

/* A request with a body, between libmicrohttpd's callbacks. */
struct request {
	double started; /* central_metrics_clock() at the first callback */
	enum central_route route;
	char device_id[CENTRAL_DEVICE_ID_SIZE];
	char address[INET6_ADDRSTRLEN];
	size_t length, capacity, limit; /* body bytes read, allocated, allowed */
	bool too_large;
	char *body; /* malloc'd, grown as the body arrives, NUL-terminated at the end */
};

/* The most a request body of this route may hold: a sync round carries up to 500 journal
 * entries (SYNC_MAX_BODY_BYTES), everything else is small. */
static size_t body_limit(enum central_route route)
{
	return route == ROUTE_DEVICE_SYNC ? SYNC_MAX_BODY_BYTES : BODY_MAX;
}

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
	int64_t alerts[CENTRAL_ALERT_COUNT] = {0};
	agenda_detail why;
	central_store *s = central_server_store(srv, &why);
	int64_t active = 0, revoked = 0;
	agenda_err err = s ? central_store_count_devices(s, &active, &revoked, &why) : AG_ERR_IO;
	char *text, *sync_text, *mail_text, *both = NULL;
	central_outbox_counts mail;

	if (err == AG_OK) {
		counts = (struct central_device_counts){1, active, revoked};
		err = central_sync_alert_counts(s, alerts, &why);
	}
	if (err != AG_OK)
		central_server_store_failed(srv, err, &why);
	text = central_metrics_text(&counts);
	sync_text = central_sync_metrics_text(err == AG_OK ? alerts : NULL);
	/* issue 13: the outbox by state and the sender thread's counters */
	if (err == AG_OK && (err = central_store_outbox_counts(s, &mail, &why)) != AG_OK)
		central_server_store_failed(srv, err, &why);
	mail_text = central_mail_metrics_text(err == AG_OK ? &mail : NULL);
	if (text && sync_text && mail_text &&
	    (both = malloc(strlen(text) + strlen(sync_text) + strlen(mail_text) + 1)))
		strcat(strcat(strcpy(both, text), sync_text), mail_text);
	free(text);
	free(sync_text);
	free(mail_text);
	return central_reply(conn, ROUTE_METRICS, MHD_HTTP_OK, CENTRAL_TEXT_PLAIN, both);
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
	return route == ROUTE_ENROL || route == ROUTE_DEVICE_RENEW || route == ROUTE_DEVICE_SYNC ||
	       route == ROUTE_DEVICE_GRANT;
}

/* A declared Content-Length above the route's limit: refused before reading a byte of it. */
static bool declared_too_large(struct MHD_Connection *conn, enum central_route route)
{
	const char *length =
	        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return length && strtoull(length, NULL, 10) > body_limit(route);
}

static enum MHD_Result too_large(struct MHD_Connection *conn, enum central_route route)
{
	agenda_detail why;

	if (route == ROUTE_ENROL)
		central_metrics_enrol(ENROL_METRIC_TOO_LARGE);
	agenda_detail_set(&why, MSG_CENTRAL_TOO_LARGE, (int)body_limit(route));
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
		if (declared_too_large(conn, route))
			return too_large(conn, route);
	}
	req = malloc(sizeof *req);
	if (!req)
		return MHD_NO;
	req->body = malloc(BODY_MAX + 1);
	if (!req->body) {
		free(req);
		return MHD_NO;
	}
	req->started = central_metrics_clock();
	req->route = route;
	req->length = 0;
	req->capacity = BODY_MAX + 1;
	req->limit = body_limit(route);
	req->too_large = false;
	memcpy(req->device_id, device_id, sizeof req->device_id);
	memcpy(req->address, address, sizeof req->address);
	*con_cls = req;
	return MHD_YES;
}

/*
 * Appends a piece of the body; past the route's limit the request is marked too large (the rest
 * is read and dropped: the answer waits for the end). False only when memory runs out.
 */
static bool take_body(struct request *req, const char *data, size_t size)
{
	if (req->too_large || size > req->limit - req->length) {
		req->too_large = true;
		return true;
	}
	if (req->length + size + 1 > req->capacity) {
		size_t capacity = req->capacity;
		char *grown;

		while (capacity < req->length + size + 1)
			capacity *= 2; /* doubling: a few reallocations even for 8 MiB */
		if (capacity > req->limit + 1)
			capacity = req->limit + 1;
		grown = realloc(req->body, capacity);
		if (!grown)
			return false;
		req->body = grown;
		req->capacity = capacity;
	}
	memcpy(req->body + req->length, data, size);
	req->length += size;
	return true;
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
		if (!take_body(req, upload_data, *upload_data_size))
			return MHD_NO;
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
	switch (req->route) {
	case ROUTE_ENROL:
		return central_enrol_answer(srv, conn, req->address, req->body, req->length);
	case ROUTE_DEVICE_SYNC:
		return central_sync_answer(srv, conn, req->device_id, req->body, req->length);
	case ROUTE_DEVICE_GRANT:
		return central_grant_answer(srv, conn, req->device_id, req->body, req->length);
	default:
		return central_renew_answer(srv, conn, req->device_id, req->body, req->length);
	}
}

void central_handler_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                               enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	struct request *req = *con_cls;

	(void)toe;
	if (req)
		free(req->body);
	free(req);
	*con_cls = NULL;
}
