/*
 * usb_fake_printer.h — an emulated USB ESC/POS receipt printer for the tests that drive the real
 * libusb and the real usb backend (usb_printer_test.c, crash_printer_test.c). As libusb's own
 * tests/umockdev.c does, it builds an in-process umockdev testbed with one printer's sysfs
 * attributes and descriptors and answers the usbfs ioctls itself: bulk OUT bytes are recorded,
 * DLE EOT n makes the next bulk IN transfer return status byte n, GETDRIVER and DISCONNECT play
 * the kernel's usblp. Faults: any status byte (paper out, cover open), interface busy, OUT
 * transfers that never complete (libusb's timeout discards them), unplug after some bytes.
 * One printer per process at a time; run under umockdev-wrapper.
 */
#ifndef AGENDA_TESTS_USB_FAKE_PRINTER_H
#define AGENDA_TESTS_USB_FAKE_PRINTER_H

#include <stdbool.h>
#include <stddef.h>

/* What the printer looks like on the bus: one configuration, one interface, two bulk endpoints. */
struct usb_fake_printer_device {
	unsigned vendor_id, product_id;
	unsigned interface_class; /* 7: USB printer class; 0xFF: vendor-specific */
	unsigned endpoint_out;    /* bulk OUT address, e.g. 0x01 or 0x02 */
	unsigned endpoint_in;     /* bulk IN address, e.g. 0x81 or 0x82 */
	bool usblp_bound;         /* the kernel's usblp holds the interface until detached */
};

/* Which OUT transfers never complete (libusb's timeout discards them). */
enum usb_fake_printer_stall {
	USB_FAKE_PRINTER_STALL_NONE,
	/* Slip bytes stall; DLE EOT status queries are still answered. */
	USB_FAKE_PRINTER_STALL_DATA,
	/* Status queries stall too. */
	USB_FAKE_PRINTER_STALL_ALL,
};

/*
 * Builds the testbed with this printer plugged in and healthy (usb_fake_printer_reset); 0 on
 * success.
 */
int usb_fake_printer_start(const struct usb_fake_printer_device *device);

/* Removes the testbed and forgets every transfer; no printer may be open on it. */
void usb_fake_printer_stop(void);

/*
 * Back to the printer as usb_fake_printer_start left it: plugged in, online, paper present, not
 * busy, no stall, usblp bound as the device says, nothing received.
 */
void usb_fake_printer_reset(void);

/* The reply to DLE EOT n (n = 1..4). */
void usb_fake_printer_status(int n, unsigned char byte);

/* Another program holds the interface: claiming it fails with EBUSY. */
void usb_fake_printer_busy(bool busy);

void usb_fake_printer_stall(enum usb_fake_printer_stall stall);

/* Unplugs once this many bytes were received in all (0: never). */
void usb_fake_printer_unplug_after(size_t bytes);

/* Plugged back in after an unplug; no unplug pending. */
void usb_fake_printer_plug_in(void);

/* Whether libusb detached the kernel's usblp (USBDEVFS_DISCONNECT) since the last reset. */
bool usb_fake_printer_usblp_detached(void);

/* The print bytes received so far: every OUT byte that was not a status query. */
size_t usb_fake_printer_received(void);
bool usb_fake_printer_received_contains(const char *text);
/* A copy of them (ESC/POS holds NUL bytes: *len says how many); the caller free()s it. */
unsigned char *usb_fake_printer_received_copy(size_t *len);
void usb_fake_printer_clear_received(void);

#endif
