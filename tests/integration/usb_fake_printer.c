/*
 * usb_fake_printer.c — the usbfs side of the emulated USB printer (see usb_fake_printer.h). The
 * URB handling follows libusb's own tests/umockdev.c: SUBMITURB queues, REAPURB hands back what
 * is ready, DISCARDURB cancels what is still in flight. Every ioctl and every knob runs under one
 * lock, because libusb's event thread and the test's thread both reach the printer's state.
 */
#define _GNU_SOURCE /* memmem */
#include "usb_fake_printer.h"

#include <errno.h>
#include <glib.h>
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umockdev.h>

/* urb_slot.in_byte of a URB with no status byte to hand back */
enum { URB_OUT = -1, URB_IN_WAITING = -2 };

/* A URB the printer has accepted and not yet handed back. */
struct urb_slot {
	UMockdevIoctlData *urb_data;
	int actual;  /* bytes reported as transferred */
	int in_byte; /* the status byte an IN URB returns, or URB_OUT / URB_IN_WAITING */
};

static struct {
	pthread_mutex_t lock;
	struct usb_fake_printer_device device;
	UMockdevTestbed *testbed;
	UMockdevIoctlBase *handler;
	GByteArray *received;    /* every OUT byte that is not a status query */
	GList *flying;           /* urb_slot: submitted, not ready */
	GList *ready;            /* urb_slot: to be reaped */
	GList *discarded;        /* urb_slot: cancelled, to be reaped with -ENOENT */
	unsigned char status[5]; /* reply to DLE EOT n, n = 1..4 */
	GQueue replies;          /* status bytes waiting for an IN URB */
	enum usb_fake_printer_stall stall;
	bool unplugged;
	size_t unplug_after; /* unplug once this many bytes were received (0: never) */
	bool usblp_bound, usblp_detached;
	bool busy;
} fake = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void slot_free(gpointer p)
{
	struct urb_slot *s = p;

	umockdev_ioctl_data_unref(s->urb_data);
	g_free(s);
}

static gint slot_by_addr(gconstpointer a, gconstpointer addr)
{
	const struct urb_slot *s = a;

	return s->urb_data->client_addr != (gulong)addr;
}

static bool is_status_query(const unsigned char *d, int len)
{
	return len == 3 && d[0] == 0x10 && d[1] == 0x04 && d[2] >= 1 && d[2] <= 4;
}

/* Moves waiting IN URBs to ready while replies are queued. */
static void feed_in_urbs(void)
{
	for (GList *l = fake.flying, *next; l && !g_queue_is_empty(&fake.replies); l = next) {
		struct urb_slot *s = l->data;

		next = l->next;
		if (s->in_byte == URB_IN_WAITING) {
			s->in_byte = GPOINTER_TO_INT(g_queue_pop_head(&fake.replies));
			s->actual = 1;
			fake.flying = g_list_delete_link(fake.flying, l);
			fake.ready = g_list_append(fake.ready, s);
		}
	}
}

static void submit(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *urb_data =
	        umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
	struct usbdevfs_urb *urb = (struct usbdevfs_urb *)urb_data->data;
	struct urb_slot *s;

	if (fake.unplugged) {
		umockdev_ioctl_data_unref(urb_data);
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		return;
	}
	s = g_new0(struct urb_slot, 1);
	s->urb_data = umockdev_ioctl_data_ref(urb_data);
	if (urb->endpoint & 0x80) {
		s->in_byte = URB_IN_WAITING;
		fake.flying = g_list_append(fake.flying, s);
		feed_in_urbs();
	} else {
		g_autoptr(UMockdevIoctlData) buf = umockdev_ioctl_data_resolve(
		        urb_data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
		        (gsize)urb->buffer_length, NULL);
		const unsigned char *d = buf->data;
		bool query = is_status_query(d, urb->buffer_length);

		s->in_byte = URB_OUT;
		s->actual = urb->buffer_length;
		if (fake.stall == USB_FAKE_PRINTER_STALL_ALL ||
		    (fake.stall == USB_FAKE_PRINTER_STALL_DATA && !query)) {
			fake.flying = g_list_append(fake.flying, s);
		} else {
			if (query)
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
}

static void reap(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	struct urb_slot *s = NULL;
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
		return;
	}
	if (!s) {
		umockdev_ioctl_client_complete(client, -1, EAGAIN);
		return;
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
}

static void get_driver(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	g_autoptr(UMockdevIoctlData) d =
	        umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_getdriver), NULL);
	struct usbdevfs_getdriver *driver = (struct usbdevfs_getdriver *)d->data;

	if (fake.usblp_bound) {
		snprintf(driver->driver, sizeof driver->driver, "usblp");
		umockdev_ioctl_client_complete(client, 0, 0);
	} else {
		umockdev_ioctl_client_complete(client, -1, ENODATA); /* no driver bound */
	}
}

