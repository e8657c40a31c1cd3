/*
 * layers_probe.c — a program that prints and does nothing else, linked against agenda_printer
 * and agenda_core only (never libagenda). That it links at all shows the printer stands on the
 * core layer; layers_test.sh then reads the binary for any trace of the store's libraries.
 * It does real work so the core and the printer are really pulled in: a slip with a UUID from
 * the seeded CTR-DRBG, laid out, encoded to ESC/POS and written to a file: printer.
 * Usage: layers_probe OUTPUT-FILE   (exit 0 when the file holds the whole job)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core/slip.h"
#include "platform/rng.h"
#include "printer/escpos.h"
#include "printer/printer.h"

int main(int argc, char **argv)
{
	const printer_profile *prof = printer_profile_find("tm-t20iii");
	agenda_rng rng;
	struct rng_state *state = NULL;
	char reference[37], uri[PRINTER_URI_MAX];
	escpos_buf b;
	printer *p = NULL;
	printer_fault fault;
	agenda_detail detail;
	size_t sent = 0;
	struct stat st;
	slip *s = malloc(sizeof *s); /* 25 KB: too large for a comfortable stack frame */
	slip_input in = {.city = "Bologna",
	                 .surname = "Rossi",
	                 .name = "Mario",
	                 .birth_date = date_from_ymd(1990, 1, 2),
	                 .nationality = "Ivoriana",
	                 .numero_pratica = "P-BO/L/N/2026/000001",
	                 .questura_name = "Questura di Bologna",
	                 .questura_address = "Piazza Galileo 7, Bologna",
	                 .day = date_from_ymd(2026, 5, 6),
	                 .minute = 9 * 60,
	                 .reference = reference,
	                 .operator_id = "op.probe",
	                 .printed_day = date_from_ymd(2026, 5, 4),
	                 .printed_minute = 10 * 60,
	                 .columns = prof ? prof->columns : 0};
	int rc = 1;

	escpos_buf_init(&b);
	if (argc != 2 || !prof || !s ||
	    (size_t)snprintf(uri, sizeof uri, "file:%s", argv[1]) >= sizeof uri)
		goto done;
	if (rng_open_seeded(&rng, &state, 42) != AG_OK || rng_uuid(&rng, reference) != AG_OK)
		goto done;
	if (slip_build(&in, s, &detail) != AG_OK || escpos_render_slip(s, prof, &b) != AG_OK)
		goto done;
	if (printer_open(uri, prof, 0, &p, &fault, &detail) != AG_OK ||
	    printer_write(p, b.data, b.len, &sent, &detail) != AG_OK)
		goto done;
	if (stat(argv[1], &st) == 0 && (size_t)st.st_size == b.len && sent == b.len) {
		printf("printed %zu bytes of slip %s\n", b.len, reference);
		rc = 0;
	}
done:
	if (p)
		printer_close(p);
	escpos_buf_free(&b);
	rng_close(state);
	free(s);
	return rc;
}
