/*
 * virtual.h — test and demo hooks of the virtual printer ("virtual:/dir/prefix").
 *
 * The virtual printer decodes what it receives (escpos_decode.h) and, at each cut, writes
 * <prefix>-<n>.png and <prefix>-<n>.txt (n from 1). Tests and the demo can make it report a
 * status or fail writes, to exercise the print queue's fault paths without hardware.
 */
#ifndef AGENDA_DRIVERS_VIRTUAL_H
#define AGENDA_DRIVERS_VIRTUAL_H

#include "printer/printer.h"

/*
 * Process-wide fault injection for virtual printers opened from now on and already open:
 * status_flags is what status reports (PRINTER_STATUS_*), write_fault makes every write fail
 * with that fault (PRINTER_OK: writes succeed).
 */
void printer_virtual_inject(unsigned status_flags, printer_fault write_fault);

/* Pages written by this virtual printer so far. */
int printer_virtual_pages(const printer *p);

#endif
