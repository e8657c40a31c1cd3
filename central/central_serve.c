/*
 * central_serve.c — `agenda-central serve`: the HTTPS server on libmicrohttpd + GnuTLS.
 *
 * TLS 1.2 and 1.3 with AEAD suites only (the priority string of DESIGN.md, "Facts"), the server
 * certificate and key from the folder `init` made, the agenda's CA as the trust list so that
 * devices are asked for their certificate. Routes (docs/CENTRAL.md, "API"):
 *   GET  /v1/health          no certificate needed: {"status":"ok","version":...}
 *   GET  /metrics            Prometheus text (central_metrics.h), no certificate needed
 *   GET  /v1/ca              the CA certificate (PEM), for a device that has no trust anchor yet
 *   POST /v1/enrol           a one-time code and a request -> the device's certificate
 *   GET  /v1/device/whoami   the device id (the client certificate's CN)
 *   POST /v1/device/renew    a new certificate for the device's key
 * Every /v1/device/ path passes the device gate on the request's first callback, before
 * anything of its body is read: the client certificate (central_device_auth), then the device
 * in the store, not revoked (403 "revoked"). Request bodies are read through libmicrohttpd's
 * upload callbacks into at most BODY_MAX bytes (more: 413). Port 0 picks a free port; the port
 * is the first line on stdout, so a test or a supervisor never races for one. SIGTERM or SIGINT
 * stops the server cleanly: connections under way are finished, then the process exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "central_cli.h"
#include "central_device_auth.h"
#include "central_enrol_route.h"
#include "central_files.h"
#include "central_metrics.h"
#include "central_renew_route.h"
#include "central_reply.h"
#include "central_server.h"
#include "central_store_dir.h"
#include "store_enrol.h"

#define TLS_PRIORITIES                                                                             \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:"        \
	"+CHACHA20-POLY1305:-MAC-ALL:+AEAD:%SERVER_PRECEDENCE"
#define DEVICE_PREFIX      "/v1/device/"
#define CONNECTION_TIMEOUT 30 /* seconds a silent connection is kept */
#define THREAD_POOL_SIZE   4
#define BODY_MAX           16384 /* a CSR is under 1 KiB: room to spare, not for abuse */

struct serve_files {
	char *server_key, *server_cert, *ca_cert;
};

/* A request with a body, between libmicrohttpd's callbacks. */
struct request {
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
	if (!post)
		return answer_get(srv, conn, route, device_id);
	peer_address(conn, address);
	if (route == ROUTE_ENROL && central_enrol_blocked(srv, conn, address, &result))
		return result;
	if (declared_too_large(conn))
		return too_large(conn, route);
	req = malloc(sizeof *req);
	if (!req)
		return MHD_NO;
	req->route = route;
	req->length = 0;
	req->too_large = false;
	memcpy(req->device_id, device_id, sizeof req->device_id);
	memcpy(req->address, address, sizeof req->address);
	*con_cls = req;
	return MHD_YES;
}

/* The one request handler (libmicrohttpd's access handler). */
static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
	struct central_server *srv = cls;
	struct request *req = *con_cls;

	(void)version;
	if (!req)
		return first_call(srv, conn, url, method, con_cls);
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
	if (req->route == ROUTE_ENROL)
		return central_enrol_answer(srv, conn, req->address, req->body, req->length);
	return central_renew_answer(srv, conn, req->device_id, req->body, req->length);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

/* "A.B.C.D:PORT" into addr; false when it is anything else. */
static bool parse_listen(const char *text, struct sockaddr_in *addr)
{
	const char *colon = strrchr(text, ':');
	char host[INET_ADDRSTRLEN];
	char *end;
	long port;

	if (!colon || colon == text || (size_t)(colon - text) >= sizeof host)
		return false;
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || port < 0 || port > 65535)
		return false;
	memset(addr, 0, sizeof *addr);
	addr->sin_family = AF_INET;
	addr->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &addr->sin_addr) == 1;
}

