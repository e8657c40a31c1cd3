/*
 * printer_virtual.c — the virtual backend: keeps the bytes it is sent, and at each cut decodes
 * the page and writes it as PNG and text next to the prefix it was opened with. It never blocks
 * and has no paper; its status is whatever printer_virtual_inject set (ready by default).
 */
#include "printer/virtual.h"
#include "printer/escpos.h"
#include "printer/escpos_decode.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct virtual_impl {
	char prefix[200];
	escpos_buf pending;
	int pages;       /* written by this printer */
	int file_number; /* of the last page written: PREFIX-N.png */
} virtual_impl;

static atomic_uint injected_status;
static atomic_int injected_fault;

void printer_virtual_inject(unsigned status_flags, printer_fault write_fault)
{
	atomic_store(&injected_status, status_flags);
	atomic_store(&injected_fault, (int)write_fault);
}

int printer_virtual_pages(const printer *p)
{
	return p && p->ops == &printer_virtual_ops ? ((const virtual_impl *)p->impl)->pages : 0;
}

static agenda_err virtual_open(printer *p, const char *arg)
{
	virtual_impl *v;

	if (!*arg || strlen(arg) >= sizeof v->prefix) {
		p->fault = PRINTER_BAD_TARGET;
		return AG_ERR_INVALID;
	}
	v = calloc(1, sizeof *v);
	if (!v)
		return AG_ERR_NOMEM;
	snprintf(v->prefix, sizeof v->prefix, "%s", arg);
	escpos_buf_init(&v->pending);
	p->impl = v;
	return AG_OK;
}

static agenda_err emit_page(printer *p, const escpos_page *page)
{
	virtual_impl *v = p->impl;
	char path[256];
	agenda_err err;

	/* The next number whose files do not exist: a later run never overwrites earlier slips. */
	do
		snprintf(path, sizeof path, "%s-%d.png", v->prefix, ++v->file_number);
	while (access(path, F_OK) == 0);
	v->pages++;
	if ((err = escpos_page_write_png(page, path)) != AG_OK)
		return err;
	snprintf(path, sizeof path, "%s-%d.txt", v->prefix, v->file_number);
	return escpos_page_write_text(page, path);
}

/* Renders every complete page (ended by a cut) held in pending; all of it when final. */
static agenda_err render(printer *p, bool final)
{
	virtual_impl *v = p->impl;
	int width = p->profile ? p->profile->dots_per_line : 576;
	agenda_err err = AG_OK;

	while (err == AG_OK && v->pending.len) {
		escpos_page page;
		size_t used;
		bool cut;

		err = escpos_decode_page(v->pending.data, v->pending.len, width, &page, &used);
		if (err != AG_OK) {
			/*
			 * A page the decoder refuses (too long, out of memory) is dropped, as a
			 * real printer drops what it cannot print: keeping it would fail every
			 * later write too and wedge the device.
			 */
			v->pending.len = 0;
			break;
		}
		cut = page.cut;
		if (cut || (final && page.height > 0))
			err = emit_page(p, &page);
		escpos_page_free(&page);
		if (!cut && !final)
			break;
		if (!cut || used == 0) {
			v->pending.len = 0;
			break;
		}
		memmove(v->pending.data, v->pending.data + used, v->pending.len - used);
		v->pending.len -= used;
	}
	return err;
}

static agenda_err virtual_write(printer *p, const unsigned char *data, size_t len, size_t *written)
{
	virtual_impl *v = p->impl;
	printer_fault f = (printer_fault)atomic_load(&injected_fault);
	agenda_err err;

	*written = 0;
	if (f != PRINTER_OK) {
		p->fault = f;
		return AG_ERR_IO;
	}
	escpos_bytes(&v->pending, data, len);
	if ((err = escpos_buf_error(&v->pending)) != AG_OK)
		return err;
	*written = len;
	err = render(p, false);
	if (err != AG_OK)
		p->fault = PRINTER_IO;
	return err;
}

static agenda_err virtual_status(printer *p, unsigned *flags)
{
	(void)p;
	*flags = atomic_load(&injected_status);
	return AG_OK;
}

static void virtual_close(printer *p)
{
	virtual_impl *v = p->impl;

	render(p, true);
	escpos_buf_free(&v->pending);
	free(v);
}

const printer_ops printer_virtual_ops = {"virtual", virtual_open, virtual_write, virtual_status,
                                         virtual_close};
