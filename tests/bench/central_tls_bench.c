/*
 * central_tls_bench.c — authenticated requests per second against a real `agenda-central serve`
 * on loopback: `GET /v1/device/whoami` with a device certificate (tests/central/device_cert_tool
 * makes it on the CA `init` made), (a) over one kept-alive connection, (b) with a new full TLS
 * handshake per request (CURLOPT_FRESH_CONNECT + FORBID_REUSE, session cache off), for TLS 1.3
 * and for TLS 1.2 (what the devices' mbedTLS speaks). Prints the median of RUNS runs of each and
 * the ratio; every answer is checked (200 and the device id) and connections are counted, so a
 * figure cannot come from failed or reused requests. Starts and stops the server itself.
 * The client is the system libcurl (OpenSSL), one request at a time: the figures are latency
 * bound, not the server's capacity under many devices. Never fails on a target.
 * When AGENDA_CENTRAL_PG names a server (tests/bench/run.sh), the same again with the store
 * there. Usage: central_tls_bench [AGENDA_CENTRAL DEVICE_CERT_TOOL]
 */
#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#define RUNS       5
#define KEPT_ALIVE 500  /* requests per run over one connection */
#define HANDSHAKES 200  /* requests per run, a new connection each */
#define DEVICE_ID  "dev-test-0001"

extern char **environ;

struct server {
	pid_t pid;
	int port;
};

/* Runs argv to completion, its stdout to /dev/null; 0 when it exits 0. */
static int run_program(char *const argv[])
{
	posix_spawn_file_actions_t actions;
	pid_t pid;
	int status, rc;

	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (rc != 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Starts `serve --dir DIR --listen 127.0.0.1:0` and reads the port from its first line. */
static int start_server(const char *binary, const char *dir, struct server *s)
{
	char *argv[] = {(char *)binary, "serve",       "--dir", (char *)dir,
	                "--listen",     "127.0.0.1:0", NULL};
	posix_spawn_file_actions_t actions;
	int out[2];
	FILE *f;
	int rc;

	if (pipe(out) != 0)
		return -1;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&actions, out[0]);
	rc = posix_spawn(&s->pid, binary, &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(out[1]);
	if (rc != 0) {
		close(out[0]);
		return -1;
	}
	/* the rest of stdout is never read: serve writes one line, then only on stderr */
	f = fdopen(out[0], "r");
	rc = f && fscanf(f, "%d", &s->port) == 1 && s->port > 0 ? 0 : -1;
	if (f)
		fclose(f);
	return rc;
}

static void stop_server(const struct server *s)
{
	int status;

	kill(s->pid, SIGTERM);
	waitpid(s->pid, &status, 0);
}

struct answer {
	char body[256];
	size_t length;
};

static size_t collect(char *data, size_t size, size_t n, void *user)
{
	struct answer *a = user;
	size_t room = sizeof a->body - 1 - a->length, take = size * n < room ? size * n : room;

	memcpy(a->body + a->length, data, take);
	a->length += take;
	a->body[a->length] = '\0';
	return size * n;
}

/* A handle set up for whoami with the device certificate; fresh: a new handshake each time. */
static CURL *whoami_handle(const char *dir, const char *certs, int port, long tls, int fresh,
                           struct answer *a, struct curl_slist **resolve)
{
	char url[128], path[3][4096], pin[64];
	CURL *h = curl_easy_init();

	snprintf(url, sizeof url, "https://localhost:%d/v1/device/whoami", port);
	snprintf(pin, sizeof pin, "localhost:%d:127.0.0.1", port);
	snprintf(path[0], sizeof path[0], "%s/ca.pem", dir);
	snprintf(path[1], sizeof path[1], "%s/device.pem", certs);
	snprintf(path[2], sizeof path[2], "%s/device.key", certs);
	*resolve = curl_slist_append(NULL, pin); /* serve listens on IPv4 only: skip ::1 */
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_RESOLVE, *resolve);
	curl_easy_setopt(h, CURLOPT_CAINFO, path[0]);
	curl_easy_setopt(h, CURLOPT_SSLCERT, path[1]);
	curl_easy_setopt(h, CURLOPT_SSLKEY, path[2]);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, tls);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	if (fresh) {
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L); /* full handshakes only */
	}
	return h;
}

/* Requests per second over n requests; *failed and *connections are added to. */
static double one_run(CURL *h, struct answer *a, int n, int *failed, long *connections)
{
	int64_t start = bench_ns();

	for (int i = 0; i < n; i++) {
		long status = 0, opened = 0;

		a->length = 0;
		a->body[0] = '\0';
		if (curl_easy_perform(h) != CURLE_OK)
			(*failed)++;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &opened);
		*connections += opened;
		if (status != 200 || !strstr(a->body, "\"device_id\":\"" DEVICE_ID "\""))
			(*failed)++;
	}
	return (double)n * 1e9 / (double)(bench_ns() - start);
}

