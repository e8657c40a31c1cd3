/*
 * central_tls_bench.c — authenticated requests per second against a real `agenda-central serve`
 * on loopback: `GET /v1/device/whoami` with a device certificate got the way a device gets it
 * (`init`, `site add`, `enrol-code`, a P-256 key and request from agenda_pki, POST /v1/enrol:
 * whoami checks the device in the store), (a) over one kept-alive connection, (b) a new full TLS
 * handshake per request (CURLOPT_FRESH_CONNECT + FORBID_REUSE, session cache off), for TLS 1.3
 * and for TLS 1.2 (what the devices' mbedTLS speaks). Prints the median of RUNS runs of each and
 * the ratio; every answer is checked (200 and the device id) and connections are counted, so a
 * figure cannot come from failed or reused requests. Starts and stops the server itself.
 * The client is the system libcurl (OpenSSL), one request at a time: the figures are latency
 * bound, not the server's capacity under many devices. Never fails on a target.
 * When AGENDA_CENTRAL_PG names a server (tests/bench/run.sh), the same again with the store
 * there. Usage: central_tls_bench [AGENDA_CENTRAL]
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "bench_process.h"
#include "bench_util.h"
#include "pki/pki_csr.h"
#include "pki/pki_key.h"

#define RUNS       5
#define KEPT_ALIVE 300 /* requests per run over one connection */
#define HANDSHAKES 100 /* requests per run, a new connection each */

struct answer {
	char body[16384];
	size_t length;
};

/* Where the bench's central and its one enrolled device live. */
struct bench_device {
	char dir[4200], certs[4200], id[64];
	int port;
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

/* A handle for https://localhost:PORT/PATH that trusts the bench's CA only. */
static CURL *handle_for(const struct bench_device *b, const char *path, struct answer *a,
                        struct curl_slist **resolve)
{
	char url[256], pin[64], ca[4300];
	CURL *h = curl_easy_init();

	snprintf(url, sizeof url, "https://localhost:%d%s", b->port, path);
	snprintf(pin, sizeof pin, "localhost:%d:127.0.0.1", b->port);
	snprintf(ca, sizeof ca, "%s/ca.pem", b->dir);
	*resolve = curl_slist_append(NULL, pin); /* serve listens on IPv4 only: skip ::1 */
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_RESOLVE, *resolve);
	curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	return h;
}

/* POST /v1/enrol with the code and a request of a new key: b->certs/device.{key,pem}, b->id. */
static int enrol(struct bench_device *b, const char *code)
{
	char key_path[4300], cert_path[4300];
	struct answer a = {.length = 0};
	struct curl_slist *resolve = NULL, *headers = NULL;
	mbedtls_pk_context key;
	struct rng_state *rs = NULL;
	agenda_rng rng;
	agenda_detail why;
	char *csr = NULL, *body = NULL;
	json_t *request = NULL, *reply = NULL;
	const char *certificate = NULL, *id = NULL;
	long status = 0;
	FILE *f;
	CURL *h;

	snprintf(key_path, sizeof key_path, "%s/device.key", b->certs);
	snprintf(cert_path, sizeof cert_path, "%s/device.pem", b->certs);
	mbedtls_pk_init(&key);
	if (rng_open_system(&rng, &rs) != AG_OK || pki_key_generate(&rng, &key) != AG_OK ||
	    pki_key_write_file(&key, key_path, &why) != AG_OK ||
	    pki_csr_create(&rng, &key, "bench", &csr, &why) != AG_OK)
		goto done;
	request = json_pack("{s:s, s:s}", "code", code, "csr", csr);
	body = json_dumps(request, JSON_COMPACT);
	h = handle_for(b, "/v1/enrol", &a, &resolve);
	headers = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	reply = status == 200 ? json_loads(a.body, 0, NULL) : NULL;
	if (json_unpack(reply, "{s:s, s:s}", "certificate", &certificate, "device_id", &id) == 0 &&
	    (f = fopen(cert_path, "w")) != NULL) {
		fputs(certificate, f);
		fclose(f);
		snprintf(b->id, sizeof b->id, "%s", id);
	}
done:
	json_decref(request);
	json_decref(reply);
	free(body);
	free(csr);
	curl_slist_free_all(headers);
	curl_slist_free_all(resolve);
	mbedtls_pk_free(&key);
	rng_close(rs);
	return b->id[0] ? 0 : -1;
}

/* whoami with the device certificate; fresh: a new full handshake each time. */
static CURL *whoami_handle(const struct bench_device *b, long tls, int fresh, struct answer *a,
                           struct curl_slist **resolve)
{
	char cert[4300], key[4300];
	CURL *h = handle_for(b, "/v1/device/whoami", a, resolve);

	snprintf(cert, sizeof cert, "%s/device.pem", b->certs);
	snprintf(key, sizeof key, "%s/device.key", b->certs);
	curl_easy_setopt(h, CURLOPT_SSLCERT, cert);
	curl_easy_setopt(h, CURLOPT_SSLKEY, key);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, tls);
	if (fresh) {
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L); /* full handshakes only */
	}
	return h;
}

