/*
 * printer_usb.c — the usb backend, on libusb-1.0.
 *
 * Finds the printer by explicit ids ("usb:04b8:0e28"), by a profile's ids (which also catches
 * the vendor-class 0xFF variants some models present), or by USB printer class 7. Endpoints are
 * read from the interface descriptor: real printers put bulk OUT at 0x01 or 0x02 and not all have
 * a bulk IN. The kernel's usblp is detached before claiming. Writes use timeouts sized to the
 * time the paper takes and report how much the printer took when they expire. Status is DLE EOT
 * 1/2/4 on the bulk IN endpoint. Unplugging shows as LIBUSB_ERROR_NO_DEVICE on the next transfer
 * (and, where libusb has hotplug, as a "left" event that fails calls at once); the print queue
 * reopens the printer on its next poll, which is the periodic rescan.
 */
#include "printer/printer.h"

#include <libusb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USB_CLASS_PRINTER 7
#define USB_STATUS_MS     1000
#define USB_REPLY_MAX     64

typedef struct usb_impl {
	libusb_context *ctx;
	libusb_device_handle *handle;
	libusb_device *device;
	int interface;
	unsigned char ep_out, ep_in; /* ep_in 0: none */
	bool hotplug;
	libusb_hotplug_callback_handle hotplug_handle;
	atomic_bool gone;
} usb_impl;

typedef struct usb_match {
	libusb_device *device;
	int interface, alt;
	unsigned char ep_out, ep_in;
	int score;
} usb_match;

static printer_fault fault_of(int r)
{
	switch (r) {
	case LIBUSB_ERROR_ACCESS:
		return PRINTER_PERMISSION;
	case LIBUSB_ERROR_BUSY:
		return PRINTER_BUSY;
	case LIBUSB_ERROR_NO_DEVICE:
		return PRINTER_DISCONNECTED;
	case LIBUSB_ERROR_NOT_FOUND:
		return PRINTER_NOT_FOUND;
	case LIBUSB_ERROR_TIMEOUT:
		return PRINTER_TIMEOUT;
	default:
		return PRINTER_IO;
	}
}

/* The bulk endpoints of an interface setting; false without a bulk OUT. */
static bool bulk_endpoints(const struct libusb_interface_descriptor *alt, unsigned char *out,
                           unsigned char *in)
{
	*out = *in = 0;
	for (int e = 0; e < alt->bNumEndpoints; e++) {
		const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];

		if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK)
			continue;
		if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN) {
			if (!*in)
				*in = ep->bEndpointAddress;
		} else if (!*out) {
			*out = ep->bEndpointAddress;
		}
	}
	return *out != 0;
}

/*
 * Ranks a device: 3 named by the caller's ids, 2 a profile's ids, 1 printer class; 0 not ours.
 * Interfaces of class 7 are preferred inside one device; with ids matched, any interface with a
 * bulk OUT will do (vendor class).
 */
static void consider(libusb_device *dev, int want_vid, int want_pid, usb_match *best)
{
	struct libusb_device_descriptor desc;
	struct libusb_config_descriptor *config = NULL;
	int id_rank = 0;

	if (libusb_get_device_descriptor(dev, &desc) != 0)
		return;
	if (want_vid >= 0 && desc.idVendor == want_vid && desc.idProduct == want_pid)
		id_rank = 3;
	else if (want_vid < 0 && printer_profile_by_usb(desc.idVendor, desc.idProduct))
		id_rank = 2;
	if (libusb_get_active_config_descriptor(dev, &config) != 0 &&
	    libusb_get_config_descriptor(dev, 0, &config) != 0)
		return;
	for (int i = 0; i < config->bNumInterfaces; i++) {
		for (int a = 0; a < config->interface[i].num_altsetting; a++) {
			const struct libusb_interface_descriptor *alt =
			        &config->interface[i].altsetting[a];
			bool printer_class = alt->bInterfaceClass == USB_CLASS_PRINTER;
			int rank = id_rank ? id_rank : (want_vid < 0 && printer_class ? 1 : 0),
			    score;
			unsigned char out, in;

			if (!rank || !bulk_endpoints(alt, &out, &in))
				continue;
			/* within one rank, a class-7 interface beats a vendor one, then having an
			 * IN */
			score = rank * 4 + (printer_class ? 2 : 0) + (in ? 1 : 0);
			if (score > best->score) {
				best->device = dev;
				best->interface = alt->bInterfaceNumber;
				best->alt = alt->bAlternateSetting;
				best->ep_out = out;
				best->ep_in = in;
				best->score = score;
			}
		}
	}
	libusb_free_config_descriptor(config);
}

