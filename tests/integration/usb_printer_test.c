/*
 * usb_printer_test.c — the libusb backend against an emulated USB receipt printer
 * (usb_fake_printer.h, umockdev): the real libusb and the real backend on top of a usbfs ioctl
 * handler that records bulk OUT bytes and answers DLE EOT status queries. Each test plugs in its
 * own printer: enumeration by profile ids, OUT endpoint at 0x02, vendor-class devices, usblp
 * detach, exact bytes received, interface busy. Faults: paper out and cover open (status bytes),
 * a transfer that never completes (the URB is never reaped; libusb's timeout discards it), unplug
 * mid-job (ENODEV). Run under umockdev-wrapper (ctest does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printer/escpos.h"
#include "printer/print_queue.h"
#include "usb_fake_printer.h"

/* Plugs in one printer; usblp holds it, as the kernel leaves a printer at hotplug. */
static void plug_in_printer(unsigned vendor_id, unsigned product_id, unsigned interface_class,
                            unsigned endpoint_out, unsigned endpoint_in)
{
	const struct usb_fake_printer_device device = {.vendor_id = vendor_id,
	                                               .product_id = product_id,
	                                               .interface_class = interface_class,
	                                               .endpoint_out = endpoint_out,
	                                               .endpoint_in = endpoint_in,
	                                               .usblp_bound = true};

	assert_int_equal(usb_fake_printer_start(&device), 0);
}

static int teardown(void **state)
{
	(void)state;
	usb_fake_printer_stop();
	return 0;
}

/* The printer received exactly these bytes, nothing more. */
static void assert_received(const escpos_buf *bytes)
{
	size_t len;
	unsigned char *received = usb_fake_printer_received_copy(&len);

	assert_non_null(received);
	assert_int_equal(len, bytes->len);
	assert_memory_equal(received, bytes->data, bytes->len);
	free(received);
}

/* A real slip's bytes for a profile. */
static void slip_bytes(const printer_profile *p, escpos_buf *b)
{
	static slip s;
	slip_input in = {.city = "Milano",
	                 .surname = "DE ANDRÈ",
	                 .name = "Fabrizio",
	                 .birth_date = date_from_ymd(1985, 2, 18),
	                 .nationality = "Italiana",
	                 .numero_pratica = "P-MI/L/N/2026/004242",
	                 .questura_name = "Questura di Milano",
	                 .questura_address = "Via Montebello 26",
	                 .day = date_from_ymd(2026, 5, 6),
	                 .minute = 615,
	                 .what_to_bring = "Marca da bollo da 16 €",
	                 .reference = "9a0e7a52-6a0c-4d8e-b0a8-1f5e2c9d7b31",
	                 .operator_id = "op7",
	                 .printed_day = date_from_ymd(2026, 4, 20),
	                 .printed_minute = 600,
	                 .columns = p->columns};

	assert_int_equal(slip_build(&in, &s, NULL), AG_OK);
	escpos_buf_init(b);
	assert_int_equal(escpos_render_slip(&s, p, b), AG_OK);
}

static void enumerate_detach_and_exact_bytes(void **state)
{
	const printer_profile *t20 = printer_profile_find("tm-t20iii");
	printer *p;
	printer_fault f;
	agenda_detail d;
	escpos_buf bytes;
	size_t sent;
	unsigned flags;

	(void)state;
	plug_in_printer(0x04b8, 0x0e28, 7, 0x02, 0x81); /* OUT at 0x02, not 0x01 */
	assert_int_equal(printer_open("usb", NULL, 0, &p, &f, &d), AG_OK);
	assert_ptr_equal(p->profile, t20);              /* chosen by its USB ids */
	assert_true(usb_fake_printer_usblp_detached()); /* usblp let go */
	slip_bytes(t20, &bytes);
	assert_int_equal(printer_write(p, bytes.data, bytes.len, &sent, &d), AG_OK);
	assert_int_equal(sent, bytes.len);
	assert_received(&bytes);
	assert_int_equal(printer_status(p, &flags, &d), AG_OK);
	assert_int_equal(flags, 0);
	assert_non_null(strstr(d.it, "pronta"));
	printer_close(p);
	escpos_buf_free(&bytes);
	/* by explicit ids too; a wrong id finds nothing */
	assert_int_equal(printer_open("usb:04b8:0e28", NULL, 0, &p, &f, &d), AG_OK);
	printer_close(p);
	assert_int_equal(printer_open("usb:04b8:9999", NULL, 0, &p, &f, &d), AG_ERR_IO);
	assert_int_equal(f, PRINTER_NOT_FOUND);
	assert_non_null(strstr(d.it, "Stampante non trovata"));
}

