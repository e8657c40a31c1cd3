/*
 * https_transport.c — the HTTPS exchange shared by one-shot requests and the kept session
 * (https_transport.h): options on the handle, the answer read into memory up to a bound, and
 * libcurl's outcome turned into a failure class and the technician's words. libcurl's own error
 * text goes into the detail as the technical part, after the catalogue's sentence.
 */
#include "sync/https_transport.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"

struct body_sink {
	char *data;
	size_t length;
	size_t limit;
	bool too_large;
};

static size_t body_write(char *chunk, size_t size, size_t count, void *arg)
{
	struct body_sink *sink = arg;
	size_t n = size * count;
	char *grown;

	if (sink->length + n > sink->limit) {
		sink->too_large = true;
		return 0; /* libcurl stops with CURLE_WRITE_ERROR */
	}
	grown = realloc(sink->data, sink->length + n + 1);
	if (!grown)
		return 0;
	memcpy(grown + sink->length, chunk, n);
	sink->length += n;
	grown[sink->length] = '\0';
	sink->data = grown;
	return n;
}

/* The URL without its path, for messages: "https://host:port". */
static void server_of(const char *url, char *out, size_t size)
{
	const char *start = strstr(url, "://");
	const char *slash = start ? strchr(start + 3, '/') : NULL;
	size_t n = slash ? (size_t)(slash - url) : strlen(url);

	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), url);
}

static https_failure failure_of(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return HTTPS_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTPS_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_USE_SSL_FAILED:
		return HTTPS_TLS;
	default:
		return HTTPS_OTHER;
	}
}

/*
 * A handshake that failed because the link ended (peer closed, reset, send or receive failed)
 * is a network failure to retry, not a refusal: a cut in the middle of the handshake must not
 * tell the technician that the server is not the one the CA vouches for (found by the fault
 * proxy, tests/integration/provision_faults_test.py). libcurl gives mbedTLS's code only in its
 * error text, "(-0x7280)"; these codes are transport endings, never a certificate's verdict.
 */
static bool handshake_link_ended(CURLcode rc, const char *error_text)
{
	static const char *const ended[] = {
	        "(-0x7280)", /* MBEDTLS_ERR_SSL_CONN_EOF */
	        "(-0x0050)", /* MBEDTLS_ERR_NET_CONN_RESET */
	        "(-0x004C)", /* MBEDTLS_ERR_NET_RECV_FAILED */
	        "(-0x004E)", /* MBEDTLS_ERR_NET_SEND_FAILED */
	        /* libcurl's own socket layer, under mbedTLS's callbacks: a reset or a closed pipe
	         * before the first TLS record (sync_invariants_test: a link that drops) */
	        "Recv failure: ",
	        "Send failure: ",
	};

	if (rc != CURLE_SSL_CONNECT_ERROR)
		return false;
	for (size_t i = 0; i < sizeof ended / sizeof ended[0]; i++)
		if (strstr(error_text, ended[i]))
			return true;
	return false;
}

static void describe_failure(const struct https_request *req, https_failure failure,
                             const char *text, size_t body_max, agenda_detail *why)
{
	char server[256];
	long limit_ms = req->total_timeout_ms > 0 ? req->total_timeout_ms : HTTPS_TOTAL_TIMEOUT_MS;

	server_of(req->url, server, sizeof server);
	switch (failure) {
	case HTTPS_CONNECT:
		agenda_detail_set(why, MSG_HTTPS_CONNECT, server, text);
		break;
	case HTTPS_TLS:
		agenda_detail_set(why, MSG_HTTPS_TLS, server, text);
		break;
	case HTTPS_TIMEOUT:
		agenda_detail_set(why, MSG_HTTPS_TIMEOUT, server, (limit_ms + 999) / 1000);
		break;
	case HTTPS_TOO_LARGE:
		agenda_detail_set(why, MSG_HTTPS_TOO_LARGE, server, (int)body_max);
		break;
	default:
		agenda_detail_set(why, MSG_HTTPS_FAILED, server, text);
		break;
	}
}

/* Retry-After in seconds (central sends the delta form only); 0 when absent or unreadable. */
static long retry_after_of(CURL *curl)
{
	struct curl_header *h = NULL;
	char *end;
	long seconds;

	if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h)
		return 0;
	seconds = strtol(h->value, &end, 10);
	return end != h->value && seconds > 0 ? seconds : 0;
}

