/*
 * usb_printer_test.c — the libusb backend against an emulated USB receipt printer (umockdev).
 *
 * As libusb's own tests/umockdev.c does, the test builds a umockdev testbed in-process with the
 * printer's sysfs attributes and descriptors, and answers usbfs ioctls itself: bulk OUT URBs are
 * recorded byte for byte, a DLE EOT n on OUT makes the next bulk IN URB return that status byte,
 * GETDRIVER/DISCONNECT play the kernel's usblp. The real libusb and the real backend run on top.
 * Faults: paper out and cover open (status bytes), a transfer that never completes (the URB is
 * never reaped; libusb's timeout discards it), unplug mid-job (ENODEV). Run under
 * umockdev-wrapper (ctest does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <glib.h>
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umockdev.h>

#include "printer/escpos.h"
#include "printer/print_queue.h"

typedef struct urb_slot {
	UMockdevIoctlData *urb_data;
	int actual;
	int in_byte; /* -1 for OUT */
} urb_slot;

typedef struct fake_printer {
	pthread_mutex_t lock;
	GByteArray *received;    /* every OUT byte that is not a status query */
	GList *flying;           /* urb_slot: submitted, not ready */
	GList *ready;            /* urb_slot: to be reaped */
	GList *discarded;        /* urb_slot: cancelled, to be reaped with -ENOENT */
	unsigned char status[5]; /* reply to DLE EOT n, n = 1..4 */
	GQueue replies;          /* status bytes waiting for an IN URB */
	bool stall_out;          /* OUT URBs never complete */
	bool unplugged;
	size_t unplug_after; /* unplug once this many bytes were received (0: never) */
	bool usblp_bound;
	bool detached;
	bool busy; /* CLAIMINTERFACE fails with EBUSY */
} fake_printer;

static fake_printer fake;

typedef struct bed {
	UMockdevTestbed *testbed;
	UMockdevIoctlBase *handler;
} bed;

static void slot_free(gpointer p)
{
	urb_slot *s = p;

	umockdev_ioctl_data_unref(s->urb_data);
	g_free(s);
}

static gint slot_by_addr(gconstpointer a, gconstpointer addr)
{
	const urb_slot *s = a;

	return s->urb_data->client_addr != (gulong)addr;
}

/* Moves waiting IN URBs to ready while replies are queued. Lock held. */
static void feed_in_urbs(void)
{
	GList *l = fake.flying;

	while (l && !g_queue_is_empty(&fake.replies)) {
		GList *next = l->next;
		urb_slot *s = l->data;

		if (s->in_byte == -2) {
			s->in_byte = GPOINTER_TO_INT(g_queue_pop_head(&fake.replies));
			s->actual = 1;
			fake.flying = g_list_delete_link(fake.flying, l);
			fake.ready = g_list_append(fake.ready, s);
		}
		l = next;
	}
}

static gboolean submit(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *urb_data =
	        umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
	struct usbdevfs_urb *urb = (struct usbdevfs_urb *)urb_data->data;
	urb_slot *s;

	if (fake.unplugged) {
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		return TRUE;
	}
	s = g_new0(urb_slot, 1);
	s->urb_data = umockdev_ioctl_data_ref(urb_data);
	if (urb->endpoint & 0x80) {
		s->in_byte = -2; /* waiting for a reply */
		fake.flying = g_list_append(fake.flying, s);
		feed_in_urbs();
	} else {
		g_autoptr(UMockdevIoctlData) buf = umockdev_ioctl_data_resolve(
		        urb_data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
		        (gsize)urb->buffer_length, NULL);
		const unsigned char *d = buf->data;

		s->in_byte = -1;
		s->actual = urb->buffer_length;
		if (fake.stall_out) {
			fake.flying = g_list_append(fake.flying, s);
		} else {
			if (urb->buffer_length == 3 && d[0] == 0x10 && d[1] == 0x04 && d[2] >= 1 &&
			    d[2] <= 4)
				g_queue_push_tail(&fake.replies,
				                  GINT_TO_POINTER(fake.status[d[2]]));
			else
				g_byte_array_append(fake.received, d, (guint)urb->buffer_length);
			fake.ready = g_list_append(fake.ready, s);
			feed_in_urbs();
			if (fake.unplug_after && fake.received->len >= fake.unplug_after)
				fake.unplugged = true;
		}
	}
	umockdev_ioctl_data_unref(urb_data);
	umockdev_ioctl_client_complete(client, 0, 0);
	return TRUE;
}

