/*
 * printer_uri_test.c — printer URI syntax: every scheme's good forms, and the near misses that
 * sscanf("%4x") used to take (trailing junk, signs, "0x", short ids).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "printer/printer_uri.h"

static void good_uris_pass(void **state)
{
	static const char *const GOOD[] = {
	        "usb",
	        "usb:04b8:0e28",
	        "usb:04B8:0E28",
	        "tcp:10.0.0.5",
	        "tcp:10.0.0.5:9100",
	        "tcp:printer.local:1",
	        "tcp:fe80::1",
	        "tcp:host:65535",
	        "file:/dev/usb/lp0",
	        "file:relative/out.bin",
	        "virtual:/tmp/slips/slip",
	};

	(void)state;
	for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++)
		assert_int_equal(printer_uri_check(GOOD[i], NULL), AG_OK);
}

static void bad_uris_are_refused_with_words(void **state)
{
	static const char *const BAD[] = {
	        "",
	        "usb:",
	        "usb:04b8:0e28junk",
	        "usb:+4b8:0e28",
	        "usb:0x4b:0e28",
	        "usb:4b8:e28",
	        "usb:04b8-0e28",
	        "usbx",
	        "USB",
	        "tcp:",
	        "tcp::9100",
	        "tcp:host:",
	        "tcp:host:0",
	        "tcp:host:65536",
	        "tcp:host:91OO",
	        "tcp:host:-1",
	        "tcp:my host",
	        "tcp:host/path",
	        "file:",
	        "file:/tmp/a\nb",
	        "virtual:",
	        "lpt1",
	        "http://printer",
	};
	agenda_detail why;

	(void)state;
	for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
		why.it[0] = '\0';
		assert_int_equal(printer_uri_check(BAD[i], &why), AG_ERR_INVALID);
		assert_non_null(strstr(why.it, "Indirizzo della stampante non valido"));
	}
	assert_int_equal(printer_uri_check(NULL, NULL), AG_ERR_INVALID);
}

static void overlong_uri_is_refused_not_cut(void **state)
{
	char uri[PRINTER_URI_MAX + 8] = "file:/";

	(void)state;
	memset(uri + 6, 'a', PRINTER_URI_MAX - 7);
	uri[PRINTER_URI_MAX - 1] = '\0'; /* 255 characters: the longest allowed */
	assert_int_equal(printer_uri_check(uri, NULL), AG_OK);
	strcat(uri, "a");
	assert_int_equal(printer_uri_check(uri, NULL), AG_ERR_INVALID);
}

static void usb_ids_and_tcp_target_are_parsed(void **state)
{
	char host[PRINTER_HOST_MAX], port[PRINTER_PORT_MAX];
	int vendor, product;

	(void)state;
	assert_true(printer_uri_usb_ids("", &vendor, &product));
	assert_int_equal(vendor, -1);
	assert_int_equal(product, -1);
	assert_true(printer_uri_usb_ids("04b8:0E28", &vendor, &product));
	assert_int_equal(vendor, 0x04b8);
	assert_int_equal(product, 0x0e28);
	assert_false(printer_uri_usb_ids("04b8:0e2", &vendor, &product));
	assert_int_equal(vendor, -1);

	assert_true(printer_uri_tcp_target("10.0.0.5", host, port));
	assert_string_equal(host, "10.0.0.5");
	assert_string_equal(port, "9100");
	assert_true(printer_uri_tcp_target("printer.local:9101", host, port));
	assert_string_equal(host, "printer.local");
	assert_string_equal(port, "9101");
	assert_true(printer_uri_tcp_target("fe80::1", host, port));
	assert_string_equal(host, "fe80::1");
	assert_string_equal(port, "9100");
	assert_false(printer_uri_tcp_target("host:99999", host, port));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(good_uris_pass),
	        cmocka_unit_test(bad_uris_are_refused_with_words),
	        cmocka_unit_test(overlong_uri_is_refused_not_cut),
	        cmocka_unit_test(usb_ids_and_tcp_target_are_parsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