static void vendor_class_device(void **state)
{
	printer *p;
	printer_fault f;
	agenda_detail d;
	unsigned flags;

	(void)state;
	plug_in_printer(0x04b8, 0x0202, 0xFF, 0x01, 0x82);
	assert_int_equal(printer_open("usb", NULL, 0, &p, &f, &d), AG_OK);
	assert_ptr_equal(p->profile, printer_profile_find("tm-t88v"));
	assert_int_equal(printer_status(p, &flags, &d), AG_OK);
	assert_int_equal(flags, 0);
	printer_close(p);
}

static void unknown_vendor_class_is_not_a_printer(void **state)
{
	printer *p;
	printer_fault f;
	agenda_detail d;

	(void)state;
	plug_in_printer(0x1234, 0x5678, 0xFF, 0x01, 0x82);
	assert_int_equal(printer_open("usb", NULL, 0, &p, &f, &d), AG_ERR_IO);
	assert_int_equal(f, PRINTER_NOT_FOUND);
}

static void busy_is_explained(void **state)
{
	printer *p;
	printer_fault f;
	agenda_detail d;

	(void)state;
	plug_in_printer(0x04b8, 0x0e28, 7, 0x01, 0x82);
	usb_fake_printer_busy(true);
	assert_int_equal(printer_open("usb", NULL, 0, &p, &f, &d), AG_ERR_IO);
	assert_int_equal(f, PRINTER_BUSY);
	assert_non_null(strstr(d.it, "occupata"));
}

static void run_job(const char *uri, const printer_profile *profile, int timeout_ms,
                    const escpos_buf *bytes, print_queue **q, print_job_info *info)
{
	uint64_t id;

	assert_int_equal(print_queue_start(&(print_queue_config){.uri = uri,
	                                                         .profile = profile,
	                                                         .timeout_ms = timeout_ms},
	                                   q),
	                 AG_OK);
	assert_int_equal(print_queue_submit(*q, "ref", bytes->data, bytes->len, &id), AG_OK);
	assert_int_equal(print_queue_wait(*q, id, 20000, info), AG_OK);
}