static gboolean reap(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	urb_slot *s = NULL;
	int status = 0;

	if (fake.discarded) {
		s = fake.discarded->data;
		fake.discarded = g_list_delete_link(fake.discarded, fake.discarded);
		status = -ENOENT;
	} else if (fake.ready) {
		s = fake.ready->data;
		fake.ready = g_list_delete_link(fake.ready, fake.ready);
	} else if (fake.unplugged && fake.flying) {
		/* as the kernel does: URBs in flight come back killed, then the device is gone */
		s = fake.flying->data;
		fake.flying = g_list_delete_link(fake.flying, fake.flying);
		status = -ESHUTDOWN;
	} else if (fake.unplugged) {
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		return TRUE;
	}
	if (!s) {
		umockdev_ioctl_client_complete(client, -1, EAGAIN);
		return TRUE;
	}
	{
		struct usbdevfs_urb *urb = (struct usbdevfs_urb *)s->urb_data->data;
		g_autoptr(UMockdevIoctlData) ptr =
		        umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);

		urb->status = status;
		urb->actual_length = status ? 0 : s->actual;
		if (!status && s->in_byte >= 0)
			*(unsigned char *)urb->buffer = (unsigned char)s->in_byte;
		umockdev_ioctl_data_set_ptr(ptr, 0, s->urb_data);
	}
	slot_free(s);
	umockdev_ioctl_client_complete(client, 0, 0);
	return TRUE;
}

static gboolean handle_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer data)
{
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	gulong request = umockdev_ioctl_client_get_request(client);
	gboolean handled = TRUE;

	(void)handler;
	(void)data;
	pthread_mutex_lock(&fake.lock);
	switch (request) {
	case USBDEVFS_GET_CAPABILITIES: {
		g_autoptr(UMockdevIoctlData) d =
		        umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);

		*(guint32 *)d->data = USBDEVFS_CAP_BULK_CONTINUATION |
		                      USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
		                      USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET;
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_GETDRIVER: {
		g_autoptr(UMockdevIoctlData) d = umockdev_ioctl_data_resolve(
		        arg, 0, sizeof(struct usbdevfs_getdriver), NULL);
		struct usbdevfs_getdriver *gd = (struct usbdevfs_getdriver *)d->data;

		if (fake.usblp_bound) {
			snprintf(gd->driver, sizeof gd->driver, "usblp");
			umockdev_ioctl_client_complete(client, 0, 0);
		} else {
			umockdev_ioctl_client_complete(client, -1, ENODATA);
		}
		break;
	}
	case USBDEVFS_IOCTL: {
		g_autoptr(UMockdevIoctlData) d =
		        umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_ioctl), NULL);
		const struct usbdevfs_ioctl *io = (const struct usbdevfs_ioctl *)d->data;

		if (io->ioctl_code == (int)USBDEVFS_DISCONNECT) {
			fake.usblp_bound = false;
			fake.detached = true;
		}
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_CLAIMINTERFACE:
		if (fake.busy)
			umockdev_ioctl_client_complete(client, -1, EBUSY);
		else
			umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_RELEASEINTERFACE:
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESET:
	case USBDEVFS_RESETEP:
	case USBDEVFS_SETINTERFACE:
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_SUBMITURB:
		handled = submit(client, arg);
		break;
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		handled = reap(client, arg);
		break;
	case USBDEVFS_DISCARDURB: {
		GList *l = g_list_find_custom(fake.flying, *(void **)arg->data, slot_by_addr);

		if (l) {
			fake.discarded = g_list_append(fake.discarded, l->data);
			fake.flying = g_list_delete_link(fake.flying, l);
			umockdev_ioctl_client_complete(client, 0, 0);
		} else {
			umockdev_ioctl_client_complete(client, -1, EINVAL);
		}
		break;
	}
	default:
		handled = FALSE;
		break;
	}
	pthread_mutex_unlock(&fake.lock);
	return handled;
}

