/*
 * smtp_transport.c — one SMTP submission over libcurl on mbedTLS (smtp_transport.h).
 *
 * libcurl speaks the protocol (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, dot-stuffing); this file
 * sets it up strictly (TLS required, 1.2 at least, the CA file checked, bounded in time), listens
 * to the server's replies through the debug callback (CURLINFO_HEADER_IN only: what we send
 * carries the AUTH secret and the body, and is never looked at), and classifies the outcome for
 * the outbox. The password is given to libcurl for one transfer and taken back right after.
 * The handle is kept between messages, so a drain reuses one connection and one TLS session.
 */
#include "sync/smtp_transport.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define DEFAULT_TIMEOUT_MS     30000
#define CONNECT_TIMEOUT_MS_MAX 10000

struct smtp_session {
	CURL *curl;
};

/* What the server said, as the transfer goes. */
struct conversation {
	char command[16];  /* verb of the last command sent ("MAIL", "RCPT", "DATA", "AUTH", ...) */
	char reply[512];   /* the reply being read, lines joined by " / " */
	char last[512];    /* the last complete reply */
	int last_code;     /* its code */
	char last_to[16];  /* the command it answered */
	bool reply_open;   /* a multi-line reply is being read */
	bool heard_server; /* any reply at all: something reached a server */
};

struct upload {
	const char *data;
	size_t length, offset;
};

const char *smtp_outcome_name(enum smtp_outcome outcome)
{
	switch (outcome) {
	case SMTP_SENT:
		return "sent";
	case SMTP_LINK_DOWN:
		return "link_down";
	case SMTP_TEMPORARY:
		return "temporary";
	case SMTP_PERMANENT:
		return "permanent";
	}
	return "unknown";
}

smtp_session *smtp_session_new(void)
{
	smtp_session *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->curl = curl_easy_init();
	if (!s->curl) {
		free(s);
		return NULL;
	}
	return s;
}

void smtp_session_free(smtp_session *s)
{
	if (!s)
		return;
	curl_easy_cleanup(s->curl); /* sends QUIT on a kept connection */
	free(s);
}

/* Appends text to a bounded buffer as printable UTF-8: controls become spaces, bytes that are
 * not UTF-8 become '?'. */
static void append_printable(char *out, size_t size, const char *text, size_t n)
{
	size_t at = strlen(out);
	const unsigned char *s = (const unsigned char *)text;

	for (size_t i = 0; i < n && at + 1 < size;) {
		unsigned char c = s[i];
		size_t len = c < 0x80         ? 1
		             : (c >> 5) == 6  ? 2
		             : (c >> 4) == 14 ? 3
		             : (c >> 3) == 30 ? 4
		                              : 0;
		bool whole = len > 0 && i + len <= n && at + len < size;

		for (size_t k = 1; whole && k < len; k++)
			whole = (s[i + k] & 0xC0) == 0x80;
		if (len == 1 || !whole) {
			out[at++] = c < 0x20 || c == 0x7F ? ' ' : c < 0x80 ? (char)c : '?';
			i++;
			continue;
		}
		memcpy(out + at, s + i, len);
		at += len;
		i += len;
	}
	out[at] = '\0';
}

/* One line the server sent: "250-first", "250 last". */
static void heard_line(struct conversation *c, const char *line, size_t n)
{
	bool final;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (n < 3 || line[0] < '0' || line[0] > '9')
		return;
	c->heard_server = true;
	if (strcmp(c->command, "QUIT") == 0)
		return; /* the goodbye after a refusal must not hide the refusal */
	final = n == 3 || line[3] == ' ';
	if (!c->reply_open)
		c->reply[0] = '\0';
	else if (strlen(c->reply) + 3 < sizeof c->reply)
		strcat(c->reply, " / ");
	append_printable(c->reply, sizeof c->reply, line, n);
	c->reply_open = !final;
	if (final) {
		snprintf(c->last, sizeof c->last, "%s", c->reply);
		c->last_code = atoi(line) % 1000;
		snprintf(c->last_to, sizeof c->last_to, "%s", c->command);
	}
}

/* Only the verb of a command is kept ("AUTH PLAIN <secret>" gives "AUTH"). */
static void sent_command(struct conversation *c, const char *data, size_t n)
{
	size_t k = 0;

	while (k < n && k + 1 < sizeof c->command && data[k] >= 'A' && data[k] <= 'Z')
		k++;
	if (k == 0)
		return; /* an AUTH continuation line: a secret, not a command */
	memcpy(c->command, data, k);
	c->command[k] = '\0';
}