/* Requests per second over n requests; *failed and *connections are added to. */
static double one_run(const struct bench_device *b, CURL *h, struct answer *a, int n, int *failed,
                      long *connections)
{
	char expected[128];
	int64_t start = bench_ns();

	snprintf(expected, sizeof expected, "\"device_id\":\"%s\"", b->id);
	for (int i = 0; i < n; i++) {
		long status = 0, opened = 0;

		a->length = 0;
		a->body[0] = '\0';
		if (curl_easy_perform(h) != CURLE_OK)
			(*failed)++;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &opened);
		*connections += opened;
		if (status != 200 || !strstr(a->body, expected))
			(*failed)++;
	}
	return (double)n * 1e9 / (double)(bench_ns() - start);
}

/* Median requests per second of RUNS runs of one mode. */
static double measure(const struct bench_device *b, long tls, int fresh, int *failed,
                      long *connections)
{
	int n = fresh ? HANDSHAKES : KEPT_ALIVE;
	int64_t rates[RUNS];
	struct answer a = {.length = 0};
	struct curl_slist *resolve = NULL;

	for (int r = 0; r < RUNS; r++) {
		CURL *h = whoami_handle(b, tls, fresh, &a, &resolve);

		rates[r] = (int64_t)one_run(b, h, &a, n, failed, connections);
		curl_easy_cleanup(h);
		curl_slist_free_all(resolve);
	}
	return (double)bench_quantile(rates, RUNS, 0.5);
}

/* init (on store when given), site add, enrol-code, serve, one enrolment; 0 when all went. */
static int set_up(const char *binary, const char *base, const char *store, struct bench_device *b,
                  struct bench_server *s)
{
	char out[1024];
	const char *code = NULL;
	json_t *answer;
	int rc;
	char *init[] = {
	        (char *)binary,           "init",        "--dir", b->dir, "--host", "localhost",
	        store ? "--store" : NULL, (char *)store, NULL};
	char *site[] = {(char *)binary,
	                "site",
	                "add",
	                "--dir",
	                b->dir,
	                "--code",
	                "BENCH",
	                "--city",
	                "Roma",
	                "--province",
	                "RM",
	                "--dirigente",
	                "dirigente@interno.it",
	                NULL};
	char *code_verb[] = {(char *)binary, "--json", "enrol-code", "--dir", b->dir,
	                     "--site",       "BENCH",  "--expires",  "1h",    NULL};

	snprintf(b->dir, sizeof b->dir, "%s/central", base);
	snprintf(b->certs, sizeof b->certs, "%s/certs", base);
	b->id[0] = '\0';
	if (mkdir(b->certs, 0700) != 0 || bench_run(init) != 0 || bench_run(site) != 0 ||
	    bench_run_capture(code_verb, out, sizeof out) != 0 ||
	    bench_serve_start(binary, b->dir, s) != 0)
		return -1;
	b->port = s->port;
	answer = json_loads(out, 0, NULL);
	rc = json_unpack(answer, "{s:s}", "code", &code) == 0 ? enrol(b, code) : -1;
	json_decref(answer);
	return rc;
}

static void bench_store(const char *binary, const char *label, const char *store)
{
	char base[4096];
	struct bench_device b;
	struct bench_server s = {.pid = 0};
	static const struct {
		const char *name;
		long option;
	} VERSIONS[] = {{"TLS 1.3", CURL_SSLVERSION_TLSv1_3 | CURL_SSLVERSION_MAX_TLSv1_3},
	                {"TLS 1.2", CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2}};

	bench_tempdir(base, sizeof base);
	char *remove[] = {"/bin/rm", "-rf", base, NULL};

	if (set_up(binary, base, store, &b, &s) != 0) {
		printf("%s: could not set up init/site/enrol-code/serve/enrolment in %s\n", label,
		       base);
		goto done;
	}
	printf("%s: enrolled as %s\n", label, b.id);
	for (size_t v = 0; v < sizeof VERSIONS / sizeof VERSIONS[0]; v++) {
		int failed = 0;
		long kept_connections = 0, fresh_connections = 0;
		double kept = measure(&b, VERSIONS[v].option, 0, &failed, &kept_connections);
		double fresh = measure(&b, VERSIONS[v].option, 1, &failed, &fresh_connections);

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
done:
	if (s.pid > 0)
		bench_serve_stop(&s);
	bench_run(remove);
}

int main(int argc, char **argv)
{
	const char *binary = argc > 1 ? argv[1] : AGENDA_CENTRAL_BIN;
	const char *pg = getenv("AGENDA_CENTRAL_PG");

	setvbuf(stdout, NULL, _IOLBF, 0); /* figures appear as they come, also into a file */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	bench_print_load();
	printf("GET /v1/device/whoami with a device certificate, loopback, median of %d runs "
	       "(%d kept-alive / %d fresh requests per run)\n",
	       RUNS, KEPT_ALIVE, HANDSHAKES);
	bench_store(binary, "sqlite", NULL);
	if (pg && *pg) {
		char store[1024];

		snprintf(store, sizeof store, "pg:%s dbname=postgres", pg);
		bench_store(binary, "postgresql", store);
	}
	curl_global_cleanup();
	return 0;
}
