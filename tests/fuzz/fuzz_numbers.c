/*
 * fuzz_numbers.c — libFuzzer target for numero di pratica and numero di visto (core/numbers.h).
 *
 * Whatever an operator or a barcode scanner types: an accepted number comes out in its one
 * canonical form (PP/YYYY/NNNNNN, ITA + 9 digits), normalising it again gives the same text, and
 * a refused one names the part that is wrong and says why in both languages.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/numbers.h"

static void check_pratica(const char *in)
{
	char out[PRATICA_MAX], again[PRATICA_MAX];
	enum number_part part = NUMBER_PART_NONE;
	agenda_detail why;

	agenda_detail_clear(&why);
	if (numero_pratica_normalise(in, out, &part, &why) != AG_OK) {
		if (part == NUMBER_PART_NONE || !why.it[0] || !why.en[0])
			abort();
		return;
	}
	if (strlen(out) != 14 || out[2] != '/' || out[7] != '/' ||
	    !provincia_is_known((char[]){out[0], out[1], 0}))
		abort();
	for (int i = 3; i < 14; i++)
		if (i != 7 && !isdigit((unsigned char)out[i]))
			abort();
	if (numero_pratica_normalise(out, again, &part, NULL) != AG_OK || strcmp(out, again))
		abort();
}

static void check_visto(const char *in)
{
	char out[VISTO_MAX], again[VISTO_MAX];
	enum number_part part = NUMBER_PART_NONE;
	agenda_detail why;

	agenda_detail_clear(&why);
	if (numero_visto_normalise(in, out, &part, &why) != AG_OK) {
		if (part == NUMBER_PART_NONE || !why.it[0] || !why.en[0])
			abort();
		return;
	}
	if (strlen(out) != 12 || memcmp(out, "ITA", 3))
		abort();
	for (int i = 3; i < 12; i++)
		if (!isdigit((unsigned char)out[i]))
			abort();
	if (numero_visto_normalise(out, again, &part, NULL) != AG_OK || strcmp(out, again))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = 0;
	check_pratica(in);
	check_visto(in);
	free(in);
	return 0;
}
