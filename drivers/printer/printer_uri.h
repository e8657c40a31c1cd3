/*
 * printer_uri.h — the syntax of a printer URI, checked without opening anything, so that a
 * mistyped --printer or setting is refused when it is given instead of showing up later as "printer
 * not found". printer_open and the backends parse with these same functions.
 *
 *   usb                 the first known model or printer-class device
 *   usb:VVVV:PPPP       that vendor and product (exactly four hex digits each)
 *   tcp:HOST[:PORT]     raw port 9100 by default; PORT 1-65535; a host with more colons is IPv6
 *   file:PATH           a device node or file, e.g. /dev/usb/lp0
 *   virtual:DIR/PREFIX  the virtual printer's slips (PREFIX-N.png, PREFIX-N.txt)
 */
#ifndef AGENDA_DRIVERS_PRINTER_URI_H
#define AGENDA_DRIVERS_PRINTER_URI_H

#include <stdbool.h>

#include "core/error.h"

#define PRINTER_URI_MAX  256 /* with the NUL */
#define PRINTER_HOST_MAX 256
#define PRINTER_PORT_MAX 6

/*
 * AG_OK when uri is well formed for one of the schemes above; AG_ERR_INVALID otherwise, with
 * MSG_PRINTER_BAD_TARGET in detail (when not NULL).
 */
agenda_err printer_uri_check(const char *uri, agenda_detail *detail);

/* The argument of a usb URI ("" or "VVVV:PPPP"): -1 and -1 for any printer. */
bool printer_uri_usb_ids(const char *arg, int *vendor, int *product);

/* Whether uri is a well-formed usb URI ("usb" or "usb:VVVV:PPPP"), and which ids it names. */
bool printer_uri_usb(const char *uri, int *vendor, int *product);

/* The argument of a tcp URI: host and port ("9100" when absent). */
bool printer_uri_tcp_target(const char *arg, char host[PRINTER_HOST_MAX],
                            char port[PRINTER_PORT_MAX]);

#endif