/* USBDEVFS_IOCTL passes an ioctl on to the interface's driver; DISCONNECT unbinds usblp. */
static void driver_ioctl(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	g_autoptr(UMockdevIoctlData) d =
	        umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_ioctl), NULL);
	const struct usbdevfs_ioctl *io = (const struct usbdevfs_ioctl *)d->data;

	if (io->ioctl_code == (int)USBDEVFS_DISCONNECT) {
		fake.usblp_bound = false;
		fake.usblp_detached = true;
	}
	umockdev_ioctl_client_complete(client, 0, 0);
}

static void discard(UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	GList *l = g_list_find_custom(fake.flying, *(void **)arg->data, slot_by_addr);

	if (l) {
		fake.discarded = g_list_append(fake.discarded, l->data);
		fake.flying = g_list_delete_link(fake.flying, l);
		umockdev_ioctl_client_complete(client, 0, 0);
	} else {
		umockdev_ioctl_client_complete(client, -1, EINVAL);
	}
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
	case USBDEVFS_GETDRIVER:
		get_driver(client, arg);
		break;
	case USBDEVFS_IOCTL:
		driver_ioctl(client, arg);
		break;
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
		submit(client, arg);
		break;
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		reap(client, arg);
		break;
	case USBDEVFS_DISCARDURB:
		discard(client, arg);
		break;
	default:
		handled = FALSE;
		break;
	}
	pthread_mutex_unlock(&fake.lock);
	return handled;
}

/* Drops every URB and queued reply. Lock held. */
static void forget_transfers(void)
{
	g_list_free_full(fake.flying, slot_free);
	g_list_free_full(fake.ready, slot_free);
	g_list_free_full(fake.discarded, slot_free);
	fake.flying = fake.ready = fake.discarded = NULL;
	g_queue_clear(&fake.replies);
}

void usb_fake_printer_reset(void)
{
	pthread_mutex_lock(&fake.lock);
	forget_transfers();
	if (fake.received)
		g_byte_array_free(fake.received, TRUE);
	fake.received = g_byte_array_new();
	fake.status[1] = 0x16; /* online, fixed bits 1 and 4 (and bit 2: drawer pin) */
	fake.status[2] = 0x12;
	fake.status[3] = 0x12;
	fake.status[4] = 0x12; /* paper present */
	fake.stall = USB_FAKE_PRINTER_STALL_NONE;
	fake.unplugged = false;
	fake.unplug_after = 0;
	fake.usblp_bound = fake.device.usblp_bound;
	fake.usblp_detached = false;
	fake.busy = false;
	pthread_mutex_unlock(&fake.lock);
}

/* The udev record umockdev builds the device from: sysfs attributes and raw descriptors. */
static void describe(char *record, size_t size, const struct usb_fake_printer_device *device)
{
	const unsigned config_total = 9 + 9 + 7 + 7; /* configuration, interface, two endpoints */

	snprintf(record, size,
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
	         /* device: USB 2.0, 64-byte control endpoint, ids, release 1.00, one config */
	         "H: descriptors=1201000200000040%02x%02x%02x%02x000101020301"
	         /* configuration 1: one interface, self-powered */
	         "0902%02x%02x010100c001"
	         /* interface 0: two endpoints, class, printer subclass, bidirectional */
	         "0904000002%02x010200"
	         /* bulk OUT and bulk IN, 512-byte packets */
	         "0705%02x0200020a"
	         "0705%02x0200020a\n",
	         device->vendor_id, device->product_id, device->vendor_id & 0xFF,
	         device->vendor_id >> 8, device->product_id & 0xFF, device->product_id >> 8,
	         config_total & 0xFF, config_total >> 8, device->interface_class,
	         device->endpoint_out, device->endpoint_in);
}