static int on_debug(CURL *curl, curl_infotype type, char *data, size_t size, void *arg)
{
	struct conversation *c = arg;

	(void)curl;
	if (type == CURLINFO_HEADER_IN) {
		/* one call may carry several lines */
		size_t start = 0;

		for (size_t i = 0; i < size; i++)
			if (data[i] == '\n') {
				heard_line(c, data + start, i + 1 - start);
				start = i + 1;
			}
		if (start < size)
			heard_line(c, data + start, size - start);
	} else if (type == CURLINFO_HEADER_OUT) {
		sent_command(c, data, size);
	}
	return 0;
}

static size_t on_read(char *buffer, size_t size, size_t count, void *arg)
{
	struct upload *u = arg;
	size_t n = size * count;

	if (n > u->length - u->offset)
		n = u->length - u->offset;
	memcpy(buffer, u->data + u->offset, n);
	u->offset += n;
	return n;
}

static bool is_link_failure(CURLcode rc)
{
	return rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
	       rc == CURLE_COULDNT_CONNECT;
}

static bool is_tls_failure(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_USE_SSL_FAILED:
		return true;
	default:
		return false;
	}
}

/* A 5xx to the envelope or the message itself is the server's final word on this message;
 * a 5xx elsewhere (AUTH refused, STARTTLS, EHLO) is the configuration's problem: retried. */
static bool permanent_refusal(const struct conversation *c)
{
	return c->last_code >= 500 && c->last_code < 600 &&
	       (strcmp(c->last_to, "MAIL") == 0 || strcmp(c->last_to, "RCPT") == 0 ||
	        strcmp(c->last_to, "DATA") == 0);
}

static void classify(CURL *curl, CURLcode rc, const struct conversation *c, const char *server,
                     const char *error_text, long timeout_ms, struct smtp_result *out)
{
	long connected = 0;
	const char *what = error_text[0] ? error_text : curl_easy_strerror(rc);

	out->code = c->last_code;
	if (rc == CURLE_OK) {
		out->outcome = SMTP_SENT;
		snprintf(out->reply, sizeof out->reply, "%s", c->last);
		return;
	}
	curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected);
	if (is_link_failure(rc) ||
	    (rc == CURLE_OPERATION_TIMEDOUT && !c->heard_server && connected == 0)) {
		out->outcome = SMTP_LINK_DOWN;
		out->code = 0;
		snprintf(out->reply, sizeof out->reply, "%.160s: %.300s", server, what);
		return;
	}
	if (permanent_refusal(c)) {
		out->outcome = SMTP_PERMANENT;
		snprintf(out->reply, sizeof out->reply, "%s", c->last);
		return;
	}
	out->outcome = SMTP_TEMPORARY;
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(out->reply, sizeof out->reply,
		         "%.160s: no answer within %ld ms (after %.15s; last reply: %.250s)",
		         server, timeout_ms, c->command[0] ? c->command : "connect",
		         c->last[0] ? c->last : "none");
	} else if (is_tls_failure(rc)) {
		snprintf(out->reply, sizeof out->reply, "%.160s: TLS: %.300s", server, what);
	} else if (rc == CURLE_LOGIN_DENIED) {
		snprintf(out->reply, sizeof out->reply, "%.160s: AUTH refused: %.300s", server,
		         c->last[0] ? c->last : what);
	} else if (c->last_code >= 400 && c->last_to[0] && strcmp(c->last_to, c->command) == 0) {
		snprintf(out->reply, sizeof out->reply, "%s", c->last); /* the server's own words */
	} else {
		snprintf(out->reply, sizeof out->reply, "%.160s: %.300s (after %.15s)", server,
		         what, c->command[0] ? c->command : "connect");
	}
	/* keep it printable whatever libcurl wrote */
	char clean[sizeof out->reply] = "";
	append_printable(clean, sizeof clean, out->reply, strlen(out->reply));
	memcpy(out->reply, clean, sizeof clean);
}

/*
 * After a failure the connection is in no known state (a server stalled after the final dot,
 * a refusal): cut it, so it is never reused and libcurl's QUIT on it fails at once instead of
 * waiting for a server that does not answer.
 */