agenda_err printer_usb_list(printer_found_fn found, void *arg, printer_fault *fault)
{
	libusb_context *ctx = NULL;
	libusb_device **list = NULL;
	ssize_t n;
	int r;

	if ((r = libusb_init(&ctx)) != 0) {
		if (fault)
			*fault = fault_of(r);
		return AG_ERR_IO;
	}
	n = libusb_get_device_list(ctx, &list);
	for (ssize_t i = 0; i < n; i++) {
		struct libusb_device_descriptor desc;
		struct printer_found f = {0};
		usb_match best = {0};

		consider(list[i], -1, -1, &best);
		if (!best.device || libusb_get_device_descriptor(list[i], &desc) != 0)
			continue;
		f.vendor = desc.idVendor;
		f.product = desc.idProduct;
		f.bus = libusb_get_bus_number(list[i]);
		f.address = libusb_get_device_address(list[i]);
		f.interface = best.interface;
		f.ep_out = best.ep_out;
		f.ep_in = best.ep_in;
		f.profile = printer_profile_by_usb(desc.idVendor, desc.idProduct);
		snprintf(f.uri, sizeof f.uri, "usb:%04x:%04x", desc.idVendor, desc.idProduct);
		found(arg, &f);
	}
	/* libusb allocates the list even when it holds no device: free it whenever it exists. */
	if (n >= 0)
		libusb_free_device_list(list, 1);
	libusb_exit(ctx);
	if (n < 0) {
		if (fault)
			*fault = fault_of((int)n);
		return AG_ERR_IO;
	}
	return AG_OK;
}

struct guess {
	int vendor, product; /* -1: any */
	const printer_profile *profile;
};

static void guess_one(void *arg, const struct printer_found *f)
{
	struct guess *g = arg;

	if (!g->profile && f->profile &&
	    (g->vendor < 0 || (f->vendor == g->vendor && f->product == g->product)))
		g->profile = f->profile;
}

const printer_profile *printer_guess_profile(const char *uri)
{
	struct guess g = {-1, -1, NULL};

	if (uri && printer_uri_usb(uri, &g.vendor, &g.product)) {
		printer_usb_list(guess_one, &g, NULL);
		if (g.profile)
			return g.profile;
	}
	return printer_profiles(NULL);
}

/* libusb's callback type fixes the signature */
/* cppcheck-suppress constParameter */
static int LIBUSB_CALL on_hotplug(libusb_context *ctx, libusb_device *dev,
                                  libusb_hotplug_event event, void *data)
{
	usb_impl *u = data;

	(void)ctx;
	if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT && dev == u->device)
		atomic_store(&u->gone, true);
	return 0;
}

static void usb_release(usb_impl *u)
{
	if (u->hotplug)
		libusb_hotplug_deregister_callback(u->ctx, u->hotplug_handle);
	if (u->handle) {
		libusb_release_interface(u->handle, u->interface);
		libusb_close(u->handle);
	}
	if (u->device)
		libusb_unref_device(u->device);
	if (u->ctx)
		libusb_exit(u->ctx);
	free(u);
}

