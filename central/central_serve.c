/*
 * central_serve.c — `agenda-central serve`: the HTTPS server on libmicrohttpd + GnuTLS.
 *
 * TLS 1.2 and 1.3 with AEAD suites only (the priority string of DESIGN.md, "Facts"), the server
 * certificate and key from the folder `init` made, the agenda's CA as the trust list so that
 * devices are asked for their certificate. The requests are central_handler.c's. Before
 * listening the CA's key (for enrolment) and the store are checked, so a server that could not
 * enrol does not start. --lease-seconds and --lease-margin-seconds set how long a slot granted
 * to a device lasts after each of its rounds, and how long past that central waits before the
 * slot returns to the pool (central_sync.h; defaults 48 hours and 10 minutes). Port 0 picks a free
 * port; the port is the first line on stdout, so a test or a supervisor never races for one.
 * SIGTERM or SIGINT stops the server cleanly: connections under way are finished, then the process
 * exits 0. Beside the server, a thread sends central's outbox every --mail-interval-s seconds
 * (default 30) while mail is configured (central_mail_thread.h); it stops with the server.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "central_args.h"
#include "central_cli.h"
#include "central_files.h"
#include "central_handler.h"
#include "central_mail_thread.h"
#include "central_server.h"
#include "central_store_dir.h"

#define TLS_PRIORITIES                                                                             \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:"        \
	"+CHACHA20-POLY1305:-MAC-ALL:+AEAD:%SERVER_PRECEDENCE"
#define CONNECTION_TIMEOUT 30 /* seconds a silent connection is kept */
#define THREAD_POOL_SIZE   4
#define LEASE_SECONDS_MAX  (30 * 86400) /* a device offline longer than a month holds nothing */
#define LEASE_MARGIN_MAX   86400
#define MAIL_INTERVAL_MAX  3600 /* the outbox is drained at least hourly */

struct serve_files {
	char *server_key, *server_cert, *ca_cert;
};

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

/* A whole number of seconds in [min, max] from an option; false after saying why (exit 9). */
static bool read_seconds(const struct central_cli *c, const struct central_opt *o, int min, int max,
                         int64_t *out, int *status)
{
	const char *text = central_opt(o);
	char *end;
	long value;

	if (!text)
		return true; /* *out keeps its default */
	errno = 0;
	value = strtol(text, &end, 10);
	if (*text && !*end && !errno && value >= min && value <= max) {
		*out = value;
		return true;
	}
	*status = central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_NUMBER, o->name, text, min,
	                           max);
	return false;
}

static int parse(const struct central_cli *c, int argc, char **argv, const char **dir,
                 const char **listen, struct central_sync_config *sync, int64_t *mail_interval)
{
	struct central_opt o[] = {{"--dir", true, 1, {0}, 0},
	                          {"--listen", true, 1, {0}, 0},
	                          {"--lease-seconds", false, 1, {0}, 0},
	                          {"--lease-margin-seconds", false, 1, {0}, 0},
	                          {"--mail-interval-s", false, 1, {0}, 0}};
	int status = central_args_parse(c, argc, argv, o, 5);

	*sync = central_sync_config_default();
	*mail_interval = CENTRAL_MAIL_INTERVAL_DEFAULT;
	if (status != CENTRAL_EXIT_OK ||
	    !read_seconds(c, &o[2], 1, LEASE_SECONDS_MAX, &sync->lease_seconds, &status) ||
	    !read_seconds(c, &o[3], 0, LEASE_MARGIN_MAX, &sync->margin_seconds, &status) ||
	    !read_seconds(c, &o[4], 1, MAIL_INTERVAL_MAX, mail_interval, &status))
		return status;
	*dir = central_opt(&o[0]);
	*listen = central_opt(&o[1]);
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

/* Runs the daemon and the mail sender until SIGTERM or SIGINT. */
static int run(const struct central_cli *c, struct central_server *srv, const struct serve_files *f,
               const struct sockaddr_in *addr, const char *listen, int64_t mail_interval)
{
	struct central_mail_thread mail = {0};
	agenda_detail why;
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
	        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_TLS, 0, NULL, NULL, central_handler_answer,
	        srv, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr, MHD_OPTION_HTTPS_MEM_KEY,
	        f->server_key, MHD_OPTION_HTTPS_MEM_CERT, f->server_cert,
	        MHD_OPTION_HTTPS_MEM_TRUST, f->ca_cert, MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
	        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
	        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREAD_POOL_SIZE,
	        MHD_OPTION_NOTIFY_COMPLETED, central_handler_completed, NULL, MHD_OPTION_END);
	if (!d)
		return central_fail_msg(c, AG_ERR_IO, MSG_CENTRAL_START_FAILED, listen);
	if (central_mail_thread_start(&mail, srv->dir, (int)mail_interval, &why) != AG_OK) {
		MHD_stop_daemon(d);
		return central_fail(c, AG_ERR_NOMEM, &why);
	}
	announce(c, d, listen);
	while (sig != SIGTERM && sig != SIGINT)
		if (sigwait(&stop, &sig) != 0)
			break;
	MHD_stop_daemon(d);
	central_mail_thread_stop(&mail);
	return CENTRAL_EXIT_OK;
}

/* The signer and the store, checked once before listening: a server that cannot enrol
 * should not start. */
static int prepare(const struct central_cli *c, struct central_server *srv, const char *dir)
{
	central_store *s = NULL;
	agenda_detail why;
	agenda_err err = central_issuer_open(&srv->issuer, dir, &why);

	if (err == AG_OK)
		err = central_server_init(srv, dir, &why);
	if (err == AG_OK) /* the threads open their own; this one says why it cannot */
		err = central_store_open_dir(dir, &s, &why);
	central_store_close(s);
	return err == AG_OK ? CENTRAL_EXIT_OK : central_fail(c, err, &why);
}

int central_serve(const struct central_cli *c, int argc, char **argv)
{
	const char *dir = NULL, *listen = NULL;
	struct central_server srv = {0};
	struct serve_files f = {0};
	struct sockaddr_in addr;
	int64_t mail_interval;
	int status;

	status = parse(c, argc, argv, &dir, &listen, &srv.sync, &mail_interval);
	if (status != CENTRAL_EXIT_OK)
		return status;
	if (!parse_listen(listen, &addr))
		return central_fail_msg(c, AG_ERR_INVALID, MSG_CENTRAL_BAD_LISTEN, listen);
	status = read_files(c, dir, &f);
	if (status == CENTRAL_EXIT_OK) {
		status = prepare(c, &srv, dir);
		if (status == CENTRAL_EXIT_OK)
			status = run(c, &srv, &f, &addr, listen, mail_interval);
		central_server_fini(&srv);
		central_issuer_close(&srv.issuer);
	}
	free(f.server_key);
	free(f.server_cert);
	free(f.ca_cert);
	return status;
}