static void drop_connection(CURL *curl)
{
	curl_socket_t socket = CURL_SOCKET_BAD;

	if (curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK &&
	    socket != CURL_SOCKET_BAD)
		shutdown(socket, SHUT_RDWR);
}

/* "smtp://host:587/example.it": the path is the name given in EHLO (the sender's domain). */
static void url_of(const struct smtp_settings *cfg, char *out, size_t size, char *server,
                   size_t server_size)
{
	int port = cfg->port > 0 ? cfg->port : cfg->mode == SMTP_MODE_SMTPS ? 465 : 587;
	const char *at = strchr(cfg->from, '@');
	bool ipv6 = strchr(cfg->host, ':') != NULL;

	snprintf(server, server_size, "%s%s%s:%d", ipv6 ? "[" : "", cfg->host, ipv6 ? "]" : "",
	         port);
	snprintf(out, size, "%s://%s/%s", cfg->mode == SMTP_MODE_SMTPS ? "smtps" : "smtp", server,
	         at ? at + 1 : "localhost");
}

void smtp_send(smtp_session *s, const struct smtp_settings *cfg, const char *recipient,
               const char *data, size_t len, struct smtp_result *out)
{
	struct conversation c = {0};
	struct upload u = {.data = data, .length = len};
	struct curl_slist *rcpt = NULL;
	char url[600], server[300], from[300], to[300];
	char error_text[CURL_ERROR_SIZE] = "";
	long timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
	long low_speed_s = timeout_ms * 2 / 3 / 1000;
	CURL *curl = s->curl;
	CURLcode rc = CURLE_OK;

	memset(out, 0, sizeof *out);
	url_of(cfg, url, sizeof url, server, sizeof server);
	snprintf(from, sizeof from, "<%s>", cfg->from);
	snprintf(to, sizeof to, "<%s>", recipient);
	rcpt = curl_slist_append(NULL, to);
	if (!rcpt) {
		out->outcome = SMTP_TEMPORARY;
		snprintf(out->reply, sizeof out->reply, "out of memory");
		return;
	}
	curl_easy_reset(curl); /* keeps the connection and TLS session caches */
#define SET(option, value)                                                                         \
	do {                                                                                       \
		if (rc == CURLE_OK)                                                                \
			rc = curl_easy_setopt(curl, option, value);                                \
	} while (0)
	SET(CURLOPT_ERRORBUFFER, error_text);
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->ca_file[0])
		SET(CURLOPT_CAINFO, cfg->ca_file);
	SET(CURLOPT_CONNECTTIMEOUT_MS,
	    timeout_ms < CONNECT_TIMEOUT_MS_MAX ? timeout_ms : (long)CONNECT_TIMEOUT_MS_MAX);
	SET(CURLOPT_TIMEOUT_MS, timeout_ms);
	/* a server that stops answering (after the final dot, say) is given up before the whole
	 * attempt's bound when the bound is long */
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, low_speed_s > 0 ? low_speed_s : 1L);
	/* bounds each wait for a reply, also the QUIT libcurl sends when it lets a connection go */
	SET(CURLOPT_SERVER_RESPONSE_TIMEOUT, (timeout_ms + 999) / 1000);
	if (cfg->user[0]) {
		SET(CURLOPT_USERNAME, cfg->user);
		SET(CURLOPT_PASSWORD, cfg->password);
	}
	SET(CURLOPT_MAIL_FROM, from);
	SET(CURLOPT_MAIL_RCPT, rcpt);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_READFUNCTION, on_read);
	SET(CURLOPT_READDATA, &u);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	/* the debug callback sees every line; VERBOSE is what turns it on (nothing is printed) */
	SET(CURLOPT_DEBUGFUNCTION, on_debug);
	SET(CURLOPT_DEBUGDATA, &c);
	SET(CURLOPT_VERBOSE, 1L);
#undef SET
	if (rc == CURLE_OK)
		rc = curl_easy_perform(curl);
	if (rc != CURLE_OK)
		drop_connection(curl);
	/* libcurl keeps its own copy of the password: give it back now (it cannot be wiped) */
	curl_easy_setopt(curl, CURLOPT_PASSWORD, NULL);
	curl_easy_setopt(curl, CURLOPT_USERNAME, NULL);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, NULL);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(curl, CURLOPT_READDATA, NULL);
	classify(curl, rc, &c, server, error_text, timeout_ms, out);
	curl_slist_free_all(rcpt);
}
