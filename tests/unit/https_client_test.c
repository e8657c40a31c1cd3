/*
 * https_client_test.c — the device's HTTPS transport without a server of ours: it really is
 * libcurl on mbedTLS, and each way of getting no answer is told apart within its time bound —
 * nothing listening (cannot connect), a peer that never speaks (time-out), a peer that is not
 * TLS (TLS failure) — and a request that makes no sense (no CA pinned; unchecked TLS with a body
 * or the device's identity) is refused unsent.
 * Real sockets on loopback; the end-to-end runs against agenda-central are in
 * tests/integration/provision_test.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sync/https_client.h"

/* A listening socket on 127.0.0.1 with a port the kernel picked. */
static int listen_loopback(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void built_on_mbedtls(void **state)
{
	(void)state;
	assert_memory_equal(https_tls_library(), "mbedTLS", 7);
}

static void nothing_listening_is_cannot_connect(void **state)
{
	struct https_request req = {.method = "GET", .insecure = true, .total_timeout_ms = 5000};
	struct https_response r;
	agenda_detail why;
	char url[64];
	int port, fd = listen_loopback(&port);

	(void)state;
	close(fd); /* the port is now closed: connection refused */
	snprintf(url, sizeof url, "https://localhost:%d/v1/ca", port);
	req.url = url;
	assert_int_equal(https_request(&req, &r, &why), AG_ERR_IO);
	assert_int_equal(r.failure, HTTPS_CONNECT);
	assert_non_null(strstr(why.it, "Impossibile collegarsi"));
	assert_non_null(strstr(why.en, "localhost"));
	assert_null(r.body);
}

static void silent_peer_is_a_timeout_within_its_bound(void **state)
{
	struct https_request req = {.method = "GET", .insecure = true, .total_timeout_ms = 700};
	struct https_response r;
	struct timespec t0;
	agenda_detail why;
	char url[64];
	int port, fd = listen_loopback(&port);

	(void)state;
	/* The kernel completes the TCP handshake; nobody ever answers the ClientHello. */
	snprintf(url, sizeof url, "https://localhost:%d/v1/ca", port);
	req.url = url;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(https_request(&req, &r, &why), AG_ERR_IO);
	assert_int_equal(r.failure, HTTPS_TIMEOUT);
	assert_true(seconds_since(&t0) < 5.0);
	assert_non_null(strstr(why.en, "did not answer"));
	close(fd);
}

static void *plain_http_peer(void *arg)
{
	static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	char buf[4096];
	int fd = accept(*(int *)arg, NULL, NULL);

	if (fd >= 0) {
		if (read(fd, buf, sizeof buf) > 0 && write(fd, answer, sizeof answer - 1) < 0)
			buf[0] = 0;
		close(fd);
	}
	return NULL;
}

static void peer_without_tls_is_a_tls_failure(void **state)
{
	static const char ca[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
	struct https_request req = {
	        .method = "POST", .json_body = "{}", .ca_pem = ca, .total_timeout_ms = 5000};
	struct https_response r;
	agenda_detail why;
	pthread_t peer;
	char url[64];
	int port, fd = listen_loopback(&port);

	(void)state;
	assert_int_equal(pthread_create(&peer, NULL, plain_http_peer, &fd), 0);
	snprintf(url, sizeof url, "https://localhost:%d/v1/enrol", port);
	req.url = url;
	assert_int_equal(https_request(&req, &r, &why), AG_ERR_REFUSED);
	assert_int_equal(r.failure, HTTPS_TLS);
	assert_non_null(strstr(why.it, "Nulla è stato inviato"));
	pthread_join(peer, NULL);
	close(fd);
}

static void senseless_requests_are_refused_unsent(void **state)
{
	struct https_request no_ca = {.method = "GET", .url = "https://localhost:1/v1/ca"};
	struct https_request half_identity = {.method = "GET",
	                                      .url = "https://localhost:1/v1/device/whoami",
	                                      .insecure = true,
	                                      .client_cert_file = "device.pem"};
	struct https_request post_without_body = {
	        .method = "POST", .url = "https://localhost:1/v1/enrol", .insecure = true};
	struct https_request insecure_post = {.method = "POST",
	                                      .url = "https://localhost:1/v1/enrol",
	                                      .json_body = "{\"code\":\"secret\"}",
	                                      .insecure = true};
	struct https_request insecure_identity = {.method = "GET",
	                                          .url = "https://localhost:1/v1/device/whoami",
	                                          .insecure = true,
	                                          .client_cert_file = "device.pem",
	                                          .client_key_file = "device.key"};
	struct https_response r;

	(void)state;
	assert_int_equal(https_request(&no_ca, &r, NULL), AG_ERR_USAGE);
	/* unchecked TLS never carries a body (the code) or the device's identity */
	assert_int_equal(https_request(&insecure_post, &r, NULL), AG_ERR_USAGE);
	assert_int_equal(https_request(&insecure_identity, &r, NULL), AG_ERR_USAGE);
	assert_int_equal(https_request(&half_identity, &r, NULL), AG_ERR_USAGE);
	assert_int_equal(https_request(&post_without_body, &r, NULL), AG_ERR_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(built_on_mbedtls),
	        cmocka_unit_test(nothing_listening_is_cannot_connect),
	        cmocka_unit_test(silent_peer_is_a_timeout_within_its_bound),
	        cmocka_unit_test(peer_without_tls_is_a_tls_failure),
	        cmocka_unit_test(senseless_requests_are_refused_unsent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
