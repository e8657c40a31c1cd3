/*
 * printer.c — URI dispatch to a backend, chunked writes, status decoding, and the words for
 * each fault. Backends live in printer_usb.c, printer_tcp.c, printer_file.c, printer_virtual.c.
 */
#include "printer/printer.h"
#include "printer/printer_uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const printer_ops *const BACKENDS[] = {&printer_usb_ops, &printer_tcp_ops, &printer_file_ops,
                                              &printer_virtual_ops};

static const struct {
	const char *name;
	agenda_msg msg;
} FAULTS[PRINTER_FAULT_COUNT] = {
        [PRINTER_OK] = {"ok", MSG_PRINTER_READY},
        [PRINTER_NOT_FOUND] = {"not_found", MSG_PRINTER_NOT_FOUND},
        [PRINTER_PERMISSION] = {"permission", MSG_PRINTER_PERMISSION},
        [PRINTER_BUSY] = {"busy", MSG_PRINTER_BUSY},
        [PRINTER_TIMEOUT] = {"timeout", MSG_PRINTER_TIMEOUT},
        [PRINTER_DISCONNECTED] = {"disconnected", MSG_PRINTER_DISCONNECTED},
        [PRINTER_PAPER_OUT] = {"paper_out", MSG_PRINTER_PAPER_OUT},
        [PRINTER_COVER_OPEN] = {"cover_open", MSG_PRINTER_COVER_OPEN},
        [PRINTER_OFFLINE] = {"offline", MSG_PRINTER_OFFLINE},
        [PRINTER_ERROR] = {"error", MSG_PRINTER_ERROR},
        [PRINTER_IO] = {"io", MSG_PRINTER_IO},
        [PRINTER_BAD_TARGET] = {"bad_target", MSG_PRINTER_BAD_TARGET},
};

const char *printer_fault_name(printer_fault fault)
{
	return (fault >= 0 && fault < PRINTER_FAULT_COUNT) ? FAULTS[fault].name : "unknown";
}

agenda_msg printer_fault_message(printer_fault fault)
{
	return (fault >= 0 && fault < PRINTER_FAULT_COUNT) ? FAULTS[fault].msg : MSG_PRINTER_IO;
}

void printer_fault_detail(printer_fault fault, agenda_detail *detail)
{
	agenda_detail_set(detail, printer_fault_message(fault), "");
}

void printer_status_detail(unsigned flags, agenda_detail *detail)
{
	printer_fault f = printer_status_blocking(flags);

	if (f == PRINTER_OK && (flags & PRINTER_STATUS_PAPER_NEAR_END))
		agenda_detail_set(detail, MSG_PRINTER_PAPER_NEAR_END);
	else
		printer_fault_detail(f, detail);
}

/*
 * Epson's replies: DLE EOT 1 bit 3 offline; DLE EOT 2 bit 2 cover open, bit 5 stopped by paper
 * end, bit 6 error; DLE EOT 4 bits 2-3 roll near end, bits 5-6 roll end. Fixed bits (1 and 4
 * set) are not checked: some clones leave them clear.
 */
unsigned printer_status_decode(int printer_byte, int offline_byte, int paper_byte)
{
	unsigned flags = 0;

	if (printer_byte < 0 && offline_byte < 0 && paper_byte < 0)
		return PRINTER_STATUS_UNKNOWN;
	if (printer_byte >= 0 && (printer_byte & 0x08))
		flags |= PRINTER_STATUS_OFFLINE;
	if (offline_byte >= 0) {
		if (offline_byte & 0x04)
			flags |= PRINTER_STATUS_COVER_OPEN;
		if (offline_byte & 0x20)
			flags |= PRINTER_STATUS_PAPER_OUT;
		if (offline_byte & 0x40)
			flags |= PRINTER_STATUS_ERROR;
	}
	if (paper_byte >= 0) {
		if (paper_byte & 0x0C)
			flags |= PRINTER_STATUS_PAPER_NEAR_END;
		if (paper_byte & 0x60)
			flags |= PRINTER_STATUS_PAPER_OUT;
	}
	return flags;
}