static void paper_out_and_cover_open(void **state)
{
	const printer_profile *t20 = printer_profile_find("tm-t20iii");
	print_queue *q;
	print_job_info info;
	escpos_buf bytes;
	uint64_t again;

	(void)state;
	plug_in_printer(0x04b8, 0x0e28, 7, 0x01, 0x82);
	slip_bytes(t20, &bytes);
	usb_fake_printer_status(2, 0x32); /* offline cause: printing stopped by paper end */
	usb_fake_printer_status(4, 0x7E); /* roll: near end and end */
	run_job("usb", t20, 0, &bytes, &q, &info);
	assert_int_equal(info.state, PRINT_JOB_FAILED);
	assert_int_equal(info.fault, PRINTER_PAPER_OUT);
	assert_int_equal(usb_fake_printer_received(), 0); /* nothing half-printed */

	usb_fake_printer_status(2, 0x16); /* paper loaded, cover left open */
	usb_fake_printer_status(4, 0x12);
	assert_int_equal(print_queue_retry(q, info.id, &again), AG_OK);
	assert_int_equal(print_queue_wait(q, again, 20000, &info), AG_OK);
	assert_int_equal(info.fault, PRINTER_COVER_OPEN);
	assert_int_equal(usb_fake_printer_received(), 0);

	usb_fake_printer_status(2, 0x12);
	assert_int_equal(print_queue_retry(q, info.id, &again), AG_OK);
	assert_int_equal(print_queue_wait(q, again, 20000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_DONE);
	assert_received(&bytes);
	print_queue_stop(q);
	escpos_buf_free(&bytes);
}

static void transfer_that_never_completes(void **state)
{
	const printer_profile *t20 = printer_profile_find("tm-t20iii");
	print_queue *q;
	print_job_info info;
	escpos_buf bytes;
	uint64_t again;

	(void)state;
	plug_in_printer(0x04b8, 0x0e28, 7, 0x01, 0x82);
	slip_bytes(t20, &bytes);
	run_job("usb", t20, 0, &bytes, &q, &info); /* status first: fine */
	assert_int_equal(info.state, PRINT_JOB_DONE);
	print_queue_stop(q);

	usb_fake_printer_clear_received();
	/* the printer accepts the status query, then stops taking data */
	{
		printer *p;
		printer_fault f;
		agenda_detail d;
		size_t sent = 99;

		assert_int_equal(printer_open("usb", t20, 300, &p, &f, &d), AG_OK);
		/* from here on no OUT transfer completes, status queries included */
		usb_fake_printer_stall(USB_FAKE_PRINTER_STALL_ALL);
		assert_int_equal(printer_write(p, bytes.data, bytes.len, &sent, &d), AG_ERR_IO);
		assert_int_equal(p->fault, PRINTER_TIMEOUT);
		assert_int_equal(sent, 0); /* `transferred` said nothing went through */
		assert_non_null(strstr(d.it, "non risponde"));
		printer_close(p);
	}
	/* through the queue: the job fails and its bytes wait in the reprint queue */
	{
		uint64_t failed[2];

		assert_int_equal(print_queue_start(&(print_queue_config){.uri = "usb",
		                                                         .profile = t20,
		                                                         .timeout_ms = 300},
		                                   &q),
		                 AG_OK);
		assert_int_equal(print_queue_submit(q, "ref", bytes.data, bytes.len, &again),
		                 AG_OK);
		assert_int_equal(print_queue_wait(q, again, 20000, &info), AG_OK);
		assert_int_equal(info.state, PRINT_JOB_FAILED);
		assert_int_equal(info.fault, PRINTER_TIMEOUT);
		assert_int_equal(print_queue_failed(q, failed, 2), 1);
	}
	usb_fake_printer_stall(USB_FAKE_PRINTER_STALL_NONE);
	assert_int_equal(print_queue_retry(q, info.id, &again), AG_OK);
	assert_int_equal(print_queue_wait(q, again, 20000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_DONE);
	/* printed exactly once */
	assert_received(&bytes);
	print_queue_stop(q);
	escpos_buf_free(&bytes);
}

static void unplug_mid_job(void **state)
{
	const printer_profile *p58 = printer_profile_find("generic-58");
	print_queue *q;
	print_job_info info;
	escpos_buf bytes;
	uint64_t again;

	(void)state;
	plug_in_printer(0x0416, 0x5011, 7, 0x03, 0x81);
	slip_bytes(p58, &bytes); /* raster QR: several 1 KiB chunks */
	assert_true(bytes.len > 2 * p58->chunk_bytes);
	usb_fake_printer_unplug_after(p58->chunk_bytes);
	run_job("usb", p58, 0, &bytes, &q, &info);
	assert_int_equal(info.state, PRINT_JOB_FAILED);
	assert_int_equal(info.fault, PRINTER_DISCONNECTED);
	assert_true(info.sent >= p58->chunk_bytes && info.sent < bytes.len);

	/* plugged back in: the retry reopens the printer and prints the whole slip */
	usb_fake_printer_plug_in();
	usb_fake_printer_clear_received();
	assert_int_equal(print_queue_retry(q, info.id, &again), AG_OK);
	assert_int_equal(print_queue_wait(q, again, 20000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_DONE);
	assert_received(&bytes);
	print_queue_stop(q);
	escpos_buf_free(&bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_teardown(enumerate_detach_and_exact_bytes, teardown),
	        cmocka_unit_test_teardown(vendor_class_device, teardown),
	        cmocka_unit_test_teardown(unknown_vendor_class_is_not_a_printer, teardown),
	        cmocka_unit_test_teardown(busy_is_explained, teardown),
	        cmocka_unit_test_teardown(paper_out_and_cover_open, teardown),
	        cmocka_unit_test_teardown(transfer_that_never_completes, teardown),
	        cmocka_unit_test_teardown(unplug_mid_job, teardown),
	};

	const char *preload = getenv("LD_PRELOAD");

	if (!preload || !strstr(preload, "umockdev-preload")) {
		fprintf(stderr, "usb_printer_test: run under umockdev-wrapper\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
