/*
 * crash_usb_fake.c — the emulated USB printer of the printer-fault booking test (see
 * crash_usb_fake.h). The usbfs handling follows usb_printer_test.c and libusb's own
 * tests/umockdev.c: SUBMITURB queues, REAPURB hands back what is ready, DISCARDURB cancels.
 */
#define _GNU_SOURCE /* memmem */
#include "crash_usb_fake.h"

#include <errno.h>
#include <glib.h>
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <umockdev.h>

struct urb_slot {
	UMockdevIoctlData *urb_data;
	int actual;
	int in_byte; /* -1 OUT, -2 IN waiting for a reply */
};

static struct {
	pthread_mutex_t lock;
	GByteArray *received;
	GList *flying, *ready, *discarded;
	unsigned char status[5];
	GQueue replies;
	bool stall_out, unplugged;
	size_t unplug_after;
} fake = {.lock = PTHREAD_MUTEX_INITIALIZER};

static UMockdevTestbed *testbed;
static UMockdevIoctlBase *handler;

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

static void feed_in_urbs(void)
{
	for (GList *l = fake.flying, *next; l && !g_queue_is_empty(&fake.replies); l = next) {
		struct urb_slot *s = l->data;

		next = l->next;
		if (s->in_byte == -2) {
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
		s->in_byte = -2;
		fake.flying = g_list_append(fake.flying, s);
		feed_in_urbs();
	} else {
		g_autoptr(UMockdevIoctlData) buf = umockdev_ioctl_data_resolve(
		        urb_data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
		        (gsize)urb->buffer_length, NULL);
		const unsigned char *d = buf->data;

		s->in_byte = -1;
		s->actual = urb->buffer_length;
		if (fake.stall_out && !(urb->buffer_length == 3 && d[0] == 0x10)) {
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

static gboolean handle_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *client, gpointer data)
{
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	gulong request = umockdev_ioctl_client_get_request(client);
	gboolean handled = TRUE;

	(void)h;
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
		umockdev_ioctl_client_complete(client, -1, ENODATA); /* no usblp bound */
		break;
	case USBDEVFS_IOCTL:
	case USBDEVFS_CLAIMINTERFACE:
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

void usb_fake_reset(void)
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
	fake.status[1] = 0x16; /* online */
	fake.status[2] = 0x12;
	fake.status[3] = 0x12;
	fake.status[4] = 0x12; /* paper present */
	fake.stall_out = fake.unplugged = false;
	fake.unplug_after = 0;
	pthread_mutex_unlock(&fake.lock);
}

int usb_fake_start(void)
{
	/* device, configuration, interface class 7, bulk OUT 0x01 and IN 0x82 */
	static const char RECORD[] =
	        "P: /devices/pci0000:00/usb1/1-1\nN: bus/usb/001/002\nE: SUBSYSTEM=usb\n"
	        "E: DEVTYPE=usb_device\nE: DRIVER=usb\nE: BUSNUM=001\nE: DEVNUM=002\n"
	        "E: DEVNAME=/dev/bus/usb/001/002\nA: busnum=1\\n\nA: devnum=2\\n\n"
	        "A: bConfigurationValue=1\\n\nA: speed=480\\n\nA: idVendor=04b8\\n\n"
	        "A: idProduct=0e28\\n\n"
	        "H: descriptors=12010002000000"
	        "40b804280e0001010203"
	        "01"
	        "0902200001"
	        "0100c001"
	        "09040000020701"
	        "0200"
	        "070501020002"
	        "0a"
	        "070582020002"
	        "0a\n";

	usb_fake_reset();
	testbed = umockdev_testbed_new();
	handler = umockdev_ioctl_base_new();
	if (!testbed || !handler)
		return -1;
	g_signal_connect(handler, "handle-ioctl", G_CALLBACK(handle_ioctl), NULL);
	if (!umockdev_testbed_attach_ioctl(testbed, "/dev/bus/usb/001/002", handler, NULL) ||
	    !umockdev_testbed_add_from_string(testbed, RECORD, NULL))
		return -1;
	return 0;
}

void usb_fake_status(int n, unsigned char byte)
{
	pthread_mutex_lock(&fake.lock);
	fake.status[n] = byte;
	pthread_mutex_unlock(&fake.lock);
}

void usb_fake_stall(bool on)
{
	pthread_mutex_lock(&fake.lock);
	fake.stall_out = on;
	pthread_mutex_unlock(&fake.lock);
}

void usb_fake_unplug_after(size_t bytes)
{
	pthread_mutex_lock(&fake.lock);
	fake.unplug_after = bytes;
	pthread_mutex_unlock(&fake.lock);
}

size_t usb_fake_received(void)
{
	size_t n;

	pthread_mutex_lock(&fake.lock);
	n = fake.received->len;
	pthread_mutex_unlock(&fake.lock);
	return n;
}

bool usb_fake_received_contains(const char *text)
{
	bool found;

	pthread_mutex_lock(&fake.lock);
	/* ESC/POS holds NUL bytes: search the whole buffer */
	found = memmem(fake.received->data, fake.received->len, text, strlen(text)) != NULL;
	pthread_mutex_unlock(&fake.lock);
	return found;
}