/* Device, configuration, one interface, bulk endpoints (IN omitted when ep_in is 0), as hex. */
static void descriptors(char *hex, size_t size, unsigned vid, unsigned pid, unsigned cls,
                        unsigned ep_out, unsigned ep_in)
{
	unsigned n_ep = ep_in ? 2 : 1, total = 9 + 9 + 7 * n_ep;
	int o = snprintf(hex, size,
	                 "12010002000000%02x%02x%02x%02x%02x0001010203"
	                 "01"
	                 "0902%02x%02x010100c001"
	                 "09040000%02x%02x010200"
	                 "0705%02x0200020a",
	                 0x40, vid & 0xFF, vid >> 8, pid & 0xFF, pid >> 8, total & 0xFF, total >> 8,
	                 n_ep, cls, ep_out);

	if (ep_in)
		snprintf(hex + o, size - (size_t)o, "0705%02x0200020a", ep_in);
}

static void add_printer(bed *b, unsigned vid, unsigned pid, unsigned cls, unsigned ep_out,
                        unsigned ep_in)
{
	char hex[256], record[1024];

	descriptors(hex, sizeof hex, vid, pid, cls, ep_out, ep_in);
	snprintf(record, sizeof record,
	         "P: /devices/pci0000:00/usb1/1-1\n"
	         "N: bus/usb/001/002\n"
	         "E: SUBSYSTEM=usb\n"
	         "E: DEVTYPE=usb_device\n"
	         "E: DRIVER=usb\n"
	         "E: BUSNUM=001\n"
	         "E: DEVNUM=002\n"
	         "E: DEVNAME=/dev/bus/usb/001/002\n"
	         "A: busnum=1\\n\n"
	         "A: devnum=2\\n\n"
	         "A: bConfigurationValue=1\\n\n"
	         "A: speed=480\\n\n"
	         "A: idVendor=%04x\\n\n"
	         "A: idProduct=%04x\\n\n"
	         "H: descriptors=%s\n",
	         vid, pid, hex);
	assert_true(umockdev_testbed_attach_ioctl(b->testbed, "/dev/bus/usb/001/002", b->handler,
	                                          NULL));
	assert_true(umockdev_testbed_add_from_string(b->testbed, record, NULL));
}

static void reset_fake(void)
{
	pthread_mutex_lock(&fake.lock);
	if (fake.received)
		g_byte_array_free(fake.received, TRUE);
	g_list_free_full(fake.flying, slot_free);
	g_list_free_full(fake.ready, slot_free);
	g_list_free_full(fake.discarded, slot_free);
	fake.flying = fake.ready = fake.discarded = NULL;
	g_queue_clear(&fake.replies);
	fake.received = g_byte_array_new();
	fake.status[1] = 0x16; /* online, fixed bits 1 and 4 (and bit 2: drawer pin) */
	fake.status[2] = 0x12;
	fake.status[3] = 0x12;
	fake.status[4] = 0x12;
	fake.stall_out = fake.unplugged = fake.detached = fake.busy = false;
	fake.unplug_after = 0;
	fake.usblp_bound = true;
	pthread_mutex_unlock(&fake.lock);
}

static int setup(void **state)
{
	bed *b = g_new0(bed, 1);

	reset_fake();
	b->testbed = umockdev_testbed_new();
	b->handler = umockdev_ioctl_base_new();
	g_signal_connect(b->handler, "handle-ioctl", G_CALLBACK(handle_ioctl), NULL);
	*state = b;
	return b->testbed ? 0 : -1;
}

static int teardown(void **state)
{
	bed *b = *state;

	g_clear_object(&b->handler);
	g_clear_object(&b->testbed);
	g_free(b);
	return 0;
}

static void set_status(int n, unsigned char byte)
{
	pthread_mutex_lock(&fake.lock);
	fake.status[n] = byte;
	pthread_mutex_unlock(&fake.lock);
}

