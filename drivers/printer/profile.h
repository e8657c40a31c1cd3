/*
 * profile.h — the receipt printers the kiosk supports, as data.
 *
 * A profile says how wide the paper is (characters of Font A and dots per line), which ESC t
 * number selects CP858, whether the printer draws QR codes itself (GS ( k) or needs a raster
 * image (GS v 0), how fast it prints (to size USB timeouts) and its USB ids. Adding a printer is
 * adding a row in profile.c; nothing else branches on the model.
 */
#ifndef AGENDA_DRIVERS_PROFILE_H
#define AGENDA_DRIVERS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct printer_profile {
	const char *id;       /* "tm-t20iii": what agendactl and the config name */
	const char *name;     /* "Epson TM-T20III" */
	uint16_t usb_vendor;  /* 0: match by interface class only */
	uint16_t usb_product; /* 0: any product of usb_vendor */
	int columns;          /* Font A characters per line */
	int dots_per_line;    /* printable width in dots */
	int dots_per_mm;      /* 8 for 203 dpi, 7 for 180 dpi */
	int code_page;        /* ESC t n selecting PC858 */
	bool native_qr;       /* GS ( k QR Code supported */
	int qr_module_dots;   /* size of one QR module in dots */
	int speed_mm_per_s;   /* paper speed, for timeouts */
	size_t chunk_bytes;   /* largest single write */
} printer_profile;

/* All profiles; *count receives how many. The first is the default. */
const printer_profile *printer_profiles(size_t *count);

/* By id ("tm-t20iii", "tm-t88v", "tm-t88vi", "generic-58"); NULL when unknown. */
const printer_profile *printer_profile_find(const char *id);

/* The profile whose USB ids match (exact product first, then vendor-only rows); NULL if none. */
const printer_profile *printer_profile_by_usb(uint16_t vendor, uint16_t product);

/* Milliseconds a printer of this profile needs to print len bytes, with margin (for timeouts). */
int printer_profile_print_ms(const printer_profile *p, size_t len);

#endif
