/*
 * printer.h — one printer behind one ops table {open, write, status, close}, whatever carries
 * the bytes: usb (libusb-1.0), tcp (raw port 9100), file (a path, /dev/usb/lp0 too), virtual
 * (decodes ESC/POS and renders PNG and text, see virtual.h). One file per backend.
 *
 * A printer is named by a URI: "usb", "usb:04b8:0e28", "tcp:10.0.0.5" or "tcp:host:9100",
 * "file:/path", "virtual:/dir/prefix" (syntax: printer_uri.h). Failures return AG_ERR_* and set
 * printer.fault to the reason, which printer_fault_detail turns into Italian (and English) words
 * saying what to do. Calls on one printer are not thread-safe: the print queue (print_queue.h) owns
 * it.
 */
#ifndef AGENDA_DRIVERS_PRINTER_H
#define AGENDA_DRIVERS_PRINTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/messages.h"
#include "printer/printer_uri.h"
#include "printer/profile.h"

typedef enum printer_fault {
	PRINTER_OK = 0,
	PRINTER_NOT_FOUND,    /* no such device / host unreachable */
	PRINTER_PERMISSION,   /* EACCES: the udev rule is missing */
	PRINTER_BUSY,         /* claimed by another driver or program */
	PRINTER_TIMEOUT,      /* the printer stopped taking data */
	PRINTER_DISCONNECTED, /* unplugged or connection dropped */
	PRINTER_PAPER_OUT,
	PRINTER_COVER_OPEN,
	PRINTER_OFFLINE,
	PRINTER_ERROR, /* cutter jam, head overheated, unrecoverable error */
	PRINTER_IO,    /* any other transfer error */
	PRINTER_BAD_TARGET,
	PRINTER_FAULT_COUNT
} printer_fault;

/* Status bits from DLE EOT 1/2/4 (printer, offline cause, roll paper sensor). */
#define PRINTER_STATUS_OFFLINE        0x01u
#define PRINTER_STATUS_COVER_OPEN     0x02u
#define PRINTER_STATUS_PAPER_NEAR_END 0x04u
#define PRINTER_STATUS_PAPER_OUT      0x08u
#define PRINTER_STATUS_ERROR          0x10u
#define PRINTER_STATUS_UNKNOWN        0x80u /* the backend has no way to ask (file, mute tcp) */

struct printer;

typedef struct printer_ops {
	const char *scheme;
	/* arg is the URI after "scheme:" ("" when absent). */
	agenda_err (*open)(struct printer *p, const char *arg);
	/* Writes all of data or fails; *written says how much the device took either way. */
	agenda_err (*write)(struct printer *p, const unsigned char *data, size_t len,
	                    size_t *written);
	agenda_err (*status)(struct printer *p, unsigned *flags);
	void (*close)(struct printer *p);
} printer_ops;

typedef struct printer {
	const printer_ops *ops;
	const printer_profile *profile;
	printer_fault fault; /* why the last failing call failed */
	int timeout_ms;      /* per write; 0 sizes it from the profile and the length */
	void *impl;          /* the backend's own state */
	char uri[PRINTER_URI_MAX];
} printer;

extern const printer_ops printer_usb_ops;
extern const printer_ops printer_tcp_ops;
extern const printer_ops printer_file_ops;
extern const printer_ops printer_virtual_ops;

/*
 * Opens the printer named by uri for the given profile (NULL: the usb backend picks the profile
 * by USB ids, others the first profile). On success *out is owned by the caller: printer_close.
 * On failure *out is NULL, *fault (when not NULL) says why and detail what to do.
 */
agenda_err printer_open(const char *uri, const printer_profile *profile, int timeout_ms,
                        printer **out, printer_fault *fault, agenda_detail *detail);

/*
 * Sends data in chunks of profile->chunk_bytes. On a timeout it asks the printer's status so the
 * reason is "paper out" or "cover open" rather than "no answer" when the printer can say so.
 */
agenda_err printer_write(printer *p, const unsigned char *data, size_t len, size_t *sent,
                         agenda_detail *detail);

/* Status bits; AG_OK with PRINTER_STATUS_UNKNOWN when the backend cannot ask. */
agenda_err printer_status(printer *p, unsigned *flags, agenda_detail *detail);

/* Safe on NULL. */
void printer_close(printer *p);

/* A USB device the usb backend would print to. */
struct printer_found {
	uint16_t vendor, product;
	uint8_t bus, address;
	int interface;
	unsigned char ep_out, ep_in;
	const printer_profile *profile; /* NULL: not a known model (printer class or vendor) */
	char uri[32];                   /* "usb:04b8:0e28" */
};
typedef void (*printer_found_fn)(void *arg, const struct printer_found *f);

/*
 * The profile to encode for when none is configured: the profile of the USB printer a "usb" or
 * "usb:VVVV:PPPP" URI would open (when it is a known model), else the first profile.
 */
const printer_profile *printer_guess_profile(const char *uri);

/* Calls found for every USB printer present (profile ids or interface class 7). */
agenda_err printer_usb_list(printer_found_fn found, void *arg, printer_fault *fault);

/* Status bits from DLE EOT 1, 2 and 4 replies (-1 for a reply that did not come). */
unsigned printer_status_decode(int printer_byte, int offline_byte, int paper_byte);

/* The fault that stops printing given status bits (paper out first), or PRINTER_OK. */
printer_fault printer_status_blocking(unsigned flags);

/* "paper_out": stable identifiers for logs and --json. */
const char *printer_fault_name(printer_fault fault);

/* The catalogue entry that tells a person what to do. */
agenda_msg printer_fault_message(printer_fault fault);

/* Fills detail with the fault's words (safe on NULL detail). */
void printer_fault_detail(printer_fault fault, agenda_detail *detail);

/* Fills detail with what the status means for a person: ready, paper near end, or the fault. */
void printer_status_detail(unsigned flags, agenda_detail *detail);

#endif