static size_t received_len(void)
{
	size_t n;

	pthread_mutex_lock(&fake.lock);
	n = fake.received->len;
	pthread_mutex_unlock(&fake.lock);
	return n;
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
	bed *b = *state;
	const printer_profile *t20 = printer_profile_find("tm-t20iii");
	printer *p;
	printer_fault f;
	agenda_detail d;
	escpos_buf bytes;
	size_t sent;
	unsigned flags;

	add_printer(b, 0x04b8, 0x0e28, 7, 0x02, 0x81); /* OUT at 0x02, not 0x01 */
	assert_int_equal(printer_open("usb", NULL, 0, &p, &f, &d), AG_OK);
	assert_ptr_equal(p->profile, t20); /* chosen by its USB ids */
	assert_true(fake.detached);        /* usblp let go */
	slip_bytes(t20, &bytes);
	assert_int_equal(printer_write(p, bytes.data, bytes.len, &sent, &d), AG_OK);
	assert_int_equal(sent, bytes.len);
	assert_int_equal(received_len(), bytes.len);
	assert_memory_equal(fake.received->data, bytes.data, bytes.len);
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
	bed *b = *state;
	printer *p;
	printer_fault f;
	agenda_detail d;
	unsigned flags;

	add_printer(b, 0x04b8, 0x0202, 0xFF, 0x01, 0x82);
	assert_int_equal(printer_open("usb", NULL, 0, &p, &f, &d), AG_OK);
	assert_ptr_equal(p->profile, printer_profile_find("tm-t88v"));
	assert_int_equal(printer_status(p, &flags, &d), AG_OK);
	assert_int_equal(flags, 0);
	printer_close(p);
}

static void unknown_vendor_class_is_not_a_printer(void **state)
{
	bed *b = *state;
	printer *p;
	printer_fault f;
	agenda_detail d;

	add_printer(b, 0x1234, 0x5678, 0xFF, 0x01, 0x82);
	assert_int_equal(printer_open("usb", NULL, 0, &p, &f, &d), AG_ERR_IO);
	assert_int_equal(f, PRINTER_NOT_FOUND);
}