/* Median requests per second of RUNS runs of one mode. */
static double measure(const char *dir, const char *certs, int port, long tls, int fresh,
                      int *failed, long *connections)
{
	int n = fresh ? HANDSHAKES : KEPT_ALIVE;
	int64_t rates[RUNS];
	struct answer a = {.length = 0};
	struct curl_slist *resolve = NULL;

	for (int r = 0; r < RUNS; r++) {
		CURL *h = whoami_handle(dir, certs, port, tls, fresh, &a, &resolve);

		rates[r] = (int64_t)one_run(h, &a, n, failed, connections);
		curl_easy_cleanup(h);
		curl_slist_free_all(resolve);
	}
	return (double)bench_quantile(rates, RUNS, 0.5);
}

static void bench_store(const char *binary, const char *tool, const char *label, const char *store)
{
	char base[4096], dir[4200], certs[4200];
	struct server s;
	static const struct {
		const char *name;
		long option;
	} VERSIONS[] = {{"TLS 1.3", CURL_SSLVERSION_TLSv1_3 | CURL_SSLVERSION_MAX_TLSv1_3},
	                {"TLS 1.2", CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2}};

	bench_tempdir(base, sizeof base);
	snprintf(dir, sizeof dir, "%s/central", base);
	snprintf(certs, sizeof certs, "%s/certs", base);
	char *init[] = {
	        (char *)binary,           "init",        "--dir", dir, "--host", "localhost",
	        store ? "--store" : NULL, (char *)store, NULL};
	char *cert_tool[] = {(char *)tool, dir, certs, NULL};
	char *remove[] = {"/bin/rm", "-rf", base, NULL};

	if (mkdir(certs, 0700) != 0 || run_program(init) != 0 || run_program(cert_tool) != 0 ||
	    start_server(binary, dir, &s) != 0) {
		printf("%s: could not set up init/serve in %s\n", label, base);
		run_program(remove);
		return;
	}
	for (size_t v = 0; v < sizeof VERSIONS / sizeof VERSIONS[0]; v++) {
		int failed = 0;
		long kept_connections = 0, fresh_connections = 0;
		double kept = measure(dir, certs, s.port, VERSIONS[v].option, 0, &failed,
		                      &kept_connections);
		double fresh = measure(dir, certs, s.port, VERSIONS[v].option, 1, &failed,
		                       &fresh_connections);

		printf("%-10s %-7s kept-alive %7.0f req/s (%ld connections for %d requests)\n",
		       label, VERSIONS[v].name, kept, kept_connections, RUNS * KEPT_ALIVE);
		printf("%-10s %-7s handshake  %7.0f req/s (%ld connections for %d requests)\n",
		       label, VERSIONS[v].name, fresh, fresh_connections, RUNS * HANDSHAKES);
		printf("%-10s %-7s ratio %.1fx, %.2f ms per handshake, failed answers: %d\n", label,
		       VERSIONS[v].name, kept / fresh, 1e3 / fresh - 1e3 / kept, failed);
		if (kept_connections >= RUNS * KEPT_ALIVE)
			printf("%-10s %-7s note: the server closed every connection after its "
			       "answer "
			       "(Connection: close), so (a) paid a handshake per request too\n",
			       label, VERSIONS[v].name);
	}
	stop_server(&s);
	run_program(remove);
}

/* The machine's load when the run starts: these figures move with it. */
static void print_load(void)
{
	char line[128] = "?";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (!fgets(line, sizeof line, f))
			line[0] = '\0';
		fclose(f);
	}
	printf("cores online %ld, load average %s", sysconf(_SC_NPROCESSORS_ONLN), line);
}

int main(int argc, char **argv)
{
	const char *binary = argc > 2 ? argv[1] : AGENDA_CENTRAL_BIN;
	const char *tool = argc > 2 ? argv[2] : DEVICE_CERT_TOOL_BIN;
	const char *pg = getenv("AGENDA_CENTRAL_PG");
	char store[1024];

	curl_global_init(CURL_GLOBAL_DEFAULT);
	print_load();
	printf("GET /v1/device/whoami with a device certificate, loopback, median of %d runs "
	       "(%d kept-alive / %d fresh requests per run)\n",
	       RUNS, KEPT_ALIVE, HANDSHAKES);
	bench_store(binary, tool, "sqlite", NULL);
	if (pg && *pg) {
		snprintf(store, sizeof store, "pg:%s dbname=postgres", pg);
		bench_store(binary, tool, "postgresql", store);
	}
	curl_global_cleanup();
	return 0;
}
