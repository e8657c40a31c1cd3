/*
 * fuzz_config.c — libFuzzer target for the kiosk's configuration: its command line
 * (ui/args.h, ui_args_parse) and printer URIs (drivers/printer/printer_uri.h), the two places
 * where a technician's text becomes settings. (AGENDA_NOW has its own target, fuzz_clock.)
 *
 * The input is cut at NUL bytes into up to 15 arguments. Checks: an accepted command line has
 * every value in its documented range and a printer URI that printer_uri_check accepts; a refused
 * one names the offending argument. Every argument is also checked as a printer URI: an accepted
 * one is shorter than PRINTER_URI_MAX, of a known scheme, and its usb ids or tcp host and port
 * read back as written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "printer/printer_uri.h"

#define ARGS_MAX 16

static void check_uri(const char *uri)
{
	char host[PRINTER_HOST_MAX], port[PRINTER_PORT_MAX];
	int vendor, product;

	if (printer_uri_check(uri, NULL) != AG_OK)
		return;
	if (strlen(uri) >= PRINTER_URI_MAX)
		abort();
	if (strncmp(uri, "usb:", 4) == 0) {
		char again[PRINTER_URI_MAX];

		if (!printer_uri_usb_ids(uri + 4, &vendor, &product) || vendor < 0 || product < 0)
			abort();
		snprintf(again, sizeof again, "usb:%04x:%04x", (unsigned)vendor, (unsigned)product);
		if (strcasecmp(again, uri) != 0)
			abort(); /* ids read back as written: nothing ignored */
	} else if (strncmp(uri, "tcp:", 4) == 0) {
		if (!printer_uri_tcp_target(uri + 4, host, port) || !host[0] || !port[0])
			abort();
		if (strstr(uri + 4, host) != uri + 4 || atoi(port) < 1 || atoi(port) > 65535)
			abort();
	} else if (strcmp(uri, "usb") != 0 && strncmp(uri, "file:", 5) != 0 &&
	           strncmp(uri, "virtual:", 8) != 0) {
		abort(); /* an unknown scheme passed */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[ARGS_MAX + 1] = {"agenda-kiosk"};
	struct ui_config config;
	const char *bad = NULL;
	int argc = 1;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (char *p = copy; argc < ARGS_MAX && p <= copy + size; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	for (int i = 1; i < argc; i++)
		check_uri(argv[i]);
	if (ui_args_parse(argc, argv, &config, &bad)) {
		if (bad || config.width < 320 || config.width > 7680 || config.height < 240 ||
		    config.height > 4320 || config.idle_logout_s < 0 ||
		    config.idle_logout_s > 86400 ||
		    (config.lang != LANG_IT && config.lang != LANG_EN) ||
		    (config.screenshot_dir && !config.script_path) ||
		    (config.printer_uri && printer_uri_check(config.printer_uri, NULL) != AG_OK))
			abort();
	} else if (!bad) {
		abort(); /* refused without naming the argument */
	}
	free(copy);
	return 0;
}