static void busy_is_explained(void **state)
{
	bed *b = *state;
	printer *p;
	printer_fault f;
	agenda_detail d;

	add_printer(b, 0x04b8, 0x0e28, 7, 0x01, 0x82);
	fake.busy = true;
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
	bed *b = *state;
	const printer_profile *t20 = printer_profile_find("tm-t20iii");
	print_queue *q;
	print_job_info info;
	escpos_buf bytes;
	uint64_t again;

	add_printer(b, 0x04b8, 0x0e28, 7, 0x01, 0x82);
	slip_bytes(t20, &bytes);
	set_status(2, 0x32); /* offline cause: printing stopped by paper end */
	set_status(4, 0x7E); /* roll: near end and end */
	run_job("usb", t20, 0, &bytes, &q, &info);
	assert_int_equal(info.state, PRINT_JOB_FAILED);
	assert_int_equal(info.fault, PRINTER_PAPER_OUT);
	assert_int_equal(received_len(), 0); /* nothing half-printed */

	set_status(2, 0x16); /* paper loaded, cover left open */
	set_status(4, 0x12);
	assert_int_equal(print_queue_retry(q, info.id, &again), AG_OK);
	assert_int_equal(print_queue_wait(q, again, 20000, &info), AG_OK);
	assert_int_equal(info.fault, PRINTER_COVER_OPEN);
	assert_int_equal(received_len(), 0);

	set_status(2, 0x12);
	assert_int_equal(print_queue_retry(q, info.id, &again), AG_OK);
	assert_int_equal(print_queue_wait(q, again, 20000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_DONE);
	assert_int_equal(received_len(), bytes.len);
	assert_memory_equal(fake.received->data, bytes.data, bytes.len);
	print_queue_stop(q);
	escpos_buf_free(&bytes);
}

static void transfer_that_never_completes(void **state)
{
	bed *b = *state;
	const printer_profile *t20 = printer_profile_find("tm-t20iii");
	print_queue *q;
	print_job_info info;
	escpos_buf bytes;
	uint64_t again;

	add_printer(b, 0x04b8, 0x0e28, 7, 0x01, 0x82);
	slip_bytes(t20, &bytes);
	run_job("usb", t20, 0, &bytes, &q, &info); /* status first: fine */
	assert_int_equal(info.state, PRINT_JOB_DONE);
	print_queue_stop(q);

	pthread_mutex_lock(&fake.lock);
	g_byte_array_set_size(fake.received, 0);
	pthread_mutex_unlock(&fake.lock);
	/* the printer accepts the status query, then stops taking data */
	{
		printer *p;
		printer_fault f;
		agenda_detail d;
		size_t sent = 99;

		assert_int_equal(printer_open("usb", t20, 300, &p, &f, &d), AG_OK);
		pthread_mutex_lock(&fake.lock);
		fake.stall_out = true;
		pthread_mutex_unlock(&fake.lock);
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
	pthread_mutex_lock(&fake.lock);
	fake.stall_out = false;
	pthread_mutex_unlock(&fake.lock);
	assert_int_equal(print_queue_retry(q, info.id, &again), AG_OK);
	assert_int_equal(print_queue_wait(q, again, 20000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_DONE);
	/* printed exactly once */
	assert_int_equal(received_len(), bytes.len);
	assert_memory_equal(fake.received->data, bytes.data, bytes.len);
	print_queue_stop(q);
	escpos_buf_free(&bytes);
}

static void unplug_mid_job(void **state)
{
	bed *b = *state;
	const printer_profile *p58 = printer_profile_find("generic-58");
	print_queue *q;
	print_job_info info;
	escpos_buf bytes;
	uint64_t again;

	add_printer(b, 0x0416, 0x5011, 7, 0x03, 0x81);
	slip_bytes(p58, &bytes); /* raster QR: several 1 KiB chunks */
	assert_true(bytes.len > 2 * p58->chunk_bytes);
	pthread_mutex_lock(&fake.lock);
	fake.unplug_after = p58->chunk_bytes;
	pthread_mutex_unlock(&fake.lock);
	run_job("usb", p58, 0, &bytes, &q, &info);
	assert_int_equal(info.state, PRINT_JOB_FAILED);
	assert_int_equal(info.fault, PRINTER_DISCONNECTED);
	assert_true(info.sent >= p58->chunk_bytes && info.sent < bytes.len);

	/* plugged back in: the retry reopens the printer and prints the whole slip */
	pthread_mutex_lock(&fake.lock);
	fake.unplugged = false;
	fake.unplug_after = 0;
	g_byte_array_set_size(fake.received, 0);
	pthread_mutex_unlock(&fake.lock);
	assert_int_equal(print_queue_retry(q, info.id, &again), AG_OK);
	assert_int_equal(print_queue_wait(q, again, 20000, &info), AG_OK);
	assert_int_equal(info.state, PRINT_JOB_DONE);
	assert_int_equal(received_len(), bytes.len);
	assert_memory_equal(fake.received->data, bytes.data, bytes.len);
	print_queue_stop(q);
	escpos_buf_free(&bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(enumerate_detach_and_exact_bytes, setup, teardown),
	        cmocka_unit_test_setup_teardown(vendor_class_device, setup, teardown),
	        cmocka_unit_test_setup_teardown(unknown_vendor_class_is_not_a_printer, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(busy_is_explained, setup, teardown),
	        cmocka_unit_test_setup_teardown(paper_out_and_cover_open, setup, teardown),
	        cmocka_unit_test_setup_teardown(transfer_that_never_completes, setup, teardown),
	        cmocka_unit_test_setup_teardown(unplug_mid_job, setup, teardown),
	};

	const char *preload = getenv("LD_PRELOAD");

	if (!preload || !strstr(preload, "umockdev-preload")) {
		fprintf(stderr, "usb_printer_test: run under umockdev-wrapper\n");
		return 77;
	}
	pthread_mutex_init(&fake.lock, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