int usb_fake_printer_start(const struct usb_fake_printer_device *device)
{
	char record[1024];

	pthread_mutex_lock(&fake.lock);
	fake.device = *device;
	pthread_mutex_unlock(&fake.lock);
	usb_fake_printer_reset();
	describe(record, sizeof record, device);
	fake.testbed = umockdev_testbed_new();
	fake.handler = umockdev_ioctl_base_new();
	if (!fake.testbed || !fake.handler)
		return -1;
	g_signal_connect(fake.handler, "handle-ioctl", G_CALLBACK(handle_ioctl), NULL);
	if (!umockdev_testbed_attach_ioctl(fake.testbed, "/dev/bus/usb/001/002", fake.handler,
	                                   NULL) ||
	    !umockdev_testbed_add_from_string(fake.testbed, record, NULL))
		return -1;
	return 0;
}

void usb_fake_printer_stop(void)
{
	g_clear_object(&fake.handler);
	g_clear_object(&fake.testbed);
	pthread_mutex_lock(&fake.lock);
	forget_transfers();
	if (fake.received)
		g_byte_array_free(fake.received, TRUE);
	fake.received = NULL;
	pthread_mutex_unlock(&fake.lock);
}

void usb_fake_printer_status(int n, unsigned char byte)
{
	pthread_mutex_lock(&fake.lock);
	fake.status[n] = byte;
	pthread_mutex_unlock(&fake.lock);
}

void usb_fake_printer_busy(bool busy)
{
	pthread_mutex_lock(&fake.lock);
	fake.busy = busy;
	pthread_mutex_unlock(&fake.lock);
}

void usb_fake_printer_stall(enum usb_fake_printer_stall stall)
{
	pthread_mutex_lock(&fake.lock);
	fake.stall = stall;
	pthread_mutex_unlock(&fake.lock);
}

void usb_fake_printer_unplug_after(size_t bytes)
{
	pthread_mutex_lock(&fake.lock);
	fake.unplug_after = bytes;
	pthread_mutex_unlock(&fake.lock);
}

void usb_fake_printer_plug_in(void)
{
	pthread_mutex_lock(&fake.lock);
	fake.unplugged = false;
	fake.unplug_after = 0;
	pthread_mutex_unlock(&fake.lock);
}

bool usb_fake_printer_usblp_detached(void)
{
	bool detached;

	pthread_mutex_lock(&fake.lock);
	detached = fake.usblp_detached;
	pthread_mutex_unlock(&fake.lock);
	return detached;
}

size_t usb_fake_printer_received(void)
{
	size_t n;

	pthread_mutex_lock(&fake.lock);
	n = fake.received->len;
	pthread_mutex_unlock(&fake.lock);
	return n;
}

bool usb_fake_printer_received_contains(const char *text)
{
	bool found;

	pthread_mutex_lock(&fake.lock);
	/* ESC/POS holds NUL bytes: search the whole buffer */
	found = memmem(fake.received->data, fake.received->len, text, strlen(text)) != NULL;
	pthread_mutex_unlock(&fake.lock);
	return found;
}

unsigned char *usb_fake_printer_received_copy(size_t *len)
{
	unsigned char *copy;

	pthread_mutex_lock(&fake.lock);
	*len = fake.received->len;
	copy = malloc(*len ? *len : 1);
	if (copy && *len)
		memcpy(copy, fake.received->data, *len);
	pthread_mutex_unlock(&fake.lock);
	return copy;
}

void usb_fake_printer_clear_received(void)
{
	pthread_mutex_lock(&fake.lock);
	g_byte_array_set_size(fake.received, 0);
	pthread_mutex_unlock(&fake.lock);
}