static int parse(const struct central_cli *c, int argc, char **argv, const char **dir,
                 const char **listen)
{
	for (int i = 0; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--dir") == 0)
			*dir = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--listen") == 0)
			*listen = argv[++i];
		else
			return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_BAD_ARG, argv[i]);
	}
	if (!*dir)
		return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_MISSING, "--dir");
	if (!*listen)
		return central_fail_msg(c, AG_ERR_USAGE, MSG_CENTRAL_MISSING, "--listen");
	return CENTRAL_EXIT_OK;
}

static int read_files(const struct central_cli *c, const char *dir, struct serve_files *f)
{
	static const char *const NAMES[] = {CENTRAL_SERVER_KEY, CENTRAL_SERVER_CERT,
	                                    CENTRAL_CA_CERT};
	char **slots[] = {&f->server_key, &f->server_cert, &f->ca_cert};

	for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
		char path[CENTRAL_PATH_MAX];
		agenda_detail why;
		agenda_err err;

		central_path(path, dir, NAMES[i]);
		err = central_read_text(path, slots[i], &why);
		if (err != AG_OK)
			return central_fail(c, err, &why);
	}
	return CENTRAL_EXIT_OK;
}

static void announce(const struct central_cli *c, struct MHD_Daemon *d, const char *listen)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = info ? info->port : 0;

	if (c->json)
		central_emit(json_pack("{s:i, s:s}", "port", (int)port, "listen", listen));
	else
		printf("%u\n", port);
	fflush(stdout);
}

/* Runs the daemon until SIGTERM or SIGINT. */
static int run(const struct central_cli *c, struct central_server *srv, const struct serve_files *f,
               const struct sockaddr_in *addr, const char *listen)
{
	struct MHD_Daemon *d;
	sigset_t stop;
	int sig = 0;

	/* blocked before the server's threads start, so they inherit the mask and sigwait gets it
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_TLS, 0, NULL, NULL, answer, srv,
	                     MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr,
	                     MHD_OPTION_HTTPS_MEM_KEY, f->server_key, MHD_OPTION_HTTPS_MEM_CERT,
	                     f->server_cert, MHD_OPTION_HTTPS_MEM_TRUST, f->ca_cert,
	                     MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
	                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
	                     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREAD_POOL_SIZE,
	                     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (!d)
		return central_fail_msg(c, AG_ERR_IO, MSG_CENTRAL_START_FAILED, listen);
	announce(c, d, listen);
	while (sig != SIGTERM && sig != SIGINT)
		if (sigwait(&stop, &sig) != 0)
			break;
	MHD_stop_daemon(d);
	return CENTRAL_EXIT_OK;
}

/* The signer and the store, checked once before listening: a server that cannot enrol
 * should not start. */
static int prepare(const struct central_cli *c, struct central_server *srv, const char *dir)
{
	agenda_detail why;
	agenda_err err = central_issuer_open(&srv->issuer, dir, &why);

	if (err == AG_OK)
		err = central_server_init(srv, dir, &why);
	if (err == AG_OK && !central_server_store(srv, &why))
		err = AG_ERR_IO;
	return err == AG_OK ? CENTRAL_EXIT_OK : central_fail(c, err, &why);
}

int central_serve(const struct central_cli *c, int argc, char **argv)
{
	const char *dir = NULL, *listen = NULL;
	struct central_server srv = {0};
	struct serve_files f = {0};
	struct sockaddr_in addr;
	int status;

	status = parse(c, argc, argv, &dir, &listen);
	if (status != CENTRAL_EXIT_OK)
		return status;
	if (!parse_listen(listen, &addr))
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_LISTEN, listen);
	status = read_files(c, dir, &f);
	if (status == CENTRAL_EXIT_OK) {
		status = prepare(c, &srv, dir);
		if (status == CENTRAL_EXIT_OK)
			status = run(c, &srv, &f, &addr, listen);
		central_server_fini(&srv);
		central_issuer_close(&srv.issuer);
	}
	free(f.server_key);
	free(f.server_cert);
	free(f.ca_cert);
	return status;
}