printer_fault printer_status_blocking(unsigned flags)
{
	if (flags & PRINTER_STATUS_PAPER_OUT)
		return PRINTER_PAPER_OUT;
	if (flags & PRINTER_STATUS_COVER_OPEN)
		return PRINTER_COVER_OPEN;
	if (flags & PRINTER_STATUS_ERROR)
		return PRINTER_ERROR;
	if (flags & PRINTER_STATUS_OFFLINE)
		return PRINTER_OFFLINE;
	return PRINTER_OK;
}

agenda_err printer_open(const char *uri, const printer_profile *profile, int timeout_ms,
                        printer **out, printer_fault *fault, agenda_detail *detail)
{
	const printer_ops *ops = NULL;
	const char *arg = "";
	printer *p;
	agenda_err err;

	*out = NULL;
	if (fault)
		*fault = PRINTER_BAD_TARGET;
	err = printer_uri_check(uri, detail);
	if (err != AG_OK)
		return err;
	for (size_t i = 0; i < sizeof BACKENDS / sizeof BACKENDS[0]; i++) {
		size_t n = strlen(BACKENDS[i]->scheme);

		if (strncmp(uri, BACKENDS[i]->scheme, n) == 0 &&
		    (uri[n] == ':' || uri[n] == '\0')) {
			ops = BACKENDS[i];
			arg = uri[n] ? uri + n + 1 : "";
		}
	}
	if (!ops) { /* printer_uri_check knows a scheme no backend has */
		agenda_detail_set(detail, MSG_PRINTER_BAD_TARGET, uri);
		return AG_ERR_INVALID;
	}
	p = calloc(1, sizeof *p);
	if (!p) {
		if (fault)
			*fault = PRINTER_IO;
		return AG_ERR_NOMEM;
	}
	p->ops = ops;
	p->profile = profile;
	p->timeout_ms = timeout_ms;
	snprintf(p->uri, sizeof p->uri, "%s", uri);
	err = ops->open(p, arg);
	if (fault)
		*fault = err == AG_OK ? PRINTER_OK : p->fault ? p->fault : PRINTER_IO;
	if (err != AG_OK) {
		if (p->fault == PRINTER_BAD_TARGET)
			agenda_detail_set(detail, MSG_PRINTER_BAD_TARGET, uri);
		else
			printer_fault_detail(p->fault ? p->fault : PRINTER_IO, detail);
		free(p);
		return err;
	}
	if (!p->profile)
		p->profile = printer_profiles(NULL);
	*out = p;
	return AG_OK;
}

agenda_err printer_write(printer *p, const unsigned char *data, size_t len, size_t *sent,
                         agenda_detail *detail)
{
	size_t chunk = p->profile && p->profile->chunk_bytes ? p->profile->chunk_bytes : 4096;
	size_t done = 0;
	agenda_err err = AG_OK;

	p->fault = PRINTER_OK;
	while (done < len && err == AG_OK) {
		size_t n = len - done < chunk ? len - done : chunk, w = 0;

		err = p->ops->write(p, data + done, n, &w);
		done += w;
	}
	if (sent)
		*sent = done;
	if (err != AG_OK) {
		unsigned flags;
		printer_fault why = p->fault ? p->fault : PRINTER_IO;

		/* A stalled printer usually knows why: ask it, keeping the first fault if it can't.
		 */
		if (why == PRINTER_TIMEOUT && p->ops->status(p, &flags) == AG_OK &&
		    printer_status_blocking(flags) != PRINTER_OK)
			why = printer_status_blocking(flags);
		p->fault = why;
		printer_fault_detail(why, detail);
	}
	return err;
}

agenda_err printer_status(printer *p, unsigned *flags, agenda_detail *detail)
{
	agenda_err err;

	p->fault = PRINTER_OK;
	*flags = 0;
	err = p->ops->status(p, flags);
	if (err != AG_OK)
		printer_fault_detail(p->fault ? p->fault : PRINTER_IO, detail);
	else
		printer_status_detail(*flags, detail);
	return err;
}

void printer_close(printer *p)
{
	if (!p)
		return;
	p->ops->close(p);
	free(p);
}
