/*
 * printer_tcp.c — the tcp backend: raw ESC/POS to a network printer's port 9100 (the "JetDirect"
 * or "RAW" port Epson's Ethernet interfaces listen on). Status is asked with DLE EOT like over
 * USB; a printer that does not answer within half a second reports UNKNOWN, not a fault.
 */
#include "printer/printer.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TCP_CONNECT_MS      3000
#define TCP_STATUS_REPLY_MS 500

typedef struct tcp_impl {
	int fd;
} tcp_impl;

static printer_fault fault_of_errno(int e)
{
	switch (e) {
	case ECONNREFUSED:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
		return PRINTER_NOT_FOUND;
	case ETIMEDOUT:
	case EAGAIN:
		return PRINTER_TIMEOUT;
	case EPIPE:
	case ECONNRESET:
		return PRINTER_DISCONNECTED;
	case EACCES:
	case EPERM:
		return PRINTER_PERMISSION;
	default:
		return PRINTER_IO;
	}
}

/* Waits for fd to be ready for events; 0 ready, ETIMEDOUT, or an errno. */
static int wait_fd(int fd, short events, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int r;

	do
		r = poll(&pfd, 1, ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno;
	return r == 0 ? ETIMEDOUT : 0;
}

static int connect_to(const char *host, const char *port, printer_fault *fault)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
	int fd = -1, e = ECONNREFUSED;

	if (getaddrinfo(host, port, &hints, &res) != 0) {
		*fault = PRINTER_NOT_FOUND;
		return -1;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		socklen_t elen = sizeof e;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		            ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		if (e == EINPROGRESS) {
			e = wait_fd(fd, POLLOUT, TCP_CONNECT_MS);
			if (e == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) == 0 &&
			    e == 0)
				break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		*fault = fault_of_errno(e);
	return fd;
}

static agenda_err tcp_open(printer *p, const char *arg)
{
	char host[PRINTER_HOST_MAX], port[PRINTER_PORT_MAX];
	tcp_impl *t;
	int fd;

	if (!printer_uri_tcp_target(arg, host, port)) {
		p->fault = PRINTER_BAD_TARGET;
		return AG_ERR_INVALID;
	}
	fd = connect_to(host, port, &p->fault);
	if (fd < 0)
		return AG_ERR_IO;
	t = malloc(sizeof *t);
	if (!t) {
		close(fd);
		return AG_ERR_NOMEM;
	}
	t->fd = fd;
	p->impl = t;
	return AG_OK;
}

static agenda_err send_all(printer *p, const unsigned char *data, size_t len, size_t *written,
                           int ms)
{
	tcp_impl *t = p->impl;

	*written = 0;
	while (*written < len) {
		ssize_t n = send(t->fd, data + *written, len - *written, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			int e = wait_fd(t->fd, POLLOUT, ms);

			if (e) {
				p->fault = fault_of_errno(e);
				return AG_ERR_IO;
			}
			continue;
		}
		if (n <= 0) {
			p->fault = n < 0 ? fault_of_errno(errno) : PRINTER_DISCONNECTED;
			return AG_ERR_IO;
		}
		*written += (size_t)n;
	}
	return AG_OK;
}

static agenda_err tcp_write(printer *p, const unsigned char *data, size_t len, size_t *written)
{
	int ms = p->timeout_ms ? p->timeout_ms : printer_profile_print_ms(p->profile, len);

	return send_all(p, data, len, written, ms);
}

/* One DLE EOT n and its one-byte reply, or -1 when none came. */
static int ask(printer *p, int n, agenda_err *err)
{
	tcp_impl *t = p->impl;
	const unsigned char cmd[3] = {0x10, 0x04, (unsigned char)n};
	unsigned char reply;
	size_t w;

	if ((*err = send_all(p, cmd, sizeof cmd, &w, TCP_STATUS_REPLY_MS)) != AG_OK)
		return -1;
	if (wait_fd(t->fd, POLLIN, TCP_STATUS_REPLY_MS) != 0)
		return -1;
	if (recv(t->fd, &reply, 1, 0) != 1) {
		p->fault = PRINTER_DISCONNECTED;
		*err = AG_ERR_IO;
		return -1;
	}
	return reply;
}

static agenda_err tcp_status(printer *p, unsigned *flags)
{
	agenda_err err = AG_OK;
	int b1 = ask(p, 1, &err), b2 = err ? -1 : ask(p, 2, &err), b4 = err ? -1 : ask(p, 4, &err);

	*flags = printer_status_decode(b1, b2, b4);
	return err;
}

static void tcp_close(printer *p)
{
	tcp_impl *t = p->impl;

	close(t->fd);
	free(t);
}

const printer_ops printer_tcp_ops = {"tcp", tcp_open, tcp_write, tcp_status, tcp_close};
