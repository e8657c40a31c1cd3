/*
 * printer_uri.c — printer URI syntax (printer_uri.h). Strict on purpose: sscanf("%4x") took
 * "usb:04b8:0e28junk" and "usb:+4b8:0e28" as the printer 04b8:0e28, so a typo printed on the
 * wrong device or on none without saying why.
 */
#include "printer/printer_uri.h"

#include <stdio.h>
#include <string.h>

#include "core/messages.h"

#define TCP_DEFAULT_PORT "9100"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly four hex digits at s. */
static bool hex4(const char *s, int *out)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int d = hex_digit(s[i]);

		if (d < 0)
			return false;
		v = v * 16 + d;
	}
	*out = v;
	return true;
}

bool printer_uri_usb_ids(const char *arg, int *vendor, int *product)
{
	*vendor = *product = -1;
	if (arg[0] == '\0')
		return true;
	if (strlen(arg) != 9 || arg[4] != ':' || !hex4(arg, vendor) || !hex4(arg + 5, product)) {
		*vendor = *product = -1;
		return false;
	}
	return true;
}

bool printer_uri_usb(const char *uri, int *vendor, int *product)
{
	*vendor = *product = -1;
	if (strcmp(uri, "usb") == 0)
		return true;
	return strncmp(uri, "usb:", 4) == 0 && uri[4] != '\0' &&
	       printer_uri_usb_ids(uri + 4, vendor, product);
}

/* A host name or address: printable ASCII, no spaces, nothing that ends a URI part. */
static bool host_ok(const char *s, size_t len)
{
	if (len == 0 || len >= PRINTER_HOST_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '/' || s[i] == '@')
			return false;
	return true;
}

static bool port_ok(const char *s)
{
	long v = 0;
	size_t len = strlen(s);

	if (len == 0 || len >= PRINTER_PORT_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

bool printer_uri_tcp_target(const char *arg, char host[PRINTER_HOST_MAX],
                            char port[PRINTER_PORT_MAX])
{
	const char *colon = strchr(arg, ':'), *port_text = TCP_DEFAULT_PORT;
	size_t host_len = strlen(arg);

	host[0] = port[0] = '\0';
	/* One colon: host:port. More: a bare IPv6 address, on the default port. */
	if (colon && !strchr(colon + 1, ':')) {
		host_len = (size_t)(colon - arg);
		port_text = colon + 1;
		if (!port_ok(port_text))
			return false;
	}
	if (!host_ok(arg, host_len))
		return false;
	snprintf(host, PRINTER_HOST_MAX, "%.*s", (int)host_len, arg);
	snprintf(port, PRINTER_PORT_MAX, "%s", port_text);
	return true;
}

/* A path for file: or virtual:: not empty, no control characters. */
static bool path_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return false;
	return true;
}

static bool tcp_ok(const char *arg)
{
	char host[PRINTER_HOST_MAX], port[PRINTER_PORT_MAX];

	return printer_uri_tcp_target(arg, host, port);
}

agenda_err printer_uri_check(const char *uri, agenda_detail *detail)
{
	int vendor, product;
	bool ok = false;

	if (uri && strlen(uri) < PRINTER_URI_MAX) {
		if (printer_uri_usb(uri, &vendor, &product))
			ok = true;
		else if (strncmp(uri, "tcp:", 4) == 0)
			ok = tcp_ok(uri + 4);
		else if (strncmp(uri, "file:", 5) == 0)
			ok = path_ok(uri + 5);
		else if (strncmp(uri, "virtual:", 8) == 0)
			ok = path_ok(uri + 8);
	}
	if (ok)
		return AG_OK;
	agenda_detail_set(detail, MSG_PRINTER_BAD_TARGET, uri ? uri : "(null)");
	return AG_ERR_INVALID;
}