static agenda_err usb_open(printer *p, const char *arg)
{
	usb_impl *u = calloc(1, sizeof *u);
	libusb_device **list = NULL;
	usb_match best = {0};
	int want_vid, want_pid, r;
	ssize_t n;

	if (!u)
		return AG_ERR_NOMEM;
	if (!printer_uri_usb_ids(arg, &want_vid, &want_pid)) {
		p->fault = PRINTER_BAD_TARGET;
		free(u);
		return AG_ERR_INVALID;
	}
	if ((r = libusb_init(&u->ctx)) != 0)
		goto fail;
	n = libusb_get_device_list(u->ctx, &list);
	for (ssize_t i = 0; i < n; i++)
		consider(list[i], want_vid, want_pid, &best);
	if (!best.device) {
		libusb_free_device_list(list, 1);
		r = LIBUSB_ERROR_NOT_FOUND;
		goto fail;
	}
	u->device = libusb_ref_device(best.device);
	libusb_free_device_list(list, 1);
	u->interface = best.interface;
	u->ep_out = best.ep_out;
	u->ep_in = best.ep_in;
	if ((r = libusb_open(u->device, &u->handle)) != 0)
		goto fail;
	/* usblp binds printer-class interfaces; it must let go before we can claim. */
	if (libusb_kernel_driver_active(u->handle, u->interface) == 1 &&
	    (r = libusb_detach_kernel_driver(u->handle, u->interface)) != 0)
		goto fail;
	if ((r = libusb_claim_interface(u->handle, u->interface)) != 0)
		goto fail;
	if (best.alt && (r = libusb_set_interface_alt_setting(u->handle, u->interface, best.alt)))
		goto fail;
	if (!p->profile) {
		struct libusb_device_descriptor desc;

		if (libusb_get_device_descriptor(u->device, &desc) == 0)
			p->profile = printer_profile_by_usb(desc.idVendor, desc.idProduct);
	}
	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) &&
	    libusb_hotplug_register_callback(u->ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0,
	                                     LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
	                                     LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, u,
	                                     &u->hotplug_handle) == LIBUSB_SUCCESS)
		u->hotplug = true;
	p->impl = u;
	return AG_OK;
fail:
	p->fault = fault_of(r);
	usb_release(u);
	return AG_ERR_IO;
}

static agenda_err transfer(printer *p, unsigned char ep, unsigned char *data, int len,
                           int *transferred, unsigned timeout_ms)
{
	usb_impl *u = p->impl;
	int r;

	*transferred = 0;
	if (atomic_load(&u->gone)) {
		p->fault = PRINTER_DISCONNECTED;
		return AG_ERR_IO;
	}
	r = libusb_bulk_transfer(u->handle, ep, data, len, transferred, timeout_ms);
	if (r == LIBUSB_ERROR_PIPE)
		libusb_clear_halt(u->handle, ep);
	if (r != 0) {
		p->fault = fault_of(r);
		return AG_ERR_IO;
	}
	return AG_OK;
}

static agenda_err usb_write(printer *p, const unsigned char *data, size_t len, size_t *written)
{
	usb_impl *u = p->impl;
	int ms = p->timeout_ms ? p->timeout_ms : printer_profile_print_ms(p->profile, len);
	int done = 0;
	agenda_err err;

	/* libusb's buffer is not const, but an OUT transfer only reads it. */
	err = transfer(p, u->ep_out, (unsigned char *)(uintptr_t)data, (int)len, &done,
	               (unsigned)ms);
	*written = (size_t)done;
	/* A timeout after the printer took everything is a slow printer, not a failure. */
	if (err != AG_OK && p->fault == PRINTER_TIMEOUT && (size_t)done == len)
		err = AG_OK;
	if (err == AG_OK && (size_t)done != len) {
		p->fault = PRINTER_IO;
		err = AG_ERR_IO;
	}
	return err;
}

static int ask(printer *p, int n, agenda_err *err)
{
	usb_impl *u = p->impl;
	unsigned char cmd[3] = {0x10, 0x04, (unsigned char)n}, reply[USB_REPLY_MAX];
	int got;

	if ((*err = transfer(p, u->ep_out, cmd, sizeof cmd, &got, USB_STATUS_MS)) != AG_OK)
		return -1;
	if ((*err = transfer(p, u->ep_in, reply, sizeof reply, &got, USB_STATUS_MS)) != AG_OK)
		return -1;
	return got > 0 ? reply[got - 1] : -1;
}

static agenda_err usb_status(printer *p, unsigned *flags)
{
	usb_impl *u = p->impl;
	agenda_err err = AG_OK;
	int b1, b2 = -1, b4 = -1;

	if (!u->ep_in) {
		*flags = PRINTER_STATUS_UNKNOWN;
		if (!atomic_load(&u->gone))
			return AG_OK;
		p->fault = PRINTER_DISCONNECTED;
		return AG_ERR_IO;
	}
	b1 = ask(p, 1, &err);
	if (err == AG_OK)
		b2 = ask(p, 2, &err);
	if (err == AG_OK)
		b4 = ask(p, 4, &err);
	*flags = printer_status_decode(b1, b2, b4);
	return err;
}

static void usb_close(printer *p)
{
	usb_release(p->impl);
}

const printer_ops printer_usb_ops = {"usb", usb_open, usb_write, usb_status, usb_close};