/* The options every request shares: pinned CA (or none), TLS 1.2+, bounded, HTTPS only. */
static CURLcode set_transport(CURL *curl, const struct https_request *req, char *error_text)
{
	struct curl_blob ca = {.data = (void *)req->ca_pem,
	                       .len = req->ca_pem ? strlen(req->ca_pem) : 0,
	                       .flags = CURL_BLOB_COPY};
	CURLcode rc = CURLE_OK;

#define SET(option, value)                                                                         \
	do {                                                                                       \
		if (rc == CURLE_OK)                                                                \
			rc = curl_easy_setopt(curl, option, value);                                \
	} while (0)
	SET(CURLOPT_ERRORBUFFER, error_text);
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_NOSIGNAL, 1L); /* threads (the kiosk's worker) must not get SIGALRM */
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_CONNECTTIMEOUT_MS,
	    req->connect_timeout_ms > 0 ? req->connect_timeout_ms : HTTPS_CONNECT_TIMEOUT_MS);
	SET(CURLOPT_TIMEOUT_MS,
	    req->total_timeout_ms > 0 ? req->total_timeout_ms : HTTPS_TOTAL_TIMEOUT_MS);
	if (req->insecure) {
		SET(CURLOPT_SSL_VERIFYPEER, 0L);
		SET(CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		SET(CURLOPT_SSL_VERIFYPEER, 1L);
		SET(CURLOPT_SSL_VERIFYHOST, 2L);
		SET(CURLOPT_CAINFO_BLOB, &ca);
	}
	if (req->client_cert_file) {
		SET(CURLOPT_SSLCERT, req->client_cert_file);
		SET(CURLOPT_SSLCERTTYPE, "PEM");
		SET(CURLOPT_SSLKEY, req->client_key_file);
		SET(CURLOPT_SSLKEYTYPE, "PEM");
	}
#undef SET
	return rc;
}

agenda_err https_request_check(const struct https_request *req, struct https_response *out,
                               agenda_detail *why)
{
	bool post = req->method && strcmp(req->method, "POST") == 0;

	memset(out, 0, sizeof *out);
	if (!req->url || (!req->insecure && !req->ca_pem) || (post && !req->json_body) ||
	    (!post && (!req->method || strcmp(req->method, "GET") != 0)) ||
	    (!req->client_cert_file != !req->client_key_file) ||
	    (req->insecure && (post || req->client_cert_file))) {
		/* Unchecked TLS may fetch the CA (a GET, no identity): it never carries a secret.
		 */
		out->failure = HTTPS_OTHER;
		agenda_detail_set(why, MSG_HTTPS_FAILED, req->url ? req->url : "?", "bad request");
		return AG_ERR_USAGE;
	}
	return AG_OK;
}

agenda_err https_perform(CURL *curl, const struct https_request *req, size_t body_max,
                         struct https_response *out, agenda_detail *why)
{
	char error_text[CURL_ERROR_SIZE] = "";
	struct body_sink sink = {.limit = body_max};
	struct curl_slist *headers = NULL;
	bool post;
	CURLcode rc;
	agenda_err err;

	if ((err = https_request_check(req, out, why)) != AG_OK)
		return err;
	post = strcmp(req->method, "POST") == 0;
	rc = set_transport(curl, req, error_text);
	headers = curl_slist_append(headers, "Accept: application/json, application/x-pem-file");
	if (post)
		headers = curl_slist_append(headers, "Content-Type: application/json");
	if (rc == CURLE_OK && !headers)
		rc = CURLE_OUT_OF_MEMORY;
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	if (rc == CURLE_OK && post)
		rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->json_body);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, body_write);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		out->failure = sink.too_large ? HTTPS_TOO_LARGE : failure_of(rc);
		if (handshake_link_ended(rc, error_text))
			out->failure = HTTPS_CONNECT;
		if (rc == CURLE_OUT_OF_MEMORY) {
			agenda_detail_set(why, MSG_NOMEM);
			err = AG_ERR_NOMEM;
			goto done;
		}
		describe_failure(req, out->failure,
		                 error_text[0] ? error_text : curl_easy_strerror(rc), body_max,
		                 why);
		err = out->failure == HTTPS_TLS ? AG_ERR_REFUSED : AG_ERR_IO;
		goto done;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	out->retry_after = retry_after_of(curl);
	out->failure = HTTPS_ANSWERED;
	if (!sink.data && !(sink.data = calloc(1, 1))) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
		goto done;
	}
	out->body = sink.data;
	out->length = sink.length;
	sink.data = NULL;
done:
	free(sink.data);
	curl_slist_free_all(headers);
	/* The handle keeps pointers to this call's header list and error buffer: drop them. */
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, (char *)NULL);
	return err;
}
