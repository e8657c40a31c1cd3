/*
 * central_serve.c — `agenda-central serve`: the HTTPS server on libmicrohttpd + GnuTLS.
 *
 * TLS 1.2 and 1.3 with AEAD suites only (the priority string of DESIGN.md, "Facts"), the server
 * certificate and key from the folder `init` made, the agenda's CA as the trust list so that
 * devices are asked for their certificate. Routes so far:
 *   GET /v1/health          no certificate needed: {"status":"ok","version":...}
 *   GET /metrics            Prometheus text (central_metrics.h), no certificate needed
 *   GET /v1/device/whoami   the device id (the client certificate's CN)
 * Every /v1/device/ path is refused with 403 before anything of the request is read unless the
 * client certificate passes central_device_auth. Port 0 picks a free port; the port is the first
 * line on stdout, so a test or a supervisor never races for one. SIGTERM or SIGINT stops the
 * server cleanly: connections under way are finished, then the process exits 0.
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
#include "central_files.h"
#include "central_metrics.h"

#define TLS_PRIORITIES                                                                             \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:"        \
	"+CHACHA20-POLY1305:-MAC-ALL:+AEAD:%SERVER_PRECEDENCE"
#define DEVICE_PREFIX      "/v1/device/"
#define CONNECTION_TIMEOUT 30 /* seconds a silent connection is kept */
#define THREAD_POOL_SIZE   4
#define TEXT_PLAIN         "text/plain; version=0.0.4; charset=utf-8"
#define APPLICATION_JSON   "application/json; charset=utf-8"

struct serve_files {
	char *server_key, *server_cert, *ca_cert;
};

static enum MHD_Result reply(struct MHD_Connection *conn, enum central_route route, unsigned status,
                             const char *type, char *body)
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
	ok = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result reply_json(struct MHD_Connection *conn, enum central_route route,
                                  unsigned status, json_t *obj)
{
	char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;

	json_decref(obj);
	return reply(conn, route, status, APPLICATION_JSON, text);
}

static enum MHD_Result reply_error(struct MHD_Connection *conn, enum central_route route,
                                   unsigned status, const char *error, agenda_msg msg)
{
	return reply_json(conn, route, status,
	                  json_pack("{s:s, s:s, s:s}", "error", error, "message",
	                            msg_get(msg, LANG_IT), "message_en", msg_get(msg, LANG_EN)));
}

/* The one request handler: answers on its first call, so no request body is ever read. */
static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
	enum central_route route = central_route_of(url);
	char device_id[CENTRAL_DEVICE_ID_SIZE] = "";

	(void)cls;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strncmp(url, DEVICE_PREFIX, strlen(DEVICE_PREFIX)) == 0) {
		const union MHD_ConnectionInfo *info =
		        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
		enum central_refusal why;

		if (!central_device_auth(info ? info->tls_session : NULL, device_id, &why)) {
			central_metrics_refused(why);
			return reply_error(conn, route, MHD_HTTP_FORBIDDEN, "forbidden",
			                   MSG_CENTRAL_FORBIDDEN);
		}
	}
	if (route == ROUTE_OTHER)
		return reply_error(conn, route, MHD_HTTP_NOT_FOUND, "not_found",
		                   MSG_CENTRAL_NOT_FOUND);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0)
		return reply_error(conn, route, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
		                   MSG_CENTRAL_NOT_FOUND);
	switch (route) {
	case ROUTE_HEALTH:
		return reply_json(
		        conn, route, MHD_HTTP_OK,
		        json_pack("{s:s, s:s}", "status", "ok", "version", AGENDA_VERSION));
	case ROUTE_METRICS:
		return reply(conn, route, MHD_HTTP_OK, TEXT_PLAIN, central_metrics_text());
	default:
		return reply_json(conn, route, MHD_HTTP_OK,
		                  json_pack("{s:s}", "device_id", device_id));
	}
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
static int run(const struct central_cli *c, const struct serve_files *f,
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
	d = MHD_start_daemon(
	        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_TLS, 0, NULL, NULL, answer, (void *)c,
	        MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr, MHD_OPTION_HTTPS_MEM_KEY,
	        f->server_key, MHD_OPTION_HTTPS_MEM_CERT, f->server_cert,
	        MHD_OPTION_HTTPS_MEM_TRUST, f->ca_cert, MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
	        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
	        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREAD_POOL_SIZE, MHD_OPTION_END);
	if (!d)
		return central_fail_msg(c, AG_ERR_IO, MSG_CENTRAL_START_FAILED, listen);
	announce(c, d, listen);
	while (sig != SIGTERM && sig != SIGINT)
		if (sigwait(&stop, &sig) != 0)
			break;
	MHD_stop_daemon(d);
	return CENTRAL_EXIT_OK;
}

int central_serve(const struct central_cli *c, int argc, char **argv)
{
	const char *dir = NULL, *listen = NULL;
	struct serve_files f = {0};
	struct sockaddr_in addr;
	int status;

	status = parse(c, argc, argv, &dir, &listen);
	if (status != CENTRAL_EXIT_OK)
		return status;
	if (!parse_listen(listen, &addr))
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_LISTEN, listen);
	status = read_files(c, dir, &f);
	if (status == CENTRAL_EXIT_OK)
		status = run(c, &f, &addr, listen);
	free(f.server_key);
	free(f.server_cert);
	free(f.ca_cert);
	return status;
}
