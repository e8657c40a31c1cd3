/*
 * printer_file.c — the file backend: the bytes go to a path, appended. Useful to capture a job
 * for inspection and, with /dev/usb/lp0, to drive a printer through the kernel's usblp where
 * libusb cannot be used. It cannot ask the printer anything: status is UNKNOWN.
 */
#include "platform/private_file.h"
#include "printer/printer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

static printer_fault fault_of_errno(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
		return PRINTER_PERMISSION;
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return PRINTER_NOT_FOUND;
	case EBUSY:
		return PRINTER_BUSY;
	default:
		return PRINTER_IO;
	}
}

static agenda_err file_open(printer *p, const char *arg)
{
	int fd;

	if (!*arg) {
		p->fault = PRINTER_BAD_TARGET;
		return AG_ERR_INVALID;
	}
	/* The slip bytes carry the applicant's name: 0600 whatever the umask. */
	fd = private_file_open(arg, O_WRONLY | O_APPEND);
	if (fd < 0) {
		p->fault = fault_of_errno(errno);
		return AG_ERR_IO;
	}
	p->impl = (void *)(intptr_t)fd;
	return AG_OK;
}

static agenda_err file_write(printer *p, const unsigned char *data, size_t len, size_t *written)
{
	int fd = (int)(intptr_t)p->impl;

	*written = 0;
	while (*written < len) {
		ssize_t n = write(fd, data + *written, len - *written);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			p->fault = n < 0 ? fault_of_errno(errno) : PRINTER_IO;
			return AG_ERR_IO;
		}
		*written += (size_t)n;
	}
	return AG_OK;
}

static agenda_err file_status(printer *p, unsigned *flags)
{
	(void)p;
	*flags = PRINTER_STATUS_UNKNOWN;
	return AG_OK;
}

static void file_close(printer *p)
{
	close((int)(intptr_t)p->impl);
}

const printer_ops printer_file_ops = {"file", file_open, file_write, file_status, file_close};
