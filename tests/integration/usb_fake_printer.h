/*
 * crash_usb_fake.h — an emulated USB receipt printer (Epson 04b8:0e28, class 7, bulk 0x01/0x82)
 * for the printer-fault booking test, built as usb_printer_test.c builds its own: an in-process
 * umockdev testbed whose usbfs ioctl handler records bulk OUT bytes, answers DLE EOT status
 * queries, and can stall OUT transfers (never reaped until libusb discards them) or unplug after
 * some bytes. The real libusb and the real usb backend run on top. Run under umockdev-wrapper.
 */
#ifndef AGENDA_TESTS_CRASH_USB_FAKE_H
#define AGENDA_TESTS_CRASH_USB_FAKE_H

#include <stdbool.h>
#include <stddef.h>

/* Builds the testbed with one healthy printer. 0 on success. */
int usb_fake_start(void);

/* Back to a healthy, plugged-in printer with nothing received. */
void usb_fake_reset(void);

/* The reply to DLE EOT n (n = 1..4). */
void usb_fake_status(int n, unsigned char byte);

/* OUT transfers never complete while on. */
void usb_fake_stall(bool on);

/* Unplugs once this many bytes were received (0: now, if `now`). */
void usb_fake_unplug_after(size_t bytes);

/* Bytes received so far, and whether they contain text. */
size_t usb_fake_received(void);
bool usb_fake_received_contains(const char *text);

#endif
